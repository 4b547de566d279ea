//! Test support (feature `testing`): a fresh database per test, on SQLite or on the
//! PostgreSQL that `POLKU_TEST_DATABASE_URL` names, so one suite runs on both; every
//! part's tests build on it (polku-cases's `TestDb` wraps this one).

use crate::Db;

/// A fresh database: a SQLite file in a temporary directory, or a schema of its own in
/// the PostgreSQL that `POLKU_TEST_DATABASE_URL` names.
pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("test database");
        let db = Db::open_data_dir(dir.path()).await.expect("test database");
        TestDb {
            db,
            _dir: Some(dir),
            pg: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var("POLKU_TEST_DATABASE_URL").ok()?;
        let schema = format!("polku_test_{}", uuid::Uuid::now_v7().simple());
        let db = Db::connect_in_schema(&url, &schema)
            .await
            .expect("test database");
        Some(TestDb {
            db,
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
        self.db.close().await;
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
/// PostgreSQL: `on_every_database!(name, test)` passes `&TestDb`.
#[macro_export]
macro_rules! on_every_database {
    ($name:ident, $test:ident) => {
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
}
