//! The cases' handle on the database: [`Cases`] over a [`polku_store::Db`]. Each module of
//! this crate adds its methods to it (filing, the job queue, the pipeline's records,
//! decisions, permits, people's work). The other parts hold handles of their own over the
//! same [`Db`] (`polku_access::Access`, `polku_audit::AuditChain`, …).

use std::path::Path;

pub use polku_store::{Db, Dialect, MIGRATIONS, StoreError, Tx, now_micros};

/// The cases in a database (a connection pool with the schema migrated). Cloning shares
/// the pool.
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
}

/// A stored person id read back typed (`None`: not resolved).
pub(crate) fn stored_person(
    table: &'static str,
    key: impl std::fmt::Display,
    text: Option<String>,
) -> Result<Option<polku_identity::persons::PersonId>, polku_store::CorruptRow> {
    text.map(|p| p.parse())
        .transpose()
        .map_err(|e: polku_identity::persons::NotAPersonId| {
            polku_store::CorruptRow::new(table, key, "person_id", e)
        })
}
