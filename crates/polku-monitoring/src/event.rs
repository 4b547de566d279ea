//! Register events as they arrive: one JSON object per event (a line of a JSON-lines
//! file, or an element of the API's array), checked like every input from outside.

use jiff::civil::Date;
use polku_rules::RegisterEventKind;
use polku_rules::schema::is_business_id;
use serde::{Deserialize, Serialize};

/// The most events one batch may carry.
pub const MAX_BATCH: usize = 100_000;

/// One event a register reported: `id`, `occurred_on`, `kind` and the kind's fields, in
/// one flat object; any other field is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterEvent {
    /// The register's own id for the event: replaying it changes nothing.
    pub id: String,
    /// The day it happened, as the register records it.
    pub occurred_on: Date,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventBody {
    /// The Incomes Register's monthly pay report.
    PayReport {
        person: String,
        /// The first day of the month the pay is for.
        month: Date,
        gross_pay_eur: f64,
        employer_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        occupational_field: Option<String>,
    },
    /// A new entry in the criminal records.
    CriminalRecordEntry {
        person: String,
        /// Whether it is grounds for refusal or cancellation (UlkL 36 §).
        disqualifying: bool,
    },
    /// The population register: moved abroad.
    Emigration { person: String },
    /// The population register: a new address in Finland.
    AddressChange {
        person: String,
        municipality_code: String,
        /// The dwelling, when the register names one: the building's permanent
        /// identifier and the apartment ([`polku_rules::schema::is_dwelling`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dwelling: Option<String>,
    },
    /// The trade register: the employer went bankrupt.
    EmployerBankruptcy { employer_id: String },
    /// The trade register: the employer was removed from the register.
    EmployerDeregistration { employer_id: String },
    /// A national or Schengen entry ban was issued.
    EntryBan { person: String },
    /// A Schengen Information System alert (refusal of entry, return, arrest).
    SisAlert { person: String },
    /// The institution registered the end of the studies.
    StudiesEnded { person: String },
}

impl<'de> Deserialize<'de> for RegisterEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let id = match map.remove("id") {
            Some(serde_json::Value::String(id)) => id,
            Some(_) => return Err(D::Error::custom("`id` must be a string")),
            None => return Err(D::Error::missing_field("id")),
        };
        let occurred_on = map
            .remove("occurred_on")
            .ok_or_else(|| D::Error::missing_field("occurred_on"))?;
        let occurred_on: Date = serde_json::from_value(occurred_on)
            .map_err(|e| D::Error::custom(format!("occurred_on: {e}")))?;
        let body =
            EventBody::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
        Ok(RegisterEvent {
            id,
            occurred_on,
            body,
        })
    }
}

/// Whom an event is about: a person, or an employer (whose workers' permits it touches).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Person(String),
    Employer(String),
}

impl Subject {
    /// As stored in `register_events.subject`.
    pub fn key(&self) -> String {
        match self {
            Subject::Person(p) => p.clone(),
            Subject::Employer(e) => format!("employer:{e}"),
        }
    }
}

impl RegisterEvent {
    pub fn kind(&self) -> RegisterEventKind {
        match &self.body {
            EventBody::PayReport { .. } => RegisterEventKind::PayReport,
            EventBody::CriminalRecordEntry { .. } => RegisterEventKind::CriminalRecordEntry,
            EventBody::Emigration { .. } => RegisterEventKind::Emigration,
            EventBody::AddressChange { .. } => RegisterEventKind::AddressChange,
            EventBody::EmployerBankruptcy { .. } => RegisterEventKind::EmployerBankruptcy,
            EventBody::EmployerDeregistration { .. } => RegisterEventKind::EmployerDeregistration,
            EventBody::EntryBan { .. } => RegisterEventKind::EntryBan,
            EventBody::SisAlert { .. } => RegisterEventKind::SisAlert,
            EventBody::StudiesEnded { .. } => RegisterEventKind::StudiesEnded,
        }
    }

    pub fn subject(&self) -> Subject {
        match &self.body {
            EventBody::PayReport { person, .. }
            | EventBody::CriminalRecordEntry { person, .. }
            | EventBody::Emigration { person }
            | EventBody::AddressChange { person, .. }
            | EventBody::EntryBan { person }
            | EventBody::SisAlert { person }
            | EventBody::StudiesEnded { person } => Subject::Person(person.clone()),
            EventBody::EmployerBankruptcy { employer_id }
            | EventBody::EmployerDeregistration { employer_id } => {
                Subject::Employer(employer_id.clone())
            }
        }
    }

    /// Checks every value against its plausible range; `today` is today in Finland.
    pub fn check(&self, today: Date) -> Result<(), EventError> {
        let bad = |field: &'static str, problem: String| EventError::Invalid {
            id: self.id.chars().take(100).collect(),
            field,
            problem,
        };
        if !is_plain_id(&self.id, 100) {
            return Err(bad(
                "id",
                "1–100 letters, digits or . _ : - are allowed".into(),
            ));
        }
        if self.occurred_on.year() < 1900 || self.occurred_on > today {
            return Err(bad(
                "occurred_on",
                format!(
                    "{} is not a day between 1900 and today ({today})",
                    self.occurred_on
                ),
            ));
        }
        if let Subject::Person(p) = self.subject()
            && !is_plain_id(&p, 64)
        {
            return Err(bad(
                "person",
                "1–64 letters, digits or . _ : - are allowed".into(),
            ));
        }
        match &self.body {
            EventBody::PayReport {
                month,
                gross_pay_eur,
                employer_id,
                occupational_field,
                ..
            } => {
                if month.day() != 1 || month.year() < 1900 || *month > self.occurred_on {
                    return Err(bad(
                        "month",
                        "the first day of a month not after occurred_on".into(),
                    ));
                }
                if !gross_pay_eur.is_finite() || !(0.0..=10_000_000.0).contains(gross_pay_eur) {
                    return Err(bad("gross_pay_eur", "0–10,000,000 € is allowed".into()));
                }
                if !is_business_id(employer_id) {
                    return Err(bad(
                        "employer_id",
                        "a business ID with its check digit, e.g. 1234567-1".into(),
                    ));
                }
                if let Some(f) = occupational_field
                    && !polku_rules::schema::is_isco_code(f)
                {
                    return Err(bad(
                        "occupational_field",
                        "an ISCO-08 major group, e.g. ISCO-7".into(),
                    ));
                }
            }
            EventBody::AddressChange {
                municipality_code, ..
            } if !(municipality_code.len() == 3
                && municipality_code.bytes().all(|b| b.is_ascii_digit())) =>
            {
                return Err(bad(
                    "municipality_code",
                    "Statistics Finland's three-digit code".into(),
                ));
            }
            EventBody::AddressChange {
                dwelling: Some(d), ..
            } if !polku_rules::schema::is_dwelling(d) => {
                return Err(bad(
                    "dwelling",
                    "the building's permanent identifier and the apartment, e.g. 100012345A A 12"
                        .into(),
                ));
            }
            EventBody::EmployerBankruptcy { employer_id }
            | EventBody::EmployerDeregistration { employer_id }
                if !is_business_id(employer_id) =>
            {
                return Err(bad(
                    "employer_id",
                    "a business ID with its check digit, e.g. 1234567-1".into(),
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

fn is_plain_id(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Why events were refused. Nothing of a refused batch is stored.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EventError {
    #[error("line {line}: {problem}")]
    Unreadable { line: usize, problem: String },
    #[error("event `{id}`: {field}: {problem}")]
    Invalid {
        id: String,
        field: &'static str,
        problem: String,
    },
    #[error("a batch may hold at most {MAX_BATCH} events, this one holds {0}")]
    TooMany(usize),
    #[error("the batch holds event `{0}` twice, with different contents")]
    Conflicting(String),
}

/// Reads JSON lines (blank lines skipped) and checks every event; the first problem
/// refuses the whole batch.
pub fn read_json_lines(text: &str, today: Date) -> Result<Vec<RegisterEvent>, EventError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let event: RegisterEvent =
            serde_json::from_str(line).map_err(|e| EventError::Unreadable {
                line: i + 1,
                problem: e.to_string(),
            })?;
        event.check(today)?;
        events.push(event);
        if events.len() > MAX_BATCH {
            return Err(EventError::TooMany(events.len()));
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_dwelling_that_is_not_one_is_refused_by_name() {
        let today = jiff::civil::date(2026, 12, 7);
        let event = |dwelling: &str| RegisterEvent {
            id: "vtj-1".into(),
            occurred_on: today,
            body: EventBody::AddressChange {
                person: "sim-0000001".into(),
                municipality_code: "091".into(),
                dwelling: Some(dwelling.into()),
            },
        };
        assert!(event("100012345A A 12").check(today).is_ok());
        for bad in ["Mannerheimintie 1", "100012345A\nA 1", "2000123459", ""] {
            let refused = event(bad).check(today);
            assert!(
                matches!(&refused, Err(EventError::Invalid { field, .. }) if *field == "dwelling"),
                "{bad:?}: {refused:?}"
            );
        }
    }

    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 11, 29)
    }

    #[test]
    fn a_pay_report_reads_and_checks() {
        let line = r#"{"id":"ir-1","occurred_on":"2026-11-05","kind":"pay_report","person":"sim-0000013","month":"2026-10-01","gross_pay_eur":1550.5,"employer_id":"1234567-1"}"#;
        let events = read_json_lines(line, today()).unwrap();
        assert_eq!(events[0].kind(), RegisterEventKind::PayReport);
        assert_eq!(events[0].subject(), Subject::Person("sim-0000013".into()));
    }

    #[test]
    fn hostile_values_are_refused_naming_the_field() {
        let cases = [
            (
                r#"{"id":"x","occurred_on":"2027-01-01","kind":"emigration","person":"p"}"#,
                "occurred_on",
            ),
            (
                r#"{"id":"x y","occurred_on":"2026-01-01","kind":"emigration","person":"p"}"#,
                "id",
            ),
            (
                r#"{"id":"x","occurred_on":"2026-01-01","kind":"emigration","person":"<script>"}"#,
                "person",
            ),
            (
                r#"{"id":"x","occurred_on":"2026-11-05","kind":"pay_report","person":"p","month":"2026-10-01","gross_pay_eur":-1,"employer_id":"1234567-1"}"#,
                "gross_pay_eur",
            ),
            (
                r#"{"id":"x","occurred_on":"2026-11-05","kind":"pay_report","person":"p","month":"2026-10-01","gross_pay_eur":1,"employer_id":"Nokia"}"#,
                "employer_id",
            ),
            (
                r#"{"id":"x","occurred_on":"2026-11-05","kind":"pay_report","person":"p","month":"2026-10-02","gross_pay_eur":1,"employer_id":"1234567-1"}"#,
                "month",
            ),
            (
                r#"{"id":"x","occurred_on":"2026-11-05","kind":"address_change","person":"p","municipality_code":"91"}"#,
                "municipality_code",
            ),
        ];
        for (line, field) in cases {
            match read_json_lines(line, today()) {
                Err(EventError::Invalid { field: f, .. }) => assert_eq!(f, field, "{line}"),
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_kinds_and_fields_are_refused_with_the_line() {
        let text = "\n{\"id\":\"a\",\"occurred_on\":\"2026-01-01\",\"kind\":\"emigration\",\"person\":\"p\"}\n{\"id\":\"b\",\"occurred_on\":\"2026-01-01\",\"kind\":\"lottery_win\",\"person\":\"p\"}";
        assert!(matches!(
            read_json_lines(text, today()),
            Err(EventError::Unreadable { line: 3, .. })
        ));
        let extra = r#"{"id":"a","occurred_on":"2026-01-01","kind":"emigration","person":"p","nationality":"X"}"#;
        assert!(matches!(
            read_json_lines(extra, today()),
            Err(EventError::Unreadable { line: 1, .. })
        ));
    }
}
