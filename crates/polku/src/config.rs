//! Configuration: a TOML file beside the command-line flags and `POLKU_*` variables.
//!
//! Precedence, strongest first: a flag, its environment variable, the file, the built-in
//! default. The file is `--config FILE` (or `POLKU_CONFIG`); without either, `polku.toml`
//! in the working directory is read if it exists. Unknown keys are errors, so a misspelt
//! setting never silently falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use polku_cases::Cases;
use serde::Deserialize;

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "polku.toml";

/// Every setting the file may hold; each is also a flag and a `POLKU_*` variable.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `POLKU_DATA_DIR`, `--data-dir`: where the embedded SQLite database lives.
    pub data_dir: Option<PathBuf>,
    /// `POLKU_DATABASE_URL`, `--database-url`: `postgres://…` or `sqlite:…`.
    pub database_url: Option<String>,
    /// `POLKU_LISTEN`, `--listen`: the API's address.
    pub listen: Option<SocketAddr>,
    /// `POLKU_OPERATOR_LISTEN`, `--operator-listen`: metrics, health and readiness for
    /// operators; none by default.
    pub operator_listen: Option<SocketAddr>,
    /// `POLKU_RULES`, `--rules`: a rules directory instead of the built-in rule sets.
    pub rules: Option<PathBuf>,
    /// `POLKU_WORKERS`, `--workers`: pipeline workers in `polku serve`.
    pub workers: Option<usize>,
    /// `POLKU_JOB_LEASE`, `--job-lease`: seconds before a crashed worker's job is taken over.
    pub job_lease: Option<u64>,
    /// `POLKU_LOG`: the log filter (`info`, `polku_cases=debug,info`, …).
    pub log: Option<String>,
    /// `POLKU_REGISTERS_URL`, `--registers-url`: the exchange layer's security server;
    /// without it, the built-in register simulators on loopback.
    pub registers_url: Option<String>,
    /// `POLKU_REGISTERS_TOKEN`, `--registers-token`: the credential for `registers_url`.
    pub registers_token: Option<String>,
    /// `POLKU_REGISTERS_CLIENT`, `--registers-client`: this service's X-Road client id.
    pub registers_client: Option<String>,
    /// `POLKU_POPULATION_PERSONS`, `--persons`: the synthetic population's size.
    pub population_persons: Option<u32>,
    /// `POLKU_POPULATION_SEED`, `--seed`: the synthetic population's seed.
    pub population_seed: Option<u64>,
    /// `POLKU_AUDIT_KEY`, `--audit-key`: the Ed25519 key that signs the audit chain's
    /// anchors, made on first use; default `<data dir>/audit-key`.
    pub audit_key: Option<PathBuf>,
    /// `POLKU_AUDIT_ANCHORS`, `--audit-anchors`: the file of signed anchors; default
    /// `<data dir>/audit-anchors.jsonl`.
    pub audit_anchors: Option<PathBuf>,
    /// `POLKU_AUDIT_ANCHOR_ROWS`, `--audit-anchor-rows`: `polku serve` signs an anchor
    /// every this many audit rows (1000).
    pub audit_anchor_rows: Option<i64>,
    /// `POLKU_AUDIT_ANCHOR_MINUTES`, `--audit-anchor-minutes`: and at the latest after this
    /// many minutes when the chain has grown (10).
    pub audit_anchor_minutes: Option<u64>,
    /// `POLKU_PUBLIC_URL`, `--public-url`: the e-service's address for the links in
    /// notifications; default `http://<listen>`.
    pub public_url: Option<String>,
    /// `POLKU_SMTP_URL`, `--smtp-url`: the SMTP relay (`smtp://host:port`); without it each
    /// email is written into `<data dir>/outbox/`.
    pub smtp_url: Option<String>,
    /// `POLKU_MAIL_FROM`, `--mail-from`: the notifications' sender.
    pub mail_from: Option<String>,
    /// `POLKU_MESSAGES_URL`, `--messages-url`: the national messages service; without it
    /// the built-in simulator.
    pub messages_url: Option<String>,
    /// `POLKU_MESSAGES_USERNAME`, `--messages-username`.
    pub messages_username: Option<String>,
    /// `POLKU_MESSAGES_PASSWORD`, `--messages-password`.
    pub messages_password: Option<String>,
    /// `POLKU_MESSAGES_SERVICE_ID`, `--messages-service-id`: this service's id there.
    pub messages_service_id: Option<String>,
    /// `POLKU_PAYMENTS_URL`, `--payments-url`: the payment provider; without it the
    /// built-in simulated provider under `/sim/payments`.
    pub payments_url: Option<String>,
    /// `POLKU_PAYMENTS_ACCOUNT`, `--payments-account`: the merchant id there.
    pub payments_account: Option<String>,
    /// `POLKU_PAYMENTS_SECRET`, `--payments-secret`: the merchant secret.
    pub payments_secret: Option<String>,
}

impl Config {
    /// Reads `explicit` (which must exist), or `polku.toml` if it exists, or nothing.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
        let path = match explicit {
            Some(p) => p.to_owned(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))
    }
}

/// Where the data lives: `--database-url` (or POLKU_DATABASE_URL) for PostgreSQL or
/// SQLite, otherwise the SQLite file in `--data-dir` (default `./polku-data`); either may
/// also come from the configuration file.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// Configuration file (default: ./polku.toml if it exists).
    #[arg(long, env = "POLKU_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data directory of the embedded SQLite database [default: polku-data].
    #[arg(long, env = "POLKU_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// `postgres://…` or `sqlite:…`; overrides --data-dir.
    #[arg(long, env = "POLKU_DATABASE_URL", global = true)]
    database_url: Option<String>,
}

/// The data directory when neither a flag, a variable nor the file names one.
pub const DEFAULT_DATA_DIR: &str = "polku-data";

impl StoreArgs {
    /// The configuration file these arguments point to (or the default one).
    pub fn config(&self) -> anyhow::Result<Config> {
        Config::load(self.config.as_deref())
    }

    pub async fn open(&self) -> anyhow::Result<Cases> {
        self.open_with(&self.config()?).await
    }

    /// The data directory: the flag or variable, else the file's, else `polku-data`.
    pub fn data_dir(&self, config: &Config) -> PathBuf {
        self.data_dir
            .as_ref()
            .or(config.data_dir.as_ref())
            .cloned()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    /// The database URL, if one is given (else the data directory's SQLite file).
    pub fn database_url<'a>(&'a self, config: &'a Config) -> Option<&'a str> {
        self.database_url
            .as_deref()
            .or(config.database_url.as_deref())
    }

    /// Opens the store, filling what the flags leave open from `config`.
    pub async fn open_with(&self, config: &Config) -> anyhow::Result<Cases> {
        let url = self.database_url(config);
        let store = match url {
            Some(url) => Cases::connect(url).await,
            None => Cases::open_data_dir(&self.data_dir(config)).await,
        };
        store.context("cannot open the database")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting_and_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("polku.toml");
        std::fs::write(
            &file,
            "data_dir = \"/var/lib/polku\"\nlisten = \"0.0.0.0:9000\"\nworkers = 3\nlog = \"debug\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file)).unwrap();
        assert_eq!(c.data_dir, Some(PathBuf::from("/var/lib/polku")));
        assert_eq!(c.listen, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!((c.workers, c.log.as_deref()), (Some(3), Some("debug")));

        std::fs::write(&file, "listne = \"0.0.0.0:9000\"\n").unwrap();
        let e = format!("{:#}", Config::load(Some(&file)).unwrap_err());
        assert!(e.contains("listne"), "{e}");
        assert!(Config::load(Some(&dir.path().join("missing.toml"))).is_err());
    }
}
