//! Answering the authority: the applicant reads a request in plain words (what, why, by
//! when, whom to ask) and answers it with text and attachments checked by their content;
//! the handler asks for evidence or hears the applicant before a refusal, and reads the
//! answer; every attachment read is in the use log; an applicant withdraws an application.

use axum::http::{StatusCode, header};
use polku_access::Role;
use polku_cases::CaseState;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::support::{Site, filed_and_evaluated, form_csrf, official, referred_case, site};

const PDF: &str = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// A case the machine asks evidence for: the pay is unknown.
async fn evidence_case(s: &Site, person: &str) -> uuid::Uuid {
    let id = filed_and_evaluated(
        s,
        person,
        serde_json::json!({"evidence": {"incomes": null}}),
    )
    .await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    id
}

/// The use log's lines with `purpose`.
async fn reads_with(s: &Site, purpose: &str) -> usize {
    s.state
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Access),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|r| r.purpose == purpose)
        .count()
}

/// The first attachment link on a page.
fn attachment_link(html: &str) -> String {
    let at = html.find("/attachments/").expect("an attachment link");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let end = at + html[at..].find('"').unwrap();
    html[start..end].to_owned()
}

async fn an_applicant_answers_the_machines_request_with_a_file(db: &TestDb) {
    let s = site(db);
    let me_person = person_id(3);
    let case = evidence_case(&s, &me_person).await;
    let me = s.sign_in(&me_person).await;
    let uri = format!("/my/cases/{case}");
    let page = s
        .call("GET", &uri, &format!("{me}; polku_lang=fi"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for words in [
        "Lisäselvityspyyntö",
        "Vastaa viimeistään",
        "Maahanmuuttoviraston asiakaspalvelu",
        "Liitteet (valinnainen)",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let due = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(14))
        .unwrap();
    let due_fi = format!("{}.{}.{}", due.day(), due.month(), due.year());
    assert!(
        page.body.contains(&due_fi),
        "the deadline in Finnish: {due_fi}"
    );
    if let Some(at) = page.body.find("evidence.incomes") {
        panic!(
            "a field path: {}",
            &page.body[at.saturating_sub(300)..at + 100]
        );
    }
    let request = s.state.store.requests(case).await.unwrap()[0].id;
    let csrf = form_csrf(&page.body);
    let action = format!("/my/cases/{case}/requests/{request}/answer");

    // A forged token, a file that is not what its name says, and an empty answer write nothing.
    let forged = s
        .multipart(&action, &me, &[("csrf", "nope"), ("answer", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let html = "<html><script>alert(1)</script></html>";
    let disguised = s
        .multipart(
            &action,
            &format!("{me}; polku_lang=en"),
            &[
                ("csrf", &csrf),
                ("answer", "see file"),
                ("files@contract.pdf", html),
            ],
        )
        .await;
    assert_eq!(disguised.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        disguised
            .body
            .contains("contract.pdf is not a PDF, JPEG or PNG file"),
        "{}",
        disguised.body
    );
    assert!(
        disguised
            .body
            .contains(&format!("href=\"/my/cases/{case}\"")),
        "a way back"
    );
    let empty = s
        .multipart(&action, &me, &[("csrf", &csrf), ("answer", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::EvidenceRequested
    );

    let sent = s
        .multipart(
            &action,
            &me,
            &[
                ("csrf", &csrf),
                ("answer", "Palkkatodistus liitteenä."),
                ("files@palkka.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Referred
    );
    let page = s
        .call("GET", &uri, &format!("{me}; polku_lang=fi"), None)
        .await;
    assert!(page.body.contains("Vastauksesi"));
    assert!(page.body.contains("palkka.pdf"));
    assert!(page.body.contains("PDF, 1 kB"), "{}", page.body);
    assert!(
        !page.body.contains("<textarea id=\"answer-"),
        "answered: no form"
    );

    // The applicant reads their file back; no one else does.
    let link = attachment_link(&page.body);
    let file = s.call("GET", &link, &me, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, PDF);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let other = s.sign_in(&person_id(4)).await;
    assert_eq!(
        s.call("GET", &link, &other, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reads_with(
            &s,
            "the applicant reads an attachment of their own case (e-service)"
        )
        .await,
        1
    );

    // The handler finds it among the answered cases, reads the answer and opens the file.
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let queue = s
        .call(
            "GET",
            "/work?state=answered",
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    assert!(queue.body.contains(&case.to_string()), "{}", queue.body);
    assert!(
        queue
            .body
            .contains("The applicant has answered the request")
    );
    let work = s
        .call(
            "GET",
            &format!("/work/cases/{case}"),
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        work.body.contains("The applicant&#39;s answer")
            || work.body.contains("The applicant&#x27;s answer"),
        "{}",
        work.body
    );
    assert!(work.body.contains("Palkkatodistus liitteenä."));
    let link = attachment_link(&work.body);
    assert!(link.starts_with(&format!("/work/cases/{case}/attachments/")));
    let file = s.call("GET", &link, &hanna, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, PDF);
    // An applicant cannot use the handlers' address.
    assert_ne!(s.call("GET", &link, &me, None).await.status, StatusCode::OK);
}
polku_cases::on_every_database!(
    applicant_answers,
    an_applicant_answers_the_machines_request_with_a_file,
    with_db
);

async fn a_handler_hears_the_applicant_before_refusing(db: &TestDb) {
    let s = site(db);
    let person = person_id(5);
    let case = referred_case(&s, &person).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let uri = format!("/work/cases/{case}");
    let page = s.call("GET", &uri, &hanna, None).await;
    let csrf = form_csrf(&page.body);
    let claimed = s
        .call(
            "POST",
            &format!("{uri}/claim"),
            &hanna,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    let page = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=en"), None)
        .await;
    assert!(page.body.contains("Hear the applicant before a refusal"));
    assert!(page.body.contains("Ask the applicant for more information"));
    let ask = |days: &str| {
        format!("csrf={csrf}&kind=hearing&what=Palkka+alittaa+v%C3%A4himm%C3%A4isen.&days={days}")
    };
    let short = s
        .call("POST", &format!("{uri}/requests"), &hanna, Some(&ask("3")))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = s
        .call("POST", &format!("{uri}/requests"), &hanna, Some(&ask("14")))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Hearing
    );

    // The applicant reads the draft grounds in Swedish, with the handler as the contact.
    let me = s.sign_in(&person).await;
    let mine = s
        .call(
            "GET",
            &format!("/my/cases/{case}"),
            &format!("{me}; polku_lang=sv"),
            None,
        )
        .await;
    assert!(mine.body.contains("Hörande före beslut"), "{}", mine.body);
    assert!(mine.body.contains("Palkka alittaa vähimmäisen."));
    assert!(
        mine.body.contains("hanna, Maahanmuuttovirasto"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("Handläggaren avser att avslå"));
    let request = s.state.store.requests(case).await.unwrap()[0].id;
    let answered = s
        .multipart(
            &format!("/my/cases/{case}/requests/{request}/answer"),
            &me,
            &[
                ("csrf", &form_csrf(&mine.body)),
                ("answer", "Uusi sopimus nostaa palkkaa."),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Referred
    );
    let page = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=fi"), None)
        .await;
    assert!(page.body.contains("Hakijan vastaus"));
    assert!(page.body.contains("Uusi sopimus nostaa palkkaa."));
    assert!(
        page.body.contains("Käsittelet tätä asiaa."),
        "still hers: {}",
        page.body
    );

    // Hanna refuses; the applicant reads a decision: who, when, the hearing, the appeal.
    let refused = s
        .call(
            "POST",
            &format!("{uri}/decision"),
            &hanna,
            Some(&format!(
                "csrf={csrf}&outcome=refuse&reasons=Palkka+alittaa+v%C3%A4himm%C3%A4isen."
            )),
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let decided = s
        .call(
            "GET",
            &format!("/my/cases/{case}"),
            &format!("{me}; polku_lang=en"),
            None,
        )
        .await;
    let body = decided.body.replace("&#39;", "'").replace("&#x27;", "'");
    for words in [
        "Decision: refused",
        "hanna, case handler, Maahanmuuttovirasto",
        "You were heard before the decision",
        "appeal against the decision to an administrative court within 30 days",
        "Aliens Act section 190",
        "Palkka alittaa vähimmäisen.",
        "Polku's check before the case handler's decision",
    ] {
        assert!(body.contains(words), "{words}: {body}");
    }
    assert!(!body.contains("proposal for a case handler"));
    assert!(
        !body.contains("residence permit card"),
        "no card on a refusal"
    );
}
polku_cases::on_every_database!(
    hearing,
    a_handler_hears_the_applicant_before_refusing,
    with_db
);

async fn an_applicant_withdraws_an_open_application_once_confirmed(db: &TestDb) {
    let s = site(db);
    let person = person_id(6);
    let case = referred_case(&s, &person).await;
    let me = s.sign_in(&person).await;
    let uri = format!("/my/cases/{case}");
    let page = s
        .call("GET", &uri, &format!("{me}; polku_lang=en"), None)
        .await;
    assert!(page.body.contains("Withdraw the application"));
    let csrf = form_csrf(&page.body);
    let unconfirmed = s
        .call(
            "POST",
            &format!("{uri}/withdrawal"),
            &me,
            Some(&format!("csrf={csrf}&reason=")),
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Referred
    );
    let other = s.sign_in(&person_id(7)).await;
    let theirs = s
        .call(
            "POST",
            &format!("{uri}/withdrawal"),
            &other,
            Some(&format!(
                "csrf={}&confirm=yes",
                form_csrf(&s.call("GET", "/my/cases", &other, None).await.body)
            )),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let done = s
        .call(
            "POST",
            &format!("{uri}/withdrawal"),
            &me,
            Some(&format!("csrf={csrf}&reason=Moving+abroad&confirm=yes")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Withdrawn
    );
    let page = s
        .call(
            "GET",
            done.location.as_deref().unwrap(),
            &format!("{me}; polku_lang=en"),
            None,
        )
        .await;
    assert!(page.body.contains("Your application has been withdrawn."));
    assert!(
        !page.body.contains("Withdraw the application"),
        "no second time"
    );
}
polku_cases::on_every_database!(
    withdrawal,
    an_applicant_withdraws_an_open_application_once_confirmed,
    with_db
);

/// A person of the test population whose name's native form has a letter in `range`.
fn person_writing(range: std::ops::RangeInclusive<char>) -> String {
    let pop = crate::support::population();
    let p = pop
        .persons
        .iter()
        .find(|p| {
            polku_simulators::simulator::registered_name(
                &pop,
                p,
                polku_registers::System::Population,
            )
            .native
            .is_some_and(|n| n.chars().any(|c| range.contains(&c)))
        })
        .expect("such a person in the population");
    person_id(p.index)
}

async fn the_decision_downloads_as_a_tagged_pdf_with_the_name_in_its_script(db: &TestDb) {
    if !crate::support::pdf_fonts_installed() {
        return;
    }
    let s = site(db);
    for (range, font) in [
        ('\u{0600}'..='\u{06FF}', "NotoSansArabic"),
        ('\u{4E00}'..='\u{9FFF}', "NotoSansCJK"),
    ] {
        let person = person_writing(range);
        let case = crate::support::decided_case(&s, &person).await;
        let me = s.sign_in(&person).await;
        let page = s
            .call(
                "GET",
                &format!("/my/cases/{case}"),
                &format!("{me}; polku_lang=fi"),
                None,
            )
            .await;
        let href = format!("/my/cases/{case}/decision.pdf");
        assert!(page.body.contains(&href), "a link to the PDF");
        let pdf = s.call_bytes(&href, &format!("{me}; polku_lang=fi")).await;
        assert_eq!(pdf.0, StatusCode::OK);
        assert_eq!(pdf.1[header::CONTENT_TYPE], "application/pdf");
        let bytes = pdf.2;
        assert!(bytes.starts_with(b"%PDF-"));
        // Kept to look at, beside the browser journeys' screenshots.
        let out = crate::support::crate_dir().join("../../target/browser");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(format!("decision-{font}.pdf")), &bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/StructTreeRoot"), "tagged");
        assert!(text.contains("/Lang (fi)"), "in the reader's language");
        assert!(text.contains(font), "the name is set in {font}");
        // No one else's, and nothing for a case without a decision.
        let other = s.sign_in(&person_id(199)).await;
        assert_eq!(s.call_bytes(&href, &other).await.0, StatusCode::NOT_FOUND);
    }
    let person = person_id(8);
    let open = referred_case(&s, &person).await;
    let me = s.sign_in(&person).await;
    let none = s
        .call_bytes(&format!("/my/cases/{open}/decision.pdf"), &me)
        .await;
    assert_eq!(none.0, StatusCode::NOT_FOUND);
}
polku_cases::on_every_database!(
    decision_pdf,
    the_decision_downloads_as_a_tagged_pdf_with_the_name_in_its_script,
    with_db
);

/// The pages' typesetting lent to the API, as the binary does (`crates/polku/src/documents.rs`).
struct Typeset(polku_web::WebState);

impl polku_server::DecisionDocuments for Typeset {
    fn decision_pdf<'a>(
        &'a self,
        case: &'a polku_cases::Case,
        lang: polku_rules::Lang,
        for_applicant: bool,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Option<Vec<u8>>, polku_server::DocumentError>>
                + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            polku_web::decision_pdf_for(&self.0, case, lang, for_applicant)
                .await
                .map_err(|e| polku_server::DocumentError::Failed(format!("{e:?}")))
        })
    }
}

async fn the_api_serves_the_decision_pdf_to_those_who_may_read_the_case(db: &TestDb) {
    use tower::ServiceExt;
    if !crate::support::pdf_fonts_installed() {
        return;
    }
    let s = site(db);
    let person = person_id(3);
    let case = crate::support::decided_case(&s, &person).await;
    let mut api = polku_server::AppState::new(db.store.clone(), s.state.rules.clone(), None);
    let app = polku_server::api_router(api.clone());
    let get = |app: axum::Router, token: String, uri: String| async move {
        let res = app
            .oneshot(
                axum::http::Request::get(uri)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status();
        let kind = res.headers().get(header::CONTENT_TYPE).cloned();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, kind, body)
    };
    let access = s.state.access();
    let applicant = access
        .add_user("Applicant", Role::Applicant, None, Some(&person))
        .await
        .unwrap();
    let mine = access.create_token(applicant, "test").await.unwrap();
    let stranger = access
        .add_user("Other", Role::Applicant, None, Some(&person_id(4)))
        .await
        .unwrap();
    let theirs = access.create_token(stranger, "test").await.unwrap();
    let uri = format!("/api/v1/cases/{case}/decision.pdf?lang=sv");
    // Without typesetting the API says so.
    let (status, kind, _) = get(app, mine.clone(), uri.clone()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(kind.unwrap(), "application/problem+json");
    api.documents = Some(std::sync::Arc::new(Typeset(s.state.clone())));
    let app = polku_server::api_router(api);
    let (status, kind, body) = get(app.clone(), mine, uri.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind.unwrap(), "application/pdf");
    assert!(body.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&body).contains("/Lang (sv)"));
    let (status, _, _) = get(app.clone(), theirs, uri.clone()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another person's decision does not exist"
    );
    // An official who reads cases reads it too.
    let hanna = access
        .add_user(
            "hanna",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let official = access.create_token(hanna, "test").await.unwrap();
    let (status, _, _) = get(app, official, uri).await;
    assert_eq!(status, StatusCode::OK);
}
polku_cases::on_every_database!(
    api_decision_pdf,
    the_api_serves_the_decision_pdf_to_those_who_may_read_the_case,
    with_db
);
