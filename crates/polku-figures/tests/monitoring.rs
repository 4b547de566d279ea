//! The monitoring figures from a known set of register events and alerts, on both
//! databases: per day in Finland's time (an event at half past midnight in Helsinki is
//! the next day's, though still the day before in UTC), the alerts by what became of them,
//! and the median time a person took to handle one.

use jiff::Timestamp;
use jiff::civil::date;
use polku_figures::{Figures, MonitoringTotals};
use polku_store::testing::TestDb;

fn helsinki() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()
}

/// Microseconds of a wall-clock time in Helsinki.
fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned(helsinki())
        .unwrap()
        .timestamp()
        .as_microsecond()
}

async fn event(db: &TestDb, id: &str, received: i64) {
    db.raw(&format!(
        "INSERT INTO register_events (id, kind, subject, occurred_on, received_at, batch_id, payload_json)
         VALUES ('{id}', 'emigration', 'sim-0000001', '2026-12-01', {received}, 'b', '{{}}')"
    ))
    .await;
}

async fn alert(db: &TestDb, id: &str, opened: i64, state: &str, closed: Option<i64>) {
    let closed = closed.map_or("NULL".to_owned(), |c| c.to_string());
    db.raw(&format!(
        "INSERT INTO monitoring_alerts (id, permit_id, person, matter, condition_id, rule_set, version, state, opened_at, checked_on, trace_json, closed_at)
         VALUES ('{id}', 'permit-{id}', 'sim-0000001', 'm', 'c', 'r', '1', '{state}', {opened}, '2026-12-01', '{{}}', {closed})"
    ))
    .await;
}

async fn figures_from_known_events_and_alerts(db: &TestDb) {
    // Three events at half past midnight on 7 December in Helsinki (22:30 UTC on the 6th),
    // two on the 5th, one before the week.
    for i in 0..3 {
        event(db, &format!("e7-{i}"), at(2026, 12, 7, 0, 30)).await;
    }
    for i in 0..2 {
        event(db, &format!("e5-{i}"), at(2026, 12, 5, 12, 0)).await;
    }
    event(db, "old", at(2026, 11, 20, 9, 0)).await;
    // Handled by a person in 24 h, 96 h and 6 h this week, 48 h before it; one closed by
    // itself; one still open.
    let (d2, d3, d4) = (
        at(2026, 12, 2, 10, 0),
        at(2026, 12, 3, 10, 0),
        at(2026, 12, 4, 10, 0),
    );
    alert(db, "a1", d2, "confirmed", Some(d3)).await;
    alert(db, "a2", d2, "dismissed", Some(at(2026, 12, 6, 10, 0))).await;
    alert(db, "a3", d3, "closed", Some(d4)).await;
    alert(db, "a4", at(2026, 12, 7, 0, 30), "open", None).await;
    alert(
        db,
        "a5",
        at(2026, 11, 10, 8, 0),
        "dismissed",
        Some(at(2026, 11, 12, 8, 0)),
    )
    .await;
    alert(
        db,
        "a6",
        at(2026, 12, 4, 12, 0),
        "confirmed",
        Some(at(2026, 12, 4, 18, 0)),
    )
    .await;

    let now = Timestamp::from_microsecond(at(2026, 12, 7, 10, 0)).unwrap();
    let f = Figures::new(db.db.clone())
        .monitoring_figures(now, 7, &helsinki())
        .await
        .unwrap();
    let days: Vec<(String, [i64; 5])> = f
        .days
        .iter()
        .map(|d| {
            (
                d.day.to_string(),
                [d.events, d.opened, d.confirmed, d.dismissed, d.closed],
            )
        })
        .collect();
    let expected = [
        ("2026-12-01", [0, 0, 0, 0, 0]),
        ("2026-12-02", [0, 2, 0, 0, 0]),
        ("2026-12-03", [0, 1, 1, 0, 0]),
        ("2026-12-04", [0, 1, 1, 0, 1]),
        ("2026-12-05", [2, 0, 0, 0, 0]),
        ("2026-12-06", [0, 0, 0, 1, 0]),
        ("2026-12-07", [3, 1, 0, 0, 0]),
    ]
    .map(|(d, n)| (d.to_owned(), n));
    assert_eq!(days, expected);
    assert_eq!(
        f.recent,
        MonitoringTotals {
            events: 5,
            opened: 5,
            confirmed: 2,
            dismissed: 1,
            closed: 1,
            handled: 3,
            median_hours_to_handle: Some(24.0),
        }
    );
    assert_eq!(
        f.all_time,
        MonitoringTotals {
            events: 6,
            opened: 6,
            confirmed: 2,
            dismissed: 2,
            closed: 1,
            handled: 4,
            median_hours_to_handle: Some(36.0),
        }
    );
    assert_eq!(f.all_time.median_days_to_handle(), Some(1.5));
    assert_eq!(f.open_now, 1);
}

polku_store::on_every_database!(known, figures_from_known_events_and_alerts);

async fn nothing_yet_is_zeros_and_no_median(db: &TestDb) {
    let now = Timestamp::from_microsecond(at(2026, 12, 7, 10, 0)).unwrap();
    let f = Figures::new(db.db.clone())
        .monitoring_figures(now, 14, &helsinki())
        .await
        .unwrap();
    assert_eq!(f.days.len(), 14);
    assert_eq!(f.days[13].day, date(2026, 12, 7));
    assert!(f.days.iter().all(|d| d.events == 0 && d.opened == 0));
    assert_eq!(f.all_time, MonitoringTotals::default());
    assert_eq!(f.all_time.median_days_to_handle(), None);
}

polku_store::on_every_database!(empty, nothing_yet_is_zeros_and_no_median);
