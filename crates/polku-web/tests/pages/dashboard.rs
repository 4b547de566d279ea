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
        page.body.contains(": Not met: "),
        "referral reasons, the matter and the condition in words"
    );
    assert!(!page.body.contains("not_met"), "no status code");
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
        csv.body
            .starts_with("\u{feff}\"Matter\",\"Cases\",\"Automatic\""),
        "a byte-order mark, then the head: {}",
        csv.body
    );
    // A Finnish spreadsheet takes the comma as the decimal sign: semicolons between fields.
    let fi = s
        .call(
            "GET",
            "/dashboard/matters.csv",
            &format!("{anna}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(fi.body.starts_with("\u{feff}\"Asia\";"), "{}", fi.body);
    assert!(fi.body.contains("\"4\";\"50,0 %\""), "{}", fi.body);
    assert!(csv.body.contains("\"4\",\"50.0 %\""), "{}", csv.body);
    // The two grants took under a minute; the referred cases wait, under a minute old,
    // both for the same finding.
    for (table, row) in [
        ("processing", "\"under a minute\",\"2\""),
        ("backlog", "\"under a minute\",\"2\""),
        (
            "reasons",
            "\"Extended residence permit for an employed person: Not met: The pay is at least",
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
    // The same table as an Excel workbook: a zip of Office Open XML, named for the table;
    // the counts in it are numbers (<c … t="s"> marks text; a number has none).
    let (status, headers, bytes) = s
        .call_bytes("/dashboard/matters.xlsx", &format!("{anna}; polku_lang=fi"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("polku-matters.xlsx")
    );
    assert_eq!(&bytes[..2], b"PK");
    assert_eq!(
        s.call_bytes("/dashboard/matters.pdf", &anna).await.0,
        StatusCode::NOT_FOUND
    );
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

/// The monitoring's figures on the dashboard, from register events and alerts as stored:
/// counts and days in each language's own format, Finland's days, and no code-like
/// string (a state, a column or a message key) in the section.
async fn the_dashboard_shows_the_monitoring_in_three_languages(db: &TestDb) {
    let s = site(db);
    let now = jiff::Timestamp::now().as_microsecond();
    let hour = 3_600_000_000i64;
    let events: Vec<String> = (0..1_200)
        .map(|i| format!("('e{i}', 'emigration', 'sim-0000001', '2026-12-01', {now}, 'b', '{{}}')"))
        .collect();
    db.raw(&format!(
        "INSERT INTO register_events (id, kind, subject, occurred_on, received_at, batch_id, payload_json) VALUES {}",
        events.join(", ")
    ))
    .await;
    // Handled in 24 h and 48 h (median 1.5 days); one closed by itself; one open.
    for (id, state, opened, closed) in [
        ("a1", "confirmed", now - 24 * hour, Some(now)),
        ("a2", "dismissed", now - 48 * hour, Some(now)),
        ("a3", "closed", now - 30 * hour, Some(now)),
        ("a4", "open", now, None),
    ] {
        let closed = closed.map_or("NULL".to_owned(), |c| c.to_string());
        db.raw(&format!(
            "INSERT INTO monitoring_alerts (id, permit_id, person, matter, condition_id, rule_set, version, state, opened_at, checked_on, trace_json, closed_at)
             VALUES ('{id}', 'p-{id}', 'sim-0000001', 'm', 'c', 'r', '1', '{state}', {opened}, '2026-12-01', '{{}}', {closed})"
        ))
        .await;
    }
    let anna = official(&s, "anna", Role::Analyst).await;
    let today = polku_cases::today_in_finland();
    for (lang, heading, events, median, day, count) in [
        (
            "fi",
            "Oleskelulupien jälkivalvonta",
            "Rekisterien ilmoituksia vastaanotettu</td><td>1\u{a0}200</td><td>1\u{a0}200",
            "Hälytyksen käsittelyaika, mediaani (päivää)</td><td>1,5</td><td>1,5",
            format!("{}.{}.{}", today.day(), today.month(), today.year()),
            "1\u{a0}200",
        ),
        (
            "sv",
            "Efterhandskontroll av uppehållstillstånd",
            "Meddelanden från register mottagna</td><td>1\u{a0}200</td><td>1\u{a0}200",
            "Handläggningstid för ett larm, median (dagar)</td><td>1,5</td><td>1,5",
            format!("{}.{}.{}", today.day(), today.month(), today.year()),
            "1\u{a0}200",
        ),
        (
            "en",
            "Monitoring of residence permits",
            "Register events received</td><td>1,200</td><td>1,200",
            "Time to handle an alert, median (days)</td><td>1.5</td><td>1.5",
            today.strftime("%-d %B %Y").to_string(),
            "1,200",
        ),
    ] {
        let page = s
            .call(
                "GET",
                "/dashboard",
                &format!("{anna}; polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let section = page
            .body
            .split("<section aria-labelledby=\"monitoring\">")
            .nth(1)
            .unwrap_or_else(|| panic!("{lang}: no monitoring section: {}", page.body));
        for text in [heading, events, median] {
            assert!(section.contains(text), "{lang}: no {text} in {section}");
        }
        // Today's row: the events and the one alert opened today (three opened earlier).
        let row = format!("<td>{day}</td><td>{count}</td><td>1</td>");
        assert!(section.contains(&row), "{lang}: no {row} in {section}");
        assert!(
            section.contains("<svg"),
            "{lang}: the events per day are drawn"
        );
        for code in [
            "_",
            "dash-mon",
            "Unknown localization",
            "confirmed</td>",
            "dismissed</td>",
        ] {
            assert!(!section.contains(code), "{lang}: `{code}` in {section}");
        }
    }
    let csv = s
        .call(
            "GET",
            "/dashboard/monitoring.csv",
            &format!("{anna}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("\u{feff}\"Figure\",\"Last 14 days\",\"All time\"\r\n\"Register events received\",\"1,200\",\"1,200\""),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("\"Alerts opened\",\"4\",\"4\"")
            && csv.body.contains("\"Open now\",\"–\",\"1\""),
        "{}",
        csv.body
    );
}
polku_cases::on_every_database!(
    dashboard_monitoring,
    the_dashboard_shows_the_monitoring_in_three_languages,
    with_db
);
