//! One record at a time: a [`Matcher`] holds every record seen so far with their blocking
//! keys, and finds the candidates of a new record by the same keys, under the same block
//! caps, as a batch run over all of them would. The identity register and the API use it;
//! a batch run ([`crate::resolve`]) and the matcher score a pair alike.

use std::collections::HashMap;

use crate::fields::Value;
use crate::model::Model;
use crate::{Explanation, Options, Table, TermFrequencies, block_cap, count_terms};

/// A record that may be the same person as the one asked about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Its index in the matcher.
    pub record: u32,
    pub weight: f64,
    pub probability: f64,
}

/// Records indexed by their blocking keys, with the model that scores them.
#[derive(Debug, Clone)]
pub struct Matcher {
    table: Table,
    model: Model,
    tf: Vec<Option<TermFrequencies>>,
    /// Blocking key → the records holding it. A list stops growing one past its key's cap:
    /// such a key is too common to block on, as in a batch run.
    postings: HashMap<String, Vec<u32>>,
    max_block: usize,
    keys: Vec<String>,
    /// λ as trained, and over how many records: see [`Matcher::with_model`].
    trained_lambda: f64,
    trained_on: usize,
}

impl Matcher {
    /// Trains the model on `table` (EM over its candidate pairs) and indexes its records.
    pub fn train(table: Table, options: &Options) -> Matcher {
        let candidates = table.candidates(options.max_block);
        let f = table.fields.len();
        let mut patterns = vec![0u8; candidates.len() * f];
        for (&(l, r), out) in candidates.iter().zip(patterns.chunks_exact_mut(f.max(1))) {
            table.compare_into(l, r, out);
        }
        let model = crate::fit(&table, &patterns, options);
        let trained_on = table.len();
        Matcher::with_model(table, model, trained_on, options.max_block)
    }

    /// Indexes `table`'s records to be scored by `model`, trained before over `trained_on`
    /// records (see [`Matcher::fits`]).
    ///
    /// The prior λ — how likely two records drawn at random are one person — falls as the
    /// records grow: with a person's records a few, the pairs that match grow with the
    /// records and all pairs with their square. So once the matcher holds more records
    /// than the model was trained on, λ is scaled down in proportion (a register twenty
    /// times the training set needs about 4.3 bits more evidence for the same
    /// probability); never up, so a small register is never more generous than training.
    pub fn with_model(table: Table, model: Model, trained_on: usize, max_block: usize) -> Matcher {
        let tf = table.term_frequencies();
        let trained_lambda = model.lambda;
        let mut matcher = Matcher {
            table: Table {
                fields: table.fields,
                ids: Vec::with_capacity(table.ids.len()),
                rows: Vec::with_capacity(table.rows.len()),
            },
            model,
            tf,
            postings: HashMap::new(),
            max_block,
            keys: Vec::new(),
            trained_lambda,
            trained_on,
        };
        for (id, row) in table.ids.into_iter().zip(table.rows) {
            matcher.index(id, row);
        }
        matcher.calibrate();
        matcher
    }

    /// λ for the records held now (see [`Matcher::with_model`]).
    fn calibrate(&mut self) {
        let (n, t) = (self.table.len().max(2), self.trained_on.max(2));
        self.model.lambda = if n > t {
            self.trained_lambda * (t - 1) as f64 / (n - 1) as f64
        } else {
            self.trained_lambda
        };
    }

    /// Whether `model` has one field model per field of `table`, each with its levels.
    pub fn fits(table: &Table, model: &Model) -> bool {
        model.fields.len() == table.fields.len()
            && model
                .fields
                .iter()
                .zip(&table.fields)
                .all(|(m, f)| m.m.len() == f.kind.levels().len() && m.u.len() == m.m.len())
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The model as it scores now: λ scaled to the records held.
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The id of record `i`.
    pub fn id(&self, i: u32) -> &str {
        &self.table.ids[i as usize]
    }

    /// Adds a record; returns its index. Its name counts towards the term frequencies.
    pub fn add(&mut self, id: String, row: Vec<Value>) -> u32 {
        count_terms(&mut self.tf, &row);
        let i = self.index(id, row);
        self.calibrate();
        i
    }

    fn index(&mut self, id: String, row: Vec<Value>) -> u32 {
        let i = self.table.rows.len() as u32;
        let mut keys = std::mem::take(&mut self.keys);
        self.table.keys(&row, &mut keys);
        for key in keys.drain(..) {
            let cap = block_cap(&key, self.max_block);
            let list = self.postings.entry(key).or_default();
            if list.len() <= cap {
                list.push(i);
            }
        }
        self.keys = keys;
        self.table.ids.push(id);
        self.table.rows.push(row);
        i
    }

    /// The records that share a usable blocking key with record `i`, scored, at or above
    /// `min_probability`, the likeliest first.
    pub fn matches_of(&self, i: u32, min_probability: f64) -> Vec<Match> {
        let mut keys = Vec::new();
        self.table.keys(&self.table.rows[i as usize], &mut keys);
        let mut others: Vec<u32> = Vec::new();
        for key in &keys {
            if let Some(list) = self.postings.get(key)
                && list.len() <= block_cap(key, self.max_block)
            {
                others.extend(list.iter().copied().filter(|&o| o != i));
            }
        }
        others.sort_unstable();
        others.dedup();
        let mut found: Vec<Match> = others
            .into_iter()
            .filter_map(|o| {
                let (l, r) = if o < i { (o, i) } else { (i, o) };
                let pattern = self.table.compare(l, r);
                let weight = self.model.weight(&pattern)
                    + crate::tf_adjustment(&self.table, &self.tf, l, &pattern);
                let probability = crate::probability(weight);
                (probability >= min_probability).then_some(Match {
                    record: o,
                    weight,
                    probability,
                })
            })
            .collect();
        found.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        found
    }

    /// Why records `l` and `r` are, or are not, one person, field by field.
    pub fn explain(&self, l: u32, r: u32) -> Explanation {
        let (l, r) = if l < r { (l, r) } else { (r, l) };
        crate::explain(&self.table, &self.model, &self.tf, l, r)
    }
}
