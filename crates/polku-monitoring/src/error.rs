//! What can go wrong in monitoring.

use polku_store::{CorruptRow, StoreError};
use uuid::Uuid;

use crate::alert::AlertState;
use crate::event::EventError;

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Events(#[from] EventError),
    #[error(transparent)]
    Case(#[from] polku_cases::CaseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error("there is no alert {0}")]
    NoSuchAlert(Uuid),
    #[error("alert {alert} is {state:?}, not open")]
    NotOpen { alert: Uuid, state: AlertState },
    #[error("reasons are required")]
    NoReasons,
    #[error("the work stopped: {0}")]
    Interrupted(String),
    #[error("permit {permit}: its facts do not fit the input schema: {problem}")]
    Import { permit: Uuid, problem: String },
}

impl From<sqlx::Error> for MonitorError {
    fn from(e: sqlx::Error) -> Self {
        MonitorError::Store(StoreError::Sql(e))
    }
}
