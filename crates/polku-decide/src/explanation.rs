//! A decision's explanation as stored, read back typed: the machine's trace in each
//! language, a person's reasons, or why the rules could not run.
//!
//! The machine writes its trace as `polku_rules::Trace` serialises (borrowing from the rule
//! set and the application); a reader gets it back as [`StoredTrace`], owned, with every
//! field the trace had, so that serialising it again gives the same JSON (a replay compares
//! that JSON path by path; `every_bundled_trace_reads_back_as_written` keeps the two in
//! step). Readers — the pages, the API — use fields, never JSON keys.

use polku_rules::disclosure::{withheld_condition, withheld_text};
use polku_rules::{Lang, Outcome, Status};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a decision's record says about why it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DecisionTrace {
    /// The machine's findings, condition by condition, in fi, sv and en.
    Machine(Box<Explained>),
    /// A person's decision: the reasons they wrote, and the hearing that preceded it.
    Person {
        reasons: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hearing: Option<Hearing>,
    },
    /// The rules could not run (no rule set, an application outside the schema): why. The
    /// case went to a person.
    Failed { error: String },
}

impl DecisionTrace {
    /// The machine's trace in `lang`, if the machine evaluated the rules.
    pub fn in_lang(&self, lang: Lang) -> Option<&StoredTrace> {
        match self {
            DecisionTrace::Machine(e) => Some(e.get(lang)),
            _ => None,
        }
    }

    /// A person's reasons, if a person decided.
    pub fn reasons(&self) -> Option<&str> {
        match self {
            DecisionTrace::Person { reasons, .. } => Some(reasons),
            _ => None,
        }
    }

    /// The hearing before a person's decision (HL 34 §), if one was held.
    pub fn hearing(&self) -> Option<&Hearing> {
        match self {
            DecisionTrace::Person { hearing, .. } => hearing.as_ref(),
            _ => None,
        }
    }
}

/// The applicant's hearing on the draft grounds before a person's decision: when they were
/// asked, the last day to answer, and when they answered (`None`: no answer by the deadline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    pub request: uuid::Uuid,
    /// Microseconds since the Unix epoch.
    pub asked_at: i64,
    pub due: jiff::civil::Date,
    pub answered_at: Option<i64>,
}

/// The machine's trace in the three languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explained {
    pub fi: StoredTrace,
    pub sv: StoredTrace,
    pub en: StoredTrace,
}

impl Explained {
    pub fn get(&self, lang: Lang) -> &StoredTrace {
        match lang {
            Lang::Fi => &self.fi,
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// One language's trace, as `polku_rules::Trace` wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTrace {
    pub rule_set: String,
    pub title: String,
    pub law: String,
    pub version: String,
    pub evaluated_on: String,
    pub language: Lang,
    pub outcome: Outcome,
    pub outcome_text: String,
    pub parameters: Vec<StoredParameter>,
    pub conditions: Vec<StoredCondition>,
}

/// A parameter value the decision used, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredParameter {
    pub name: String,
    pub value: Value,
    pub in_force_from: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One condition's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCondition {
    pub id: String,
    pub status: Shown,
    pub legal_basis: String,
    pub text: String,
    pub explanation: String,
    pub inputs: Vec<StoredInput>,
    pub parameters: Vec<String>,
}

/// A condition's finding as a reader is shown it: the machine's [`Status`], or, for an
/// applicant, withheld where the law withholds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    Met,
    NotMet,
    Unknown,
    Exempt,
    /// Checked, but what it found is not shown to the applicant (JulkL 11 § 2 mom.).
    Withheld,
}

impl Shown {
    /// The code the API sends and the pages' texts are keyed by.
    pub fn code(self) -> &'static str {
        match self {
            Shown::Withheld => "withheld",
            Shown::Met => Status::Met.code(),
            Shown::NotMet => Status::NotMet.code(),
            Shown::Unknown => Status::Unknown.code(),
            Shown::Exempt => Status::Exempt.code(),
        }
    }
}

impl From<Status> for Shown {
    fn from(s: Status) -> Shown {
        match s {
            Status::Met => Shown::Met,
            Status::NotMet => Shown::NotMet,
            Status::Unknown => Shown::Unknown,
            Status::Exempt => Shown::Exempt,
        }
    }
}

/// One value a condition read, with the register and the time it was fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredInput {
    pub path: String,
    /// `null` when not known.
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
}

impl StoredTrace {
    /// The trace as the applicant may read it: every condition that reads a field the law
    /// withholds from them (`polku_rules::disclosure`) keeps its text and legal basis, but
    /// is [`Shown::Withheld`], says it was checked and why its result is not shown, and
    /// shows no value, register or parameter — the same whatever it found.
    pub fn for_applicant(&self) -> StoredTrace {
        let mut out = self.clone();
        for c in &mut out.conditions {
            if withheld_condition(c.inputs.iter().map(|i| i.path.as_str())) {
                c.status = Shown::Withheld;
                c.explanation = withheld_text(self.language).to_owned();
                c.inputs.clear();
                c.parameters.clear();
            }
        }
        out
    }

    /// The conditions the machine found not met.
    pub fn not_met(&self) -> impl Iterator<Item = &StoredCondition> {
        self.conditions.iter().filter(|c| c.status == Shown::NotMet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn condition(status: &str, flag: bool) -> Value {
        json!({"id": "no-security-flag", "status": status, "text": "No security authority has an open flag.",
               "legal_basis": "UlkL 36 § 1 mom.", "explanation": format!("Open security flag: {flag}."),
               "inputs": [{"path": "evidence.security.open_flag", "value": flag, "source": "Supo"}],
               "parameters": ["p"]})
    }

    fn trace(status: &str, flag: bool) -> StoredTrace {
        serde_json::from_value(json!({
            "rule_set": "rs", "title": "T", "law": "L", "version": "1", "evaluated_on": "2026-01-01",
            "language": "en", "outcome": "refer", "outcome_text": "Referred.", "parameters": [],
            "conditions": [condition(status, flag),
                {"id": "employer-active", "status": "met", "text": "The employer is active.",
                 "legal_basis": "UlkL 73 §", "explanation": "Employer active: true.",
                 "inputs": [{"path": "evidence.trade_register.employer_active", "value": true}],
                 "parameters": []}]
        }))
        .unwrap()
    }

    #[test]
    fn a_condition_reading_a_withheld_field_looks_the_same_met_or_not() {
        let flagged = trace("not_met", true).for_applicant();
        let clear = trace("met", false).for_applicant();
        assert_eq!(flagged.conditions[0], clear.conditions[0]);
        assert_eq!(flagged.conditions[0].status, Shown::Withheld);
        let shown = serde_json::to_string(&flagged).unwrap();
        assert!(!shown.contains("open_flag"), "{shown}");
        assert!(!shown.contains("Supo"), "{shown}");
        // Other conditions stay as they were.
        assert_eq!(flagged.conditions[1], trace("met", true).conditions[1]);
    }

    #[test]
    fn each_kind_of_record_reads_back_as_itself() {
        let person: DecisionTrace =
            serde_json::from_value(json!({"reasons": "Pay too low."})).unwrap();
        assert_eq!(person.reasons(), Some("Pay too low."));
        let failed: DecisionTrace =
            serde_json::from_value(json!({"error": "no rule set"})).unwrap();
        assert!(matches!(failed, DecisionTrace::Failed { .. }));
        let t = serde_json::to_value(trace("met", false)).unwrap();
        let machine: DecisionTrace =
            serde_json::from_value(json!({"fi": t, "sv": t, "en": t})).unwrap();
        assert_eq!(machine.in_lang(Lang::Sv).unwrap().conditions.len(), 2);
        // Anything else is not a decision's record.
        assert!(
            serde_json::from_value::<DecisionTrace>(json!({"en": {"conditions": []}})).is_err()
        );
    }

    /// Every trace the bundled rule sets' own test cases produce, in every language, reads
    /// back as a `StoredTrace` that serialises to the same JSON: nothing the machine writes
    /// is lost on reading, so a replay compares the record as it was stored.
    #[test]
    fn every_bundled_trace_reads_back_as_written() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let book = polku_rules::RuleBook::load_dir(&dir).unwrap();
        let mut traces = 0;
        for rule_set in book.iter() {
            for test in &rule_set.tests {
                let Ok(evaluation) = rule_set.evaluate(&test.input, test.at) else {
                    continue;
                };
                for lang in Lang::ALL {
                    let written =
                        serde_json::to_value(evaluation.trace(&test.input, lang)).unwrap();
                    let read: StoredTrace = serde_json::from_value(written.clone())
                        .unwrap_or_else(|e| panic!("{} {}: {e}", rule_set.id, test.name));
                    assert_eq!(
                        serde_json::to_value(&read).unwrap(),
                        written,
                        "{}",
                        test.name
                    );
                    traces += 1;
                }
            }
        }
        assert!(traces > 100, "only {traces} traces");
    }
}
