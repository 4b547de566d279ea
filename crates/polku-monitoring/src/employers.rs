//! The labour-exploitation indicators read for employers, from the watched permits' facts
//! ([`crate::indicators`]): for a labour inspector, one use-log line for each reading.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use polku_audit::Actor;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::error::MonitorError;
use crate::indicators::{self, Reading, WorkerFacts};
use crate::monitor::{Monitor, log_batch};

/// The indicators read for one employer.
#[derive(Debug, Clone, Serialize)]
pub struct EmployerIndicators {
    /// The business ID.
    pub employer: String,
    /// Watched permits tied to it.
    pub workers: usize,
    pub readings: Vec<Reading>,
}

impl EmployerIndicators {
    /// How many indicators were found.
    pub fn found(&self) -> usize {
        self.readings.iter().filter(|r| r.found).count()
    }
}

/// The purpose every reading of the indicators is logged with.
pub const INDICATORS_PURPOSE: &str = "labour-exploitation indicators for a labour inspector";

impl Monitor {
    /// The indicators for `employer`'s workers on `today`; one use-log line by `by`
    /// naming the workers whose facts were read.
    pub async fn employer_indicators(
        &self,
        employer: &str,
        today: Date,
        by: &Actor,
    ) -> Result<EmployerIndicators, MonitorError> {
        let workers = self.workers(Some(employer)).await?;
        let reexamined = self.reexamined_since(today).await?;
        let mine: Vec<&(Uuid, String, String, WorkerFacts)> =
            workers.iter().filter(|w| w.1 == employer).collect();
        let facts: Vec<WorkerFacts> = mine.iter().map(|w| w.3).collect();
        let ended = mine.iter().filter(|w| reexamined.contains(&w.0)).count();
        let persons: BTreeSet<&str> = mine.iter().map(|w| w.2.as_str()).collect();
        self.log_reading(by, json!({ "employer": employer, "persons": persons }))
            .await?;
        Ok(EmployerIndicators {
            employer: employer.to_owned(),
            workers: mine.len(),
            readings: indicators::read(&facts, ended, today),
        })
    }

    /// Every employer with at least one indicator found on `today`, most found first;
    /// one use-log line by `by`.
    pub async fn flagged_employers(
        &self,
        today: Date,
        by: &Actor,
    ) -> Result<Vec<EmployerIndicators>, MonitorError> {
        let (all, permits_read) = self.every_employer(today).await?;
        let mut flagged: Vec<EmployerIndicators> =
            all.into_iter().filter(|e| e.found() > 0).collect();
        flagged.sort_by(|a, b| {
            (b.found(), b.workers, &a.employer).cmp(&(a.found(), a.workers, &b.employer))
        });
        self.log_reading(
            by,
            json!({ "employers_flagged": flagged.len(), "persons": "every watched permit holder with an employer", "permits_read": permits_read }),
        )
        .await?;
        Ok(flagged)
    }

    /// Every employer's indicators on `today`, unordered, and how many permits' facts
    /// were read. The caller logs the reading.
    pub(crate) async fn every_employer(
        &self,
        today: Date,
    ) -> Result<(Vec<EmployerIndicators>, usize), MonitorError> {
        let workers = self.workers(None).await?;
        let reexamined = self.reexamined_since(today).await?;
        let mut by_employer: HashMap<&str, (Vec<WorkerFacts>, usize)> = HashMap::new();
        for (permit, employer, _, facts) in &workers {
            let e = by_employer.entry(employer.as_str()).or_default();
            e.0.push(*facts);
            e.1 += usize::from(reexamined.contains(permit));
        }
        let all = by_employer
            .into_iter()
            .map(|(employer, (facts, ended))| EmployerIndicators {
                employer: employer.to_owned(),
                workers: facts.len(),
                readings: indicators::read(&facts, ended, today),
            })
            .collect();
        Ok((all, workers.len()))
    }

    /// (permit, employer, person, facts) of the watched permits tied to an employer (to
    /// `only`, when given), from the memory made right first.
    async fn workers(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<(Uuid, String, String, WorkerFacts)>, MonitorError> {
        let schemas = self.schemas().await?;
        let mut state = self.state.lock().await;
        let mut tx = self.db.begin_write().await?;
        let claim = state.claim(&mut tx, &schemas).await?;
        tx.commit().await?;
        state.settle(claim);
        state.workers(only, &schemas)
    }

    /// The permits whose re-examination was opened (an alert confirmed) in the 12 months
    /// before `today`.
    async fn reexamined_since(&self, today: Date) -> Result<BTreeSet<Uuid>, MonitorError> {
        let since = today
            .checked_sub(jiff::Span::new().months(12))
            .unwrap_or(today)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_microsecond())
            .unwrap_or(0);
        let rows = sqlx::query(
            "SELECT DISTINCT permit_id FROM monitoring_alerts WHERE state = 'confirmed' AND closed_at >= $1",
        )
        .bind(since)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("permit_id")?;
                Ok(polku_store::codec::uuid(
                    "monitoring_alerts",
                    &id,
                    "permit_id",
                    &id,
                )?)
            })
            .collect()
    }

    async fn log_reading(&self, by: &Actor, detail: serde_json::Value) -> Result<(), MonitorError> {
        let mut tx = self.db.begin_write().await?;
        log_batch(&mut tx, by, INDICATORS_PURPOSE, detail).await?;
        tx.commit().await?;
        Ok(())
    }
}
