//! Versioned migrations, applied in order at start, each in its own transaction.

use crate::{Db, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, oldest first. Never edit one that has shipped: add the next.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "cases",
        sql: include_str!("../migrations/0001_cases.sql"),
    },
    Migration {
        version: 2,
        name: "audit",
        sql: include_str!("../migrations/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "access",
        sql: include_str!("../migrations/0003_access.sql"),
    },
    Migration {
        version: 4,
        name: "idempotency",
        sql: include_str!("../migrations/0004_idempotency.sql"),
    },
    Migration {
        version: 5,
        name: "handling",
        sql: include_str!("../migrations/0005_handling.sql"),
    },
    Migration {
        version: 6,
        name: "permit terms",
        sql: include_str!("../migrations/0006_permit_terms.sql"),
    },
    Migration {
        version: 7,
        name: "case event counter",
        sql: include_str!("../migrations/0007_case_event_counter.sql"),
    },
    Migration {
        version: 8,
        name: "deadlines",
        sql: include_str!("../migrations/0008_deadlines.sql"),
    },
    Migration {
        version: 9,
        name: "idempotent replies",
        sql: include_str!("../migrations/0009_idempotent_replies.sql"),
    },
    Migration {
        version: 10,
        name: "unanswered registers",
        sql: include_str!("../migrations/0010_unanswered_registers.sql"),
    },
    Migration {
        version: 11,
        name: "web sessions",
        sql: include_str!("../migrations/0011_web_sessions.sql"),
    },
    Migration {
        version: 12,
        name: "passwords",
        sql: include_str!("../migrations/0012_passwords.sql"),
    },
    Migration {
        version: 13,
        name: "audit search",
        sql: include_str!("../migrations/0013_audit_search.sql"),
    },
    Migration {
        version: 14,
        name: "rule proposals",
        sql: include_str!("../migrations/0014_rule_proposals.sql"),
    },
    Migration {
        version: 15,
        name: "decision facts",
        sql: include_str!("../migrations/0015_decision_facts.sql"),
    },
    Migration {
        version: 16,
        name: "idempotency_fingerprint",
        sql: include_str!("../migrations/0016_idempotency_fingerprint.sql"),
    },
    Migration {
        version: 17,
        name: "token_expiry_and_xroad",
        sql: include_str!("../migrations/0017_token_expiry_and_xroad.sql"),
    },
    Migration {
        version: 18,
        name: "event_detail",
        sql: include_str!("../migrations/0018_event_detail.sql"),
    },
    Migration {
        version: 19,
        name: "domain_events",
        sql: include_str!("../migrations/0019_domain_events.sql"),
    },
    Migration {
        version: 20,
        name: "reexamination",
        sql: include_str!("../migrations/0020_reexamination.sql"),
    },
    Migration {
        version: 21,
        name: "monitoring",
        sql: include_str!("../migrations/0021_monitoring.sql"),
    },
    Migration {
        version: 22,
        name: "monitoring_in_memory",
        sql: include_str!("../migrations/0022_monitoring_in_memory.sql"),
    },
    Migration {
        version: 23,
        name: "reexamination_answers",
        sql: include_str!("../migrations/0023_reexamination_answers.sql"),
    },
    Migration {
        version: 24,
        name: "indicator_history",
        sql: include_str!("../migrations/0024_indicator_history.sql"),
    },
    Migration {
        version: 25,
        name: "requests",
        sql: include_str!("../migrations/0025_requests.sql"),
    },
    Migration {
        version: 26,
        name: "notifications",
        sql: include_str!("../migrations/0026_notifications.sql"),
    },
    Migration {
        version: 27,
        name: "payments",
        sql: include_str!("../migrations/0027_payments.sql"),
    },
    Migration {
        version: 28,
        name: "identity",
        sql: include_str!("../migrations/0028_identity.sql"),
    },
    Migration {
        version: 29,
        name: "person_ids",
        sql: include_str!("../migrations/0029_person_ids.sql"),
    },
    Migration {
        version: 30,
        name: "flags",
        sql: include_str!("../migrations/0030_flags.sql"),
    },
];

pub(super) async fn run(db: &Db) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS polku_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(db.pool())
    .await?;
    for m in MIGRATIONS {
        let mut tx = db.begin_write().await?;
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM polku_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        let fail = |source| StoreError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        for statement in statements(m.sql) {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        sqlx::query("INSERT INTO polku_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_micros())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
    }
    Ok(())
}

/// The statements of a migration file: split on `;` at line ends, comments dropped.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(";\n").map(str::trim).filter(|s| {
        s.lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
    })
}
