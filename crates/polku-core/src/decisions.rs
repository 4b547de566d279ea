//! Decision records: immutable once written; read back for the applicant, the handler
//! and the auditor.

use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::cases::CaseError;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: Uuid,
    pub case_id: Uuid,
    /// `grant`, `refer` or `request_evidence` for the machine's findings.
    pub outcome: String,
    /// Made by a machine (Administrative Procedure Act 53 g §: the decision says so).
    pub automated: bool,
    pub decided_by: String,
    pub rule_set: Option<String>,
    pub rule_set_version: Option<String>,
    pub evaluated_on: Option<String>,
    /// The evidence as used, with its sources and fetch times.
    pub evidence: serde_json::Value,
    /// The trace in fi, sv and en.
    pub trace: serde_json::Value,
    pub decided_at: i64,
}

impl Store {
    /// A case's decisions, oldest first.
    pub async fn decisions(&self, case: Uuid) -> Result<Vec<Decision>, CaseError> {
        let rows = sqlx::query(
            "SELECT id, outcome, automated, decided_by, rule_set, rule_set_version, evaluated_on, evidence_json,
                    trace_json, decided_at
             FROM decisions WHERE case_id = $1 ORDER BY decided_at, id",
        )
        .bind(case.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let evidence: String = r.try_get("evidence_json")?;
                let trace: String = r.try_get("trace_json")?;
                let corrupt =
                    |what: &'static str, detail: String| CaseError::Corrupt { case, what, detail };
                Ok(Decision {
                    id: Uuid::parse_str(&id).map_err(|e| corrupt("decision id", e.to_string()))?,
                    case_id: case,
                    outcome: r.try_get("outcome")?,
                    automated: r.try_get::<i32, _>("automated")? != 0,
                    decided_by: r.try_get("decided_by")?,
                    rule_set: r.try_get("rule_set")?,
                    rule_set_version: r.try_get("rule_set_version")?,
                    evaluated_on: r.try_get("evaluated_on")?,
                    evidence: serde_json::from_str(&evidence)
                        .map_err(|e| corrupt("evidence", e.to_string()))?,
                    trace: serde_json::from_str(&trace)
                        .map_err(|e| corrupt("trace", e.to_string()))?,
                    decided_at: r.try_get("decided_at")?,
                })
            })
            .collect()
    }

    /// How many permits a case has: a granted case has exactly one.
    pub async fn permit_count(&self, case: Uuid) -> Result<i64, CaseError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM permits WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}
