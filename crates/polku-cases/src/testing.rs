//! Test support (feature `testing`): a fresh database per test with the cases' handle on
//! it (polku-store's `TestDb` underneath, so one suite runs on SQLite and PostgreSQL), the
//! bundled rules, the walk-through's application and registers with fixed answers.

use crate::Cases;

/// A fresh database (polku-store's [`polku_store::testing::TestDb`], whose raw SQL helpers
/// it derefs to) and the cases in it.
pub struct TestDb {
    pub store: Cases,
    db: polku_store::testing::TestDb,
}

impl std::ops::Deref for TestDb {
    type Target = polku_store::testing::TestDb;

    fn deref(&self) -> &Self::Target {
        &self.db
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        TestDb::over(polku_store::testing::TestDb::sqlite().await)
    }

    pub async fn postgres() -> Option<TestDb> {
        Some(TestDb::over(
            polku_store::testing::TestDb::postgres().await?,
        ))
    }

    fn over(db: polku_store::testing::TestDb) -> TestDb {
        TestDb {
            store: Cases::from(db.db.clone()),
            db,
        }
    }

    pub async fn finish(self) {
        self.db.finish().await;
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
            subject: None,
            person_ids: Vec::new(),
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
