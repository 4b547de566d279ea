//! The monitoring of granted permits in figures (docs/monitoring.md): register events
//! taken in per day, alerts opened, confirmed, dismissed and closed by themselves, and how
//! long a person took to handle an alert. Counted by the database per hour (never a row per
//! event or alert); the hours are laid into days in the time zone asked for (Finland's
//! offsets from UTC are whole hours, so an hour falls within one day).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use sqlx::Row;

use polku_store::{Db, StoreError};

const HOUR: i64 = 3_600_000_000;

/// One day's monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitoringDay {
    pub day: Date,
    /// Register events taken in that day (new or replayed once, as stored).
    pub events: i64,
    pub opened: i64,
    /// Confirmed by a person: a re-examination opened.
    pub confirmed: i64,
    /// Dismissed by a person, with reasons.
    pub dismissed: i64,
    /// Closed by themselves: the condition held again.
    pub closed: i64,
}

impl MonitoringDay {
    fn new(day: Date) -> MonitoringDay {
        MonitoringDay {
            day,
            events: 0,
            opened: 0,
            confirmed: 0,
            dismissed: 0,
            closed: 0,
        }
    }
}

/// Counts over a span of time.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonitoringTotals {
    pub events: i64,
    pub opened: i64,
    pub confirmed: i64,
    pub dismissed: i64,
    pub closed: i64,
    /// Alerts a person confirmed or dismissed.
    pub handled: i64,
    /// The median time from an alert's opening to a person's confirmation or dismissal,
    /// in hours (each counted in whole hours); `None` when none was handled.
    pub median_hours_to_handle: Option<f64>,
}

impl MonitoringTotals {
    /// The median time to handle, in days.
    pub fn median_days_to_handle(&self) -> Option<f64> {
        self.median_hours_to_handle.map(|h| h / 24.0)
    }
}

/// The monitoring's figures on a day: the last days one by one, those days together, and
/// all time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringFigures {
    /// Each of the last days, oldest first, today last; days with nothing included.
    pub days: Vec<MonitoringDay>,
    /// Those days together.
    pub recent: MonitoringTotals,
    /// Since monitoring began.
    pub all_time: MonitoringTotals,
    /// Alerts open now.
    pub open_now: i64,
}

/// The median of values given as `(value, how many)`, sorted by value.
fn median(histogram: &[(i64, i64)]) -> Option<f64> {
    let n: i64 = histogram.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    // The values at the middle positions (one when n is odd, two when even), 0-based.
    let at = |position: i64| {
        let mut seen = 0;
        for (value, count) in histogram {
            seen += count;
            if position < seen {
                return *value as f64;
            }
        }
        0.0
    };
    Some((at((n - 1) / 2) + at(n / 2)) / 2.0)
}

impl crate::Figures {
    /// The monitoring's figures for the `days` days up to `now` (today included) in `tz`.
    pub async fn monitoring_figures(
        &self,
        now: Timestamp,
        days: u16,
        tz: &TimeZone,
    ) -> Result<MonitoringFigures, StoreError> {
        let today = now.to_zoned(tz.clone()).date();
        let first = today
            .checked_sub(i64::from(days.max(1) - 1).days())
            .unwrap_or(today);
        let from = first
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .unwrap_or(0);
        let mut by_day: BTreeMap<Date, MonitoringDay> = (0..i64::from(days.max(1)))
            .filter_map(|k| first.checked_add(k.days()).ok())
            .map(|d| (d, MonitoringDay::new(d)))
            .collect();
        let day_of = |hour: i64| {
            Timestamp::from_microsecond(hour.saturating_mul(HOUR))
                .map(|t| t.to_zoned(tz.clone()).date())
                .ok()
        };
        let db = &self.db;
        let mut recent = MonitoringTotals::default();
        for (hour, n) in hourly(
            db,
            "SELECT CAST(received_at / 3600000000 AS BIGINT) AS hour, COUNT(*) AS n
             FROM register_events WHERE received_at >= $1 GROUP BY 1",
            from,
        )
        .await?
        {
            if let Some(d) = day_of(hour).and_then(|d| by_day.get_mut(&d)) {
                d.events += n;
                recent.events += n;
            }
        }
        for (hour, n) in hourly(
            db,
            "SELECT CAST(opened_at / 3600000000 AS BIGINT) AS hour, COUNT(*) AS n
             FROM monitoring_alerts WHERE opened_at >= $1 GROUP BY 1",
            from,
        )
        .await?
        {
            if let Some(d) = day_of(hour).and_then(|d| by_day.get_mut(&d)) {
                d.opened += n;
                recent.opened += n;
            }
        }
        let rows = sqlx::query(
            "SELECT state, CAST(closed_at / 3600000000 AS BIGINT) AS hour, COUNT(*) AS n
             FROM monitoring_alerts WHERE closed_at >= $1 GROUP BY 1, 2",
        )
        .bind(from)
        .fetch_all(db.pool())
        .await?;
        for r in rows {
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            let Some(d) = day_of(r.try_get("hour")?).and_then(|d| by_day.get_mut(&d)) else {
                continue;
            };
            let (day, total) = match state.as_str() {
                "confirmed" => (&mut d.confirmed, &mut recent.confirmed),
                "dismissed" => (&mut d.dismissed, &mut recent.dismissed),
                "closed" => (&mut d.closed, &mut recent.closed),
                _ => continue,
            };
            *day += n;
            *total += n;
        }
        let recent_handling = handling(db, from).await?;
        recent.handled = recent_handling.iter().map(|(_, n)| n).sum();
        recent.median_hours_to_handle = median(&recent_handling);

        let mut all_time = MonitoringTotals {
            events: sqlx::query("SELECT COUNT(*) AS n FROM register_events")
                .fetch_one(db.pool())
                .await?
                .try_get("n")?,
            ..MonitoringTotals::default()
        };
        let mut open_now = 0;
        for r in sqlx::query("SELECT state, COUNT(*) AS n FROM monitoring_alerts GROUP BY state")
            .fetch_all(db.pool())
            .await?
        {
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            all_time.opened += n;
            match state.as_str() {
                "open" => open_now += n,
                "confirmed" => all_time.confirmed += n,
                "dismissed" => all_time.dismissed += n,
                "closed" => all_time.closed += n,
                _ => {}
            }
        }
        let handled = handling(db, 0).await?;
        all_time.handled = handled.iter().map(|(_, n)| n).sum();
        all_time.median_hours_to_handle = median(&handled);
        Ok(MonitoringFigures {
            days: by_day.into_values().collect(),
            recent,
            all_time,
            open_now,
        })
    }
}

/// `(hour, count)` rows of a query grouped by hour, for times from `from`.
async fn hourly(db: &Db, sql: &'static str, from: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(sql).bind(from).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("hour")?, r.try_get("n")?)))
        .collect()
}

/// How many alerts, handled by a person from `from` on, took each number of whole hours,
/// by hours.
async fn handling(db: &Db, from: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT CAST((closed_at - opened_at) / 3600000000 AS BIGINT) AS hours, COUNT(*) AS n
         FROM monitoring_alerts
         WHERE state IN ('confirmed', 'dismissed') AND closed_at >= $1
         GROUP BY 1 ORDER BY 1",
    )
    .bind(from)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("hours")?, r.try_get("n")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_counted_values() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(5, 1)]), Some(5.0));
        assert_eq!(median(&[(1, 1), (3, 1)]), Some(2.0));
        assert_eq!(median(&[(1, 2), (10, 1)]), Some(1.0));
        assert_eq!(median(&[(0, 3), (24, 1), (48, 3)]), Some(24.0));
        assert_eq!(median(&[(2, 2), (4, 2)]), Some(3.0));
    }
}
