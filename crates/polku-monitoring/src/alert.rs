//! Alerts: a watched condition that stopped holding, for a person.

use polku_audit::Actor;
use polku_decide::Explained;
use serde::Serialize;
use uuid::Uuid;

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Waiting for a person.
    Open,
    /// A person confirmed it: a re-examination case was opened.
    Confirmed,
    /// A person dismissed it, with reasons.
    Dismissed,
    /// The condition holds again: closed by the monitor, with a record.
    Closed,
}

impl AlertState {
    pub const ALL: [AlertState; 4] = [
        AlertState::Open,
        AlertState::Confirmed,
        AlertState::Dismissed,
        AlertState::Closed,
    ];

    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Confirmed => "confirmed",
            AlertState::Dismissed => "dismissed",
            AlertState::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<AlertState> {
        AlertState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why an alert was closed by the monitor.
pub const HOLDS_AGAIN: &str = "holds_again";

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: Uuid,
    pub permit: Uuid,
    /// The permit holder.
    pub person: String,
    /// The matter the permit was granted in.
    pub matter: String,
    /// The watched condition that stopped holding.
    pub condition: String,
    /// The monitoring rule set and its version that found it.
    pub rule_set: String,
    pub version: String,
    pub state: AlertState,
    /// Microseconds since the Unix epoch.
    pub opened_at: i64,
    /// The day whose rules and figures applied (the latest event's day).
    pub checked_on: String,
    /// The condition's finding in fi, sv and en: its values, their register and time,
    /// the legal basis.
    pub trace: Explained,
    pub closed_at: Option<i64>,
    #[serde(serialize_with = "as_text")]
    pub closed_by: Option<Actor>,
    /// A person's reasons, or [`HOLDS_AGAIN`].
    pub close_reason: Option<String>,
    /// The re-examination case a confirmation opened.
    pub reexamination_case: Option<Uuid>,
}

fn as_text<S: serde::Serializer>(actor: &Option<Actor>, s: S) -> Result<S::Ok, S::Error> {
    match actor {
        Some(a) => s.serialize_str(&a.to_string()),
        None => s.serialize_none(),
    }
}

/// What the monitor did with a batch of events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub batch: Uuid,
    /// Events in the batch.
    pub received: usize,
    /// Events not seen before (the rest were replays and changed nothing).
    pub new: usize,
    /// Monitored permits whose facts the new events changed, each re-checked.
    pub permits_checked: usize,
    pub alerts_opened: usize,
    pub alerts_closed: usize,
    /// New events about nobody monitored yet: kept, and matched when a permit is granted.
    pub kept_for_later: usize,
}
