//! The Fellegi–Sunter model: for each field and comparison level, how often true matches
//! (m) and non-matches (u) show it, and how many candidate pairs are matches (λ). Estimated
//! from the data alone, no labels: u from random pairs (almost all non-matches), m by
//! expectation–maximisation in one session per field that can hold a pair together (see
//! [`train`]), over the candidate pairs' distinct comparison patterns counted once each.

use std::collections::HashMap;

/// A comparison vector: one level per field, [`MISSING`] where a value is missing.
pub type Pattern = Vec<u8>;

/// A field compared on a missing value: no evidence either way.
pub const MISSING: u8 = u8::MAX;

/// Probabilities never reach 0 or 1: one level unseen in training is unlikely, not
/// impossible.
const FLOOR: f64 = 1e-6;

/// How many pairs' worth the starting values weigh in each round of EM.
const PSEUDO_PAIRS: f64 = 10.0;

/// The model of one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldModel {
    /// P(level | match), per level.
    pub m: Vec<f64>,
    /// P(level | non-match), per level.
    pub u: Vec<f64>,
}

impl FieldModel {
    /// log2 of the Bayes factor a level gives: positive for, negative against.
    pub fn weight(&self, level: u8) -> f64 {
        if level == MISSING {
            return 0.0;
        }
        let l = level as usize;
        (self.m[l] / self.u[l]).log2()
    }
}

/// The whole model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub fields: Vec<FieldModel>,
    /// The chance that two records drawn at random are one person.
    pub lambda: f64,
    /// Rounds of EM run, and whether the estimates settled.
    pub iterations: usize,
    pub converged: bool,
}

impl Model {
    /// log2 of the prior odds.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// The match weight of a pattern: the prior and each field's evidence, in bits.
    pub fn weight(&self, pattern: &[u8]) -> f64 {
        self.prior_weight()
            + pattern
                .iter()
                .zip(&self.fields)
                .map(|(l, f)| f.weight(*l))
                .sum::<f64>()
    }
}

/// The probability a weight (in bits) means.
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// u's starting values: how often each level shows among random pairs.
pub fn u_from_random(levels: &[usize], random: &[Pattern]) -> Vec<Vec<f64>> {
    levels
        .iter()
        .enumerate()
        .map(|(f, &n)| {
            let mut counts = vec![1.0_f64; n];
            for p in random {
                if let Some(c) = counts.get_mut(p[f] as usize) {
                    *c += 1.0;
                }
            }
            let total: f64 = counts.iter().sum();
            counts.iter().map(|c| (c / total).max(FLOOR)).collect()
        })
        .collect()
}

/// m's starting values: agreement likely, each weaker level less so.
fn m_prior(levels: usize) -> Vec<f64> {
    let mut m: Vec<f64> = (0..levels).map(|l| 0.5_f64.powi(l as i32 * 2)).collect();
    if let Some(last) = m.last_mut() {
        *last = 0.02;
    }
    let total: f64 = m.iter().sum();
    m.iter().map(|x| x / total).collect()
}

/// One round of EM over `patterns`: the expected share of matches, and per field and
/// level the expected matches showing it (with the prior's pseudo-pairs).
fn expectation(
    fields: &[FieldModel],
    lambda: f64,
    patterns: &[(&Pattern, u64)],
    m_counts: &mut [Vec<f64>],
    u_counts: &mut [Vec<f64>],
) -> f64 {
    let prior = (lambda / (1.0 - lambda)).log2();
    let mut matches = 0.0;
    let mut total = 0.0;
    for (pattern, count) in patterns {
        let w = prior
            + pattern
                .iter()
                .zip(fields)
                .map(|(l, f)| f.weight(*l))
                .sum::<f64>();
        let pm = probability(w) * *count as f64;
        let pu = *count as f64 - pm;
        matches += pm;
        total += *count as f64;
        for (f, &l) in pattern.iter().enumerate() {
            if l != MISSING {
                m_counts[f][l as usize] += pm;
                u_counts[f][l as usize] += pu;
            }
        }
    }
    if total == 0.0 {
        lambda
    } else {
        matches / total
    }
}

fn normalise(counts: &[f64]) -> Vec<f64> {
    let t: f64 = counts.iter().sum();
    if t <= 0.0 {
        return vec![1.0 / counts.len() as f64; counts.len()];
    }
    counts.iter().map(|c| (c / t).max(FLOOR)).collect()
}

/// Estimates m (the model's u stays as random pairs give it, as Splink does) in one session per field
/// in `sessions`: among the candidate pairs that agree exactly on that field, EM learns the
/// m of every other field; each field's m is the mean of the sessions that learned it. A
/// session so holds one field fixed, so the latent classes stay "same person" and "not":
/// among pairs with one name, namesakes are told apart by their dates; among pairs with one
/// date, by their names. λ is then estimated over all candidate pairs with m and u fixed.
pub fn train(
    levels: &[usize],
    u: Vec<Vec<f64>>,
    patterns: &HashMap<Pattern, u64>,
    sessions: &[usize],
    all_pairs: f64,
    max_iterations: usize,
) -> Model {
    let start: Vec<FieldModel> = levels
        .iter()
        .zip(u)
        .map(|(&n, u)| FieldModel { m: m_prior(n), u })
        .collect();
    let mut learned: Vec<Vec<Vec<f64>>> = levels.iter().map(|_| Vec::new()).collect();
    let mut iterations = 0;
    let mut converged = true;
    for &g in sessions {
        let within: Vec<(&Pattern, u64)> = patterns
            .iter()
            .filter(|(p, _)| p[g] == 0)
            .map(|(p, c)| (p, *c))
            .collect();
        if within.is_empty() {
            continue;
        }
        let mut fields = start.clone();
        let mut lambda = 0.2_f64;
        let mut settled = false;
        for _ in 0..max_iterations {
            iterations += 1;
            // The starting values count as a few pairs seen (a Dirichlet prior): a level
            // the data hardly shows keeps its prior instead of swinging to 0 or 1.
            let mut m_counts: Vec<Vec<f64>> = levels
                .iter()
                .map(|&n| m_prior(n).iter().map(|p| p * PSEUDO_PAIRS).collect())
                .collect();
            let mut u_counts: Vec<Vec<f64>> = start
                .iter()
                .map(|f| f.u.iter().map(|p| p * PSEUDO_PAIRS).collect())
                .collect();
            // The session's own field is no evidence within it.
            let mut blind = fields.clone();
            blind[g].m = blind[g].u.clone();
            let new_lambda = expectation(&blind, lambda, &within, &mut m_counts, &mut u_counts)
                .clamp(FLOOR, 1.0 - FLOOR);
            let mut change = (new_lambda - lambda).abs();
            lambda = new_lambda;
            for (f, field) in fields.iter_mut().enumerate() {
                if f == g {
                    continue;
                }
                let m = normalise(&m_counts[f]);
                for (a, b) in m.iter().zip(&field.m) {
                    change = change.max((a - b).abs());
                }
                field.m = m;
                // Within the session non-matches are not random pairs (namesakes share
                // their origin's nationality and sex): u as the session shows it.
                field.u = normalise(&u_counts[f]);
            }
            if change < 1e-4 {
                settled = true;
                break;
            }
        }
        converged &= settled;
        for (f, field) in fields.into_iter().enumerate() {
            if f != g {
                learned[f].push(field.m);
            }
        }
    }
    let fields: Vec<FieldModel> = start
        .into_iter()
        .enumerate()
        .map(|(f, field)| {
            let sessions = &learned[f];
            if sessions.is_empty() {
                return field;
            }
            let m = (0..field.m.len())
                .map(|l| sessions.iter().map(|m| m[l]).sum::<f64>() / sessions.len() as f64)
                .collect();
            FieldModel { m, u: field.u }
        })
        .collect();
    // λ: how likely two random records are one person — u is random pairs', so the prior
    // must be too. The expected matches among the candidates, over every pair there is
    // (blocking is taken to find the matches; the pairs it leaves out are not).
    let all: Vec<(&Pattern, u64)> = patterns.iter().map(|(p, c)| (p, *c)).collect();
    let candidates: f64 = patterns.values().map(|c| *c as f64).sum();
    let every = all_pairs.max(candidates).max(1.0);
    let mut lambda = (candidates / every / 2.0).clamp(FLOOR * FLOOR, 0.5);
    let mut scratch: Vec<Vec<f64>> = levels.iter().map(|&n| vec![0.0; n]).collect();
    let mut scratch_u = scratch.clone();
    for _ in 0..max_iterations {
        iterations += 1;
        let share = expectation(&fields, lambda, &all, &mut scratch, &mut scratch_u);
        let next = (share * candidates / every).clamp(f64::MIN_POSITIVE, 0.5);
        let done = ((next - lambda) / lambda).abs() < 1e-6;
        lambda = next;
        if done {
            break;
        }
    }
    Model {
        fields,
        lambda,
        iterations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five fields of two levels: matches agree on each nine times in ten, non-matches
    /// one time in ten; with u from random pairs, EM finds m and λ from the patterns alone.
    #[test]
    fn em_recovers_m_and_lambda_from_unlabelled_pairs() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut patterns: HashMap<Pattern, u64> = HashMap::new();
        for i in 0..20_000 {
            let matched = i % 5 == 0;
            let p: Pattern = (0..5)
                .map(|_| {
                    let agree = if matched {
                        rng.f64() < 0.9
                    } else {
                        rng.f64() < 0.1
                    };
                    u8::from(!agree)
                })
                .collect();
            *patterns.entry(p).or_default() += 1;
        }
        let levels = [2, 2, 2, 2, 2];
        let u = levels.iter().map(|_| vec![0.1, 0.9]).collect();
        // The 20,000 pairs are all there are: λ is the share of matches among them.
        let model = train(&levels, u, &patterns, &[0, 1, 2], 20_000.0, 500);
        assert!(model.converged);
        assert!((model.lambda - 0.2).abs() < 0.02, "{model:?}");
        for f in &model.fields {
            assert!((f.m[0] - 0.9).abs() < 0.03, "{f:?}");
        }
        // Agreement weighs for, disagreement against.
        assert!(model.fields[0].weight(0) > 2.0);
        assert!(model.fields[0].weight(1) < -2.0);
        assert_eq!(model.fields[0].weight(MISSING), 0.0);
    }
}

/// A model as a file keeps it: what it was trained on, for which fields, and the model.
/// The identity register scores with one (`polku identity train` writes it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainedModel {
    /// What the model is, in a sentence.
    pub about: String,
    /// The data it was trained on, as a command that makes them again.
    pub trained_on: String,
    pub records: u64,
    /// The fields, in the model's order, with their kinds.
    pub fields: Vec<crate::FieldSpec>,
    pub model: Model,
}

/// A model file that does not fit.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("the model file is not a trained model: {0}")]
    Unreadable(#[from] serde_json::Error),
    #[error("the model was trained for other fields ({0}) than identity records'")]
    OtherFields(String),
}

impl TrainedModel {
    /// Reads a model file for identity records, checking its fields and levels.
    pub fn for_identity_records(json: &str) -> Result<TrainedModel, ModelFileError> {
        let trained: TrainedModel = serde_json::from_str(json)?;
        let table = crate::Table::of_identity_records(&[]);
        if trained.fields != table.fields || !crate::index::Matcher::fits(&table, &trained.model) {
            let names: Vec<&str> = trained.fields.iter().map(|f| f.name.as_str()).collect();
            return Err(ModelFileError::OtherFields(names.join(", ")));
        }
        Ok(trained)
    }
}
