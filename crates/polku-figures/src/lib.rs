//! The programme's key figures, measured from the cases themselves (domain.md §1): how
//! many cases of each matter were decided automatically, how many within ten minutes of
//! submission, and why the machine referred the rest; and the monitoring of granted
//! permits in figures ([`monitoring`]).

pub mod monitoring;

use serde::Serialize;
use sqlx::Row;

use polku_decide::ReferralReason;
use polku_store::{Db, StoreError};

pub use monitoring::{MonitoringDay, MonitoringFigures, MonitoringTotals};

/// Ten minutes, in the microseconds times are stored in.
const TEN_MINUTES: i64 = 10 * 60 * 1_000_000;

/// One matter's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatterFigures {
    pub matter: String,
    pub cases: i64,
    /// Granted by the machine, no person involved.
    pub automatic_grants: i64,
    /// Decided (by anyone) within ten minutes of submission.
    pub decided_within_10_min: i64,
    pub referred: i64,
    pub evidence_requested: i64,
    /// Not yet through the pipeline.
    pub waiting: i64,
}

/// The spans the figures count time in, as inclusive upper limits in microseconds: a
/// minute, ten minutes, an hour, a day, longer.
pub const SPAN_LIMITS: [i64; 5] = [
    60_000_000,
    TEN_MINUTES,
    3_600_000_000,
    86_400_000_000,
    i64::MAX,
];

/// Cases that look the same to the figures, counted. The database groups them, so the
/// figures cost the same whether there are a thousand cases or a million: a few thousand
/// groups (matters × days × outcomes), never one row per case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactGroup {
    pub matter: String,
    /// The day of submission: days since 1970-01-01, UTC.
    pub day: i64,
    /// The application date the rules used (`YYYY-MM-DD`).
    pub filed: String,
    /// The first decision was the machine's grant.
    pub automatic_grant: bool,
    /// How long the first grant or refusal (by anyone) took, as an index into
    /// [`SPAN_LIMITS`]; `None` while undecided. A referral or a request for evidence is a
    /// finding, not a decision.
    pub took: Option<usize>,
    /// For an open case with no decision yet: how long it has waited (index into
    /// [`SPAN_LIMITS`]).
    pub waiting: Option<usize>,
    pub cases: i64,
}

impl FactGroup {
    pub fn decided_within_10_min(&self) -> bool {
        self.took.is_some_and(|t| SPAN_LIMITS[t] <= TEN_MINUTES)
    }
}

/// `expr` (microseconds) as the index of its span in [`SPAN_LIMITS`], in SQL.
fn span_sql(expr: &str) -> String {
    let mut sql = String::from("CASE");
    for (i, limit) in SPAN_LIMITS[..SPAN_LIMITS.len() - 1].iter().enumerate() {
        sql.push_str(&format!(" WHEN {expr} <= {limit} THEN {i}"));
    }
    sql.push_str(&format!(" ELSE {} END", SPAN_LIMITS.len() - 1));
    sql
}

/// The key figures of one database: read-only, grouped and counted by the database.
#[derive(Debug, Clone)]
pub struct Figures {
    db: Db,
}

/// Why the machine handed cases of one matter to a person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Referral {
    /// These registers did not answer (by name).
    Silent(Vec<String>),
    /// A condition, by its id: not met, or not known.
    Finding { condition: String, not_met: bool },
    /// The rules could not be applied.
    Error(String),
}

/// How many cases of a matter one reason appears in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralCount {
    pub matter: String,
    pub referral: Referral,
    pub cases: i64,
}

/// As an operator's terminal shows it: `matter: condition not_met`.
impl std::fmt::Display for ReferralCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.referral {
            Referral::Silent(registers) => write!(
                f,
                "{}: register did not answer ({})",
                self.matter,
                registers.join(", ")
            ),
            Referral::Finding { condition, not_met } => write!(
                f,
                "{}: {condition} {}",
                self.matter,
                if *not_met { "not_met" } else { "unknown" }
            ),
            Referral::Error(error) => write!(f, "{}: {error}", self.matter),
        }
    }
}

/// The waits the expected processing time is told in, as inclusive upper limits in
/// microseconds: ten minutes, an hour, a day, a week, 30 days, 90 days, half a year, longer.
pub const WAIT_LIMITS: [i64; 8] = [
    TEN_MINUTES,
    3_600_000_000,
    86_400_000_000,
    7 * 86_400_000_000,
    30 * 86_400_000_000,
    90 * 86_400_000_000,
    183 * 86_400_000_000,
    i64::MAX,
];

/// How long a matter's applications took from filing to their decision (an automated grant,
/// or a person's grant or refusal), among those decided in a window: how many, and how
/// many within each of [`WAIT_LIMITS`] (cumulative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingTimes {
    pub decided: i64,
    pub within: [i64; 8],
}

impl ProcessingTimes {
    /// The index into [`WAIT_LIMITS`] of the shortest wait within which `share` (0..=1) of
    /// the decided applications were decided; `None` when none were.
    pub fn wait_for(&self, share: f64) -> Option<usize> {
        if self.decided == 0 {
            return None;
        }
        let needed = (self.decided as f64 * share).ceil() as i64;
        self.within.iter().position(|n| *n >= needed)
    }
}

impl Figures {
    pub fn new(db: Db) -> Figures {
        Figures { db }
    }

    /// The processing times of `matter`'s applications decided since `since` (microseconds),
    /// counted by the database: one row, whatever the number of cases.
    pub async fn processing_times(
        &self,
        matter: &str,
        since: i64,
    ) -> Result<ProcessingTimes, StoreError> {
        let buckets: String = WAIT_LIMITS
            .iter()
            .enumerate()
            .map(|(i, limit)| format!(", SUM(CASE WHEN t <= {limit} THEN 1 ELSE 0 END) AS w{i}"))
            .collect();
        let sql = format!(
            "SELECT COUNT(*) AS n{buckets}
             FROM (SELECT MAX(d.decided_at) - c.created_at AS t
                   FROM cases c JOIN decisions d ON d.case_id = c.id
                   WHERE c.matter = $1 AND c.purpose = 'application' AND c.state = 'decided'
                     AND d.outcome IN ('grant', 'refuse') AND d.decided_at >= $2
                   GROUP BY c.id, c.created_at) x"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(matter)
            .bind(since)
            .fetch_one(self.db.pool())
            .await?;
        let mut within = [0i64; 8];
        for (i, w) in within.iter_mut().enumerate() {
            *w = row
                .try_get::<Option<i64>, _>(format!("w{i}").as_str())?
                .unwrap_or(0);
        }
        Ok(ProcessingTimes {
            decided: row.try_get("n")?,
            within,
        })
    }

    /// The cases' facts for the management figures, grouped and counted by the database;
    /// `now` (microseconds) dates the waiting cases' ages.
    pub async fn case_fact_groups(&self, now: i64) -> Result<Vec<FactGroup>, StoreError> {
        let sql = format!(
            "SELECT c.matter AS matter,
                    CAST(c.created_at / 86400000000 AS BIGINT) AS day,
                    c.application_date AS filed,
                    CAST(CASE WHEN d.automated = 1 AND d.outcome = 'grant' THEN 1 ELSE 0 END AS BIGINT) AS automatic,
                    CAST(CASE WHEN d.decided_at IS NULL THEN -1 ELSE {took} END AS BIGINT) AS took,
                    CAST(CASE WHEN d.decided_at IS NULL AND c.state NOT IN ('decided', 'withdrawn')
                              THEN {waited} ELSE -1 END AS BIGINT) AS waiting,
                    COUNT(*) AS cases
             FROM cases c
             LEFT JOIN decisions d ON d.case_id = c.id
                  AND d.decided_at = (SELECT MIN(d2.decided_at) FROM decisions d2
                                      WHERE d2.case_id = c.id AND d2.outcome IN ('grant', 'refuse'))
             GROUP BY 1, 2, 3, 4, 5, 6
             ORDER BY 2, 1",
            took = span_sql("d.decided_at - c.created_at"),
            waited = span_sql("$1 - c.created_at"),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(self.db.pool())
            .await?;
        let span = |v: i64| usize::try_from(v).ok().filter(|i| *i < SPAN_LIMITS.len());
        rows.iter()
            .map(|r| {
                Ok(FactGroup {
                    matter: r.try_get("matter")?,
                    day: r.try_get("day")?,
                    filed: r.try_get("filed")?,
                    automatic_grant: r.try_get::<i64, _>("automatic")? == 1,
                    took: span(r.try_get("took")?),
                    waiting: span(r.try_get("waiting")?),
                    cases: r.try_get("cases")?,
                })
            })
            .collect()
    }

    /// Per matter: cases, automatic grants, decisions within ten minutes, referrals.
    pub async fn matter_figures(&self) -> Result<Vec<MatterFigures>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.matter,
                    COUNT(*) AS cases,
                    SUM(CASE WHEN d.automated = 1 AND d.outcome = 'grant' THEN 1 ELSE 0 END) AS automatic,
                    SUM(CASE WHEN c.state = 'decided' AND d.decided_at - c.created_at <= $1 THEN 1 ELSE 0 END) AS fast,
                    SUM(CASE WHEN c.state = 'referred' THEN 1 ELSE 0 END) AS referred,
                    SUM(CASE WHEN c.state = 'evidence_requested' THEN 1 ELSE 0 END) AS evidence,
                    SUM(CASE WHEN c.state IN ('received', 'gathering_evidence', 'evaluated') THEN 1 ELSE 0 END) AS waiting
             FROM cases c
             LEFT JOIN decisions d ON d.case_id = c.id
                  AND d.decided_at = (SELECT MIN(d2.decided_at) FROM decisions d2 WHERE d2.case_id = c.id)
             GROUP BY c.matter ORDER BY c.matter",
        )
        .bind(TEN_MINUTES)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let n = |col: &str| -> Result<i64, sqlx::Error> {
                    Ok(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0))
                };
                Ok(MatterFigures {
                    matter: r.try_get("matter")?,
                    cases: n("cases")?,
                    automatic_grants: n("automatic")?,
                    decided_within_10_min: n("fast")?,
                    referred: n("referred")?,
                    evidence_requested: n("evidence")?,
                    waiting: n("waiting")?,
                })
            })
            .collect()
    }

    /// Why the machine referred cases or asked for evidence: each finding (a condition
    /// not met or not known, silent registers, an error) by matter, with the number of
    /// cases it appears in, most frequent first.
    pub async fn referral_reasons(&self) -> Result<Vec<ReferralCount>, StoreError> {
        let rows = sqlx::query(
            // Counted by the database per distinct reason (a few hundred), not read per case.
            "SELECT c.matter, e.detail_json, e.reason, COUNT(*) AS n FROM case_events e JOIN cases c ON c.id = e.case_id
             WHERE e.kind IN ('referred', 'evidence_requested') AND e.actor = 'polku-pipeline'
             GROUP BY c.matter, e.detail_json, e.reason",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut counts = std::collections::BTreeMap::<(String, Referral), i64>::new();
        for r in rows {
            let matter: String = r.try_get("matter")?;
            let detail: Option<String> = r.try_get("detail_json")?;
            let n: i64 = r.try_get("n")?;
            // The reason as data; events from before it was stored so are read from text.
            let reason = match detail
                .as_deref()
                .map(serde_json::from_str::<ReferralReason>)
            {
                Some(Ok(reason)) => reason,
                _ => {
                    let text: Option<String> = r.try_get("reason")?;
                    ReferralReason::from_legacy_text(&text.unwrap_or_default())
                }
            };
            if !reason.silent.is_empty() {
                *counts
                    .entry((matter.clone(), Referral::Silent(reason.silent.clone())))
                    .or_default() += n;
            }
            for (condition, status) in &reason.findings {
                let finding = Referral::Finding {
                    condition: condition.clone(),
                    not_met: status.code() == "not_met",
                };
                *counts.entry((matter.clone(), finding)).or_default() += n;
            }
            if let Some(error) = &reason.error {
                *counts
                    .entry((matter.clone(), Referral::Error(error.clone())))
                    .or_default() += n;
            }
        }
        let mut list: Vec<ReferralCount> = counts
            .into_iter()
            .map(|((matter, referral), cases)| ReferralCount {
                matter,
                referral,
                cases,
            })
            .collect();
        list.sort_by(|a, b| {
            b.cases
                .cmp(&a.cases)
                .then_with(|| (&a.matter, &a.referral).cmp(&(&b.matter, &b.referral)))
        });
        Ok(list)
    }

    /// For every automated decision, microseconds from submission to the recorded decision,
    /// and the span from the first submission to the last decision (benchmarks, KPIs).
    pub async fn decision_latencies(&self) -> Result<(Vec<i64>, i64), StoreError> {
        let rows = sqlx::query(
            "SELECT d.decided_at - c.created_at AS micros, c.created_at AS submitted, d.decided_at AS decided
             FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.automated = 1",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut latencies = Vec::with_capacity(rows.len());
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for r in &rows {
            latencies.push(r.try_get("micros")?);
            first = first.min(r.try_get("submitted")?);
            last = last.max(r.try_get("decided")?);
        }
        latencies.sort_unstable();
        Ok((latencies, if rows.is_empty() { 0 } else { last - first }))
    }
}

#[cfg(test)]
mod waits {
    use super::*;

    #[test]
    fn the_wait_for_a_share_is_the_shortest_that_holds_it() {
        let t = ProcessingTimes {
            decided: 10,
            within: [6, 6, 7, 8, 9, 10, 10, 10],
        };
        assert_eq!(t.wait_for(0.5), Some(0), "six of ten within ten minutes");
        assert_eq!(t.wait_for(0.9), Some(4), "nine within 30 days");
        assert_eq!(t.wait_for(1.0), Some(5));
        let none = ProcessingTimes {
            decided: 0,
            within: [0; 8],
        };
        assert_eq!(none.wait_for(0.5), None);
    }
}
