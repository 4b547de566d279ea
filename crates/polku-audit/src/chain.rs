//! The audit chain: the use log (every read of a person's data), the disclosure log and
//! the decision log (Information Management Act 17 §), append-only and tamper-evident.
//!
//! Row n's hash is SHA-256 over row n-1's hash and row n's fields, so changing, removing
//! or inserting any row breaks every hash after it; [`AuditChain::verify`] names the
//! first row that does not fit. An auditor can recompute a hash with common tools: it is
//! `sha256(prev_hash + "\n" + JSON array of the fields in column order)`.

use std::sync::atomic::{AtomicI64, Ordering};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use polku_store::{CorruptRow, Db, StoreError, now_micros};

use crate::actor::{Actor, NotAnActor};

/// Which of the three logs a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditLog {
    /// A read of a person's data: who, when, which person, for what purpose.
    Access,
    /// Data given to another organisation: to whom, what, on which legal basis.
    Disclosure,
    /// A decision made, by a person or by the machine.
    Decision,
    /// A step in changing the machine's rules: proposed, backtested, approved, rejected,
    /// withdrawn.
    Rules,
    /// An application registered by an official with the day it actually arrived
    /// through another channel, and why.
    Registration,
    /// Identity resolution: a record registered, a link made or judged, a person created,
    /// merged or split (issue 14).
    Identity,
    /// Exchange between authorities: a flag raised, renewed or cleared, a contact point
    /// kept (issue 15).
    Exchange,
}

impl AuditLog {
    pub const ALL: [AuditLog; 7] = [
        AuditLog::Access,
        AuditLog::Disclosure,
        AuditLog::Decision,
        AuditLog::Rules,
        AuditLog::Registration,
        AuditLog::Identity,
        AuditLog::Exchange,
    ];

    /// The log named `name` (as stored).
    pub fn parse(name: &str) -> Option<AuditLog> {
        AuditLog::ALL.into_iter().find(|l| l.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuditLog::Access => "access",
            AuditLog::Disclosure => "disclosure",
            AuditLog::Decision => "decision",
            AuditLog::Rules => "rules",
            AuditLog::Registration => "registration",
            AuditLog::Identity => "identity",
            AuditLog::Exchange => "exchange",
        }
    }
}

/// The national exchange layer's headers of the request that caused the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct XRoad {
    pub client: Option<String>,
    pub user_id: Option<String>,
    pub issue: Option<String>,
}

/// One entry to append.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub log: AuditLog,
    #[serde(serialize_with = "as_text")]
    pub actor: Actor,
    pub organisation: Option<String>,
    /// The person whose data it concerns.
    pub person: Option<String>,
    pub purpose: String,
    pub legal_basis: Option<String>,
    /// What was read, disclosed or decided.
    pub detail: Value,
    pub x_road: XRoad,
}

/// Where the chain broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: ChainProblem,
}

/// What is wrong at the break (the pages say it in the reader's language; `Display` is
/// the operators' English).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainProblem {
    #[error("row {expected} is missing (the next row is {next})")]
    Missing { expected: i64, next: i64 },
    #[error("`{0}` is not a log")]
    NotALog(String),
    #[error("`{0}` names no actor")]
    NoActor(String),
    #[error("its previous-hash does not match the row before it")]
    PreviousHash,
    #[error("its contents do not match its hash: the row was changed")]
    Changed,
    #[error(
        "the chain ends at row {rows} but its head says {head}: rows were removed from the end"
    )]
    Truncated { rows: i64, head: i64 },
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub rows: i64,
    pub first_break: Option<ChainBreak>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn chain_hash(prev: &str, fields: &Value) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(fields.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn fields(seq: i64, at: i64, e: &AuditEntry, detail: &str) -> Value {
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
    Value::Array(vec![
        Value::from(seq),
        Value::from(at),
        Value::from(e.log.as_str()),
        Value::from(e.actor.to_string()),
        opt(&e.organisation),
        opt(&e.person),
        Value::from(e.purpose.as_str()),
        opt(&e.legal_basis),
        Value::from(detail),
        opt(&e.x_road.client),
        opt(&e.x_road.user_id),
        opt(&e.x_road.issue),
    ])
}

/// Appends `entry` inside `tx`; the entry commits or rolls back with the work it records.
pub async fn append_in(
    tx: &mut Transaction<'_, Any>,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    append_all_in(tx, std::slice::from_ref(entry)).await
}

/// The most rows one INSERT carries (14 parameters each, well under both databases' limits).
const ROWS_PER_INSERT: usize = 200;

/// Appends `entries` in order inside `tx` with three statements however many there are:
/// the head is advanced by all of them at once (its row lock queues concurrent appends),
/// the hashes are chained here, the rows go in with one INSERT, and the head takes the
/// last hash. Returns the last entry's sequence number.
pub async fn append_all_in(
    tx: &mut Transaction<'_, Any>,
    entries: &[AuditEntry],
) -> Result<i64, StoreError> {
    if entries.is_empty() {
        let head = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        return Ok(head.try_get("seq")?);
    }
    let n = entries.len() as i64;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let at = now_micros();
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let seq = last - n + 1 + i as i64;
        let detail = entry.detail.to_string();
        let hash = chain_hash(&prev, &fields(seq, at, entry, &detail));
        rows.push((
            seq,
            entry,
            detail,
            std::mem::replace(&mut prev, hash.clone()),
            hash,
        ));
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, log, actor, organisation, person, purpose, legal_basis, detail,
                                    x_road_client, x_road_user_id, x_road_issue, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 14;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(
                &(1..=14)
                    .map(|k| format!("${}", b + k))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            sql.push(')');
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (seq, entry, detail, prev_hash, hash) in chunk {
            query = query
                .bind(*seq)
                .bind(at)
                .bind(entry.log.as_str())
                .bind(entry.actor.to_string())
                .bind(entry.organisation.as_deref())
                .bind(entry.person.as_deref())
                .bind(entry.purpose.as_str())
                .bind(entry.legal_basis.as_deref())
                .bind(detail.as_str())
                .bind(entry.x_road.client.as_deref())
                .bind(entry.x_road.user_id.as_deref())
                .bind(entry.x_road.issue.as_deref())
                .bind(prev_hash.as_str())
                .bind(hash.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(last)
}

/// One row of the logs, as an auditor reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub log: AuditLog,
    #[serde(serialize_with = "as_text")]
    pub actor: Actor,
    pub organisation: Option<String>,
    pub person: Option<String>,
    pub purpose: String,
    pub legal_basis: Option<String>,
    pub detail: String,
    pub x_road_client: Option<String>,
}

/// What an auditor looks for: rows of one log, about one person, by one actor; newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub log: Option<AuditLog>,
    pub person: Option<String>,
    pub actor: Option<Actor>,
    pub limit: i64,
}

/// The chain in a database: search, append on its own, verify. Work that must be logged
/// with what it records appends inside its own transaction ([`append_in`]).
#[derive(Debug, Clone)]
pub struct AuditChain {
    db: Db,
}

impl AuditChain {
    pub fn new(db: Db) -> AuditChain {
        AuditChain { db }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// The rows that match, newest first.
    pub async fn search(&self, q: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
        self.search_before(q, None).await
    }

    /// [`Self::search`]'s rows older than entry `before` (the next page, newest first).
    pub async fn search_before(
        &self,
        q: &AuditQuery,
        before: Option<i64>,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, log, actor, organisation, person, purpose, legal_basis, detail, x_road_client
             FROM audit_log
             WHERE ($1 = '' OR log = $1) AND ($2 = '' OR person = $2) AND ($3 = '' OR actor = $3)
               AND seq < $5
             ORDER BY seq DESC LIMIT $4",
        )
        .bind(q.log.map(AuditLog::as_str).unwrap_or_default())
        .bind(q.person.clone().unwrap_or_default())
        .bind(q.actor.as_ref().map(Actor::to_string).unwrap_or_default())
        .bind(q.limit.clamp(1, 1000))
        .bind(before.unwrap_or(i64::MAX))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                let corrupt = |column: &'static str, detail: String| {
                    StoreError::from(CorruptRow::new(
                        "audit_log",
                        seq.to_string(),
                        column,
                        detail,
                    ))
                };
                let log: String = r.try_get("log")?;
                let actor: String = r.try_get("actor")?;
                Ok(AuditRow {
                    seq,
                    at: r.try_get("at")?,
                    log: AuditLog::parse(&log)
                        .ok_or_else(|| corrupt("log", format!("`{log}` is not a log")))?,
                    actor: actor
                        .parse()
                        .map_err(|e: NotAnActor| corrupt("actor", e.to_string()))?,
                    organisation: r.try_get("organisation")?,
                    person: r.try_get("person")?,
                    purpose: r.try_get("purpose")?,
                    legal_basis: r.try_get("legal_basis")?,
                    detail: r.try_get("detail")?,
                    x_road_client: r.try_get("x_road_client")?,
                })
            })
            .collect()
    }

    /// How many entries `log` holds.
    pub async fn count(&self, log: AuditLog) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE log = $1")
            .bind(log.as_str())
            .fetch_one(self.db.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Appends several entries in one transaction (the disclosures of one case's evidence).
    pub async fn append_all(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin_write().await?;
        append_all_in(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends one entry on its own (a read, a disclosure).
    pub async fn append(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let seq = append_in(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Checks every row of the chain in order and names the first that does not fit.
    pub async fn verify(&self) -> Result<ChainReport, StoreError> {
        self.verify_with(&ChainProgress::default()).await
    }

    /// Like [`AuditChain::verify`], reading the chain [`VERIFY_BATCH`] rows at a time (a
    /// chain of millions of rows is never held in memory) and telling `progress` how many
    /// of how many rows have been checked, for a page to show while it runs.
    pub async fn verify_with(&self, progress: &ChainProgress) -> Result<ChainReport, StoreError> {
        self.verify_in_batches(progress, VERIFY_BATCH).await
    }

    /// [`AuditChain::verify_with`], `batch` rows at a time.
    pub async fn verify_in_batches(
        &self,
        progress: &ChainProgress,
        batch: i64,
    ) -> Result<ChainReport, StoreError> {
        let batch = batch.max(1);
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(self.db.pool())
            .await?
            .try_get("n")?;
        progress.total.store(total, Ordering::Relaxed);
        let mut prev = GENESIS.to_owned();
        let mut count = 0;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, log, actor, organisation, person, purpose, legal_basis, detail, x_road_client,
                        x_road_user_id, x_road_issue, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(count)
            .bind(batch)
            .fetch_all(self.db.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let expected_seq = count + 1;
                count = expected_seq;
                let seq: i64 = r.try_get("seq")?;
                let broken = |problem: ChainProblem| ChainReport {
                    rows: count,
                    first_break: Some(ChainBreak { seq, problem }),
                };
                if seq != expected_seq {
                    return Ok(broken(ChainProblem::Missing {
                        expected: expected_seq,
                        next: seq,
                    }));
                }
                let log: String = r.try_get("log")?;
                let Some(log) = AuditLog::parse(&log) else {
                    return Ok(broken(ChainProblem::NotALog(log)));
                };
                let actor: String = r.try_get("actor")?;
                let Ok(actor) = actor.parse::<Actor>() else {
                    return Ok(broken(ChainProblem::NoActor(actor)));
                };
                let entry = AuditEntry {
                    log,
                    actor,
                    organisation: r.try_get("organisation")?,
                    person: r.try_get("person")?,
                    purpose: r.try_get("purpose")?,
                    legal_basis: r.try_get("legal_basis")?,
                    detail: Value::Null,
                    x_road: XRoad {
                        client: r.try_get("x_road_client")?,
                        user_id: r.try_get("x_road_user_id")?,
                        issue: r.try_get("x_road_issue")?,
                    },
                };
                let detail: String = r.try_get("detail")?;
                let stored_prev: String = r.try_get("prev_hash")?;
                let stored_hash: String = r.try_get("hash")?;
                if stored_prev != prev {
                    return Ok(broken(ChainProblem::PreviousHash));
                }
                if chain_hash(&prev, &fields(seq, r.try_get("at")?, &entry, &detail)) != stored_hash
                {
                    return Ok(broken(ChainProblem::Changed));
                }
                prev = stored_hash;
            }
            progress.checked.store(count, Ordering::Relaxed);
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.db.pool())
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        if head_seq != count || head_hash != prev {
            return Ok(ChainReport {
                rows: count,
                first_break: Some(ChainBreak {
                    seq: head_seq,
                    problem: ChainProblem::Truncated {
                        rows: count,
                        head: head_seq,
                    },
                }),
            });
        }
        Ok(ChainReport {
            rows: count,
            first_break: None,
        })
    }
}

/// The rows [`AuditChain::verify_with`] reads at a time.
pub const VERIFY_BATCH: i64 = 20_000;

/// How far a verification has come: rows checked of the rows there were when it began
/// (rows appended meanwhile are checked too; `checked` may pass `total`).
#[derive(Debug, Default)]
pub struct ChainProgress {
    pub total: AtomicI64,
    pub checked: AtomicI64,
}

/// An actor as the text it is stored as.
fn as_text<S: serde::Serializer>(actor: &Actor, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(actor)
}
