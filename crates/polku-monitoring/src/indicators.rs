//! Labour-exploitation indicators at employer level: findings for a labour inspector
//! (työsuojeluviranomaisen ulkomaalaistarkastaja), never decisions about a person. Pure.
//!
//! Each indicator is stated with its threshold, its legal basis and who reviews it. They
//! read only what [`WorkerFacts`] holds — pay, the applicable minimum, the pay at the
//! grant, the month of the latest pay report, the dwelling as a key that only tells
//! dwellings apart — and the employer's permits that ended in a
//! confirmed re-examination: no protected attribute (nationality, sex, religion,
//! ethnicity) is an input, for no such field can reach them (`FIELDS_READ`, tested).

use jiff::civil::Date;
use polku_rules::Application;
use polku_rules::schema::{FieldValue, field_index};
use serde::Serialize;

/// The legal basis on which a labour inspector follows a foreign worker's employer: the
/// Aliens Act 86 § 4 mom. (the employer's duties of 86 a §, supervised by the occupational
/// safety and health authority).
pub const INDICATOR_BASIS: &str = "UlkL 86 § 4 mom. ja 86 a §";

/// Who reviews an indicator's finding.
pub const REVIEWER: &str = "labour_inspector";

/// The input fields the indicators read, by path: nothing else of a permit holder.
pub const FIELDS_READ: [&str; 6] = [
    "evidence.incomes.latest_month_gross_pay_eur",
    "evidence.incomes.latest_report_month",
    "evidence.incomes.monthly_gross_pay_avg_eur",
    "evidence.agreements.minimum_monthly_pay_eur",
    "evidence.incomes.employer_id",
    "evidence.population.dwelling",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Several foreign workers of one employer paid below the applicable minimum.
    PayBelowMinimum,
    /// Pay fell sharply after the permit was granted, for several workers.
    PayFellAfterGrant,
    /// Many permits tied to an employer with no recent pay reports.
    NoPayReports,
    /// Workers' permits keep ending early (re-examinations confirmed).
    PermitsEndingEarly,
    /// Many workers registered at one address.
    ManyAtOneAddress,
}

impl IndicatorKind {
    /// Every kind, in the order the indicators are stated.
    pub const ALL: [IndicatorKind; 5] = [
        IndicatorKind::PayBelowMinimum,
        IndicatorKind::PayFellAfterGrant,
        IndicatorKind::NoPayReports,
        IndicatorKind::PermitsEndingEarly,
        IndicatorKind::ManyAtOneAddress,
    ];

    /// The kind as it is stored and named in the API.
    pub fn code(self) -> &'static str {
        match self {
            IndicatorKind::PayBelowMinimum => "pay_below_minimum",
            IndicatorKind::PayFellAfterGrant => "pay_fell_after_grant",
            IndicatorKind::NoPayReports => "no_pay_reports",
            IndicatorKind::PermitsEndingEarly => "permits_ending_early",
            IndicatorKind::ManyAtOneAddress => "many_at_one_address",
        }
    }

    /// The kind stored as `code`.
    pub fn from_code(code: &str) -> Option<IndicatorKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The indicator as stated.
    pub fn stated(self) -> &'static Indicator {
        // INDICATORS holds one of every kind, in ALL's order (tested).
        &INDICATORS[Self::ALL.iter().position(|k| *k == self).unwrap_or(0)]
    }
}

/// An indicator as stated: what it finds, from how many workers, on what basis.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Indicator {
    pub kind: IndicatorKind,
    /// Workers (or permits) of one employer at which it is found.
    pub threshold: usize,
    pub legal_basis: &'static str,
    pub reviewer: &'static str,
    /// Whether Polku can compute it from what the registers report.
    pub computed: bool,
    pub statement: &'static str,
}

/// Pay below this share of the pay at the grant counts as a sharp fall.
pub const SHARP_FALL: f64 = 0.7;
/// No pay report for this many months before the current one counts as none.
pub const MONTHS_WITHOUT_REPORT: i64 = 2;

/// Every indicator, stated.
pub const INDICATORS: [Indicator; 5] = [
    Indicator {
        kind: IndicatorKind::PayBelowMinimum,
        threshold: 3,
        legal_basis: INDICATOR_BASIS,
        reviewer: REVIEWER,
        computed: true,
        statement: "At least 3 of the employer's workers on a residence permit were paid below the applicable minimum in their latest monthly pay report.",
    },
    Indicator {
        kind: IndicatorKind::PayFellAfterGrant,
        threshold: 2,
        legal_basis: INDICATOR_BASIS,
        reviewer: REVIEWER,
        computed: true,
        statement: "At least 2 of the employer's workers were paid less than 70 % of the monthly pay their permit was granted on.",
    },
    Indicator {
        kind: IndicatorKind::NoPayReports,
        threshold: 3,
        legal_basis: INDICATOR_BASIS,
        reviewer: REVIEWER,
        computed: true,
        statement: "At least 3 permits tied to the employer have no pay report for the last two months.",
    },
    Indicator {
        kind: IndicatorKind::PermitsEndingEarly,
        threshold: 2,
        legal_basis: INDICATOR_BASIS,
        reviewer: REVIEWER,
        computed: true,
        statement: "Re-examinations of at least 2 of the employer's workers' permits were opened in the last 12 months.",
    },
    Indicator {
        kind: IndicatorKind::ManyAtOneAddress,
        threshold: 5,
        legal_basis: INDICATOR_BASIS,
        reviewer: REVIEWER,
        computed: true,
        statement: "At least 5 of the employer's workers are registered at one dwelling (by the population register's address changes: a building and an apartment).",
    },
];

/// What the indicators may know of one worker: nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkerFacts {
    pub latest_pay: Option<f64>,
    pub latest_month: Option<Date>,
    pub pay_at_grant: Option<f64>,
    pub minimum: Option<f64>,
    /// The dwelling the worker is registered at, as a key that tells dwellings apart and
    /// nothing else (a hash of the register's identifier).
    pub dwelling: Option<u64>,
}

impl WorkerFacts {
    /// The worker's facts the indicators read, from a monitored permit's facts.
    pub fn of(app: &Application) -> WorkerFacts {
        let number = |path: &str| match field_index(path).and_then(|i| app.get(i)) {
            Some(FieldValue::Number(n)) => Some(*n),
            _ => None,
        };
        let date = |path: &str| match field_index(path).and_then(|i| app.get(i)) {
            Some(FieldValue::Date(d)) => Some(*d),
            _ => None,
        };
        let dwelling = match field_index(FIELDS_READ[5]).and_then(|i| app.get(i)) {
            Some(FieldValue::Text(t)) => Some(dwelling_key(t)),
            _ => None,
        };
        WorkerFacts {
            latest_pay: number(FIELDS_READ[0]),
            latest_month: date(FIELDS_READ[1]),
            pay_at_grant: number(FIELDS_READ[2]),
            minimum: number(FIELDS_READ[3]),
            dwelling,
        }
    }
}

/// A dwelling's key: equal for equal identifiers, and the identifier is not kept.
fn dwelling_key(dwelling: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dwelling.hash(&mut h);
    h.finish()
}

/// The most of `workers` registered at any one dwelling.
fn most_at_one_dwelling(workers: &[WorkerFacts]) -> usize {
    let mut at: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for d in workers.iter().filter_map(|w| w.dwelling) {
        *at.entry(d).or_default() += 1;
    }
    at.into_values().max().unwrap_or(0)
}

/// One indicator read for one employer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reading {
    pub kind: IndicatorKind,
    /// Workers (or permits) it counted; `None`: not computed.
    pub count: Option<usize>,
    pub threshold: usize,
    /// Whether the count reached the threshold: a finding for the inspector.
    pub found: bool,
}

/// Every indicator for an employer's workers on `today`; `reexamined` is how many of
/// their permits had a re-examination opened in the last 12 months.
pub fn read(workers: &[WorkerFacts], reexamined: usize, today: Date) -> Vec<Reading> {
    let oldest_current = today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(MONTHS_WITHOUT_REPORT))
        .unwrap_or(today);
    let count = |f: &dyn Fn(&WorkerFacts) -> bool| workers.iter().filter(|w| f(w)).count();
    INDICATORS
        .iter()
        .map(|i| {
            let n = match i.kind {
                IndicatorKind::PayBelowMinimum => Some(count(&|w| {
                    matches!((w.latest_pay, w.minimum), (Some(p), Some(m)) if p < m)
                })),
                IndicatorKind::PayFellAfterGrant => Some(count(&|w| {
                    matches!((w.latest_pay, w.pay_at_grant), (Some(p), Some(g)) if g > 0.0 && p < g * SHARP_FALL)
                })),
                IndicatorKind::NoPayReports => Some(count(&|w| {
                    w.latest_month.is_none_or(|m| m < oldest_current)
                })),
                IndicatorKind::PermitsEndingEarly => Some(reexamined),
                IndicatorKind::ManyAtOneAddress => Some(most_at_one_dwelling(workers)),
            };
            Reading {
                kind: i.kind,
                count: n,
                threshold: i.threshold,
                found: n.is_some_and(|n| n >= i.threshold),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = jiff::civil::date(2026, 12, 7);

    fn worker(latest: f64, at_grant: f64, month: Option<Date>) -> WorkerFacts {
        WorkerFacts {
            latest_pay: Some(latest),
            latest_month: month,
            pay_at_grant: Some(at_grant),
            minimum: Some(2210.0),
            dwelling: None,
        }
    }

    fn found(readings: &[Reading]) -> Vec<IndicatorKind> {
        readings
            .iter()
            .filter(|r| r.found)
            .map(|r| r.kind)
            .collect()
    }

    #[test]
    fn each_indicator_is_found_at_its_threshold_and_not_below() {
        let november = Some(jiff::civil::date(2026, 11, 1));
        let fair = worker(2500.0, 2500.0, november);
        let below = worker(2000.0, 2300.0, november);
        assert!(found(&read(&[fair, fair, fair], 0, TODAY)).is_empty());
        assert!(found(&read(&[below, below, fair], 0, TODAY)).is_empty());
        assert_eq!(
            found(&read(&[below, below, below], 0, TODAY)),
            [IndicatorKind::PayBelowMinimum]
        );
        let fell = worker(1500.0, 2600.0, november);
        assert!(found(&read(&[fell, fair], 0, TODAY)).is_empty());
        assert_eq!(
            found(&read(&[fell, fell, fair], 0, TODAY)),
            [IndicatorKind::PayFellAfterGrant],
            "two below the minimum do not reach its threshold of three"
        );
        let silent = worker(2500.0, 2500.0, Some(jiff::civil::date(2026, 9, 1)));
        let never = WorkerFacts::default();
        assert_eq!(
            found(&read(&[silent, never, silent], 0, TODAY)),
            [IndicatorKind::NoPayReports]
        );
        assert_eq!(
            found(&read(&[fair], 2, TODAY)),
            [IndicatorKind::PermitsEndingEarly]
        );
        assert_eq!(found(&read(&[fair], 1, TODAY)), []);
    }

    #[test]
    fn many_workers_at_one_dwelling_is_found_at_five() {
        let november = Some(jiff::civil::date(2026, 11, 1));
        let at = |dwelling: &str| WorkerFacts {
            dwelling: Some(dwelling_key(dwelling)),
            ..worker(2500.0, 2500.0, november)
        };
        let crowded: Vec<WorkerFacts> = (0..5).map(|_| at("100012345A A 1")).collect();
        assert_eq!(
            found(&read(&crowded, 0, TODAY)),
            [IndicatorKind::ManyAtOneAddress]
        );
        let mut spread = crowded[..4].to_vec();
        spread.push(at("100012345A A 2"));
        spread.push(worker(2500.0, 2500.0, november));
        let reading = read(&spread, 0, TODAY)
            .into_iter()
            .find(|r| r.kind == IndicatorKind::ManyAtOneAddress)
            .unwrap();
        assert_eq!(
            (reading.count, reading.found),
            (Some(4), false),
            "another apartment of the same building is another dwelling; no dwelling known counts for none"
        );
        assert!(
            INDICATORS
                .iter()
                .all(|i| i.computed && !i.legal_basis.is_empty() && i.reviewer == REVIEWER)
        );
    }

    #[test]
    fn every_kind_is_stated_once_and_reads_back_from_its_code() {
        for (i, kind) in IndicatorKind::ALL.into_iter().enumerate() {
            assert_eq!(INDICATORS[i].kind, kind);
            assert_eq!(kind.stated().kind, kind);
            assert_eq!(IndicatorKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.code())
            );
        }
        assert_eq!(IndicatorKind::from_code("nationality"), None);
    }

    #[test]
    fn no_protected_attribute_is_read() {
        for path in FIELDS_READ {
            assert!(field_index(path).is_some(), "{path} is not in the schema");
            for protected in [
                "nationality",
                "citizenship",
                "sex",
                "gender",
                "religion",
                "ethnic",
                "birth",
                "language",
            ] {
                assert!(!path.contains(protected), "{path} reads {protected}");
            }
        }
    }
}
