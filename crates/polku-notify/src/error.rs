use polku_cases::CaseError;
use polku_store::{CorruptRow, StoreError};

/// What went wrong while notifying (not the sending itself: see [`SendError`]).
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Cases(#[from] CaseError),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for NotifyError {
    fn from(e: sqlx::Error) -> Self {
        NotifyError::Store(StoreError::Sql(e))
    }
}

/// Why a channel did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// It may work later (the relay or the service is down, a timeout): tried again.
    #[error("could not send now: {0}")]
    Transient(String),
    /// The person has no mailbox in the messages service (has not taken it into use).
    #[error("the person has no mailbox in the messages service")]
    NoMailbox,
    /// Refused for good (a bad address, a message the service does not take).
    #[error("refused: {0}")]
    Refused(String),
}
