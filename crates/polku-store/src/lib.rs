//! Storage: one connection pool and one schema on SQLite (the embedded default) or
//! PostgreSQL, migrated at start. Every part of Polku that keeps data opens its tables
//! through a [`Db`]; the migrations of all of them are one numbered sequence here (ADR 0004),
//! and each part writes only its own tables.
//!
//! The dialects differ in two small places: [`Dialect::claim_suffix`] (PostgreSQL locks the
//! job it claims with `FOR UPDATE SKIP LOCKED`, SQLite serialises writers anyway) and
//! [`Db::begin_write`] (SQLite takes its write lock at the start of a transaction).

pub mod codec;
mod migrate;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use codec::CorruptRow;
pub use migrate::MIGRATIONS;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL `{0}` is neither sqlite: nor postgres:")]
    UnsupportedUrl(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("`{0}` is not a schema name: use a-z, 0-9 and _")]
    BadSchemaName(String),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// A row that does not read back as what was written.
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// What the job claim's inner SELECT ends with.
    pub fn claim_suffix(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }
}

/// A transaction that writes (see [`Db::begin_write`]); functions that must join their
/// caller's transaction take `&mut Tx`.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A connection pool with the schema migrated. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
}

impl Db {
    /// The SQLite file `polku.db` in `dir`, created on first start, in WAL mode.
    pub async fn open_data_dir(dir: &Path) -> Result<Db, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("polku.db").display());
        Db::connect(&url).await
    }

    /// Connects to `sqlite:…` or `postgres://…` and applies the migrations not yet applied.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let dialect = Dialect::of(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        Db::connect_with(url, dialect, None).await
    }

    /// Like [`Db::connect`] on PostgreSQL, inside `schema` (created if missing): lets
    /// tests share one database without seeing each other.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Db, StoreError> {
        let dialect = Dialect::of(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        Db::connect_with(url, dialect, Some(schema.to_owned())).await
    }

    async fn connect_with(
        url: &str,
        dialect: Dialect,
        schema: Option<String>,
    ) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let options =
            AnyConnectOptions::from_str(url)?.log_statements(tracing::log::LevelFilter::Trace);
        if let Some(schema) = &schema {
            if schema.is_empty()
                || !schema
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(StoreError::BadSchemaName(schema.clone()));
            }
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&pool)
            .await?;
            pool.close().await;
        }
        let max = if dialect == Dialect::Sqlite { 4 } else { 8 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    match (dialect, schema) {
                        (Dialect::Sqlite, _) => {
                            // WAL lets readers work while one writer commits; wait for a
                            // busy writer instead of failing.
                            sqlx::query("PRAGMA journal_mode = WAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA busy_timeout = 5000")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA foreign_keys = ON")
                                .execute(&mut *conn)
                                .await?;
                            // 64 MiB of pages per connection (the default is 2 MiB): the
                            // indexes a batch of register events reaches at random stay
                            // in memory (docs/benchmarks.md, "Monitoring").
                            sqlx::query("PRAGMA cache_size = -65536")
                                .execute(&mut *conn)
                                .await?;
                        }
                        (Dialect::Postgres, Some(schema)) => {
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "SET search_path TO {schema}"
                            )))
                            .execute(&mut *conn)
                            .await?;
                        }
                        (Dialect::Postgres, None) => {}
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db { pool, dialect };
        migrate::run(&db).await?;
        Ok(db)
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails
    /// with "database is locked" when another writer committed in between, and waiting
    /// (busy_timeout) cannot help it.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }

    /// Drops a PostgreSQL schema made by [`Db::connect_in_schema`] (benchmarks, tests).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        if schema.is_empty()
            || !schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::BadSchemaName(schema.to_owned()));
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The pool, for reads (writes go through [`Db::begin_write`]).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Now, as stored: microseconds since the Unix epoch.
#[inline]
pub fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

#[cfg(feature = "testing")]
pub mod testing;
