//! The first answer to an idempotent request, kept so that a retry with the same
//! `Idempotency-Key` gets it again (table `idempotent_replies`, which only this module
//! writes). An HTTP answer is the API's business, so it is kept here, with its status as
//! a status code, not in the case store (ADR 0010 T8).

use axum::http::StatusCode;
use polku_store::{CorruptRow, Db, StoreError, now_micros};
use sqlx::Row;

/// An answer as first given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    /// What was asked (method and path, and the body's fingerprint).
    pub request: String,
    pub status: StatusCode,
    /// The JSON body.
    pub body: String,
}

/// The kept answers in one database.
#[derive(Debug, Clone)]
pub struct Replies {
    db: Db,
}

impl Replies {
    pub fn new(db: Db) -> Replies {
        Replies { db }
    }

    /// The answer kept for `user`'s request with `key`, if any.
    pub async fn first(&self, user: &str, key: &str) -> Result<Option<StoredReply>, StoreError> {
        let row = sqlx::query(
            "SELECT request, status, body FROM idempotent_replies WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let status: i32 = r.try_get("status")?;
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| {
                CorruptRow::new(
                    "idempotent_replies",
                    format!("{user}/{key}"),
                    "status",
                    format!("{status} is not an HTTP status"),
                )
            })?;
        Ok(Some(StoredReply {
            request: r.try_get("request")?,
            status,
            body: r.try_get("body")?,
        }))
    }

    /// Keeps the first answer to `user`'s request with `key`; a second answer for the
    /// same key (a concurrent retry) is not kept.
    pub async fn keep(&self, user: &str, key: &str, reply: &StoredReply) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO idempotent_replies (user_id, key, request, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user)
        .bind(key)
        .bind(&reply.request)
        .bind(i32::from(reply.status.as_u16()))
        .bind(&reply.body)
        .bind(now_micros())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}
