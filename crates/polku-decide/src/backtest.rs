//! A rule change tested against the past: every past automated decision of a matter is
//! re-evaluated from its own record, and the outcomes that would change are listed.

use jiff::civil::Date;
use polku_rules::{Application, Outcome, RuleBook, Status};
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
    /// The conditions whose finding differs, in the rule set's order: why it changed (when
    /// both books were evaluated on one day; empty otherwise).
    pub conditions: Vec<ConditionChange>,
}

/// A condition found otherwise under the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionChange {
    pub id: String,
    /// `None`: not in force under that rule book (added or removed by the proposal).
    pub before: Option<Status>,
    pub after: Option<Status>,
}

/// Each condition's finding for `app` under `rules` on `on`.
fn findings(
    rules: &RuleBook,
    matter: &str,
    app: Option<&Application>,
    on: Date,
) -> Vec<(String, Status)> {
    let Some((rs, app)) = rules.decision_set(matter).zip(app) else {
        return Vec::new();
    };
    rs.evaluate(app, on)
        .map(|e| {
            e.findings
                .iter()
                .filter_map(|(i, st)| Some((rs.conditions.get(*i)?.id.clone(), *st)))
                .collect()
        })
        .unwrap_or_default()
}

/// The conditions found otherwise, in the order the proposal lists them (then those it
/// dropped).
fn condition_changes(
    before: &[(String, Status)],
    after: &[(String, Status)],
) -> Vec<ConditionChange> {
    let find =
        |list: &[(String, Status)], id: &str| list.iter().find(|(i, _)| i == id).map(|(_, s)| *s);
    let mut out: Vec<ConditionChange> = after
        .iter()
        .filter_map(|(id, st)| {
            let was = find(before, id);
            (was != Some(*st)).then(|| ConditionChange {
                id: id.clone(),
                before: was,
                after: Some(*st),
            })
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|(id, _)| find(after, id).is_none())
            .map(|(id, st)| ConditionChange {
                id: id.clone(),
                before: Some(*st),
                after: None,
            }),
    );
    out
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
            // Few change: only those are evaluated again for their conditions — with `on`,
            // under both books. Without it the "before" is the record's own outcome, whose
            // findings are in its trace, not re-derived here: no conditions are listed.
            let conditions = if self.on.is_some() {
                let was = findings(self.current, matter, app.as_ref(), date);
                let now = findings(self.proposal, matter, app.as_ref(), date);
                condition_changes(&was, &now)
            } else {
                Vec::new()
            };
            self.result.changed.push(ChangedOutcome {
                decision: past.decision,
                case_id: past.case_id,
                evaluated_on: date.to_string(),
                before: before.code().to_owned(),
                after: after.code().to_owned(),
                conditions,
            });
        }
    }

    pub fn finish(self) -> Backtest {
        self.result
    }
}
