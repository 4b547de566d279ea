//! Polku's case processing: the case and its history, the job queue, the decision
//! pipeline and their storage on SQLite (embedded default) or PostgreSQL.
//!
//! The flow: [`Cases::submit`] files an application (case + first event + a job, in one
//! transaction) → a [`Pipeline`] worker claims the job, gathers evidence through an
//! [`EvidenceSource`], evaluates the rule set in force on the application date and records
//! the outcome, the case's transition and the job's completion in one transaction.

pub mod case;
mod cases;
mod decisions;
mod error;
mod events;
mod handle;
mod handling;
mod jobs;
mod live_rules;
mod permits;
mod pipeline;
mod reexamination;
mod registration;
mod requests;
#[cfg(feature = "testing")]
pub mod testing;

pub use case::{CaseState, EventKind};
pub use cases::{
    Actor, Case, CaseError, CaseEvent, CaseSummary, NewApplication, REGISTRATION_DAYS_BACK,
    RegistrationError, check_registration, finland, today_in_finland,
};
pub use decisions::{Decision, ReplayError};
pub use events::{DomainEvent, EventCursor, MAX_EVENTS_PER_READ, RecordedEvent};
pub use handling::{HandlingError, QUEUE_ORDER, QueueFilter, QueueItem};
pub use jobs::{ClaimedJob, JobKind, MAX_ATTEMPTS, QueueDepth};
pub use live_rules::{LiveRules, RuleSource, RulesError, ShippedOnly, SourceFuture};
// The pure decision crate's types, where callers have always found them.
pub use handle::{Cases, Db, Dialect, MIGRATIONS, StoreError, Tx};
pub use permits::{Permit, valid_until};
#[cfg(any(test, feature = "testing"))]
pub use pipeline::SuppliedEvidence;
pub use pipeline::{
    EVIDENCE_ATTEMPTS, EvidenceError, EvidenceSource, Gathered, Pipeline, PipelineError, Preview,
    Processed, SubjectIdentity, preview,
};
pub use polku_decide::{
    ApprovedText, Backtest, ChangedOutcome, DecisionOutcome, DecisionTrace, Hearing, HumanOutcome,
    Layer, ReferralReason, Replay, RuleShelf, ShelfError, Shown, StoredCondition, StoredInput,
    StoredTrace, automated_notice,
};
pub use polku_identity::persons::PersonId;
pub use reexamination::{CasePurpose, NewReexamination};
pub use requests::{
    ANSWER_DAYS, Answer, AnswerError, AttachmentError, AttachmentInfo, DueRequest, InfoRequest,
    MACHINE_ANSWER_DAYS, MAX_ANSWER_CHARS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MediaType,
    NewRequest, RequestKind, StoredAttachment, Upload, check_upload,
};
