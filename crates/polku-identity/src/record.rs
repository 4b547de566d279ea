//! An identity record as a register sends it, read from CSV and checked field by field:
//! every input is hostile, so a record that breaks a rule is refused with its line and
//! field, never guessed at.

use std::fmt;
use std::io;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest text a field may hold, in characters.
pub const MAX_TEXT: usize = 200;

/// A date of birth as documents give it: the year, month or day may be unknown
/// (`YYYY-MM-00`, `YYYY-00-00`; compact `YYYYMMDD` is read too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialDate {
    pub year: Option<u16>,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    pub const UNKNOWN: PartialDate = PartialDate {
        year: None,
        month: None,
        day: None,
    };

    pub fn is_whole(self) -> bool {
        self.year.is_some() && self.month.is_some() && self.day.is_some()
    }

    /// `YYYYMMDD` with zeros for the unknown parts.
    pub fn digits(self) -> [u8; 8] {
        let s = format!(
            "{:04}{:02}{:02}",
            self.year.unwrap_or(0),
            self.month.unwrap_or(0),
            self.day.unwrap_or(0)
        );
        let mut out = [b'0'; 8];
        out.copy_from_slice(&s.as_bytes()[..8]);
        out
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year.unwrap_or(0),
            self.month.unwrap_or(0),
            self.day.unwrap_or(0)
        )
    }
}

impl FromStr for PartialDate {
    type Err = Problem;

    fn from_str(s: &str) -> Result<PartialDate, Problem> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(PartialDate::UNKNOWN);
        }
        let digits: String = s.chars().filter(|c| *c != '-').collect();
        let shaped = digits.len() == 8
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (s.len() == 8 || (s.len() == 10 && &s[4..5] == "-" && &s[7..8] == "-"));
        if !shaped {
            return Err(Problem::NotADate);
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<u16>().unwrap_or(0);
        let (y, m, d) = (num(0..4), num(4..6), num(6..8));
        let year = (y != 0).then_some(y);
        let month = (m != 0).then_some(m as u8);
        let day = (d != 0).then_some(d as u8);
        if year.is_some_and(|y| !(1850..=2100).contains(&y))
            || month.is_some_and(|m| m > 12)
            || day.is_some_and(|d| d > days_in(year, month))
            || (day.is_some() && month.is_none())
        {
            return Err(Problem::DateOutOfRange);
        }
        Ok(PartialDate { year, month, day })
    }
}

/// The most days `month` may have (31 when the month is unknown).
fn days_in(year: Option<u16>, month: Option<u8>) -> u8 {
    match month {
        Some(4 | 6 | 9 | 11) => 30,
        Some(2) => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 31,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
    /// Neither, as some documents record (`X`).
    Other,
    Unknown,
}

impl Sex {
    /// As records write it: `F`, `M`, `X`, or empty.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Other => "X",
            Sex::Unknown => "",
        }
    }
}

impl FromStr for Sex {
    type Err = Problem;

    fn from_str(s: &str) -> Result<Sex, Problem> {
        match s.trim().to_ascii_uppercase().as_str() {
            "F" => Ok(Sex::Female),
            "M" => Ok(Sex::Male),
            "X" => Ok(Sex::Other),
            "" | "U" => Ok(Sex::Unknown),
            _ => Err(Problem::NotASex),
        }
    }
}

/// A nationality as ISO 3166-1 alpha-3, with the ICAO codes `XXA` (stateless) and `XXX`
/// (unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nationality([u8; 3]);

impl Nationality {
    pub const STATELESS: Nationality = Nationality(*b"XXA");
    pub const UNKNOWN: Nationality = Nationality(*b"XXX");

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    pub fn is_known(self) -> bool {
        self != Nationality::UNKNOWN
    }
}

impl FromStr for Nationality {
    type Err = Problem;

    fn from_str(s: &str) -> Result<Nationality, Problem> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Nationality::UNKNOWN);
        }
        let b = s.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(Problem::NotANationality);
        }
        Ok(Nationality([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }
}

/// The kind of document a record's number is from (ICAO 9303's first letter where one
/// exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    Passport,
    IdentityCard,
    ResidencePermit,
    /// A refugee's or an alien's travel document.
    TravelDocument,
    Visa,
    Other,
}

impl DocumentType {
    /// ICAO 9303's letter, as records write it.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Passport => "P",
            DocumentType::IdentityCard => "I",
            DocumentType::ResidencePermit => "R",
            DocumentType::TravelDocument => "T",
            DocumentType::Visa => "V",
            DocumentType::Other => "O",
        }
    }
}

impl FromStr for DocumentType {
    type Err = Problem;

    fn from_str(s: &str) -> Result<DocumentType, Problem> {
        match s.trim().to_ascii_lowercase().as_str() {
            "p" | "passport" => Ok(DocumentType::Passport),
            "i" | "id" | "identity_card" => Ok(DocumentType::IdentityCard),
            "r" | "residence_permit" => Ok(DocumentType::ResidencePermit),
            "t" | "travel_document" => Ok(DocumentType::TravelDocument),
            "v" | "visa" => Ok(DocumentType::Visa),
            "o" | "other" => Ok(DocumentType::Other),
            _ => Err(Problem::NotADocumentType),
        }
    }
}

/// One record about a person, from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityRecord {
    pub record_id: String,
    /// Which register or procedure recorded it (`asylum-registration`, `permit-application`,
    /// `border-check`, `police` …).
    pub source: String,
    pub given_names: String,
    pub family_name: String,
    /// The name in the person's own script, where recorded.
    pub name_native: Option<String>,
    pub date_of_birth: PartialDate,
    pub sex: Sex,
    pub nationality: Nationality,
    pub document_type: Option<DocumentType>,
    pub document_number: Option<String>,
    pub place_of_birth: Option<String>,
}

impl IdentityRecord {
    /// The record as text, read back by [`RawRecord::checked`] to the same record.
    pub fn raw(&self) -> RawRecord {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        RawRecord {
            record_id: self.record_id.clone(),
            source: self.source.clone(),
            given_names: self.given_names.clone(),
            family_name: self.family_name.clone(),
            name_native: text(&self.name_native),
            date_of_birth: if self.date_of_birth == PartialDate::UNKNOWN {
                String::new()
            } else {
                self.date_of_birth.to_string()
            },
            sex: self.sex.code().to_owned(),
            nationality: if self.nationality.is_known() {
                self.nationality.code().to_owned()
            } else {
                String::new()
            },
            document_type: self
                .document_type
                .map(|d| d.code().to_owned())
                .unwrap_or_default(),
            document_number: text(&self.document_number),
            place_of_birth: text(&self.place_of_birth),
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_TEXT} characters")]
    TooLong,
    #[error("holds a control character")]
    ControlCharacter,
    #[error("is not a date YYYY-MM-DD (00 for an unknown month or day)")]
    NotADate,
    #[error("is not a possible date of birth")]
    DateOutOfRange,
    #[error("is not F, M, X or empty")]
    NotASex,
    #[error("is not an ISO 3166-1 alpha-3 code (XXA stateless, XXX unknown)")]
    NotANationality,
    #[error("is not a document type (P, I, R, T, V, O)")]
    NotADocumentType,
    #[error("may hold only letters, digits, '-', '_' and '.'")]
    NotAnId,
    #[error("repeats an earlier record's id")]
    Duplicate,
    #[error("has no name at all: a given name, a family name or the native name is needed")]
    Nameless,
}

/// A record that cannot be read, with where it is.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("line {line}: `{field}` {problem}")]
    Field {
        line: u64,
        field: &'static str,
        problem: Problem,
    },
    #[error("line {line}: {detail}")]
    Csv { line: u64, detail: String },
    #[error("cannot read the records: {0}")]
    Io(#[from] io::Error),
}

/// A record as text, field by field, the way CSV, the API and the store carry it:
/// [`RawRecord::checked`] makes it an [`IdentityRecord`] or names the field that is wrong,
/// and [`IdentityRecord::raw`] writes one back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RawRecord {
    pub record_id: String,
    pub source: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub name_native: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub document_type: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub place_of_birth: String,
}

/// Text as a field may hold it: trimmed, not too long, no control characters.
pub fn checked_text(s: &str) -> Result<&str, Problem> {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(Problem::TooLong);
    }
    if s.chars().any(char::is_control) {
        return Err(Problem::ControlCharacter);
    }
    Ok(s)
}

fn optional(s: &str) -> Result<Option<String>, Problem> {
    let s = checked_text(s)?;
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

fn identifier(s: &str) -> Result<String, Problem> {
    let s = checked_text(s)?;
    if s.is_empty() {
        return Err(Problem::Empty);
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Problem::NotAnId);
    }
    Ok(s.to_owned())
}

impl RawRecord {
    /// The record typed and checked; the first field that breaks a rule, with its problem.
    pub fn checked(self) -> Result<IdentityRecord, (&'static str, Problem)> {
        let at = |field: &'static str| move |p: Problem| (field, p);
        let record = IdentityRecord {
            record_id: identifier(&self.record_id).map_err(at("record_id"))?,
            source: identifier(&self.source).map_err(at("source"))?,
            given_names: checked_text(&self.given_names)
                .map_err(at("given_names"))?
                .to_owned(),
            family_name: checked_text(&self.family_name)
                .map_err(at("family_name"))?
                .to_owned(),
            name_native: optional(&self.name_native).map_err(at("name_native"))?,
            date_of_birth: self.date_of_birth.parse().map_err(at("date_of_birth"))?,
            sex: self.sex.parse().map_err(at("sex"))?,
            nationality: self.nationality.parse().map_err(at("nationality"))?,
            document_type: match self.document_type.trim() {
                "" => None,
                t => Some(t.parse().map_err(at("document_type"))?),
            },
            document_number: optional(&self.document_number).map_err(at("document_number"))?,
            place_of_birth: optional(&self.place_of_birth).map_err(at("place_of_birth"))?,
        };
        if record.given_names.is_empty()
            && record.family_name.is_empty()
            && record.name_native.is_none()
        {
            return Err(("given_names", Problem::Nameless));
        }
        Ok(record)
    }
}

/// Reads identity records from CSV with a header row naming the fields (in any order;
/// the optional ones may be left out). Stops at the first record that breaks a rule.
pub fn read_records<R: io::Read>(input: R) -> Result<Vec<IdentityRecord>, RecordError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in reader.deserialize::<RawRecord>().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| RecordError::Csv {
            line: e.position().map_or(line, csv::Position::line),
            detail: e.to_string(),
        })?;
        let record = row
            .checked()
            .map_err(|(field, problem)| RecordError::Field {
                line,
                field,
                problem,
            })?;
        if !seen.insert(record.record_id.clone()) {
            return Err(RecordError::Field {
                line,
                field: "record_id",
                problem: Problem::Duplicate,
            });
        }
        out.push(record);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_are_read_with_their_unknown_parts() {
        let d: PartialDate = "1991-03-00".parse().unwrap();
        assert_eq!((d.year, d.month, d.day), (Some(1991), Some(3), None));
        let y: PartialDate = "1991-00-00".parse().unwrap();
        assert_eq!((y.year, y.month, y.day), (Some(1991), None, None));
        let compact: PartialDate = "19151111".parse().unwrap();
        assert!(compact.is_whole());
        assert_eq!(compact.to_string(), "1915-11-11");
        for bad in [
            "1991-02-30",
            "1991-13-01",
            "1700-01-01",
            "1991-00-05",
            "91-3-4",
            "x",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad}");
        }
        assert!("2024-02-29".parse::<PartialDate>().is_ok());
        assert!("2023-02-29".parse::<PartialDate>().is_err());
    }

    #[test]
    fn a_bad_record_is_refused_with_its_line_and_field() {
        let csv = "record_id,source,given_names,family_name,date_of_birth,nationality\n\
                   r1,police,Ali,Hassan,1990-01-02,SYR\n\
                   r2,police,Ali,Hassan,1990-13-02,SYR\n";
        let e = read_records(csv.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: `date_of_birth` is not a possible date of birth"
        );
        let dup = "record_id,source,given_names\nr1,police,Ali\nr1,police,Ali\n";
        assert!(matches!(
            read_records(dup.as_bytes()),
            Err(RecordError::Field {
                line: 3,
                problem: Problem::Duplicate,
                ..
            })
        ));
        let nameless = "record_id,source,given_names\nr1,police,\n";
        assert!(read_records(nameless.as_bytes()).is_err());
        let control = "record_id,source,given_names\nr1,police,\"A\u{7}li\"\n";
        assert!(read_records(control.as_bytes()).is_err());
    }

    #[test]
    fn a_record_written_back_reads_as_the_same_record() {
        let csv = "record_id,source,given_names,family_name,name_native,date_of_birth,sex,nationality,document_type,document_number,place_of_birth\n\
                   r1,police,Ali,Hassan,علي حسن,1990-01-00,M,xxa,p,N0123,Aleppo\n\
                   r2,border-check,Mei,,,,,,,,\n";
        for record in read_records(csv.as_bytes()).unwrap() {
            assert_eq!(record.raw().checked(), Ok(record.clone()));
        }
    }

    #[test]
    fn codes_are_typed() {
        assert_eq!("xxa".parse::<Nationality>(), Ok(Nationality::STATELESS));
        assert_eq!("".parse::<Nationality>(), Ok(Nationality::UNKNOWN));
        assert!("SY".parse::<Nationality>().is_err());
        assert_eq!("f".parse::<Sex>(), Ok(Sex::Female));
        assert!("female?".parse::<Sex>().is_err());
        assert_eq!("P".parse::<DocumentType>(), Ok(DocumentType::Passport));
    }
}
