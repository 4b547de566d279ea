//! The alerts as handlers page through them: one state at a time, narrowed to a matter or a
//! watched condition, oldest first (by when the alert opened, then by id), with the number
//! the filter finds in all — a page never stands in for the whole.

use sqlx::Row;
use uuid::Uuid;

use crate::alert::{Alert, AlertState};
use crate::monitor::{Monitor, MonitorError, read_alert};
use polku_store::codec;

/// Which alerts a handler asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    pub state: AlertState,
    /// The matter the permit was granted in.
    pub matter: Option<String>,
    /// The watched condition that stopped holding.
    pub condition: Option<String>,
}

impl AlertFilter {
    /// The open alerts, of every matter and condition.
    pub fn open() -> AlertFilter {
        AlertFilter {
            state: AlertState::Open,
            matter: None,
            condition: None,
        }
    }
}

/// One page of the alerts a filter finds.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPage {
    /// How many alerts the filter finds in all.
    pub total: u64,
    /// Those on this page, oldest first.
    pub alerts: Vec<Alert>,
}

/// The most alerts one page holds.
pub const MAX_PAGE: u32 = 500;

impl Monitor {
    /// The alerts `filter` finds, oldest first, skipping `offset` and taking at most
    /// `limit` (1–[`MAX_PAGE`]), with their total.
    pub async fn alert_page(
        &self,
        filter: &AlertFilter,
        offset: u64,
        limit: u32,
    ) -> Result<AlertPage, MonitorError> {
        let limit = i64::from(limit.clamp(1, MAX_PAGE));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM monitoring_alerts
             WHERE state = $1 AND ($2 IS NULL OR matter = $2) AND ($3 IS NULL OR condition_id = $3)",
        )
        .bind(filter.state.code())
        .bind(filter.matter.clone())
        .bind(filter.condition.clone())
        .fetch_one(self.db.pool())
        .await?
        .try_get("n")?;
        let rows = sqlx::query(
            "SELECT * FROM monitoring_alerts
             WHERE state = $1 AND ($2 IS NULL OR matter = $2) AND ($3 IS NULL OR condition_id = $3)
             ORDER BY opened_at, id LIMIT $4 OFFSET $5",
        )
        .bind(filter.state.code())
        .bind(filter.matter.clone())
        .bind(filter.condition.clone())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.db.pool())
        .await?;
        let alerts = rows.iter().map(read_alert).collect::<Result<Vec<_>, _>>()?;
        Ok(AlertPage {
            total: u64::try_from(total).unwrap_or(0),
            alerts,
        })
    }

    /// The alert whose confirmation opened re-examination case `case`, if one did.
    pub async fn alert_of_case(&self, case: Uuid) -> Result<Option<Alert>, MonitorError> {
        let row =
            sqlx::query("SELECT opened_for FROM cases WHERE id = $1 AND purpose = 'reexamination'")
                .bind(case.to_string())
                .fetch_optional(self.db.pool())
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let Some(alert) = row.try_get::<Option<String>, _>("opened_for")? else {
            return Ok(None);
        };
        let alert = codec::uuid("cases", &case.to_string(), "opened_for", &alert)?;
        match self.alert(alert).await {
            Ok(a) => Ok(Some(a)),
            Err(MonitorError::NoSuchAlert(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
