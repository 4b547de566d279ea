//! Identity resolution: records about people from many registers, in many scripts and
//! spellings, linked into persons.
//!
//! The flow: records ([`record`]) become a [`Table`] of prepared values ([`fields`]:
//! names romanised and folded by [`names`]); candidate pairs come from blocking keys robust
//! to spelling, order and partial dates ([`Table::candidates`]); each pair is compared
//! field by field into a pattern of levels; the Fellegi–Sunter [`model`] is trained on the
//! patterns by EM; each pair's weight is its evidence for and against, with common names
//! weighing less than rare ones; pairs above a threshold join persons ([`clusters`]); and
//! every link explains itself ([`Resolution::explain`]).
//!
//! Pure: no I/O but the reader the caller hands in, no clock, no randomness but a seeded one.

pub mod fields;
pub mod index;
pub mod links;
pub mod model;
pub mod names;
pub mod persons;
pub mod record;

use std::collections::HashMap;

pub use fields::{FieldSpec, Kind, Level, Value};
pub use model::{Model, ModelFileError, TrainedModel, probability};
pub use record::{IdentityRecord, PartialDate, RawRecord, RecordError, read_records};

use model::{MISSING, Pattern};

/// The fields of an identity record as the engine compares them.
pub fn identity_fields() -> Vec<FieldSpec> {
    [
        ("name", Kind::PersonName),
        ("date_of_birth", Kind::Date),
        ("sex", Kind::Category),
        ("nationality", Kind::Category),
        ("document_number", Kind::Code),
        ("place_of_birth", Kind::Text),
    ]
    .into_iter()
    .map(|(name, kind)| FieldSpec {
        name: name.to_owned(),
        kind,
    })
    .collect()
}

/// Records ready to compare: one row of values per record, in `fields`' order.
#[derive(Debug, Clone)]
pub struct Table {
    pub fields: Vec<FieldSpec>,
    pub ids: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Where a long run is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Blocking,
    Comparing,
    Training,
    Scoring,
    Clustering,
}

/// How a run is done.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pairs at or above this probability link (join one person).
    pub threshold: f64,
    /// Blocks larger than this are too common a key to block on, and are skipped.
    pub max_block: usize,
    /// Random pairs u starts from.
    pub random_pairs: usize,
    pub max_iterations: usize,
    pub seed: u64,
    /// Threads comparing and scoring pairs (the caller knows its cores).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threshold: 0.9,
            max_block: 200,
            random_pairs: 200_000,
            max_iterations: 100,
            seed: 2026,
            threads: 1,
        }
    }
}

/// A candidate pair with its weight and probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub left: u32,
    pub right: u32,
    pub weight: f64,
    pub probability: f64,
}

/// One field's part in a link.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldEvidence {
    pub field: String,
    /// `None`: a value is missing, no evidence.
    pub level: Option<Level>,
    /// Bits for (positive) or against (negative).
    pub weight: f64,
}

/// Why two records are, or are not, one person.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    pub prior: f64,
    pub fields: Vec<FieldEvidence>,
    pub weight: f64,
    pub probability: f64,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub model: Model,
    /// Every candidate pair, scored.
    pub pairs: Vec<ScoredPair>,
    /// Each record's cluster: the index of its cluster's first record.
    pub clusters: Vec<u32>,
    /// Per field, the term frequencies of exact values (`Kind::PersonName` and
    /// `Kind::Name`), and the expected frequency of an exact agreement.
    tf: Vec<Option<TermFrequencies>>,
}

/// How often each exact value of a name field occurs, kept as records arrive.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermFrequencies {
    counts: HashMap<String, u64>,
    /// Values counted.
    n: u64,
    /// Σ count²: with n², how often two random records agree exactly.
    squares: u64,
}

impl TermFrequencies {
    fn add(&mut self, key: &str) {
        let c = self.counts.entry(key.to_owned()).or_default();
        self.squares += 2 * *c + 1;
        *c += 1;
        self.n += 1;
    }

    /// The bits an exact agreement on `key` moves by: log2(Σshare² / share), capped.
    fn adjustment(&self, key: &str) -> f64 {
        match self.counts.get(key) {
            Some(&c) if c > 0 && self.n > 0 => {
                let n = self.n as f64;
                let expected = self.squares as f64 / (n * n);
                (expected / (c as f64 / n)).log2().clamp(-TF_CAP, TF_CAP)
            }
            _ => 0.0,
        }
    }
}

/// Candidate pairs compared (or scored) between two reports of progress.
const ROUND: usize = 1 << 20;

/// A broad blocking key's block may hold this many times fewer records.
const BROAD: usize = 8;

/// The most records a block on `key` may hold to be used: a broad key (a skeleton alone, a
/// code's sorted characters) only in a small block.
pub(crate) fn block_cap(key: &str, max_block: usize) -> usize {
    if key.starts_with(['s', 'k']) {
        max_block / BROAD
    } else {
        max_block
    }
}

/// The most a term frequency moves a weight, in bits, either way.
const TF_CAP: f64 = 4.0;

/// An identity record's values, in [`identity_fields`]' order.
pub fn identity_row(r: &IdentityRecord) -> Vec<Value> {
    let latin = format!("{} {}", r.given_names, r.family_name);
    let mut names = fields::Names::of(&latin);
    if let Some(native) = r.name_native.as_deref().and_then(fields::Names::of) {
        match &mut names {
            Some(n) => n.other = Some(Box::new(native)),
            None => names = Some(native),
        }
    }
    vec![
        names.map_or(Value::Missing, Value::Names),
        if r.date_of_birth.year.is_some() {
            Value::Date(r.date_of_birth)
        } else {
            Value::Missing
        },
        match r.sex {
            record::Sex::Unknown => Value::Missing,
            s => Value::Text(format!("{s:?}")),
        },
        if r.nationality.is_known() {
            Value::Text(r.nationality.code().to_owned())
        } else {
            Value::Missing
        },
        r.document_number
            .as_deref()
            .map_or(Value::Missing, |d| fields::prepare(Kind::Code, d)),
        r.place_of_birth
            .as_deref()
            .map_or(Value::Missing, |p| fields::prepare(Kind::Text, p)),
    ]
}

impl Table {
    /// A table of identity records.
    pub fn of_identity_records(records: &[IdentityRecord]) -> Table {
        Table {
            fields: identity_fields(),
            ids: records.iter().map(|r| r.record_id.clone()).collect(),
            rows: records.iter().map(identity_row).collect(),
        }
    }

    /// A table from CSV with a header row: `id` names the record id's column, `fields` the
    /// compared columns and their kinds (a column not named is not compared).
    pub fn from_csv<R: std::io::Read>(
        input: R,
        id: &str,
        fields: Vec<FieldSpec>,
    ) -> Result<Table, RecordError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(input);
        let header = reader
            .headers()
            .map_err(|e| RecordError::Csv {
                line: 1,
                detail: e.to_string(),
            })?
            .clone();
        let column = |name: &str| header.iter().position(|h| h == name);
        let missing = |name: &str| RecordError::Csv {
            line: 1,
            detail: format!("no column `{name}` in the header"),
        };
        let id_at = column(id).ok_or_else(|| missing(id))?;
        let at: Vec<usize> = fields
            .iter()
            .map(|f| column(&f.name).ok_or_else(|| missing(&f.name)))
            .collect::<Result<_, _>>()?;
        let (mut ids, mut rows) = (Vec::new(), Vec::new());
        let mut seen = std::collections::HashSet::new();
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| RecordError::Csv {
                line,
                detail: e.to_string(),
            })?;
            let field_error = |field: &str, problem| RecordError::Field {
                line,
                field: if field == id { "id" } else { "field" },
                problem,
            };
            let record_id = record::checked_text(row.get(id_at).unwrap_or(""))
                .map_err(|p| field_error(id, p))?;
            if record_id.is_empty() {
                return Err(field_error(id, record::Problem::Empty));
            }
            if !seen.insert(record_id.to_owned()) {
                return Err(field_error(id, record::Problem::Duplicate));
            }
            let mut values = Vec::with_capacity(fields.len());
            for (f, &c) in fields.iter().zip(&at) {
                let raw = record::checked_text(row.get(c).unwrap_or(""))
                    .map_err(|p| field_error(&f.name, p))?;
                values.push(fields::prepare(f.kind, raw));
            }
            ids.push(record_id.to_owned());
            rows.push(values);
        }
        Ok(Table { fields, ids, rows })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The record's blocking keys: each name word's skeleton, alone and with the year of
    /// birth; the initials of the names with the whole date of birth; each document number,
    /// as it is and with its characters sorted; and each two skeletons of a name together
    /// (for a wrong or missing year), or with the first word of a place or an address. A key
    /// shared by too many records is skipped.
    pub(crate) fn keys(&self, row: &[Value], out: &mut Vec<String>) {
        out.clear();
        let year = row.iter().find_map(|v| match v {
            Value::Date(d) => d.year,
            _ => None,
        });
        let date = row.iter().find_map(|v| match v {
            Value::Date(d) if d.is_whole() => Some(*d),
            _ => None,
        });
        let mut skeletons: Vec<&str> = Vec::new();
        // The first word of each free text (a place, an address).
        let places: Vec<&str> = self
            .fields
            .iter()
            .zip(row)
            .filter_map(|(f, v)| match v {
                Value::Text(t) if f.kind == Kind::Text => t.split(' ').next(),
                _ => None,
            })
            .filter(|w| w.len() >= 3)
            .collect();
        for (f, v) in self.fields.iter().zip(row) {
            match v {
                Value::Names(n) => {
                    for spelling in std::iter::once(n).chain(n.other.as_deref()) {
                        for s in &spelling.skeletons {
                            if s.len() >= 2 {
                                skeletons.push(s);
                            }
                        }
                        if let Some(d) = date {
                            for w in &spelling.words {
                                out.push(format!("d{}{}", d, w.chars().next().unwrap_or('?')));
                            }
                        }
                    }
                }
                Value::Text(code) if f.kind == Kind::Code && code.len() >= 4 => {
                    out.push(format!("c{}:{code}", f.name));
                    // Its characters sorted: two transposed still meet.
                    let mut sorted: Vec<char> = code.chars().collect();
                    sorted.sort_unstable();
                    out.push(format!(
                        "k{}:{}",
                        f.name,
                        sorted.into_iter().collect::<String>()
                    ));
                }
                _ => {}
            }
        }
        skeletons.sort_unstable();
        skeletons.dedup();
        for s in &skeletons {
            // A skeleton alone: only a rare one makes a block small enough to use.
            out.push(format!("s{s}"));
            for place in &places {
                out.push(format!("t{s} {place}"));
            }
            if let Some(y) = year {
                out.push(format!("y{y}{s}"));
            }
        }
        for (i, a) in skeletons.iter().enumerate() {
            for b in &skeletons[i + 1..] {
                out.push(format!("p{a} {b}"));
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Candidate pairs: records that share a blocking key (in blocks no larger than
    /// `max_block`), each pair once, `left < right`.
    pub fn candidates(&self, max_block: usize) -> Vec<(u32, u32)> {
        let mut blocks: HashMap<String, Vec<u32>> = HashMap::new();
        let mut keys = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            self.keys(row, &mut keys);
            for k in keys.drain(..) {
                blocks.entry(k).or_default().push(i as u32);
            }
        }
        let mut pairs: Vec<u64> = Vec::new();
        for (key, members) in &blocks {
            // A broad key (a skeleton alone, a code's sorted characters) only in a small block.
            if members.len() < 2 || members.len() > block_cap(key, max_block) {
                continue;
            }
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let (l, r) = if a < b { (a, b) } else { (b, a) };
                    pairs.push((u64::from(l) << 32) | u64::from(r));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
            .into_iter()
            .map(|p| ((p >> 32) as u32, p as u32))
            .collect()
    }

    /// Records `l` and `r` compared into `out` (one level per field).
    pub fn compare_into(&self, l: u32, r: u32, out: &mut [u8]) {
        let (a, b) = (&self.rows[l as usize], &self.rows[r as usize]);
        for (f, (spec, level)) in self.fields.iter().zip(out.iter_mut()).enumerate() {
            *level = fields::compare(spec.kind, &a[f], &b[f]).unwrap_or(MISSING);
        }
    }

    /// The pattern two records compare at.
    pub fn compare(&self, l: u32, r: u32) -> Pattern {
        let (a, b) = (&self.rows[l as usize], &self.rows[r as usize]);
        self.fields
            .iter()
            .enumerate()
            .map(|(f, spec)| fields::compare(spec.kind, &a[f], &b[f]).unwrap_or(MISSING))
            .collect()
    }

    pub(crate) fn term_frequencies(&self) -> Vec<Option<TermFrequencies>> {
        let mut tf: Vec<Option<TermFrequencies>> = self
            .fields
            .iter()
            .map(|spec| matches!(spec.kind, Kind::PersonName | Kind::Name).then(Default::default))
            .collect();
        for row in &self.rows {
            count_terms(&mut tf, row);
        }
        tf
    }
}

/// Counts `row`'s name values into `tf`.
pub(crate) fn count_terms(tf: &mut [Option<TermFrequencies>], row: &[Value]) {
    for (t, v) in tf.iter_mut().zip(row) {
        if let (Some(t), Value::Names(names)) = (t, v) {
            t.add(&names.key);
        }
    }
}

/// The model trained on `table`'s candidate pairs' `patterns`: u from random pairs, then
/// m, u and λ by EM.
pub(crate) fn fit(table: &Table, patterns: &[u8], options: &Options) -> Model {
    let n = table.len();
    let levels: Vec<usize> = table.fields.iter().map(|f| f.kind.levels().len()).collect();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let random: Vec<Pattern> = if n >= 2 {
        (0..options.random_pairs)
            .filter_map(|_| {
                let (a, b) = (rng.u32(..n as u32), rng.u32(..n as u32));
                (a != b).then(|| table.compare(a, b))
            })
            .collect()
    } else {
        Vec::new()
    };
    let u_start = model::u_from_random(&levels, &random);
    let mut counts: HashMap<Pattern, u64> = HashMap::new();
    for p in patterns.chunks_exact(table.fields.len().max(1)) {
        match counts.get_mut(p) {
            Some(c) => *c += 1,
            None => {
                counts.insert(p.to_vec(), 1);
            }
        }
    }
    // A training session per field that can hold a pair together: names, dates, codes.
    let sessions: Vec<usize> = table
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            matches!(
                f.kind,
                Kind::PersonName | Kind::Name | Kind::Date | Kind::Code
            )
        })
        .map(|(i, _)| i)
        .collect();
    let all_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    model::train(
        &levels,
        u_start,
        &counts,
        &sessions,
        all_pairs,
        options.max_iterations,
    )
}

/// Resolves `table`: trains the model on its candidate pairs, scores them and clusters the
/// records. `progress` hears each stage's progress (done, of how many).
pub fn resolve(
    table: &Table,
    options: &Options,
    progress: &mut dyn FnMut(Stage, u64, u64),
) -> Resolution {
    let n = table.len();
    progress(Stage::Blocking, 0, n as u64);
    let candidates = table.candidates(options.max_block);
    progress(Stage::Blocking, n as u64, n as u64);

    let total = candidates.len() as u64;
    let f = table.fields.len();
    let threads = options.threads.max(1);
    // Every candidate pair's levels in one flat buffer (a pattern is `f` bytes), compared
    // `threads` at a time, a round of pairs between reports of progress.
    let mut patterns = vec![0u8; candidates.len() * f];
    progress(Stage::Comparing, 0, total);
    let mut done = 0u64;
    for (cands, out) in candidates.chunks(ROUND).zip(patterns.chunks_mut(ROUND * f)) {
        let per = cands.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for (c, o) in cands.chunks(per).zip(out.chunks_mut(per * f)) {
                s.spawn(move || {
                    for (&(l, r), level) in c.iter().zip(o.chunks_exact_mut(f)) {
                        table.compare_into(l, r, level);
                    }
                });
            }
        });
        done += cands.len() as u64;
        progress(Stage::Comparing, done, total);
    }

    progress(Stage::Training, 0, 1);
    let model = fit(table, &patterns, options);
    progress(Stage::Training, 1, 1);

    let tf = table.term_frequencies();
    let zero = ScoredPair {
        left: 0,
        right: 0,
        weight: 0.0,
        probability: 0.0,
    };
    let mut pairs = vec![zero; candidates.len()];
    progress(Stage::Scoring, 0, total);
    let mut done = 0u64;
    for ((cands, levels), out) in candidates
        .chunks(ROUND)
        .zip(patterns.chunks(ROUND * f))
        .zip(pairs.chunks_mut(ROUND))
    {
        let per = cands.len().div_ceil(threads).max(1);
        let (model, tf) = (&model, &tf);
        std::thread::scope(|s| {
            for ((c, lv), o) in cands
                .chunks(per)
                .zip(levels.chunks(per * f))
                .zip(out.chunks_mut(per))
            {
                s.spawn(move || {
                    for ((&(l, r), pattern), slot) in c.iter().zip(lv.chunks_exact(f)).zip(o) {
                        let weight = model.weight(pattern) + tf_adjustment(table, tf, l, pattern);
                        *slot = ScoredPair {
                            left: l,
                            right: r,
                            weight,
                            probability: probability(weight),
                        };
                    }
                });
            }
        });
        done += cands.len() as u64;
        progress(Stage::Scoring, done, total);
    }
    drop(patterns);

    progress(Stage::Clustering, 0, 1);
    let clusters = clusters(
        n,
        pairs.iter().filter(|p| p.probability >= options.threshold),
    );
    progress(Stage::Clustering, 1, 1);
    Resolution {
        model,
        pairs,
        clusters,
        tf,
    }
}

/// A common name agreeing is weaker evidence than a rare one: the exact level's weight
/// moves by how much more (or less) often than average the value occurs.
fn tf_adjustment(table: &Table, tf: &[Option<TermFrequencies>], l: u32, pattern: &[u8]) -> f64 {
    (0..tf.len())
        .filter(|&f| pattern[f] == 0)
        .map(|f| tf_of(table, tf, f, l))
        .sum()
}

/// Field `f`'s term-frequency adjustment for an exact agreement on record `l`'s value.
fn tf_of(table: &Table, tf: &[Option<TermFrequencies>], f: usize, l: u32) -> f64 {
    match (&tf[f], &table.rows[l as usize][f]) {
        (Some(t), Value::Names(n)) => t.adjustment(&n.key),
        _ => 0.0,
    }
}

/// Connected components of the linked pairs (union–find); each record's cluster is its
/// component's first record.
pub fn clusters<'a>(n: usize, links: impl Iterator<Item = &'a ScoredPair>) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for p in links {
        let (a, b) = (root(&mut parent, p.left), root(&mut parent, p.right));
        if a != b {
            let (keep, join) = if a < b { (a, b) } else { (b, a) };
            parent[join as usize] = keep;
        }
    }
    (0..n as u32).map(|i| root(&mut parent, i)).collect()
}

impl Resolution {
    /// Why records `l` and `r` of `table` are, or are not, one person: each field's level
    /// and weight, the prior, the total and the probability.
    pub fn explain(&self, table: &Table, l: u32, r: u32) -> Explanation {
        explain(table, &self.model, &self.tf, l, r)
    }
}

/// Records `l` and `r` of `table` compared under `model`, field by field.
pub(crate) fn explain(
    table: &Table,
    model: &Model,
    tf: &[Option<TermFrequencies>],
    l: u32,
    r: u32,
) -> Explanation {
    let pattern = table.compare(l, r);
    let adjustment = tf_adjustment(table, tf, l, &pattern);
    let mut fields = Vec::with_capacity(pattern.len());
    for (f, (&level, spec)) in pattern.iter().zip(&table.fields).enumerate() {
        let mut weight = model.fields[f].weight(level);
        if level == 0 {
            weight += tf_of(table, tf, f, l);
        }
        fields.push(FieldEvidence {
            field: spec.name.clone(),
            level: (level != MISSING).then(|| spec.kind.levels()[level as usize]),
            weight,
        });
    }
    let weight = model.weight(&pattern) + adjustment;
    Explanation {
        prior: model.prior_weight(),
        fields,
        weight,
        probability: probability(weight),
    }
}

#[cfg(test)]
mod tests;
