//! Polku's decisions without I/O: what the machine finds for one application under the
//! rules in force on its application date, the rules over time ([`RuleShelf`]), the terms a
//! grant creates, and the two proofs over past records — a [`Replay`] reproduces one
//! decision, a [`Backtest`] shows what a rule change would have changed.
//!
//! Nothing here reads a clock, a database or a network: dates and records come in as
//! arguments (ADR 0010; `crates/polku/tests/architecture.rs` keeps this crate's
//! dependencies pure).

mod backtest;
mod evaluate;
mod explanation;
mod notice;
mod outcome;
mod replay;
mod shelf;
mod terms;

pub use backtest::{Backtest, Backtester, ChangedOutcome, ConditionChange, PastDecision};
pub use evaluate::{Finding, ReferralReason, evaluate, evaluate_outcome};
pub use explanation::{
    DecisionTrace, Explained, Hearing, Shown, StoredCondition, StoredInput, StoredParameter,
    StoredTrace,
};
pub use notice::automated_notice;
pub use outcome::{DecisionOutcome, HumanOutcome};
pub use replay::{Recorded, Replay, compare};
pub use shelf::{ApprovedText, Layer, RuleShelf, ShelfError};
pub use terms::terms_for;
