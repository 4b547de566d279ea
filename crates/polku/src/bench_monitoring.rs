//! `polku bench monitoring`: how fast register events are taken in and every permit is
//! re-checked after a rule change, with `--permits` active permits (default 1,000,000)
//! and `--events` register events (default: as many — a month's pay reports and the rest).
//! The permits are imported (as a migration from an earlier system would bring them), with
//! facts like the walk-through's and pay drawn from a seeded generator; the events are
//! mostly pay reports, with emigrations, criminal-record entries, ended studies and a few
//! bankruptcies. Prints `ingest: N events/s` and `re-check: N permits in S s`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use jiff::civil::Date;
use polku_cases::{Actor, Cases, LiveRules, today_in_finland};
use polku_monitoring::{EventBody, ImportedPermit, Monitor, RegisterEvent};
use serde_json::{Value, json};
use uuid::Uuid;

const EMPLOYED: &str = "fi.residence-permit.employed.extension";
const STUDENT: &str = "fi.residence-permit.student";
const MONITORING_EMPLOYED: &str = "fi.monitoring.residence-permit.employed";
/// Events (and permits) per transaction.
const BATCH: usize = 10_000;

#[derive(Args)]
pub struct MonitoringBenchArgs {
    /// Active permits to watch.
    #[arg(long, default_value_t = 1_000_000)]
    permits: usize,
    /// Register events to take in (default: one per permit).
    #[arg(long)]
    events: Option<usize>,
    /// PostgreSQL to measure on (a fresh schema is used and dropped); default: SQLite in a
    /// temporary directory.
    #[arg(long, env = "POLKU_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

pub fn run(args: MonitoringBenchArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(bench(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku bench monitoring: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A small seeded generator (SplitMix64): the same seed, the same permits and events.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The business ID of synthetic employer `n` (with its check digit).
fn employer(n: u64) -> String {
    let mut n = n % 9_000_000 + 1_000_000;
    loop {
        let digits = n.to_string();
        if let Some(check) = polku_rules::schema::business_id_check_digit(digits.as_bytes()) {
            return format!("{digits}-{check}");
        }
        n += 1;
    }
}

fn month_before(day: Date, months: i64) -> Date {
    day.first_of_month()
        .checked_sub(jiff::Span::new().months(months))
        .unwrap_or(day)
}

/// The facts a permit of `matter` was granted on.
fn facts(matter: &str, pay: u64, employer_id: &str, today: Date) -> Value {
    let common = json!({
        "identity": {"established": true, "unresolved_conflict": false},
        "criminal_records": {"disqualifying_entries": false, "pending_investigation": false},
        "sis": {"alert": false, "entry_ban": false},
        "population": {"resident_in_finland": true, "municipality_code": "091"},
    });
    let mut evidence = common;
    if matter == EMPLOYED {
        polku_rules::merge_patch(
            &mut evidence,
            &json!({
                "incomes": {
                    "employer_id": employer_id,
                    "occupational_field": "ISCO-7",
                    "monthly_gross_pay_avg_eur": pay,
                    "latest_month_gross_pay_eur": pay,
                    "previous_month_gross_pay_eur": pay,
                    "latest_report_month": month_before(today, 2).to_string(),
                },
                "agreements": {"generally_binding": true, "minimum_monthly_pay_eur": 2210},
                "trade_register": {"employer_active": true, "employer_bankrupt": false},
            }),
        );
    } else {
        polku_rules::merge_patch(&mut evidence, &json!({"studies": {"enrolled": true}}));
    }
    json!({
        "application": {"matter": matter, "kind": "extension"},
        "evidence": evidence,
    })
}

async fn bench(args: MonitoringBenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir().context("cannot make a temporary directory")?;
    let schema = format!("polku_bench_{}", std::process::id());
    let (store, label) = match &args.database_url {
        Some(url) => (Cases::connect_in_schema(url, &schema).await?, "PostgreSQL"),
        None => (Cases::open_data_dir(tmp.path()).await?, "SQLite"),
    };
    let book = Arc::new(
        crate::load_rules(None).map_err(|e| anyhow::anyhow!("the rule files have errors:\n{e}"))?,
    );
    let monitor = Monitor::new(store.clone(), LiveRules::from(book.clone()));
    let result = measure(&args, &monitor, book, label).await;
    if args.database_url.is_some() {
        store.drop_schema(&schema).await?;
    }
    store.close().await;
    result
}

async fn measure(
    args: &MonitoringBenchArgs,
    monitor: &Monitor,
    book: Arc<polku_rules::RuleBook>,
    label: &str,
) -> anyhow::Result<()> {
    let today = today_in_finland();
    let operator = Actor::Operator("bench".into());
    let mut draw = Draw(args.seed);
    println!(
        "{label}: {} permits, {} events",
        args.permits,
        args.events.unwrap_or(args.permits)
    );

    let persons = import_permits(args, monitor, &mut draw, today, &operator).await?;

    let events = events(
        &persons,
        args.events.unwrap_or(args.permits),
        today,
        &mut draw,
    );
    let started = Instant::now();
    let cpu = crate::bench::cpu_seconds();
    let mut opened = 0;
    for chunk in events.chunks(BATCH) {
        opened += monitor
            .ingest(chunk, &operator, "bench")
            .await?
            .alerts_opened;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "ingest: {:.0} events/s ({} events in {seconds:.1} s, {opened} alerts opened; this process's CPU {:.1} s)",
        events.len() as f64 / seconds,
        events.len(),
        crate::bench::cpu_seconds() - cpu
    );
    // The facts the events changed are in memory; the server writes them back every
    // minute. Measured apart, and with the ingest.
    let started = Instant::now();
    let written = monitor.write_back().await?;
    let write_back = started.elapsed().as_secs_f64();
    println!(
        "  write-back: {written} permits' facts in {write_back:.2} s; ingest and write-back together: {:.0} events/s",
        events.len() as f64 / (seconds + write_back)
    );

    let proposed = raised_floor(&book)?;
    let started = Instant::now();
    let dry = monitor
        .recheck_all_with(proposed.clone(), today, false)
        .await?;
    println!(
        "  dry run of a rule change: {} permits in {:.2} s, {} alerts would open, {} close",
        dry.permits,
        started.elapsed().as_secs_f64(),
        dry.alerts_open(),
        dry.alerts_close()
    );
    let started = Instant::now();
    let applied = monitor.recheck_all_with(proposed, today, true).await?;
    println!(
        "re-check: {} permits in {:.2} s ({} alerts opened, {} closed)",
        applied.permits,
        started.elapsed().as_secs_f64(),
        applied.alerts_open(),
        applied.alerts_close()
    );
    println!(
        "peak resident memory: {} MiB",
        crate::bench::peak_rss_kib() / 1024
    );
    Ok(())
}

/// Imports `--permits` permits in batches; returns each holder with their matter and
/// employer, for the events.
async fn import_permits(
    args: &MonitoringBenchArgs,
    monitor: &Monitor,
    draw: &mut Draw,
    today: Date,
    operator: &Actor,
) -> anyhow::Result<Vec<(String, &'static str, String)>> {
    let employers = (args.permits as u64 / 20).max(1);
    let started = Instant::now();
    let mut persons = Vec::with_capacity(args.permits);
    for chunk_start in (0..args.permits).step_by(BATCH) {
        let chunk: Vec<ImportedPermit> = (chunk_start..(chunk_start + BATCH).min(args.permits))
            .map(|i| {
                let matter = if draw.below(5) == 0 {
                    STUDENT
                } else {
                    EMPLOYED
                };
                let employer_id = employer(draw.below(employers));
                let person = format!("bench-{i:07}");
                persons.push((person.clone(), matter, employer_id.clone()));
                ImportedPermit {
                    permit: Uuid::now_v7(),
                    person,
                    matter: matter.into(),
                    valid_from: month_before(today, 12),
                    valid_until: None,
                    facts: facts(matter, 2300 + draw.below(2000), &employer_id, today),
                }
            })
            .collect();
        monitor.import(&chunk, operator, "bench").await?;
    }
    println!(
        "  setup: {} permits imported in {:.1} s",
        args.permits,
        started.elapsed().as_secs_f64()
    );
    Ok(persons)
}

/// A month of register events: a pay report for nearly every employed holder, and the
/// rarer kinds.
fn events(
    persons: &[(String, &str, String)],
    count: usize,
    today: Date,
    draw: &mut Draw,
) -> Vec<RegisterEvent> {
    let month = month_before(today, 1);
    (0..count)
        .map(|i| {
            let (person, matter, employer_id) = &persons[i % persons.len()];
            let roll = draw.below(1000);
            let body = match (roll, *matter) {
                (0..=4, _) => EventBody::Emigration {
                    person: person.clone(),
                },
                (5..=7, _) => EventBody::CriminalRecordEntry {
                    person: person.clone(),
                    disqualifying: roll == 5,
                },
                (8, _) => EventBody::EmployerBankruptcy {
                    employer_id: employer_id.clone(),
                },
                (_, STUDENT) if roll < 30 => EventBody::StudiesEnded {
                    person: person.clone(),
                },
                (_, STUDENT) => EventBody::AddressChange {
                    person: person.clone(),
                    municipality_code: "091".into(),
                    dwelling: None,
                },
                _ => EventBody::PayReport {
                    person: person.clone(),
                    month,
                    // Most are paid as before; some fall below the minimum.
                    gross_pay_eur: if roll < 60 {
                        1900.0
                    } else {
                        2300.0 + draw.below(2000) as f64
                    },
                    employer_id: employer_id.clone(),
                    occupational_field: None,
                },
            };
            RegisterEvent {
                id: format!("ev-{i:08}"),
                occurred_on: today,
                body,
            }
        })
        .collect()
}

/// The employed persons' monitoring rules with the floor beside a collective agreement
/// raised to 2,400 € from the start of this year: the rule change the re-check follows.
fn raised_floor(book: &polku_rules::RuleBook) -> anyhow::Result<Arc<polku_rules::RuleBook>> {
    let (text, tests) = book
        .text_of(MONITORING_EMPLOYED)
        .context("the employed persons' monitoring rules are not loaded")?;
    let year = today_in_finland().first_of_year();
    let raised = text.replacen(
        "      2025-04-01: 1600\n\ndefinitions",
        &format!("      2025-04-01: 1600\n      {year}: 2400\n\ndefinitions"),
        1,
    );
    anyhow::ensure!(
        raised != text,
        "the floor's values are not where the bench expects them"
    );
    Ok(Arc::new(book.with_text(
        MONITORING_EMPLOYED,
        &raised,
        tests,
    )?))
}
