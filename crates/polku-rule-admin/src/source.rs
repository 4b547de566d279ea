//! The approved proposals are the live rules' source: the cases crate asks for them through
//! its [`RuleSource`] trait and never names this crate.

use polku_cases::{RuleSource, SourceFuture};
use polku_decide::ApprovedText;
use polku_store::{StoreError, codec};
use sqlx::Row;

use crate::RuleAdmin;

/// The approved proposals are the changes the live rules lay over the shipped texts.
impl RuleSource for RuleAdmin {
    fn stamp(&self) -> SourceFuture<'_, (i64, i64)> {
        Box::pin(self.stamp())
    }

    fn approved(&self) -> SourceFuture<'_, Vec<ApprovedText>> {
        Box::pin(self.approved())
    }
}

impl RuleAdmin {
    /// (how many approved, the latest approval).
    async fn stamp(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(decided_at), 0) AS latest
             FROM rule_proposals WHERE state = 'approved'",
        )
        .fetch_one(self.db().pool())
        .await?;
        Ok((row.try_get("n")?, row.try_get("latest")?))
    }

    /// Every approved text, as the live rules lay it over the shipped ones.
    async fn approved(&self) -> Result<Vec<ApprovedText>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, rule_set, text, tests_text, effective_from, decided_at
             FROM rule_proposals WHERE state = 'approved'",
        )
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(ApprovedText {
                    id: codec::id("rule_proposals", &id)?,
                    rule_set: r.try_get("rule_set")?,
                    text: r.try_get("text")?,
                    tests_text: r.try_get("tests_text")?,
                    effective_from: r.try_get("effective_from")?,
                    decided_at: r.try_get("decided_at")?,
                })
            })
            .collect()
    }
}
