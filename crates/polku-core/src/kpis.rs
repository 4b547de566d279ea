//! The programme's key figures, measured from the cases themselves (domain.md §1): how
//! many cases of each matter were decided automatically, how many within ten minutes of
//! submission, and why the machine referred the rest.

use serde::Serialize;
use sqlx::Row;

use crate::cases::CaseError;
use crate::store::Store;

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

/// One case as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFacts {
    pub matter: String,
    /// Microseconds since the Unix epoch.
    pub submitted_at: i64,
    /// When it was first granted or refused (by anyone), if it has been.
    pub first_decision_at: Option<i64>,
    /// The first decision was the machine's grant.
    pub automatic_grant: bool,
    /// Still waiting for the machine, a person or the applicant.
    pub open: bool,
}

impl Store {
    /// Every case's facts for the management figures, oldest first.
    pub async fn case_facts(&self) -> Result<Vec<CaseFacts>, CaseError> {
        let rows = sqlx::query(
            "SELECT c.matter, c.created_at, c.state, d.decided_at, d.automated, d.outcome
             FROM cases c
             LEFT JOIN decisions d ON d.case_id = c.id
                  AND d.decided_at = (SELECT MIN(d2.decided_at) FROM decisions d2
                                      WHERE d2.case_id = c.id AND d2.outcome IN ('grant', 'refuse'))
             ORDER BY c.created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                let outcome: Option<String> = r.try_get("outcome")?;
                let automated: Option<i32> = r.try_get("automated")?;
                Ok(CaseFacts {
                    matter: r.try_get("matter")?,
                    submitted_at: r.try_get("created_at")?,
                    // The first grant or refusal: a referral or a request for evidence is
                    // a finding, not a decision.
                    first_decision_at: r.try_get("decided_at")?,
                    automatic_grant: automated == Some(1) && outcome.as_deref() == Some("grant"),
                    open: !matches!(state.as_str(), "decided" | "withdrawn"),
                })
            })
            .collect()
    }

    /// Per matter: cases, automatic grants, decisions within ten minutes, referrals.
    pub async fn matter_figures(&self) -> Result<Vec<MatterFigures>, CaseError> {
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
        .fetch_all(&self.pool)
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

    /// Why the machine referred cases or asked for evidence: each finding (`condition
    /// status`, or a silent register) with the number of cases it appears in, most
    /// frequent first.
    pub async fn referral_reasons(&self) -> Result<Vec<(String, i64)>, CaseError> {
        let rows = sqlx::query(
            "SELECT c.matter, e.reason FROM case_events e JOIN cases c ON c.id = e.case_id
             WHERE e.kind IN ('referred', 'evidence_requested') AND e.actor = 'polku-pipeline'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counts = std::collections::BTreeMap::<String, i64>::new();
        for r in rows {
            let matter: String = r.try_get("matter")?;
            let reason: Option<String> = r.try_get("reason")?;
            let reason = reason.unwrap_or_default();
            let (silent, findings) = match reason.strip_prefix("registers did not answer: ") {
                Some(rest) => match rest.split_once("; ") {
                    Some((registers, findings)) => {
                        (Some(registers.to_owned()), findings.to_owned())
                    }
                    None => (Some(rest.to_owned()), String::new()),
                },
                None => (None, reason),
            };
            if let Some(registers) = silent {
                *counts
                    .entry(format!("{matter}: register did not answer ({registers})"))
                    .or_default() += 1;
            }
            for finding in findings.split(", ").filter(|f| !f.is_empty()) {
                *counts.entry(format!("{matter}: {finding}")).or_default() += 1;
            }
        }
        let mut list: Vec<(String, i64)> = counts.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(list)
    }
}
