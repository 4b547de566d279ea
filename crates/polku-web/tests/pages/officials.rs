//! The officials' side: password sign-in and its limits after repeated failures, and the
//! case handler's workbench — the queue, a case's findings, claiming and deciding.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_cases::{Actor, CaseState};
use polku_simulators::population::person_id;

use crate::support::{Reply, form_csrf, official, referred_case, sign_in_from, site};

async fn a_handler_decides_a_referred_case_from_the_workbench(db: &TestDb) {
    let s = site(db);
    let case = referred_case(&s, &person_id(5)).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;

    let queue = s
        .call(
            "GET",
            "/work?due=2025-09-01",
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains(&case.to_string()));
    assert!(queue.body.contains("Not met: "), "{}", queue.body);
    assert!(!queue.body.contains("not_met"), "no code reaches the queue");
    assert!(
        queue.body.contains("Nothing about the person"),
        "the order is stated"
    );
    let none_due = s.call("GET", "/work?due=2025-08-31", &hanna, None).await;
    assert!(!none_due.body.contains(&case.to_string()));

    let uri = format!("/work/cases/{case}");
    let page = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=en"), None)
        .await;
    assert!(page.body.contains("not met"), "the finding");
    assert!(
        page.body.contains("Incomes Register"),
        "the evidence's source"
    );
    assert!(page.body.contains("Take this case"));
    assert!(page.body.contains(&person_id(5)), "whom the case is about");
    assert!(page.body.contains("Go to taking the case"));
    let csrf = form_csrf(&page.body);
    // Deciding before claiming is refused; claiming needs the token.
    let forged = s
        .call("POST", &format!("{uri}/claim"), &hanna, Some("csrf=nope"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
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
    assert!(page.body.contains("You are handling this case."));
    let suggested = page
        .body
        .split("aria-describedby=\"reasons-hint\" required>")
        .nth(1)
        .and_then(|t| t.split("</textarea>").next())
        .unwrap_or_default();
    assert!(
        suggested.starts_with("Not met: ") && suggested.contains("Aliens Act"),
        "the suggested reasons say what is not met and cite the law: {suggested}"
    );
    assert!(page.body.contains("Go to the decision form"));
    let decided = s
        .call(
            "POST",
            &format!("{uri}/decision"),
            &hanna,
            Some(&format!(
                "csrf={csrf}&outcome=refuse&reasons=The+pay+is+below+the+collective+agreement."
            )),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Decided
    );
    let last = s.state.store.decisions(case).await.unwrap().pop().unwrap();
    assert_eq!((last.outcome.code(), last.automated), ("refuse", false));

    // An applicant cannot reach the workbench; a handler cannot reach the e-service.
    let applicant = s.sign_in(&person_id(5)).await;
    let refused = s.call("GET", "/work", &applicant, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = s.call("GET", &uri, &applicant, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = s.call("GET", "/work", "", None).await;
    assert_eq!(anonymous.location.as_deref(), Some("/sign-in"));
    for lang in ["fi", "sv"] {
        let page = s
            .call("GET", &uri, &format!("{hanna}; polku_lang={lang}"), None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
    }
}
polku_cases::on_every_database!(
    workbench,
    a_handler_decides_a_referred_case_from_the_workbench,
    with_db
);

/// The queue a page at a time with its total, filtered by state and searched by person,
/// each page's persons in the use log; a state that does not wait for a person is a 422.
async fn the_queue_counts_filters_and_finds(db: &TestDb) {
    let s = site(db);
    let mut cases = Vec::new();
    for n in [5, 6, 7] {
        cases.push(referred_case(&s, &person_id(n)).await);
    }
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let en = format!("{hanna}; polku_lang=en");
    let all = s.call("GET", "/work", &en, None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("Cases 1–3 of 3"), "{}", all.body);
    assert!(all.body.contains(&person_id(6)));
    let fi = s
        .call("GET", "/work", &format!("{hanna}; polku_lang=fi"), None)
        .await;
    assert!(fi.body.contains("Asiat 1–3, yhteensä 3"), "{}", fi.body);
    let found = s
        .call("GET", &format!("/work?find={}", person_id(6)), &en, None)
        .await;
    assert!(found.body.contains("Cases 1–1 of 1"), "{}", found.body);
    assert!(found.body.contains(&cases[1].to_string()));
    assert!(!found.body.contains(&cases[0].to_string()));
    let by_case = s
        .call("GET", &format!("/work?find={}", cases[2]), &en, None)
        .await;
    assert!(by_case.body.contains("Cases 1–1 of 1"), "{}", by_case.body);
    let none = s
        .call("GET", "/work?state=rectification_requested", &en, None)
        .await;
    assert!(none.body.contains("No cases are waiting."), "{}", none.body);
    let beyond = s.call("GET", "/work?page=2", &en, None).await;
    assert!(
        beyond.body.contains("Only 3 cases match"),
        "{}",
        beyond.body
    );
    for bad in [
        "/work?state=decided",
        "/work?page=0",
        "/work?filed=yesterday",
    ] {
        assert_eq!(
            s.call("GET", bad, &en, None).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    let listed = s
        .state
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Access),
            person: None,
            actor: None,
            limit: 1000,
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.purpose == "cases waiting for a person listed for handling")
        .count();
    assert_eq!(listed, 4, "every page that named persons, and no other");
}
polku_cases::on_every_database!(queue, the_queue_counts_filters_and_finds, with_db);

async fn repeated_failed_sign_ins_must_wait_and_are_audited(db: &TestDb) {
    let s = site(db);
    let hanna = s
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
    let right = "a long enough password";
    s.state
        .access()
        .set_password(hanna, "hanna", right)
        .await
        .unwrap();
    let signed_in = |r: &Reply| r.cookies.iter().any(|c| c.starts_with("polku_session="));
    let retry_after = |r: &Reply| {
        r.headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned())
    };

    // One address guessing five usernames' passwords must wait, whoever it tries next…
    for n in 0..5 {
        let r = sign_in_from(&s, "192.0.2.1", &format!("user{n}"), "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&s, "192.0.2.1", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(retry_after(&r).as_deref(), Some("1"));
    assert!(!signed_in(&r));
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    // …while another address signs in.
    let r = sign_in_from(&s, "192.0.2.2", "hanna", right).await;
    assert_eq!(r.location.as_deref(), Some("/work"), "{}", r.body);

    // Five wrong passwords for one username, from five addresses: the username waits
    // 1 s, then twice as long after each further failure — the right password too.
    for n in 0..5 {
        let r = sign_in_from(&s, &format!("198.51.100.{n}"), "hanna", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&s, "198.51.100.10", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r).as_deref(), Some("1"));
    assert!(!signed_in(&r));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = sign_in_from(&s, "198.51.100.11", "hanna", "guess").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = sign_in_from(&s, "198.51.100.12", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r).as_deref(), Some("2"));
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = sign_in_from(&s, "198.51.100.13", "hanna", right).await;
    assert_eq!(r.location.as_deref(), Some("/work"), "{}", r.body);
    assert!(signed_in(&r));
    // The success forgets the username's failures: four more are only four.
    for n in 20..24 {
        let r = sign_in_from(&s, &format!("198.51.100.{n}"), "hanna", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    // The fifth failure from the address and the fifth for the username are in the
    // audit chain; none of the others.
    let rows = s
        .state
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Access),
            person: None,
            actor: None,
            limit: 100,
        })
        .await
        .unwrap();
    let repeated: Vec<_> = rows
        .iter()
        .filter(|r| r.purpose == "repeated failed sign-in")
        .collect();
    assert_eq!(repeated.len(), 2, "{rows:?}");
    assert_eq!(repeated[1].actor, Actor::Client("192.0.2.1".into()));
    assert!(repeated[1].detail.contains("\"user4\""));
    assert_eq!(repeated[0].actor, Actor::Client("198.51.100.4".into()));
    assert!(repeated[0].detail.contains("\"hanna\""));
    assert!(
        s.state
            .audit()
            .verify()
            .await
            .unwrap()
            .first_break
            .is_none()
    );
}
polku_cases::on_every_database!(
    sign_in_limits,
    repeated_failed_sign_ins_must_wait_and_are_audited,
    with_db
);

/// What the log writer was given.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A username with a line break cannot forge a line of the log: it is logged escaped.
#[tokio::test]
async fn a_sign_in_cannot_forge_a_log_line() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    // Tests on other threads may have met these log lines' callsites while this thread
    // had no subscriber, and cached that nobody listens; ask again now that one does
    // (the whole run lost "a sign-in failed" that way now and then).
    tracing::callsite::rebuild_interest_cache();
    let db = TestDb::sqlite().await;
    let s = site(&db);
    let forged = "nobody\n2026-01-01T00:00:00.000000Z  INFO polku: administrator signed in";
    for _ in 0..6 {
        // Again before each attempt: a test on another thread may have been registering
        // a callsite of these lines while this subscriber was installed.
        tracing::callsite::rebuild_interest_cache();
        let r = sign_in_from(
            &s,
            "192.0.2.1",
            &forged.replace(' ', "+").replace('\n', "%0A"),
            "guess",
        )
        .await;
        assert!(r.status.is_client_error());
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("a sign-in failed"), "{log}");
    assert!(log.contains("a sign-in must wait"), "{log}");
    assert!(
        log.contains("nobody\\n2026-01-01T00:00:00.000000Z"),
        "the line break is escaped: {log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("2026-01-01")),
        "a forged line: {log}"
    );
    db.finish().await;
}
