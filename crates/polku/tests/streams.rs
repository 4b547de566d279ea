//! The simulators' register-event streams against the monitor that takes them in: every
//! generated event reads as a `polku_monitoring::RegisterEvent` (the simulators do not
//! depend on the monitoring crate, so this is where the two meet), a month taken in twice
//! changes nothing the second time, and `polku registers events` writes what
//! `polku monitor ingest` reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use jiff::civil::Date;
use polku_cases::{Actor, Cases, LiveRules};
use polku_monitoring::{IngestReport, Monitor, RegisterEvent, read_json_lines};
use polku_simulators::Population;
use polku_simulators::population::{Matter, Person, person_id};
use polku_simulators::streams::{KINDS, Month, StreamEvent};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn today() -> Date {
    polku_cases::today_in_finland()
}

fn json_lines(events: &[StreamEvent]) -> String {
    events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect()
}

/// A year of months (to November 2026) of the built-in registers' population: every event
/// reads and passes the monitor's checks, and every kind of event occurs.
#[test]
fn every_generated_event_reads_as_a_register_event() {
    let population = Population::generate(2026, 20_000);
    let last: Month = "2026-11".parse().unwrap();
    let mut kinds = BTreeMap::<String, usize>::new();
    for k in 0..12 {
        let events = population.month_events(last.plus(-k));
        let read = read_json_lines(&json_lines(&events), today()).unwrap();
        assert_eq!(read.len(), events.len());
        for (generated, read) in events.iter().zip(&read) {
            assert_eq!(read.id, generated.id);
            assert_eq!(read.occurred_on, generated.occurred_on);
            // The kind the simulators name is the kind the monitor reads.
            let kind = serde_json::to_value(read.kind()).unwrap();
            assert_eq!(kind, generated.kind(), "{generated:?}");
            // Written back, the monitor's event is the simulators' line.
            assert_eq!(
                serde_json::to_value(read).unwrap(),
                serde_json::to_value(generated).unwrap()
            );
            *kinds.entry(generated.kind().to_owned()).or_default() += 1;
        }
    }
    for kind in KINDS {
        assert!(kinds.contains_key(kind), "no {kind} in a year: {kinds:?}");
    }
}

const EMPLOYED: &str = "fi.residence-permit.employed.extension";
const STUDENT: &str = "fi.residence-permit.student";

/// A permit granted elsewhere to `p` from the month the synthetic world gave it, with the
/// facts its grant rested on (as the registers held them).
fn permit_of(population: &Population, p: &Person) -> Option<polku_monitoring::ImportedPermit> {
    let matter = match p.matter {
        Matter::EmployedExtension if p.employer.is_some() => EMPLOYED,
        Matter::Student if p.enrolled => STUDENT,
        _ => return None,
    };
    let mut evidence = json!({
        "identity": {"established": true, "unresolved_conflict": false},
        "criminal_records": {"disqualifying_entries": false, "pending_investigation": false},
        "sis": {"alert": false, "entry_ban": false},
        "population": {"resident_in_finland": true, "municipality_code": "091"},
    });
    if matter == EMPLOYED {
        let employer = population.employers[p.employer? as usize].business_id();
        let minimum = polku_simulators::population::agreement_minimum_eur(p.occupation);
        polku_rules::merge_patch(
            &mut evidence,
            &json!({
                "incomes": {"employer_id": employer, "occupational_field": format!("ISCO-{}", p.occupation)},
                "agreements": {"generally_binding": minimum > 0, "minimum_monthly_pay_eur": (minimum > 0).then_some(minimum)},
                "trade_register": {"employer_active": true, "employer_bankrupt": false},
            }),
        );
    } else {
        polku_rules::merge_patch(&mut evidence, &json!({"studies": {"enrolled": true}}));
    }
    Some(polku_monitoring::ImportedPermit {
        permit: Uuid::now_v7(),
        person: person_id(p.index),
        matter: matter.to_owned(),
        valid_from: population.granted_in(p).first_day(),
        valid_until: None,
        facts: json!({"application": {"matter": matter, "kind": "extension"}, "evidence": evidence}),
    })
}

/// What the monitor keeps, as rows of text: the events, the facts, the alerts.
async fn kept(store: &Cases) -> Vec<String> {
    let pool = store.db().pool();
    let mut rows = Vec::new();
    for r in sqlx::query("SELECT id, payload_json FROM register_events ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        rows.push(format!(
            "event {} {}",
            r.get::<String, _>("id"),
            r.get::<String, _>("payload_json")
        ));
    }
    for r in
        sqlx::query("SELECT permit_id, facts, updated_at FROM monitored_permits ORDER BY permit_id")
            .fetch_all(pool)
            .await
            .unwrap()
    {
        rows.push(format!(
            "permit {} {:?} {}",
            r.get::<String, _>("permit_id"),
            r.get::<Vec<u8>, _>("facts"),
            r.get::<i64, _>("updated_at")
        ));
    }
    for r in sqlx::query("SELECT id, state, condition_id FROM monitoring_alerts ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        rows.push(format!(
            "alert {} {} {}",
            r.get::<String, _>("id"),
            r.get::<String, _>("state"),
            r.get::<String, _>("condition_id")
        ));
    }
    rows
}

async fn ingest(monitor: &Monitor, events: &[RegisterEvent]) -> IngestReport {
    let mut total = IngestReport::default();
    for chunk in events.chunks(5_000) {
        let r = monitor
            .ingest(chunk, &Actor::Operator("test".into()), "test")
            .await
            .unwrap();
        total.received += r.received;
        total.new += r.new;
        total.permits_checked += r.permits_checked;
        total.alerts_opened += r.alerts_opened;
        total.alerts_closed += r.alerts_closed;
    }
    total
}

/// Two months of a population's events reach the permits they are about and open alerts;
/// taken in again, they change nothing: no new event, no fact, no alert.
#[tokio::test]
async fn a_generated_month_taken_in_twice_changes_nothing_the_second_time() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Cases::open_data_dir(tmp.path()).await.unwrap();
    let book = Arc::new(polku_rules::RuleBook::load_dir(&repo().join("rules")).unwrap());
    let monitor = Monitor::new(store.clone(), LiveRules::from(book));
    let population = Population::generate(2026, 4_000);
    let permits: Vec<_> = population
        .persons
        .iter()
        .filter_map(|p| permit_of(&population, p))
        .collect();
    assert!(permits.len() > 1_000, "{}", permits.len());
    monitor
        .import(&permits, &Actor::Operator("test".into()), "test")
        .await
        .unwrap();
    let last = Month::of(today()).previous();
    let mut events = population.month_events(last.previous());
    events.extend(population.month_events(last));
    let events = read_json_lines(&json_lines(&events), today()).unwrap();

    let first = ingest(&monitor, &events).await;
    assert_eq!(first.new, events.len());
    assert!(first.permits_checked > 1_000, "{first:?}");
    assert!(first.alerts_opened > 10, "{first:?}");
    let before = kept(&store).await;

    let second = ingest(&monitor, &events).await;
    assert_eq!(second.received, events.len());
    assert_eq!(
        (
            second.new,
            second.permits_checked,
            second.alerts_opened,
            second.alerts_closed
        ),
        (0, 0, 0, 0),
        "{second:?}"
    );
    assert_eq!(kept(&store).await, before);
    store.close().await;
}

fn polku(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_polku"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("polku runs")
}

/// `polku registers events` writes a month that `polku monitor ingest` takes in; the
/// second time nothing is new.
#[test]
fn the_commands_month_is_taken_in_by_monitor_ingest() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let month = Month::of(today()).previous().to_string();
    let args = [
        "registers",
        "events",
        "--month",
        &month,
        "--persons",
        "3000",
    ];
    let written = polku(&args);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let lines = String::from_utf8(written.stdout).unwrap();
    let count = lines.lines().count();
    assert!(count > 1_000, "{count}");
    let note = String::from_utf8_lossy(&written.stderr).to_string();
    assert!(
        note.starts_with(&format!("{count} events in {month} about 3000 persons")),
        "{note}"
    );
    assert_eq!(
        polku(&args).stdout,
        lines.as_bytes(),
        "the same bytes again"
    );
    let file = data.path().join("events.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let file = file.to_str().unwrap();
    let ingest = |expect: String| {
        let out = polku(&["monitor", "ingest", file, "--data-dir", dir]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8(out.stdout).unwrap();
        assert!(said.starts_with(&expect), "{said}");
    };
    ingest(format!("{count} events read, {count} new;"));
    ingest(format!(
        "{count} events read, 0 new; 0 permits re-checked; alerts opened 0, closed 0"
    ));
    let future = polku(&["registers", "events", "--month", "2999-01"]);
    assert_eq!(future.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&future.stderr).contains("has not begun"));
}
