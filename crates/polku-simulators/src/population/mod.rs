//! The synthetic population: a deterministic country of invented people.
//!
//! `Population::generate(seed, size)` makes `size` persons and the employers they work
//! for: the same seed and size, the same population. Person `i` is drawn from a random
//! stream seeded by `(seed, i)` alone, so persons can be drawn in any order (and in
//! parallel); only their employer depends on how many employers the size gives.
//!
//! A person is stored compactly (indices into the name pools, figures as integers): a
//! million take about 150 MiB. What registers answer is rendered from these facts by
//! [`crate::simulator`], each register with its own romanisation of the name.
//!
//! The distributions, and why, are documented in `docs/synthetic-population.md`.

mod applying;
pub mod names;

use jiff::civil::Date;
use serde::Serialize;

use names::{ORIGINS, Origin};

/// The matters the population applies for, and how often (per thousand applications).
/// Extensions of work and family permits dominate, as in the real flow; see
/// docs/synthetic-population.md.
pub const MATTERS: &[(Matter, u32)] = &[
    (Matter::EmployedExtension, 300),
    (Matter::FamilyExtension, 200),
    (Matter::Student, 140),
    (Matter::SpecialistFirst, 90),
    (Matter::Permanent, 130),
    (Matter::Citizenship, 140),
];

/// Where people live: municipality code, name and postal code of its centre, weighted
/// roughly by where Finland's foreign-born residents live (a guess at the order, not a
/// count). Streets are synthetic (`Testikatu`), so no real address is formed.
pub const MUNICIPALITIES: [(&str, &str, &str); 12] = [
    ("091", "Helsinki", "00100"),
    ("049", "Espoo", "02100"),
    ("092", "Vantaa", "01300"),
    ("837", "Tampere", "33100"),
    ("853", "Turku", "20100"),
    ("564", "Oulu", "90100"),
    ("179", "Jyväskylä", "40100"),
    ("398", "Lahti", "15100"),
    ("297", "Kuopio", "70100"),
    ("905", "Vaasa", "65100"),
    ("609", "Pori", "28100"),
    ("167", "Joensuu", "80100"),
];
pub(crate) const MUNICIPALITY_WEIGHTS: [(u8, u32); 12] = [
    (0, 30),
    (1, 15),
    (2, 14),
    (3, 8),
    (4, 8),
    (5, 5),
    (6, 4),
    (7, 4),
    (8, 3),
    (9, 3),
    (10, 3),
    (11, 3),
];

/// What a person applies for: one of the rule sets in `rules/fi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Matter {
    EmployedExtension,
    FamilyExtension,
    Student,
    SpecialistFirst,
    Permanent,
    Citizenship,
}

impl Matter {
    /// The rule set's id.
    pub fn id(self) -> &'static str {
        match self {
            Matter::EmployedExtension => "fi.residence-permit.employed.extension",
            Matter::FamilyExtension => "fi.residence-permit.family.extension",
            Matter::Student => "fi.residence-permit.student",
            Matter::SpecialistFirst => "fi.residence-permit.specialist.first",
            Matter::Permanent => "fi.residence-permit.permanent",
            Matter::Citizenship => "fi.citizenship.application",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
}

/// A date of birth as registers hold it: often whole, sometimes only the year and month
/// or the year (documents from states with incomplete civil registration), rarely none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartialDate {
    pub year: u16,
    /// 0: unknown.
    pub month: u8,
    /// 0: unknown.
    pub day: u8,
}

impl PartialDate {
    /// The full date, when every part is known.
    pub fn date(self) -> Option<Date> {
        Date::new(self.year as i16, self.month as i8, self.day as i8).ok()
    }

    /// As registers print it: `1991-03-14`, `1991-03-00`, `1991-00-00`.
    pub fn register_form(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The kind of residence permit a person holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PermitKind {
    A,
    B,
    P,
    /// Not in Finland on a permit yet (a first application from abroad).
    None,
}

/// An invented person and every fact any register holds about them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub index: u32,
    pub origin: u8,
    pub given: u8,
    pub family: u8,
    pub sex: Sex,
    pub birth: PartialDate,
    /// Index into the origin's nationalities; `None`: stateless.
    pub nationality: Option<u8>,
    pub matter: Matter,
    /// Index into [`MUNICIPALITIES`].
    pub municipality: u8,
    /// House number on the synthetic street of the address.
    pub house: u16,
    // Residence and permits.
    pub permit: PermitKind,
    pub years_in_finland: f32,
    pub years_on_a_permits: f32,
    // Work and income.
    pub employer: Option<u32>,
    pub previous_employer: Option<u32>,
    /// ISCO-08 major group (1–9) of the work.
    pub occupation: u8,
    pub previous_occupation: u8,
    /// The collective agreement's minimum for this work, €/month (0: none applies).
    pub agreement_minimum_eur: u32,
    /// Gross pay reported to the Incomes Register, the last twelve months, €.
    pub monthly_pay_eur: [u32; 12],
    pub household_net_income_eur: u32,
    pub employment_years: f32,
    pub benefit_months_24m: u8,
    // Family.
    pub adults: u8,
    pub children: u8,
    pub spouse_finnish_citizen: bool,
    pub family_tie_continues: bool,
    // Studies.
    pub enrolled: bool,
    pub degree_studies: bool,
    pub credits_last_year: u8,
    pub funds_eur: u32,
    pub monthly_grant_eur: u32,
    pub finnish_masters_degree: bool,
    // Specialists.
    pub higher_education_degree: bool,
    pub experience_years: u8,
    pub contract_months: u8,
    // Language tests: speaking, writing, reading, listening, as CEFR index (0 none … 6 C2).
    pub finnish: [u8; 4],
    pub swedish: [u8; 4],
    // Integrity and security: rare.
    pub identity_conflict: bool,
    pub criminal_disqualifying: bool,
    pub criminal_pending: bool,
    pub entry_ban: bool,
    pub sis_alert: bool,
    pub eurodac_hit: bool,
    pub ees_overstay: bool,
    pub security_flag: bool,
    pub security_objection: bool,
    pub tax_debt_eur: u32,
    pub enforcement: bool,
    /// The individual number of the person's identity code (900–999, numbers never issued
    /// to a real person); 0: none (not resident, or a date of birth not wholly known).
    pub identity_number: u16,
}

/// An employer in the trade register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employer {
    pub index: u32,
    /// The seven digits of its business ID.
    pub number: u32,
    pub active: bool,
    pub bankrupt: bool,
    pub occupation: u8,
}

impl Employer {
    /// Its business ID, `NNNNNNN-C`.
    pub fn business_id(&self) -> String {
        business_id(self.number).unwrap_or_default()
    }
}

/// Business IDs of synthetic employers start here, a range no real business ID has
/// reached, so no real company is named.
const FIRST_EMPLOYER_NUMBER: u32 = 9_000_000;

/// `NNNNNNN-C`: the check digit by weights 7, 9, 10, 5, 8, 4, 2 modulo 11. `None` for a
/// number whose remainder is 1: it has no check digit and is never issued.
pub fn business_id(number: u32) -> Option<String> {
    let digits = format!("{:07}", number % 10_000_000);
    polku_rules::schema::business_id_check_digit(digits.as_bytes())
        .map(|check| format!("{digits}-{check}"))
}

/// The lowest monthly pay of the generally binding collective agreement covering work in an
/// ISCO-08 major group, € gross; 0 where none does (managers and professionals are mostly
/// outside them). Synthetic figures in the range real agreements set (about 1,900–2,400 €
/// in 2025), not any agreement's actual table.
pub fn agreement_minimum_eur(isco_major_group: u8) -> u32 {
    match isco_major_group {
        3 => 2300,
        4 => 2150,
        5 => 2050,
        6 => 1950,
        7 => 2250,
        8 => 2200,
        9 => 1900,
        _ => 0,
    }
}

/// The person id registers and Polku use for a synthetic person.
pub fn person_id(index: u32) -> String {
    format!("sim-{index:07}")
}

/// The index of a person id made by [`person_id`].
pub fn person_index(id: &str) -> Option<u32> {
    id.strip_prefix("sim-")?.parse().ok()
}

/// The whole synthetic country.
#[derive(Debug)]
pub struct Population {
    pub seed: u64,
    pub persons: Vec<Person>,
    pub employers: Vec<Employer>,
}

impl Population {
    /// `size` persons and one employer per 20 of them, all from `seed`.
    pub fn generate(seed: u64, size: u32) -> Population {
        let numbers = (FIRST_EMPLOYER_NUMBER..).filter(|n| business_id(*n).is_some());
        let employers = numbers
            .zip(0..(size / 20).max(10))
            .map(|(number, i)| employer(seed, i, number))
            .collect::<Vec<_>>();
        let n_employers = employers.len() as u32;
        let mut persons: Vec<Person> = (0..size).map(|i| person(seed, i, n_employers)).collect();
        number_identity_codes(&mut persons);
        Population {
            seed,
            persons,
            employers,
        }
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.persons.get(person_index(id)? as usize)
    }

    pub fn employer(&self, business_id: &str) -> Option<&Employer> {
        let number: u32 = business_id.split('-').next()?.parse().ok()?;
        let i = self
            .employers
            .binary_search_by_key(&number, |e| e.number)
            .ok()?;
        let e = &self.employers[i];
        (e.business_id() == business_id).then_some(e)
    }

    pub fn origin(&self, p: &Person) -> &'static Origin {
        &ORIGINS[p.origin as usize]
    }

    /// The person's Finnish personal identity code (`DDMMYYCZZZQ`), for a resident whose
    /// date of birth is wholly known.
    pub fn identity_code(&self, p: &Person) -> Option<String> {
        if p.identity_number == 0 {
            return None;
        }
        let b = p.birth;
        let century = match b.year {
            1800..=1899 => '+',
            1900..=1999 => '-',
            2000..=2099 => 'A',
            _ => return None,
        };
        let digits = format!(
            "{:02}{:02}{:02}{:03}",
            b.day,
            b.month,
            b.year % 100,
            p.identity_number
        );
        let check = identity_code_check(&digits)?;
        Some(format!("{}{century}{}{check}", &digits[..6], &digits[6..]))
    }

    /// The person whose identity code `code` is (any letter case).
    pub fn by_identity_code(&self, code: &str) -> Option<&Person> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 11 {
            return None;
        }
        self.persons.iter().find(|p| {
            p.identity_number != 0 && self.identity_code(p).as_deref() == Some(code.as_str())
        })
    }
}

/// The check character of a personal identity code's nine digits (`DDMMYYZZZ`).
pub fn identity_code_check(digits: &str) -> Option<char> {
    const CHECKS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let n: u64 = digits.parse().ok()?;
    Some(CHECKS[(n % 31) as usize] as char)
}

/// Gives each resident with a whole date of birth an individual number unique for the date,
/// 900 upwards in the order of the population (past 999 on one day: none).
fn number_identity_codes(persons: &mut [Person]) {
    let mut next: std::collections::HashMap<(u16, u8, u8), u16> = std::collections::HashMap::new();
    for p in persons.iter_mut() {
        if p.permit == PermitKind::None || p.birth.date().is_none() {
            continue;
        }
        let n = next
            .entry((p.birth.year, p.birth.month, p.birth.day))
            .or_insert(900);
        if *n <= 999 {
            p.identity_number = *n;
            *n += 1;
        }
    }
}

/// A random stream of its own for each `(seed, kind, index)`.
pub(crate) fn rng(seed: u64, kind: u64, index: u32) -> fastrand::Rng {
    // SplitMix64's finaliser spreads neighbouring indices over the whole seed space.
    let mut z = seed ^ kind.rotate_left(32) ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    fastrand::Rng::with_seed(z ^ (z >> 31))
}

pub(crate) fn chance(r: &mut fastrand::Rng, per_thousand: u32) -> bool {
    r.u32(0..1000) < per_thousand
}

pub(crate) fn weighted<T: Copy>(r: &mut fastrand::Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = r.u32(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return *item;
        }
        pick -= w;
    }
    items[0].0
}

/// A value around `mean` with a spread of `spread` (a sum of uniforms: roughly normal).
pub(crate) fn around(r: &mut fastrand::Rng, mean: f64, spread: f64) -> f64 {
    let u = (r.f64() + r.f64() + r.f64()) / 1.5 - 1.0;
    mean + u * spread
}

fn employer(seed: u64, index: u32, number: u32) -> Employer {
    let mut r = rng(seed, 2, index);
    let bankrupt = chance(&mut r, 12);
    Employer {
        index,
        number,
        active: !bankrupt && !chance(&mut r, 8),
        bankrupt,
        occupation: r.u8(1..=9),
    }
}

fn person(seed: u64, index: u32, employers: u32) -> Person {
    let mut r = rng(seed, 1, index);
    let origins: Vec<(u8, u32)> = ORIGINS
        .iter()
        .enumerate()
        .map(|(i, o)| (i as u8, o.weight))
        .collect();
    let origin_index = weighted(&mut r, &origins);
    let origin = &ORIGINS[origin_index as usize];
    let sex = if r.bool() { Sex::Female } else { Sex::Male };
    let given_pool = match sex {
        Sex::Female => origin.given_female,
        Sex::Male => origin.given_male,
    };
    let matter = weighted(&mut r, MATTERS);
    let age = match matter {
        Matter::Student => r.u16(19..=32),
        Matter::Citizenship => r.u16(18..=62),
        _ => r.u16(22..=60),
    };
    // Incomplete civil registration: some documents carry only the year and month, or the
    // year (1 January is then often written by clerks, another source of variants).
    let birth = PartialDate {
        year: 2026 - age,
        month: if chance(&mut r, 8) { 0 } else { r.u8(1..=12) },
        day: if chance(&mut r, 15) { 0 } else { r.u8(1..=28) },
    };
    let birth = if birth.month == 0 {
        PartialDate { day: 0, ..birth }
    } else {
        birth
    };
    let nationality = if chance(&mut r, 8) {
        None
    } else {
        Some(if origin.nationalities.len() > 1 && chance(&mut r, 200) {
            r.u8(1..origin.nationalities.len() as u8)
        } else {
            0
        })
    };

    let years_in_finland = match matter {
        Matter::SpecialistFirst => 0.0,
        Matter::Student => around(&mut r, 1.5, 1.0).max(0.0),
        Matter::EmployedExtension | Matter::FamilyExtension => around(&mut r, 2.5, 1.5).max(1.0),
        Matter::Permanent => around(&mut r, 6.8, 1.8).max(4.0),
        Matter::Citizenship => around(&mut r, 9.5, 2.5).max(5.0),
    } as f32;
    let permit = match matter {
        Matter::SpecialistFirst => PermitKind::None,
        Matter::Student => PermitKind::B,
        Matter::Citizenship => {
            if chance(&mut r, 500) {
                PermitKind::P
            } else {
                PermitKind::A
            }
        }
        _ => {
            if chance(&mut r, 30) {
                PermitKind::B
            } else {
                PermitKind::A
            }
        }
    };
    let years_on_a_permits = match permit {
        PermitKind::A | PermitKind::P => (years_in_finland - r.f32() * 0.6).max(0.0),
        _ => 0.0,
    };

    let works = matches!(
        matter,
        Matter::EmployedExtension
            | Matter::SpecialistFirst
            | Matter::Permanent
            | Matter::Citizenship
    ) || (matter == Matter::FamilyExtension && chance(&mut r, 600));
    let employer = works.then(|| r.u32(0..employers));
    let occupation = r.u8(1..=9);
    // Most keep their employer and field; some change one or the other.
    let previous_employer = match employer {
        Some(e) if chance(&mut r, 850) => Some(e),
        _ => Some(r.u32(0..employers)),
    };
    let previous_occupation = if chance(&mut r, 900) {
        occupation
    } else {
        r.u8(1..=9)
    };
    // The generally binding agreement of the field sets the minimum. (The two draws stay,
    // so that the rest of a person is drawn as before and seeds keep their people.)
    if chance(&mut r, 850) {
        around(&mut r, 2150.0, 250.0);
    }
    let agreement_minimum_eur = agreement_minimum_eur(occupation);
    // Pay sits above the agreement's minimum for most; a realistic minority is below it
    // (part-time hours, a wrong pay grade: the cases a person must look at).
    let base_pay = match matter {
        Matter::SpecialistFirst => around(&mut r, 5400.0, 2200.0),
        _ if works && chance(&mut r, 80) => {
            agreement_minimum_eur.max(1900) as f64 * r.f64().mul_add(0.25, 0.7)
        }
        _ if works => around(&mut r, 3100.0, 900.0).max(agreement_minimum_eur as f64 + 50.0),
        _ => 0.0,
    };
    let mut monthly_pay_eur = [0u32; 12];
    for m in &mut monthly_pay_eur {
        *m = if base_pay > 0.0 {
            around(&mut r, base_pay, base_pay * 0.04).max(0.0) as u32
        } else {
            0
        };
    }
    let children = weighted(&mut r, &[(0u8, 450), (1, 250), (2, 200), (3, 70), (4, 30)]);
    let adults = if matter == Matter::FamilyExtension || chance(&mut r, 550) {
        2
    } else {
        1
    };
    let household_net_income_eur = match matter {
        Matter::FamilyExtension => {
            // The table asks for 1,000 € a month for the sponsor and more per family member;
            // most families clear it, some do not.
            let need = 1000.0 + 700.0 * f64::from(adults - 1) + 500.0 * f64::from(children);
            (need * around(&mut r, 1.35, 0.45)).max(0.0) as u32
        }
        _ => (base_pay * 0.75) as u32,
    };
    let employment_years = if works {
        (years_in_finland * r.f32().mul_add(0.3, 0.7)).max(0.0)
    } else {
        0.0
    };
    let benefit_months_24m = if chance(&mut r, 90) { r.u8(1..=18) } else { 0 };

    let enrolled = matter == Matter::Student && !chance(&mut r, 40);
    let degree_studies = matter == Matter::Student && !chance(&mut r, 30);
    let credits_last_year = if matter == Matter::Student {
        (around(&mut r, 52.0, 18.0).max(0.0)) as u8
    } else {
        0
    };
    let monthly_grant_eur = if matter == Matter::Student && chance(&mut r, 200) {
        r.u32(300..900)
    } else {
        0
    };
    // Students know the requirement (9,600 € a year): most show more, some fall short.
    let funds_eur = if matter == Matter::Student {
        around(&mut r, 12_500.0, 3_500.0).max(0.0) as u32
    } else {
        0
    };
    let finnish_masters_degree =
        matches!(matter, Matter::Permanent | Matter::Citizenship) && chance(&mut r, 120);
    let higher_education_degree = matter == Matter::SpecialistFirst && !chance(&mut r, 60);
    let experience_years = r.u8(0..=15);
    let contract_months = if chance(&mut r, 700) { 0 } else { r.u8(3..=36) };

    // Language: most citizenship applicants have passed B1 in Finnish; some in Swedish.
    let level = |r: &mut fastrand::Rng, good: u32| -> u8 {
        if chance(r, good) {
            r.u8(3..=5)
        } else {
            r.u8(0..=2)
        }
    };
    let (fi_good, sv_good) = match matter {
        Matter::Citizenship => (850, 40),
        Matter::Permanent => (650, 30),
        _ => (80, 5),
    };
    let finnish = [
        level(&mut r, fi_good),
        level(&mut r, fi_good),
        level(&mut r, fi_good),
        level(&mut r, fi_good),
    ];
    let swedish = [
        level(&mut r, sv_good),
        level(&mut r, sv_good),
        level(&mut r, sv_good),
        level(&mut r, sv_good),
    ];

    Person {
        identity_number: 0,
        index,
        origin: origin_index,
        given: r.u8(0..given_pool.len() as u8),
        family: r.u8(0..origin.family.len() as u8),
        sex,
        birth,
        nationality,
        matter,
        municipality: weighted(&mut r, &MUNICIPALITY_WEIGHTS),
        house: r.u16(1..=120),
        permit,
        years_in_finland,
        years_on_a_permits,
        employer,
        previous_employer,
        occupation,
        previous_occupation,
        agreement_minimum_eur,
        monthly_pay_eur,
        household_net_income_eur,
        employment_years,
        benefit_months_24m,
        adults,
        children,
        spouse_finnish_citizen: chance(&mut r, 60),
        family_tie_continues: !chance(&mut r, 25),
        enrolled,
        degree_studies,
        credits_last_year,
        funds_eur,
        monthly_grant_eur,
        finnish_masters_degree,
        higher_education_degree,
        experience_years,
        contract_months,
        finnish,
        swedish,
        identity_conflict: chance(&mut r, 10),
        criminal_disqualifying: chance(&mut r, 15),
        criminal_pending: chance(&mut r, 8),
        entry_ban: chance(&mut r, 3),
        sis_alert: chance(&mut r, 4),
        eurodac_hit: chance(&mut r, 20),
        ees_overstay: chance(&mut r, 10),
        security_flag: chance(&mut r, 3),
        security_objection: chance(&mut r, 2),
        tax_debt_eur: if chance(&mut r, 40) {
            r.u32(200..20_000)
        } else {
            0
        },
        enforcement: chance(&mut r, 25),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_codes_have_the_population_registers_check_character() {
        // The Digital and Population Data Services Agency's published example.
        assert_eq!(identity_code_check("131052308"), Some('T'));
        let pop = Population::generate(7, 2_000);
        for p in pop.persons.iter().filter(|p| p.identity_number != 0) {
            let code = pop.identity_code(p).unwrap();
            assert!((900..=999).contains(&p.identity_number), "{code}");
            assert_eq!(pop.by_identity_code(&code).map(|q| q.index), Some(p.index));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_people_whatever_the_size() {
        let a = Population::generate(42, 2_000);
        let b = Population::generate(42, 2_000);
        assert_eq!(a.persons, b.persons);
        assert_eq!(a.employers, b.employers);
        let small = Population::generate(42, 50);
        assert_eq!(
            (small.persons[7].given, small.persons[7].birth),
            (a.persons[7].given, a.persons[7].birth),
            "a person's own facts do not depend on the population's size"
        );
        let other = Population::generate(43, 2_000);
        assert_ne!(a.persons, other.persons);
    }

    #[test]
    fn business_ids_carry_valid_check_digits_and_resolve() {
        // A published business ID (Nokia Oyj), as a check of the weights.
        assert_eq!(business_id(112_038).as_deref(), Some("0112038-9"));
        let pop = Population::generate(1, 400);
        for e in &pop.employers {
            let id = e.business_id();
            assert_eq!(pop.employer(&id), Some(e), "{id}");
        }
        assert_eq!(pop.employer("1234567-8"), None);
    }

    #[test]
    fn matters_and_rare_flags_come_in_the_stated_proportions() {
        let pop = Population::generate(7, 20_000);
        let share = |f: &dyn Fn(&Person) -> bool| {
            pop.persons.iter().filter(|p| f(p)).count() as f64 / pop.persons.len() as f64
        };
        let employed = share(&|p| p.matter == Matter::EmployedExtension);
        assert!((0.27..0.33).contains(&employed), "{employed}");
        let flagged = share(&|p| p.security_flag);
        assert!(flagged < 0.01, "{flagged}");
        let partial = share(&|p| p.birth.date().is_none());
        assert!((0.01..0.04).contains(&partial), "{partial}");
        let origins: std::collections::HashSet<u8> = pop.persons.iter().map(|p| p.origin).collect();
        assert_eq!(origins.len(), ORIGINS.len(), "every origin appears");
    }
}
