//! What a grant creates: the rule set's `grants` and the terms its expressions give for one
//! application (the permit's kind and its last day).

use jiff::civil::Date;
use polku_rules::{Application, GrantTerms, Grants, RuleBook};

/// What a grant of `matter` to `app` (evaluated on `on`) creates from `from`: the rule
/// set's `grants` and the terms its expressions give for this application (the kind, and
/// the last day cut at the dates it may not outlast).
pub fn terms_for<'b>(
    rules: &'b RuleBook,
    matter: &str,
    app: Option<&Application>,
    on: Date,
    from: Date,
) -> (Option<&'b Grants>, Option<GrantTerms>) {
    let Some(rule_set) = rules.decision_set(matter) else {
        return (None, None);
    };
    let terms = app.and_then(|app| rule_set.grant_terms(app, on, from));
    (rule_set.grants.as_ref(), terms)
}
