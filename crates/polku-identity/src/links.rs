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

use crate::Explanation;

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
    /// A white link needs `corroborating` fields each weighing this many bits or more
    /// for it: two strong identifiers agreeing (the names and the whole date of birth, or
    /// a document number), not one strong and several weak.
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
            .filter(|f| f.weight >= self.strong)
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

    #[test]
    fn colours_are_read_back_as_written() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.code()), Some(c));
        }
        assert_eq!(Colour::parse("blue"), None);
        assert!(Colour::Red.same_person() && !Colour::Green.same_person());
    }
}
