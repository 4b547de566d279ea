//! Verifying the audit chain from the auditors' page, in the background of this process:
//! at millions of rows it takes a while, and the page shows how many rows have been checked
//! of how many instead of a blank wait. One check runs at a time per process; asking again
//! while one runs shows that one, asking after it ended starts a new one.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use polku_audit::{AuditChain, ChainProgress, ChainReport};
use tokio::sync::watch;

/// How a check ended: its report, or why it could not run (logged; the page says only that).
pub(crate) type Outcome = Result<ChainReport, String>;

/// A check, running or ended.
#[derive(Clone)]
pub(crate) struct Check {
    pub progress: Arc<ChainProgress>,
    ended: watch::Receiver<Option<(Outcome, Timestamp)>>,
}

impl Check {
    pub(crate) fn ended(&self) -> Option<(Outcome, Timestamp)> {
        self.ended.borrow().clone()
    }

    /// Waits at most `patience` for the check to end: a small chain is shown at once.
    pub(crate) async fn wait(&self, patience: Duration) {
        let mut ended = self.ended.clone();
        let _ = tokio::time::timeout(patience, ended.wait_for(Option::is_some)).await;
    }
}

/// The latest check of this process.
#[derive(Default)]
pub struct ChainChecks {
    latest: Mutex<Option<Check>>,
}

impl ChainChecks {
    /// The check running now, or a new one (`start`), or the last one (to look at it).
    pub(crate) fn check(&self, chain: &AuditChain, start: bool) -> Option<Check> {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        let running = latest.as_ref().is_some_and(|c| c.ended().is_none());
        if running || !start {
            return latest.clone();
        }
        let progress = Arc::new(ChainProgress::default());
        let (tx, rx) = watch::channel(None);
        let chain = chain.clone();
        let counting = progress.clone();
        tokio::spawn(async move {
            let outcome = chain
                .verify_with(&counting)
                .await
                .map_err(|e| e.to_string());
            if let Err(e) = &outcome {
                tracing::error!(error = %e, "the audit chain could not be verified");
            }
            let _ = tx.send(Some((outcome, Timestamp::now())));
        });
        let check = Check {
            progress,
            ended: rx,
        };
        *latest = Some(check.clone());
        Some(check)
    }
}
