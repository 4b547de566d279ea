//! Browser sessions: the cookie token of a signed-in visitor (stored only as its SHA-256)
//! and the CSRF token their forms carry. Only the pages have sessions; the API takes
//! bearer tokens (polku-access), so sessions live here, at the boundary that needs them
//! (ADR 0010 B4). Who the user is and what role they have is read from polku-access.

use polku_access::{Access, AccessError, Principal, random_token, token_hash};
use polku_store::{Db, StoreError, now_micros};
use sqlx::Row;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Access(#[from] AccessError),
}

impl From<sqlx::Error> for SessionError {
    fn from(e: sqlx::Error) -> Self {
        SessionError::Store(StoreError::Sql(e))
    }
}

/// The sessions in one database (table `web_sessions`, which only this module writes).
#[derive(Debug, Clone)]
pub struct Sessions {
    db: Db,
}

impl Sessions {
    pub fn new(db: Db) -> Sessions {
        Sessions { db }
    }

    /// Starts a session for `user`, valid for `hours`: returns the session token (for the
    /// cookie; shown once, stored hashed) and the session's CSRF token.
    pub async fn start(&self, user: Uuid, hours: i64) -> Result<(String, String), SessionError> {
        let token = random_token("polku_s_")?;
        let csrf = random_token("")?;
        let now = now_micros();
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user.to_string())
        .bind(&csrf)
        .bind(now)
        .bind(now + hours * 3_600_000_000)
        .execute(self.db.pool())
        .await?;
        Ok((token, csrf))
    }

    /// The user of a live session and its CSRF token; `None` when the token is unknown or
    /// expired, or its user is gone.
    pub async fn find(&self, token: &str) -> Result<Option<(Principal, String)>, SessionError> {
        let row = sqlx::query(
            "SELECT user_id, csrf FROM web_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now_micros())
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user: String = row.try_get("user_id")?;
        // A session row whose user id does not read is no session anyone can hold.
        let Ok(user) = Uuid::parse_str(&user) else {
            return Ok(None);
        };
        let csrf: String = row.try_get("csrf")?;
        let principal = Access::new(self.db.clone()).principal_of(user).await?;
        Ok(principal.map(|p| (p, csrf)))
    }

    /// Ends a session (signing out).
    pub async fn end(&self, token: &str) -> Result<(), SessionError> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}
