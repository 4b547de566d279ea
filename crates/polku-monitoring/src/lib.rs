//! Monitoring a granted permit's conditions through its validity ("jälkivalvonta").
//!
//! The flow: a permit is granted ([`Monitor::follow_grants`] reads the cases' domain
//! events) → its facts start as the evidence it was granted on → register events arrive
//! in batches ([`Monitor::ingest`], from the API or `polku monitor ingest FILE`), each
//! kept once by its id, and change the facts of the permits they touch → those permits
//! are re-checked against the monitoring rule set in force on the event's day → a watched
//! condition that stops holding opens an [`Alert`] with its trace; an alert closes itself
//! when the condition holds again → a person confirms an alert (a re-examination case
//! opens in the handlers' queue) or dismisses it. The machine never changes a permit.

mod alert;
mod bulk;
pub mod compact;
mod employers;
mod error;
pub mod event;
pub mod facts;
mod feed;
mod history;
mod holder;
pub mod indicators;
mod monitor;
mod queue;
mod sql;
mod state;
mod watched;

pub use alert::{Alert, AlertState, HOLDS_AGAIN, IngestReport};
pub use bulk::{ImportedPermit, MatterCounts, Progress, RecheckReport};
pub use employers::{EmployerIndicators, INDICATORS_PURPOSE};
pub use event::{EventBody, EventError, MAX_BATCH, RegisterEvent, Subject, read_json_lines};
pub use facts::Facts;
pub use feed::{MAX_FEED_READ, RegisterCursor};
pub use history::{EmployerMonth, IndicatorMonth, RECORD_PURPOSE};
pub use holder::{
    ANSWER_DAYS, AnswerError, HolderAnswer, HolderGround, HolderReexamination, MAX_ANSWER,
    withheld_from_holder,
};
pub use monitor::{Monitor, MonitorError, PROCESSING_BASIS, WRITE_BACK_AT};
pub use queue::{AlertFilter, AlertPage, MAX_PAGE};
