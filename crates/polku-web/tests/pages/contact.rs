//! How an applicant chooses to be told, and what they and the handler see of the
//! notifications sent: a wrong choice is shown again with what to fix and nothing kept; a
//! right one is kept and used; the sending log is in words in each language.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_notify::{
    Channel, ContactPreference, EmailAddress, Mailer, Notifier, Outgoing, SendFuture,
};
use polku_rules::Lang;
use polku_simulators::population::person_id;

use crate::monitoring::visible_text;
use crate::support::{decided_case, form_csrf, official, site};

#[derive(Default)]
struct Outbox(Mutex<Vec<(String, Outgoing)>>);

impl Mailer for Outbox {
    fn send<'a>(&'a self, to: &'a EmailAddress, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            self.0
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), m.clone()));
            Ok("sent".to_owned())
        })
    }
}

async fn an_applicant_chooses_how_to_be_told(db: &TestDb) {
    let s = site(db);
    let person = person_id(8);
    let me = s.sign_in(&person).await;
    let en = format!("{me}; polku_lang=en");
    let page = s.call("GET", "/my/contact", &en, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("How would you like to be notified?"));
    assert!(
        page.body
            .contains("No notifications have been sent to you yet.")
    );
    // Nobody has chosen yet: the messages service, in the page's language.
    assert!(page.body.contains(r#"value="messages" checked"#));
    assert!(page.body.contains(r#"value="en" checked"#));
    let csrf = form_csrf(&page.body);

    for (email, says) in [
        ("", "Write the email address the notifications are sent to"),
        ("aino@localhost", "Write it as name@example.fi"),
        (
            "aino@example.fi%0D%0ABcc:x@example.fi",
            "Write it as name@example.fi",
        ),
    ] {
        let r = s
            .call(
                "POST",
                "/my/contact",
                &en,
                Some(&format!(
                    "csrf={csrf}&channel=email&email={email}&language=sv"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(r.body.contains(says), "{email}: {}", r.body);
        assert!(r.body.contains(r#"aria-invalid="true""#));
        assert!(
            r.body.contains(r##"href="#email""##),
            "the summary links the field"
        );
        assert_eq!(
            s.state.notifier.preference(&person).await.unwrap(),
            None,
            "nothing kept"
        );
    }
    let unknown = s
        .call(
            "POST",
            "/my/contact",
            &en,
            Some(&format!("csrf={csrf}&channel=sms&email=&language=xx")),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .body
            .contains("Choose how you would like to be notified.")
    );
    assert!(
        unknown
            .body
            .contains("Choose the language of the notifications.")
    );
    let forged = s
        .call(
            "POST",
            "/my/contact",
            &en,
            Some("csrf=forged&channel=service&email=&language=fi"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let saved = s
        .call(
            "POST",
            "/my/contact",
            &en,
            Some(&format!(
                "csrf={csrf}&channel=email&email=aino%40example.fi&language=sv"
            )),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        s.state.notifier.preference(&person).await.unwrap(),
        Some(ContactPreference::new(Channel::Email, "aino@example.fi", Lang::Sv).unwrap())
    );
    let sv = s
        .call(
            "GET",
            saved.location.as_deref().unwrap(),
            &format!("{me}; polku_lang=sv"),
            None,
        )
        .await;
    assert!(sv.body.contains("Ditt val har sparats."));
    assert!(sv.body.contains(r#"value="email" checked"#));
    assert!(sv.body.contains(r#"value="aino@example.fi""#));
    assert!(sv.body.contains(r#"value="sv" checked"#));
}
polku_cases::on_every_database!(choosing, an_applicant_chooses_how_to_be_told, with_db);

async fn the_sending_log_is_in_words_for_the_applicant_and_the_handler(db: &TestDb) {
    let s = site(db);
    let person = person_id(9);
    let outbox = Arc::new(Outbox::default());
    let notifier = Notifier::new(
        s.state.store.clone(),
        s.state.rules.clone(),
        "https://polku.example",
    )
    .with_mailer(outbox.clone());
    notifier
        .set_preference(
            &person,
            &ContactPreference::new(Channel::Email, "aino@example.fi", Lang::Fi).unwrap(),
        )
        .await
        .unwrap();
    let case = decided_case(&s, &person).await;
    assert!(
        s.state
            .store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    notifier.follow_events().await.unwrap();
    assert_eq!(notifier.deliver_due().await.unwrap().sent, 1);
    assert_eq!(outbox.0.lock().unwrap()[0].0, "aino@example.fi");

    let me = s.sign_in(&person).await;
    let fi = s
        .call("GET", "/my/contact", &format!("{me}; polku_lang=fi"), None)
        .await;
    let text = visible_text(&fi.body);
    assert!(text.contains("Päätös tehty"), "{text}");
    assert!(text.contains("Lähetetty sähköpostiin aino@example.fi"));
    assert!(fi.body.contains(&format!("/my/cases/{case}")));

    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let work = s
        .call(
            "GET",
            &format!("/work/cases/{case}"),
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    let text = visible_text(&work.body);
    assert!(
        text.contains("Notifications sent to the applicant"),
        "{text}"
    );
    assert!(
        text.contains("Decision made. Sent by email to aino@example.fi"),
        "{text}"
    );

    // Another person sees none of it.
    let other = s.sign_in(&person_id(10)).await;
    let theirs = s
        .call(
            "GET",
            "/my/contact",
            &format!("{other}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        theirs
            .body
            .contains("No notifications have been sent to you yet.")
    );
    assert!(!theirs.body.contains("aino@example.fi"));
}
polku_cases::on_every_database!(
    sending_log,
    the_sending_log_is_in_words_for_the_applicant_and_the_handler,
    with_db
);

async fn only_an_applicant_has_a_contact_page(db: &TestDb) {
    let s = site(db);
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let r = s.call("GET", "/my/contact", &hanna, None).await;
    assert_ne!(r.status, StatusCode::OK);
    let anonymous = s.call("GET", "/my/contact", "", None).await;
    assert_ne!(anonymous.status, StatusCode::OK);
}
polku_cases::on_every_database!(
    applicants_only,
    only_an_applicant_has_a_contact_page,
    with_db
);
