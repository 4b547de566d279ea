//! Every text in Finnish, Swedish and English: the message files agree, each page
//! speaks the language chosen, and the language link goes back only to this site.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use polku_cases::CaseState;
use polku_cases::testing::TestDb;
use polku_rules::Outcome;
use polku_simulators::population::person_id;

use crate::support::{crate_dir, decided_case, site};

#[test]
fn every_text_the_pages_use_exists_in_finnish_swedish_and_english() {
    let mut used = BTreeSet::new();
    let mut sources = Vec::new();
    for dir in ["templates", "src"] {
        for entry in std::fs::read_dir(crate_dir().join(dir)).unwrap() {
            sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    for text in &sources {
        for call in [".t(\"", ".t1(\"", ".t_with(\"", "error_page("] {
            for part in text.split(call).skip(1) {
                let key = if call == "error_page(" {
                    part.split('"').nth(1)
                } else {
                    part.split('"').next()
                };
                // A message key: lower-case words joined by hyphens.
                let is_key = |k: &&str| {
                    k.contains('-')
                        && k.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        })
                };
                if let Some(k) = key.filter(is_key) {
                    used.insert(k.to_owned());
                }
            }
        }
    }
    // Keys made from a prefix and a value: every value they can take.
    for state in CaseState::ALL {
        used.insert(format!("state-{}", state.as_str()));
    }
    for status in ["met", "not_met", "unknown", "exempt", "withheld"] {
        used.insert(format!("status-{status}"));
    }
    for state in ["proposed", "approved", "rejected", "withdrawn"] {
        used.insert(format!("rules-state-{state}"));
    }
    for outcome in [Outcome::Grant, Outcome::Refer, Outcome::RequestEvidence] {
        used.insert(format!("rules-outcome-{}", outcome.code()));
    }
    for outcome in polku_cases::DecisionOutcome::ALL {
        used.insert(format!("decision-outcome-{}", outcome.code()));
    }
    for log in polku_audit::AuditLog::ALL {
        used.insert(format!("audit-log-{}", log.as_str()));
    }
    // The application form asks about every input only the applicant can tell.
    for f in polku_rules::schema::FIELDS {
        if f.origin == polku_rules::schema::Origin::Applicant {
            used.insert(format!("field-{}", f.path.replace('.', "-")));
        }
        if let polku_rules::schema::FieldType::OneOf(values) = f.ty
            && f.origin == polku_rules::schema::Origin::Applicant
        {
            for v in values {
                used.insert(format!("option-{v}"));
            }
        }
    }
    // Monitoring: every alert state, and every register field a watched condition reads,
    // by its name in plain words.
    for state in polku_monitoring::AlertState::ALL {
        used.insert(format!("mon-state-{}", state.code()));
    }
    let rules = polku_rules::RuleBook::load_dir(&crate_dir().join("../../rules")).unwrap();
    let mut watched_fields = 0;
    for set in rules.monitoring_sets() {
        for c in &set.conditions {
            for slot in &c.fields {
                let path = polku_rules::schema::FIELDS[*slot].path;
                used.insert(format!("mon-field-{}", path.replace('.', "-")));
                watched_fields += 1;
            }
        }
    }
    assert!(
        watched_fields > 10,
        "the monitoring rule sets read too few fields"
    );
    assert!(used.len() > 40, "the scan found too few keys: {used:?}");
    let mut key_sets = Vec::new();
    for lang in ["fi", "sv", "en"] {
        // Every message file of the language: fluent-templates loads them all.
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for entry in std::fs::read_dir(crate_dir().join(format!("locales/{lang}"))).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "ftl") {
                continue;
            }
            let ftl = std::fs::read_to_string(&path).unwrap();
            for (k, _) in ftl.lines().filter_map(|l| l.split_once(" = ")) {
                let k = k.trim().to_owned();
                assert!(keys.insert(k.clone()), "`{k}` twice in {lang}");
            }
        }
        for k in &used {
            assert!(keys.contains(k), "`{k}` is missing from {lang}");
        }
        key_sets.push(keys);
    }
    assert_eq!(key_sets[0], key_sets[1], "fi and sv have different keys");
    assert_eq!(key_sets[0], key_sets[2], "fi and en have different keys");
}

async fn every_page_speaks_three_languages(db: &TestDb) {
    let s = site(db);
    let session = s.sign_in(&person_id(3)).await;
    let case = decided_case(&s, &person_id(3)).await;
    for (lang, heading, html_lang) in [
        ("fi", "Hakemuksesi", "lang=\"fi\""),
        ("sv", "Dina ansökningar", "lang=\"sv\""),
        ("en", "Your applications", "lang=\"en\""),
    ] {
        let cookies = format!("{session}; polku_lang={lang}");
        for path in ["/", "/identify", "/my/cases", &format!("/my/cases/{case}")] {
            let r = s.call("GET", path, &cookies, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path} in {lang}");
            assert!(r.body.contains(html_lang), "{path}: no {html_lang}");
            assert!(!r.body.contains("Unknown localization"), "{path} in {lang}");
        }
        let list = s.call("GET", "/my/cases", &cookies, None).await;
        assert!(list.body.contains(heading), "{lang}: {}", list.body);
    }
    // The decision page explains in the language chosen, with the legal basis and the
    // 53 g § notice.
    let en = s
        .call(
            "GET",
            &format!("/my/cases/{case}"),
            &format!("{session}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        en.body.contains("Administrative Procedure Act 53 g"),
        "{}",
        en.body
    );
    // The legal basis names the act in the reader's language, not by its Finnish abbreviation.
    assert!(en.body.contains("Aliens Act section"), "no legal basis");
    assert!(
        !en.body.contains("UlkL"),
        "a Finnish abbreviation on an English page"
    );
    assert!(en.body.contains("Ask for rectification"));
    // The language link remembers the choice and returns to the page.
    let switch = s
        .call("GET", "/language?to=sv&back=/my/cases", "", None)
        .await;
    assert_eq!(switch.location.as_deref(), Some("/my/cases"));
    assert!(switch.cookies[0].starts_with("polku_lang=sv"));
    let elsewhere = s
        .call("GET", "/language?to=sv&back=//evil.example", "", None)
        .await;
    assert_eq!(
        elsewhere.location.as_deref(),
        Some("/"),
        "never another site"
    );
}
polku_cases::on_every_database!(three_languages, every_page_speaks_three_languages, with_db);

/// The language link goes back only to a path on this site: a path a browser would read
/// as another host (`/\host`, `//host`), or one with a tab or line break in it, goes to
/// the front page — never elsewhere, and never a server error.
#[tokio::test]
async fn the_language_link_never_leads_to_another_site() {
    let db = TestDb::sqlite().await;
    let s = site(&db);
    for (back, expected) in [
        ("/my/cases", "/my/cases"),
        (
            "/rules/fi.residence-permit.employed.extension",
            "/rules/fi.residence-permit.employed.extension",
        ),
        ("/work?matter=x", "/work?matter=x"),
        ("/s%C3%A4%C3%A4nn%C3%B6t", "/s%C3%A4%C3%A4nn%C3%B6t"),
        ("/%5Cevil.example", "/"),
        ("/%5C%5Cevil.example", "/"),
        ("/x%5C..%5Cevil", "/"),
        ("//evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/%09/evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20polku_session=x", "/"),
        ("/%00", "/"),
        ("/a%20b", "/"),
        ("", "/"),
    ] {
        let r = s
            .call("GET", &format!("/language?to=sv&back={back}"), "", None)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "back={back}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(expected), "back={back}");
        assert!(r.cookies[0].starts_with("polku_lang=sv"), "back={back}");
        assert!(
            r.cookies.iter().all(|c| !c.starts_with("polku_session")),
            "back={back}"
        );
    }
    db.finish().await;
}
