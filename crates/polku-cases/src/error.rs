//! What can go wrong with a case.

use uuid::Uuid;

use crate::case::CaseState;
use crate::handle::StoreError;
use crate::registration::RegistrationError;
use polku_store::CorruptRow;

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("there is no case {0}")]
    NotFound(Uuid),
    #[error("case {case} cannot go from {from} to {to}")]
    InvalidTransition {
        case: Uuid,
        from: CaseState,
        to: CaseState,
    },
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    #[error("the idempotency key was used for another request")]
    KeyReused,
    #[error("there is no permit {0}")]
    NoSuchPermit(Uuid),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CaseError {
    fn from(e: sqlx::Error) -> Self {
        CaseError::Store(StoreError::Sql(e))
    }
}
