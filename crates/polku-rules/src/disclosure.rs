//! What the law withholds from the applicant.
//!
//! A party may read the documents of their own case, except where disclosure would harm
//! national security or the investigation of a crime (Act on the Openness of Government
//! Activities 621/1999, 11 § 2 mom.; UlkL 36 § on grounds of public order and security).
//! So an applicant never learns from Polku that a security authority has flagged them or
//! objects, nor that a criminal matter is pending: every condition that reads such a field
//! looks the same to them whatever it found — "checked; what the registers hold is not
//! shown" — and shows no value. Officials see the full finding.
//!
//! Which fields are withheld is stated here, once; which conditions are withheld follows
//! from what they read, so a rule author cannot forget to mark one. Stored traces are
//! redacted from their own record (each condition names the inputs it read), so decisions
//! stored before this rule are redacted too.

use serde_json::{Value, json};

use crate::lang::Lang;

/// Input fields whose values the law withholds from the applicant.
pub const WITHHELD_FROM_APPLICANT: &[&str] = &[
    "evidence.security.objection",
    "evidence.security.open_flag",
    "evidence.criminal_records.pending_investigation",
];

/// The legal basis for withholding, as the applicant is told it.
pub const WITHHOLDING_BASIS: &str = "JulkL 621/1999 11 § 2 mom.";

/// Whether the law withholds `path`'s value from the applicant.
pub fn withheld_from_applicant(path: &str) -> bool {
    WITHHELD_FROM_APPLICANT.contains(&path)
}

/// Whether a condition that reads `paths` is withheld from the applicant.
pub fn withheld_condition<'a>(mut paths: impl Iterator<Item = &'a str>) -> bool {
    paths.any(withheld_from_applicant)
}

/// What the applicant reads in place of a withheld condition's finding.
pub fn withheld_text(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => {
            "Tarkistettu viranomaisten rekistereistä. Niiden tietoja ei näytetä hakijalle (julkisuuslaki 11 § 2 mom.)."
        }
        Lang::Sv => {
            "Kontrollerad i myndigheternas register. Deras uppgifter visas inte för sökanden (offentlighetslagen 11 § 2 mom.)."
        }
        Lang::En => {
            "Checked in the authorities' registers. What they hold is not shown to the applicant (Act on the Openness of Government Activities, section 11(2))."
        }
    }
}

/// A stored trace (one language's JSON, as `Trace` serialises) as the applicant may read
/// it: every withheld condition keeps its text and legal basis, but its status becomes
/// `withheld`, its explanation says it was checked and why its result is not shown, and no
/// value, register or parameter it read is shown.
pub fn trace_for_applicant(trace: &Value, lang: Lang) -> Value {
    let mut out = trace.clone();
    if let Some(conditions) = out.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conditions {
            let reads_withheld = c
                .get("inputs")
                .and_then(Value::as_array)
                .is_some_and(|inputs| {
                    withheld_condition(
                        inputs
                            .iter()
                            .filter_map(|i| i.get("path").and_then(Value::as_str)),
                    )
                });
            if reads_withheld {
                c["status"] = json!("withheld");
                c["explanation"] = json!(withheld_text(lang));
                c["inputs"] = json!([]);
                c["parameters"] = json!([]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_reading_a_withheld_field_looks_the_same_met_or_not() {
        let trace = |status: &str, flag: bool| {
            json!({"outcome": "refer", "conditions": [
                {"id": "no-security-flag", "status": status, "text": "No security authority has an open flag.",
                 "legal_basis": "UlkL 36 § 1 mom.", "explanation": format!("Open security flag: {flag}."),
                 "inputs": [{"path": "evidence.security.open_flag", "value": flag, "source": "Supo"}],
                 "parameters": []},
                {"id": "employer-active", "status": "met", "text": "The employer is active.",
                 "legal_basis": "UlkL 73 §", "explanation": "Employer active: true.",
                 "inputs": [{"path": "evidence.trade_register.employer_active", "value": true}],
                 "parameters": []}
            ]})
        };
        let flagged = trace_for_applicant(&trace("not_met", true), Lang::En);
        let clear = trace_for_applicant(&trace("met", false), Lang::En);
        assert_eq!(flagged["conditions"][0], clear["conditions"][0]);
        assert_eq!(flagged["conditions"][0]["status"], "withheld");
        assert!(!flagged.to_string().contains("open_flag"));
        assert!(!flagged.to_string().contains("Supo"));
        // Other conditions stay as they were.
        assert_eq!(
            flagged["conditions"][1],
            trace("met", true)["conditions"][1]
        );
    }
}
