//! Who may do what: organisations, users with a role (domain brief §2) and API tokens.
//!
//! A token is 32 random bytes shown once as hex; only its SHA-256 is stored, so a copy of
//! the database does not let anyone call the API.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use polku_store::{Db, StoreError, codec, now_micros};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    CaseHandler,
    LegalOfficer,
    AsylumOfficer,
    ReceptionOfficer,
    ReturnCounsellor,
    Analyst,
    SecurityLiaison,
    Auditor,
    Administrator,
    /// A register's system that reports events about permit holders (monitoring): it
    /// only sends events, and reads nothing.
    RegisterFeed,
    /// A labour inspector of the occupational safety and health authority: reads the
    /// labour-exploitation indicators about employers (UlkL 86 § 4 mom.), and nothing else.
    LabourInspector,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Applicant,
        Role::CaseHandler,
        Role::LegalOfficer,
        Role::AsylumOfficer,
        Role::ReceptionOfficer,
        Role::ReturnCounsellor,
        Role::Analyst,
        Role::SecurityLiaison,
        Role::Auditor,
        Role::Administrator,
        Role::RegisterFeed,
        Role::LabourInspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::CaseHandler => "case_handler",
            Role::LegalOfficer => "legal_officer",
            Role::AsylumOfficer => "asylum_officer",
            Role::ReceptionOfficer => "reception_officer",
            Role::ReturnCounsellor => "return_counsellor",
            Role::Analyst => "analyst",
            Role::SecurityLiaison => "security_liaison",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
            Role::RegisterFeed => "register_feed",
            Role::LabourInspector => "labour_inspector",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("`{s}` is not a role; roles are {}", all.join(", "))
            })
    }
}

/// The caller behind a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    pub organisation: Option<String>,
    /// For an applicant: the person they are, whose cases they may see.
    pub person_id: Option<String>,
    /// The exchange layer's member and subsystem the credentials were issued to
    /// (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`): another organisation's system calling over
    /// X-Road. `None` for people (applicants, officials) and sessions.
    pub x_road_client: Option<String>,
}

/// How long a new API token is valid unless told otherwise.
pub const TOKEN_DAYS: i64 = 90;

/// What a new token carries besides its user.
#[derive(Debug, Clone, Default)]
pub struct TokenOptions {
    /// Days until it expires ([`TOKEN_DAYS`] when `None`).
    pub days: Option<i64>,
    /// The X-Road member and subsystem it is issued to, e.g. `FI/GOV/0245437-2/suomifi`.
    pub x_road_client: Option<String>,
}

/// A token as `polku tokens list` shows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The first 12 hex digits of the token's SHA-256: enough to name it, useless to use it.
    pub fingerprint: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub x_road_client: Option<String>,
}

/// Whether `id` reads as an X-Road client identifier: `INSTANCE/CLASS/MEMBER/SUBSYSTEM`,
/// each part 1–64 letters, digits, `-`, `_` or `.`.
pub fn is_x_road_client(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 64
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the role {0} belongs to an organisation: give --organisation")]
    OrganisationRequired(Role),
    #[error("an applicant must be a person: give --person")]
    PersonRequired,
    #[error("a token lives 1–3650 days, not {0}")]
    TokenDays(i64),
    #[error("`{0}` is not an X-Road client id: INSTANCE/CLASS/MEMBER/SUBSYSTEM")]
    XRoadClient(String),
    #[error("an applicant's token carries no X-Road identity")]
    ApplicantXRoad,
    #[error("`{0}` is not a token fingerprint (hex digits, from polku tokens list)")]
    Fingerprint(String),
    #[error("there is no user {0}")]
    NoSuchUser(Uuid),
    #[error("the stored role `{0}` is unknown")]
    BadRole(String),
    #[error("randomness is not available: {0}")]
    Random(String),
    #[error("a password must have at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccessError {
    fn from(e: sqlx::Error) -> Self {
        AccessError::Store(StoreError::Sql(e))
    }
}

/// How a token is stored: its SHA-256 in hex (a copy of the database lets nobody in).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hash of nothing anyone knows, checked when a username has no real one.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$kP3vYf0PXlX0Z8OHvQGk4a4lG7bYB8Rk2L8Xo8D2W8M";

/// A new password's stored form: Argon2id with the crate's default parameters and a
/// random salt, as a PHC string. [`DECOY_HASH`] must cost as much to check.
fn password_hash(password: &str) -> Result<String, AccessError> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccessError::Hashing(e.to_string()))
}

/// The shortest password accepted (NIST SP 800-63B asks for at least 8; officials' accounts
/// reach personal data, so more).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// 256 random bits from the operating system, hex, after `prefix`: for tokens.
pub fn random_token(prefix: &str) -> Result<String, AccessError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccessError::Random(e.to_string()))?;
    Ok(format!(
        "{prefix}{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

fn principal_from_row(row: &sqlx::any::AnyRow) -> Result<Principal, AccessError> {
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    Ok(Principal {
        user_id: codec::id("users", &id).map_err(StoreError::from)?,
        name: row.try_get("name")?,
        role: role
            .parse()
            .map_err(|_| AccessError::BadRole(role.clone()))?,
        organisation: row.try_get("organisation")?,
        person_id: row.try_get("person_id")?,
        x_road_client: row.try_get("x_road_client").unwrap_or(None),
    })
}

/// Who may do what, in a database: organisations, users, API tokens, passwords. (The pages'
/// sessions are polku-web's: only the pages have them.)
#[derive(Debug, Clone)]
pub struct Access {
    db: Db,
}

impl Access {
    pub fn new(db: Db) -> Access {
        Access { db }
    }

    /// Adds an organisation, or finds it by name.
    pub async fn organisation(&self, name: &str) -> Result<String, AccessError> {
        if let Some(row) = sqlx::query("SELECT id FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(self.db.pool())
            .await?
        {
            return Ok(row.try_get("id")?);
        }
        let id = Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(name)
            .bind(now_micros())
            .execute(self.db.pool())
            .await?;
        Ok(id)
    }

    /// Adds a user. Everyone but an applicant belongs to an organisation; an applicant is a person.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        organisation: Option<&str>,
        person_id: Option<&str>,
    ) -> Result<Uuid, AccessError> {
        let org_id = match (role, organisation) {
            (Role::Applicant, _) if person_id.is_none() => return Err(AccessError::PersonRequired),
            (Role::Applicant, _) => None,
            (_, None) => return Err(AccessError::OrganisationRequired(role)),
            (_, Some(org)) => Some(self.organisation(org).await?),
        };
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, name, role, organisation_id, person_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(role.as_str())
        .bind(org_id)
        .bind(person_id)
        .bind(now_micros())
        .execute(self.db.pool())
        .await?;
        Ok(id)
    }

    /// Creates a token for `user`, valid for [`TOKEN_DAYS`], and returns it: it cannot be
    /// shown again.
    pub async fn create_token(&self, user: Uuid, label: &str) -> Result<String, AccessError> {
        self.create_token_with(user, label, &TokenOptions::default())
            .await
    }

    /// Creates a token with `options`: its lifetime, and the X-Road member and subsystem it
    /// is issued to (only an official's account of another organisation may have one).
    pub async fn create_token_with(
        &self,
        user: Uuid,
        label: &str,
        options: &TokenOptions,
    ) -> Result<String, AccessError> {
        let Some(principal) = self.principal_of(user).await? else {
            return Err(AccessError::NoSuchUser(user));
        };
        let days = options.days.unwrap_or(TOKEN_DAYS);
        if !(1..=3650).contains(&days) {
            return Err(AccessError::TokenDays(days));
        }
        if let Some(client) = &options.x_road_client {
            if !is_x_road_client(client) {
                return Err(AccessError::XRoadClient(client.clone()));
            }
            if principal.role == Role::Applicant {
                return Err(AccessError::ApplicantXRoad);
            }
        }
        let token = random_token("polku_")?;
        let now = now_micros();
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at, x_road_client) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash(&token))
            .bind(user.to_string())
            .bind(label)
            .bind(now)
            .bind(now + days * 86_400_000_000)
            .bind(options.x_road_client.as_deref())
            .execute(self.db.pool())
            .await?;
        Ok(token)
    }

    /// `user`'s tokens, newest first, by fingerprint.
    pub async fn tokens_of(&self, user: Uuid) -> Result<Vec<TokenInfo>, AccessError> {
        let rows = sqlx::query(
            "SELECT token_hash, label, created_at, expires_at, revoked_at, x_road_client
             FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user.to_string())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let hash: String = r.try_get("token_hash")?;
                Ok(TokenInfo {
                    fingerprint: hash.chars().take(12).collect(),
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    x_road_client: r.try_get("x_road_client")?,
                })
            })
            .collect()
    }

    /// Revokes `user`'s tokens whose fingerprint starts with `fingerprint` (all of them
    /// when it is `None`); returns how many were revoked.
    pub async fn revoke_tokens(
        &self,
        user: Uuid,
        fingerprint: Option<&str>,
    ) -> Result<u64, AccessError> {
        let prefix = fingerprint.unwrap_or("");
        if !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AccessError::Fingerprint(prefix.to_owned()));
        }
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1
             WHERE user_id = $2 AND revoked_at IS NULL AND token_hash LIKE $3",
        )
        .bind(now_micros())
        .bind(user.to_string())
        // Hex digits only (checked above), so the pattern has no wildcard but its end.
        .bind(format!("{}%", prefix.to_ascii_lowercase()))
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The caller a token belongs to; `None` for an unknown or revoked token.
    pub async fn principal(&self, token: &str) -> Result<Option<Principal>, AccessError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, o.name AS organisation, u.person_id, t.x_road_client
             FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash(token))
        .bind(now_micros())
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(principal_from_row).transpose()
    }

    /// The user `id` as a principal.
    pub async fn principal_of(&self, id: Uuid) -> Result<Option<Principal>, AccessError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, o.name AS organisation, u.person_id, NULL AS x_road_client
             FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(principal_from_row).transpose()
    }

    /// Lets an official sign in to the web pages as `username` with `password`.
    pub async fn set_password(
        &self,
        user: Uuid,
        username: &str,
        password: &str,
    ) -> Result<(), AccessError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AccessError::WeakPassword);
        }
        let password = password.to_owned();
        // Argon2 is slow on purpose: off the async threads.
        let hash = tokio::task::spawn_blocking(move || password_hash(&password))
            .await
            .map_err(|e| AccessError::Hashing(e.to_string()))??;
        let done = sqlx::query("UPDATE users SET username = $1, password_hash = $2 WHERE id = $3")
            .bind(username)
            .bind(hash)
            .bind(user.to_string())
            .execute(self.db.pool())
            .await;
        match done {
            Ok(r) if r.rows_affected() == 1 => Ok(()),
            Ok(_) => Err(AccessError::NoSuchUser(user)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AccessError::UsernameTaken(username.to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The user `username` if `password` is theirs. An unknown username costs the same
    /// time as a wrong password, so that names cannot be probed.
    pub async fn check_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<Uuid>, AccessError> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.db.pool())
            .await?;
        let (id, hash) = match row {
            Some(r) => (
                Some(r.try_get::<String, _>("id")?),
                r.try_get::<Option<String>, _>("password_hash")?,
            ),
            None => (None, None),
        };
        let hash = hash.unwrap_or_else(|| DECOY_HASH.to_owned());
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            use argon2::password_hash::PasswordVerifier;
            argon2::password_hash::phc::PasswordHash::new(&hash)
                .map(|h| {
                    argon2::Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .map_err(|e| AccessError::Hashing(e.to_string()))?;
        match (ok, id) {
            (true, Some(id)) => Ok(Some(codec::id("users", &id).map_err(StoreError::from)?)),
            _ => Ok(None),
        }
    }

    /// The applicant account of a person identified strongly, made on first sign-in.
    pub async fn applicant_account(&self, person: &str, name: &str) -> Result<Uuid, AccessError> {
        let row = sqlx::query("SELECT id FROM users WHERE person_id = $1 AND role = 'applicant'")
            .bind(person)
            .fetch_optional(self.db.pool())
            .await?;
        match row {
            Some(r) => {
                let id: String = r.try_get("id")?;
                Ok(codec::id("users", &id).map_err(StoreError::from)?)
            }
            None => {
                self.add_user(name, Role::Applicant, None, Some(person))
                    .await
            }
        }
    }

    pub async fn revoke_token(&self, token: &str) -> Result<bool, AccessError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now_micros())
        .bind(token_hash(token))
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::phc::PasswordHash;

    /// An unknown username must cost what a wrong password costs: the decoy is checked
    /// with the same algorithm, version, memory, iterations, parallelism and output
    /// length as a password hash made now, so a cheap decoy (a smaller `m` or `t`, Argon2i,
    /// a malformed string that fails before hashing) fails this test.
    #[test]
    fn the_decoy_is_a_hash_that_takes_as_long_to_check_as_a_real_one() {
        let decoy = PasswordHash::new(super::DECOY_HASH).unwrap();
        let made = super::password_hash("a long enough password").unwrap();
        let real = PasswordHash::new(&made).unwrap();
        assert_eq!(decoy.algorithm, real.algorithm, "algorithm");
        assert_eq!(decoy.version, real.version, "version");
        let (d, r) = (
            argon2::Params::try_from(&decoy).unwrap(),
            argon2::Params::try_from(&real).unwrap(),
        );
        assert_eq!(
            (d.m_cost(), d.t_cost(), d.p_cost(), d.output_len()),
            (r.m_cost(), r.t_cost(), r.p_cost(), r.output_len()),
            "memory, iterations, parallelism, output length"
        );
        // Checking it runs Argon2 to the comparison: a wrong password, not a bad hash.
        use argon2::password_hash::PasswordVerifier;
        assert_eq!(
            argon2::Argon2::default().verify_password(b"anything", &decoy),
            Err(argon2::password_hash::Error::PasswordInvalid)
        );
    }
}
