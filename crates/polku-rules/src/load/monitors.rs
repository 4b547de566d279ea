//! The parts of a rule file that make it a monitoring rule set: the `monitors:` block,
//! the keys a monitoring set may not have, and each condition's `changed_by`.

use std::collections::HashSet;

use super::Checker;
use crate::monitoring::{Monitoring, RegisterEventKind};
use crate::yaml::Node;

/// Which kind of file a condition is checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetKind {
    Library,
    Decision,
    Monitoring,
}

/// The top-level keys that belong to deciding and have no place in a monitoring set.
const DECISION_ONLY: &[(&str, &str)] = &[
    (
        "automation",
        "its policy is fixed: every alert goes to a person",
    ),
    ("grants", "it grants nothing"),
    (
        "processing_time",
        "it handles no application with a deadline",
    ),
    ("decides", "it decides nothing"),
];

/// `monitors: { permits_of, processing_basis, reexamination_basis }`, with the line of
/// each id in `permits_of`; `None` when something in it is wrong (each reported).
pub(super) fn check_monitors(c: &mut Checker, node: &Node) -> Option<(Monitoring, Vec<usize>)> {
    if node.as_map().is_none() {
        c.error(
            node.line,
            "`monitors` must be a mapping with permits_of, processing_basis and reexamination_basis",
        );
        return None;
    }
    c.known_keys(
        node,
        &["permits_of", "processing_basis", "reexamination_basis"],
        "`monitors`",
    );
    let permits_of = check_permits_of(c, node);
    let processing_basis = c.str(
        node,
        "processing_basis",
        "the legal basis for processing the permit holder's data while monitoring",
    );
    let reexamination_basis = c.str(
        node,
        "reexamination_basis",
        "the legal basis for re-examining the permit",
    );
    let (ids, lines) = permits_of?;
    Some((
        Monitoring {
            permits_of: ids,
            processing_basis: processing_basis?.to_owned(),
            reexamination_basis: reexamination_basis?.to_owned(),
        },
        lines,
    ))
}

/// `monitors.permits_of`: a non-empty list of rule-set ids, none twice. Whether each is a
/// decision rule set of the book is checked when the book is loaded.
fn check_permits_of(c: &mut Checker, node: &Node) -> Option<(Vec<String>, Vec<usize>)> {
    let Some(list) = node.get("permits_of") else {
        c.error(
            node.line,
            "`monitors` has no `permits_of`: name the decision rule sets whose permits it watches",
        );
        return None;
    };
    let Some(items) = list.as_seq().filter(|s| !s.is_empty()) else {
        c.error(
            list.line,
            "`permits_of` must be a non-empty list of decision rule-set ids",
        );
        return None;
    };
    let (mut ids, mut lines) = (Vec::new(), Vec::new());
    let mut complete = true;
    for item in items {
        match item.as_str().filter(|s| !s.trim().is_empty()) {
            Some(id) if ids.iter().any(|i| i == id) => {
                c.error(item.line, format!("`{id}` is named twice in `permits_of`"));
                complete = false;
            }
            Some(id) => {
                ids.push(id.to_owned());
                lines.push(item.line);
            }
            None => {
                c.error(item.line, "each of `permits_of` is a rule-set id");
                complete = false;
            }
        }
    }
    complete.then_some((ids, lines))
}

/// Every key of a monitoring set that belongs to deciding is an error at its line.
pub(super) fn refuse_decision_keys(c: &mut Checker, root: &Node) {
    for (k, _) in root.as_map().unwrap_or_default() {
        let key = k.as_str().unwrap_or_default();
        if let Some((_, why)) = DECISION_ONLY.iter().find(|(name, _)| *name == key) {
            c.error(
                k.line,
                format!(
                    "a monitoring rule set (with `monitors:`) has no `{key}`: {why}; \
                     a condition not met is an alert for a person"
                ),
            );
        }
    }
}

/// A condition's `changed_by` in a file of `kind`: required and non-empty in a monitoring
/// set, refused anywhere else. `item` is the entry as the rule set writes it (beside
/// `use:` when it takes a library condition).
pub(super) fn check_changed_by(
    c: &mut Checker,
    kind: SetKind,
    item: &Node,
    what: &str,
) -> Vec<RegisterEventKind> {
    let node = item.get("changed_by");
    match (kind, node) {
        (SetKind::Monitoring, None) => {
            c.error(
                item.line,
                format!(
                    "condition `{what}` has no `changed_by`: a monitoring condition names the register \
                     events that can change it ({})",
                    event_codes()
                ),
            );
            Vec::new()
        }
        (SetKind::Monitoring, Some(node)) => event_kinds(c, node, what),
        (SetKind::Decision, Some(node)) => {
            c.error(
                node.line,
                format!(
                    "condition `{what}`: `changed_by` belongs to monitoring rule sets (with `monitors:`); \
                     a decision rule set's conditions are evaluated when an application is decided"
                ),
            );
            Vec::new()
        }
        (SetKind::Library, Some(node)) => {
            c.error(
                node.line,
                format!(
                    "library condition `{what}` cannot name `changed_by`; the monitoring rule set that \
                     uses it does, beside its `use:`"
                ),
            );
            Vec::new()
        }
        (_, None) => Vec::new(),
    }
}

/// A non-empty list of event kinds, none twice.
fn event_kinds(c: &mut Checker, node: &Node, what: &str) -> Vec<RegisterEventKind> {
    let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
        c.error(
            node.line,
            format!(
                "condition `{what}`: `changed_by` must be a non-empty list of register events ({})",
                event_codes()
            ),
        );
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for item in items {
        let text = item.as_str().unwrap_or_default();
        match RegisterEventKind::parse(text) {
            Some(kind) if !seen.insert(kind) => c.error(
                item.line,
                format!("condition `{what}` names `{text}` twice in `changed_by`"),
            ),
            Some(kind) => out.push(kind),
            None => c.error(
                item.line,
                format!(
                    "condition `{what}`: `{text}` is not a register event (expected one of: {})",
                    event_codes()
                ),
            ),
        }
    }
    out
}

fn event_codes() -> String {
    RegisterEventKind::ALL
        .iter()
        .map(|k| k.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
