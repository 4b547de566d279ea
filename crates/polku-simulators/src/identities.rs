//! Identity records about the synthetic population, as asylum registration, permit
//! applications, border checks, the police and the population register would send them,
//! with the truth of who is who: a test set for identity resolution in every script the
//! population has.
//!
//! Each person gets one to four records from different sources. The registers' own
//! romanisations and given/family swaps come from [`registered_name`]; on top, noise as
//! documents and clerks make it: a date of birth known only in part, day and month swapped,
//! a digit slipped; a passport number with O for 0 or a slipped digit, or a renewed
//! passport; a letter dropped or two swapped in a name; the nationality unknown. The hard
//! negatives are the population's own: namesakes from the same names pools, and siblings
//! added here (the same family name, nationality and parents' origin, born a few years
//! apart or as twins, another given name).

use polku_registers::System;

use crate::population::{Person, Population, Sex, person_id, rng};
use crate::simulator::registered_name;

/// One record, as CSV fields, and whose it truly is.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRecord {
    pub record_id: String,
    /// The person the record is about (the truth a resolution is scored against).
    pub person: String,
    pub source: &'static str,
    pub given_names: String,
    pub family_name: String,
    pub name_native: String,
    pub date_of_birth: String,
    pub sex: &'static str,
    pub nationality: String,
    pub document_type: &'static str,
    pub document_number: String,
}

/// The sources records come from, and the register whose romanisation each uses.
const SOURCES: [(&str, System); 5] = [
    ("asylum-registration", System::Eurodac),
    ("permit-application", System::Permits),
    ("border-check", System::Ees),
    ("police", System::CriminalRecords),
    ("population-register", System::Population),
];

/// Siblings' indices start here (never a person of the population).
const SIBLING_INDEX: u32 = 100_000_000;

/// The header of a sample file, in the identity records' CSV format.
pub const HEADER: &str = "record_id,source,given_names,family_name,name_native,date_of_birth,sex,nationality,document_type,document_number";

impl SampleRecord {
    /// The record as one CSV line (quoted where needed).
    pub fn csv_line(&self) -> String {
        [
            self.record_id.as_str(),
            self.source,
            &self.given_names,
            &self.family_name,
            &self.name_native,
            &self.date_of_birth,
            self.sex,
            &self.nationality,
            self.document_type,
            &self.document_number,
        ]
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                (*f).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
    }
}

/// The records of the first `persons` people of `pop`, and of the siblings added for one
/// in eight of them, deterministic by the population's seed.
pub fn identity_records(pop: &Population, persons: u32) -> Vec<SampleRecord> {
    let mut out = Vec::new();
    let n = persons.min(pop.persons.len() as u32);
    for i in 0..n {
        let p = &pop.persons[i as usize];
        let mut r = rng(pop.seed, 31, i);
        let count = 1 + r.usize(..4);
        let mut sources: Vec<usize> = (0..SOURCES.len()).collect();
        r.shuffle(&mut sources);
        for (k, &s) in sources.iter().take(count).enumerate() {
            out.push(record(
                pop,
                p,
                None,
                SOURCES[s],
                &format!("r{i}-{k}"),
                &mut r,
            ));
        }
        // A sibling: another person of the same family, a hard negative.
        if i % 8 == 3 {
            let mut sibling = p.clone();
            // A person of their own: their own passport and registers' spellings.
            sibling.index = p.index + SIBLING_INDEX;
            let pool = match p.sex {
                Sex::Female => pop.origin(p).given_female.len(),
                Sex::Male => pop.origin(p).given_male.len(),
            };
            sibling.given = ((p.given as usize + 1 + r.usize(..pool.max(2) - 1)) % pool) as u8;
            if sibling.given == p.given {
                sibling.given = ((p.given as usize + 1) % pool) as u8;
            }
            // Twins one time in three, otherwise born one to five years apart.
            if !r.u8(..3).is_multiple_of(3) {
                sibling.birth.year = sibling.birth.year + 1 + r.u16(..5);
            }
            let id = format!("sibling-{i}");
            let s = SOURCES[r.usize(..SOURCES.len())];
            out.push(record(
                pop,
                &sibling,
                Some(&id),
                s,
                &format!("s{i}-0"),
                &mut r,
            ));
            let s = SOURCES[r.usize(..SOURCES.len())];
            out.push(record(
                pop,
                &sibling,
                Some(&id),
                s,
                &format!("s{i}-1"),
                &mut r,
            ));
        }
    }
    out
}

/// One record of `p` from `source`, with a clerk's and a document's noise.
fn record(
    pop: &Population,
    p: &Person,
    person: Option<&str>,
    (source, system): (&'static str, System),
    record_id: &str,
    r: &mut fastrand::Rng,
) -> SampleRecord {
    let name = registered_name(pop, p, system);
    let (mut given, mut family) = (name.given, name.family);
    if r.u8(..10) == 0 {
        if r.bool() {
            given = slip(&given, r);
        } else {
            family = slip(&family, r);
        }
    }
    let mut birth = p.birth;
    match r.u8(..20) {
        0..=2 => birth.day = 0,
        3 => {
            birth.day = 0;
            birth.month = 0;
        }
        4 if birth.day > 0 && birth.day <= 12 => std::mem::swap(&mut birth.day, &mut birth.month),
        5 if birth.day > 0 => birth.day = if birth.day == 1 { 11 } else { birth.day - 1 },
        _ => {}
    }
    let origin = pop.origin(p);
    let nationality = match r.u8(..20) {
        0 => "XXX".to_owned(),
        _ => p
            .nationality
            .and_then(|n| origin.nationalities.get(n as usize))
            .map_or("XXA".to_owned(), |s| (*s).to_owned()),
    };
    // The person's passport; renewed one time in ten; half the records carry one.
    let mut passport = format!(
        "P{:07}",
        (p.index.wrapping_mul(7_919) + 1_000_003) % 10_000_000
    );
    if r.u8(..10) == 0 {
        passport = format!("P{:07}", r.u32(..10_000_000));
    }
    let carried = r.bool();
    if carried && r.u8(..10) == 0 {
        passport = passport.replacen('0', "O", 1);
    }
    SampleRecord {
        record_id: record_id.to_owned(),
        person: person.map_or_else(|| person_id(p.index), str::to_owned),
        source,
        given_names: given,
        family_name: family,
        name_native: name.native.unwrap_or_default(),
        date_of_birth: birth.register_form(),
        sex: if r.u8(..20) == 0 {
            ""
        } else {
            match p.sex {
                Sex::Female => "F",
                Sex::Male => "M",
            }
        },
        nationality,
        document_type: if carried { "P" } else { "" },
        document_number: if carried { passport } else { String::new() },
    }
}

/// A clerk's slip: one letter dropped, or two neighbours swapped.
fn slip(s: &str, r: &mut fastrand::Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 4 {
        return s.to_owned();
    }
    let at = 1 + r.usize(..chars.len() - 2);
    if r.bool() {
        chars.remove(at);
    } else {
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_deterministic_and_has_every_kind_of_record() {
        let pop = Population::generate(2026, 2_000);
        let a = identity_records(&pop, 1_000);
        assert_eq!(a, identity_records(&pop, 1_000));
        assert!(a.len() > 2_000, "{}", a.len());
        assert!(a.iter().any(|r| !r.name_native.is_empty()));
        assert!(a.iter().any(|r| r.date_of_birth.ends_with("-00")));
        assert!(a.iter().any(|r| r.document_number.contains('O')));
        assert!(a.iter().any(|r| r.person.starts_with("sibling-")));
        for r in &a {
            assert_eq!(r.csv_line().matches(',').count(), 9, "{}", r.csv_line());
        }
    }
}
