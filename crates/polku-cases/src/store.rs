//! The core's handle on the database: [`Cases`] over a [`polku_store::Db`]. The parts still
//! in this crate add their methods to it; as they move to crates of their own (ADR 0010),
//! its methods stay behind as forwards to their handles, so no caller changes at once.

use std::path::Path;

use polku_access::{Access, AccessError, Principal, Role, TokenInfo, TokenOptions};
use polku_audit::{
    Anchor, AnchorError, AnchorFile, AnchorKey, AnchorLine, AnchorReport, AuditChain, AuditEntry,
    AuditLog, AuditQuery, AuditRow, ChainReport, VerifyingKey,
};
use polku_figures::{FactGroup, Figures, MatterFigures};
use uuid::Uuid;

pub use polku_store::{Db, Dialect, MIGRATIONS, StoreError, Tx, now_micros};

/// A connection pool with the schema migrated. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Cases {
    pub(crate) db: Db,
}

impl From<Db> for Cases {
    fn from(db: Db) -> Self {
        Cases { db }
    }
}

impl Cases {
    /// The SQLite file `polku.db` in `dir`, created on first start, in WAL mode.
    pub async fn open_data_dir(dir: &Path) -> Result<Cases, StoreError> {
        Ok(Db::open_data_dir(dir).await?.into())
    }

    /// Connects to `sqlite:…` or `postgres://…` and applies the migrations not yet applied.
    pub async fn connect(url: &str) -> Result<Cases, StoreError> {
        Ok(Db::connect(url).await?.into())
    }

    /// Like [`Cases::connect`] on PostgreSQL, inside `schema` (created if missing): lets
    /// tests share one database without seeing each other.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Cases, StoreError> {
        Ok(Db::connect_in_schema(url, schema).await?.into())
    }

    /// The database under this store, for the crates that take a [`Db`].
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Drops a PostgreSQL schema made by [`Cases::connect_in_schema`] (benchmarks, tests).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        self.db.drop_schema(schema).await
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Begins a transaction that will write (see [`Db::begin_write`]).
    pub(crate) async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.db.begin_write().await
    }

    /// The audit chain in this database.
    pub fn audit_chain(&self) -> AuditChain {
        AuditChain::new(self.db.clone())
    }

    /// The rows that match, newest first ([`AuditChain::search`]).
    pub async fn search_audit(&self, q: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
        self.audit_chain().search(q).await
    }

    /// How many entries `log` holds.
    pub async fn audit_count(&self, log: AuditLog) -> Result<i64, StoreError> {
        self.audit_chain().count(log).await
    }

    /// Appends several entries in one transaction.
    pub async fn audit_all(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.audit_chain().append_all(entries).await
    }

    /// Appends one entry on its own (a read, a disclosure).
    pub async fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        self.audit_chain().append(entry).await
    }

    /// Checks every row of the chain in order ([`AuditChain::verify`]).
    pub async fn verify_audit(&self) -> Result<ChainReport, StoreError> {
        self.audit_chain().verify().await
    }

    /// The chain's head: its last row's `seq` and `hash`.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        self.audit_chain().head().await
    }

    /// Signs the chain's head into `file` ([`AuditChain::anchor`]).
    pub async fn anchor_audit(
        &self,
        key: &AnchorKey,
        file: &AnchorFile,
    ) -> Result<Option<Anchor>, AnchorError> {
        self.audit_chain().anchor(key, file).await
    }

    /// Checks every anchor in `lines` ([`AuditChain::verify_anchors`]).
    pub async fn verify_anchors(
        &self,
        lines: &[AnchorLine],
        key: &VerifyingKey,
    ) -> Result<AnchorReport, StoreError> {
        self.audit_chain().verify_anchors(lines, key).await
    }

    /// Who may do what in this database.
    pub fn access(&self) -> Access {
        Access::new(self.db.clone())
    }

    /// Adds an organisation, or finds it by name.
    pub async fn organisation(&self, name: &str) -> Result<String, AccessError> {
        self.access().organisation(name).await
    }

    /// Adds a user. Everyone but an applicant belongs to an organisation; an applicant is a person.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        organisation: Option<&str>,
        person_id: Option<&str>,
    ) -> Result<Uuid, AccessError> {
        self.access()
            .add_user(name, role, organisation, person_id)
            .await
    }

    /// Creates a token for `user`, valid for [`TOKEN_DAYS`], and returns it: it cannot be
    /// shown again.
    pub async fn create_token(&self, user: Uuid, label: &str) -> Result<String, AccessError> {
        self.access().create_token(user, label).await
    }

    /// Creates a token with `options`: its lifetime, and the X-Road member and subsystem it
    /// is issued to (only an official's account of another organisation may have one).
    pub async fn create_token_with(
        &self,
        user: Uuid,
        label: &str,
        options: &TokenOptions,
    ) -> Result<String, AccessError> {
        self.access().create_token_with(user, label, options).await
    }

    /// `user`'s tokens, newest first, by fingerprint.
    pub async fn tokens_of(&self, user: Uuid) -> Result<Vec<TokenInfo>, AccessError> {
        self.access().tokens_of(user).await
    }

    /// Revokes `user`'s tokens whose fingerprint starts with `fingerprint` (all of them
    /// when it is `None`); returns how many were revoked.
    pub async fn revoke_tokens(
        &self,
        user: Uuid,
        fingerprint: Option<&str>,
    ) -> Result<u64, AccessError> {
        self.access().revoke_tokens(user, fingerprint).await
    }

    /// The caller a token belongs to; `None` for an unknown or revoked token.
    pub async fn principal(&self, token: &str) -> Result<Option<Principal>, AccessError> {
        self.access().principal(token).await
    }

    /// The user `id` as a principal.
    pub async fn principal_of(&self, id: Uuid) -> Result<Option<Principal>, AccessError> {
        self.access().principal_of(id).await
    }

    /// Lets an official sign in to the web pages as `username` with `password`.
    pub async fn set_password(
        &self,
        user: Uuid,
        username: &str,
        password: &str,
    ) -> Result<(), AccessError> {
        self.access().set_password(user, username, password).await
    }

    /// The user `username` if `password` is theirs. An unknown username costs the same
    /// time as a wrong password, so that names cannot be probed.
    pub async fn check_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<Uuid>, AccessError> {
        self.access().check_password(username, password).await
    }

    /// The applicant account of a person identified strongly, made on first sign-in.
    pub async fn applicant_account(&self, person: &str, name: &str) -> Result<Uuid, AccessError> {
        self.access().applicant_account(person, name).await
    }

    pub async fn revoke_token(&self, token: &str) -> Result<bool, AccessError> {
        self.access().revoke_token(token).await
    }

    /// The key figures of this database (read-only).
    pub fn figures(&self) -> Figures {
        Figures::new(self.db.clone())
    }

    /// The case facts the key figures group, as of `now` ([`Figures::case_fact_groups`]).
    pub async fn case_fact_groups(&self, now: i64) -> Result<Vec<FactGroup>, StoreError> {
        self.figures().case_fact_groups(now).await
    }

    /// Each matter's decided and automated counts ([`Figures::matter_figures`]).
    pub async fn matter_figures(&self) -> Result<Vec<MatterFigures>, StoreError> {
        self.figures().matter_figures().await
    }

    /// Why the machine referred cases, most frequent first ([`Figures::referral_reasons`]).
    pub async fn referral_reasons(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.figures().referral_reasons().await
    }

    /// Submission-to-decision latencies of automated decisions ([`Figures::decision_latencies`]).
    pub async fn decision_latencies(&self) -> Result<(Vec<i64>, i64), StoreError> {
        self.figures().decision_latencies().await
    }
}
