//! Filing an application: the service sets the filing date, and an official may register
//! an earlier day of arrival only with a reason that lands in the audit chain. (A key that
//! makes a filing idempotent: `idempotency`.)

use polku_audit::{AuditLog, AuditQuery};
use polku_cases::{
    Actor, CaseError, Cases, NewApplication, REGISTRATION_DAYS_BACK, RegistrationError,
    check_registration, today_in_finland,
};
use serde_json::json;

use crate::support::{EXTENSION, audit};

fn new_application(date: jiff::civil::Date) -> NewApplication {
    NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: "sim-0000001".to_owned(),
        application_date: date,
        application: json!({"application": {"kind": "extension", "submitted_on": "1999-01-01"}}),
        deadline: None,
    }
}

async fn the_service_writes_the_filing_date_into_the_application(store: &Cases) {
    let today = today_in_finland();
    let id = store
        .submit(
            &new_application(today),
            &Actor::Person("sim-0000001".into()),
        )
        .await
        .unwrap();
    let case = store.case(id).await.unwrap();
    assert_eq!(case.application_date, today);
    // Whatever the application said, the stored one says the day the service received it.
    assert_eq!(
        case.application["application"]["submitted_on"],
        today.to_string()
    );
    assert_eq!(
        case.application["application"]["matter"],
        "fi.residence-permit.employed.extension"
    );
}
polku_cases::on_every_database!(
    filing_date,
    the_service_writes_the_filing_date_into_the_application
);

async fn an_official_registers_an_earlier_arrival_with_a_reason_in_the_audit_chain(store: &Cases) {
    let today = today_in_finland();
    let received = today.checked_sub(jiff::Span::new().days(20)).unwrap();
    let official = Actor::User(uuid::Uuid::from_u128(0x4a));
    let (id, created) = store
        .register(
            &new_application(received),
            &official,
            "Paper application received at the Helsinki service point",
            None,
        )
        .await
        .unwrap();
    assert!(created);
    assert_eq!(store.case(id).await.unwrap().application_date, received);
    let history = store.history(id).await.unwrap();
    assert_eq!(history[0].kind, polku_cases::EventKind::Registered);
    assert_eq!(
        history[0].reason.as_deref(),
        Some("Paper application received at the Helsinki service point")
    );
    let rows = audit(store)
        .search(&AuditQuery {
            log: Some(AuditLog::Registration),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor, official);
    let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).unwrap();
    assert_eq!(detail["received_on"], received.to_string());
    assert!(audit(store).verify().await.unwrap().first_break.is_none());

    // Never a day in the future, never older than a year, never without a reason: nothing
    // is written.
    let before = store.case_count().await.unwrap();
    let tomorrow = today.tomorrow().unwrap();
    let e = store
        .register(&new_application(tomorrow), &official, "paper", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::Registration(RegistrationError::InTheFuture { .. })
        ),
        "{e}"
    );
    let long_ago = today
        .checked_sub(jiff::Span::new().days(REGISTRATION_DAYS_BACK + 1))
        .unwrap();
    let e = store
        .register(&new_application(long_ago), &official, "paper", None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, CaseError::Registration(RegistrationError::TooOld { .. })),
        "{e}"
    );
    let e = store
        .register(&new_application(received), &official, " ", None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, CaseError::Registration(RegistrationError::Reason)),
        "{e}"
    );
    assert_eq!(store.case_count().await.unwrap(), before);
}
polku_cases::on_every_database!(
    registration,
    an_official_registers_an_earlier_arrival_with_a_reason_in_the_audit_chain
);

#[test]
fn a_registration_lies_within_the_last_year_up_to_today() {
    let today = jiff::civil::date(2026, 11, 29);
    assert!(check_registration(today, "paper", today).is_ok());
    assert!(check_registration(jiff::civil::date(2025, 11, 29), "paper", today).is_ok());
    assert!(check_registration(jiff::civil::date(2025, 11, 28), "paper", today).is_err());
    assert!(check_registration(jiff::civil::date(2026, 11, 30), "paper", today).is_err());
    assert!(check_registration(today, "pa\u{0}per", today).is_err());
}
