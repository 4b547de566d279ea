//! Domain events: one typed model of what happened to a case, a decision and a permit, and
//! to whom, which every part can follow (ADR 0010, "Room for new parts").
//!
//! Each event is written by the transaction that makes it happen — filing, a move of the
//! case, a decision, a grant — into `domain_events` (an outbox), as one batch just before
//! the commit. A part follows them with a cursor of its own ([`Cases::events_after`]) and
//! misses none: monitoring follows grants, the exchange publishes outward, the key figures
//! may count. No lock orders the writers: on PostgreSQL a batch is keyed by its
//! transaction's id, and a reader reads only the batches of transactions older than every
//! transaction still running (its snapshot's xmin), so no batch can later appear before a
//! cursor already handed out; on SQLite the writers take turns and a batch is keyed by one
//! more than the last.

use polku_decide::DecisionOutcome;
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::error::CaseError;
use crate::handle::{Cases, Dialect, now_micros};
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
    /// A person opened a re-examination of a granted permit.
    ReexaminationOpened {
        case: Uuid,
        person: String,
        permit: Uuid,
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
            DomainEvent::ReexaminationOpened { .. } => "reexamination_opened",
        }
    }

    /// The case it happened to.
    pub fn case(&self) -> Uuid {
        match self {
            DomainEvent::CaseFiled { case, .. }
            | DomainEvent::CaseMoved { case, .. }
            | DomainEvent::Decided { case, .. }
            | DomainEvent::PermitGranted { case, .. }
            | DomainEvent::ReexaminationOpened { case, .. } => *case,
        }
    }

    /// The person the case is about.
    pub fn person(&self) -> &str {
        match self {
            DomainEvent::CaseFiled { person, .. }
            | DomainEvent::CaseMoved { person, .. }
            | DomainEvent::Decided { person, .. }
            | DomainEvent::PermitGranted { person, .. }
            | DomainEvent::ReexaminationOpened { person, .. } => person,
        }
    }
}

/// Where a reader is in the events: after the event it handled last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventCursor {
    /// The batch: its transaction.
    pub tx: i64,
    /// The event's place in its batch.
    pub n: i64,
}

impl EventCursor {
    /// Before the first event.
    pub const START: EventCursor = EventCursor { tx: 0, n: -1 };
}

/// An event as recorded: its place in the order, when, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    /// Pass it to [`Cases::events_after`] once this event is handled.
    pub cursor: EventCursor,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub event: DomainEvent,
    /// The identity register's id of the person the case is about, as the case had it
    /// when the event was written (`None`: not yet resolved; the event's `person` is the
    /// alias the case was filed under).
    pub person_id: Option<crate::PersonId>,
}

/// The most events one read returns.
pub const MAX_EVENTS_PER_READ: i64 = 1000;

/// Appends `events` inside `tx` as one batch. Call it last, just before the commit, with
/// everything the transaction did (the writers collect their events into a `Vec` for it).
pub(crate) async fn publish_in(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    events: &[DomainEvent],
) -> Result<(), CaseError> {
    if events.is_empty() {
        return Ok(());
    }
    let batch = match dialect {
        // The transaction's own id (it has written already, so it has one).
        Dialect::Postgres => "SELECT pg_current_xact_id()::text::bigint AS tx",
        // The writers take turns (BEGIN IMMEDIATE): one more than the last batch.
        Dialect::Sqlite => "SELECT COALESCE(MAX(tx), 0) + 1 AS tx FROM domain_events",
    };
    let batch: i64 = sqlx::query(batch)
        .fetch_one(&mut **tx)
        .await?
        .try_get("tx")?;
    let at = now_micros();
    let mut sql = String::from(
        "INSERT INTO domain_events (tx, n, at, kind, case_id, person, event_json, person_id) VALUES ",
    );
    for i in 0..events.len() {
        let p = i * 5;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            // The person id the case has as the event is written.
            "($1, ${}, $2, ${}, ${}, ${}, ${}, (SELECT person_id FROM cases WHERE id = ${}))",
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7,
            p + 5
        ));
    }
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(batch).bind(at);
    for (i, e) in events.iter().enumerate() {
        let json = serde_json::to_string(e).map_err(|err| {
            CaseError::Corrupt(CorruptRow::new(
                "domain_events",
                format!("{batch}.{i}"),
                "event_json",
                err.to_string(),
            ))
        })?;
        insert = insert
            .bind(i as i64)
            .bind(e.kind())
            .bind(e.case().to_string())
            .bind(e.person().to_owned())
            .bind(json);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

impl Cases {
    /// Waits, at most `timeout`, until every event committed before the call can be read
    /// (on PostgreSQL: until every transaction older than the newest batch has ended; on
    /// SQLite at once). Returns whether it got there. For a caller that wrote and must read
    /// its own events next — a test, a command that files and then follows.
    pub async fn events_settled(&self, timeout: std::time::Duration) -> Result<bool, CaseError> {
        if self.db.dialect() == Dialect::Sqlite {
            return Ok(true);
        }
        let until = std::time::Instant::now() + timeout;
        let newest: i64 = sqlx::query("SELECT COALESCE(MAX(tx), 0) AS tx FROM domain_events")
            .fetch_one(self.db.pool())
            .await?
            .try_get("tx")?;
        loop {
            let xmin: i64 =
                sqlx::query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin")
                    .fetch_one(self.db.pool())
                    .await?
                    .try_get("xmin")?;
            if newest < xmin {
                return Ok(true);
            }
            if std::time::Instant::now() >= until {
                return Ok(false);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The events after `cursor` ([`EventCursor::START`]: from the first), oldest first, at
    /// most `limit` ([`MAX_EVENTS_PER_READ`] at most). A reader passes the cursor of the
    /// last event it handled. On PostgreSQL an event shows once every transaction that
    /// began writing before its own has ended (usually milliseconds).
    pub async fn events_after(
        &self,
        cursor: EventCursor,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, CaseError> {
        let sql = match self.db.dialect() {
            Dialect::Postgres => {
                "SELECT tx, n, at, event_json, person_id FROM domain_events
                 WHERE (tx, n) > ($1, $2)
                   AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 ORDER BY tx, n LIMIT $3"
            }
            Dialect::Sqlite => {
                "SELECT tx, n, at, event_json, person_id FROM domain_events
                 WHERE (tx, n) > ($1, $2) ORDER BY tx, n LIMIT $3"
            }
        };
        let rows = sqlx::query(sql)
            .bind(cursor.tx)
            .bind(cursor.n)
            .bind(limit.clamp(1, MAX_EVENTS_PER_READ))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let cursor = EventCursor {
                    tx: r.try_get("tx")?,
                    n: r.try_get("n")?,
                };
                let json: String = r.try_get("event_json")?;
                let event = serde_json::from_str(&json).map_err(|e| {
                    CorruptRow::new(
                        "domain_events",
                        format!("{}.{}", cursor.tx, cursor.n),
                        "event_json",
                        e.to_string(),
                    )
                })?;
                let person_id = crate::handle::stored_person(
                    "domain_events",
                    format!("{}.{}", cursor.tx, cursor.n),
                    r.try_get("person_id")?,
                )?;
                Ok(RecordedEvent {
                    cursor,
                    person_id,
                    at: r.try_get("at")?,
                    event,
                })
            })
            .collect()
    }
}
