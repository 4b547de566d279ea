//! Monitoring rule sets ("jälkivalvonta"): the conditions of a granted permit watched
//! while it is valid. A monitoring rule set is written like a decision rule set, but it
//! never decides: a condition found not met is an alert for a person, and which register
//! events can change each condition is part of the file (`changed_by`).

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// A kind of register event that can change a watched condition: what a monitoring
/// condition's `changed_by` names (snake_case in files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterEventKind {
    /// A monthly pay report in the Incomes Register.
    PayReport,
    /// A new entry in the criminal records.
    CriminalRecordEntry,
    /// Emigration registered in the population information system.
    Emigration,
    /// A change of address in the population information system.
    AddressChange,
    /// The employer's bankruptcy in the trade register.
    EmployerBankruptcy,
    /// The employer struck off the trade register.
    EmployerDeregistration,
    /// An entry ban imposed.
    EntryBan,
    /// An alert in the Schengen Information System.
    SisAlert,
    /// Studies ended in the study register.
    StudiesEnded,
}

impl RegisterEventKind {
    /// Every kind, in the order above.
    pub const ALL: [RegisterEventKind; 9] = [
        RegisterEventKind::PayReport,
        RegisterEventKind::CriminalRecordEntry,
        RegisterEventKind::Emigration,
        RegisterEventKind::AddressChange,
        RegisterEventKind::EmployerBankruptcy,
        RegisterEventKind::EmployerDeregistration,
        RegisterEventKind::EntryBan,
        RegisterEventKind::SisAlert,
        RegisterEventKind::StudiesEnded,
    ];

    /// The name in rule files and JSON.
    pub fn code(self) -> &'static str {
        match self {
            RegisterEventKind::PayReport => "pay_report",
            RegisterEventKind::CriminalRecordEntry => "criminal_record_entry",
            RegisterEventKind::Emigration => "emigration",
            RegisterEventKind::AddressChange => "address_change",
            RegisterEventKind::EmployerBankruptcy => "employer_bankruptcy",
            RegisterEventKind::EmployerDeregistration => "employer_deregistration",
            RegisterEventKind::EntryBan => "entry_ban",
            RegisterEventKind::SisAlert => "sis_alert",
            RegisterEventKind::StudiesEnded => "studies_ended",
        }
    }

    pub fn parse(s: &str) -> Option<RegisterEventKind> {
        RegisterEventKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The event's name for people, with the register it comes from.
    pub fn text(self, lang: Lang) -> &'static str {
        use RegisterEventKind as K;
        match (self, lang) {
            (K::PayReport, Lang::Fi) => "palkkailmoitus (tulorekisteri)",
            (K::PayReport, Lang::Sv) => "löneuppgiftsanmälan (inkomstregistret)",
            (K::PayReport, Lang::En) => "pay report (Incomes Register)",
            (K::CriminalRecordEntry, Lang::Fi) => "merkintä rikosrekisteriin",
            (K::CriminalRecordEntry, Lang::Sv) => "anteckning i straffregistret",
            (K::CriminalRecordEntry, Lang::En) => "criminal record entry",
            (K::Emigration, Lang::Fi) => "maastamuutto (väestötietojärjestelmä)",
            (K::Emigration, Lang::Sv) => "utflyttning (befolkningsdatasystemet)",
            (K::Emigration, Lang::En) => "emigration (population information system)",
            (K::AddressChange, Lang::Fi) => "osoitteenmuutos (väestötietojärjestelmä)",
            (K::AddressChange, Lang::Sv) => "adressändring (befolkningsdatasystemet)",
            (K::AddressChange, Lang::En) => "change of address (population information system)",
            (K::EmployerBankruptcy, Lang::Fi) => "työnantajan konkurssi (kaupparekisteri)",
            (K::EmployerBankruptcy, Lang::Sv) => "arbetsgivarens konkurs (handelsregistret)",
            (K::EmployerBankruptcy, Lang::En) => "the employer's bankruptcy (trade register)",
            (K::EmployerDeregistration, Lang::Fi) => "työnantajan poisto kaupparekisteristä",
            (K::EmployerDeregistration, Lang::Sv) => "arbetsgivaren avförd ur handelsregistret",
            (K::EmployerDeregistration, Lang::En) => "the employer struck off the trade register",
            (K::EntryBan, Lang::Fi) => "maahantulokielto",
            (K::EntryBan, Lang::Sv) => "inreseförbud",
            (K::EntryBan, Lang::En) => "entry ban",
            (K::SisAlert, Lang::Fi) => "SIS-kuulutus",
            (K::SisAlert, Lang::Sv) => "SIS-registrering",
            (K::SisAlert, Lang::En) => "SIS alert",
            (K::StudiesEnded, Lang::Fi) => "opintojen päättyminen (opintorekisteri)",
            (K::StudiesEnded, Lang::Sv) => "avslutade studier (studieregistret)",
            (K::StudiesEnded, Lang::En) => "studies ended (study register)",
        }
    }
}

impl std::fmt::Display for RegisterEventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a monitoring rule set watches (its `monitors:` block): the permits granted in the
/// decision rule sets it names, and the legal bases for processing the holder's data while
/// watching and for re-examining the permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Monitoring {
    /// Ids of the decision rule sets (matters) whose permits it watches.
    pub permits_of: Vec<String>,
    /// The legal basis for processing the holder's data while monitoring.
    pub processing_basis: String,
    /// The legal basis for re-examining (cancelling) the permit.
    pub reexamination_basis: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_code_that_parses_back_and_three_names() {
        for kind in RegisterEventKind::ALL {
            assert_eq!(RegisterEventKind::parse(kind.code()), Some(kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::json!(kind.code()));
            let back: RegisterEventKind = serde_json::from_value(json).unwrap();
            assert_eq!(back, kind);
            for lang in Lang::ALL {
                assert!(!kind.text(lang).trim().is_empty());
            }
        }
        assert_eq!(RegisterEventKind::parse("pay-report"), None);
        let mut sorted = RegisterEventKind::ALL;
        sorted.sort();
        assert_eq!(
            sorted,
            RegisterEventKind::ALL,
            "ALL is in declaration order"
        );
    }
}
