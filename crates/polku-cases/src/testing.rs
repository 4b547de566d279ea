//! Test support (feature `testing`): a fresh database per test, on SQLite or on the
//! PostgreSQL that `POLKU_TEST_DATABASE_URL` names, so one suite runs on both.

use crate::Cases;

/// A fresh database: a SQLite file in a temporary directory, or a schema of its own in
/// the PostgreSQL that `POLKU_TEST_DATABASE_URL` names.
pub struct TestDb {
    pub store: Cases,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("test database");
        let store = Cases::open_data_dir(dir.path())
            .await
            .expect("test database");
        TestDb {
            store,
            _dir: Some(dir),
            pg: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var("POLKU_TEST_DATABASE_URL").ok()?;
        let schema = format!("polku_test_{}", uuid::Uuid::now_v7().simple());
        let store = Cases::connect_in_schema(&url, &schema)
            .await
            .expect("test database");
        Some(TestDb {
            store,
            _dir: None,
            pg: Some((url, schema)),
        })
    }

    /// Runs SQL straight on the database, past the store: how a tamperer would.
    pub async fn raw(&self, sql: &str) {
        let (pool, mut conn) = self.raw_connection().await;
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *conn)
            .await
            .expect("test database");
        drop(conn);
        pool.close().await;
    }

    /// Reads rows straight from the database, past the store: how an auditor with the
    /// database and common tools would. Each value is a JSON integer, text or null.
    pub async fn rows(&self, sql: &str) -> Vec<Vec<serde_json::Value>> {
        use sqlx::{Column, Row};
        let (pool, mut conn) = self.raw_connection().await;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(&mut *conn)
            .await
            .expect("test database");
        drop(conn);
        pool.close().await;
        rows.iter()
            .map(|row| {
                (0..row.columns().len())
                    .map(|i| {
                        if let Ok(n) = row.try_get::<Option<i64>, _>(i) {
                            return n.map_or(serde_json::Value::Null, serde_json::Value::from);
                        }
                        match row.try_get::<Option<String>, _>(i) {
                            Ok(s) => s.map_or(serde_json::Value::Null, serde_json::Value::from),
                            Err(e) => panic!("column {}: {e}", row.columns()[i].name()),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// The one integer `sql` selects (a count, say).
    pub async fn count(&self, sql: &str) -> i64 {
        let rows = self.rows(sql).await;
        rows.first()
            .and_then(|r| r.first())
            .and_then(serde_json::Value::as_i64)
            .unwrap_or_else(|| panic!("`{sql}` selected no integer: {rows:?}"))
    }

    async fn raw_connection(&self) -> (sqlx::AnyPool, sqlx::pool::PoolConnection<sqlx::Any>) {
        sqlx::any::install_default_drivers();
        let (url, prefix) = match (&self.pg, &self._dir) {
            (Some((url, schema)), _) => (url.clone(), format!("SET search_path TO {schema}; ")),
            (None, Some(dir)) => (
                format!("sqlite://{}", dir.path().join("polku.db").display()),
                String::new(),
            ),
            (None, None) => unreachable!(),
        };
        let pool = sqlx::AnyPool::connect(&url).await.expect("test database");
        let mut conn = pool.acquire().await.expect("test database");
        if !prefix.is_empty() {
            sqlx::query(sqlx::AssertSqlSafe(prefix))
                .execute(&mut *conn)
                .await
                .expect("test database");
        }
        (pool, conn)
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.pg {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.expect("test database");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&pool)
                .await
                .expect("test database");
            pool.close().await;
        }
    }
}

/// Runs an async test on SQLite and, when `POLKU_TEST_DATABASE_URL` is set, on
/// PostgreSQL: `on_every_database!(name, test)` passes `&Cases`,
/// `on_every_database!(name, test, with_db)` passes `&TestDb`.
#[macro_export]
macro_rules! on_every_database {
    ($name:ident, $test:ident, with_db) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$test(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(polku_pg_tests),
                ignore = "POLKU_TEST_DATABASE_URL was not set when the tests were built"
            )]
            async fn postgres() {
                let db = $crate::testing::TestDb::postgres()
                    .await
                    .expect("POLKU_TEST_DATABASE_URL names the PostgreSQL to test on");
                super::$test(&db).await;
                db.finish().await;
            }
        }
    };
    ($name:ident, $test:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$test(&db.store).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(polku_pg_tests),
                ignore = "POLKU_TEST_DATABASE_URL was not set when the tests were built"
            )]
            async fn postgres() {
                let db = $crate::testing::TestDb::postgres()
                    .await
                    .expect("POLKU_TEST_DATABASE_URL names the PostgreSQL to test on");
                super::$test(&db.store).await;
                db.finish().await;
            }
        }
    };
}

/// Registers for tests that answer every person with the same facts: whatever the
/// application says of a register's facts is dropped, as the real gatherer does, and
/// `facts` (in the input schema's shape: `evidence`, `applicant`, `family`) take their place.
/// Use it where a test needs the registers' answer fixed; the register crate's own tests
/// use the simulators.
#[derive(Debug, Clone)]
pub struct FixedRegisters {
    pub facts: serde_json::Value,
}

impl crate::EvidenceSource for FixedRegisters {
    async fn gather(&self, case: &crate::Case) -> Result<crate::Gathered, crate::EvidenceError> {
        let mut application = polku_rules::schema::without_register_facts(&case.application);
        polku_rules::merge_patch(&mut application, &self.facts);
        Ok(crate::Gathered {
            application,
            unanswered: Vec::new(),
        })
    }
}

/// The matter most tests file: an employed person's extended residence permit.
pub const EXTENSION: &str = "fi.residence-permit.employed.extension";

/// A path relative to the repository's root (`rules`, `examples/…`).
pub fn repo_path(relative: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// The rules the repository ships (`rules/`), loaded once per test binary.
pub fn bundled_rules() -> std::sync::Arc<polku_rules::RuleBook> {
    static BOOK: std::sync::OnceLock<std::sync::Arc<polku_rules::RuleBook>> =
        std::sync::OnceLock::new();
    BOOK.get_or_init(|| {
        std::sync::Arc::new(
            polku_rules::RuleBook::load_dir(&repo_path("rules")).expect("the bundled rules load"),
        )
    })
    .clone()
}

/// The walk-through's application (`examples/employed-extension.json`): with the
/// evidence it carries, the rules grant it.
pub fn walkthrough_application() -> serde_json::Value {
    let text = std::fs::read_to_string(repo_path("examples/employed-extension.json"))
        .expect("the walk-through's application");
    serde_json::from_str(&text).expect("the walk-through's application is JSON")
}
