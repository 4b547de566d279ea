//! Exchange between authorities (issue 15, ADR 0019), its first part: the authorities,
//! their contact points, and flags.
//!
//! - [`Authority`]: who takes part, how a credential's organisation names it, and which
//!   may raise a flag (the security authorities).
//! - Contact points ([`Exchange::keep_contact_point`]): each authority keeps its own;
//!   every official reads them.
//! - Flags ([`Exchange::raise`], [`Exchange::renew`], [`Exchange::clear`]): on the identity
//!   register's person id; the others see hit / no hit ([`Exchange::hits`], each read in
//!   the disclosure log); a flag in force stops automatic decisions about the person
//!   ([`FlagEvidence`]) and lapses on its last day unless renewed.
//!
//! It meets the rest through polku-cases (its database, its `EvidenceSource`); it knows
//! no HTTP, no register and no simulator.

mod authority;
mod contact_points;
mod evidence;
pub mod flags;

use polku_cases::{Cases, Db};
use polku_store::{CorruptRow, StoreError};

pub use authority::{Authority, NotAnAuthority};
pub use contact_points::ContactPoint;
pub use evidence::{FlagEvidence, PIPELINE_PURPOSE};
pub use flags::{Flag, FlagHit, FlagKind, NewFlag, Raiser};

/// The legal basis the disclosure log records for a read of flags: the Aliens Act's
/// provision on the exchange of information between authorities.
pub const DISCLOSURE_BASIS: &str = "UlkL 84 § (tietojen luovuttaminen viranomaisten kesken)";

/// Why the exchange could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    #[error("{0} raises no flags")]
    MayNotFlag(Authority),
    #[error("there is no flag {0} of yours")]
    NoSuchFlag(uuid::Uuid),
    #[error("flag {0} is cleared")]
    Cleared(uuid::Uuid),
    #[error("contact point {0} is another authority's")]
    NotYours(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
}

impl From<sqlx::Error> for ExchangeError {
    fn from(e: sqlx::Error) -> Self {
        ExchangeError::Store(StoreError::Sql(e))
    }
}

/// The exchange over the cases' database.
#[derive(Clone)]
pub struct Exchange {
    cases: Cases,
}

impl Exchange {
    pub fn new(cases: Cases) -> Exchange {
        Exchange { cases }
    }

    pub(crate) fn db(&self) -> &Db {
        self.cases.db()
    }
}
