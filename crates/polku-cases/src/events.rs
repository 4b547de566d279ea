//! Domain events: one typed model of what happened to a case, a decision and a permit, and
//! to whom, which every part can follow (ADR 0010, "Room for new parts").
//!
//! Each event is written by the transaction that makes it happen — filing, a move of the
//! case, a decision, a grant — into `domain_events` (an outbox), numbered in commit order
//! by one head row, so a part that has read up to event `n` has seen every event before it
//! and misses none later: monitoring follows grants, the exchange publishes outward, the
//! key figures may count. A reader keeps its own cursor ([`Cases::events_after`]).

use polku_decide::DecisionOutcome;
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::cases::CaseError;
use crate::handle::{Cases, now_micros};
use polku_store::CorruptRow;

/// What happened. Every event names its case and the person the case is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DomainEvent {
    /// An application was filed (by its applicant, or registered by an official).
    CaseFiled {
        case: Uuid,
        person: String,
        matter: String,
    },
    /// A case moved from one state to another.
    CaseMoved {
        case: Uuid,
        person: String,
        from: CaseState,
        to: CaseState,
        kind: EventKind,
    },
    /// A decision was recorded: the machine's or a person's.
    Decided {
        case: Uuid,
        person: String,
        decision: Uuid,
        outcome: DecisionOutcome,
        automated: bool,
    },
    /// A permit was granted.
    PermitGranted {
        case: Uuid,
        person: String,
        permit: Uuid,
        kind: Option<String>,
        valid_until: Option<String>,
    },
}

impl DomainEvent {
    /// The event's kind as stored (for filtering without reading the JSON).
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::CaseFiled { .. } => "case_filed",
            DomainEvent::CaseMoved { .. } => "case_moved",
            DomainEvent::Decided { .. } => "decided",
            DomainEvent::PermitGranted { .. } => "permit_granted",
        }
    }

    /// The case it happened to.
    pub fn case(&self) -> Uuid {
        match self {
            DomainEvent::CaseFiled { case, .. }
            | DomainEvent::CaseMoved { case, .. }
            | DomainEvent::Decided { case, .. }
            | DomainEvent::PermitGranted { case, .. } => *case,
        }
    }

    /// The person the case is about.
    pub fn person(&self) -> &str {
        match self {
            DomainEvent::CaseFiled { person, .. }
            | DomainEvent::CaseMoved { person, .. }
            | DomainEvent::Decided { person, .. }
            | DomainEvent::PermitGranted { person, .. } => person,
        }
    }
}

/// An event as recorded: its place in the order, when, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    /// The cursor: events are numbered 1, 2, 3 … in commit order.
    pub seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub event: DomainEvent,
}

/// The most events one read returns.
pub const MAX_EVENTS_PER_READ: i64 = 1000;

/// Appends `events` inside `tx`, numbered after every event committed before. The head
/// row's lock is held until `tx` ends, so numbers follow the commit order.
pub(crate) async fn publish_in(
    tx: &mut Transaction<'_, Any>,
    events: &[DomainEvent],
) -> Result<(), CaseError> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    let head =
        sqlx::query("UPDATE domain_event_head SET seq = seq + $1 WHERE id = 1 RETURNING seq")
            .bind(n)
            .fetch_one(&mut **tx)
            .await?;
    let last: i64 = head.try_get("seq")?;
    let at = now_micros();
    let mut sql = String::from(
        "INSERT INTO domain_events (seq, at, kind, case_id, person, event_json) VALUES ",
    );
    for i in 0..events.len() {
        let p = i * 6;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6
        ));
    }
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, e) in events.iter().enumerate() {
        let json = serde_json::to_string(e).map_err(|err| {
            CaseError::Corrupt(CorruptRow::new(
                "domain_events",
                (last - n + 1 + i as i64).to_string(),
                "event_json",
                err.to_string(),
            ))
        })?;
        insert = insert
            .bind(last - n + 1 + i as i64)
            .bind(at)
            .bind(e.kind())
            .bind(e.case().to_string())
            .bind(e.person().to_owned())
            .bind(json);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

impl Cases {
    /// The events after `cursor` (0: from the first), oldest first, at most `limit`
    /// ([`MAX_EVENTS_PER_READ`] at most). A reader passes the last `seq` it handled.
    pub async fn events_after(
        &self,
        cursor: i64,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, CaseError> {
        let rows = sqlx::query(
            "SELECT seq, at, event_json FROM domain_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(cursor)
        .bind(limit.clamp(1, MAX_EVENTS_PER_READ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                let json: String = r.try_get("event_json")?;
                let event = serde_json::from_str(&json).map_err(|e| {
                    CorruptRow::new(
                        "domain_events",
                        seq.to_string(),
                        "event_json",
                        e.to_string(),
                    )
                })?;
                Ok(RecordedEvent {
                    seq,
                    at: r.try_get("at")?,
                    event,
                })
            })
            .collect()
    }
}
