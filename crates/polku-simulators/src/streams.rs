//! Register events from the synthetic population: what the registers report, month by
//! month, about the people who hold residence permits — the Incomes Register's pay
//! reports, the criminal records' entries, the population information system's moves and
//! emigrations, the trade register's bankruptcies and deregistrations, entry bans and SIS
//! alerts, the institutions' ends of studies.
//!
//! Deterministic from the population's seed: a person's events in a month are drawn from a
//! random stream of `(seed, month, person)` alone, and the once-only turns of their story
//! (moving abroad, a disqualifying conviction, an entry ban, the end of their studies, their
//! pay falling after the grant) from one of `(seed, person)`, as months counted from the
//! month their permit was granted. A first permit is granted abroad: its holder arrives and
//! registers an address (an `address_change`) in the month after the grant, before any pay. The same seed and month give the same events with the
//! same ids, so feeding a month twice changes nothing the second time.
//!
//! The events are written in the wire format `polku monitor ingest` and
//! `POST /api/v1/monitoring/events` read (docs/monitoring.md): one flat JSON object per
//! event. This crate does not depend on the monitoring crate (only the binary reaches the
//! simulators, ADR 0010); `crates/polku/tests/streams.rs` reads every generated event with
//! the monitor's own reader.
//!
//! The rates, per holder and month, are in the constants below and in
//! `docs/synthetic-population.md`; they are plausible orders of magnitude, not statistics.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::Serialize;

use crate::population::{
    Employer, MUNICIPALITIES, MUNICIPALITY_WEIGHTS, Matter, PermitKind, Person, Population, around,
    person_id, rng, weighted,
};

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

/// A text that is not a month like `2026-11`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month like 2026-11")]
pub struct NotAMonth(pub String);

impl Month {
    /// The month, for years 1900–9998.
    pub fn new(year: i16, month: i8) -> Option<Month> {
        ((1900..=9998).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// The month `day` falls in.
    pub fn of(day: Date) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        self.day(1)
    }

    /// Day `d` of the month, clamped to the month's days.
    pub fn day(self, d: i8) -> Date {
        let first = Date::new(self.year, self.month, 1).unwrap_or_default();
        Date::new(self.year, self.month, d.clamp(1, first.days_in_month())).unwrap_or(first)
    }

    /// How many days it has.
    pub fn days(self) -> i8 {
        self.first_day().days_in_month()
    }

    /// `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        let k = i32::from(self.year) * 12 + i32::from(self.month) - 1 + n;
        Month {
            year: k.div_euclid(12) as i16,
            month: (k.rem_euclid(12) + 1) as i8,
        }
    }

    pub fn next(self) -> Month {
        self.plus(1)
    }

    pub fn previous(self) -> Month {
        self.plus(-1)
    }

    /// Months from `earlier` to this one.
    pub fn since(self, earlier: Month) -> i32 {
        (i32::from(self.year) - i32::from(earlier.year)) * 12
            + (i32::from(self.month) - i32::from(earlier.month))
    }

    /// A number of its own, for the random streams.
    fn key(self) -> u64 {
        (i64::from(self.year) * 12 + i64::from(self.month)).unsigned_abs()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = NotAMonth;

    fn from_str(s: &str) -> Result<Month, NotAMonth> {
        let bad = || NotAMonth(s.chars().take(40).collect());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

/// One event a register reports, in the wire format the monitor reads: `id`,
/// `occurred_on`, `kind` and the kind's fields, flat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamEvent {
    /// The register's own id for it: the same event always has the same id.
    pub id: String,
    /// The day it happened.
    pub occurred_on: Date,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened, by kind (the `kind` field: `pay_report`, `criminal_record_entry`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// The Incomes Register's monthly pay report.
    PayReport {
        person: String,
        /// The first day of the month the pay is for.
        month: Date,
        gross_pay_eur: f64,
        employer_id: String,
        occupational_field: String,
    },
    /// A new entry in the criminal records; `disqualifying`: a ground for refusal.
    CriminalRecordEntry { person: String, disqualifying: bool },
    /// The population information system: moved abroad.
    Emigration { person: String },
    /// The population information system: a new address in another municipality, and
    /// the dwelling (the building's permanent identifier and the apartment).
    AddressChange {
        person: String,
        municipality_code: String,
        dwelling: String,
    },
    /// The trade register: the employer went bankrupt.
    EmployerBankruptcy { employer_id: String },
    /// The trade register: the employer was removed from the register.
    EmployerDeregistration { employer_id: String },
    /// An entry ban was issued.
    EntryBan { person: String },
    /// A Schengen Information System alert.
    SisAlert { person: String },
    /// The institution registered the end of the studies.
    StudiesEnded { person: String },
}

/// The kinds of event, in the order [`EventBody`] lists them.
pub const KINDS: [&str; 9] = [
    "pay_report",
    "criminal_record_entry",
    "emigration",
    "address_change",
    "employer_bankruptcy",
    "employer_deregistration",
    "entry_ban",
    "sis_alert",
    "studies_ended",
];

impl StreamEvent {
    /// The `kind` it is written with.
    pub fn kind(&self) -> &'static str {
        KINDS[match &self.body {
            EventBody::PayReport { .. } => 0,
            EventBody::CriminalRecordEntry { .. } => 1,
            EventBody::Emigration { .. } => 2,
            EventBody::AddressChange { .. } => 3,
            EventBody::EmployerBankruptcy { .. } => 4,
            EventBody::EmployerDeregistration { .. } => 5,
            EventBody::EntryBan { .. } => 6,
            EventBody::SisAlert { .. } => 7,
            EventBody::StudiesEnded { .. } => 8,
        }]
    }

    /// The person it is about; `None` for an employer's event.
    pub fn person(&self) -> Option<&str> {
        match &self.body {
            EventBody::PayReport { person, .. }
            | EventBody::CriminalRecordEntry { person, .. }
            | EventBody::Emigration { person }
            | EventBody::AddressChange { person, .. }
            | EventBody::EntryBan { person }
            | EventBody::SisAlert { person }
            | EventBody::StudiesEnded { person } => Some(person),
            EventBody::EmployerBankruptcy { .. } | EventBody::EmployerDeregistration { .. } => None,
        }
    }

    /// The same event dated `day` (the demo plays a holder's months at once).
    pub fn dated(mut self, day: Date) -> StreamEvent {
        self.occurred_on = day;
        self
    }
}

// Rates per holder (or employer) and month, in parts per million.

/// A month's pay well below the usual (sick leave, unpaid leave, a short month): one
/// month only, which the monitoring rules tolerate.
pub const PAY_DIP_PPM: u32 = 25_000;
/// Workers whose pay falls sharply within six months of the grant and stays low (the
/// labour-exploitation pattern: the promised pay shown for the permit, then cut).
pub const PAY_FALL_PPM: u32 = 30_000;
/// A move to another municipality (about one in seven a year).
pub const ADDRESS_CHANGE_PPM: u32 = 12_000;
/// Moving abroad (about 3.5 % of holders a year).
pub const EMIGRATION_PPM: u32 = 3_000;
/// A criminal-record entry that is no ground for refusal.
pub const MINOR_ENTRY_PPM: u32 = 1_000;
/// A criminal-record entry that is a ground for refusal (rare).
pub const DISQUALIFYING_ENTRY_PPM: u32 = 150;
/// An entry ban (very rare for a resident).
pub const ENTRY_BAN_PPM: u32 = 30;
/// A SIS alert (very rare for a resident).
pub const SIS_ALERT_PPM: u32 = 30;
/// A student's studies end: most in June, some in December, a few in any month.
pub const STUDIES_END_PPM: [u32; 12] = [
    6_000, 6_000, 6_000, 6_000, 8_000, 90_000, 8_000, 6_000, 6_000, 6_000, 6_000, 40_000,
];
/// Employers that house their foreign workers crowded into one dwelling (the
/// labour-exploitation pattern of employer-provided housing): every address such a
/// worker registers, on arrival or a move, is the employer's one dwelling.
pub const CROWDED_HOUSING_PPM: u32 = 20_000;
/// An employer goes bankrupt (about 1 % a year).
pub const BANKRUPTCY_PPM: u32 = 800;
/// An employer is removed from the register (about 1.4 % a year).
pub const DEREGISTRATION_PPM: u32 = 1_200;

/// The trade register's events start after this month: the population's employers are
/// as it found them then (the population is a snapshot of 2026).
pub const EMPLOYERS_AS_OF: Month = Month {
    year: 2026,
    month: 1,
};

/// In the synthetic world every person holds a residence permit granted in one of these
/// months (extension applicants held one before too; first applicants are granted theirs).
pub const GRANTED_FROM: Month = Month {
    year: 2025,
    month: 1,
};
pub const GRANTED_MONTHS: u32 = 22;

// The random streams' kinds (the population uses 1 and 2).
const STORY: u64 = 21;
const EMPLOYER_STORY: u64 = 22;
const GRANTED: u64 = 23;
const EMPLOYER_DWELLING: u64 = 24;
const DWELLING: u64 = 25;
const MONTH: u64 = 1_000;

fn ppm(r: &mut fastrand::Rng, per_million: u32) -> bool {
    r.u32(0..1_000_000) < per_million
}

/// The month something with a monthly chance of `per_million` first happens after
/// `since` (geometric), or `None` for a thousand years and more.
fn first_month(r: &mut fastrand::Rng, since: Month, per_million: u32) -> Option<Month> {
    let u = r.f64();
    let p = f64::from(per_million) / 1e6;
    if p <= 0.0 {
        return None;
    }
    let after = ((1.0 - u).ln() / (1.0 - p).ln()).floor();
    (after < 12_000.0).then(|| since.plus(1 + after as i32))
}

/// A day of `m` drawn from `r`.
fn day_in(r: &mut fastrand::Rng, m: Month) -> Date {
    m.day(r.i8(1..=m.days()))
}

/// A dwelling drawn from `r`: a building's permanent identifier (VTJ-PRT: a 1, eight more
/// digits and a check character, here computed as a personal identity code's is) and, in
/// seven buildings of ten, a block of flats' apartment.
fn dwelling_from(r: &mut fastrand::Rng) -> String {
    const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let number = 100_000_000 + r.u32(0..100_000_000);
    let check = char::from(CHECK[(number % 31) as usize]);
    if r.u32(0..10) < 7 {
        let staircase = char::from(b'A' + r.u8(0..4));
        format!("{number}{check} {staircase} {}", r.u32(1..=60))
    } else {
        format!("{number}{check}")
    }
}

/// The once-only turns of a holder's story, from the month after the grant on.
struct Story {
    emigration: Option<Date>,
    disqualifying: Option<Date>,
    entry_ban: Option<Date>,
    sis_alert: Option<Date>,
    studies_end: Option<Date>,
    /// From which month of pay, and to what share of the usual.
    fall: Option<(Month, f64)>,
}

/// How an employer leaves the trade register, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Bankruptcy,
    Deregistration,
}

impl Population {
    /// The month the synthetic world granted `p` the permit they hold.
    pub fn granted_in(&self, p: &Person) -> Month {
        let mut r = rng(self.seed, GRANTED, p.index);
        GRANTED_FROM.plus(r.u32(0..GRANTED_MONTHS) as i32)
    }

    /// Every event the registers report in `month` about the population's permit holders
    /// (each since [`Population::granted_in`]) and their employers, ordered by day and id:
    /// each person's events in the order they happened.
    pub fn month_events(&self, month: Month) -> Vec<StreamEvent> {
        let mut events: Vec<StreamEvent> = self
            .persons
            .iter()
            .flat_map(|p| self.person_events(p, self.granted_in(p), month))
            .chain(
                self.employers
                    .iter()
                    .flat_map(|e| self.employer_events(e, month)),
            )
            .collect();
        events.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
        events
    }

    /// What the registers report in `month` about `p`, who has held a permit since the
    /// month `since` (nothing before the month after it), in the order it happened.
    pub fn person_events(&self, p: &Person, since: Month, month: Month) -> Vec<StreamEvent> {
        if month <= since {
            return Vec::new();
        }
        let story = self.story(p, since);
        if story.emigration.is_some_and(|d| d < month.first_day()) {
            return Vec::new();
        }
        let id = person_id(p.index);
        let mut r = rng(self.seed, MONTH + month.key(), p.index);
        let mut events = Vec::new();
        // Drawn for everyone, in one order, so that one kind's draws never shift another's.
        let (pay_day, dip, variation) = (r.i8(1..=12), ppm(&mut r, PAY_DIP_PPM), r.f64());
        let dip_share = 0.35 + 0.45 * r.f64();
        let moves = ppm(&mut r, ADDRESS_CHANGE_PPM);
        let move_day = day_in(&mut r, month);
        let to = weighted(&mut r, &MUNICIPALITY_WEIGHTS);
        let minor = ppm(&mut r, MINOR_ENTRY_PPM);
        let minor_day = day_in(&mut r, month);
        let arrival_day = month.day(r.i8(1..=5));
        // A first permit is granted abroad: the holder arrives and registers an address in
        // the month after the grant, and is paid from then on.
        let arrives = p.permit == PermitKind::None;
        if arrives && month == since.next() {
            events.push(StreamEvent {
                id: format!("vtj:{id}:arrival"),
                occurred_on: arrival_day,
                body: EventBody::AddressChange {
                    person: id.clone(),
                    municipality_code: MUNICIPALITIES[p.municipality as usize].0.to_owned(),
                    dwelling: self.dwelling(p, month),
                },
            });
        }

        let pay_month = month.previous();
        let paid_here = !arrives || pay_month > since;
        if let Some(pay) = self.usual_pay(p, pay_month).filter(|_| paid_here) {
            let mut gross = pay * (0.97 + 0.06 * variation);
            if dip {
                gross *= dip_share;
            }
            if let Some((from, share)) = story.fall
                && pay_month >= from
            {
                gross *= share;
            }
            if let Some(employer) = p.employer.and_then(|e| self.employers.get(e as usize)) {
                events.push(StreamEvent {
                    id: format!("ir:{id}:{pay_month}"),
                    occurred_on: month.day(pay_day),
                    body: EventBody::PayReport {
                        person: id.clone(),
                        month: pay_month.first_day(),
                        gross_pay_eur: (gross.max(0.0) * 100.0).round() / 100.0,
                        employer_id: employer.business_id(),
                        occupational_field: format!("ISCO-{}", p.occupation),
                    },
                });
            }
        }
        // Nothing is reported about someone after they moved abroad.
        let here = |d: Date| story.emigration.is_none_or(|e| d < e);
        if moves && here(move_day) && to != p.municipality {
            events.push(StreamEvent {
                id: format!("vtj:{id}:{month}:move"),
                occurred_on: move_day,
                body: EventBody::AddressChange {
                    person: id.clone(),
                    municipality_code: MUNICIPALITIES[to as usize].0.to_owned(),
                    dwelling: self.dwelling(p, month),
                },
            });
        }
        if minor && here(minor_day) {
            events.push(StreamEvent {
                id: format!("rr:{id}:{month}"),
                occurred_on: minor_day,
                body: EventBody::CriminalRecordEntry {
                    person: id.clone(),
                    disqualifying: false,
                },
            });
        }
        let once = [
            (story.emigration, "vtj", "emigration"),
            (story.disqualifying, "rr", "disqualifying"),
            (story.entry_ban, "ban", "entry-ban"),
            (story.sis_alert, "sis", "alert"),
            (story.studies_end, "edu", "ended"),
        ];
        for (i, (day, register, what)) in once.into_iter().enumerate() {
            let Some(day) = day.filter(|d| Month::of(*d) == month && (i == 0 || here(*d))) else {
                continue;
            };
            let person = id.clone();
            let body = match i {
                0 => EventBody::Emigration { person },
                1 => EventBody::CriminalRecordEntry {
                    person,
                    disqualifying: true,
                },
                2 => EventBody::EntryBan { person },
                3 => EventBody::SisAlert { person },
                _ => EventBody::StudiesEnded { person },
            };
            events.push(StreamEvent {
                id: format!("{register}:{id}:{what}"),
                occurred_on: day,
                body,
            });
        }
        events.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
        events
    }

    /// What the trade register reports in `month` about `e`: its bankruptcy or its
    /// removal from the register, once, after [`EMPLOYERS_AS_OF`]. It reaches every worker
    /// of the employer (the monitor finds them by the employer of their permit).
    pub fn employer_events(&self, e: &Employer, month: Month) -> Vec<StreamEvent> {
        let Some((day, ending)) = self.employer_ending(e) else {
            return Vec::new();
        };
        if Month::of(day) != month {
            return Vec::new();
        }
        let employer_id = e.business_id();
        let (what, body) = match ending {
            Ending::Bankruptcy => (
                "bankruptcy",
                EventBody::EmployerBankruptcy {
                    employer_id: employer_id.clone(),
                },
            ),
            Ending::Deregistration => (
                "deregistration",
                EventBody::EmployerDeregistration {
                    employer_id: employer_id.clone(),
                },
            ),
        };
        vec![StreamEvent {
            id: format!("ytj:{employer_id}:{what}"),
            occurred_on: day,
            body,
        }]
    }

    /// The day `e` leaves the trade register and how, if it was active at
    /// [`EMPLOYERS_AS_OF`] and leaves within a thousand years.
    fn employer_ending(&self, e: &Employer) -> Option<(Date, Ending)> {
        if !e.active || e.bankrupt {
            return None;
        }
        let mut r = rng(self.seed, EMPLOYER_STORY, e.index);
        let month = first_month(&mut r, EMPLOYERS_AS_OF, BANKRUPTCY_PPM + DEREGISTRATION_PPM)?;
        let ending = if r.u32(0..BANKRUPTCY_PPM + DEREGISTRATION_PPM) < BANKRUPTCY_PPM {
            Ending::Bankruptcy
        } else {
            Ending::Deregistration
        };
        Some((day_in(&mut r, month), ending))
    }

    /// Whether `e` houses its foreign workers crowded into one dwelling.
    pub fn crowds_workers(&self, e: &Employer) -> bool {
        ppm(
            &mut rng(self.seed, EMPLOYER_DWELLING, e.index),
            CROWDED_HOUSING_PPM,
        )
    }

    /// The dwelling `p` registers when they arrive or move in `month`: their employer's
    /// one dwelling if it crowds its workers, else a dwelling of their own.
    fn dwelling(&self, p: &Person, month: Month) -> String {
        let employer = p.employer.and_then(|e| self.employers.get(e as usize));
        match employer.filter(|e| self.crowds_workers(e)) {
            Some(e) => dwelling_from(&mut rng(self.seed ^ 1, EMPLOYER_DWELLING, e.index)),
            None => {
                let moved = (i64::from(month.year) * 12 + i64::from(month.month)) as u64;
                dwelling_from(&mut rng(self.seed ^ moved, DWELLING, p.index))
            }
        }
    }

    /// What `p` is usually paid a month, if they work in `pay_month` for an employer still
    /// in the register: the mean of their last twelve months as the registers hold them.
    fn usual_pay(&self, p: &Person, pay_month: Month) -> Option<f64> {
        let employer = self.employers.get(p.employer? as usize)?;
        if !employer.active || employer.bankrupt {
            return None;
        }
        if self
            .employer_ending(employer)
            .is_some_and(|(day, _)| Month::of(day) <= pay_month)
        {
            return None;
        }
        let total: u32 = p.monthly_pay_eur.iter().sum();
        (total > 0).then(|| f64::from(total) / p.monthly_pay_eur.len() as f64)
    }

    fn story(&self, p: &Person, since: Month) -> Story {
        let mut r = rng(self.seed, STORY, p.index);
        let mut once = |per_million: u32| {
            let month = first_month(&mut r, since, per_million);
            month.map(|m| day_in(&mut r, m))
        };
        let emigration = once(EMIGRATION_PPM);
        let disqualifying = once(DISQUALIFYING_ENTRY_PPM);
        let entry_ban = once(ENTRY_BAN_PPM);
        let sis_alert = once(SIS_ALERT_PPM);
        let falls = ppm(&mut r, PAY_FALL_PPM);
        let fall_month = since.plus(r.i32(0..=5));
        let fall_share = around(&mut r, 0.5, 0.1);
        // Studies: the month they end, by the season's chance, within ten years.
        let mut studies_end = None;
        if p.matter == Matter::Student && p.enrolled {
            for k in 1..=120 {
                let m = since.plus(k);
                let hit = ppm(&mut r, STUDIES_END_PPM[(m.month - 1) as usize]);
                let day = day_in(&mut r, m);
                if hit {
                    studies_end = Some(day);
                    break;
                }
            }
        }
        Story {
            emigration,
            disqualifying,
            entry_ban,
            sis_alert,
            studies_end,
            fall: (falls && p.employer.is_some()).then_some((fall_month, fall_share)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_print_and_count() {
        let m: Month = "2026-11".parse().unwrap();
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.next().to_string(), "2026-12");
        assert_eq!(m.plus(2).to_string(), "2027-01");
        assert_eq!(m.plus(-11).to_string(), "2025-12");
        assert_eq!(m.plus(2).since(m), 2);
        assert_eq!(m.first_day(), jiff::civil::date(2026, 11, 1));
        assert_eq!(m.day(31), jiff::civil::date(2026, 11, 30));
        assert_eq!(Month::of(jiff::civil::date(2024, 2, 29)).days(), 29);
        for bad in [
            "2026-13", "2026-1", "26-11", "2026/11", "", "2026-00", "abcd-ef",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_stream_and_another_seed_another() {
        let month: Month = "2026-11".parse().unwrap();
        let a = Population::generate(2026, 2_000).month_events(month);
        let b = Population::generate(2026, 2_000).month_events(month);
        assert!(a.len() > 1_000, "{}", a.len());
        assert_eq!(a, b);
        let as_json = |events: &[StreamEvent]| serde_json::to_string(events).unwrap();
        assert_eq!(as_json(&a), as_json(&b), "the same bytes");
        let other = Population::generate(2027, 2_000).month_events(month);
        assert_ne!(a, other);
        // The next month is a month of its own: no event id repeats across months.
        let next = Population::generate(2026, 2_000).month_events(month.next());
        let ids: std::collections::HashSet<&str> = a.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), a.len(), "ids are unique within a month");
        assert!(next.iter().all(|e| !ids.contains(e.id.as_str())));
    }

    #[test]
    fn employers_that_crowd_their_workers_register_them_at_one_dwelling() {
        use std::collections::{HashMap, HashSet};
        let pop = Population::generate(2026, 20_000);
        // Who registered at which dwelling, over the months the permits were granted in.
        let mut at: HashMap<String, HashSet<String>> = HashMap::new();
        for k in 0..=GRANTED_MONTHS as i32 {
            for e in pop.month_events(GRANTED_FROM.plus(k)) {
                if let EventBody::AddressChange {
                    person, dwelling, ..
                } = e.body
                {
                    at.entry(dwelling).or_default().insert(person);
                }
            }
        }
        let crowded: Vec<usize> = at.values().map(HashSet::len).filter(|n| *n >= 5).collect();
        assert!(
            !crowded.is_empty(),
            "some dwelling holds five workers or more"
        );
        // Everyone else lives apart: a shared dwelling is an employer's, never chance.
        let by_chance = at
            .iter()
            .filter(|(_, persons)| persons.len() > 1)
            .filter(|(_, persons)| {
                let employers: HashSet<Option<u32>> = persons
                    .iter()
                    .map(|id| {
                        pop.persons
                            .iter()
                            .find(|p| person_id(p.index) == **id)
                            .and_then(|p| p.employer)
                    })
                    .collect();
                employers.len() > 1
            })
            .count();
        assert_eq!(by_chance, 0);
        let crowding = pop
            .employers
            .iter()
            .filter(|e| pop.crowds_workers(e))
            .count();
        let share = crowding as f64 / pop.employers.len() as f64;
        assert!(
            (0.005..0.05).contains(&share),
            "crowding employers: {share}"
        );
    }

    #[test]
    fn each_persons_events_come_in_the_order_they_happened_within_the_month() {
        let month: Month = "2026-06".parse().unwrap();
        let events = Population::generate(3, 5_000).month_events(month);
        let mut last: std::collections::HashMap<&str, Date> = Default::default();
        for e in &events {
            assert_eq!(Month::of(e.occurred_on), month, "{e:?}");
            if let Some(p) = e.person() {
                let before = last.insert(p, e.occurred_on);
                assert!(before.is_none_or(|d| d <= e.occurred_on), "{e:?}");
            }
        }
    }

    /// Monthly rates within plausible bounds, over 20,000 persons and a year of months.
    #[test]
    fn rates_are_plausible() {
        let pop = Population::generate(2026, 20_000);
        let months: Vec<Month> = (0..12)
            .map(|k| "2026-01".parse::<Month>().unwrap().plus(k))
            .collect();
        // Holders in a month: granted before it. Counted over the year's months.
        let holders = |f: &dyn Fn(&Person) -> bool| {
            let mut n = 0.0;
            for m in &months {
                n += pop
                    .persons
                    .iter()
                    .filter(|p| pop.granted_in(p) < *m && f(p))
                    .count() as f64;
            }
            n / 12.0
        };
        let workers = holders(&|p| pop.usual_pay(p, "2026-01".parse().unwrap()).is_some());
        let students = holders(&|p| p.matter == Matter::Student && p.enrolled);
        let persons = holders(&|_| true);
        let mut count = std::collections::BTreeMap::<&str, f64>::new();
        let (mut below, mut pays, mut disqualifying) = (0.0, 0.0, 0.0);
        for m in &months {
            for e in pop.month_events(*m) {
                *count.entry(e.kind()).or_default() += 1.0;
                match &e.body {
                    EventBody::PayReport {
                        person,
                        gross_pay_eur,
                        ..
                    } => {
                        pays += 1.0;
                        let p = pop.person(person).unwrap();
                        if *gross_pay_eur < f64::from(p.agreement_minimum_eur.max(1600)) {
                            below += 1.0;
                        }
                    }
                    EventBody::CriminalRecordEntry {
                        disqualifying: true,
                        ..
                    } => disqualifying += 1.0,
                    _ => {}
                }
            }
        }
        let per_month = |kind: &str| count.get(kind).copied().unwrap_or(0.0) / 12.0;
        eprintln!(
            "a year's events over {persons:.0} holders ({workers:.0} working, {students:.0} studying): {count:?}; pay below the minimum {below} of {pays}"
        );
        // Every worker's pay is reported every month (bar those whose employer ended or
        // who moved abroad).
        let pay = per_month("pay_report") / workers;
        assert!(
            (0.90..=1.0).contains(&pay),
            "pay reports per worker and month: {pay}"
        );
        // Some below the minimum (the population's underpaid, the dips, the falls), most not.
        let share_below = below / pays;
        assert!(
            (0.05..0.25).contains(&share_below),
            "below the minimum: {share_below}"
        );
        let rate = |kind: &str| per_month(kind) / persons;
        let moves = rate("address_change");
        assert!((0.005..0.02).contains(&moves), "moves: {moves}");
        let emigration = rate("emigration");
        assert!(
            (0.001..0.006).contains(&emigration),
            "emigration: {emigration}"
        );
        let entries = rate("criminal_record_entry");
        assert!(
            (0.0003..0.003).contains(&entries),
            "criminal entries: {entries}"
        );
        assert!(disqualifying >= 1.0, "a few entries are disqualifying");
        assert!(disqualifying / 12.0 / persons < 0.0005, "{disqualifying}");
        let bans = rate("entry_ban") + rate("sis_alert");
        assert!(
            bans < 0.0002,
            "entry bans and SIS alerts are very rare: {bans}"
        );
        let ended = per_month("studies_ended") / students;
        assert!((0.005..0.05).contains(&ended), "studies ended: {ended}");
        let employers = per_month("employer_bankruptcy") + per_month("employer_deregistration");
        let employer_rate = employers / pop.employers.len() as f64;
        assert!(
            (0.0005..0.006).contains(&employer_rate),
            "employers ending: {employer_rate}"
        );
    }

    #[test]
    fn some_pay_falls_sharply_after_the_grant_and_stays_low() {
        let pop = Population::generate(11, 5_000);
        let since: Month = "2026-01".parse().unwrap();
        let pay = |p: &Person, m: Month| {
            pop.person_events(p, since, m)
                .iter()
                .find_map(|e| match e.body {
                    EventBody::PayReport { gross_pay_eur, .. } => Some(gross_pay_eur),
                    _ => None,
                })
        };
        let mut fell = 0;
        for p in &pop.persons {
            let months: Vec<f64> = (1..=9).filter_map(|k| pay(p, since.plus(k))).collect();
            if months.len() < 9 {
                continue;
            }
            // Low (under 70 % of the first month) for the last three months running.
            if months[6..].iter().all(|x| *x < 0.7 * months[0]) {
                fell += 1;
            }
        }
        let workers = pop.persons.iter().filter(|p| p.employer.is_some()).count();
        let share = fell as f64 / workers as f64;
        assert!((0.01..0.06).contains(&share), "{fell} of {workers}");
    }

    #[test]
    fn a_first_permit_holder_arrives_and_registers_an_address_before_being_paid_here() {
        let pop = Population::generate(4, 2_000);
        let since: Month = "2026-03".parse().unwrap();
        let mut arrived = 0;
        for p in pop.persons.iter().filter(|p| p.permit == PermitKind::None) {
            let first = pop.person_events(p, since, since.next());
            assert!(first.iter().all(|e| e.kind() != "pay_report"), "{first:?}");
            assert_eq!(first[0].kind(), "address_change", "{first:?}");
            assert_eq!(first[0].id, format!("vtj:{}:arrival", person_id(p.index)));
            arrived += 1;
            let stays = first.iter().all(|e| e.kind() != "emigration");
            if stays && pop.usual_pay(p, since.next()).is_some() {
                let second = pop.person_events(p, since, since.plus(2));
                assert!(
                    second.iter().any(|e| e.kind() == "pay_report"),
                    "{second:?}"
                );
            }
        }
        assert!(arrived > 50, "{arrived}");
    }

    #[test]
    fn a_person_is_reported_nothing_before_the_month_after_the_grant() {
        let pop = Population::generate(5, 200);
        let since: Month = "2026-05".parse().unwrap();
        for p in &pop.persons {
            assert!(pop.person_events(p, since, since).is_empty());
            assert!(pop.person_events(p, since, since.previous()).is_empty());
        }
    }

    #[test]
    fn an_emigrant_is_reported_nothing_after_the_month_they_left() {
        let pop = Population::generate(9, 3_000);
        let since: Month = "2025-01".parse().unwrap();
        let mut emigrants = 0;
        for p in &pop.persons {
            let Some(left) = (1..=24).map(|k| since.plus(k)).find(|m| {
                pop.person_events(p, since, *m)
                    .iter()
                    .any(|e| e.kind() == "emigration")
            }) else {
                continue;
            };
            emigrants += 1;
            for k in 1..=3 {
                assert!(pop.person_events(p, since, left.plus(k)).is_empty());
            }
        }
        assert!(emigrants > 20, "{emigrants}");
    }
}
