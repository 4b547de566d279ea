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
//! redacted from their own record (each condition names the inputs it read; polku-decide's
//! `StoredTrace::for_applicant`), so decisions stored before this rule are redacted too.

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
