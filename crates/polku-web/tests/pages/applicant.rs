//! The applicant's e-service: identification, their own cases and no one else's, filing
//! an application, a decision explained (without what the law withholds) and the
//! request for rectification.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_cases::{CaseState, Pipeline};
use polku_simulators::population::person_id;

use crate::support::{
    EXTENSION, decided_case, filed_and_evaluated, form_csrf, official, population, site,
};

async fn forms_need_their_csrf_token_and_pages_their_person(db: &TestDb) {
    let s = site(db);
    // Signing in without the double-submitted token fails, and no session starts.
    let forged = s
        .call(
            "POST",
            "/identify",
            "",
            Some(&format!("csrf=x&person={}", person_id(3))),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.cookies.is_empty());
    // Not signed in: to the identity provider.
    let anonymous = s.call("GET", "/my/cases", "", None).await;
    assert_eq!(anonymous.location.as_deref(), Some("/identify"));

    let mine = decided_case(&s, &person_id(3)).await;
    let theirs = decided_case(&s, &person_id(4)).await;
    let me = s.sign_in(&person_id(3)).await;
    let other = s
        .call("GET", &format!("/my/cases/{theirs}"), &me, None)
        .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "another person's case does not exist"
    );
    let list = s.call("GET", "/my/cases", &me, None).await;
    assert!(list.body.contains(&mine.to_string()));
    assert!(!list.body.contains(&theirs.to_string()));

    // A case handler has no business in the e-service.
    let handler = s
        .state
        .access()
        .add_user(
            "Hanna",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let (token, _) = s.state.sessions().start(handler, 1).await.unwrap();
    let refused = s
        .call("GET", "/my/cases", &format!("polku_session={token}"), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Rectification from the decision page: the wrong token changes nothing…
    let uri = format!("/my/cases/{mine}/rectification");
    let bad = s
        .call("POST", &uri, &me, Some("csrf=wrong&reason=Please+check"))
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::Decided
    );
    // …the right one sends the request to a person.
    let page = s.call("GET", &format!("/my/cases/{mine}"), &me, None).await;
    let csrf = form_csrf(&page.body);
    let sent = s
        .call(
            "POST",
            &uri,
            &me,
            Some(&format!("csrf={csrf}&reason=My+pay+was+higher")),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::RectificationRequested
    );
    // A handler finds the request in the queue, in the applicant's words, and on the case.
    let hanna = format!(
        "{}; polku_lang=en",
        crate::support::official(&s, "hanna", polku_access::Role::CaseHandler).await
    );
    let queue = s
        .call("GET", "/work?state=rectification_requested", &hanna, None)
        .await;
    assert!(
        queue
            .body
            .contains("The applicant asks for rectification: “My pay was higher”"),
        "{}",
        queue.body
    );
    let case = s
        .call("GET", &format!("/work/cases/{mine}"), &hanna, None)
        .await;
    assert!(
        case.body.contains("request for rectification"),
        "{}",
        case.body
    );
    assert!(case.body.contains("My pay was higher"));
    assert!(
        case.body.contains("href=\"#decide\""),
        "the way to the form at once"
    );
    // Signing out ends the session.
    let out = s
        .call("POST", "/sign-out", &me, Some(&format!("csrf={csrf}")))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = s.call("GET", "/my/cases", &me, None).await;
    assert_eq!(after.location.as_deref(), Some("/identify"));
    // Every read of the person's data is in the use log: the applicant's list and
    // decision page, the handler's queue and case page; refused reads are not reads.
    assert_eq!(
        s.state
            .audit()
            .count(polku_audit::AuditLog::Access)
            .await
            .unwrap(),
        4
    );
}
polku_cases::on_every_database!(
    csrf_and_access,
    forms_need_their_csrf_token_and_pages_their_person,
    with_db
);

async fn an_applicant_files_an_extension_and_reads_the_automatic_decision(db: &TestDb) {
    use polku_registers::RegisterEvidence;
    use polku_simulators::population::Matter;
    use polku_simulators::{Behaviour, Simulator};
    let s = site(db);
    let pop = population();
    let evidence = RegisterEvidence::new(
        Simulator::new(pop.clone(), Behaviour::default()),
        s.state.audit(),
        &s.state.rules,
    );
    let pipeline = Pipeline::new(s.state.store.clone(), s.state.rules.clone(), evidence, "w");
    let matter = "fi.residence-permit.employed.extension";
    let mut granted = None;
    for p in pop
        .persons
        .iter()
        .filter(|p| p.matter == Matter::EmployedExtension)
        .take(10)
    {
        let me = s.sign_in(&person_id(p.index)).await;
        let form = s
            .call(
                "GET",
                &format!("/my/apply/{matter}"),
                &format!("{me}; polku_lang=en"),
                None,
            )
            .await;
        assert_eq!(form.status, StatusCode::OK);
        // Only what no register can tell: the employer and the work, not the pay.
        assert!(
            form.body.contains("employer&#39;s business ID"),
            "{}",
            form.body
        );
        assert!(!form.body.contains("monthly_gross_pay_avg"));
        let csrf = form_csrf(&form.body);
        // What the person knows of their own job.
        let typed = pop.application(p);
        let e = &typed["application"]["employment"];
        let answers = format!(
            "csrf={csrf}&application.employment.employer_id={}&application.employment.occupational_field={}",
            e["employer_id"].as_str().unwrap_or(""),
            e["occupational_field"].as_str().unwrap(),
        );
        if e["employer_id"].as_str().is_none() {
            continue;
        }
        // First the answers to check, with the declaration; then the application is sent.
        let review = s
            .call(
                "POST",
                &format!("/my/apply/{matter}"),
                &format!("{me}; polku_lang=en"),
                Some(&answers),
            )
            .await;
        assert_eq!(review.status, StatusCode::OK, "{}", review.body);
        assert!(review.body.contains("Check your answers"));
        assert!(review.body.contains("I declare that the information"));
        let key = review
            .body
            .split("name=\"key\" value=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_owned();
        let send = format!("{answers}&action=send&declaration=yes&key={key}");
        let filed = s
            .call("POST", &format!("/my/apply/{matter}"), &me, Some(&send))
            .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
        let case_page = filed.location.unwrap();
        // Before the machine has run: the reference, what happens next, and the page
        // refreshing itself.
        let waiting = s
            .call("GET", &case_page, &format!("{me}; polku_lang=en"), None)
            .await;
        assert!(
            waiting.body.contains("Reference number: "),
            "{}",
            waiting.body
        );
        assert!(waiting.body.contains("Polku is asking the registers"));
        assert!(waiting.body.contains("<progress"));
        // No refresh on a timer (WCAG 2.2.1): the applicant checks again when they like.
        assert!(!waiting.body.contains("http-equiv=\"refresh\""));
        assert!(waiting.body.contains("Check again"));
        while pipeline.run_once().await.unwrap().is_some() {}
        let page = s
            .call("GET", &case_page, &format!("{me}; polku_lang=en"), None)
            .await;
        if page.body.contains("Decision: granted") {
            granted = Some(page.body);
            break;
        }
    }
    let page = granted.expect("one of ten workers is granted automatically");
    assert!(
        !page.contains("Check again"),
        "decided: nothing to wait for"
    );
    // It reads as a decision: the permit, the number, when, by whom, and the remedy.
    assert!(page.body_contains_all(&[
        "Administrative Procedure Act 53 g",
        "Ask for rectification",
        "Continuous residence permit (A). Valid ",
        "Decision number",
        "Finnish Immigration Service",
        "Automatically (Administrative Procedure Act section 53 e)",
        "within 30 days of receiving it",
        "residence permit card by post",
    ]));

    // A number that is not one comes back with the field named, and nothing is filed.
    let me = s.sign_in(&person_id(1)).await;
    let form = s
        .call("GET", &format!("/my/apply/{matter}"), &me, None)
        .await;
    let csrf = form_csrf(&form.body);
    let before = s.state.store.case_count().await.unwrap();
    let bad = s
        .call(
            "POST",
            &format!("/my/apply/{matter}"),
            &format!("{me}; polku_lang=en"),
            Some(&format!(
                "csrf={csrf}&application.employment.occupational_field=siivooja"
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Each field says what is wrong and how to put it right; the summary links to it.
    assert!(
        bad.body.contains("Choose one of the options."),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("Answer this question."),
        "the employer is required"
    );
    assert!(
        bad.body
            .contains("href=\"#application-employment-employer_id\"")
    );
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let nokia = s
        .call(
            "POST",
            &format!("/my/apply/{matter}"),
            &format!("{me}; polku_lang=fi"),
            Some(&format!(
                "csrf={csrf}&application.employment.employer_id=Nokia&application.employment.occupational_field=ISCO-7"
            )),
        )
        .await;
    assert_eq!(nokia.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nokia
            .body
            .contains("seitsemän numeroa, väliviiva ja tarkistusnumero"),
        "{}",
        nokia.body
    );
    assert!(
        nokia.body.contains("value=\"Nokia\""),
        "the answer comes back to correct"
    );
    let empty = s
        .call(
            "POST",
            &format!("/my/apply/{matter}"),
            &me,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty form is no case"
    );
    assert_eq!(s.state.store.case_count().await.unwrap(), before);
}
polku_cases::on_every_database!(
    applying,
    an_applicant_files_an_extension_and_reads_the_automatic_decision,
    with_db
);

/// A monitoring rule set is published, but it is no matter one applies for: the e-service
/// neither offers it nor files it (404, nothing written).
async fn a_monitoring_rule_set_cannot_be_applied_for(db: &TestDb) {
    let s = site(db);
    let monitoring = "fi.monitoring.residence-permit.employed";
    assert!(s.state.rules.today().get(monitoring).is_some());
    let me = s.sign_in(&person_id(1)).await;
    let cookies = format!("{me}; polku_lang=en");
    let choose = s.call("GET", "/my/apply", &cookies, None).await;
    assert_eq!(choose.status, StatusCode::OK);
    assert!(choose.body.contains(EXTENSION), "{}", choose.body);
    assert!(!choose.body.contains("fi.monitoring."), "{}", choose.body);
    let form = s
        .call("GET", &format!("/my/apply/{monitoring}"), &cookies, None)
        .await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    let extension = s
        .call("GET", &format!("/my/apply/{EXTENSION}"), &cookies, None)
        .await;
    let csrf = form_csrf(&extension.body);
    let filed = s
        .call(
            "POST",
            &format!("/my/apply/{monitoring}"),
            &cookies,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(filed.status, StatusCode::NOT_FOUND);
    assert_eq!(s.state.store.case_count().await.unwrap(), 0);
}
polku_cases::on_every_database!(
    monitoring_not_filed,
    a_monitoring_rule_set_cannot_be_applied_for,
    with_db
);

trait ContainsAll {
    fn body_contains_all(&self, needles: &[&str]) -> bool;
}

impl ContainsAll for String {
    fn body_contains_all(&self, needles: &[&str]) -> bool {
        needles.iter().all(|n| self.contains(n))
    }
}

/// A security authority's flag and a pending investigation are the officials' to read:
/// the applicant's case page says only that those conditions were checked.
async fn the_applicants_page_never_shows_what_the_law_withholds(db: &TestDb) {
    let s = site(db);
    let person = person_id(3);
    let flagged = serde_json::json!({"evidence": {
        "security": {"source": "Supo", "open_flag": true},
        "criminal_records": {"pending_investigation": true},
    }});
    let id = filed_and_evaluated(&s, &person, flagged).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Referred
    );
    let me = s.sign_in(&person).await;
    for lang in ["fi", "sv", "en"] {
        let page = s
            .call(
                "GET",
                &format!("/my/cases/{id}"),
                &format!("{me}; polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for secret in [
            "Open security flag",
            "Avoin turvallisuusmerkintä",
            "Öppen säkerhetsmarkering",
            "pending investigation",
            "vireillä oleva",
            "pågående förundersökning",
            "Supo",
            "status-not_met",
        ] {
            assert!(
                !page.body.contains(secret),
                "{lang}: {secret} reached the applicant"
            );
        }
        assert!(
            page.body.contains("status-withheld"),
            "{lang}: {}",
            page.body
        );
    }
    // The handler's page keeps the full finding.
    let handler = official(&s, "hanna", Role::CaseHandler).await;
    let work = s
        .call(
            "GET",
            &format!("/work/cases/{id}"),
            &format!("{handler}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        work.body.contains("Open security flag: yes"),
        "{}",
        work.body
    );
}
polku_cases::on_every_database!(
    withheld_on_pages,
    the_applicants_page_never_shows_what_the_law_withholds,
    with_db
);

/// The review step: without the declaration nothing is filed; the same form sent twice
/// files once; a second application for a matter already pending is refused with a link
/// to the pending one.
async fn an_application_is_declared_and_filed_once(db: &TestDb) {
    let s = site(db);
    let pop = population();
    let p = pop
        .persons
        .iter()
        .find(|p| {
            p.matter == polku_simulators::population::Matter::EmployedExtension
                && pop.application(p)["application"]["employment"]["employer_id"].is_string()
        })
        .unwrap();
    let matter = "fi.residence-permit.employed.extension";
    let me = s.sign_in(&person_id(p.index)).await;
    let form = s
        .call("GET", &format!("/my/apply/{matter}"), &me, None)
        .await;
    let csrf = form_csrf(&form.body);
    let typed = pop.application(p);
    let e = &typed["application"]["employment"];
    let answers = format!(
        "csrf={csrf}&application.employment.employer_id={}&application.employment.occupational_field={}",
        e["employer_id"].as_str().unwrap(),
        e["occupational_field"].as_str().unwrap(),
    );
    let uri = format!("/my/apply/{matter}");
    let en = format!("{me}; polku_lang=en");
    let review = s.call("POST", &uri, &en, Some(&answers)).await;
    let key = review
        .body
        .split("name=\"key\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let before = s.state.store.case_count().await.unwrap();
    let undeclared = s
        .call(
            "POST",
            &uri,
            &en,
            Some(&format!("{answers}&action=send&key={key}")),
        )
        .await;
    assert_eq!(undeclared.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        undeclared
            .body
            .contains("Confirm that the information you gave is correct")
    );
    assert_eq!(s.state.store.case_count().await.unwrap(), before);
    let send = format!("{answers}&action=send&declaration=yes&key={key}");
    let first = s.call("POST", &uri, &en, Some(&send)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let case = first.location.unwrap();
    // The same form again (a second click): no second case, and the way to the first.
    let again = s.call("POST", &uri, &en, Some(&send)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .body
            .contains("You already have this application pending")
    );
    assert!(
        again.body.contains(&format!("href=\"{case}\"")),
        "{}",
        again.body
    );
    assert_eq!(s.state.store.case_count().await.unwrap(), before + 1);
    // "Change your answers" brings the form back filled.
    let edit = s
        .call("POST", &uri, &en, Some(&format!("{answers}&action=edit")))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.body
            .contains(&format!("value=\"{}\"", e["employer_id"].as_str().unwrap()))
    );
}
polku_cases::on_every_database!(
    declared_once,
    an_application_is_declared_and_filed_once,
    with_db
);

/// Before sending, the applicant sees what the registers hold and how each condition looks;
/// nothing is filed, the registers' disclosures say it was a preview, and the reading is
/// in the use log.
async fn an_applicant_previews_what_the_registers_hold(db: &TestDb) {
    use polku_registers::RegisterEvidence;
    use polku_simulators::population::Matter;
    use polku_simulators::{Behaviour, Simulator};
    let s = site(db);
    let pop = population();
    let mut state = s.state.clone();
    state.preview = Some(std::sync::Arc::new(RegisterEvidence::new(
        Simulator::new(pop.clone(), Behaviour::default()),
        s.state.audit(),
        &s.state.rules,
    )));
    let app = polku_web::router(state);
    let s = crate::support::Site {
        app,
        state: s.state,
    };
    let p = pop
        .persons
        .iter()
        .find(|p| {
            p.matter == Matter::EmployedExtension
                && pop.application(p)["application"]["employment"]["employer_id"].is_string()
        })
        .unwrap();
    let matter = "fi.residence-permit.employed.extension";
    let me = s.sign_in(&person_id(p.index)).await;
    let form = s
        .call("GET", &format!("/my/apply/{matter}"), &me, None)
        .await;
    let csrf = form_csrf(&form.body);
    let typed = pop.application(p);
    let e = &typed["application"]["employment"];
    let answers = format!(
        "csrf={csrf}&application.employment.employer_id={}&application.employment.occupational_field={}",
        e["employer_id"].as_str().unwrap(),
        e["occupational_field"].as_str().unwrap(),
    );
    let uri = format!("/my/apply/{matter}");
    let en = format!("{me}; polku_lang=en");
    let review = s.call("POST", &uri, &en, Some(&answers)).await;
    assert!(
        review.body.contains("See what the registers hold"),
        "offered"
    );
    let before = s.state.store.case_count().await.unwrap();
    let shown = s
        .call(
            "POST",
            &uri,
            &en,
            Some(&format!("{answers}&action=preview")),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("What the registers hold now"));
    assert!(shown.body.contains("This is not a decision"));
    assert!(
        shown.body.contains("Incomes Register"),
        "where each value came from"
    );
    assert!(
        shown.body.contains("the conditions shown look met now")
            || shown.body.contains("not every condition is met now")
            || shown.body.contains("could not be established"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("I declare that the information"),
        "still to send"
    );
    assert_eq!(
        s.state.store.case_count().await.unwrap(),
        before,
        "nothing filed"
    );
    let logged = s
        .state
        .audit()
        .search(&polku_audit::AuditQuery {
            person: Some(person_id(p.index)),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(logged.iter().any(|r| r.log == polku_audit::AuditLog::Access
        && r.purpose == "eligibility preview at the person's own request (e-service)"));
    let disclosures: Vec<_> = logged
        .iter()
        .filter(|r| r.log == polku_audit::AuditLog::Disclosure)
        .collect();
    assert!(!disclosures.is_empty());
    assert!(
        disclosures.iter().all(|r| r
            .purpose
            .starts_with("eligibility preview at the person's own request")),
        "{disclosures:?}"
    );
}
polku_cases::on_every_database!(
    preview,
    an_applicant_previews_what_the_registers_hold,
    with_db
);

/// A security authority's open flag is never told by the preview: the page of a flagged
/// person reads exactly as that of one without a flag.
async fn a_preview_never_tells_what_the_law_withholds(db: &TestDb) {
    let example = polku_cases::testing::walkthrough_application();
    let mut bodies = Vec::new();
    for flag in [false, true] {
        let s = site(db);
        let mut facts = example.clone();
        facts.as_object_mut().unwrap().remove("application");
        facts["evidence"]["security"]["open_flag"] = serde_json::Value::Bool(flag);
        let mut state = s.state.clone();
        state.preview = Some(std::sync::Arc::new(polku_cases::testing::FixedRegisters {
            facts,
        }));
        let s = crate::support::Site {
            app: polku_web::router(state),
            state: s.state,
        };
        let me = s.sign_in(&person_id(if flag { 11 } else { 12 })).await;
        let matter = "fi.residence-permit.employed.extension";
        let form = s
            .call("GET", &format!("/my/apply/{matter}"), &me, None)
            .await;
        let csrf = form_csrf(&form.body);
        let e = &example["application"]["employment"];
        let answers = format!(
            "csrf={csrf}&application.employment.employer_id={}&application.employment.occupational_field={}&action=preview",
            e["employer_id"].as_str().unwrap(),
            e["occupational_field"].as_str().unwrap(),
        );
        let shown = s
            .call(
                "POST",
                &format!("/my/apply/{matter}"),
                &format!("{me}; polku_lang=en"),
                Some(&answers),
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let start = shown.body.find("What the registers hold now").unwrap();
        let end = start + shown.body[start..].find("</section>").unwrap();
        bodies.push(shown.body[start..end].to_owned());
    }
    assert!(
        bodies[0].contains("the conditions shown look met now"),
        "{}",
        bodies[0]
    );
    assert_eq!(bodies[0], bodies[1], "the flag shows through");
}
polku_cases::on_every_database!(
    preview_withholds,
    a_preview_never_tells_what_the_law_withholds,
    with_db
);

/// The form tells how long such applications take now, from the live figures (or that too
/// few have been decided to tell), and the last day the law allows.
async fn the_form_tells_the_expected_processing_time(db: &TestDb) {
    let s = site(db);
    let me = s.sign_in(&person_id(1)).await;
    let uri = "/my/apply/fi.residence-permit.employed.extension";
    let en = format!("{me}; polku_lang=en");
    let few = s.call("GET", uri, &en, None).await;
    assert!(
        few.body.contains("How long processing takes"),
        "{}",
        few.body
    );
    assert!(few.body.contains("cannot be estimated yet"));
    for i in 0..10 {
        crate::support::decided_case(&s, &person_id(100 + i)).await;
    }
    let told = s.call("GET", uri, &en, None).await;
    assert!(
        told.body.contains(
            "In the last 90 days 10 such applications were decided: half within 10 minutes and nine in ten within 10 minutes of being filed."
        ),
        "{}",
        told.body
    );
    let fi = s
        .call("GET", uri, &format!("{me}; polku_lang=fi"), None)
        .await;
    assert!(
        fi.body.contains("ratkaistiin 10 tällaista hakemusta"),
        "{}",
        fi.body
    );
}
polku_cases::on_every_database!(
    expected_time,
    the_form_tells_the_expected_processing_time,
    with_db
);
