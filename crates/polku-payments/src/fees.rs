//! The fee table: for each matter, the fee of an application made in the e-service, from
//! the day it applies, with its source (pure: text in, a table out).

use std::collections::BTreeMap;

use jiff::civil::Date;
use yaml_rust2::{Yaml, YamlLoader};

/// The table the repository ships.
pub const BUNDLED: &str = include_str!("../../../fees/fi-processing-fees.yaml");

/// The highest fee a row may hold, in euros (the dearest of the authority's fees is well
/// below it; a larger number is a typing error).
pub const MAX_FEE_EUR: u32 = 5_000;

/// One row: a fee from a day (to a day), with where it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeRow {
    pub from: Date,
    pub to: Option<Date>,
    /// An application made in the e-service.
    pub online_eur: u32,
    /// A paper application (shown for comparison).
    pub paper_eur: Option<u32>,
    pub source: String,
}

impl FeeRow {
    fn covers(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// A matter's fee on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fee<'a> {
    /// The fee is due before processing begins.
    Due { eur: u32, row: &'a FeeRow },
    /// The table confirms no fee for the day: nothing is charged in the e-service; the
    /// applicant is told the fee before processing begins. `last` is the latest row before
    /// the day, if any (for officials).
    Unconfirmed { last: Option<&'a FeeRow> },
}

/// Every matter's fees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeTable {
    by_matter: BTreeMap<String, Vec<FeeRow>>,
}

/// Why a fee table does not load: each says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("the fee table is not YAML: {0}")]
    Yaml(String),
    #[error("the fee table needs a `fees:` map of matters")]
    NoFees,
    #[error("{matter}, row {row}: {problem}")]
    Row {
        matter: String,
        row: usize,
        problem: String,
    },
}

impl FeeTable {
    /// The table the repository ships.
    pub fn bundled() -> Result<FeeTable, FeeError> {
        FeeTable::parse(BUNDLED)
    }

    pub fn parse(text: &str) -> Result<FeeTable, FeeError> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| FeeError::Yaml(e.to_string()))?;
        let Some(Yaml::Hash(fees)) = docs.first().map(|d| &d["fees"]) else {
            return Err(FeeError::NoFees);
        };
        let mut by_matter = BTreeMap::new();
        for (matter, rows) in fees {
            let Some(matter) = matter.as_str() else {
                return Err(FeeError::NoFees);
            };
            let Some(rows) = rows.as_vec() else {
                return Err(FeeError::Row {
                    matter: matter.to_owned(),
                    row: 0,
                    problem: "a matter holds a list of rows".into(),
                });
            };
            let mut read = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let problem = |problem: String| FeeError::Row {
                    matter: matter.to_owned(),
                    row: i + 1,
                    problem,
                };
                read.push(parse_row(row).map_err(problem)?);
            }
            read.sort_by_key(|r| r.from);
            for pair in read.windows(2) {
                if pair[0].to.is_none_or(|to| to >= pair[1].from) {
                    return Err(FeeError::Row {
                        matter: matter.to_owned(),
                        row: 0,
                        problem: format!(
                            "the rows from {} and from {} overlap",
                            pair[0].from, pair[1].from
                        ),
                    });
                }
            }
            by_matter.insert(matter.to_owned(), read);
        }
        Ok(FeeTable { by_matter })
    }

    /// The fee of `matter` for an application made on `day`.
    pub fn fee(&self, matter: &str, day: Date) -> Fee<'_> {
        let rows = self.by_matter.get(matter).map_or(&[][..], Vec::as_slice);
        match rows.iter().find(|r| r.covers(day)) {
            Some(row) => Fee::Due {
                eur: row.online_eur,
                row,
            },
            None => Fee::Unconfirmed {
                last: rows.iter().rev().find(|r| r.from <= day),
            },
        }
    }

    /// The matters the table names.
    pub fn matters(&self) -> impl Iterator<Item = &str> {
        self.by_matter.keys().map(String::as_str)
    }
}

const KEYS: [&str; 5] = ["from", "to", "online_eur", "paper_eur", "source"];

fn parse_row(row: &Yaml) -> Result<FeeRow, String> {
    let Yaml::Hash(h) = row else {
        return Err("a row is a map of from, to, online_eur, paper_eur, source".into());
    };
    for k in h.keys() {
        let k = k.as_str().unwrap_or("");
        if !KEYS.contains(&k) {
            return Err(format!("`{k}` is not a key of a row ({})", KEYS.join(", ")));
        }
    }
    let date = |key: &str| -> Result<Option<Date>, String> {
        match &row[key] {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::String(s) => s
                .parse()
                .map(Some)
                .map_err(|_| format!("`{key}` is not a date (YYYY-MM-DD): {s}")),
            other => Err(format!("`{key}` is not a date (YYYY-MM-DD): {other:?}")),
        }
    };
    let eur = |key: &str| -> Result<Option<u32>, String> {
        match &row[key] {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::Integer(n) => u32::try_from(*n)
                .ok()
                .filter(|n| *n <= MAX_FEE_EUR)
                .map(Some)
                .ok_or_else(|| format!("`{key}` must be 0–{MAX_FEE_EUR} euros: {n}")),
            other => Err(format!("`{key}` is a whole number of euros: {other:?}")),
        }
    };
    let from = date("from")?.ok_or("a row needs `from`")?;
    let to = date("to")?;
    if to.is_some_and(|to| to < from) {
        return Err("`to` is before `from`".into());
    }
    let source = row["source"].as_str().unwrap_or("").trim().to_owned();
    if source.is_empty() {
        return Err("a row needs its `source`: where the fee was published".into());
    }
    Ok(FeeRow {
        from,
        to,
        online_eur: eur("online_eur")?.ok_or("a row needs `online_eur`")?,
        paper_eur: eur("paper_eur")?,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_bundled_table_loads_and_dates_each_fee() {
        let t = FeeTable::bundled().unwrap();
        let permanent = "fi.residence-permit.permanent";
        match t.fee(permanent, date(2026, 12, 7)) {
            Fee::Due { eur, row } => {
                assert_eq!(eur, 380);
                assert!(row.source.contains("22.12.2025"));
            }
            other => panic!("{other:?}"),
        }
        // Before the decree's year, and after it: not confirmed, never the nearest guess.
        assert!(matches!(
            t.fee(permanent, date(2025, 12, 31)),
            Fee::Unconfirmed { last: None }
        ));
        assert!(matches!(
            t.fee(permanent, date(2027, 1, 1)),
            Fee::Unconfirmed { last: Some(r) } if r.online_eur == 380
        ));
        assert!(matches!(
            t.fee("fi.citizenship.application", date(2026, 12, 7)),
            Fee::Unconfirmed { last: Some(r) } if r.online_eur == 490
        ));
        assert!(matches!(
            t.fee("fi.residence-permit.employed.extension", date(2026, 12, 7)),
            Fee::Unconfirmed { last: None }
        ));
    }

    #[test]
    fn a_wrong_row_says_where_and_what() {
        let bad = |rows: &str| {
            FeeTable::parse(&format!("fees:\n  m:\n{rows}"))
                .unwrap_err()
                .to_string()
        };
        assert!(bad("    - {from: 2026-01-01, online_eur: 380}\n").contains("needs its `source`"));
        assert!(bad("    - {from: 2026-01-01, online_eur: 38000, source: x}\n").contains("0–5000"));
        assert!(bad("    - {from: 2026-13-01, online_eur: 1, source: x}\n").contains("not a date"));
        assert!(
            bad("    - {from: 2026-01-01, to: 2025-01-01, online_eur: 1, source: x}\n")
                .contains("before")
        );
        assert!(
            bad("    - {from: 2026-01-01, online_eur: 1, source: x, vat: 0}\n")
                .contains("`vat` is not a key")
        );
        assert!(bad(
            "    - {from: 2026-01-01, online_eur: 1, source: x}\n    - {from: 2026-06-01, online_eur: 2, source: y}\n"
        )
        .contains("overlap"));
        assert_eq!(FeeTable::parse("other: 1"), Err(FeeError::NoFees));
    }
}
