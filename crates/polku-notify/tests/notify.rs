//! Being told, as a person meets it: a decision, a request for evidence and its nearing
//! deadline are each told once, through the channel and in the language the person chose;
//! a person who chose the e-service only is sent nothing; a channel that is down is tried
//! again and, in the end, given up with the reason in the sending log.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use polku_cases::testing::{EXTENSION, bundled_rules, walkthrough_application};
use polku_cases::{
    Actor, CaseState, Cases, LiveRules, NewApplication, Pipeline, SuppliedEvidence,
    today_in_finland,
};
use polku_notify::{
    Channel, ContactPreference, DeliveryReport, EmailAddress, MAX_ATTEMPTS, Mailer,
    MessagesService, NoticeKind, NotificationState, Notifier, Outgoing, SendError, SendFuture,
    SkipReason,
};
use polku_rules::Lang;
use serde_json::{Value, json};
use uuid::Uuid;

const PERSON: &str = "sim-0000013";

/// Emails "sent": to whom and what; fails with `failing` while it is set.
#[derive(Default)]
struct Outbox {
    sent: Mutex<Vec<(String, Outgoing)>>,
    failing: Mutex<Option<SendError>>,
}

impl Mailer for Outbox {
    fn send<'a>(&'a self, to: &'a EmailAddress, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            if let Some(e) = self.failing.lock().unwrap().clone() {
                return Err(e);
            }
            let mut sent = self.sent.lock().unwrap();
            sent.push((to.as_str().to_owned(), message.clone()));
            Ok(format!("mail-{}", sent.len()))
        })
    }
}

/// The messages service: the persons with a mailbox, and what was sent.
#[derive(Default)]
struct Mailboxes {
    open: HashSet<String>,
    sent: Mutex<Vec<Outgoing>>,
}

impl MessagesService for Mailboxes {
    fn send<'a>(&'a self, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            if !self.open.contains(&message.person) {
                return Err(SendError::NoMailbox);
            }
            let mut sent = self.sent.lock().unwrap();
            sent.push(message.clone());
            Ok(format!("msg-{}", sent.len()))
        })
    }
}

struct World {
    notifier: Notifier,
    outbox: Arc<Outbox>,
    mailboxes: Arc<Mailboxes>,
}

fn world(store: &Cases, with_mailbox: &[&str]) -> World {
    let outbox = Arc::new(Outbox::default());
    let mailboxes = Arc::new(Mailboxes {
        open: with_mailbox.iter().map(|p| (*p).to_owned()).collect(),
        ..Default::default()
    });
    let notifier = Notifier::new(
        store.clone(),
        LiveRules::from(bundled_rules()),
        "https://polku.example/",
    )
    .with_mailer(outbox.clone())
    .with_messages(mailboxes.clone());
    World {
        notifier,
        outbox,
        mailboxes,
    }
}

/// Files the walk-through's application for `person` with `patch` merged into it and lets
/// the pipeline work it; returns the case.
async fn filed(store: &Cases, person: &str, patch: Value) -> Uuid {
    let mut app = walkthrough_application();
    polku_rules::merge_patch(&mut app, &patch);
    let new = NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: person.to_owned(),
        application_date: today_in_finland(),
        application: app,
        deadline: None,
    };
    let case = store
        .submit(&new, &Actor::Person(person.into()))
        .await
        .unwrap();
    let p = Pipeline::new(store.clone(), bundled_rules(), SuppliedEvidence, "w");
    while p.run_once().await.unwrap().is_some() {}
    assert!(
        store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    case
}

async fn a_decision_is_told_once_by_email_in_the_chosen_language(store: &Cases) {
    let w = world(store, &[]);
    let choice = ContactPreference::new(Channel::Email, "aino@example.fi", Lang::Sv).unwrap();
    w.notifier.set_preference(PERSON, &choice).await.unwrap();
    assert_eq!(
        w.notifier.preference(PERSON).await.unwrap(),
        Some(choice),
        "the choice reads back as it was made"
    );
    let case = filed(store, PERSON, json!({})).await;
    assert_eq!(store.case(case).await.unwrap().state, CaseState::Decided);

    assert_eq!(w.notifier.follow_events().await.unwrap(), 1);
    assert_eq!(w.notifier.follow_events().await.unwrap(), 0, "told once");
    let report = w.notifier.deliver_due().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(w.notifier.deliver_due().await.unwrap().is_empty());

    let sent = w.outbox.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (to, m) = &sent[0];
    assert_eq!(to, "aino@example.fi");
    assert_eq!(m.language, Lang::Sv);
    assert_eq!(m.letter.subject, "Ett beslut har fattats om din ansökan");
    assert!(
        m.letter
            .body
            .contains(&format!("https://polku.example/my/cases/{case}")),
        "{}",
        m.letter.body
    );
    // The matter in Swedish, never its code; nothing of what the decision says.
    assert!(!m.letter.body.contains(EXTENSION));
    assert!(!m.letter.body.to_lowercase().contains("beviljat"));
    assert!(w.mailboxes.sent.lock().unwrap().is_empty());

    let log = w.notifier.for_case(case).await.unwrap();
    assert_eq!(log.len(), 1);
    let n = &log[0];
    assert_eq!(
        (n.kind, n.state, n.channel, n.language),
        (
            NoticeKind::Decided,
            NotificationState::Sent,
            Some(Channel::Email),
            Some(Lang::Sv)
        )
    );
    assert_eq!(n.address.as_deref(), Some("aino@example.fi"));
    assert!(n.sent_at.is_some());
    assert_eq!(w.notifier.for_person(PERSON, 10).await.unwrap(), log);
}
polku_cases::on_every_database!(
    a_decision_is_told_once_by_email,
    a_decision_is_told_once_by_email_in_the_chosen_language
);

async fn without_a_choice_the_messages_service_or_nothing(store: &Cases) {
    let other = "sim-0000021";
    let w = world(store, &[PERSON]);
    filed(store, PERSON, json!({})).await;
    filed(store, other, json!({})).await;
    assert_eq!(w.notifier.follow_events().await.unwrap(), 2);
    let report = w.notifier.deliver_due().await.unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            skipped: 1,
            ..Default::default()
        }
    );
    let sent = w.mailboxes.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].person, PERSON);
    assert_eq!(
        sent[0].language,
        Lang::Fi,
        "Finnish unless chosen otherwise"
    );
    assert_eq!(sent[0].letter.subject, "Hakemukseesi on tehty päätös");

    let theirs = w.notifier.for_person(other, 10).await.unwrap();
    assert_eq!(theirs[0].state, NotificationState::Skipped);
    assert_eq!(theirs[0].skipped_because(), Some(SkipReason::NoChannel));

    // With an address given, a person without a mailbox is told by email instead.
    let choice = ContactPreference::new(Channel::Messages, "pekka@example.fi", Lang::En).unwrap();
    w.notifier.set_preference(other, &choice).await.unwrap();
    filed(store, other, json!({})).await;
    w.notifier.follow_events().await.unwrap();
    assert_eq!(w.notifier.deliver_due().await.unwrap().sent, 1);
    let mail = w.outbox.sent.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "pekka@example.fi");
    assert_eq!(
        mail[0].1.letter.subject,
        "A decision has been made on your application"
    );
}
polku_cases::on_every_database!(
    without_a_choice_messages_or_nothing,
    without_a_choice_the_messages_service_or_nothing
);

async fn a_person_who_chose_the_service_only_is_sent_nothing(store: &Cases) {
    let w = world(store, &[PERSON]);
    let choice = ContactPreference::new(Channel::Service, "", Lang::Fi).unwrap();
    w.notifier.set_preference(PERSON, &choice).await.unwrap();
    let case = filed(store, PERSON, json!({})).await;
    w.notifier.follow_events().await.unwrap();
    assert_eq!(w.notifier.deliver_due().await.unwrap().skipped, 1);
    assert!(w.mailboxes.sent.lock().unwrap().is_empty());
    assert!(w.outbox.sent.lock().unwrap().is_empty());
    let log = w.notifier.for_case(case).await.unwrap();
    assert_eq!(log[0].skipped_because(), Some(SkipReason::ChoseService));
}
polku_cases::on_every_database!(
    service_only_is_sent_nothing,
    a_person_who_chose_the_service_only_is_sent_nothing
);

async fn a_request_and_its_nearing_deadline_are_told_once_each(store: &Cases) {
    let w = world(store, &[PERSON]);
    // The pay is unknown: the machine asks the applicant for evidence, due in 14 days.
    let case = filed(store, PERSON, json!({"evidence": {"incomes": null}})).await;
    assert_eq!(
        store.case(case).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    let due = store.requests(case).await.unwrap()[0].due;
    assert_eq!(w.notifier.follow_events().await.unwrap(), 1);
    w.notifier.deliver_due().await.unwrap();
    let first = w.mailboxes.sent.lock().unwrap()[0].clone();
    assert_eq!(
        first.letter.subject,
        "Hakemukseesi tarvitaan lisäselvitystä"
    );
    let due_fi = format!("{}.{}.{}", due.day(), due.month(), due.year());
    assert!(first.letter.body.contains(&due_fi), "{}", first.letter.body);

    // Not yet: the deadline is more than three days away.
    assert_eq!(w.notifier.remind_due(today_in_finland()).await.unwrap(), 0);
    let three_before = due.checked_sub(jiff::Span::new().days(3)).unwrap();
    assert_eq!(w.notifier.remind_due(three_before).await.unwrap(), 1);
    assert_eq!(
        w.notifier.remind_due(three_before).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(
        w.notifier.remind_due(due).await.unwrap(),
        0,
        "once, any day"
    );
    w.notifier.deliver_due().await.unwrap();
    let reminder = w.mailboxes.sent.lock().unwrap()[1].clone();
    assert_eq!(
        reminder.letter.subject,
        format!("Muistutus: vastaa viimeistään {due_fi}")
    );
    let kinds: Vec<NoticeKind> = w
        .notifier
        .for_case(case)
        .await
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(
        kinds,
        [NoticeKind::EvidenceRequested, NoticeKind::DeadlineNear]
    );
}
polku_cases::on_every_database!(
    a_request_and_its_deadline_are_told,
    a_request_and_its_nearing_deadline_are_told_once_each
);

async fn an_answered_request_is_not_reminded(store: &Cases) {
    let w = world(store, &[PERSON]);
    let case = filed(store, PERSON, json!({"evidence": {"incomes": null}})).await;
    let request = store.requests(case).await.unwrap()[0].clone();
    store
        .answer_request(
            case,
            request.id,
            PERSON,
            "Palkkatodistus liitteenä.",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(w.notifier.remind_due(request.due).await.unwrap(), 0);
}
polku_cases::on_every_database!(
    answered_is_not_reminded,
    an_answered_request_is_not_reminded
);

async fn a_channel_that_is_down_is_tried_again_then_given_up(db: &polku_cases::testing::TestDb) {
    let store = &db.store;
    let w = world(store, &[]);
    let choice = ContactPreference::new(Channel::Email, "aino@example.fi", Lang::Fi).unwrap();
    w.notifier.set_preference(PERSON, &choice).await.unwrap();
    let case = filed(store, PERSON, json!({})).await;
    w.notifier.follow_events().await.unwrap();
    *w.outbox.failing.lock().unwrap() = Some(SendError::Transient("relay refused: 421".into()));

    assert_eq!(w.notifier.deliver_due().await.unwrap().retrying, 1);
    assert!(
        w.notifier.deliver_due().await.unwrap().is_empty(),
        "not tried again at once"
    );
    let n = &w.notifier.for_case(case).await.unwrap()[0];
    assert_eq!((n.state, n.attempts), (NotificationState::Pending, 1));
    assert_eq!(n.detail.as_deref(), Some("relay refused: 421"));

    // Its turn comes again and again, until the last attempt.
    for _ in 1..MAX_ATTEMPTS {
        db.raw("UPDATE notifications SET next_attempt = 0").await;
        w.notifier.deliver_due().await.unwrap();
    }
    let n = &w.notifier.for_case(case).await.unwrap()[0];
    assert_eq!(
        (n.state, n.attempts),
        (NotificationState::Failed, MAX_ATTEMPTS)
    );
    db.raw("UPDATE notifications SET next_attempt = 0").await;
    assert!(
        w.notifier.deliver_due().await.unwrap().is_empty(),
        "given up"
    );

    // A channel back up sends what is still pending, and nothing twice.
    *w.outbox.failing.lock().unwrap() = None;
    filed(store, PERSON, json!({})).await;
    w.notifier.follow_events().await.unwrap();
    assert_eq!(w.notifier.deliver_due().await.unwrap().sent, 1);
    assert_eq!(w.outbox.sent.lock().unwrap().len(), 1);
}
polku_cases::on_every_database!(
    a_channel_that_is_down,
    a_channel_that_is_down_is_tried_again_then_given_up,
    with_db
);
