//! `polku bench identity`: identity resolution at scale on the synthetic population's
//! records, against the two targets of issue 14 — the whole set resolved in a batch (time,
//! candidate pairs, peak memory, pairwise precision, recall and F1 against the truth, and
//! the precision of the links the machine would make white on its own), and single records
//! matched one at a time against all the others as the identity register matches them
//! (p50, p99, the slowest).

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use polku_identity::index::Matcher;
use polku_identity::links::{Colour, LinkPolicy};
use polku_identity::{IdentityRecord, Options, Table, identity_row};

#[derive(Args)]
pub struct IdentityBenchArgs {
    /// People whose records are made (about 2.8 records each, siblings included).
    #[arg(long, default_value_t = 50_000)]
    persons: u32,
    /// Records held out and matched one at a time against all the others.
    #[arg(long, default_value_t = 1000)]
    singles: usize,
    /// The population's seed.
    #[arg(long, default_value_t = crate::evidence_registers::DEFAULT_SEED)]
    seed: u64,
    /// Only the single-record matching, with the shipped model (no batch run).
    #[arg(long)]
    singles_only: bool,
    /// Print this many of the automatic white links that join two people, with their
    /// evidence (to see what the machine gets wrong).
    #[arg(long, default_value_t = 0)]
    show_errors: usize,
}

pub fn run(args: IdentityBenchArgs) -> ExitCode {
    match bench(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku bench identity: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The peak resident memory of this process, in MiB (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(args: &IdentityBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (10..=2_000_000).contains(&args.persons),
        "--persons is from 10 to 2,000,000"
    );
    let started = Instant::now();
    let pop = polku_simulators::Population::generate(args.seed, args.persons);
    let sample = polku_simulators::identities::identity_records(&pop, args.persons);
    let mut records: Vec<IdentityRecord> = Vec::with_capacity(sample.len());
    let mut truth: Vec<String> = Vec::with_capacity(sample.len());
    for s in sample {
        let person = s.person.clone();
        let raw = crate::identity::raw_of_sample(s);
        let record = raw
            .checked()
            .map_err(|(field, problem)| anyhow::anyhow!("a sample record's {field} {problem}"))?;
        records.push(record);
        truth.push(person);
    }
    println!(
        "{} records about {} people (and their siblings) made in {:.1} s; {} threads",
        records.len(),
        args.persons,
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let singles = args.singles.min(records.len() / 2);
    let options = Options {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ..Options::default()
    };

    // The model, and how many records it was trained on.
    let (model, trained_on) = if args.singles_only {
        let shipped =
            polku_identity::TrainedModel::for_identity_records(polku_persons::SHIPPED_MODEL)?;
        (shipped.model, shipped.records as usize)
    } else {
        let table = Table::of_identity_records(&records);
        let t = Instant::now();
        // Each stage's time, for where the batch's time goes.
        let mut stages: Vec<(polku_identity::Stage, Instant)> = Vec::new();
        let resolution = polku_identity::resolve(&table, &options, &mut |stage, _, _| {
            if stages.last().is_none_or(|(s, _)| *s != stage) {
                stages.push((stage, Instant::now()));
            }
        });
        let seconds = t.elapsed().as_secs_f64();
        let end = Instant::now();
        let spent: Vec<String> = stages
            .iter()
            .enumerate()
            .map(|(i, (stage, at))| {
                let until = stages.get(i + 1).map_or(end, |(_, next)| *next);
                format!("{stage:?} {:.1} s", (until - *at).as_secs_f64())
            })
            .collect();
        println!("batch: stages {}", spent.join(", "));
        let (precision, recall, f1) = pairwise(&resolution.clusters, &truth);
        println!(
            "batch: {} records resolved in {:.1} s ({:.0} records/s), {} candidate pairs, peak memory {:.0} MiB",
            records.len(),
            seconds,
            records.len() as f64 / seconds,
            resolution.pairs.len(),
            peak_mib().unwrap_or(f64::NAN)
        );
        println!(
            "batch: pairwise precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} (threshold {})",
            options.threshold
        );
        // The links the machine would make white on its own: how many are one person.
        let policy = LinkPolicy::default();
        let (mut white, mut right) = (0u64, 0u64);
        let mut whites: Vec<polku_identity::ScoredPair> = Vec::new();
        for p in resolution
            .pairs
            .iter()
            .filter(|p| p.probability >= policy.automatic)
        {
            let e = resolution.explain(&table, p.left, p.right);
            if policy.propose(&e) == Some(Colour::White) {
                white += 1;
                whites.push(*p);
                if truth[p.left as usize] == truth[p.right as usize] {
                    right += 1;
                } else if white - right <= args.show_errors as u64 {
                    let show = |i: u32| {
                        let r = &records[i as usize];
                        format!(
                            "{} {} [{}] {} {} {}",
                            r.given_names,
                            r.family_name,
                            r.name_native.as_deref().unwrap_or(""),
                            r.date_of_birth,
                            r.nationality.code(),
                            r.document_number.as_deref().unwrap_or("-")
                        )
                    };
                    println!(
                        "wrong white link ({:.4}): {} | {}",
                        e.probability,
                        show(p.left),
                        show(p.right)
                    );
                    for f in &e.fields {
                        println!("    {}: {:?} {:+.1}", f.field, f.level, f.weight);
                    }
                }
            }
        }
        println!(
            "batch: {white} automatic white links, precision {:.4}",
            right as f64 / white.max(1) as f64
        );
        // Persons as the identity register makes them without a person's help: records
        // joined by automatic white links only (the yellow ones wait in the queue).
        let persons = polku_identity::clusters(records.len(), whites.iter());
        let (precision, recall, f1) = pairwise(&persons, &truth);
        println!(
            "batch: persons joined by white links alone: pairwise precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}"
        );
        (resolution.model, records.len())
    };

    // One at a time: all but the held-out records indexed, then each matched and scored
    // as the identity register does it.
    let held = records.len() - singles;
    let t = Instant::now();
    let mut matcher = Matcher::with_model(
        Table::of_identity_records(&records[..held]),
        model,
        trained_on,
        options.max_block,
    );
    println!(
        "single: {} records indexed in {:.1} s, peak memory {:.0} MiB",
        held,
        t.elapsed().as_secs_f64(),
        peak_mib().unwrap_or(f64::NAN)
    );
    let policy = LinkPolicy::default();
    let mut times: Vec<f64> = Vec::with_capacity(singles);
    let mut links = 0usize;
    for r in &records[held..] {
        let t = Instant::now();
        let i = matcher.add(r.record_id.clone(), identity_row(r));
        for m in matcher.matches_of(i, policy.review) {
            if policy.propose(&matcher.explain(i, m.record)).is_some() {
                links += 1;
            }
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "single: {} records matched one at a time against {}+: p50 {:.2} ms, p99 {:.2} ms, slowest {:.2} ms ({} links)",
        singles,
        held,
        at(0.5),
        at(0.99),
        times.last().copied().unwrap_or(0.0),
        links
    );
    Ok(())
}

/// Pairwise precision, recall and F1 of `clusters` against `truth` (each record's person).
fn pairwise(clusters: &[u32], truth: &[String]) -> (f64, f64, f64) {
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut by_cluster: HashMap<u32, u64> = HashMap::new();
    let mut by_person: HashMap<&str, u64> = HashMap::new();
    let mut by_both: HashMap<(u32, &str), u64> = HashMap::new();
    for (c, p) in clusters.iter().zip(truth) {
        *by_cluster.entry(*c).or_default() += 1;
        *by_person.entry(p).or_default() += 1;
        *by_both.entry((*c, p)).or_default() += 1;
    }
    let predicted: u64 = by_cluster.values().map(|&n| pairs(n)).sum();
    let actual: u64 = by_person.values().map(|&n| pairs(n)).sum();
    let right: u64 = by_both.values().map(|&n| pairs(n)).sum();
    let precision = right as f64 / predicted.max(1) as f64;
    let recall = right as f64 / actual.max(1) as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}
