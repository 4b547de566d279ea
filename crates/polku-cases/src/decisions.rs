//! Decision records: immutable once written; read back for the applicant, the handler
//! and the auditor, and replayed to prove that the record reproduces itself.

use polku_decide::{
    Backtest, Backtester, DecisionOutcome, DecisionTrace, PastDecision, Recorded, Replay,
};
use polku_rules::RuleBook;

use crate::live_rules::LiveRules;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::cases::{Actor, CaseError};
use crate::handle::{Cases, Tx, now_micros};
use polku_audit::{AuditEntry, AuditLog, append_in};
use polku_store::{CorruptRow, codec};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: Uuid,
    pub case_id: Uuid,
    /// The machine's finding (grant, refer, request evidence) or a person's decision.
    pub outcome: DecisionOutcome,
    /// Made by a machine (Administrative Procedure Act 53 g §: the decision says so).
    pub automated: bool,
    #[serde(serialize_with = "crate::cases::as_text")]
    pub decided_by: Actor,
    pub matter: String,
    pub rule_set: Option<String>,
    pub rule_set_version: Option<String>,
    /// The date whose rules and figures applied (the application date).
    pub evaluated_on: String,
    /// The application and its evidence as used, with sources and fetch times.
    pub input: Value,
    /// Why: the machine's trace in fi, sv and en, or a person's reasons.
    pub trace: DecisionTrace,
    pub decided_at: i64,
    /// Registers that did not answer when the decision was made.
    pub unanswered: Vec<String>,
}

impl Decision {
    /// Whether this is a decision made by the machine (Administrative Procedure Act 53 g §:
    /// it must say so). A machine only ever grants; its referral or request for evidence
    /// is a finding for a person, not a decision.
    pub fn is_automated_decision(&self) -> bool {
        self.automated && self.outcome == DecisionOutcome::Grant
    }
}

/// A decision about to be recorded: the machine's finding or a person's decision.
pub(crate) struct NewDecision<'a> {
    pub case: Uuid,
    /// Whose data it decides on (the decision log names the person).
    pub applicant: &'a str,
    pub outcome: DecisionOutcome,
    pub automated: bool,
    pub decided_by: &'a Actor,
    pub rule_set: Option<&'a str>,
    pub version: Option<&'a str>,
    /// The application date: whose rules and figures applied.
    pub evaluated_on: jiff::civil::Date,
    /// The application and its evidence as used.
    pub input: &'a Value,
    /// The machine's trace, or a person's reasons.
    pub trace: &'a Value,
    /// Registers that stayed silent (a machine's finding only).
    pub unanswered: &'a [String],
}

/// Writes `d` inside `tx` with its line in the decision log, so neither exists without the
/// other: the one place a decision is written. Returns the decision's id.
pub(crate) async fn insert_in(
    tx: &mut Tx,
    d: &NewDecision<'_>,
    events: &mut Vec<crate::events::DomainEvent>,
) -> Result<Uuid, CaseError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO decisions (id, case_id, outcome, automated, decided_by, rule_set, rule_set_version, evaluated_on,
                                input_json, trace_json, decided_at, unanswered_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(d.case.to_string())
    .bind(d.outcome.code())
    .bind(i32::from(d.automated))
    .bind(d.decided_by.to_string())
    .bind(d.rule_set)
    .bind(d.version)
    .bind(d.evaluated_on.to_string())
    .bind(d.input.to_string())
    .bind(d.trace.to_string())
    .bind(now_micros())
    .bind((!d.unanswered.is_empty()).then(|| Value::from(d.unanswered.to_vec()).to_string()))
    .execute(&mut **tx)
    .await?;
    let mut detail = serde_json::Map::new();
    detail.insert("case".into(), Value::from(d.case.to_string()));
    detail.insert("decision".into(), Value::from(id.to_string()));
    detail.insert("outcome".into(), Value::from(d.outcome.code()));
    let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
    let (purpose, legal_basis) = if d.automated {
        detail.insert("rule_set".into(), text(d.rule_set));
        detail.insert("rule_set_version".into(), text(d.version));
        ("automated processing of an application", Some("HL 53 e §"))
    } else {
        ("decision by a case handler", None)
    };
    append_in(
        tx,
        &AuditEntry {
            log: AuditLog::Decision,
            actor: d.decided_by.clone(),
            organisation: None,
            person: Some(d.applicant.to_owned()),
            purpose: purpose.to_owned(),
            legal_basis: legal_basis.map(str::to_owned),
            detail: Value::Object(detail),
            x_road: Default::default(),
        },
    )
    .await?;
    events.push(crate::events::DomainEvent::Decided {
        case: d.case,
        person: d.applicant.to_owned(),
        decision: id,
        outcome: d.outcome,
        automated: d.automated,
    });
    Ok(id)
}

const COLUMNS: &str = "d.id, d.case_id, d.outcome, d.automated, d.decided_by, c.matter, d.rule_set, d.rule_set_version,
                       d.evaluated_on, d.input_json, d.trace_json, d.decided_at, d.unanswered_json";

/// The registers that stayed silent, from a decision's `unanswered_json` (none when NULL).
fn unanswered_of(r: &AnyRow) -> Result<Result<Vec<String>, String>, sqlx::Error> {
    Ok(match r.try_get::<Option<String>, _>("unanswered_json")? {
        Some(j) => serde_json::from_str(&j).map_err(|e| e.to_string()),
        None => Ok(Vec::new()),
    })
}

fn decision_from_row(r: &AnyRow) -> Result<Decision, CaseError> {
    let id: String = r.try_get("id")?;
    let case: String = r.try_get("case_id")?;
    let corrupt =
        |column: &'static str, detail: String| CorruptRow::new("decisions", &id, column, detail);
    let case = codec::uuid("decisions", &id, "case_id", &case)?;
    let input: String = r.try_get("input_json")?;
    let trace: String = r.try_get("trace_json")?;
    Ok(Decision {
        id: codec::id("decisions", &id)?,
        case_id: case,
        outcome: {
            let code: String = r.try_get("outcome")?;
            DecisionOutcome::parse(&code)
                .ok_or_else(|| corrupt("decision outcome", format!("`{code}` is not an outcome")))?
        },
        automated: r.try_get::<i32, _>("automated")? != 0,
        decided_by: {
            let by: String = r.try_get("decided_by")?;
            by.parse()
                .map_err(|e: polku_audit::NotAnActor| corrupt("decided_by", e.to_string()))?
        },
        matter: r.try_get("matter")?,
        rule_set: r.try_get("rule_set")?,
        rule_set_version: r.try_get("rule_set_version")?,
        evaluated_on: r
            .try_get::<Option<String>, _>("evaluated_on")?
            .unwrap_or_default(),
        input: serde_json::from_str(&input).map_err(|e| corrupt("input", e.to_string()))?,
        trace: serde_json::from_str(&trace).map_err(|e| corrupt("trace", e.to_string()))?,
        decided_at: r.try_get("decided_at")?,
        unanswered: unanswered_of(r)?.map_err(|e| corrupt("unanswered", e))?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("there is no decision {0}")]
    NotFound(Uuid),
    #[error("decision {0} was made by a person; only the machine's findings replay")]
    NotAutomated(Uuid),
    #[error("decision {id} has an unreadable evaluation date `{date}`")]
    BadDate { id: Uuid, date: String },
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl Cases {
    /// A case's decisions, oldest first.
    pub async fn decisions(&self, case: Uuid) -> Result<Vec<Decision>, CaseError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.case_id = $1 ORDER BY d.decided_at, d.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.to_string())
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(decision_from_row).collect()
    }

    pub async fn decision(&self, id: Uuid) -> Result<Option<Decision>, CaseError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(decision_from_row).transpose()
    }

    /// Re-evaluates a stored decision from its own record (matter, input as used, date)
    /// with the rules in force on that date, and compares the result with the stored trace.
    pub async fn replay(&self, id: Uuid, rules: &LiveRules) -> Result<Replay, ReplayError> {
        let d = self.decision(id).await?.ok_or(ReplayError::NotFound(id))?;
        if !d.automated {
            return Err(ReplayError::NotAutomated(id));
        }
        let on = d.evaluated_on.parse().map_err(|_| ReplayError::BadDate {
            id,
            date: d.evaluated_on.clone(),
        })?;
        let finding = polku_decide::evaluate(&rules.on(on), &d.matter, &d.input, on, &d.unanswered);
        // The record as stored: the typed trace serialises to the JSON it was read from.
        let trace = serde_json::to_value(&d.trace).map_err(|e| {
            CaseError::Corrupt(CorruptRow::new(
                "decisions",
                id.to_string(),
                "trace",
                e.to_string(),
            ))
        })?;
        let stored = Recorded {
            outcome: d.outcome.code(),
            rule_set: d.rule_set.as_deref(),
            version: d.rule_set_version.as_deref(),
            trace: &trace,
        };
        Ok(polku_decide::compare(id, stored, &finding))
    }

    /// Re-evaluates every past automated decision of `matter` from its own record under
    /// `proposal` (the rules as they would be) and lists the outcomes that would change:
    /// how a rule change is tested against the past before a second person approves it.
    pub async fn backtest(&self, matter: &str, proposal: &RuleBook) -> Result<Backtest, CaseError> {
        self.backtest_between(matter, proposal, proposal, None)
            .await
    }

    /// Like [`Cases::backtest`]; with `on`, every past application is evaluated as if filed
    /// that day under both `current` and `proposal` — the effect of the change alone, for a
    /// change that takes effect later than the decisions were made. Without `on`, each is
    /// evaluated on its own date and compared with the outcome recorded. A monitoring rule
    /// set has no decisions, so its backtest is empty (re-checking granted permits in a dry
    /// run is a later step).
    pub async fn backtest_between(
        &self,
        matter: &str,
        current: &RuleBook,
        proposal: &RuleBook,
        on: Option<jiff::civil::Date>,
    ) -> Result<Backtest, CaseError> {
        // A monitoring rule set decides nothing and no case is filed under its id: it has no
        // past decisions, and none are read.
        if proposal.get(matter).is_some_and(|rs| rs.is_monitoring()) {
            return Ok(Backtester::new(matter, current, proposal, on).finish());
        }
        // Only what re-evaluation needs: the traces are the bulk of a decision's record.
        let rows = sqlx::query(
            "SELECT d.id, d.case_id, d.outcome, d.evaluated_on, d.input_json, d.unanswered_json
             FROM decisions d JOIN cases c ON c.id = d.case_id
             WHERE c.matter = $1 AND d.automated = 1 ORDER BY d.decided_at, d.id",
        )
        .bind(matter)
        .fetch_all(self.db.pool())
        .await?;
        let mut backtest = Backtester::new(matter, current, proposal, on);
        for row in &rows {
            backtest.consider(&past_decision(row)?);
        }
        Ok(backtest.finish())
    }

    /// How many permits a case has: a granted case has exactly one.
    pub async fn permit_count(&self, case: Uuid) -> Result<i64, CaseError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM permits WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_one(self.db.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}

/// A past automated decision as a backtest reads it: only what re-evaluation needs.
fn past_decision(row: &AnyRow) -> Result<PastDecision, CaseError> {
    let case: String = row.try_get("case_id")?;
    let id: String = row.try_get("id")?;
    let corrupt =
        |column: &'static str, detail: String| CorruptRow::new("decisions", &id, column, detail);
    let case_id = codec::uuid("decisions", &id, "case_id", &case)?;
    let outcome: String = row.try_get("outcome")?;
    Ok(PastDecision {
        decision: codec::id("decisions", &id)?,
        case_id,
        outcome: polku_rules::Outcome::parse(&outcome).ok_or_else(|| {
            corrupt(
                "decision outcome",
                format!("`{outcome}` is not the machine's outcome"),
            )
        })?,
        evaluated_on: row
            .try_get::<Option<String>, _>("evaluated_on")?
            .and_then(|d| d.parse().ok()),
        input: serde_json::from_str(&row.try_get::<String, _>("input_json")?)
            .map_err(|e| corrupt("input", e.to_string()))?,
        unanswered: unanswered_of(row)?.map_err(|e| corrupt("unanswered", e))?,
    })
}
