//! A monitored permit's facts: the evidence the grant was decided on (the input schema's
//! shape), changed by each register event since. Pure.
//!
//! Events may arrive late or out of order: each field remembers the day of the event
//! that set it, and an event older than that leaves the field alone, so the facts are
//! the same whatever order a person's events arrive in. Pay reports keep the latest two
//! months by the month they are for.

use std::collections::BTreeMap;

use jiff::civil::Date;
use polku_rules::schema::put_path;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::{EventBody, RegisterEvent};

const LATEST_PAY: &str = "evidence.incomes.latest_month_gross_pay_eur";
const PREVIOUS_PAY: &str = "evidence.incomes.previous_month_gross_pay_eur";
const LATEST_MONTH: &str = "evidence.incomes.latest_report_month";
const PREVIOUS_MONTH: &str = "previous_report_month";

/// What is known of a permit holder now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The input schema's JSON (`application`, `evidence`…), as the rules read it.
    pub input: Value,
    /// For each field an event set, the day of that event; also the month of the pay
    /// report before the latest (`previous_report_month`).
    #[serde(default)]
    pub set_on: BTreeMap<String, Date>,
}

impl Facts {
    /// Facts that start from the evidence a grant was decided on.
    pub fn from_decision_input(input: Value) -> Facts {
        Facts {
            input,
            set_on: BTreeMap::new(),
        }
    }

    /// The employer the latest pay report names, or the one applied with.
    pub fn employer(&self) -> Option<&str> {
        self.input
            .pointer("/evidence/incomes/employer_id")
            .or_else(|| self.input.pointer("/application/employment/employer_id"))
            .and_then(Value::as_str)
    }

    /// Applies one event; `received` is when Polku learnt of it (RFC 3339), recorded as
    /// the register's fetch time. Returns whether any fact changed.
    pub fn apply(&mut self, event: &RegisterEvent, received: &str) -> bool {
        let on = event.occurred_on;
        let before = self.input.clone();
        match &event.body {
            EventBody::PayReport {
                month,
                gross_pay_eur,
                employer_id,
                occupational_field,
                ..
            } => {
                self.pay_report(*month, *gross_pay_eur);
                self.set(
                    "evidence.incomes.employer_id",
                    employer_id.as_str().into(),
                    on,
                );
                if let Some(field) = occupational_field {
                    self.set(
                        "evidence.incomes.occupational_field",
                        field.as_str().into(),
                        on,
                    );
                }
                self.touch("incomes", received);
            }
            EventBody::CriminalRecordEntry { disqualifying, .. } => {
                self.set("evidence.criminal_records.any_sentence", true.into(), on);
                if *disqualifying {
                    self.set(
                        "evidence.criminal_records.disqualifying_entries",
                        true.into(),
                        on,
                    );
                }
                self.touch("criminal_records", received);
            }
            EventBody::Emigration { .. } => {
                self.set("evidence.population.resident_in_finland", false.into(), on);
                self.touch("population", received);
            }
            EventBody::AddressChange {
                municipality_code, ..
            } => {
                self.set("evidence.population.resident_in_finland", true.into(), on);
                self.set(
                    "evidence.population.municipality_code",
                    municipality_code.as_str().into(),
                    on,
                );
                self.touch("population", received);
            }
            EventBody::EmployerBankruptcy { .. } => {
                self.set("evidence.trade_register.employer_bankrupt", true.into(), on);
                self.set("evidence.trade_register.employer_active", false.into(), on);
                self.touch("trade_register", received);
            }
            EventBody::EmployerDeregistration { .. } => {
                self.set("evidence.trade_register.employer_active", false.into(), on);
                self.touch("trade_register", received);
            }
            EventBody::EntryBan { .. } => {
                self.set("evidence.sis.entry_ban", true.into(), on);
                self.touch("sis", received);
            }
            EventBody::SisAlert { .. } => {
                self.set("evidence.sis.alert", true.into(), on);
                self.touch("sis", received);
            }
            EventBody::StudiesEnded { .. } => {
                self.set("evidence.studies.enrolled", false.into(), on);
                self.touch("studies", received);
            }
        }
        self.input != before
    }

    /// Sets `path` unless a later event set it already.
    fn set(&mut self, path: &str, value: Value, on: Date) {
        if self.set_on.get(path).is_some_and(|d| *d > on) {
            return;
        }
        self.set_on.insert(path.to_owned(), on);
        put_path(&mut self.input, path, value);
    }

    /// Records when the register's data was last received.
    fn touch(&mut self, register: &str, received: &str) {
        let path = format!("evidence.{register}.fetched_at");
        let newer = self
            .input
            .pointer(&format!("/evidence/{register}/fetched_at"))
            .and_then(Value::as_str)
            .is_none_or(|old| old < received);
        if newer {
            put_path(&mut self.input, &path, received.into());
        }
    }

    /// Keeps the latest two months' pay by the month they are for.
    fn pay_report(&mut self, month: Date, pay: f64) {
        let latest = self.set_on.get(LATEST_MONTH).copied();
        let previous = self.set_on.get(PREVIOUS_MONTH).copied();
        let pay = polku_rules::schema::number_json(pay);
        match latest {
            Some(l) if month < l => {
                if previous.is_none_or(|p| month >= p) {
                    self.set_on.insert(PREVIOUS_MONTH.into(), month);
                    put_path(&mut self.input, PREVIOUS_PAY, pay);
                }
            }
            Some(l) if month == l => put_path(&mut self.input, LATEST_PAY, pay),
            _ => {
                // A newer month: the latest becomes the one before (if it is the month just
                // before; a gap leaves the one before unknown).
                let old = self
                    .input
                    .pointer("/evidence/incomes/latest_month_gross_pay_eur")
                    .cloned();
                match (latest, old) {
                    (Some(l), Some(old)) if next_month(l) == Some(month) => {
                        self.set_on.insert(PREVIOUS_MONTH.into(), l);
                        put_path(&mut self.input, PREVIOUS_PAY, old);
                    }
                    _ => {
                        self.set_on.remove(PREVIOUS_MONTH);
                        remove_path(&mut self.input, PREVIOUS_PAY);
                    }
                }
                self.set_on.insert(LATEST_MONTH.into(), month);
                put_path(&mut self.input, LATEST_PAY, pay);
                put_path(&mut self.input, LATEST_MONTH, month.to_string().into());
            }
        }
    }
}

fn next_month(month: Date) -> Option<Date> {
    month.checked_add(jiff::Span::new().months(1)).ok()
}

fn remove_path(root: &mut Value, path: &str) {
    let Some((parent, last)) = path.rsplit_once('.') else {
        return;
    };
    let pointer = format!("/{}", parent.replace('.', "/"));
    if let Some(object) = root.pointer_mut(&pointer).and_then(Value::as_object_mut) {
        object.remove(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventBody;
    use jiff::civil::date;

    fn pay(id: &str, month: Date, eur: f64) -> RegisterEvent {
        RegisterEvent {
            id: id.into(),
            occurred_on: month.checked_add(jiff::Span::new().months(1)).unwrap(),
            body: EventBody::PayReport {
                person: "p".into(),
                month,
                gross_pay_eur: eur,
                employer_id: "1234567-1".into(),
                occupational_field: None,
            },
        }
    }

    fn pays(facts: &Facts) -> (Option<f64>, Option<f64>) {
        (
            facts
                .input
                .pointer("/evidence/incomes/latest_month_gross_pay_eur")
                .and_then(Value::as_f64),
            facts
                .input
                .pointer("/evidence/incomes/previous_month_gross_pay_eur")
                .and_then(Value::as_f64),
        )
    }

    #[test]
    fn the_latest_two_months_whatever_the_order() {
        let events = [
            pay("a", date(2026, 8, 1), 1500.0),
            pay("b", date(2026, 9, 1), 1400.0),
            pay("c", date(2026, 10, 1), 1700.0),
        ];
        let orders: [[usize; 3]; 6] = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for order in orders {
            let mut facts = Facts::from_decision_input(serde_json::json!({}));
            for i in order {
                facts.apply(&events[i], "2026-11-29T10:00:00Z");
            }
            assert_eq!(
                pays(&facts),
                (Some(1700.0), Some(1400.0)),
                "order {order:?}"
            );
        }
    }

    #[test]
    fn a_gap_leaves_the_month_before_unknown() {
        let mut facts = Facts::from_decision_input(serde_json::json!({}));
        facts.apply(&pay("a", date(2026, 7, 1), 1500.0), "t");
        facts.apply(&pay("b", date(2026, 9, 1), 1400.0), "t");
        assert_eq!(pays(&facts), (Some(1400.0), None));
    }

    #[test]
    fn an_older_event_does_not_undo_a_newer_one() {
        let mut facts = Facts::from_decision_input(serde_json::json!({}));
        let moved_back = RegisterEvent {
            id: "m".into(),
            occurred_on: date(2026, 10, 1),
            body: EventBody::AddressChange {
                person: "p".into(),
                municipality_code: "091".into(),
            },
        };
        let emigrated = RegisterEvent {
            id: "e".into(),
            occurred_on: date(2026, 9, 1),
            body: EventBody::Emigration { person: "p".into() },
        };
        facts.apply(&moved_back, "t");
        assert!(!facts.apply(&emigrated, "t"));
        assert_eq!(
            facts
                .input
                .pointer("/evidence/population/resident_in_finland"),
            Some(&Value::Bool(true))
        );
    }
}
