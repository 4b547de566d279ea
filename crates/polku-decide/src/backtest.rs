//! A rule change tested against the past: every past automated decision of a matter is
//! re-evaluated from its own record, and the outcomes that would change are listed.

use jiff::civil::Date;
use polku_rules::{Application, Outcome, RuleBook};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::evaluate::evaluate_outcome;

/// One past automated decision, as its record holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct PastDecision {
    pub decision: Uuid,
    pub case_id: Uuid,
    /// The outcome recorded.
    pub outcome: Outcome,
    /// The date whose rules applied (`None`: unreadable; such a record is counted and
    /// compared only when every decision is evaluated on one day).
    pub evaluated_on: Option<Date>,
    /// The application and its evidence as used.
    pub input: Value,
    /// The registers that stayed silent.
    pub unanswered: Vec<String>,
}

/// An outcome a proposed rule set would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedOutcome {
    pub decision: Uuid,
    pub case_id: Uuid,
    pub evaluated_on: String,
    pub before: String,
    pub after: String,
}

/// What re-evaluating a matter's past automated decisions under proposed rules showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backtest {
    pub matter: String,
    /// Past automated decisions re-evaluated.
    pub evaluated: usize,
    /// Those whose outcome would differ, oldest first.
    pub changed: Vec<ChangedOutcome>,
}

/// A backtest in progress, fed one past decision at a time (so a caller streaming records
/// never holds them all).
pub struct Backtester<'r> {
    current: &'r RuleBook,
    proposal: &'r RuleBook,
    on: Option<Date>,
    result: Backtest,
}

impl<'r> Backtester<'r> {
    /// With `on`, every past application is evaluated as if filed that day under both
    /// `current` and `proposal`: the effect of the change alone, for a change that takes
    /// effect later than the decisions were made. Without `on`, each is evaluated on its
    /// own date under `proposal` and compared with the outcome recorded.
    pub fn new(
        matter: &str,
        current: &'r RuleBook,
        proposal: &'r RuleBook,
        on: Option<Date>,
    ) -> Backtester<'r> {
        Backtester {
            current,
            proposal,
            on,
            result: Backtest {
                matter: matter.to_owned(),
                evaluated: 0,
                changed: Vec::new(),
            },
        }
    }

    /// Re-evaluates one past decision (oldest first).
    pub fn consider(&mut self, past: &PastDecision) {
        self.result.evaluated += 1;
        let matter = self.result.matter.as_str();
        // Read once, evaluated twice.
        let app = Application::from_json(&past.input).ok();
        let (before, date) = match self.on {
            Some(on) => {
                let then =
                    evaluate_outcome(self.current, matter, app.as_ref(), on, &past.unanswered);
                (then, on)
            }
            None => match past.evaluated_on {
                Some(own) => (past.outcome, own),
                None => return,
            },
        };
        let after = evaluate_outcome(self.proposal, matter, app.as_ref(), date, &past.unanswered);
        if after != before {
            self.result.changed.push(ChangedOutcome {
                decision: past.decision,
                case_id: past.case_id,
                evaluated_on: date.to_string(),
                before: before.code().to_owned(),
                after: after.code().to_owned(),
            });
        }
    }

    pub fn finish(self) -> Backtest {
        self.result
    }
}
