//! The management dashboard: the programme's key figures measured from the cases, as
//! tables, charts and CSV, for analysts and management only.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::support::{decided_case, official, referred_case, site};

async fn the_dashboard_measures_the_programme_from_the_cases(db: &TestDb) {
    let s = site(db);
    decided_case(&s, &person_id(3)).await;
    decided_case(&s, &person_id(5)).await;
    referred_case(&s, &person_id(4)).await;
    referred_case(&s, &person_id(6)).await;
    let anna = official(&s, "anna", Role::Analyst).await;
    let page = s
        .call("GET", "/dashboard", &format!("{anna}; polku_lang=en"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Two of four permit cases granted by the machine within ten minutes.
    assert!(
        page.body
            .contains("Permits granted fully automatically</td><td>50.0 %"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg"), "charts are drawn on the server");
    assert!(
        page.body.contains("pay-meets-minimum not_met"),
        "referral reasons"
    );
    let csv = s
        .call(
            "GET",
            "/dashboard/matters.csv",
            &format!("{anna}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("\"Matter\",\"Cases\",\"Automatic\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"4\",\"50.0 %\""), "{}", csv.body);
    // The two grants took under a minute; the referred cases wait, under a minute old,
    // both for the same finding.
    for (table, row) in [
        ("processing", "\"under a minute\",\"2\""),
        ("backlog", "\"under a minute\",\"2\""),
        (
            "reasons",
            "\"fi.residence-permit.employed.extension: pay-meets-minimum not_met\",\"2\"",
        ),
    ] {
        let csv = s
            .call(
                "GET",
                &format!("/dashboard/{table}.csv"),
                &format!("{anna}; polku_lang=en"),
                None,
            )
            .await;
        assert!(csv.body.contains(row), "{table}: {}", csv.body);
    }
    // Case handlers work cases; the figures are for analysts and management.
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    assert_eq!(
        s.call("GET", "/dashboard", &hanna, None).await.status,
        StatusCode::FORBIDDEN
    );
    let applicant = s.sign_in(&person_id(3)).await;
    assert_eq!(
        s.call("GET", "/dashboard/kpis.csv", &applicant, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for lang in ["fi", "sv"] {
        let page = s
            .call(
                "GET",
                "/dashboard",
                &format!("{anna}; polku_lang={lang}"),
                None,
            )
            .await;
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
    }
}
polku_cases::on_every_database!(
    dashboard,
    the_dashboard_measures_the_programme_from_the_cases,
    with_db
);
