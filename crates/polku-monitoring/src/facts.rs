//! A monitored permit's facts: the evidence the grant was decided on, as the rules read it
//! (an [`Application`]: the input schema's fields and where each register's came from),
//! changed by each register event since. Pure.
//!
//! Events may arrive late or out of order: each field remembers the day of the event
//! that set it, and an event older than that leaves the field alone, so the facts are
//! the same whatever order a person's events arrive in. Pay reports keep the latest two
//! months by the month they are for.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::Date;
use polku_rules::Application;
use polku_rules::schema::{FieldValue, Provenance, field_index};

use crate::event::{EventBody, RegisterEvent};

/// The fields events set, by slot (looked up once).
struct Slots {
    latest_pay: usize,
    previous_pay: usize,
    latest_month: usize,
    employer: usize,
    applied_employer: usize,
    field: usize,
    any_sentence: usize,
    disqualifying: usize,
    resident: usize,
    municipality: usize,
    dwelling: usize,
    bankrupt: usize,
    active: usize,
    entry_ban: usize,
    sis_alert: usize,
    enrolled: usize,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| {
        // Every path here is in the schema: the unit tests read each.
        let at = |path: &str| field_index(path).unwrap_or(usize::MAX);
        Slots {
            latest_pay: at("evidence.incomes.latest_month_gross_pay_eur"),
            previous_pay: at("evidence.incomes.previous_month_gross_pay_eur"),
            latest_month: at("evidence.incomes.latest_report_month"),
            employer: at("evidence.incomes.employer_id"),
            applied_employer: at("application.employment.employer_id"),
            field: at("evidence.incomes.occupational_field"),
            any_sentence: at("evidence.criminal_records.any_sentence"),
            disqualifying: at("evidence.criminal_records.disqualifying_entries"),
            resident: at("evidence.population.resident_in_finland"),
            municipality: at("evidence.population.municipality_code"),
            dwelling: at("evidence.population.dwelling"),
            bankrupt: at("evidence.trade_register.employer_bankrupt"),
            active: at("evidence.trade_register.employer_active"),
            entry_ban: at("evidence.sis.entry_ban"),
            sis_alert: at("evidence.sis.alert"),
            enrolled: at("evidence.studies.enrolled"),
        }
    })
}

/// What is known of a permit holder now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    /// The fields, as the rules read them, with each register's provenance.
    pub app: Application,
    /// For each field an event set, by slot, the day of that event.
    pub set_on: BTreeMap<usize, Date>,
    /// The month of the pay report before the latest, when known.
    pub previous_month: Option<Date>,
}

impl Facts {
    /// Facts that start from the evidence a grant was decided on.
    pub fn from_decision(app: Application) -> Facts {
        Facts {
            app,
            ..Facts::default()
        }
    }

    /// The employer the latest pay report names, or the one applied with.
    pub fn employer(&self) -> Option<&str> {
        let s = slots();
        [s.employer, s.applied_employer]
            .into_iter()
            .find_map(|slot| match self.app.get(slot) {
                Some(FieldValue::Text(t)) => Some(t.as_str()),
                _ => None,
            })
    }

    /// Applies one event; `received` is when Polku learnt of it (RFC 3339), recorded as
    /// the register's fetch time. Returns whether any fact changed.
    pub fn apply(&mut self, event: &RegisterEvent, received: &str) -> bool {
        let s = slots();
        let on = event.occurred_on;
        let (changed, register) = match &event.body {
            EventBody::PayReport {
                month,
                gross_pay_eur,
                employer_id,
                occupational_field,
                ..
            } => {
                let mut changed = self.pay_report(*month, *gross_pay_eur);
                changed |= self.set(s.employer, FieldValue::Text(employer_id.clone()), on);
                if let Some(field) = occupational_field {
                    changed |= self.set(s.field, FieldValue::Text(field.clone()), on);
                }
                (changed, "incomes")
            }
            EventBody::CriminalRecordEntry { disqualifying, .. } => {
                let mut changed = self.set(s.any_sentence, FieldValue::Bool(true), on);
                if *disqualifying {
                    changed |= self.set(s.disqualifying, FieldValue::Bool(true), on);
                }
                (changed, "criminal_records")
            }
            EventBody::Emigration { .. } => {
                let a = self.set(s.resident, FieldValue::Bool(false), on);
                let b = self.unset(s.dwelling, on);
                (a | b, "population")
            }
            EventBody::AddressChange {
                municipality_code,
                dwelling,
                ..
            } => {
                let a = self.set(s.resident, FieldValue::Bool(true), on);
                let b = self.set(
                    s.municipality,
                    FieldValue::Text(municipality_code.clone()),
                    on,
                );
                // A new address the register names no dwelling for: the old one is gone.
                let c = match dwelling {
                    Some(d) => self.set(s.dwelling, FieldValue::Text(d.clone()), on),
                    None => self.unset(s.dwelling, on),
                };
                (a | b | c, "population")
            }
            EventBody::EmployerBankruptcy { .. } => {
                let a = self.set(s.bankrupt, FieldValue::Bool(true), on);
                let b = self.set(s.active, FieldValue::Bool(false), on);
                (a | b, "trade_register")
            }
            EventBody::EmployerDeregistration { .. } => (
                self.set(s.active, FieldValue::Bool(false), on),
                "trade_register",
            ),
            EventBody::EntryBan { .. } => {
                (self.set(s.entry_ban, FieldValue::Bool(true), on), "sis")
            }
            EventBody::SisAlert { .. } => {
                (self.set(s.sis_alert, FieldValue::Bool(true), on), "sis")
            }
            EventBody::StudiesEnded { .. } => {
                (self.set(s.enrolled, FieldValue::Bool(false), on), "studies")
            }
        };
        if changed {
            self.touch(register, event, received);
        }
        changed
    }

    /// Sets `slot` unless a later event set it already; whether the value changed.
    fn set(&mut self, slot: usize, value: FieldValue, on: Date) -> bool {
        if self.set_on.get(&slot).is_some_and(|d| *d > on) {
            return false;
        }
        self.set_on.insert(slot, on);
        if self.app.get(slot) == Some(&value) {
            return false;
        }
        self.app.set(slot, Some(value));
        true
    }

    /// Clears `slot` as of `on`, unless a later event set it.
    fn unset(&mut self, slot: usize, on: Date) -> bool {
        if self.set_on.get(&slot).is_some_and(|d| *d > on) {
            return false;
        }
        self.set_on.insert(slot, on);
        if self.app.get(slot).is_none() {
            return false;
        }
        self.app.set(slot, None);
        true
    }

    /// Records that the register's data came with this event.
    fn touch(&mut self, register: &str, event: &RegisterEvent, received: &str) {
        let source = polku_rules::schema::REGISTERS
            .iter()
            .find(|r| r.key == register)
            .map(|r| r.name.to_owned());
        self.app.set_provenance(
            register,
            Provenance {
                source,
                request_id: Some(event.id.clone()),
                fetched_at: Some(received.to_owned()),
            },
        );
    }

    /// Keeps the latest two months' pay by the month they are for.
    fn pay_report(&mut self, month: Date, pay: f64) -> bool {
        let s = slots();
        let latest = self.set_on_month();
        let pay = FieldValue::Number(pay);
        match latest {
            Some(l) if month < l => {
                if self.previous_month.is_none_or(|p| month >= p) {
                    self.previous_month = Some(month);
                    return self.replace(s.previous_pay, Some(pay));
                }
                false
            }
            Some(l) if month == l => self.replace(s.latest_pay, Some(pay)),
            _ => {
                // A newer month: the latest becomes the one before if it is the month
                // just before; a gap leaves the one before unknown.
                let old = self.app.get(s.latest_pay).cloned();
                let previous = match (latest, old) {
                    (Some(l), Some(old)) if next_month(l) == Some(month) => {
                        self.previous_month = Some(l);
                        Some(old)
                    }
                    _ => {
                        self.previous_month = None;
                        None
                    }
                };
                self.replace(s.previous_pay, previous);
                self.replace(s.latest_month, Some(FieldValue::Date(month)));
                self.replace(s.latest_pay, Some(pay));
                true
            }
        }
    }

    /// The month of the latest pay report known.
    fn set_on_month(&self) -> Option<Date> {
        match self.app.get(slots().latest_month) {
            Some(FieldValue::Date(d)) => Some(*d),
            _ => None,
        }
    }

    fn replace(&mut self, slot: usize, value: Option<FieldValue>) -> bool {
        if self.app.get(slot) == value.as_ref() {
            return false;
        }
        self.app.set(slot, value);
        true
    }
}

fn next_month(month: Date) -> Option<Date> {
    month.checked_add(jiff::Span::new().months(1)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventBody;
    use jiff::civil::date;

    #[test]
    fn every_field_events_set_is_in_the_schema() {
        let s = slots();
        for slot in [
            s.latest_pay,
            s.previous_pay,
            s.latest_month,
            s.employer,
            s.applied_employer,
            s.field,
            s.any_sentence,
            s.disqualifying,
            s.resident,
            s.municipality,
            s.bankrupt,
            s.active,
            s.entry_ban,
            s.sis_alert,
            s.enrolled,
        ] {
            assert!(slot < polku_rules::schema::FIELDS.len());
        }
    }

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

    fn pays(facts: &Facts) -> (Option<&FieldValue>, Option<&FieldValue>) {
        let s = slots();
        (facts.app.get(s.latest_pay), facts.app.get(s.previous_pay))
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
            let mut facts = Facts::default();
            for i in order {
                facts.apply(&events[i], "2026-11-29T10:00:00Z");
            }
            assert_eq!(
                pays(&facts),
                (
                    Some(&FieldValue::Number(1700.0)),
                    Some(&FieldValue::Number(1400.0))
                ),
                "order {order:?}"
            );
        }
    }

    #[test]
    fn a_gap_leaves_the_month_before_unknown() {
        let mut facts = Facts::default();
        facts.apply(&pay("a", date(2026, 7, 1), 1500.0), "t");
        facts.apply(&pay("b", date(2026, 9, 1), 1400.0), "t");
        assert_eq!(pays(&facts), (Some(&FieldValue::Number(1400.0)), None));
    }

    #[test]
    fn an_older_event_does_not_undo_a_newer_one_and_the_register_is_recorded() {
        let mut facts = Facts::default();
        let moved_back = RegisterEvent {
            id: "m".into(),
            occurred_on: date(2026, 10, 1),
            body: EventBody::AddressChange {
                person: "p".into(),
                municipality_code: "091".into(),
                dwelling: Some("100012345A A 1".into()),
            },
        };
        let emigrated = RegisterEvent {
            id: "e".into(),
            occurred_on: date(2026, 9, 1),
            body: EventBody::Emigration { person: "p".into() },
        };
        assert!(facts.apply(&moved_back, "2026-10-02T08:00:00Z"));
        assert!(!facts.apply(&emigrated, "2026-10-03T08:00:00Z"));
        assert_eq!(
            facts.app.get(slots().resident),
            Some(&FieldValue::Bool(true))
        );
        let p = facts.app.provenance("population").unwrap();
        assert_eq!(p.request_id.as_deref(), Some("m"));
        assert_eq!(p.fetched_at.as_deref(), Some("2026-10-02T08:00:00Z"));
    }
}
