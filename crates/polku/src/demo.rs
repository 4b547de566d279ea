//! `polku demo`: a living country on one machine. It makes a synthetic population, starts
//! the register simulators in this process, streams the population's applications
//! through the real pipeline at a chosen rate, and prints the programme's key figures
//! beside their 2026 targets as it goes and at the end.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use polku_cases::LiveRules;
use polku_cases::{Actor, Cases, EvidenceSource, NewApplication, Pipeline};
use polku_rule_admin::RuleAdmin;
use polku_simulators::Population;
use polku_simulators::population::person_id;

use crate::evidence_registers::{Faults, RegisterOptions, Registers};

/// How the synthetic country applies: shared by `polku demo` and `polku serve --demo`.
#[derive(Args, Clone)]
pub struct DemoOptions {
    /// Applications per second.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Stop after this long (`20s`, `5m`); without it, run until Ctrl-C.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
}

/// The demo's registers answer with some latency and the odd failure, as real ones do.
pub const DEMO_FAULTS: Faults = Faults {
    latency_ms: 20,
    failure_rate: 0.01,
};

#[derive(Args, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub options: DemoOptions,
    #[command(flatten)]
    pub registers: RegisterOptions,
    /// Pipeline workers (default: four per core: most of their time is waiting for registers).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Keep the demo's data here (default: a temporary directory, removed at the end).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 20s or 5m"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("`{s}` is not a duration like 20s or 5m")),
    }
}

/// The programme's 2026 targets (domain.md §1).
const TARGET_WITHIN_10_MIN: f64 = 0.50;
const TARGET_AUTOMATIC_PERMITS: f64 = 0.35;
const TARGET_AUTOMATIC_CITIZENSHIP: f64 = 0.35;

/// What a running demo needs: the store, the population, the pipeline's parts.
pub struct DemoWorld {
    pub store: Cases,
    pub population: Arc<Population>,
    pub rules: LiveRules,
    _tmp: Option<tempfile::TempDir>,
}

/// The demo's world over `registers` (the built-in simulators: the demo's applicants are
/// their population) and the store: `store`, or one in `data_dir`, or one in a temporary
/// directory. It decides by `rules`, or (`None`) by the shipped rules with the changes
/// approved in that store.
pub async fn world(
    registers: &Registers,
    store: Option<Cases>,
    data_dir: Option<&PathBuf>,
    rules: Option<LiveRules>,
) -> anyhow::Result<DemoWorld> {
    let Some(population) = registers.population.clone() else {
        anyhow::bail!(
            "the demo's applicants are the synthetic population: run it with the built-in registers (no --registers-url)"
        );
    };
    println!(
        "population: {} persons, {} employers; the registers answer over X-Road at {}",
        population.persons.len(),
        population.employers.len(),
        registers
            .simulators
            .map_or_else(|| "?".to_owned(), |a| a.to_string()),
    );
    let (store, tmp) = match (store, data_dir) {
        (Some(s), _) => (s, None),
        (None, Some(dir)) => (Cases::open_data_dir(dir).await?, None),
        (None, None) => {
            let tmp = tempfile::tempdir().context("cannot make a temporary directory")?;
            (Cases::open_data_dir(tmp.path()).await?, Some(tmp))
        }
    };
    let rules = match rules {
        Some(rules) => rules,
        None => {
            let shipped = crate::load_rules(None).map_err(|e| anyhow::anyhow!("{e}"))?;
            let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(shipped));
            rules.refresh().await?;
            rules
        }
    };
    Ok(DemoWorld {
        store,
        population,
        rules,
        _tmp: tmp,
    })
}

/// Starts `n` pipeline workers with `evidence`.
pub fn start_workers<E: EvidenceSource + 'static>(
    store: &Cases,
    rules: &LiveRules,
    evidence: Arc<E>,
    n: usize,
    lease: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let mut pipeline = Pipeline::new(
                store.clone(),
                rules.clone(),
                evidence.clone(),
                format!("polku-{}-{i}", std::process::id()),
            );
            pipeline.lease = lease;
            let stop = stop.clone();
            tokio::spawn(async move { pipeline.run(stop, Duration::from_millis(50)).await })
        })
        .collect()
}

/// Submits the population's applications at `rate` until `until` or `stop`.
pub async fn stream_applications(
    w: &DemoWorld,
    rate: f64,
    until: Option<Instant>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<u64> {
    let today = polku_cases::today_in_finland();
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.1));
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut report = Instant::now();
    let mut sent = 0u64;
    let n = w.population.persons.len() as u64;
    while until.is_none_or(|u| Instant::now() < u) && !*stop.borrow() && sent < n {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        let p = &w.population.persons[sent as usize];
        let deadline = w
            .rules
            .on(today)
            .decision_set(p.matter.id())
            .and_then(|rs| rs.processing_time.as_ref())
            .and_then(|t| t.deadline(today));
        let new = NewApplication {
            matter: p.matter.id().to_owned(),
            applicant_id: person_id(p.index),
            application_date: today,
            application: w.population.application(p),
            deadline,
        };
        w.store
            .submit(&new, &Actor::Person(person_id(p.index)))
            .await?;
        sent += 1;
        if report.elapsed() >= Duration::from_secs(2) {
            report = Instant::now();
            print_progress(&w.store, sent).await?;
        }
    }
    Ok(sent)
}

async fn print_progress(store: &Cases, sent: u64) -> anyhow::Result<()> {
    let figures = crate::handles::figures(store).matter_figures().await?;
    let sum = |f: fn(&polku_figures::MatterFigures) -> i64| figures.iter().map(f).sum::<i64>();
    let cases = sum(|m| m.cases).max(1);
    println!(
        "  submitted {sent:>7}  automatic grants {:>5.1} %  referred {:>5.1} %  evidence asked {:>4.1} %  in the pipeline {}",
        100.0 * sum(|m| m.automatic_grants) as f64 / cases as f64,
        100.0 * sum(|m| m.referred) as f64 / cases as f64,
        100.0 * sum(|m| m.evidence_requested) as f64 / cases as f64,
        sum(|m| m.waiting),
    );
    Ok(())
}

/// Prints the key figures beside their targets, and the referral reasons.
pub async fn print_figures(store: &Cases) -> anyhow::Result<()> {
    let figures = crate::handles::figures(store).matter_figures().await?;
    println!();
    println!(
        "applications by matter (decided automatically = granted by the machine, no person involved)"
    );
    println!(
        "  {:<42} {:>8} {:>11} {:>11} {:>9} {:>9}",
        "matter", "cases", "automatic", "≤ 10 min", "referred", "evidence"
    );
    let pct = |a: i64, b: i64| 100.0 * a as f64 / b.max(1) as f64;
    for m in &figures {
        println!(
            "  {:<42} {:>8} {:>10.1}% {:>10.1}% {:>8.1}% {:>8.1}%",
            m.matter,
            m.cases,
            pct(m.automatic_grants, m.cases),
            pct(m.decided_within_10_min, m.cases),
            pct(m.referred, m.cases),
            pct(m.evidence_requested, m.cases),
        );
    }
    let (permits, citizenship): (Vec<_>, Vec<_>) = figures
        .iter()
        .partition(|m| m.matter.starts_with("fi.residence-permit"));
    let share = |ms: &[&polku_figures::MatterFigures],
                 f: fn(&polku_figures::MatterFigures) -> i64| {
        let cases: i64 = ms.iter().map(|m| m.cases).sum();
        ms.iter().map(|m| f(m)).sum::<i64>() as f64 / cases.max(1) as f64
    };
    let all: Vec<&polku_figures::MatterFigures> = figures.iter().collect();
    println!();
    println!("key figures (domain.md §1)                          measured   2026 target");
    println!(
        "  decided within 10 minutes of submission           {:>6.1} %      {:>4.0} %",
        100.0 * share(&all, |m| m.decided_within_10_min),
        100.0 * TARGET_WITHIN_10_MIN
    );
    println!(
        "  permits granted fully automatically               {:>6.1} %      {:>4.0} %",
        100.0 * share(&permits, |m| m.automatic_grants),
        100.0 * TARGET_AUTOMATIC_PERMITS
    );
    println!(
        "  citizenships granted fully automatically          {:>6.1} %      {:>4.0} %",
        100.0 * share(&citizenship, |m| m.automatic_grants),
        100.0 * TARGET_AUTOMATIC_CITIZENSHIP
    );
    let reasons = crate::handles::figures(store).referral_reasons().await?;
    println!();
    println!(
        "why the machine handed cases to a person or asked for evidence (a case may have several)"
    );
    for reason in reasons.iter().take(25) {
        println!("  {:>7}  {reason}", reason.cases);
    }
    if reasons.len() > 25 {
        println!("  … and {} rarer findings", reasons.len() - 25);
    }
    Ok(())
}

pub fn run(args: DemoArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(demo(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku demo: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let faults = args.registers.faults(DEMO_FAULTS);
    let registers = Registers::start(&args.registers, faults).await?;
    let w = world(&registers, None, args.data_dir.as_ref(), None).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let n = args
        .workers
        .unwrap_or_else(|| 4 * std::thread::available_parallelism().map_or(1, |n| n.get()));
    let evidence = registers.evidence(&w.store, &w.rules);
    let workers = start_workers(
        &w.store,
        &w.rules,
        evidence,
        n,
        Duration::from_secs(30),
        stop_rx.clone(),
    );
    let ctrl_c = {
        let stop_tx = stop_tx.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        })
    };
    run_stream(&w, &args.options, faults, stop_rx.clone()).await?;
    let _ = stop_tx.send(true);
    for t in workers {
        let _ = t.await;
    }
    ctrl_c.abort();
    w.store.close().await;
    Ok(())
}

/// Streams the applications, waits for the pipeline to finish them, prints the figures.
pub async fn run_stream(
    w: &DemoWorld,
    options: &DemoOptions,
    faults: Faults,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    println!(
        "streaming applications at {}/s{}; registers answer in ~{} ms, {:.1} % of requests fail",
        options.rate,
        options
            .duration
            .map(|d| format!(" for {} s", d.as_secs()))
            .unwrap_or_else(|| " until Ctrl-C".to_owned()),
        faults.latency_ms,
        100.0 * faults.failure_rate
    );
    let until = options.duration.map(|d| Instant::now() + d);
    let sent = stream_applications(w, options.rate, until, stop.clone()).await?;
    // Let the pipeline finish what was submitted (registers that failed are asked again).
    let drain = Instant::now();
    while drain.elapsed() < Duration::from_secs(30) && !*stop.borrow() {
        let waiting: i64 = crate::handles::figures(&w.store)
            .matter_figures()
            .await?
            .iter()
            .map(|m| m.waiting)
            .sum();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("submitted {sent} applications");
    print_figures(&w.store).await
}
