//! Rule administration: the machine's instructions are kept current by people, four eyes
//! at a time.
//!
//! An official proposes a new text for one rule set with the day it is to take effect.
//! The text must load beside every other rule file and pass its own test cases before it
//! is stored. A legal officer other than the proposer sees its changes, its test results
//! and its backtest — the matter's past automated decisions re-evaluated under it — and
//! approves or rejects it. Approval swaps the live rules ([`LiveRules`]); the text decides
//! applications filed from its effective date, which must be after the day of approval so
//! that no decision already made today is made under other rules than a replay would use.
//!
//! Every step — proposing, backtesting (which reads people's applications), approving,
//! rejecting, withdrawing — is appended to the audit chain in the transaction that makes it.//!
//! The crate sits on top of the cases (whose past decisions a backtest re-evaluates) and
//! is the source of the approved changes that [`LiveRules`] lay over the shipped texts
//! ([`RuleSource`], implemented by [`RuleAdmin`]); the binary wires the two together.

mod figure;
mod proposals;
mod source;

use polku_cases::{Cases, LiveRules};
use polku_store::Db;

pub use figure::{FigureError, MAX_FIGURE, with_figure};
pub use proposals::{
    BACKTEST_MAX_AGE, BacktestCache, NewProposal, ProposalCheck, ProposalError, ProposalState,
    RuleProposal, check_proposal,
};

#[cfg(doc)]
use polku_cases::RuleSource;

/// Rule administration over a database: the proposals, their four-eyes decisions and
/// backtests. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct RuleAdmin {
    cases: Cases,
}

impl RuleAdmin {
    /// Rule administration over `cases`' database.
    pub fn new(cases: Cases) -> RuleAdmin {
        RuleAdmin { cases }
    }

    fn db(&self) -> &Db {
        self.cases.db()
    }
}

impl RuleAdmin {
    /// The live rules of a process on this database: `shipped` with every change approved
    /// here laid over it, each from its effective date.
    pub fn live_rules(&self, shipped: std::sync::Arc<polku_rules::RuleBook>) -> LiveRules {
        LiveRules::new(shipped, std::sync::Arc::new(self.clone()))
    }
}
