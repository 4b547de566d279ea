//! The labour-exploitation indicators kept month by month, so that a labour inspector
//! sees an employer's indicators over time: a reading of every employer
//! ([`Monitor::record_indicators`]) replaces its month's rows; `serve` reads once a day.
//! Only employers with an indicator found are kept — an employer without a row in a
//! month that was read had nothing found that month — and only counts of workers, never
//! who they are.

use jiff::civil::Date;
use polku_audit::Actor;
use polku_store::{CorruptRow, now_micros};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::employers::EmployerIndicators;
use crate::error::MonitorError;
use crate::indicators::{IndicatorKind, Reading};
use crate::monitor::{Monitor, log_batch};
use crate::sql;

/// The purpose a recording of every employer's indicators is logged with.
pub const RECORD_PURPOSE: &str = "labour-exploitation indicators recorded for labour inspectors";

/// A month whose indicators were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndicatorMonth {
    /// The month's first day.
    pub month: Date,
    /// The day of its latest reading.
    pub read_on: Date,
    /// Employers read.
    pub employers: usize,
    /// Employers with at least one indicator found.
    pub flagged: usize,
}

/// One employer's indicators in one month that was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerMonth {
    pub month: IndicatorMonth,
    /// The employer's watched permits then; `None`: nothing was found that month, and
    /// only what was found is kept.
    pub workers: Option<usize>,
    /// Every indicator's reading then; empty when nothing was found.
    pub readings: Vec<Reading>,
}

/// `month`'s first day as it is stored: `2026-12`.
fn month_key(month: Date) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

fn read_month(row: &sqlx::any::AnyRow) -> Result<IndicatorMonth, MonitorError> {
    let key: String = row.try_get("month")?;
    let corrupt =
        |field: &'static str, e: String| CorruptRow::new("indicator_months", &key, field, e);
    let month: Date = format!("{key}-01")
        .parse()
        .map_err(|e: jiff::Error| corrupt("month", e.to_string()))?;
    let read_on: String = row.try_get("read_on")?;
    let count = |field: &'static str| -> Result<usize, MonitorError> {
        let n: i64 = row.try_get(field)?;
        Ok(usize::try_from(n).map_err(|e| corrupt(field, e.to_string()))?)
    };
    Ok(IndicatorMonth {
        month,
        read_on: read_on
            .parse()
            .map_err(|e: jiff::Error| corrupt("read_on", e.to_string()))?,
        employers: count("employers")?,
        flagged: count("flagged")?,
    })
}

/// One stored reading: (employer, month key, workers, reading).
fn read_reading(row: &sqlx::any::AnyRow) -> Result<(String, String, usize, Reading), MonitorError> {
    let employer: String = row.try_get("employer")?;
    let corrupt =
        |field: &'static str, e: String| CorruptRow::new("indicator_readings", &employer, field, e);
    let kind: String = row.try_get("kind")?;
    let kind = IndicatorKind::from_code(&kind)
        .ok_or_else(|| corrupt("kind", format!("no indicator {kind:?}")))?;
    let size = |field: &'static str, n: i64| -> Result<usize, MonitorError> {
        Ok(usize::try_from(n).map_err(|e| corrupt(field, e.to_string()))?)
    };
    let count: Option<i64> = row.try_get("count")?;
    let found: i64 = row.try_get("found")?;
    let reading = Reading {
        kind,
        count: count.map(|n| size("count", n)).transpose()?,
        threshold: size("threshold", row.try_get("threshold")?)?,
        found: found != 0,
    };
    Ok((
        employer.clone(),
        row.try_get("month")?,
        size("workers", row.try_get("workers")?)?,
        reading,
    ))
}

impl Monitor {
    /// Reads every employer's indicators on `today` and keeps those found as `today`'s
    /// month's readings, replacing what the month held; one use-log line by `by`.
    pub async fn record_indicators(
        &self,
        today: Date,
        by: &Actor,
    ) -> Result<IndicatorMonth, MonitorError> {
        let (all, permits_read) = self.every_employer(today).await?;
        let flagged: Vec<&EmployerIndicators> = all.iter().filter(|e| e.found() > 0).collect();
        let month = today.first_of_month();
        let key = month_key(month);
        let dialect = self.db.dialect();
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM indicator_readings WHERE month = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        let rows: Vec<(&str, usize, &Reading)> = flagged
            .iter()
            .flat_map(|e| {
                e.readings
                    .iter()
                    .map(|r| (e.employer.as_str(), e.workers, r))
            })
            .collect();
        for chunk in rows.chunks(sql::rows_per_statement(7)) {
            let text = format!(
                "INSERT INTO indicator_readings (employer, month, kind, workers, count, threshold, found) VALUES {}",
                sql::groups(dialect, chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for (employer, workers, r) in chunk {
                q = q
                    .bind(*employer)
                    .bind(&key)
                    .bind(r.kind.code())
                    .bind(as_i64(*workers))
                    .bind(r.count.map(as_i64))
                    .bind(as_i64(r.threshold))
                    .bind(i64::from(r.found));
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO indicator_months (month, read_on, read_at, employers, flagged) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (month) DO UPDATE SET read_on = excluded.read_on, read_at = excluded.read_at, \
             employers = excluded.employers, flagged = excluded.flagged",
        )
            .bind(&key)
            .bind(today.to_string())
            .bind(now_micros())
            .bind(as_i64(all.len()))
            .bind(as_i64(flagged.len()))
            .execute(&mut *tx)
            .await?;
        log_batch(
            &mut tx,
            by,
            RECORD_PURPOSE,
            json!({
                "month": key,
                "employers_read": all.len(),
                "employers_flagged": flagged.len(),
                "permits_read": permits_read,
                "persons": "every watched permit holder with an employer",
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(month = %key, employers = all.len(), flagged = flagged.len(), "labour-exploitation indicators recorded");
        Ok(IndicatorMonth {
            month,
            read_on: today,
            employers: all.len(),
            flagged: flagged.len(),
        })
    }

    /// As [`Monitor::record_indicators`], unless `today`'s month was read `today`
    /// already: then `None`.
    pub async fn record_indicators_if_due(
        &self,
        today: Date,
        by: &Actor,
    ) -> Result<Option<IndicatorMonth>, MonitorError> {
        let latest = self.indicator_months(1).await?;
        if latest
            .first()
            .is_some_and(|m| m.month == today.first_of_month() && m.read_on >= today)
        {
            return Ok(None);
        }
        Ok(Some(self.record_indicators(today, by).await?))
    }

    /// The latest `n` months whose indicators were read, the latest first.
    pub async fn indicator_months(&self, n: usize) -> Result<Vec<IndicatorMonth>, MonitorError> {
        let rows = sqlx::query(
            "SELECT month, read_on, employers, flagged FROM indicator_months ORDER BY month DESC LIMIT $1",
        )
        .bind(as_i64(n))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(read_month).collect()
    }

    /// The employers with an indicator found in `month` (with `kind` found, when given),
    /// most found first, then most workers, then by business ID: `limit` from `offset`,
    /// and how many there are in all.
    pub async fn flagged_in(
        &self,
        month: Date,
        kind: Option<IndicatorKind>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<EmployerIndicators>, usize), MonitorError> {
        let rows = sqlx::query(
            "SELECT employer, month, kind, workers, count, threshold, found FROM indicator_readings WHERE month = $1",
        )
        .bind(month_key(month))
        .fetch_all(self.db.pool())
        .await?;
        let mut by_employer: std::collections::BTreeMap<String, EmployerIndicators> =
            std::collections::BTreeMap::new();
        for row in &rows {
            let (employer, _, workers, reading) = read_reading(row)?;
            by_employer
                .entry(employer.clone())
                .or_insert_with(|| EmployerIndicators {
                    employer,
                    workers,
                    readings: Vec::new(),
                })
                .readings
                .push(reading);
        }
        let mut all: Vec<EmployerIndicators> = by_employer
            .into_values()
            .filter(|e| kind.is_none_or(|k| e.readings.iter().any(|r| r.kind == k && r.found)))
            .map(|mut e| {
                e.readings.sort_by_key(|r| r.kind);
                e
            })
            .collect();
        all.sort_by(|a, b| {
            (b.found(), b.workers, &a.employer).cmp(&(a.found(), a.workers, &b.employer))
        });
        let total = all.len();
        Ok((all.into_iter().skip(offset).take(limit).collect(), total))
    }

    /// `employer`'s indicators in each of the latest `months` months that were read, the
    /// latest first.
    pub async fn employer_history(
        &self,
        employer: &str,
        months: usize,
    ) -> Result<Vec<EmployerMonth>, MonitorError> {
        let read = self.indicator_months(months).await?;
        let rows = sqlx::query(
            "SELECT employer, month, kind, workers, count, threshold, found FROM indicator_readings WHERE employer = $1",
        )
        .bind(employer)
        .fetch_all(self.db.pool())
        .await?;
        let mut kept = Vec::with_capacity(rows.len());
        for row in &rows {
            kept.push(read_reading(row)?);
        }
        Ok(read
            .into_iter()
            .map(|month| {
                let key = month_key(month.month);
                let mut readings: Vec<Reading> = kept
                    .iter()
                    .filter(|(_, m, _, _)| *m == key)
                    .map(|(_, _, _, r)| *r)
                    .collect();
                readings.sort_by_key(|r| r.kind);
                let workers = kept
                    .iter()
                    .find(|(_, m, _, _)| *m == key)
                    .map(|(_, _, w, _)| *w);
                EmployerMonth {
                    month,
                    workers,
                    readings,
                }
            })
            .collect())
    }
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
