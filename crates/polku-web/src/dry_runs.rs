//! The dry runs of monitoring rule proposals, run in the background of this process so
//! that the proposal's page can show how far one has come (at a million permits it takes
//! a few seconds) instead of making its reader wait on a blank page; a finished run is
//! shown until its proposal's text changes or someone runs it again.
//!
//! Each process keeps its own runs in memory: a run is a measurement, not a record (the
//! use log holds each run's reading of the holders' facts), and another process behind
//! the same address simply runs its own.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use polku_monitoring::{Monitor, Progress, RecheckReport};
use polku_rules::RuleBook;
use tokio::sync::watch;
use uuid::Uuid;

/// How a run ended: its report, or why it failed (for the log; the page says only that).
pub(crate) type Outcome = Result<RecheckReport, String>;

/// One proposal's latest run.
#[derive(Clone)]
pub(crate) struct Run {
    /// The proposal text it ran on.
    text: u64,
    pub progress: Arc<Progress>,
    ended: watch::Receiver<Option<(Outcome, Timestamp)>>,
}

impl Run {
    /// The outcome and when it came, once the run has ended.
    pub(crate) fn ended(&self) -> Option<(Outcome, Timestamp)> {
        self.ended.borrow().clone()
    }

    /// Waits at most `patience` for the run to end: a small one is shown at once.
    pub(crate) async fn wait(&self, patience: Duration) {
        let mut ended = self.ended.clone();
        let _ = tokio::time::timeout(patience, ended.wait_for(Option::is_some)).await;
    }
}

/// What a run is asked to do.
pub(crate) struct Ask {
    pub proposal: Uuid,
    /// The proposal's text (and tests), as its rules were built from.
    pub text: String,
    pub book: Arc<RuleBook>,
    pub on: jiff::civil::Date,
    pub by: polku_audit::Actor,
}

/// The latest run of each proposal, in this process.
#[derive(Default)]
pub struct DryRuns {
    runs: Mutex<HashMap<Uuid, Run>>,
}

fn fingerprint(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl DryRuns {
    /// The proposal's run on this text: the latest one, or a new one started when there
    /// is none, its text changed, or `again` (unless one is still running).
    pub(crate) fn run(&self, monitor: &Monitor, ask: Ask, again: bool) -> Run {
        let text = fingerprint(&ask.text);
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(run) = runs.get(&ask.proposal) {
            let running = run.ended().is_none();
            if run.text == text && (running || !again) {
                return run.clone();
            }
        }
        let (tell, ended) = watch::channel(None);
        let progress = Arc::new(Progress::default());
        let run = Run {
            text,
            progress: progress.clone(),
            ended,
        };
        runs.insert(ask.proposal, run.clone());
        let monitor = monitor.clone();
        tokio::spawn(async move {
            let outcome = monitor
                .dry_run(
                    ask.book,
                    ask.on,
                    &ask.by,
                    "dry run of a monitoring rule proposal",
                    progress,
                )
                .await
                .map_err(|e| {
                    tracing::error!(proposal = %ask.proposal, error = %e, "a dry run of a monitoring rule proposal failed");
                    e.to_string()
                });
            let _ = tell.send(Some((outcome, Timestamp::now())));
        });
        run
    }
}
