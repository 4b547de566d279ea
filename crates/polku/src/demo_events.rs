//! `polku serve --demo`'s registers reporting: beside the population's applications, a
//! steady trickle of register events about the demo's new permit holders reaches the
//! monitor, as a register's system would send them, so that alerts open while one watches.
//!
//! The feed follows the grants in the cases' domain events (`PermitGranted`) with a cursor
//! of its own. A demo compresses time: for each new holder it plays at once the register
//! events of the three months the synthetic world gives them after a grant
//! (`polku_simulators::streams`: pay reports, moves, emigration, convictions, entry bans,
//! SIS alerts, the end of studies, their employer's bankruptcy or deregistration), dated
//! today, because the monitor applies events from the permit's first day on. The events keep
//! their stable ids: a restarted demo on the same data changes nothing by replaying them.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Date;
use polku_access::{Access, Role};
use polku_cases::{Cases, DomainEvent, EventCursor, MAX_EVENTS_PER_READ};
use polku_monitoring::{IngestReport, Monitor, RegisterEvent};
use polku_simulators::Population;
use polku_simulators::population::person_index;
use polku_simulators::streams::{Month, StreamEvent};
use tokio::sync::watch;

/// How often the feed looks for new holders and sends what it has.
pub const FEED_EVERY: Duration = Duration::from_secs(2);
/// At most this many holders' events in one batch (one transaction, one use-log line).
pub const HOLDERS_PER_BATCH: usize = 200;
/// Months of a holder's story played at once.
pub const MONTHS_PLAYED: i32 = 3;
/// Why the events are processed, for the use log (as the API's register feed says).
pub const PURPOSE: &str = "monitoring of residence permit conditions (UlkL 58 §)";

/// What the feed sent, in total.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fed {
    pub holders: usize,
    pub events: usize,
    pub new: usize,
    pub alerts_opened: usize,
    pub alerts_closed: usize,
}

impl Fed {
    fn add(&mut self, holders: usize, r: &IngestReport) {
        self.holders += holders;
        self.events += r.received;
        self.new += r.new;
        self.alerts_opened += r.alerts_opened;
        self.alerts_closed += r.alerts_closed;
    }
}

/// The register events of `holders` (persons of `population` granted a permit `today`):
/// the months [`MONTHS_PLAYED`] after a grant three months back, dated `today`, with their
/// employers' endings in those months, each id once.
pub fn holder_events(population: &Population, holders: &[u32], today: Date) -> Vec<StreamEvent> {
    let since = Month::of(today).plus(-MONTHS_PLAYED);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for &i in holders {
        let Some(p) = population.persons.get(i as usize) else {
            continue;
        };
        let employer = p
            .employer
            .and_then(|e| population.employers.get(e as usize));
        for k in 1..=MONTHS_PLAYED {
            let month = since.plus(k);
            let employer_events = employer
                .map(|e| population.employer_events(e, month))
                .unwrap_or_default();
            for event in population
                .person_events(p, since, month)
                .into_iter()
                .chain(employer_events)
            {
                if seen.insert(event.id.clone()) {
                    out.push(event.dated(today));
                }
            }
        }
    }
    out
}

/// Feeds the monitor until `stop`; logs each batch and, at the end, the totals.
pub async fn feed(
    store: Cases,
    monitor: Monitor,
    population: Arc<Population>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Fed> {
    // The register's system, as the API's register feed is: a user of its own.
    let feed_user = Access::new(store.db().clone())
        .add_user(
            "Simulated registers (demo)",
            Role::RegisterFeed,
            Some("Synthetic population registers (demo)"),
            None,
        )
        .await?;
    let actor = polku_audit::Actor::User(feed_user);
    let mut cursor = EventCursor::START;
    let mut waiting: VecDeque<u32> = VecDeque::new();
    let mut queued: HashSet<u32> = HashSet::new();
    let mut fed = Fed::default();
    tracing::info!(
        every_s = FEED_EVERY.as_secs(),
        months = MONTHS_PLAYED,
        "demo registers report about new permit holders"
    );
    while !*stop.borrow() {
        let _ = tokio::time::timeout(FEED_EVERY, stop.changed()).await;
        if *stop.borrow() {
            break;
        }
        // New holders, from the grants since the cursor.
        loop {
            let read = store.events_after(cursor, MAX_EVENTS_PER_READ).await?;
            for e in &read {
                cursor = e.cursor;
                if let DomainEvent::PermitGranted { person, .. } = &e.event
                    && let Some(i) = person_index(person)
                    && (i as usize) < population.persons.len()
                    && queued.insert(i)
                {
                    waiting.push_back(i);
                }
            }
            if (read.len() as i64) < MAX_EVENTS_PER_READ {
                break;
            }
        }
        if waiting.is_empty() {
            continue;
        }
        let n = waiting.len().min(HOLDERS_PER_BATCH);
        let holders: Vec<u32> = waiting.drain(..n).collect();
        let today = polku_cases::today_in_finland();
        let events = holder_events(&population, &holders, today)
            .iter()
            .map(|e| {
                // Through the monitor's own reader, as the API takes them in.
                let event: RegisterEvent = serde_json::from_value(serde_json::to_value(e)?)?;
                Ok(event)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if events.is_empty() {
            continue;
        }
        monitor.follow_grants().await?;
        let r = monitor.ingest(&events, &actor, PURPOSE).await?;
        fed.add(holders.len(), &r);
        tracing::info!(
            holders = holders.len(),
            events = r.received,
            new = r.new,
            permits_checked = r.permits_checked,
            alerts_opened = r.alerts_opened,
            alerts_closed = r.alerts_closed,
            total_events = fed.events,
            total_alerts_opened = fed.alerts_opened,
            "demo register events"
        );
    }
    tracing::info!(
        holders = fed.holders,
        events = fed.events,
        alerts_opened = fed.alerts_opened,
        alerts_closed = fed.alerts_closed,
        "demo register feed stopped"
    );
    Ok(fed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holders_months_are_dated_today_and_every_event_reads() {
        let population = Population::generate(2026, 2_000);
        let today = jiff::civil::date(2026, 12, 7);
        let holders: Vec<u32> = (0..2_000).collect();
        let events = holder_events(&population, &holders, today);
        assert!(events.len() > 3_000, "{}", events.len());
        let ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), events.len());
        for e in &events {
            assert_eq!(e.occurred_on, today);
            let read: RegisterEvent =
                serde_json::from_value(serde_json::to_value(e).unwrap()).unwrap();
            read.check(today).unwrap();
        }
        assert_eq!(events, holder_events(&population, &holders, today));
    }
}
