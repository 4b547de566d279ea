//! Monitoring as its users meet it: a granted permit is watched from the evidence it was
//! granted on; register events re-check it; a condition that stops holding is one alert,
//! closed by the monitor when it holds again; a person's confirmation opens exactly one
//! re-examination case; replays and early events change nothing they should not; and
//! nothing in monitoring changes a permit.

use std::sync::Arc;

use jiff::civil::Date;
use polku_cases::testing::{EXTENSION, TestDb, bundled_rules, walkthrough_application};
use polku_cases::{
    Actor, CasePurpose, CaseState, Cases, LiveRules, NewApplication, Pipeline, SuppliedEvidence,
    today_in_finland,
};
use polku_monitoring::{
    AlertState, EventBody, HOLDS_AGAIN, ImportedPermit, Monitor, MonitorError, RegisterEvent,
};
use serde_json::Value;
use uuid::Uuid;

const HOLDER: &str = "sim-0000013";
/// The walk-through's employer.
const EMPLOYER: &str = "1234567-1";
/// The walk-through's agreement minimum is 2,210 €/month.
const BELOW: f64 = 2000.0;
const ABOVE: f64 = 2500.0;

fn monitor(store: &Cases) -> Monitor {
    Monitor::new(store.clone(), LiveRules::from(bundled_rules()))
}

/// Files the walk-through's application for [`HOLDER`] and lets the pipeline grant it;
/// returns the case.
async fn granted(store: &Cases) -> Uuid {
    let new = NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: HOLDER.to_owned(),
        application_date: today_in_finland(),
        application: walkthrough_application(),
        deadline: None,
    };
    let case = store
        .submit(&new, &Actor::Person(HOLDER.into()))
        .await
        .unwrap();
    Pipeline::new(store.clone(), bundled_rules(), SuppliedEvidence, "w")
        .run_once()
        .await
        .unwrap();
    assert!(store.permit(case).await.unwrap().is_some(), "granted");
    case
}

/// Starts watching what was granted, once every grant so far can be read.
async fn follow(m: &Monitor, store: &Cases) -> usize {
    assert!(
        store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    m.follow_grants().await.unwrap()
}

fn today() -> Date {
    today_in_finland()
}

fn month(back: i64) -> Date {
    let first = today().first_of_month();
    first.checked_sub(jiff::Span::new().months(back)).unwrap()
}

fn pay(id: &str, months_back: i64, eur: f64) -> RegisterEvent {
    RegisterEvent {
        id: id.into(),
        occurred_on: today(),
        body: EventBody::PayReport {
            person: HOLDER.into(),
            month: month(months_back),
            gross_pay_eur: eur,
            employer_id: EMPLOYER.into(),
            occupational_field: None,
        },
    }
}

fn operator() -> Actor {
    Actor::Operator("test".into())
}

async fn ingest(m: &Monitor, events: &[RegisterEvent]) -> polku_monitoring::IngestReport {
    m.ingest(events, &operator(), "monitoring test")
        .await
        .unwrap()
}

async fn table(store: &Cases, sql: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(store.db().pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .collect()
}

/// Every watched permit's packed facts, by permit.
async fn facts(store: &Cases) -> Vec<(String, Vec<u8>)> {
    use sqlx::Row;
    sqlx::query("SELECT permit_id, facts FROM monitored_permits ORDER BY permit_id")
        .fetch_all(store.db().pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("permit_id").unwrap(), r.try_get("facts").unwrap()))
        .collect()
}

async fn two_months_below_opens_one_alert_with_its_trace(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    assert_eq!(follow(&m, store).await, 1);
    let one = ingest(&m, &[pay("ir-1", 2, BELOW)]).await;
    assert_eq!(
        (one.new, one.alerts_opened),
        (1, 0),
        "one month below is tolerated"
    );
    let two = ingest(&m, &[pay("ir-2", 1, BELOW)]).await;
    assert_eq!((two.permits_checked, two.alerts_opened), (1, 1));
    let alerts = m.alerts(Some(AlertState::Open), 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.person, HOLDER);
    let finding = &alert.trace.en.conditions[0];
    assert_eq!(finding.id, alert.condition);
    assert!(!finding.legal_basis.is_empty());
    assert!(
        finding.explanation.contains("2000") || finding.explanation.contains("2,000"),
        "the values are in the trace: {}",
        finding.explanation
    );
    // A third month below opens nothing more: the alert is open already.
    let three = ingest(&m, &[pay("ir-3", 0, BELOW)]).await;
    assert_eq!(three.alerts_opened, 0);
    assert_eq!(m.alerts(None, 10).await.unwrap().len(), 1);
}
polku_cases::on_every_database!(
    two_months_below,
    two_months_below_opens_one_alert_with_its_trace
);

async fn replaying_the_same_events_changes_nothing(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    let events = [pay("ir-1", 2, BELOW), pay("ir-2", 1, BELOW)];
    ingest(&m, &events).await;
    m.write_back().await.unwrap();
    let before = facts(store).await;
    let alerts = table(store, "SELECT id || state FROM monitoring_alerts").await;
    let again = ingest(&m, &events).await;
    assert_eq!(
        (again.received, again.new, again.permits_checked),
        (2, 0, 0)
    );
    assert_eq!(m.write_back().await.unwrap(), 0, "nothing changed to write");
    assert_eq!(facts(store).await, before);
    // In a batch with new events, a replayed id counts as first stored, whatever it
    // says now: the month above here is not taken, so the month below stays.
    let mut replayed = pay("ir-2", 1, ABOVE);
    replayed.id = "ir-2".into();
    let mixed = ingest(&m, &[replayed, pay("ir-3", 0, BELOW)]).await;
    assert_eq!(
        (mixed.received, mixed.new, mixed.permits_checked),
        (2, 1, 1)
    );
    m.write_back().await.unwrap();
    let slot =
        polku_rules::schema::field_index("evidence.incomes.previous_month_gross_pay_eur").unwrap();
    let (_, packed) = facts(store).await.pop().unwrap();
    assert_eq!(
        polku_monitoring::compact::unpack(&packed)
            .unwrap()
            .app
            .get(slot),
        Some(&polku_rules::schema::FieldValue::Number(BELOW))
    );
    assert_eq!(
        table(store, "SELECT id || state FROM monitoring_alerts").await,
        alerts
    );
    // An id the register reused for other contents refuses the batch.
    let mut changed = pay("ir-1", 2, ABOVE);
    changed.id = "ir-9".into();
    let twice = [changed.clone(), {
        changed.body = pay("x", 1, BELOW).body;
        changed
    }];
    assert!(matches!(
        m.ingest(&twice, &operator(), "t").await,
        Err(MonitorError::Events(
            polku_monitoring::EventError::Conflicting(_)
        ))
    ));
}
polku_cases::on_every_database!(replay, replaying_the_same_events_changes_nothing);

/// The latest month's pay in the table's facts of the only watched permit.
async fn stored_latest_pay(store: &Cases) -> Option<f64> {
    let slot =
        polku_rules::schema::field_index("evidence.incomes.latest_month_gross_pay_eur").unwrap();
    let (_, packed) = facts(store).await.pop()?;
    let facts = polku_monitoring::compact::unpack(&packed).unwrap();
    match facts.app.get(slot) {
        Some(polku_rules::schema::FieldValue::Number(n)) => Some(*n),
        _ => None,
    }
}

async fn facts_survive_a_restart_and_processes_that_take_turns(store: &Cases) {
    granted(store).await;
    let a = monitor(store);
    follow(&a, store).await;
    assert_eq!(ingest(&a, &[pay("ir-1", 2, BELOW)]).await.alerts_opened, 0);
    assert_ne!(
        stored_latest_pay(store).await,
        Some(BELOW),
        "the table keeps the grant's facts until a write-back"
    );
    // Another process on the same database (or this one restarted) knows the first
    // month below from the stored events.
    let b = monitor(store);
    let two = ingest(&b, &[pay("ir-2", 1, BELOW)]).await;
    assert_eq!(
        (two.permits_checked, two.alerts_opened),
        (1, 1),
        "the month before was not lost"
    );
    // The first process's turn again: it knows what the second did, and closes the
    // alert the second opened when the pay is back above the minimum.
    let three = ingest(&a, &[pay("ir-3", 0, ABOVE)]).await;
    assert_eq!((three.permits_checked, three.alerts_closed), (1, 1));
    assert!(
        a.alerts(Some(AlertState::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Written back in one go: the table has the latest facts, and a new process reads
    // them without applying any event twice.
    assert_eq!(a.write_back().await.unwrap(), 1);
    assert_eq!(stored_latest_pay(store).await, Some(ABOVE));
    let c = monitor(store);
    assert_eq!(c.held().await.unwrap(), (1, 0));
    let replayed = ingest(&c, &[pay("ir-3", 0, ABOVE)]).await;
    assert_eq!((replayed.new, replayed.alerts_opened), (0, 0));
    assert_eq!(c.write_back().await.unwrap(), 0);
    assert_eq!(stored_latest_pay(store).await, Some(ABOVE));
}
polku_cases::on_every_database!(
    restart,
    facts_survive_a_restart_and_processes_that_take_turns
);

async fn an_event_before_the_permit_is_known_is_matched_when_it_is(store: &Cases) {
    let m = monitor(store);
    let early = ingest(&m, &[pay("ir-1", 2, BELOW), pay("ir-2", 1, BELOW)]).await;
    assert_eq!(early.kept_for_later, 2, "kept, not dropped");
    granted(store).await;
    assert_eq!(follow(&m, store).await, 1);
    let alerts = m.alerts(Some(AlertState::Open), 10).await.unwrap();
    assert_eq!(alerts.len(), 1, "the kept events were applied");
    // Following again starts watching nothing twice.
    assert_eq!(follow(&m, store).await, 0);
}
polku_cases::on_every_database!(
    early_events,
    an_event_before_the_permit_is_known_is_matched_when_it_is
);

async fn an_alert_closes_itself_when_the_condition_holds_again(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    ingest(&m, &[pay("ir-1", 2, BELOW), pay("ir-2", 1, BELOW)]).await;
    let report = ingest(&m, &[pay("ir-3", 0, ABOVE)]).await;
    assert_eq!(report.alerts_closed, 1);
    let alerts = m.alerts(None, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].state, AlertState::Closed);
    assert_eq!(alerts[0].close_reason.as_deref(), Some(HOLDS_AGAIN));
    assert_eq!(alerts[0].closed_by, Some(Actor::Machine));
}
polku_cases::on_every_database!(
    closes_itself,
    an_alert_closes_itself_when_the_condition_holds_again
);

async fn an_employers_bankruptcy_reaches_its_workers_permits(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    let bankrupt = RegisterEvent {
        id: "ytj-1".into(),
        occurred_on: today(),
        body: EventBody::EmployerBankruptcy {
            employer_id: EMPLOYER.into(),
        },
    };
    let report = ingest(&m, &[bankrupt]).await;
    assert_eq!((report.permits_checked, report.alerts_opened), (1, 1));
    let alert = &m.alerts(None, 10).await.unwrap()[0];
    assert_eq!(alert.person, HOLDER);
}
polku_cases::on_every_database!(
    bankruptcy,
    an_employers_bankruptcy_reaches_its_workers_permits
);

async fn a_confirmed_alert_yields_exactly_one_reexamination_case(store: &Cases) {
    let case = granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    ingest(&m, &[pay("ir-1", 2, BELOW), pay("ir-2", 1, BELOW)]).await;
    let alert = m.alerts(Some(AlertState::Open), 1).await.unwrap()[0].clone();
    let handler = Actor::User(Uuid::now_v7());
    assert!(matches!(
        m.confirm(alert.id, &handler, "  ").await,
        Err(MonitorError::NoReasons)
    ));
    let (a, b) = tokio::join!(
        m.confirm(alert.id, &handler, "pay below the minimum twice"),
        m.confirm(alert.id, &handler, "pay below the minimum twice"),
    );
    let reexamination = a.unwrap();
    assert_eq!(b.unwrap(), reexamination);
    assert_eq!(
        m.confirm(alert.id, &handler, "again").await.unwrap(),
        reexamination
    );
    let opened = store.case(reexamination).await.unwrap();
    assert_eq!(opened.state, CaseState::Referred, "a person handles it");
    assert_eq!(opened.applicant_id, HOLDER);
    let permit = store.permit(case).await.unwrap().unwrap();
    assert_eq!(
        opened.purpose,
        CasePurpose::Reexamination { permit: permit.id }
    );
    assert_eq!(
        table(
            store,
            "SELECT id FROM cases WHERE purpose = 'reexamination'"
        )
        .await
        .len(),
        1
    );
    let confirmed = m.alert(alert.id).await.unwrap();
    assert_eq!(confirmed.state, AlertState::Confirmed);
    assert_eq!(confirmed.reexamination_case, Some(reexamination));
    // A confirmed alert cannot be dismissed.
    assert!(matches!(
        m.dismiss(alert.id, &handler, "no").await,
        Err(MonitorError::NotOpen {
            state: AlertState::Confirmed,
            ..
        })
    ));
}
polku_cases::on_every_database!(
    confirm_once,
    a_confirmed_alert_yields_exactly_one_reexamination_case
);

async fn a_dismissed_alert_keeps_its_reasons_and_the_next_finding_opens_a_new_one(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    ingest(&m, &[pay("ir-1", 2, BELOW), pay("ir-2", 1, BELOW)]).await;
    let alert = m.alerts(Some(AlertState::Open), 1).await.unwrap()[0].clone();
    let handler = Actor::User(Uuid::now_v7());
    m.dismiss(alert.id, &handler, "sick leave, pay reported late")
        .await
        .unwrap();
    let dismissed = m.alert(alert.id).await.unwrap();
    assert_eq!(dismissed.state, AlertState::Dismissed);
    assert_eq!(dismissed.closed_by, Some(handler));
    assert_eq!(
        dismissed.close_reason.as_deref(),
        Some("sick leave, pay reported late")
    );
    let next = ingest(&m, &[pay("ir-3", 0, BELOW)]).await;
    assert_eq!(
        next.alerts_opened, 1,
        "still below: a new alert for a person"
    );
}
polku_cases::on_every_database!(
    dismiss,
    a_dismissed_alert_keeps_its_reasons_and_the_next_finding_opens_a_new_one
);

async fn every_batch_is_one_line_in_the_use_log_naming_its_persons(db: &TestDb) {
    let m = monitor(&db.store);
    let other = RegisterEvent {
        id: "vtj-1".into(),
        occurred_on: today(),
        body: EventBody::Emigration {
            person: "sim-0000042".into(),
        },
    };
    ingest(&m, &[pay("ir-1", 1, ABOVE), pay("ir-2", 0, ABOVE), other]).await;
    let rows = db
        .rows("SELECT purpose, detail FROM audit_log WHERE log = 'access'")
        .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let detail: Value = serde_json::from_str(rows[0][1].as_str().unwrap()).unwrap();
    assert_eq!(rows[0][0], "monitoring test");
    assert_eq!(
        detail["persons"],
        serde_json::json!(["sim-0000013", "sim-0000042"])
    );
    assert_eq!(detail["register_events"], 3);
}
polku_cases::on_every_database!(
    use_log,
    every_batch_is_one_line_in_the_use_log_naming_its_persons,
    with_db
);

/// Nothing in monitoring can change a permit: whatever events arrive and whatever a
/// person does with the alerts, the permits and decisions stay as they were.
mod nothing_changes_a_permit {
    use super::*;
    use proptest::prelude::*;

    fn event() -> impl Strategy<Value = EventBody> {
        prop_oneof![
            (0i64..4, 0.0f64..5000.0).prop_map(|(back, eur)| EventBody::PayReport {
                person: HOLDER.into(),
                month: month(back),
                gross_pay_eur: eur.round(),
                employer_id: EMPLOYER.into(),
                occupational_field: None,
            }),
            any::<bool>().prop_map(|d| EventBody::CriminalRecordEntry {
                person: HOLDER.into(),
                disqualifying: d,
            }),
            Just(EventBody::Emigration {
                person: HOLDER.into()
            }),
            Just(EventBody::AddressChange {
                person: HOLDER.into(),
                municipality_code: "091".into(),
                dwelling: Some("100012345A A 1".into()),
            }),
            Just(EventBody::EmployerBankruptcy {
                employer_id: EMPLOYER.into()
            }),
            Just(EventBody::EntryBan {
                person: HOLDER.into()
            }),
            Just(EventBody::SisAlert {
                person: HOLDER.into()
            }),
            Just(EventBody::StudiesEnded {
                person: HOLDER.into()
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        #[test]
        fn whatever_arrives(bodies in proptest::collection::vec(event(), 1..12), confirm in any::<bool>()) {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async {
                let db = TestDb::sqlite().await;
                let store = &db.store;
                granted(store).await;
                let before = (
                    table(store, "SELECT id || case_id || decision_id || valid_from || COALESCE(valid_until, '') || COALESCE(kind, '') FROM permits").await,
                    table(store, "SELECT id || outcome FROM decisions").await,
                );
                let m = monitor(store);
                follow(&m, store).await;
                let events: Vec<RegisterEvent> = bodies
                    .into_iter()
                    .enumerate()
                    .map(|(i, body)| RegisterEvent { id: format!("e-{i}"), occurred_on: today(), body })
                    .collect();
                for chunk in events.chunks(3) {
                    ingest(&m, chunk).await;
                }
                let handler = Actor::User(Uuid::now_v7());
                for alert in m.alerts(Some(AlertState::Open), 100).await.unwrap() {
                    if confirm {
                        m.confirm(alert.id, &handler, "confirmed").await.unwrap();
                    } else {
                        m.dismiss(alert.id, &handler, "dismissed").await.unwrap();
                    }
                }
                let after = (
                    table(store, "SELECT id || case_id || decision_id || valid_from || COALESCE(valid_until, '') || COALESCE(kind, '') FROM permits").await,
                    table(store, "SELECT id || outcome FROM decisions").await,
                );
                assert_eq!(before, after);
                db.finish().await;
            });
        }
    }
}

/// The employed persons' monitoring rules with the floor beside a collective agreement
/// raised to 2,400 € from 1 Jan 2026: a proposal a legal officer might make.
fn floor_raised() -> Arc<polku_rules::RuleBook> {
    let book = bundled_rules();
    let (text, tests) = book.text_of(MONITORING).unwrap();
    let raised = text.replacen(
        "      2025-04-01: 1600\n\ndefinitions",
        "      2025-04-01: 1600\n      2026-01-01: 2400\n\ndefinitions",
        1,
    );
    assert_ne!(raised, text, "the figure is where the test expects it");
    Arc::new(book.with_text(MONITORING, &raised, tests).unwrap())
}

const MONITORING: &str = "fi.monitoring.residence-permit.employed";

async fn a_rule_change_is_tried_on_every_permit_before_it_is_applied(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    let pay_2300 = [pay("ir-1", 2, 2300.0), pay("ir-2", 1, 2300.0)];
    assert_eq!(
        ingest(&m, &pay_2300).await.alerts_opened,
        0,
        "above 2,210 €"
    );

    let dry = m
        .recheck_all_with(floor_raised(), today(), false)
        .await
        .unwrap();
    assert_eq!(dry.permits, 1);
    assert_eq!(dry.by_matter[EXTENSION].alerts_open, 1, "{dry:?}");
    assert!(
        m.alerts(None, 10).await.unwrap().is_empty(),
        "a dry run writes nothing"
    );

    let applied = m
        .recheck_all_with(floor_raised(), today(), true)
        .await
        .unwrap();
    assert_eq!(applied.alerts_open(), 1);
    let alert = &m.alerts(Some(AlertState::Open), 10).await.unwrap()[0];
    assert!(
        alert
            .trace
            .en
            .parameters
            .iter()
            .any(|p| p.value == serde_json::json!(2400)),
        "{:?}",
        alert.trace.en.parameters
    );

    // Under the rules in force, the pay meets the minimum again: the alert closes.
    let back = m.recheck_all(today(), true).await.unwrap();
    assert_eq!((back.alerts_open(), back.alerts_close()), (0, 1));
    assert!(
        m.alerts(Some(AlertState::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
polku_cases::on_every_database!(
    rule_change,
    a_rule_change_is_tried_on_every_permit_before_it_is_applied
);

async fn imported_permits_are_watched_and_rechecked(store: &Cases) {
    let m = monitor(store);
    let granted_on = |pay: f64| {
        let mut f = walkthrough_application();
        polku_rules::merge_patch(
            &mut f,
            &serde_json::json!({"evidence": {"incomes": {
                "latest_month_gross_pay_eur": pay,
                "previous_month_gross_pay_eur": pay,
                "latest_report_month": month(1).to_string(),
            }}}),
        );
        f
    };
    let permits: Vec<ImportedPermit> = (0..30)
        .map(|i| ImportedPermit {
            permit: Uuid::now_v7(),
            person: format!("legacy-{i}"),
            matter: EXTENSION.into(),
            valid_from: month(3),
            valid_until: (i == 29).then(|| month(2)),
            facts: granted_on(if i % 3 == 0 { BELOW } else { ABOVE }),
        })
        .collect();
    assert_eq!(
        m.import(&permits, &operator(), "migration").await.unwrap(),
        30
    );
    assert_eq!(
        m.import(&permits, &operator(), "migration").await.unwrap(),
        0,
        "once"
    );
    let report = m.recheck_all(today(), true).await.unwrap();
    assert_eq!(report.permits, 29, "one permit has ended");
    assert_eq!(report.alerts_open(), 10);
    assert_eq!(
        m.alerts(Some(AlertState::Open), 100).await.unwrap().len(),
        10
    );
    let again = m.recheck_all(today(), true).await.unwrap();
    assert_eq!(again.alerts_open(), 0, "open alerts are not opened twice");
}
polku_cases::on_every_database!(import, imported_permits_are_watched_and_rechecked);

/// A monitoring rule change reaches every watched permit on the day it takes effect,
/// once; a person's dismissal stands while the rules stay as they were.
async fn a_rule_change_reaches_every_permit_on_its_day(store: &Cases) {
    granted(store).await;
    let m = monitor(store);
    follow(&m, store).await;
    assert!(
        m.recheck_when_rules_change(today())
            .await
            .unwrap()
            .is_some(),
        "the first day's rules"
    );
    ingest(&m, &[pay("ir-1", 2, BELOW)]).await;
    ingest(&m, &[pay("ir-2", 1, BELOW)]).await;
    let open = m.alerts(Some(AlertState::Open), 10).await.unwrap();
    assert_eq!(open.len(), 1);
    m.dismiss(open[0].id, &operator(), "Checked with the employer.")
        .await
        .unwrap();
    let tomorrow = today().tomorrow().unwrap();
    assert_eq!(m.recheck_when_rules_change(today()).await.unwrap(), None);
    assert_eq!(
        m.recheck_when_rules_change(tomorrow).await.unwrap(),
        None,
        "the same rules: the dismissal stands"
    );
    assert!(
        m.alerts(Some(AlertState::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The floor beside a collective agreement raised from the start of the year: the
    // day it is in force, every permit is judged by it.
    let raised = Monitor::new(store.clone(), LiveRules::from(floor_raised()));
    let report = raised.recheck_when_rules_change(today()).await.unwrap();
    assert_eq!(report.map(|r| r.permits), Some(1));
    assert_eq!(
        raised.recheck_when_rules_change(today()).await.unwrap(),
        None
    );
}
polku_cases::on_every_database!(rules_day, a_rule_change_reaches_every_permit_on_its_day);

/// Labour-exploitation indicators are findings about an employer for a labour inspector:
/// three of one employer's workers paid below the minimum make it a finding; another
/// employer's fair pay does not; each reading is a line in the use log.
async fn an_employer_paying_several_workers_below_the_minimum_is_a_finding(store: &Cases) {
    use polku_monitoring::indicators::IndicatorKind;
    let m = monitor(store);
    let other = {
        let digits = "7654321";
        let check = polku_rules::schema::business_id_check_digit(digits.as_bytes()).unwrap();
        format!("{digits}-{check}")
    };
    let permit = |n: u32, employer: &str| ImportedPermit {
        permit: Uuid::now_v7(),
        person: format!("sim-{n:07}"),
        matter: EXTENSION.into(),
        valid_from: month(6),
        valid_until: None,
        facts: serde_json::json!({
            "application": {"matter": EXTENSION, "kind": "extension"},
            "evidence": {
                "incomes": {"employer_id": employer, "monthly_gross_pay_avg_eur": 2400,
                            "latest_month_gross_pay_eur": 2400, "previous_month_gross_pay_eur": 2400,
                            "latest_report_month": month(2).to_string()},
                "agreements": {"generally_binding": true, "minimum_monthly_pay_eur": 2210},
            },
        }),
    };
    let permits: Vec<ImportedPermit> = (1..=3)
        .map(|n| permit(n, EMPLOYER))
        .chain((4..=6).map(|n| permit(n, &other)))
        .collect();
    m.import(&permits, &operator(), "test").await.unwrap();
    let report = |n: u32, employer: &str, eur: f64| RegisterEvent {
        id: format!("ir-{n}"),
        occurred_on: today(),
        body: EventBody::PayReport {
            person: format!("sim-{n:07}"),
            month: month(1),
            gross_pay_eur: eur,
            employer_id: employer.into(),
            occupational_field: None,
        },
    };
    let events: Vec<RegisterEvent> = (1..=3)
        .map(|n| report(n, EMPLOYER, BELOW))
        .chain((4..=6).map(|n| report(n, &other, ABOVE)))
        .collect();
    ingest(&m, &events).await;
    let inspector = Actor::Operator("inspector".into());
    let flagged = m.flagged_employers(today(), &inspector).await.unwrap();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].employer, EMPLOYER);
    assert_eq!(flagged[0].workers, 3);
    let found: Vec<IndicatorKind> = flagged[0]
        .readings
        .iter()
        .filter(|r| r.found)
        .map(|r| r.kind)
        .collect();
    assert_eq!(found, [IndicatorKind::PayBelowMinimum]);
    let fair = m
        .employer_indicators(&other, today(), &inspector)
        .await
        .unwrap();
    assert_eq!((fair.workers, fair.found()), (3, 0));
    let logged = table(
        store,
        &format!(
            "SELECT purpose FROM audit_log WHERE purpose = '{}'",
            polku_monitoring::INDICATORS_PURPOSE
        ),
    )
    .await;
    assert_eq!(logged.len(), 2, "one line for each reading");

    // Kept month by month: this month's reading names the employer; read again the same
    // day, nothing is read; next month, with the workers paid fairly again, it is gone
    // from the list and its history shows both months.
    let read = m.record_indicators(today(), &inspector).await.unwrap();
    assert_eq!((read.employers, read.flagged), (2, 1));
    assert_eq!(
        m.record_indicators_if_due(today(), &inspector)
            .await
            .unwrap(),
        None,
        "read once a day"
    );
    let (listed, total) = m.flagged_in(month(0), None, 0, 25).await.unwrap();
    assert_eq!((listed.len(), total), (1, 1));
    assert_eq!(listed[0].employer, EMPLOYER);
    assert_eq!(listed[0].found(), 1);
    let (none, _) = m
        .flagged_in(month(0), Some(IndicatorKind::NoPayReports), 0, 25)
        .await
        .unwrap();
    assert!(none.is_empty(), "filtered by the indicator found");
    let fairly: Vec<RegisterEvent> = (1..=3)
        .map(|n| RegisterEvent {
            id: format!("ir-fair-{n}"),
            ..report(n, EMPLOYER, ABOVE)
        })
        .map(|mut e| {
            if let EventBody::PayReport {
                month: ref mut m, ..
            } = e.body
            {
                *m = month(0);
            }
            e
        })
        .collect();
    ingest(&m, &fairly).await;
    let next_month = month(0).checked_add(jiff::Span::new().months(1)).unwrap();
    let read = m
        .record_indicators_if_due(next_month, &inspector)
        .await
        .unwrap()
        .expect("a new month is read");
    assert_eq!((read.month, read.flagged), (next_month, 0));
    assert!(
        m.flagged_in(next_month, None, 0, 25)
            .await
            .unwrap()
            .0
            .is_empty()
    );
    let history = m.employer_history(EMPLOYER, 12).await.unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].month.month, next_month);
    assert!(history[0].readings.is_empty(), "nothing found next month");
    assert_eq!(history[1].month.month, month(0));
    assert_eq!(history[1].workers, Some(3));
    let then: Vec<(IndicatorKind, Option<usize>)> = history[1]
        .readings
        .iter()
        .filter(|r| r.found)
        .map(|r| (r.kind, r.count))
        .collect();
    assert_eq!(then, [(IndicatorKind::PayBelowMinimum, Some(3))]);
    let recorded = table(
        store,
        &format!(
            "SELECT purpose FROM audit_log WHERE purpose = '{}'",
            polku_monitoring::RECORD_PURPOSE
        ),
    )
    .await;
    assert_eq!(recorded.len(), 2, "one line for each month's reading");
}
polku_cases::on_every_database!(
    indicators,
    an_employer_paying_several_workers_below_the_minimum_is_a_finding
);

/// Five workers of one employer registered at one dwelling are a finding; when one of
/// them moves elsewhere, or abroad, it is not.
async fn five_workers_at_one_dwelling_are_a_finding(store: &Cases) {
    use polku_monitoring::indicators::IndicatorKind;
    let m = monitor(store);
    let permits: Vec<ImportedPermit> = (1..=5)
        .map(|n| ImportedPermit {
            permit: Uuid::now_v7(),
            person: format!("sim-{n:07}"),
            matter: EXTENSION.into(),
            valid_from: month(6),
            valid_until: None,
            facts: serde_json::json!({
                "application": {"matter": EXTENSION, "kind": "extension"},
                "evidence": {"incomes": {"employer_id": EMPLOYER}},
            }),
        })
        .collect();
    m.import(&permits, &operator(), "test").await.unwrap();
    let moved = |id: &str, n: u32, dwelling: &str| RegisterEvent {
        id: id.into(),
        occurred_on: today(),
        body: EventBody::AddressChange {
            person: format!("sim-{n:07}"),
            municipality_code: "091".into(),
            dwelling: Some(dwelling.into()),
        },
    };
    let crowded: Vec<RegisterEvent> = (1..=5)
        .map(|n| moved(&format!("vtj-{n}"), n, "100012345A A 1"))
        .collect();
    ingest(&m, &crowded).await;
    let inspector = Actor::Operator("inspector".into());
    let at_one = |e: &polku_monitoring::EmployerIndicators| {
        e.readings
            .iter()
            .find(|r| r.kind == IndicatorKind::ManyAtOneAddress)
            .map(|r| (r.count, r.found))
            .unwrap()
    };
    let read = m
        .employer_indicators(EMPLOYER, today(), &inspector)
        .await
        .unwrap();
    assert_eq!(at_one(&read), (Some(5), true));
    // One moves to another apartment of the same building: another dwelling.
    ingest(&m, &[moved("vtj-6", 5, "100012345A A 2")]).await;
    let read = m
        .employer_indicators(EMPLOYER, today(), &inspector)
        .await
        .unwrap();
    assert_eq!(at_one(&read), (Some(4), false));
    // Back again, then one moves abroad: no dwelling in Finland any more.
    let tomorrow = today().tomorrow().unwrap();
    ingest(
        &m,
        &[
            RegisterEvent {
                occurred_on: tomorrow,
                ..moved("vtj-7", 5, "100012345A A 1")
            },
            RegisterEvent {
                id: "vtj-8".into(),
                occurred_on: tomorrow,
                body: EventBody::Emigration {
                    person: format!("sim-{:07}", 1),
                },
            },
        ],
    )
    .await;
    let read = m
        .employer_indicators(EMPLOYER, today(), &inspector)
        .await
        .unwrap();
    assert_eq!(at_one(&read), (Some(4), false));
}
polku_cases::on_every_database!(dwelling, five_workers_at_one_dwelling_are_a_finding);

/// The register events are a feed another part follows with its own cursor: every event
/// once, in the order the batches took them in; a replay adds nothing.
async fn the_register_events_are_read_after_a_cursor(store: &Cases) {
    use polku_monitoring::RegisterCursor;
    let m = monitor(store);
    ingest(&m, &[pay("ir-b", 2, ABOVE), pay("ir-a", 1, ABOVE)]).await;
    ingest(&m, &[pay("ir-c", 0, ABOVE)]).await;
    ingest(&m, &[pay("ir-a", 1, ABOVE)]).await;
    let first = m
        .register_events_after(&RegisterCursor::start(), 2)
        .await
        .unwrap();
    let ids: Vec<&str> = first.iter().map(|(_, e)| e.id.as_str()).collect();
    assert_eq!(ids, ["ir-a", "ir-b"], "the first batch, by id");
    let rest = m.register_events_after(&first[1].0, 10).await.unwrap();
    let ids: Vec<&str> = rest.iter().map(|(_, e)| e.id.as_str()).collect();
    assert_eq!(ids, ["ir-c"], "the second batch; the replay added nothing");
    assert!(rest[0].0 > first[1].0);
    assert!(
        m.register_events_after(&rest[0].0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
polku_cases::on_every_database!(feed, the_register_events_are_read_after_a_cursor);
