//! Persons with stable ids. Links change as records arrive and people give verdicts, so the
//! groups of records that are one person change too; a person's id must not. The
//! **survivor rule**:
//!
//! 1. A person's id stays with the group that holds the person's *earliest record* (the
//!    first of its records to arrive).
//! 2. When one group holds the earliest records of several persons (a merge), the *oldest*
//!    id among them survives; the others become its aliases and are never issued again.
//! 3. A group holding no person's earliest record (records that parted from a person, or
//!    records new to the register) is a new person with a new id.
//!
//! [`reassign`] applies the rule and says what changed; the identity register writes each
//! change to the audit chain.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// A person's id: issued in order, so a smaller one is older. Written `PID-0000042`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(pub u64);

impl From<PersonId> for String {
    fn from(p: PersonId) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for PersonId {
    type Error = NotAPersonId;

    fn try_from(s: String) -> Result<PersonId, NotAPersonId> {
        s.parse()
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PID-{:07}", self.0)
    }
}

/// Not a person id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a person id is PID- and digits")]
pub struct NotAPersonId;

impl FromStr for PersonId {
    type Err = NotAPersonId;

    fn from_str(s: &str) -> Result<PersonId, NotAPersonId> {
        let digits = s.strip_prefix("PID-").ok_or(NotAPersonId)?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotAPersonId);
        }
        digits.parse().map(PersonId).map_err(|_| NotAPersonId)
    }
}

/// A record in the register: its place in the order of arrival.
pub type RecordSeq = u64;

/// What happened to persons when the groups were drawn anew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new person, with all its records.
    Created {
        person: PersonId,
        records: Vec<RecordSeq>,
    },
    /// Records new to the register joined an existing person.
    Added {
        person: PersonId,
        records: Vec<RecordSeq>,
    },
    /// Records left one person for another (the part of a split, or of a merge, that did
    /// not hold the person's earliest record).
    Moved {
        from: PersonId,
        to: PersonId,
        records: Vec<RecordSeq>,
    },
    /// Two persons are one: `absorbed` is now an alias of `into`.
    Merged { absorbed: PersonId, into: PersonId },
}

/// The groups with their persons' ids, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    /// Each group's person, with the group's records in order.
    pub persons: Vec<(PersonId, Vec<RecordSeq>)>,
    pub changes: Vec<Change>,
}

/// Gives each of `groups` (every record of every person involved, each record in one group)
/// a person id by the survivor rule, from `previous` (each record's person before; records
/// new to the register are absent). `issue` gives a new id, in order.
pub fn reassign(
    groups: &[Vec<RecordSeq>],
    previous: &HashMap<RecordSeq, PersonId>,
    issue: &mut dyn FnMut() -> PersonId,
) -> Assignment {
    let mut earliest: HashMap<PersonId, RecordSeq> = HashMap::new();
    for (&record, &person) in previous {
        let e = earliest.entry(person).or_insert(record);
        *e = (*e).min(record);
    }
    let mut groups: Vec<Vec<RecordSeq>> = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let mut g = g.clone();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect();
    groups.sort_unstable_by_key(|g| g[0]);

    let mut out = Assignment::default();
    for group in groups {
        let mut claims: Vec<PersonId> = group
            .iter()
            .filter_map(|r| previous.get(r).filter(|p| earliest.get(p) == Some(r)))
            .copied()
            .collect();
        claims.sort_unstable();
        let person = match claims.first() {
            Some(&oldest) => oldest,
            None => {
                let person = issue();
                out.changes.push(Change::Created {
                    person,
                    records: group.clone(),
                });
                person
            }
        };
        for &absorbed in claims.iter().skip(1) {
            out.changes.push(Change::Merged {
                absorbed,
                into: person,
            });
        }
        let mut added = Vec::new();
        let mut moved: BTreeMap<PersonId, Vec<RecordSeq>> = BTreeMap::new();
        for &r in &group {
            match previous.get(&r) {
                None => added.push(r),
                Some(q) if *q != person && !claims.contains(q) => {
                    moved.entry(*q).or_default().push(r);
                }
                Some(_) => {}
            }
        }
        if !added.is_empty() && !claims.is_empty() {
            out.changes.push(Change::Added {
                person,
                records: added,
            });
        }
        for (from, records) in moved {
            out.changes.push(Change::Moved {
                from,
                to: person,
                records,
            });
        }
        out.persons.push((person, group));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(from: u64) -> impl FnMut() -> PersonId {
        let mut next = from;
        move || {
            next += 1;
            PersonId(next)
        }
    }

    fn before(persons: &[(u64, &[u64])]) -> HashMap<RecordSeq, PersonId> {
        persons
            .iter()
            .flat_map(|(p, rs)| rs.iter().map(move |r| (*r, PersonId(*p))))
            .collect()
    }

    fn id_of(a: &Assignment, record: RecordSeq) -> PersonId {
        a.persons
            .iter()
            .find(|(_, rs)| rs.contains(&record))
            .map(|(p, _)| *p)
            .unwrap()
    }

    #[test]
    fn nothing_changes_when_the_groups_are_the_same() {
        let previous = before(&[(1, &[1, 2]), (2, &[3])]);
        let a = reassign(&[vec![3], vec![2, 1]], &previous, &mut issuer(10));
        assert_eq!(a.changes, vec![]);
        assert_eq!(id_of(&a, 2), PersonId(1));
        assert_eq!(id_of(&a, 3), PersonId(2));
    }

    #[test]
    fn a_new_record_joins_a_person_or_is_a_new_one() {
        let previous = before(&[(1, &[1])]);
        let a = reassign(&[vec![1, 5], vec![6]], &previous, &mut issuer(10));
        assert_eq!(
            a.changes,
            vec![
                Change::Added {
                    person: PersonId(1),
                    records: vec![5]
                },
                Change::Created {
                    person: PersonId(11),
                    records: vec![6]
                },
            ]
        );
    }

    #[test]
    fn in_a_merge_the_oldest_id_survives() {
        // Person 7 was issued before person 9, though 9's records are older.
        let previous = before(&[(9, &[1, 2]), (7, &[3])]);
        let a = reassign(&[vec![1, 2, 3, 4]], &previous, &mut issuer(10));
        assert_eq!(id_of(&a, 1), PersonId(7));
        assert_eq!(
            a.changes,
            vec![
                Change::Merged {
                    absorbed: PersonId(9),
                    into: PersonId(7)
                },
                Change::Added {
                    person: PersonId(7),
                    records: vec![4]
                },
            ]
        );
    }

    #[test]
    fn in_a_split_the_earliest_record_keeps_the_id() {
        let previous = before(&[(1, &[1, 2, 3])]);
        let a = reassign(&[vec![2, 3], vec![1]], &previous, &mut issuer(10));
        assert_eq!(id_of(&a, 1), PersonId(1));
        assert_eq!(id_of(&a, 2), PersonId(11));
        assert_eq!(
            a.changes,
            vec![
                Change::Created {
                    person: PersonId(11),
                    records: vec![2, 3]
                },
                Change::Moved {
                    from: PersonId(1),
                    to: PersonId(11),
                    records: vec![2, 3]
                },
            ]
        );
    }

    #[test]
    fn a_part_of_one_person_can_join_another() {
        let previous = before(&[(1, &[1, 2]), (2, &[3, 4])]);
        let a = reassign(&[vec![1], vec![2, 3, 4]], &previous, &mut issuer(10));
        assert_eq!(id_of(&a, 1), PersonId(1));
        assert_eq!(id_of(&a, 2), PersonId(2));
        assert_eq!(
            a.changes,
            vec![Change::Moved {
                from: PersonId(1),
                to: PersonId(2),
                records: vec![2]
            }]
        );
    }

    #[test]
    fn person_ids_are_read_back_as_written() {
        assert_eq!("PID-0000042".parse(), Ok(PersonId(42)));
        assert_eq!(PersonId(42).to_string(), "PID-0000042");
        for bad in ["42", "PID-", "PID-4x", "pid-42", "PID-99999999999999999999"] {
            assert!(bad.parse::<PersonId>().is_err(), "{bad}");
        }
    }
}
