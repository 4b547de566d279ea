//! The labour inspector's pages: the employers with an indicator found and one employer's
//! indicators today and month by month — for labour inspectors only, naming no worker,
//! each reading of workers' facts in the use log, in three languages with no code.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_monitoring::EventBody;
use polku_simulators::population::person_id;

use crate::monitoring::{event, ingest, month, no_code, use_log_purposes, watched};
use crate::support::{official, site};

/// The example application's employer.
const EMPLOYER: &str = "1234567-1";

async fn an_inspector_sees_an_employer_paying_below_the_minimum(db: &TestDb) {
    let s = site(db);
    let workers: Vec<String> = (30..33).map(person_id).collect();
    watched(&s, &workers).await;
    let reports: Vec<_> = workers
        .iter()
        .map(|w| {
            event(
                &format!("ir-{w}"),
                EventBody::PayReport {
                    person: w.clone(),
                    month: month(1),
                    gross_pay_eur: 1000.0,
                    employer_id: EMPLOYER.to_owned(),
                    occupational_field: None,
                },
            )
        })
        .collect();
    ingest(&s, &reports).await;

    // Only labour inspectors.
    let anonymous = s.call("GET", "/inspect/employers", "", None).await;
    assert_eq!(anonymous.location.as_deref(), Some("/sign-in"));
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let applicant = s.sign_in(&workers[0]).await;
    for who in [&hanna, &applicant] {
        for path in [
            "/inspect/employers".to_owned(),
            format!("/inspect/employers/{EMPLOYER}"),
        ] {
            let r = s.call("GET", &path, who, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!r.body.contains("Palkka alle vähimmäisen"), "{path}");
        }
    }

    let tiina = official(&s, "tiina", Role::LabourInspector).await;
    for (lang, finding, workers_word) in [
        (
            "fi",
            "Palkka alle vähimmäisen",
            "Työntekijöitä valvotulla luvalla",
        ),
        (
            "sv",
            "Lön under minimilönen",
            "Arbetstagare med övervakat tillstånd",
        ),
        ("en", "Pay below the minimum", "Workers on a watched permit"),
    ] {
        let who = format!("{tiina}; polku_lang={lang}");
        let list = s.call("GET", "/inspect/employers", &who, None).await;
        no_code(&format!("the employers in {lang}"), &list);
        assert!(
            list.body
                .contains(&format!("href=\"/inspect/employers/{EMPLOYER}\""))
        );
        assert!(list.body.contains(finding), "{lang}: {}", list.body);
        let page = s
            .call("GET", &format!("/inspect/employers/{EMPLOYER}"), &who, None)
            .await;
        no_code(&format!("the employer in {lang}"), &page);
        assert!(page.body.contains(workers_word), "{lang}");
        assert!(page.body.contains(finding), "{lang}");
        // Counts, never who the workers are.
        for w in &workers {
            assert!(!page.body.contains(w.as_str()), "{lang} names {w}");
            assert!(!list.body.contains(w.as_str()), "{lang} names {w}");
        }
    }
    // The month's reading is kept: the employer's history shows it.
    let en = format!("{tiina}; polku_lang=en");
    let page = s
        .call("GET", &format!("/inspect/employers/{EMPLOYER}"), &en, None)
        .await;
    let this_month = month(0);
    let month_name = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][usize::from(this_month.month().unsigned_abs()) - 1];
    assert!(
        page.body
            .contains(&format!("<h3>{month_name} {}</h3>", this_month.year())),
        "{}",
        page.body
    );
    assert!(page.body.contains("Counted: 3. It is a finding from 3."));

    // Filtered by another indicator, the employer is not listed.
    let none = s
        .call(
            "GET",
            "/inspect/employers?indicator=no_pay_reports",
            &en,
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(
        !none
            .body
            .contains(&format!("href=\"/inspect/employers/{EMPLOYER}\""))
    );
    assert!(none.body.contains("No employer has an indicator found."));

    // Finding an employer by its business ID; a bad one says what a business ID is.
    let found = s
        .call(
            "GET",
            &format!("/inspect/employers?employer={EMPLOYER}"),
            &en,
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(
        found.location.as_deref(),
        Some(format!("/inspect/employers/{EMPLOYER}").as_str())
    );
    for bad in [
        "/inspect/employers?employer=Nokia",
        "/inspect/employers?indicator=nationality",
        "/inspect/employers?page=0",
    ] {
        let r = s.call("GET", bad, &en, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let bad = s
        .call("GET", "/inspect/employers/1234567-2", &en, None)
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND, "a wrong check digit");

    // Each reading of the workers' facts is in the use log; the list reads none of them
    // but the day's first recording.
    let purposes = use_log_purposes(&s).await;
    let read = purposes
        .iter()
        .filter(|p| p.as_str() == polku_monitoring::INDICATORS_PURPOSE)
        .count();
    assert_eq!(
        read, 4,
        "three languages and the history check: {purposes:?}"
    );
    let recorded = purposes
        .iter()
        .filter(|p| p.as_str() == polku_monitoring::RECORD_PURPOSE)
        .count();
    assert_eq!(recorded, 1, "read once today: {purposes:?}");
}
polku_cases::on_every_database!(
    inspector,
    an_inspector_sees_an_employer_paying_below_the_minimum,
    with_db
);
