//! The register events as a feed another part follows with a cursor of its own — the
//! shape of the cases' domain events (typed, in an outbox, read after a cursor, none
//! missed) kept in `register_events` itself, so that a month's million events are not
//! written twice. Batches are numbered in the order they commit (each claims the
//! monitoring first, so no batch commits before an older one), and a reader that has
//! seen batch `n` never finds another event in it or before it.
//!
//! What follows from the events for a person's case goes through the cases' own domain
//! events: a re-examination opened on a confirmed alert is `ReexaminationOpened`.

use serde::Serialize;
use sqlx::Row;

use crate::error::MonitorError;
use crate::event::RegisterEvent;
use crate::monitor::Monitor;
use polku_store::CorruptRow;

/// Where a reader is in the register events: after the event it handled last.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RegisterCursor {
    /// The batch that took the event in (0: before batches were numbered).
    pub seq: i64,
    /// The event's id: events of a batch are read in the order of their ids.
    pub id: String,
}

impl RegisterCursor {
    /// Before the first event.
    pub fn start() -> RegisterCursor {
        RegisterCursor {
            seq: -1,
            id: String::new(),
        }
    }
}

/// The most events one read returns.
pub const MAX_FEED_READ: usize = 10_000;

impl Monitor {
    /// At most `limit` (up to [`MAX_FEED_READ`]) register events stored after `after`, in
    /// the order they were taken in, each with the cursor to read on from.
    pub async fn register_events_after(
        &self,
        after: &RegisterCursor,
        limit: usize,
    ) -> Result<Vec<(RegisterCursor, RegisterEvent)>, MonitorError> {
        let limit = i64::try_from(limit.min(MAX_FEED_READ)).unwrap_or(0);
        let rows = sqlx::query(
            "SELECT seq, id, payload_json FROM register_events
             WHERE seq >= $1 AND (seq > $1 OR id > $2)
             ORDER BY seq, id LIMIT $3",
        )
        .bind(after.seq)
        .bind(&after.id)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let payload: String = r.try_get("payload_json")?;
                let event: RegisterEvent = serde_json::from_str(&payload)
                    .map_err(|e| CorruptRow::new("register_events", &id, "payload_json", e))?;
                Ok((
                    RegisterCursor {
                        seq: r.try_get("seq")?,
                        id,
                    },
                    event,
                ))
            })
            .collect()
    }
}
