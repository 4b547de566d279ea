//! The machine's finding for one application: the rule set of its matter evaluated on the
//! application date, with the registers that stayed silent taken into account. Pure: the
//! same record always gives the same finding, which is what a replay proves.

use polku_rules::{Application, Lang, Outcome, RuleBook};
use serde_json::Value;

/// The machine's finding. When registers stayed silent and the rules would ask the
/// applicant for evidence, a person takes the case instead: the applicant cannot make a
/// register answer. The silent registers are part of the decision's record, so a replay
/// reaches the same outcome. Anything that keeps the rules from running (an unknown
/// matter, an application the schema refuses, no version in force) is a referral with
/// the reason, never a failure that would retry forever.
pub fn evaluate(
    rules: &RuleBook,
    matter: &str,
    input: &Value,
    on: jiff::civil::Date,
    unanswered: &[String],
) -> Finding {
    let mut finding = evaluate_rules(rules, matter, input, on);
    if silence_refers(finding.outcome, unanswered) {
        finding.outcome = Outcome::Refer;
        let mut reason = finding.reason.take().unwrap_or_default();
        reason.silent = unanswered.to_vec();
        finding.reason = Some(reason);
    }
    finding
}

/// Registers that stayed silent turn a request for evidence into a referral: the applicant
/// cannot make a register answer.
fn silence_refers(outcome: Outcome, unanswered: &[String]) -> bool {
    !unanswered.is_empty() && outcome == Outcome::RequestEvidence
}

/// The outcome [`evaluate`] would find for an application already read (`None`: it does
/// not fit the schema), without rendering the trace: what a backtest of thousands of past
/// decisions needs.
pub fn evaluate_outcome(
    rules: &RuleBook,
    matter: &str,
    app: Option<&Application>,
    on: jiff::civil::Date,
    unanswered: &[String],
) -> Outcome {
    let outcome = rules
        .decision_set(matter)
        .zip(app)
        .and_then(|(rs, app)| rs.evaluate(app, on).ok().map(|e| e.outcome))
        .unwrap_or(Outcome::Refer);
    if silence_refers(outcome, unanswered) {
        Outcome::Refer
    } else {
        outcome
    }
}

fn evaluate_rules(rules: &RuleBook, matter: &str, input: &Value, on: jiff::civil::Date) -> Finding {
    let refer = |reason: String| Finding {
        outcome: Outcome::Refer,
        rule_set: None,
        version: None,
        trace: Value::Object(
            std::iter::once(("error".to_owned(), Value::from(reason.clone()))).collect(),
        ),
        reason: Some(ReferralReason {
            error: Some(reason),
            ..ReferralReason::default()
        }),
        application: None,
    };
    // A monitoring rule set decides nothing: a case of its id is an unknown matter.
    let Some(rule_set) = rules.decision_set(matter) else {
        return refer(format!("no rule set decides the matter `{matter}`"));
    };
    let app = match Application::from_json(input) {
        Ok(a) => a,
        Err(e) => {
            return refer(format!(
                "the application does not fit the input schema: {e}"
            ));
        }
    };
    let evaluation = match rule_set.evaluate(&app, on) {
        Ok(e) => e,
        Err(e) => return refer(e.to_string()),
    };
    // The trace in all three languages: the applicant reads it in theirs.
    let mut trace = serde_json::Map::new();
    for lang in Lang::ALL {
        match serde_json::to_value(evaluation.trace(&app, lang)) {
            Ok(t) => trace.insert(lang.code().to_owned(), t),
            Err(e) => return refer(format!("the trace could not be recorded: {e}")),
        };
    }
    let trace = Value::Object(trace);
    let reason = (evaluation.outcome != Outcome::Grant).then(|| ReferralReason {
        findings: evaluation
            .findings
            .iter()
            .filter(|(_, s)| !matches!(s, polku_rules::Status::Met | polku_rules::Status::Exempt))
            .map(|(i, s)| (rule_set.conditions[*i].id.clone(), *s))
            .collect(),
        ..ReferralReason::default()
    });
    Finding {
        outcome: evaluation.outcome,
        rule_set: Some(rule_set.id.clone()),
        version: Some(evaluation.version.id.clone()),
        trace,
        reason,
        application: Some(app),
    }
}

/// What the machine found for one application.
#[derive(Debug, Clone)]
pub struct Finding {
    pub outcome: Outcome,
    /// The rule set and its version that decided, when the rules ran.
    pub rule_set: Option<String>,
    pub version: Option<String>,
    /// The trace in fi, sv and en, or `{"error": …}` when the rules could not run.
    pub trace: Value,
    /// Why it is not a grant (none for a grant).
    pub reason: Option<ReferralReason>,
    /// The application as read, for what a grant creates (read once).
    pub application: Option<Application>,
}

/// Why the machine handed a case to a person or asked for evidence: the registers that
/// stayed silent, every condition not met or unknown, or the error that kept it from
/// evaluating. Stored as data beside its text (`case_events.detail_json`), so the key
/// figures count it without reading prose.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReferralReason {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silent: Vec<String>,
    /// Each condition's id with its status (`not_met` or `unknown`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<(String, polku_rules::Status)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The text the queue and the history show: "registers did not answer: A, B; c not_met".
impl std::fmt::Display for ReferralReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.silent.is_empty() {
            write!(f, "registers did not answer: {}; ", self.silent.join(", "))?;
        }
        if let Some(e) = &self.error {
            return f.write_str(e);
        }
        let findings: Vec<String> = self
            .findings
            .iter()
            .map(|(id, s)| format!("{id} {}", s.code()))
            .collect();
        f.write_str(&findings.join(", "))
    }
}

impl ReferralReason {
    /// Reads a reason stored before reasons were stored as data (its text only): the one
    /// place that knows the old text's shape.
    pub fn from_legacy_text(text: &str) -> ReferralReason {
        let (silent, rest) = match text.strip_prefix("registers did not answer: ") {
            Some(rest) => match rest.split_once("; ") {
                Some((registers, rest)) => {
                    (registers.split(", ").map(str::to_owned).collect(), rest)
                }
                None => (rest.split(", ").map(str::to_owned).collect(), ""),
            },
            None => (Vec::new(), text),
        };
        let mut findings = Vec::new();
        for part in rest.split(", ").filter(|p| !p.is_empty()) {
            match part
                .rsplit_once(' ')
                .and_then(|(id, s)| Some((id.to_owned(), polku_rules::Status::parse(s)?)))
            {
                Some(f) => findings.push(f),
                None => {
                    return ReferralReason {
                        silent,
                        findings: Vec::new(),
                        error: Some(rest.to_owned()),
                    };
                }
            }
        }
        ReferralReason {
            silent,
            findings,
            error: None,
        }
    }
}

#[cfg(test)]
mod referral_tests {
    use super::ReferralReason;
    use polku_rules::Status;

    #[test]
    fn a_referral_reason_reads_as_before_and_the_old_text_reads_back_as_data() {
        let reason = ReferralReason {
            silent: vec!["Incomes Register".into(), "Trade Register".into()],
            findings: vec![
                ("pay-meets-minimum".into(), Status::Unknown),
                ("no-security-flag".into(), Status::NotMet),
            ],
            error: None,
        };
        let text = reason.to_string();
        assert_eq!(
            text,
            "registers did not answer: Incomes Register, Trade Register; pay-meets-minimum unknown, no-security-flag not_met"
        );
        assert_eq!(ReferralReason::from_legacy_text(&text), reason);
        let plain = ReferralReason::from_legacy_text("same-occupational-field not_met");
        assert_eq!(
            plain.findings,
            [("same-occupational-field".to_owned(), Status::NotMet)]
        );
        let error = ReferralReason::from_legacy_text("no rule set decides the matter `x`");
        assert_eq!(
            error.error.as_deref(),
            Some("no rule set decides the matter `x`")
        );
        // As data it round-trips through JSON.
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(
            serde_json::from_str::<ReferralReason>(&json).unwrap(),
            reason
        );
    }
}
