//! What the identity register answers with, read back typed from what it stored.

use polku_identity::links::Colour;
use polku_identity::persons::PersonId;
use polku_identity::{Explanation, IdentityRecord, RawRecord};
use polku_store::CorruptRow;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A record as the register holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedRecord {
    /// Its place in the order of arrival.
    pub seq: u64,
    pub record: IdentityRecord,
    /// The source's own key of the person (an applicant's id), where it has one.
    pub subject: Option<String>,
    pub person: PersonId,
    pub registered_at: i64,
}

/// A link between two records, with its evidence and, once judged, the verdict's author.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub left: u64,
    pub right: u64,
    pub colour: Colour,
    pub explanation: Explanation,
    pub created_at: i64,
    /// The official whose verdict the colour is; `None`: the machine's.
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

/// Where a person stands: what the pipeline needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub person: PersonId,
    /// Yellow links touching the person's records: a person has still to check them.
    pub open: u32,
    /// Red links: a multiple identity confirmed.
    pub red: u32,
}

impl Standing {
    /// Whether an identity conflict is open or confirmed: no automatic decision then.
    pub fn conflict(&self) -> bool {
        self.open > 0 || self.red > 0
    }
}

/// One entry in a person's identity history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdentityChange {
    /// A record arrived and is this person's.
    Registered { record: u64, source: String },
    /// A new person.
    Created { records: Vec<u64> },
    /// Records joined from another person (a merge's or split's part).
    MovedIn { from: PersonId, records: Vec<u64> },
    /// Records left for another person.
    MovedOut { to: PersonId, records: Vec<u64> },
    /// Another person is this one: their id is now an alias of this.
    Absorbed { alias: PersonId },
    /// This person's id is now an alias of another's.
    MergedInto { person: PersonId },
    /// The machine linked two records, one of them this person's.
    Linked {
        left: u64,
        right: u64,
        colour: Colour,
    },
    /// An official judged a link touching this person's records.
    Judged {
        left: u64,
        right: u64,
        colour: Colour,
        by: Uuid,
    },
    /// A link the machine had made white was opened for a person to check again, when an
    /// official judged two of the records it joined to be different people.
    Reopened { left: u64, right: u64 },
}

impl IdentityChange {
    /// As stored in `identity_changes.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            IdentityChange::Registered { .. } => "registered",
            IdentityChange::Created { .. } => "created",
            IdentityChange::MovedIn { .. } => "moved_in",
            IdentityChange::MovedOut { .. } => "moved_out",
            IdentityChange::Absorbed { .. } => "absorbed",
            IdentityChange::MergedInto { .. } => "merged_into",
            IdentityChange::Linked { .. } => "linked",
            IdentityChange::Judged { .. } => "judged",
            IdentityChange::Reopened { .. } => "reopened",
        }
    }
}

/// A dated entry of a person's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: i64,
    pub change: IdentityChange,
    /// The audit chain's row that records it.
    pub audit_seq: i64,
}

/// A person as the register knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonView {
    pub person: PersonId,
    /// The id asked for, where it was an alias of this person.
    pub asked_as: Option<PersonId>,
    pub records: Vec<LinkedRecord>,
    /// The records of other persons that links reach.
    pub others: Vec<LinkedRecord>,
    /// Every link touching the person's records, the other side's included.
    pub links: Vec<Link>,
    pub history: Vec<HistoryEntry>,
    pub standing: Standing,
}

pub(crate) fn record_of(
    seq: i64,
    raw: &str,
    subject: Option<String>,
    person: i64,
    registered_at: i64,
) -> Result<LinkedRecord, CorruptRow> {
    let bad = |detail: String| CorruptRow::new("identity_records", seq, "record", detail);
    let raw: RawRecord = serde_json::from_str(raw).map_err(|e| bad(e.to_string()))?;
    let record = raw
        .checked()
        .map_err(|(field, problem)| bad(format!("{field} {problem}")))?;
    Ok(LinkedRecord {
        seq: seq as u64,
        record,
        subject,
        person: PersonId(person as u64),
        registered_at,
    })
}

/// A link row: left, right, colour, explanation, created, decided by, at, reason.
pub(crate) type LinkRow = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

pub(crate) const LINK_COLUMNS: &str =
    "left_seq, right_seq, colour, explanation, created_at, decided_by, decided_at, reason";

pub(crate) fn link_of(row: LinkRow) -> Result<Link, CorruptRow> {
    let (left, right, colour, explanation, created_at, decided_by, decided_at, reason) = row;
    let key = format!("{left}-{right}");
    let colour = Colour::parse(&colour)
        .ok_or_else(|| CorruptRow::new("identity_links", &key, "colour", &colour))?;
    let explanation: Explanation = serde_json::from_str(&explanation)
        .map_err(|e| CorruptRow::new("identity_links", &key, "explanation", e))?;
    let decided_by = decided_by
        .map(|u| polku_store::codec::uuid("identity_links", &key, "decided_by", &u))
        .transpose()?;
    Ok(Link {
        left: left as u64,
        right: right as u64,
        colour,
        explanation,
        created_at,
        decided_by,
        decided_at,
        reason,
    })
}
