//! The audit chain: the use, disclosure, decision, rule-change and registration logs in one
//! append-only, tamper-evident hash chain (Information Management Act 17 §), and the signed
//! anchors of its head kept outside the database (ADR 0008).
//!
//! Work appends inside its own transaction with [`append_in`] / [`append_all_in`], so an
//! entry commits or rolls back with what it records; [`AuditChain`] reads, appends on its
//! own and verifies.

mod actor;
mod anchors;
mod chain;

pub use actor::{Actor, NotAnActor};
pub use anchors::{
    Anchor, AnchorError, AnchorFile, AnchorKey, AnchorLine, AnchorProblem, AnchorReport,
    AnchorSchedule, Anchorer, database_tag, key_id,
};
pub use chain::{
    AuditChain, AuditEntry, AuditLog, AuditQuery, AuditRow, ChainBreak, ChainProblem,
    ChainProgress, ChainReport, VERIFY_BATCH, XRoad, append_all_in, append_in,
};
/// The public half of an anchor key, as verifying takes it.
pub use ed25519_dalek::VerifyingKey;
