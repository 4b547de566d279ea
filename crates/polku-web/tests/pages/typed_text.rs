//! Text typed into any form — a request for rectification, an application's answers, a
//! decision's reasons, the queue's filter, a username, a rule change and its notes, the
//! auditors' search: a control character (NUL, which PostgreSQL refuses, an escape…) is
//! refused with the field named, and nothing is stored; line breaks are text.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::CaseState;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::support::{
    EXTENSION, Reply, Site, decided_case, form_csrf, official, raised_minimum, referred_case,
    sign_in_from, site,
};

/// `r` is the 422 page that names `field` as holding a control character.
fn assert_refused_naming(r: &Reply, field: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {}",
        r.body
    );
    assert!(r.body.contains(field), "{field} is not named: {}", r.body);
    assert!(r.body.contains("control character"), "{}", r.body);
}

/// Person 3's case the machine granted, their session (in English) and its forms' token.
async fn my_decided_case(s: &Site) -> (uuid::Uuid, String, String) {
    let mine = decided_case(s, &person_id(3)).await;
    let me = s.sign_in(&person_id(3)).await + "; polku_lang=en";
    let csrf = form_csrf(
        &s.call("GET", &format!("/my/cases/{mine}"), &me, None)
            .await
            .body,
    );
    (mine, me, csrf)
}

/// A control character (NUL, which PostgreSQL refuses, an escape…) in the reasons of a
/// request for rectification is refused with the field named, and nothing is asked.
async fn a_rectification_request_with_a_control_character_is_refused(db: &TestDb) {
    let s = site(db);
    let (mine, me, csrf) = my_decided_case(&s).await;
    let uri = format!("/my/cases/{mine}/rectification");
    for reason in ["Pay%00was+higher", "Pay%1B%5B31mwas", "Pay%C2%85was", "%7F"] {
        let form = format!("csrf={csrf}&reason={reason}");
        let r = s.call("POST", &uri, &me, Some(&form)).await;
        assert_refused_naming(&r, "What should be corrected, and why?");
    }
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::Decided
    );
}
polku_cases::on_every_database!(
    rectification_control_characters,
    a_rectification_request_with_a_control_character_is_refused,
    with_db
);

/// Line breaks and tabs in a request for rectification are text.
async fn line_breaks_and_tabs_in_a_rectification_request_are_text(db: &TestDb) {
    let s = site(db);
    let (mine, me, csrf) = my_decided_case(&s).await;
    let uri = format!("/my/cases/{mine}/rectification");
    let form = format!("csrf={csrf}&reason=Pay+was+higher:%0D%0A%09in+May+and+June");
    let sent = s.call("POST", &uri, &me, Some(&form)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
}
polku_cases::on_every_database!(
    rectification_line_breaks,
    line_breaks_and_tabs_in_a_rectification_request_are_text,
    with_db
);

/// A control character in an application's answers is refused with the field named,
/// and nothing is filed.
async fn an_answer_with_a_control_character_files_nothing(db: &TestDb) {
    let s = site(db);
    let (_, me, csrf) = my_decided_case(&s).await;
    let form = format!("csrf={csrf}&application.employment.employer_id=1234567-8%00");
    let r = s
        .call("POST", &format!("/my/apply/{EXTENSION}"), &me, Some(&form))
        .await;
    assert_refused_naming(&r, "Your employer&#39;s business ID");
    assert_eq!(
        s.state
            .store
            .cases_of(&person_id(3), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
polku_cases::on_every_database!(
    application_control_characters,
    an_answer_with_a_control_character_files_nothing,
    with_db
);

/// A control character in a decision's reasons is refused with the field named: the case
/// stays waiting, with no decision of a person.
async fn reasons_with_a_control_character_are_refused(db: &TestDb) {
    let s = site(db);
    let case = referred_case(&s, &person_id(5)).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await + "; polku_lang=en";
    let csrf = form_csrf(
        &s.call("GET", &format!("/work/cases/{case}"), &hanna, None)
            .await
            .body,
    );
    let claimed = s
        .call(
            "POST",
            &format!("/work/cases/{case}/claim"),
            &hanna,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    let r = s
        .call(
            "POST",
            &format!("/work/cases/{case}/decision"),
            &hanna,
            Some(&format!(
                "csrf={csrf}&outcome=refuse&reasons=Pay+too+low%00"
            )),
        )
        .await;
    assert_refused_naming(&r, "Reasons");
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Referred
    );
    assert_eq!(s.state.store.decisions(case).await.unwrap().len(), 1);
}
polku_cases::on_every_database!(
    reasons_control_characters,
    reasons_with_a_control_character_are_refused,
    with_db
);

/// The queue's filter with a control character is refused with the field named.
async fn the_queue_filter_refuses_a_control_character(db: &TestDb) {
    let s = site(db);
    let hanna = official(&s, "hanna", Role::CaseHandler).await + "; polku_lang=en";
    let r = s.call("GET", "/work?matter=fi%00", &hanna, None).await;
    assert_refused_naming(&r, "Matter");
}
polku_cases::on_every_database!(
    queue_filter_control_characters,
    the_queue_filter_refuses_a_control_character,
    with_db
);

/// A username with a control character is refused, naming the field in the visitor's
/// language (Finnish unless they chose).
async fn a_username_with_a_control_character_is_refused(db: &TestDb) {
    let s = site(db);
    let r = sign_in_from(&s, "192.0.2.9", "hanna%00", "a long enough password").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Käyttäjätunnus"), "in Finnish: {}", r.body);
    assert!(r.body.contains("ohjausmerkki"), "{}", r.body);
}
polku_cases::on_every_database!(
    username_control_characters,
    a_username_with_a_control_character_is_refused,
    with_db
);

/// A control character in the auditors' search is refused with the field named.
async fn the_auditors_search_refuses_a_control_character(db: &TestDb) {
    let s = site(db);
    let aila = official(&s, "aila", Role::Auditor).await + "; polku_lang=en";
    let r = s.call("GET", "/audit?person=person%00", &aila, None).await;
    assert_refused_naming(&r, "Person");
    let r = s.call("GET", "/audit?actor=user%00", &aila, None).await;
    assert_refused_naming(&r, "Official or process");
}
polku_cases::on_every_database!(
    search_control_characters,
    the_auditors_search_refuses_a_control_character,
    with_db
);

/// Hanna, a case handler (pages in English), the proposal form of the extension's rules
/// and its token.
async fn proposal_form(s: &Site) -> (String, String, String) {
    let hanna = official(s, "hanna", Role::CaseHandler).await + "; polku_lang=en";
    let propose = format!("/work/rules/{EXTENSION}/propose");
    let csrf = form_csrf(&s.call("GET", &propose, &hanna, None).await.body);
    (hanna, propose, csrf)
}

/// A control character in a proposal's summary or text is refused with the field named,
/// and no proposal is stored.
async fn a_proposal_with_a_control_character_is_not_stored(db: &TestDb) {
    let s = site(db);
    let (hanna, propose, csrf) = proposal_form(&s).await;
    let from = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap();
    let good = raised_minimum(from);
    let from = from.to_string();
    let nul = format!("{good}# \u{0}\n");
    for (summary, text, field) in [
        (
            "Minimum pay rises.\u{0}",
            good.as_str(),
            "Why the rules change",
        ),
        ("Minimum pay rises.", nul.as_str(), "Rule file (YAML)"),
    ] {
        let r = s
            .multipart(
                &propose,
                &hanna,
                &[
                    ("csrf", &csrf),
                    ("summary", summary),
                    ("effective_from", &from),
                    ("text", text),
                    ("tests", ""),
                    ("action", "propose"),
                ],
            )
            .await;
        assert_refused_naming(&r, field);
    }
    assert!(
        s.state
            .rule_admin
            .rule_proposals()
            .await
            .unwrap()
            .is_empty()
    );
}
polku_cases::on_every_database!(
    proposal_control_characters,
    a_proposal_with_a_control_character_is_not_stored,
    with_db
);

/// A control character in the note of a rejection is refused with the field named.
async fn a_note_with_a_control_character_is_refused(db: &TestDb) {
    let s = site(db);
    let (hanna, _, csrf) = proposal_form(&s).await;
    let r = s
        .call(
            "POST",
            &format!("/work/rules/proposals/{}/rejection", uuid::Uuid::nil()),
            &hanna,
            Some(&format!("csrf={csrf}&note=No%08")),
        )
        .await;
    assert_refused_naming(&r, "Why it is rejected");
}
polku_cases::on_every_database!(
    note_control_characters,
    a_note_with_a_control_character_is_refused,
    with_db
);
