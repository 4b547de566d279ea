//! `polku bench rules`: how many rule-set evaluations one core does per second.
//!
//! Applications are generated from each rule set's own test cases: every numeric
//! input is scaled at random, booleans flip now and then, and fields go missing, so
//! that every path through the rules (met, not met, unknown, exceptions) is taken.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use polku_rules::schema::{FIELDS, FieldType, FieldValue};
use polku_rules::{Application, Lang, RuleSet};

#[derive(Args)]
pub struct BenchArgs {
    /// Generated applications per rule set.
    #[arg(long, default_value_t = 10_000)]
    applications: usize,
    /// Seconds to measure each figure.
    #[arg(long, default_value_t = 1.0)]
    seconds: f64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub fn run(args: BenchArgs) -> ExitCode {
    let book = match crate::load_rules(args.rules.as_ref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let budget = Duration::from_secs_f64(args.seconds.max(0.1));
    println!(
        "{:<48} {:>14} {:>14} {:>14}  outcomes (grant/refer/request)",
        "rule set", "eval/s/core", "+trace/s/core", "+json/s/core"
    );
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut total = (0.0, 0.0, 0.0);
    let mut n = 0.0;
    // Decision rule sets only, as the figures in benchmarks.md were measured: a monitoring
    // set is re-checked on register events, not per application.
    for rs in book.decision_sets() {
        let apps = generate(rs, args.applications, &mut rng);
        if apps.is_empty() {
            println!("{:<48} no test cases to generate from", rs.id);
            continue;
        }
        let counts = outcomes(rs, &apps);
        let (plain, traced, json) = rates(rs, &apps, budget);
        println!(
            "{:<48} {:>14.0} {:>14.0} {:>14.0}  {}/{}/{}",
            rs.id, plain, traced, json, counts[0], counts[1], counts[2]
        );
        total = (total.0 + plain, total.1 + traced, total.2 + json);
        n += 1.0;
    }
    if n > 0.0 {
        println!(
            "{:<48} {:>14.0} {:>14.0} {:>14.0}",
            "mean over rule sets",
            total.0 / n,
            total.1 / n,
            total.2 / n
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(rs) = book.decision_sets().next() {
        // Drawn last from the shared generator: each rule set's applications stay the
        // same for a seed.
        let apps = generate(rs, args.applications, &mut rng);
        shared(rs, &apps, budget, threads);
    }
    println!("peak resident memory: {} MiB", peak_rss_kib() / 1024);
    ExitCode::SUCCESS
}

/// How many of `apps` the rule set grants, refers and answers with a request for evidence.
fn outcomes(rs: &RuleSet, apps: &[(Application, jiff::civil::Date)]) -> [usize; 3] {
    let mut counts = [0usize; 3];
    for (app, at) in apps {
        if let Ok(e) = rs.evaluate(app, *at) {
            counts[e.outcome as usize] += 1;
        }
    }
    counts
}

/// Evaluations per second on one core: plain, with the trace, and with the trace as JSON.
fn rates(
    rs: &RuleSet,
    apps: &[(Application, jiff::civil::Date)],
    budget: Duration,
) -> (f64, f64, f64) {
    let plain = rate(apps, budget, |app, at| {
        rs.evaluate(app, at).map(|e| e.findings.len()).unwrap_or(0)
    });
    let traced = rate(apps, budget, |app, at| {
        rs.evaluate(app, at)
            .map(|e| e.trace(app, Lang::Fi).conditions.len())
            .unwrap_or(0)
    });
    let json = rate(apps, budget, |app, at| {
        rs.evaluate(app, at)
            .ok()
            .and_then(|e| serde_json::to_vec(&e.trace(app, Lang::Fi)).ok())
            .map_or(0, |v| v.len())
    });
    (plain, traced, json)
}

/// Prints how many evaluations `threads` threads sharing one loaded rule set do per second
/// in all.
fn shared(
    rs: &RuleSet,
    apps: &[(Application, jiff::civil::Date)],
    budget: Duration,
    threads: usize,
) {
    let start = Instant::now();
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    count_until(apps, budget, |app, at| {
                        rs.evaluate(app, at).map(|e| e.findings.len()).unwrap_or(0)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    println!(
        "{} threads sharing one loaded {}: {:.0} evaluations/s in all",
        threads,
        rs.id,
        done as f64 / start.elapsed().as_secs_f64()
    );
}

fn rate(
    apps: &[(Application, jiff::civil::Date)],
    budget: Duration,
    f: impl Fn(&Application, jiff::civil::Date) -> usize,
) -> f64 {
    let start = Instant::now();
    let n = count_until(apps, budget, f);
    n as f64 / start.elapsed().as_secs_f64()
}

fn count_until(
    apps: &[(Application, jiff::civil::Date)],
    budget: Duration,
    f: impl Fn(&Application, jiff::civil::Date) -> usize,
) -> usize {
    let start = Instant::now();
    let mut n = 0;
    let mut sink = 0usize;
    while start.elapsed() < budget {
        for (app, at) in apps {
            sink = sink.wrapping_add(f(app, *at));
        }
        n += apps.len();
    }
    std::hint::black_box(sink);
    n
}

/// Varied applications derived from the rule set's test cases.
fn generate(
    rs: &RuleSet,
    count: usize,
    rng: &mut fastrand::Rng,
) -> Vec<(Application, jiff::civil::Date)> {
    if rs.tests.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let seed = &rs.tests[rng.usize(..rs.tests.len())];
            let mut app = seed.input.clone();
            for (slot, field) in FIELDS.iter().enumerate() {
                let Some(value) = app.get(slot).cloned() else {
                    continue;
                };
                let changed = match value {
                    _ if rng.f64() < 0.02 => None,
                    FieldValue::Number(x) if field.ty == FieldType::Number => Some(
                        FieldValue::Number((x * (0.7 + 0.6 * rng.f64()) * 100.0).round() / 100.0),
                    ),
                    FieldValue::Bool(b) if rng.f64() < 0.05 => Some(FieldValue::Bool(!b)),
                    other => Some(other),
                };
                app.set(slot, changed);
            }
            (app, seed.at)
        })
        .collect()
}

/// Peak resident set size of this process (VmHWM), in KiB; 0 where unknown.
/// CPU time this process has used (user and system, every thread), in seconds.
pub(crate) fn cpu_seconds() -> f64 {
    // /proc/self/stat: fields 14 and 15 are utime and stime, in clock ticks (100 a second
    // on Linux); the command name (field 2) may hold spaces, so count after its ')'.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

pub(crate) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
