//! The identity register (issue 14, ADR 0017): identity records from every source —
//! asylum registration, permit applications, border checks, the police — linked into
//! persons by polku-identity's engine, one record at a time.
//!
//! - A record arrives ([`Persons::register`]); the engine finds the records it may be the
//!   same person as, and each pair likely enough becomes a link: **white** by the machine
//!   only where the evidence is overwhelming and nothing speaks against it, **yellow**
//!   (for a person to check) otherwise.
//! - A person's verdict on a yellow link ([`Persons::decide`]) is white, green or red,
//!   and stands: the pair is never asked again.
//! - Records joined by white or red links are one person. A person's id survives merges
//!   and splits by the survivor rule ([`polku_identity::persons`]), and every change —
//!   a record registered, a link made or judged, a person created, joined, merged or
//!   split — is written to the audit chain in the same transaction.
//! - The pipeline reads a person's standing ([`Persons::standing_of_subject`]) through
//!   [`IdentityEvidence`]: an open yellow link or a red one makes "identity established"
//!   not met, never met.
//!
//! The engine's state (every record's prepared values and blocking keys) is kept in
//! memory, loaded on first use and caught up from the database before each write, so
//! several instances over one database see each other's records.

mod evidence;
mod read;
mod register;
mod views;

use std::sync::Arc;

use polku_cases::Cases;
use polku_identity::index::Matcher;
use polku_identity::links::{Colour, LinkPolicy};
use polku_identity::{Model, Options};
use polku_store::{CorruptRow, StoreError};

pub use evidence::{APPLICANT_SOURCE, IdentityEvidence, PIPELINE_PURPOSE, subject_record};
pub use polku_identity::persons::PersonId;
pub use register::{Acting, NewRecord, Registered, VERDICT_PURPOSE};
pub use views::{HistoryEntry, IdentityChange, Link, LinkedRecord, PersonView, Standing};

/// The model the register scores with unless it is given another: trained by `polku
/// identity train` on the synthetic population's identity records (the file says how),
/// built in.
pub const SHIPPED_MODEL: &str = include_str!("../../../identity/model.json");

/// Why the identity register could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PersonsError {
    #[error("the registers' identity data make no identity record: {0}")]
    BadSubject(String),
    #[error("record {0} is already registered with other contents")]
    RecordIdTaken(String),
    #[error("there is no link between records {0} and {1}")]
    NoSuchLink(u64, u64),
    #[error("the link between records {0} and {1} was already judged {2}")]
    AlreadyDecided(u64, u64, &'static str),
    #[error("a verdict is white, green or red")]
    NotAVerdict,
    #[error("a verdict needs its reason")]
    NoReason,
    #[error(
        "records {0} and {1} are still joined through links people have confirmed: judge those first"
    )]
    Contradicts(u64, u64),
    #[error("there is no person {0}")]
    NoSuchPerson(PersonId),
    #[error("the model was trained for other fields than identity records'")]
    ModelMismatch,
    #[error(transparent)]
    ModelFile(#[from] polku_identity::ModelFileError),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PersonsError {
    fn from(e: sqlx::Error) -> Self {
        PersonsError::Store(StoreError::Sql(e))
    }
}

/// The identity register over the cases' database.
#[derive(Clone)]
pub struct Persons {
    cases: Cases,
    model: Arc<Model>,
    /// How many records the model was trained on: its λ is scaled to the register's size.
    trained_on: usize,
    policy: LinkPolicy,
    max_block: usize,
    /// The engine's state; `None` until first used, and again after a failed write (the
    /// next use loads it afresh).
    state: Arc<tokio::sync::Mutex<Option<register::State>>>,
}

impl Persons {
    /// The register, scoring with `model` (trained on `trained_on` identity records: see
    /// `polku identity train`) and linking by `policy`.
    pub fn new(
        cases: Cases,
        model: Model,
        trained_on: usize,
        policy: LinkPolicy,
    ) -> Result<Persons, PersonsError> {
        let empty = polku_identity::Table::of_identity_records(&[]);
        if !Matcher::fits(&empty, &model) {
            return Err(PersonsError::ModelMismatch);
        }
        Ok(Persons {
            cases,
            model: Arc::new(model),
            trained_on,
            policy,
            max_block: Options::default().max_block,
            state: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// The register scoring with the shipped model ([`SHIPPED_MODEL`]) and the default
    /// link policy: what `serve` runs, and what the tests use.
    pub fn shipped(cases: Cases) -> Result<Persons, PersonsError> {
        let trained = polku_identity::TrainedModel::for_identity_records(SHIPPED_MODEL)?;
        Persons::new(
            cases,
            trained.model,
            trained.records as usize,
            LinkPolicy::default(),
        )
    }

    pub fn policy(&self) -> LinkPolicy {
        self.policy
    }
}

/// A verdict a person gives on a yellow link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// One person; the differences in the data are legitimate.
    White,
    /// Different people whose data are alike.
    Green,
    /// One person under an unjustified multiple identity.
    Red,
}

impl Verdict {
    pub fn colour(self) -> Colour {
        match self {
            Verdict::White => Colour::White,
            Verdict::Green => Colour::Green,
            Verdict::Red => Colour::Red,
        }
    }

    pub fn of(colour: Colour) -> Option<Verdict> {
        match colour {
            Colour::White => Some(Verdict::White),
            Colour::Green => Some(Verdict::Green),
            Colour::Red => Some(Verdict::Red),
            Colour::Yellow => None,
        }
    }
}
