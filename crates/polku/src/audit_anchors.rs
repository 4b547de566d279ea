//! Where the audit chain's signed anchors and their key live, and how often `polku serve`
//! makes one (ADR 0008): `--audit-key` / `POLKU_AUDIT_KEY` / `audit_key`,
//! `--audit-anchors` / `POLKU_AUDIT_ANCHORS` / `audit_anchors`, and for `serve`
//! `--audit-anchor-rows` and `--audit-anchor-minutes` (also variables and file keys).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use polku_audit::{AnchorFile, AnchorKey, AnchorSchedule, Anchorer};
use polku_cases::Cases;

use crate::config::Config;
use crate::config::StoreArgs;
use crate::handles::audit;

/// The key file's name in the data directory unless configured.
pub const DEFAULT_KEY_FILE: &str = "audit-key";
/// The anchor file's name in the data directory unless configured.
pub const DEFAULT_ANCHOR_FILE: &str = "audit-anchors.jsonl";

/// Where the anchors' key and file are.
#[derive(Args, Clone, Debug, Default)]
pub struct AnchorArgs {
    /// The Ed25519 key that signs the audit chain's anchors, made on first use (keep it
    /// away from the database) [default: <data dir>/audit-key].
    #[arg(long, env = "POLKU_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
    /// The file signed anchors are appended to, one JSON line each (keep it away from the
    /// database) [default: <data dir>/audit-anchors.jsonl; with --database-url,
    /// <data dir>/audit-anchors-<12 hex digits naming the database>.jsonl].
    #[arg(long, env = "POLKU_AUDIT_ANCHORS")]
    pub audit_anchors: Option<PathBuf>,
}

/// How often `polku serve` signs the chain's head.
#[derive(Args, Clone, Debug, Default)]
pub struct ScheduleArgs {
    /// Sign an anchor once this many audit rows were appended since the last [default: 1000].
    #[arg(long, env = "POLKU_AUDIT_ANCHOR_ROWS")]
    pub audit_anchor_rows: Option<i64>,
    /// Sign an anchor when this many minutes have passed since the last and the chain has
    /// grown [default: 10].
    #[arg(long, env = "POLKU_AUDIT_ANCHOR_MINUTES")]
    pub audit_anchor_minutes: Option<u64>,
}

impl AnchorArgs {
    /// The key's path and the anchor file: flag or variable, then the file, then the data
    /// directory's. A database named by URL has an anchor file of its own there
    /// (`audit-anchors-<database_tag>.jsonl`): anchors of two databases never mix.
    pub fn paths(&self, store: &StoreArgs, config: &Config) -> (PathBuf, AnchorFile) {
        let dir = store.data_dir(config);
        let default_file = match store.database_url(config) {
            None => DEFAULT_ANCHOR_FILE.to_owned(),
            Some(url) => format!("audit-anchors-{}.jsonl", polku_audit::database_tag(url)),
        };
        let key = self
            .audit_key
            .clone()
            .or_else(|| config.audit_key.clone())
            .unwrap_or_else(|| dir.join(DEFAULT_KEY_FILE));
        let file = self
            .audit_anchors
            .clone()
            .or_else(|| config.audit_anchors.clone())
            .unwrap_or_else(|| dir.join(default_file));
        (key, AnchorFile::new(file))
    }
}

impl ScheduleArgs {
    pub fn schedule(&self, config: &Config) -> AnchorSchedule {
        let default = AnchorSchedule::default();
        AnchorSchedule {
            every_rows: self
                .audit_anchor_rows
                .or(config.audit_anchor_rows)
                .unwrap_or(default.every_rows)
                .max(1),
            every: self
                .audit_anchor_minutes
                .or(config.audit_anchor_minutes)
                .map_or(default.every, |m| Duration::from_secs(m.max(1) * 60)),
        }
    }
}

/// The signing key at `path`, made there (readable by its owner only) if there is none;
/// the `bool` says it was made.
pub fn signing_key(path: &Path) -> anyhow::Result<(AnchorKey, bool)> {
    let (key, created) = AnchorKey::load_or_create(path)?;
    if created {
        tracing::warn!(
            path = %path.display(),
            key = %key.id(),
            "made a new key for signing the audit chain's anchors: keep it, and a copy, away from the database"
        );
    }
    Ok((key, created))
}

/// `polku serve`'s anchorer: signs on its schedule until `stop`, then once more.
pub fn start(
    anchors: &AnchorArgs,
    schedule: &ScheduleArgs,
    store_args: &StoreArgs,
    config: &Config,
    store: &Cases,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let (key_path, file) = anchors.paths(store_args, config);
    let (key, _) = signing_key(&key_path)?;
    let schedule = schedule.schedule(config);
    tracing::info!(
        key = %key.id(),
        file = %file.path.display(),
        every_rows = schedule.every_rows,
        every_minutes = schedule.every.as_secs() / 60,
        "audit chain anchored with signatures"
    );
    let anchorer = Anchorer {
        chain: audit(store),
        key,
        file,
        schedule,
    };
    Ok(tokio::spawn(anchorer.run(stop)))
}
