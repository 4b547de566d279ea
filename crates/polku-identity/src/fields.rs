//! Fields and how two values of one compare: each kind of field has its comparison levels,
//! from full agreement down to disagreement; a value missing on either side is no evidence
//! either way.

use crate::names::{phonetic, skeleton, tokens};
use crate::record::PartialDate;

/// How a field's values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person's whole name: words in any order, any script (given/family swaps and
    /// family-name-first orders compare as the same names).
    PersonName,
    /// One name (a given name, a surname): compared as [`Kind::PersonName`] is.
    Name,
    /// A date of birth, whole or partial.
    Date,
    /// A document or other number: `O`/`0` and `I`/`1` are one, one slip is near.
    Code,
    /// A code from a short list (sex, nationality, a state): the same or not.
    Category,
    /// Free text (a place, an address): the same, alike, or not.
    Text,
}

impl Kind {
    /// The levels' names, strongest agreement first.
    pub fn levels(self) -> &'static [Level] {
        match self {
            Kind::PersonName | Kind::Name => &[
                Level::SameNames,
                Level::NamesContained,
                Level::NamesAlike,
                Level::NamesSomewhatAlike,
                Level::Differ,
            ],
            Kind::Date => &[
                Level::SameDate,
                Level::CompatibleDate,
                Level::SameYear,
                Level::DayMonthSwapped,
                Level::OneDigitDiffers,
                Level::YearOneApart,
                Level::Differ,
            ],
            Kind::Code => &[Level::Same, Level::OneSlip, Level::Differ],
            Kind::Category => &[Level::Same, Level::Differ],
            Kind::Text => &[
                Level::Same,
                Level::Alike,
                Level::SomewhatAlike,
                Level::Differ,
            ],
        }
    }

    /// Reads a kind's name (`person_name`, `name`, `date`, `code`, `category`, `text`).
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "person_name" => Kind::PersonName,
            "name" => Kind::Name,
            "date" => Kind::Date,
            "code" => Kind::Code,
            "category" => Kind::Category,
            "text" => Kind::Text,
            _ => return None,
        })
    }
}

/// What two values have in common, as a comparison level says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    SameNames,
    NamesContained,
    NamesAlike,
    NamesSomewhatAlike,
    SameDate,
    CompatibleDate,
    SameYear,
    DayMonthSwapped,
    OneDigitDiffers,
    YearOneApart,
    Same,
    OneSlip,
    Alike,
    SomewhatAlike,
    Differ,
}

impl Level {
    /// In words, for an explanation.
    pub fn describe(self) -> &'static str {
        match self {
            Level::SameNames => "the same names (in any order)",
            Level::NamesContained => "the same names, one record has more",
            Level::NamesAlike => "names alike (spelling or romanisation)",
            Level::NamesSomewhatAlike => "names somewhat alike",
            Level::SameDate => "the same date",
            Level::CompatibleDate => "the same year and month, a day not known",
            Level::SameYear => "the same year, the month not known",
            Level::DayMonthSwapped => "day and month swapped",
            Level::OneDigitDiffers => "one digit differs",
            Level::YearOneApart => "the same day and month, years one apart",
            Level::Same => "the same",
            Level::OneSlip => "one character differs or two are swapped",
            Level::Alike => "alike",
            Level::SomewhatAlike => "somewhat alike",
            Level::Differ => "different",
        }
    }
}

/// A field of the records: its column and kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldSpec {
    pub name: String,
    pub kind: Kind,
}

/// A value made ready to compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Missing,
    Names(Names),
    Date(PartialDate),
    /// Codes, categories and texts: the normalised text.
    Text(String),
}

/// A name's words and their skeletons, in Latin letters; `other` holds those of the name in
/// the native script where a record has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Names {
    pub words: Vec<String>,
    /// Each word as it sounds across romanisations ([`crate::names::phonetic`]).
    pub sounds: Vec<String>,
    pub skeletons: Vec<String>,
    /// The words sorted and joined: the same names in any order give the same key.
    pub key: String,
    pub other: Option<Box<Names>>,
}

impl Names {
    pub fn of(name: &str) -> Option<Names> {
        let words = tokens(name);
        if words.is_empty() {
            return None;
        }
        let skeletons = words.iter().map(|w| skeleton(w)).collect();
        let sounds = words.iter().map(|w| phonetic(w)).collect();
        let mut sorted = words.clone();
        sorted.sort_unstable();
        Some(Names {
            key: sorted.join(" "),
            words,
            sounds,
            skeletons,
            other: None,
        })
    }

    /// Every spelling: the Latin one and, where present, the native script's.
    fn spellings(&self) -> impl Iterator<Item = &Names> {
        std::iter::once(self).chain(self.other.as_deref())
    }
}

/// Prepares a raw value for comparison as `kind`.
pub fn prepare(kind: Kind, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Missing;
    }
    match kind {
        Kind::PersonName | Kind::Name => Names::of(raw).map_or(Value::Missing, Value::Names),
        Kind::Date => match raw.parse::<PartialDate>() {
            Ok(d) if d.year.is_some() => Value::Date(d),
            _ => Value::Missing,
        },
        Kind::Code => {
            let code: String = raw
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| match c.to_ascii_uppercase() {
                    'O' => '0',
                    'I' | 'L' => '1',
                    c => c,
                })
                .collect();
            if code.is_empty() {
                Value::Missing
            } else {
                Value::Text(code)
            }
        }
        Kind::Category | Kind::Text => {
            let t = any_ascii::any_ascii(raw)
                .to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if t.is_empty() {
                Value::Missing
            } else {
                Value::Text(t)
            }
        }
    }
}

/// The level two values of `kind` compare at, as an index into [`Kind::levels`]; `None`
/// when either is missing.
pub fn compare(kind: Kind, a: &Value, b: &Value) -> Option<u8> {
    match (a, b) {
        (Value::Names(x), Value::Names(y)) => Some(
            x.spellings()
                .flat_map(|x| y.spellings().map(move |y| compare_names(x, y)))
                .min()
                .unwrap_or(4),
        ),
        (Value::Date(x), Value::Date(y)) => Some(compare_dates(*x, *y)),
        (Value::Text(x), Value::Text(y)) => Some(match kind {
            Kind::Code => {
                if x == y {
                    0
                } else if strsim::damerau_levenshtein(x, y) <= 1 {
                    1
                } else {
                    2
                }
            }
            Kind::Category => u8::from(x != y),
            _ => {
                if x == y {
                    0
                } else {
                    let s = jaro_winkler(x, y);
                    if s >= 0.9 {
                        1
                    } else if s >= 0.75 {
                        2
                    } else {
                        3
                    }
                }
            }
        }),
        _ => None,
    }
}

fn compare_names(x: &Names, y: &Names) -> u8 {
    if x.key == y.key {
        return 0;
    }
    let (short, long) = if x.words.len() <= y.words.len() {
        (x, y)
    } else {
        (y, x)
    };
    if short.words.iter().all(|w| long.words.contains(w)) {
        return 1;
    }
    // Each word of the shorter name against its best match in the longer, by spelling or
    // by sound across romanisations: order and swaps do not matter. Alike needs every word
    // alike (Hussein and Hassan, one word apart, are not).
    // Each word is matched once: Husain and Hassan are not both the one Hasan. Names of
    // up to eight words each are matched on the stack (this runs for every candidate).
    let (ns, nl) = (short.words.len(), long.words.len());
    let mut stack = [(0.0_f64, 0u8, 0u8); 64];
    let mut heap = Vec::new();
    let scored: &mut [(f64, u8, u8)] = if ns <= 8 && nl <= 8 {
        &mut stack[..ns * nl]
    } else {
        heap.resize(ns * nl, (0.0, 0, 0));
        &mut heap
    };
    for i in 0..ns {
        for j in 0..nl {
            let s = word_likeness(&short.words[i], &long.words[j], "abd").max(word_likeness(
                &short.sounds[i],
                &long.sounds[j],
                ABD_SOUND,
            ));
            scored[i * nl + j] = (s, i as u8, j as u8);
        }
    }
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut best = vec![0.0_f64; ns];
    let (mut short_used, mut long_used) = (vec![false; ns], vec![false; nl]);
    for &(s, i, j) in scored.iter() {
        let (i, j) = (i as usize, j as usize);
        if !short_used[i] && !long_used[j] {
            short_used[i] = true;
            long_used[j] = true;
            best[i] = s;
        }
    }
    let n = best.len() as f64;
    let mean = best.iter().sum::<f64>() / n;
    let worst = best.iter().copied().fold(1.0_f64, f64::min);
    if worst >= ALIKE {
        2
    } else if mean >= 0.8 && worst >= 0.7 {
        // Somewhat alike needs no word far off: twins who share a family name and a
        // birthday differ in a given name, and differ.
        3
    } else {
        4
    }
}

/// How alike two words of a name are. Names built on "abd" ("servant of": Abdiwali,
/// Abdiqani, Abdrahman) share their first letters by construction, and Jaro–Winkler's
/// bonus for a shared beginning would make brothers' names alike: such names are compared
/// on what follows the "abd" (`prefix`: "abd" as written, or as it sounds).
fn word_likeness(a: &str, b: &str, prefix: &str) -> f64 {
    match (a.strip_prefix(prefix), b.strip_prefix(prefix)) {
        (Some(x), Some(y)) if x.len() > 2 && y.len() > 2 => jaro_winkler(x, y),
        _ => jaro_winkler(a, b),
    }
}

/// "abd" as [`crate::names::phonetic`] folds it.
const ABD_SOUND: &str = "apt";

/// Jaro–Winkler similarity, as `strsim::jaro_winkler` computes it, without its allocation
/// for the words names are made of (ASCII, at most 64 letters: flags in two machine
/// words); any other text goes to strsim. It is most of a batch run's time.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !(a.is_ascii() && b.is_ascii() && x.len() <= 64 && y.len() <= 64) {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro_ascii(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    let (al, bl) = (a.len(), b.len());
    if al == 0 && bl == 0 {
        return 1.0;
    }
    if al == 0 || bl == 0 {
        return 0.0;
    }
    let range = (al.max(bl) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let (lo, hi) = (i.saturating_sub(range), (i + range + 1).min(bl));
        for (j, &d) in b.iter().enumerate().take(hi).skip(lo) {
            if b_flags & (1 << j) == 0 && d == c {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in a.iter().enumerate() {
        if a_flags & (1 << i) != 0 {
            while b_flags & (1 << j) == 0 {
                j += 1;
            }
            if b[j] != c {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    (m / al as f64 + m / bl as f64 + (matches - transpositions / 2) as f64 / m) / 3.0
}

/// Two words this similar (Jaro–Winkler, by spelling or sound) are taken for one name.
const ALIKE: f64 = 0.86;

fn compare_dates(x: PartialDate, y: PartialDate) -> u8 {
    if x.is_whole() && x == y {
        return 0;
    }
    fn agree<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
        a.is_none() || b.is_none() || a == b
    }
    if agree(x.year, y.year) && agree(x.month, y.month) && agree(x.day, y.day) {
        // How much the agreement says depends on how much of both dates is known: a year
        // alone is shared by one person in fifty, a month too by one in six hundred.
        return if x.month.is_some() && y.month.is_some() {
            1
        } else {
            2
        };
    }
    if x.is_whole() && y.is_whole() {
        if x.year == y.year && x.month == y.day && x.day == y.month {
            return 3;
        }
        let (dx, dy) = (x.digits(), y.digits());
        let differing = dx.iter().zip(dy.iter()).filter(|(a, b)| a != b).count();
        if differing == 1 {
            return 4;
        }
        let apart = match (x.year, y.year) {
            (Some(a), Some(b)) => a.abs_diff(b) == 1,
            _ => false,
        };
        if apart && x.month == y.month && x.day == y.day {
            return 5;
        }
    }
    6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(a: &str, b: &str) -> Option<u8> {
        compare(
            Kind::PersonName,
            &prepare(Kind::PersonName, a),
            &prepare(Kind::PersonName, b),
        )
    }

    #[test]
    fn names_compare_in_any_order_and_script() {
        assert_eq!(names("Hassan Ali", "Ali Hassan"), Some(0));
        assert_eq!(names("Ali Hassan", "Ali Mohammed Hassan"), Some(1));
        assert_eq!(names("Mohammed Khalid", "Muhammad Khaled"), Some(2));
        assert_eq!(names("Iurii Gagarin", "Юрий Гагарин"), Some(2));
        assert_eq!(names("Anna Virtanen", "Pekka Korhonen"), Some(4));
        // One Hasan is not both Husain and Hassan.
        assert!(names("Husain Al-Hassan", "Hasan Al-Dulaimi").unwrap() > 2);
        assert_eq!(names("", "Anna"), None);
    }

    #[test]
    fn dates_compare_with_their_unknown_parts() {
        let d = |s: &str| prepare(Kind::Date, s);
        let level = |a: &str, b: &str| compare(Kind::Date, &d(a), &d(b));
        assert_eq!(level("1990-04-03", "1990-04-03"), Some(0));
        assert_eq!(level("1990-04-00", "1990-04-03"), Some(1));
        assert_eq!(level("1990-00-00", "1990-04-03"), Some(2));
        assert_eq!(level("1990-03-04", "1990-04-03"), Some(3));
        assert_eq!(level("1990-04-03", "1991-04-03"), Some(4));
        assert_eq!(level("1990-04-03", "1989-04-03"), Some(5));
        assert_eq!(level("1990-04-03", "1975-11-21"), Some(6));
        assert_eq!(level("", "1975-11-21"), None);
    }

    proptest::proptest! {
        #[test]
        fn jaro_winkler_is_strsims(a in "[a-z]{0,12}", b in "[a-z]{0,12}") {
            proptest::prop_assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
        }
    }

    #[test]
    fn names_built_on_abd_are_compared_on_what_follows() {
        assert_eq!(crate::names::phonetic("abd"), ABD_SOUND);
        // Brothers Abdiwali and Abdiqani: alike only by their shared beginning.
        assert!(jaro_winkler("abdiwali", "abdiqani") >= ALIKE);
        assert!(word_likeness("abdiwali", "abdiqani", "abd") < ALIKE);
        // One name in two spellings stays alike.
        assert!(word_likeness("abdurahman", "abdrahman", "abd") >= ALIKE);
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim_on_names() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dwayne", "duane"),
            ("mohammed", "muhammad"),
            ("hussein", "hassan"),
            ("a", "a"),
            ("", "x"),
            ("Юрий", "iurii"),
        ] {
            assert_eq!(jaro_winkler(a, b), strsim::jaro_winkler(a, b), "{a} {b}");
        }
    }

    #[test]
    fn document_numbers_forgive_o_and_0() {
        let c = |a: &str, b: &str| {
            compare(Kind::Code, &prepare(Kind::Code, a), &prepare(Kind::Code, b))
        };
        assert_eq!(c("AB0123456", "ABO123456"), Some(0));
        assert_eq!(c("AB0123456", "AB0123465"), Some(1));
        assert_eq!(c("AB0123456", "XY9876543"), Some(2));
    }
}
