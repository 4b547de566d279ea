//! `polku monitor …`: register events in, the alerts out (monitoring of granted permits).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use polku_cases::Actor;
use polku_monitoring::{AlertState, IngestReport, MAX_BATCH, Monitor, RegisterEvent};
use polku_rule_admin::RuleAdmin;

use crate::config::StoreArgs;

/// Events taken in per transaction from a file.
const FILE_BATCH: usize = 10_000;

#[derive(Subcommand)]
pub enum MonitorCommand {
    /// Take register events in from a JSON-lines file (one event per line: `id`,
    /// `occurred_on`, `kind` and its fields; docs/monitoring.md). Idempotent by event id:
    /// a file read twice changes nothing the second time. Every batch is one line in the
    /// use log with its purpose, naming every person it is about.
    Ingest {
        file: PathBuf,
        /// Why the events are processed, for the use log.
        #[arg(
            long,
            default_value = "monitoring of residence permit conditions (UlkL 58 §)"
        )]
        purpose: String,
    },
    /// The alerts, oldest first, as JSON lines.
    Alerts {
        /// open, confirmed, dismissed or closed; default: every alert.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

pub fn run(store: StoreArgs, command: MonitorCommand) -> ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(monitor(store, command)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku monitor: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn monitor(args: StoreArgs, command: MonitorCommand) -> anyhow::Result<()> {
    let config = args.config()?;
    let book = crate::load_rules(config.rules.as_ref())
        .map_err(|e| anyhow::anyhow!("the rule files have errors:\n{e}"))?;
    let store = args.open().await?;
    let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(book));
    rules.refresh().await?;
    let monitor = Monitor::new(store, rules);
    match command {
        MonitorCommand::Ingest { file, purpose } => ingest(&monitor, &file, &purpose).await,
        MonitorCommand::Alerts { state, limit } => {
            let state = state
                .map(|s| {
                    AlertState::parse(&s).with_context(|| {
                        format!("`{s}` is not a state: open, confirmed, dismissed or closed")
                    })
                })
                .transpose()?;
            for alert in monitor.alerts(state, limit).await? {
                println!("{}", serde_json::to_string(&alert)?);
            }
            Ok(())
        }
    }
}

/// Reads the file in batches of [`FILE_BATCH`] lines; each batch is checked whole before
/// anything of it is stored.
async fn ingest(monitor: &Monitor, file: &PathBuf, purpose: &str) -> anyhow::Result<()> {
    let operator = Actor::Operator(std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()));
    let watched = monitor.follow_grants().await?;
    if watched > 0 {
        eprintln!("newly granted permits now watched: {watched}");
    }
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    let today = polku_cases::today_in_finland();
    let mut total = IngestReport::default();
    let mut batch: Vec<RegisterEvent> = Vec::with_capacity(FILE_BATCH);
    let mut first_line = 1;
    let mut text = String::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", file.display()))?;
        text.push_str(&line);
        text.push('\n');
        if (i + 1) % FILE_BATCH == 0 {
            batch.extend(read(&text, first_line, today)?);
            flush(monitor, &mut batch, &operator, purpose, &mut total).await?;
            text.clear();
            first_line = i + 2;
        }
    }
    batch.extend(read(&text, first_line, today)?);
    flush(monitor, &mut batch, &operator, purpose, &mut total).await?;
    // The facts the events changed, to the table (a server holding the monitoring
    // loads them at its next turn).
    monitor.write_back().await?;
    println!(
        "{} events read, {} new; {} permits re-checked; alerts opened {}, closed {}; {} kept for persons not monitored yet",
        total.received,
        total.new,
        total.permits_checked,
        total.alerts_opened,
        total.alerts_closed,
        total.kept_for_later
    );
    Ok(())
}

fn read(
    text: &str,
    first_line: usize,
    today: jiff::civil::Date,
) -> anyhow::Result<Vec<RegisterEvent>> {
    polku_monitoring::read_json_lines(text, today).map_err(|e| match e {
        polku_monitoring::EventError::Unreadable { line, problem } => {
            anyhow::anyhow!("line {}: {problem}", first_line + line - 1)
        }
        other => anyhow::anyhow!("lines {first_line}–: {other}"),
    })
}

async fn flush(
    monitor: &Monitor,
    batch: &mut Vec<RegisterEvent>,
    by: &Actor,
    purpose: &str,
    total: &mut IngestReport,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    debug_assert!(batch.len() <= MAX_BATCH);
    let r = monitor.ingest(batch, by, purpose).await?;
    total.received += r.received;
    total.new += r.new;
    total.permits_checked += r.permits_checked;
    total.alerts_opened += r.alerts_opened;
    total.alerts_closed += r.alerts_closed;
    total.kept_for_later += r.kept_for_later;
    eprintln!("… {} events", total.received);
    batch.clear();
    Ok(())
}
