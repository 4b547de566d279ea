//! Why the machine handed a case to a person, in the reader's words: a condition by its
//! text in the rule set of the case's matter, with "not met" or "not known", and the
//! registers by their names — never a condition id or a status code.

use polku_rules::Status;

use crate::WebState;
use crate::i18n::Tr;

/// "Not met: <the condition>" or "Not known: <the condition>", the condition as the
/// matter's rules in force today state it.
pub(crate) fn finding_line(
    state: &WebState,
    tr: Tr,
    matter: &str,
    condition: &str,
    status: Status,
) -> String {
    let rules = state.rules.today();
    let text = rules
        .get(matter)
        .and_then(|s| s.conditions.iter().find(|c| c.id == condition))
        .map_or_else(
            || tr.t("work-why-condition-unnamed"),
            |c| c.text.get(tr.lang).to_owned(),
        );
    let key = match status {
        Status::NotMet => "work-why-not-met",
        _ => "work-why-unknown",
    };
    tr.t1(key, "condition", &text)
}

/// "These registers did not answer: …", each register by its name in the reader's
/// language.
pub(crate) fn silent_line(tr: Tr, registers: &[String]) -> String {
    let names: Vec<String> = registers.iter().map(|r| register_name(tr, r)).collect();
    tr.t1("work-why-silent", "registers", &names.join(", "))
}

/// A register by its name in the reader's language (the name or key given).
pub(crate) fn register_name(tr: Tr, given: &str) -> String {
    polku_rules::schema::REGISTERS
        .iter()
        .find(|r| r.key == given || r.name == given || r.name.starts_with(given))
        .and_then(|r| tr.try_t(&format!("register-{}", r.key.replace('_', "-"))))
        .unwrap_or_else(|| given.to_owned())
}
