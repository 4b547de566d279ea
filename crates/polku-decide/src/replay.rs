//! A replay: a stored decision re-evaluated from its own record, compared with what was
//! stored, path by path.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::evaluate::Finding;

/// What replaying a decision showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub decision: Uuid,
    pub identical: bool,
    /// JSON paths whose values differ, with the stored and the replayed value.
    pub differences: Vec<String>,
}

/// The parts of a stored decision a replay must reproduce.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub outcome: &'a str,
    pub rule_set: Option<&'a str>,
    pub version: Option<&'a str>,
    pub trace: &'a Value,
}

/// Compares decision `decision`'s record with the finding its replay reached.
pub fn compare(decision: Uuid, stored: Recorded<'_>, replayed: &Finding) -> Replay {
    let replayed = record(Recorded {
        outcome: replayed.outcome.code(),
        rule_set: replayed.rule_set.as_deref(),
        version: replayed.version.as_deref(),
        trace: &replayed.trace,
    });
    let mut differences = Vec::new();
    diff("", &record(stored), &replayed, &mut differences);
    Replay {
        decision,
        identical: differences.is_empty(),
        differences,
    }
}

fn record(r: Recorded<'_>) -> Value {
    let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
    let mut m = serde_json::Map::new();
    m.insert("outcome".into(), Value::from(r.outcome));
    m.insert("rule_set".into(), text(r.rule_set));
    m.insert("rule_set_version".into(), text(r.version));
    m.insert("trace".into(), r.trace.clone());
    Value::Object(m)
}

/// The JSON paths where `a` and `b` differ, at most 50.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() >= 50 || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                diff(
                    &format!("{path}/{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}/{i}"), p, q, out);
            }
        }
        _ => out.push(format!("{path}: stored {a}, replayed {b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polku_rules::Outcome;

    #[test]
    fn a_replay_names_each_path_that_differs_and_nothing_else() {
        let trace = serde_json::json!({"en": {"conditions": [{"id": "a", "status": "met"}]}});
        let finding = Finding {
            outcome: Outcome::Refer,
            rule_set: Some("rs".into()),
            version: Some("2025".into()),
            trace: serde_json::json!({"en": {"conditions": [{"id": "a", "status": "unknown"}]}}),
            reason: None,
            application: None,
        };
        let stored = Recorded {
            outcome: "grant",
            rule_set: Some("rs"),
            version: Some("2025"),
            trace: &trace,
        };
        let r = compare(Uuid::nil(), stored, &finding);
        assert!(!r.identical);
        assert_eq!(
            r.differences,
            [
                "/outcome: stored \"grant\", replayed \"refer\"",
                "/trace/en/conditions/0/status: stored \"met\", replayed \"unknown\"",
            ]
        );
        let same = Finding {
            outcome: Outcome::Grant,
            trace: trace.clone(),
            ..finding
        };
        assert!(compare(Uuid::nil(), stored, &same).identical);
    }
}
