//! The job queue, a table in the same database as the cases.
//!
//! A worker claims a ready job with a lease; the work and the job's completion commit in
//! one transaction, and the completion only counts if the worker still holds the lease.
//! So a job never completes twice, and a worker that dies leaves a lease that expires and
//! lets another worker take the job again. A failure puts the job back with exponential
//! backoff; after [`MAX_ATTEMPTS`] it is `dead` and waits for a person.

use std::time::Duration;

use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use crate::handle::{Cases, StoreError, now_micros};

pub const MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Gather evidence, evaluate the rule set and decide or refer.
    Decide,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Decide => "decide",
        }
    }
}

/// A job a worker holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    /// Including this one.
    pub attempts: i64,
    pub lease_owner: String,
}

/// Counts by job state, for operators and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    case: Uuid,
    kind: JobKind,
    now: i64,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO jobs (id, case_id, kind, state, attempts, run_after, created_at) VALUES ($1, $2, $3, 'queued', 0, $4, $4)",
    )
    .bind(id.to_string())
    .bind(case.to_string())
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))
}

impl Cases {
    /// Claims the oldest ready job (queued and due, or running with an expired lease).
    pub async fn claim_job(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let now = now_micros();
        let until = now + lease.as_micros() as i64;
        let sql = format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs
                         WHERE (state = 'queued' AND run_after <= $3) OR (state = 'running' AND lease_until < $3)
                         ORDER BY run_after, id LIMIT 1{})
               AND ((state = 'queued' AND run_after <= $3) OR (state = 'running' AND lease_until < $3))
             RETURNING id, case_id, kind, attempts",
            self.db.dialect().claim_suffix()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(until)
            .bind(now)
            .fetch_optional(self.db.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let case: String = row.try_get("case_id")?;
        Ok(Some(ClaimedJob {
            id: parse_uuid(&id)?,
            case_id: parse_uuid(&case)?,
            kind: row.try_get("kind")?,
            attempts: row.try_get("attempts")?,
            lease_owner: worker.to_owned(),
        }))
    }

    /// Puts a failed job back with exponential backoff, or marks it dead after the last attempt.
    pub async fn fail_job(&self, job: &ClaimedJob, error: &str) -> Result<(), StoreError> {
        let now = now_micros();
        let dead = job.attempts >= MAX_ATTEMPTS;
        let backoff = Duration::from_millis(200u64 << job.attempts.clamp(0, 12));
        sqlx::query(
            "UPDATE jobs SET state = $1, run_after = $2, lease_owner = NULL, lease_until = NULL, last_error = $3,
                             finished_at = $4
             WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
        )
        .bind(if dead { "dead" } else { "queued" })
        .bind(now + backoff.as_micros() as i64)
        .bind(error)
        .bind(if dead { Some(now) } else { None })
        .bind(job.id.to_string())
        .bind(&job.lease_owner)
        .execute(self.db.pool())
        .await?;
        if dead {
            tracing::error!(job = %job.id, case = %job.case_id, error, "job failed for the last time");
        } else {
            tracing::warn!(job = %job.id, case = %job.case_id, attempt = job.attempts, error, "job failed, will retry");
        }
        Ok(())
    }

    /// Gives a claimed job back untouched (graceful shutdown): it is ready again at once.
    pub async fn release_job(&self, job: &ClaimedJob) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_until = NULL
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(job.id.to_string())
        .bind(&job.lease_owner)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    pub async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(self.db.pool())
            .await?;
        let mut depth = QueueDepth::default();
        for r in rows {
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            match state.as_str() {
                "queued" => depth.queued = n,
                "running" => depth.running = n,
                "done" => depth.done = n,
                _ => depth.dead += n,
            }
        }
        Ok(depth)
    }
}

/// Marks the job done inside the transaction that did its work. Returns false when the
/// lease was lost (another worker took the job): the caller must roll back.
pub(crate) async fn complete_in(
    tx: &mut Transaction<'_, Any>,
    job: &ClaimedJob,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $1, lease_owner = NULL, lease_until = NULL
         WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
    )
    .bind(now_micros())
    .bind(job.id.to_string())
    .bind(&job.lease_owner)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
