//! Signed anchors of the audit chain (ADR 0008).
//!
//! The hash chain shows a change to any row, unless whoever changes it also recomputes
//! every hash after it and the head: someone who can write the database can rewrite the
//! whole tail. An anchor closes that: every so often the chain's head (its last row's
//! `seq` and `hash`, and the time) is signed with an Ed25519 key kept outside the
//! database, and appended as one JSON line to a file outside the database:
//!
//! ```json
//! {"seq":1000,"hash":"…","at":"2026-05-04T10:00:00.123456Z","key":"3f1c…","signature":"…"}
//! ```
//!
//! The signature covers the bytes `polku-audit-anchor-v1\n{seq}\n{hash}\n{at}`; `key` is
//! the first 16 hex digits of the SHA-256 of the 32-byte public key. Verifying checks each
//! anchor's signature and that the row it names still has the hash it had, so a tail
//! rewritten after an anchor shows even when it re-hashes consistently.
//!
//! Signing is never in an append's transaction: an [`Anchorer`] reads the head now and
//! then and signs once per [`AnchorSchedule::every_rows`] rows or
//! [`AnchorSchedule::every`], and once more when it stops.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use polku_store::StoreError;

use crate::chain::AuditChain;

/// What the signature covers, before the fields.
const DOMAIN: &str = "polku-audit-anchor-v1";

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("the audit-anchor key {path}: {message}")]
    Key { path: PathBuf, message: String },
    #[error("the audit anchors {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no random bytes for a new key: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AnchorError {
    fn from(e: sqlx::Error) -> Self {
        AnchorError::Store(StoreError::Sql(e))
    }
}

/// The key that signs anchors. Its file holds the 32-byte Ed25519 secret as 64 hex digits.
pub struct AnchorKey {
    signing: SigningKey,
}

impl std::fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnchorKey").field("id", &self.id()).finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// 12 hex digits naming the database `url` leads to, without its credentials: the
/// default anchor file of a database named by URL is its own, so that the anchors of
/// two databases served from one directory never mix.
pub fn database_tag(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    hex(&Sha256::digest(format!("{scheme}://{host}{path}").as_bytes())[..6])
}

/// The first 16 hex digits of the SHA-256 of a public key: how an anchor names its key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes())[..8])
}

impl AnchorKey {
    pub fn from_secret(secret: [u8; 32]) -> AnchorKey {
        AnchorKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// A new key from the operating system's random numbers.
    pub fn generate() -> Result<AnchorKey, AnchorError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| AnchorError::Random(e.to_string()))?;
        Ok(AnchorKey::from_secret(secret))
    }

    /// The key in `path`, which must exist.
    pub fn load(path: &Path) -> Result<AnchorKey, AnchorError> {
        let key_error = |message: String| AnchorError::Key {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| key_error(e.to_string()))?;
        let secret = unhex::<32>(&text)
            .ok_or_else(|| key_error("is not an Ed25519 secret key (64 hex digits)".to_owned()))?;
        Ok(AnchorKey::from_secret(secret))
    }

    /// The key in `path`; when there is no file there, a new key written to it, readable
    /// by its owner only (the `bool` says so, for the caller to tell where it is). Two
    /// processes starting at once end up with the same key: the new file is written whole
    /// beside `path` and linked into place only if `path` still does not exist.
    pub fn load_or_create(path: &Path) -> Result<(AnchorKey, bool), AnchorError> {
        if path.exists() {
            return Ok((AnchorKey::load(path)?, false));
        }
        let key_error = |e: std::io::Error| AnchorError::Key {
            path: path.to_owned(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(key_error)?;
        }
        let key = AnchorKey::generate()?;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| AnchorError::Random(e.to_string()))?;
        let mut draft = path.as_os_str().to_owned();
        draft.push(format!(".new-{}", hex(&nonce)));
        let draft = PathBuf::from(draft);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&draft).and_then(|mut file| {
            file.write_all(format!("{}\n", hex(&key.signing.to_bytes())).as_bytes())?;
            file.sync_all()
        });
        let linked = written.and_then(|()| std::fs::hard_link(&draft, path));
        let _ = std::fs::remove_file(&draft);
        match linked {
            Ok(()) => Ok((key, true)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok((AnchorKey::load(path)?, false))
            }
            Err(e) => Err(key_error(e)),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// How anchors name this key.
    pub fn id(&self) -> String {
        key_id(&self.verifying_key())
    }

    /// Signs the chain's head `(seq, hash)` as of `at`.
    pub fn sign(&self, seq: i64, hash: &str, at: jiff::Timestamp) -> Anchor {
        let at = at.to_string();
        let signature = self.signing.sign(&signed_bytes(seq, hash, &at));
        Anchor {
            seq,
            hash: hash.to_owned(),
            at,
            key: self.id(),
            signature: hex(&signature.to_bytes()),
        }
    }
}

fn signed_bytes(seq: i64, hash: &str, at: &str) -> Vec<u8> {
    format!("{DOMAIN}\n{seq}\n{hash}\n{at}").into_bytes()
}

/// One signed statement: row `seq` of the chain had hash `hash` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// [`key_id`] of the key that signed it.
    pub key: String,
    /// The Ed25519 signature, 128 hex digits.
    pub signature: String,
}

impl Anchor {
    /// Whether `key` made this anchor's signature over its fields.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        self.key == key_id(key)
            && unhex::<64>(&self.signature).is_some_and(|s| {
                key.verify_strict(
                    &signed_bytes(self.seq, &self.hash, &self.at),
                    &Signature::from_bytes(&s),
                )
                .is_ok()
            })
    }
}

/// The file anchors are appended to, one JSON line each.
#[derive(Debug, Clone)]
pub struct AnchorFile {
    pub path: PathBuf,
}

/// A line of the anchor file: the anchor, or why it is not one.
pub type AnchorLine = (usize, Result<Anchor, String>);

impl AnchorFile {
    pub fn new(path: impl Into<PathBuf>) -> AnchorFile {
        AnchorFile { path: path.into() }
    }

    fn error(&self, source: std::io::Error) -> AnchorError {
        AnchorError::File {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends `anchor` as one line and waits until it is on disk.
    pub fn append(&self, anchor: &Anchor) -> Result<(), AnchorError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.error(e))?;
        }
        let mut line =
            serde_json::to_string(anchor).map_err(|e| self.error(std::io::Error::other(e)))?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| self.error(e))?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| self.error(e))
    }

    /// Every line with its number (from 1); none when the file does not exist.
    pub fn read(&self) -> Result<Vec<AnchorLine>, AnchorError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e)),
        };
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                (
                    i + 1,
                    serde_json::from_str::<Anchor>(l).map_err(|e| e.to_string()),
                )
            })
            .collect())
    }

    /// The last anchor in the file that parses.
    pub fn last(&self) -> Result<Option<Anchor>, AnchorError> {
        Ok(self.read()?.into_iter().rev().find_map(|(_, a)| a.ok()))
    }
}

/// One anchor that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorProblem {
    /// The anchor's line in the file.
    pub line: usize,
    /// The row it anchors, when the line could be read.
    pub seq: Option<i64>,
    pub problem: String,
}

/// The anchors checked against the key and the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorReport {
    /// Lines in the file.
    pub anchors: usize,
    /// Anchors whose signature is valid and whose row still has the hash signed.
    pub verified: usize,
    /// The last row a verified anchor vouches for.
    pub last_verified_seq: Option<i64>,
    /// Every anchor that does not hold, in file order.
    pub problems: Vec<AnchorProblem>,
}

impl AuditChain {
    /// The chain's head: its last row's `seq` and `hash` (0 and the genesis hash when empty).
    pub async fn head(&self) -> Result<(i64, String), StoreError> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.db().pool())
            .await?;
        Ok((head.try_get("seq")?, head.try_get("hash")?))
    }

    /// Signs the chain's head and appends the anchor to `file`, unless the chain is empty
    /// or its head is already the last anchor there (then `None`).
    pub async fn anchor(
        &self,
        key: &AnchorKey,
        file: &AnchorFile,
    ) -> Result<Option<Anchor>, AnchorError> {
        let (seq, hash) = self.head().await?;
        if seq == 0
            || file
                .last()?
                .is_some_and(|a| a.seq == seq && a.hash == hash && a.key == key.id())
        {
            return Ok(None);
        }
        let anchor = key.sign(seq, &hash, jiff::Timestamp::now());
        file.append(&anchor)?;
        tracing::info!(seq, key = %anchor.key, file = %file.path.display(), "audit chain anchored");
        Ok(Some(anchor))
    }

    /// Checks every anchor in `lines`: read, made by `key`, signature valid, and the row it
    /// names still in the chain with the hash it had.
    pub async fn verify_anchors(
        &self,
        lines: &[AnchorLine],
        key: &VerifyingKey,
    ) -> Result<AnchorReport, StoreError> {
        let rows = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq")
            .fetch_all(self.db().pool())
            .await?;
        let mut hashes = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            hashes.insert(r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?);
        }
        let mut report = AnchorReport {
            anchors: lines.len(),
            verified: 0,
            last_verified_seq: None,
            problems: Vec::new(),
        };
        let id = key_id(key);
        for (line, anchor) in lines {
            let anchor = match anchor {
                Ok(a) => a,
                Err(e) => {
                    report.problems.push(AnchorProblem {
                        line: *line,
                        seq: None,
                        problem: format!("not an anchor: {e}"),
                    });
                    continue;
                }
            };
            let problem = |problem: String| AnchorProblem {
                line: *line,
                seq: Some(anchor.seq),
                problem,
            };
            if anchor.key != id {
                report.problems.push(problem(format!(
                    "signed by key {}, not by this key {id}: it cannot be verified",
                    anchor.key
                )));
            } else if !anchor.signed_by(key) {
                report.problems.push(problem(
                    "its signature is not valid: the anchor was forged or changed".to_owned(),
                ));
            } else {
                match hashes.get(&anchor.seq) {
                    None => report.problems.push(problem(format!(
                        "row {} is not in the chain ({} rows): rows were removed",
                        anchor.seq,
                        rows.len()
                    ))),
                    Some(hash) if *hash != anchor.hash => report.problems.push(problem(format!(
                        "row {} has hash {hash}, but {} when it was anchored at {}: the chain was rewritten",
                        anchor.seq, anchor.hash, anchor.at
                    ))),
                    Some(_) => {
                        report.verified += 1;
                        report.last_verified_seq = report.last_verified_seq.max(Some(anchor.seq));
                    }
                }
            }
        }
        Ok(report)
    }
}

/// How often an [`Anchorer`] signs the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchorSchedule {
    /// Sign once this many rows have been appended since the last anchor.
    pub every_rows: i64,
    /// Sign when this long has passed since the last anchor and the chain has grown.
    pub every: Duration,
}

impl Default for AnchorSchedule {
    fn default() -> Self {
        AnchorSchedule {
            every_rows: 1000,
            every: Duration::from_secs(10 * 60),
        }
    }
}

/// How often an [`Anchorer`] reads the chain's head (one row, one query).
const HEAD_POLL: Duration = Duration::from_secs(1);

/// Anchors the chain on its schedule, beside the service, never in an append.
pub struct Anchorer {
    pub chain: AuditChain,
    pub key: AnchorKey,
    pub file: AnchorFile,
    pub schedule: AnchorSchedule,
}

impl Anchorer {
    /// Signs the head when the schedule says so, until `stop` turns true; then once more
    /// if the chain has grown since the last anchor.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut last_seq = match self.file.last() {
            Ok(last) => last.map_or(0, |a| a.seq),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the audit anchors");
                0
            }
        };
        let mut last_at = Instant::now();
        loop {
            let stopping = *stop.borrow();
            if !stopping {
                let _ = tokio::time::timeout(HEAD_POLL, stop.changed()).await;
            }
            let stopping = stopping || *stop.borrow();
            let head = match self.chain.head().await {
                Ok((seq, _)) => seq,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the audit chain's head");
                    if stopping {
                        return;
                    }
                    continue;
                }
            };
            let due = head - last_seq >= self.schedule.every_rows
                || (head > last_seq && last_at.elapsed() >= self.schedule.every)
                || (head > last_seq && stopping);
            if due {
                match self.chain.anchor(&self.key, &self.file).await {
                    Ok(anchor) => {
                        last_seq = anchor.map_or(head, |a| a.seq);
                        last_at = Instant::now();
                    }
                    Err(e) => tracing::error!(error = %e, "cannot anchor the audit chain"),
                }
            }
            if stopping {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_verifies_only_with_its_key_and_unchanged() {
        let key = AnchorKey::from_secret([7; 32]);
        let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let anchor = key.sign(12, &"ab".repeat(32), at);
        assert_eq!(anchor.at, "2027-01-15T08:00:00Z");
        assert!(anchor.signed_by(&key.verifying_key()));
        let other = AnchorKey::from_secret([8; 32]);
        assert!(!anchor.signed_by(&other.verifying_key()));
        for changed in [
            Anchor {
                seq: 13,
                ..anchor.clone()
            },
            Anchor {
                hash: "cd".repeat(32),
                ..anchor.clone()
            },
            Anchor {
                at: "2027-01-15T08:00:01Z".to_owned(),
                ..anchor.clone()
            },
            Anchor {
                signature: "00".repeat(64),
                ..anchor.clone()
            },
            Anchor {
                signature: "not hex".to_owned(),
                ..anchor.clone()
            },
        ] {
            assert!(!changed.signed_by(&key.verifying_key()), "{changed:?}");
        }
    }

    #[test]
    fn a_database_is_named_without_its_credentials() {
        let tag = database_tag("postgres://polku:secret@db.example:5432/polku?sslmode=require");
        assert_eq!(tag.len(), 12);
        assert_eq!(
            tag,
            database_tag("postgres://polku:other@db.example:5432/polku?sslmode=require")
        );
        assert_ne!(
            tag,
            database_tag("postgres://polku:secret@db.example:5432/test")
        );
        assert_ne!(
            database_tag("postgres://u@h/db?options=-csearch_path%3Da"),
            database_tag("postgres://u@h/db?options=-csearch_path%3Db")
        );
    }

    #[test]
    fn a_new_key_is_written_for_its_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/audit-key");
        let (made, created) = AnchorKey::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let (again, created) = AnchorKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(made.id(), again.id());
        assert!(
            std::fs::read_dir(dir.path().join("keys")).unwrap().count() == 1,
            "no draft left beside the key"
        );
        // Processes starting at once on a new path all end up with one key.
        let racing = dir.path().join("race/audit-key");
        let ids: std::collections::BTreeSet<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| AnchorKey::load_or_create(&racing).unwrap().0.id()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(ids.len(), 1, "{ids:?}");
        std::fs::write(&path, "not a key\n").unwrap();
        let e = AnchorKey::load(&path).unwrap_err().to_string();
        assert!(e.contains("is not an Ed25519 secret key"), "{e}");
    }
}
