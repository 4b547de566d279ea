//! Links between records, coloured as the EU's multiple-identity detector colours them
//! (Regulations (EU) 2019/817 and 2019/818: yellow Article 30, green 31, red 32, white 33,
//! their manual verification Article 29):
//!
//! - **yellow**: may be one person; a person must check it,
//! - **white**: one person, the differences in the data are legitimate,
//! - **green**: different people whose data happen to be alike,
//! - **red**: one person under an unjustified multiple identity.
//!
//! The machine only ever proposes white or yellow: white where the evidence is
//! overwhelming *and* no field speaks against it, yellow where it is merely likely or
//! something disagrees. Green and red are a person's verdicts, and a verdict stands: the
//! pair is never asked again.

use crate::{Explanation, FieldEvidence, Level};

/// A link's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    Yellow,
    White,
    Green,
    Red,
}

impl Colour {
    pub const ALL: [Colour; 4] = [Colour::Yellow, Colour::White, Colour::Green, Colour::Red];

    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Colour::Yellow => "yellow",
            Colour::White => "white",
            Colour::Green => "green",
            Colour::Red => "red",
        }
    }

    pub fn parse(code: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether the two records are one person under this colour (white and red).
    pub fn same_person(self) -> bool {
        matches!(self, Colour::White | Colour::Red)
    }

    /// Whether a person has still to look at the link.
    pub fn is_open(self) -> bool {
        self == Colour::Yellow
    }
}

/// When the machine links two records, and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkPolicy {
    /// At or above this probability, with no field against, a link is white without a
    /// person.
    pub automatic: f64,
    /// At or above this probability a link is made at all (yellow below `automatic`).
    pub review: f64,
    /// A field weighing this many bits or more against makes even a near-certain link
    /// yellow: the data differ, and a person decides whether legitimately.
    pub against: f64,
    /// A white link needs `corroborating` identifiers that agree outright, each weighing
    /// this many bits or more: the same names, the same whole date of birth, the same
    /// document number ([`LinkPolicy::identifies`]). Names merely alike (another
    /// romanisation, a slip) or a date with day and month swapped make a pair likely, not
    /// certain: two different people with one common name and one birthday are in any
    /// large register, and only a person, or a document, tells them apart.
    pub strong: f64,
    pub corroborating: usize,
}

impl Default for LinkPolicy {
    fn default() -> LinkPolicy {
        LinkPolicy {
            automatic: 0.99,
            review: 0.5,
            against: 1.0,
            strong: 9.5,
            corroborating: 2,
        }
    }
}

impl LinkPolicy {
    /// Whether a field's agreement identifies: the values the same (not merely alike), and
    /// weighing at least `strong` bits — a category such as sex or nationality never does,
    /// and a name so common that its agreement weighs less does not.
    pub fn identifies(&self, f: &FieldEvidence) -> bool {
        matches!(
            f.level,
            Some(Level::SameNames | Level::SameDate | Level::Same)
        ) && f.weight >= self.strong
    }

    /// The colour the machine gives a pair so explained, or `None`: no link.
    pub fn propose(&self, explanation: &Explanation) -> Option<Colour> {
        let p = explanation.probability;
        if p < self.review {
            return None;
        }
        let disputed = explanation
            .fields
            .iter()
            .any(|f| f.level.is_some() && f.weight <= -self.against);
        let strong = explanation
            .fields
            .iter()
            .filter(|f| self.identifies(f))
            .count();
        if p >= self.automatic && !disputed && strong >= self.corroborating {
            Some(Colour::White)
        } else {
            Some(Colour::Yellow)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldEvidence, Level};

    fn explained(probability: f64, against: f64) -> Explanation {
        explained_with(probability, against, 12.0)
    }

    fn explained_with(probability: f64, against: f64, document: f64) -> Explanation {
        Explanation {
            prior: -10.0,
            fields: vec![
                FieldEvidence {
                    field: "name".into(),
                    level: Some(Level::SameNames),
                    weight: 12.0,
                },
                FieldEvidence {
                    field: "date_of_birth".into(),
                    level: Some(Level::Differ),
                    weight: -against,
                },
                FieldEvidence {
                    field: "document_number".into(),
                    level: Some(Level::Same),
                    weight: document,
                },
            ],
            weight: 0.0,
            probability,
        }
    }

    #[test]
    fn the_machine_proposes_white_only_when_nothing_speaks_against() {
        let policy = LinkPolicy::default();
        assert_eq!(policy.propose(&explained(0.999, 0.0)), Some(Colour::White));
        // Near-certain, but the dates of birth differ: a person decides.
        assert_eq!(policy.propose(&explained(0.999, 3.0)), Some(Colour::Yellow));
        assert_eq!(policy.propose(&explained(0.9, 0.0)), Some(Colour::Yellow));
        assert_eq!(policy.propose(&explained(0.2, 0.0)), None);
        // The names alone, however strong, with nothing else as strong: a person checks.
        assert_eq!(
            policy.propose(&explained_with(0.999, 0.0, 4.0)),
            Some(Colour::Yellow)
        );
    }

    /// Two people with one name in two romanisations and one birthday (the bench at
    /// 200,000 people linked such pairs white): alike is not the same.
    #[test]
    fn names_merely_alike_and_a_swapped_date_do_not_identify() {
        let policy = LinkPolicy::default();
        let field = |field: &str, level: Level, weight: f64| FieldEvidence {
            field: field.into(),
            level: Some(level),
            weight,
        };
        let pair = |fields: Vec<FieldEvidence>| Explanation {
            prior: -18.0,
            weight: 12.0,
            probability: 0.9998,
            fields,
        };
        let alike = pair(vec![
            field("name", Level::NamesAlike, 9.8),
            field("date_of_birth", Level::SameDate, 13.5),
            field("sex", Level::Same, 1.0),
            field("nationality", Level::Same, 3.7),
        ]);
        assert_eq!(policy.propose(&alike), Some(Colour::Yellow));
        let swapped = pair(vec![
            field("name", Level::SameNames, 11.8),
            field("date_of_birth", Level::DayMonthSwapped, 11.3),
        ]);
        assert_eq!(policy.propose(&swapped), Some(Colour::Yellow));
        // The same names and the whole date: white; so is a document with the date.
        let same = pair(vec![
            field("name", Level::SameNames, 11.8),
            field("date_of_birth", Level::SameDate, 13.5),
        ]);
        assert_eq!(policy.propose(&same), Some(Colour::White));
        let documented = pair(vec![
            field("name", Level::NamesAlike, 9.8),
            field("date_of_birth", Level::SameDate, 13.5),
            field("document_number", Level::Same, 12.3),
        ]);
        assert_eq!(policy.propose(&documented), Some(Colour::White));
        // A name so common its agreement weighs under the bar needs a document.
        let common = pair(vec![
            field("name", Level::SameNames, 8.0),
            field("date_of_birth", Level::SameDate, 13.5),
        ]);
        assert_eq!(policy.propose(&common), Some(Colour::Yellow));
    }

    #[test]
    fn colours_are_read_back_as_written() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.code()), Some(c));
        }
        assert_eq!(Colour::parse("blue"), None);
        assert!(Colour::Red.same_person() && !Colour::Green.same_person());
    }
}
