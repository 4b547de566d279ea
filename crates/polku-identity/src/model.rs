//! The Fellegi–Sunter model: for each field and comparison level, how often true matches
//! (m) and non-matches (u) show it, and how many candidate pairs are matches (λ). Estimated
//! by expectation–maximisation from the data alone, no labels: u starts from random pairs
//! (almost all non-matches), m from a prior that agreement is likely, and both are refined
//! over the candidate pairs, whose distinct comparison patterns are counted once each.

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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub fields: Vec<FieldModel>,
    /// The share of candidate pairs that are matches.
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

/// Runs EM over the candidate pairs' patterns (each with how many pairs show it).
pub fn train(
    levels: &[usize],
    u_start: Vec<Vec<f64>>,
    patterns: &HashMap<Pattern, u64>,
    max_iterations: usize,
) -> Model {
    let u_prior = u_start.clone();
    let mut fields: Vec<FieldModel> = levels
        .iter()
        .zip(u_start)
        .map(|(&n, u)| FieldModel { m: m_prior(n), u })
        .collect();
    let mut lambda = 0.1_f64;
    let total: f64 = patterns.values().map(|c| *c as f64).sum();
    let mut converged = false;
    let mut iterations = 0;
    if total == 0.0 {
        return Model {
            fields,
            lambda: FLOOR,
            iterations,
            converged: true,
        };
    }
    while iterations < max_iterations {
        iterations += 1;
        // The starting values count as a few pairs seen (a Dirichlet prior): a level the
        // data hardly shows keeps its prior instead of swinging to 0 or 1.
        let mut m_counts: Vec<Vec<f64>> = levels
            .iter()
            .map(|&n| m_prior(n).iter().map(|p| p * PSEUDO_PAIRS).collect())
            .collect();
        let mut u_counts: Vec<Vec<f64>> = u_prior
            .iter()
            .map(|u| u.iter().map(|p| p * PSEUDO_PAIRS).collect())
            .collect();
        let mut matches = 0.0;
        let prior = (lambda / (1.0 - lambda)).log2();
        for (pattern, &count) in patterns {
            let w = prior
                + pattern
                    .iter()
                    .zip(&fields)
                    .map(|(l, f)| f.weight(*l))
                    .sum::<f64>();
            let p = probability(w);
            let (pm, pu) = (p * count as f64, (1.0 - p) * count as f64);
            matches += pm;
            for (f, &l) in pattern.iter().enumerate() {
                if l != MISSING {
                    m_counts[f][l as usize] += pm;
                    u_counts[f][l as usize] += pu;
                }
            }
        }
        let normalise = |counts: &[f64]| -> Vec<f64> {
            let t: f64 = counts.iter().sum();
            if t <= 0.0 {
                return vec![1.0 / counts.len() as f64; counts.len()];
            }
            counts.iter().map(|c| (c / t).max(FLOOR)).collect()
        };
        let mut change = 0.0_f64;
        for (f, field) in fields.iter_mut().enumerate() {
            let m = normalise(&m_counts[f]);
            let u = normalise(&u_counts[f]);
            for (a, b) in m.iter().zip(&field.m).chain(u.iter().zip(&field.u)) {
                change = change.max((a - b).abs());
            }
            field.m = m;
            field.u = u;
        }
        let new_lambda = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        change = change.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        if change < 1e-5 {
            converged = true;
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

    /// Two fields of two levels: matches agree on both most of the time, non-matches on
    /// each one time in ten; EM finds that from the patterns alone.
    #[test]
    fn em_recovers_m_and_u_from_unlabelled_pairs() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut patterns: HashMap<Pattern, u64> = HashMap::new();
        for i in 0..20_000 {
            let matched = i % 5 == 0;
            let p: Pattern = (0..3)
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
        let levels = [2, 2, 2];
        let start = levels.iter().map(|_| vec![0.5, 0.5]).collect();
        let model = train(&levels, start, &patterns, 200);
        assert!(model.converged);
        assert!((model.lambda - 0.2).abs() < 0.02, "{}", model.lambda);
        for f in &model.fields {
            assert!((f.m[0] - 0.9).abs() < 0.03, "{f:?}");
            assert!((f.u[0] - 0.1).abs() < 0.03, "{f:?}");
        }
        // Agreement weighs for, disagreement against.
        assert!(model.fields[0].weight(0) > 2.0);
        assert!(model.fields[0].weight(1) < -2.0);
        assert_eq!(model.fields[0].weight(MISSING), 0.0);
    }
}
