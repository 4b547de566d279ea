//! What the API says about cases, permits, the queue and decisions, as its OpenAPI document
//! describes it (ADR 0010 B12). The domain types know nothing of OpenAPI: each is mirrored
//! here field by field, with the same names, docs and JSON, and converted where an answer
//! is built, so only this crate derives schemas.

use polku_cases as core;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Received,
    GatheringEvidence,
    Evaluated,
    EvidenceRequested,
    Referred,
    Decided,
    Withdrawn,
    RectificationRequested,
    /// A person means to refuse and waits for the applicant's answer to the draft grounds.
    Hearing,
}

impl From<core::CaseState> for CaseState {
    fn from(s: core::CaseState) -> Self {
        use core::CaseState as S;
        match s {
            S::Received => CaseState::Received,
            S::GatheringEvidence => CaseState::GatheringEvidence,
            S::Evaluated => CaseState::Evaluated,
            S::EvidenceRequested => CaseState::EvidenceRequested,
            S::Referred => CaseState::Referred,
            S::Decided => CaseState::Decided,
            S::Withdrawn => CaseState::Withdrawn,
            S::RectificationRequested => CaseState::RectificationRequested,
            S::Hearing => CaseState::Hearing,
        }
    }
}

/// A case as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub matter: String,
    pub state: CaseState,
    /// `YYYY-MM-DD`.
    pub application_date: String,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// The last day for a decision, where the matter has a processing time.
    pub deadline: Option<String>,
}

impl From<core::CaseSummary> for CaseSummary {
    fn from(c: core::CaseSummary) -> Self {
        CaseSummary {
            id: c.id,
            matter: c.matter,
            state: c.state.into(),
            application_date: c.application_date,
            created_at: c.created_at,
            updated_at: c.updated_at,
            deadline: c.deadline,
        }
    }
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseEvent {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub reason: Option<String>,
}

impl From<core::CaseEvent> for CaseEvent {
    fn from(e: core::CaseEvent) -> Self {
        CaseEvent {
            seq: e.seq,
            at: e.at,
            actor: e.actor.to_string(),
            kind: e.kind.code().to_owned(),
            from_state: e.from_state.map(Into::into),
            to_state: e.to_state.into(),
            reason: e.reason,
        }
    }
}

/// A permit (or a citizenship) as granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Permit {
    pub id: Uuid,
    pub case_id: Uuid,
    pub decision_id: Uuid,
    pub matter: String,
    /// `A`, `B`, `P`, `citizenship`… as the rule set's `grants` names it.
    pub kind: Option<String>,
    pub valid_from: String,
    /// Last day valid; `None`: indefinitely.
    pub valid_until: Option<String>,
    pub legal_basis: Option<String>,
    /// Ids of the conditions re-checked while the permit is valid.
    pub monitored: Vec<String>,
}

impl From<core::Permit> for Permit {
    fn from(p: core::Permit) -> Self {
        Permit {
            id: p.id,
            case_id: p.case_id,
            decision_id: p.decision_id,
            matter: p.matter,
            kind: p.kind,
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            legal_basis: p.legal_basis,
            monitored: p.monitored,
        }
    }
}

/// One case waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueItem {
    pub case_id: Uuid,
    pub matter: String,
    pub state: CaseState,
    pub application_date: String,
    /// The last day for a decision, where the matter has a processing time.
    pub deadline: Option<String>,
    pub created_at: i64,
    pub assigned_to: Option<String>,
    /// Why it waits: the conditions the machine found not met or unknown, what the
    /// applicant asks to have rectified, or why a re-examination was opened.
    pub reason: Option<String>,
    /// `application`, or `reexamination` of the permit `reexamines`.
    #[schema(pattern = "^(application|reexamination)$")]
    pub purpose: String,
    /// The permit a re-examination examines.
    pub reexamines: Option<Uuid>,
}

impl From<core::QueueItem> for QueueItem {
    fn from(q: core::QueueItem) -> Self {
        QueueItem {
            case_id: q.case_id,
            matter: q.matter,
            state: q.state.into(),
            application_date: q.application_date,
            deadline: q.deadline,
            created_at: q.created_at,
            assigned_to: q.assigned_to.as_ref().map(ToString::to_string),
            reason: q.reason,
            purpose: q.purpose.code().to_owned(),
            reexamines: match q.purpose {
                core::CasePurpose::Reexamination { permit } => Some(permit),
                core::CasePurpose::Application | core::CasePurpose::Preview => None,
            },
        }
    }
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HumanOutcome {
    Grant,
    Refuse,
    RequestEvidence,
}

impl From<HumanOutcome> for core::HumanOutcome {
    fn from(o: HumanOutcome) -> Self {
        match o {
            HumanOutcome::Grant => core::HumanOutcome::Grant,
            HumanOutcome::Refuse => core::HumanOutcome::Refuse,
            HumanOutcome::RequestEvidence => core::HumanOutcome::RequestEvidence,
        }
    }
}

/// What a decision record says: the machine grants, refers or asks for evidence (its
/// findings); a person grants, refuses or asks for evidence. Stored and sent as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Grant,
    Refuse,
    Refer,
    RequestEvidence,
}

impl From<core::DecisionOutcome> for DecisionOutcome {
    fn from(o: core::DecisionOutcome) -> Self {
        match o {
            core::DecisionOutcome::Grant => DecisionOutcome::Grant,
            core::DecisionOutcome::Refuse => DecisionOutcome::Refuse,
            core::DecisionOutcome::Refer => DecisionOutcome::Refer,
            core::DecisionOutcome::RequestEvidence => DecisionOutcome::RequestEvidence,
        }
    }
}

/// Where a monitoring alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Waiting for a person.
    Open,
    /// A person confirmed it: a re-examination case was opened.
    Confirmed,
    /// A person dismissed it, with reasons.
    Dismissed,
    /// The condition holds again: closed by the monitor, with a record.
    Closed,
}

impl From<polku_monitoring::AlertState> for AlertState {
    fn from(s: polku_monitoring::AlertState) -> Self {
        use polku_monitoring::AlertState as S;
        match s {
            S::Open => AlertState::Open,
            S::Confirmed => AlertState::Confirmed,
            S::Dismissed => AlertState::Dismissed,
            S::Closed => AlertState::Closed,
        }
    }
}

/// A watched condition of a granted permit that stopped holding, for a person.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Alert {
    pub id: Uuid,
    pub permit: Uuid,
    /// The permit holder.
    pub person: String,
    /// The matter the permit was granted in.
    pub matter: String,
    /// The watched condition that stopped holding.
    pub condition: String,
    /// The monitoring rule set and its version that found it.
    pub rule_set: String,
    pub version: String,
    pub state: AlertState,
    /// Microseconds since the Unix epoch.
    pub opened_at: i64,
    /// The day whose rules and figures applied (`YYYY-MM-DD`).
    pub checked_on: String,
    /// The condition's finding in `fi`, `sv` and `en`: its values with their register and
    /// time, the figures and their sources, the legal basis.
    #[schema(value_type = Object)]
    pub trace: serde_json::Value,
    pub closed_at: Option<i64>,
    /// Who closed it: a person, or `polku-pipeline` when the condition held again.
    pub closed_by: Option<String>,
    /// The person's reasons, or `holds_again`.
    pub close_reason: Option<String>,
    /// The re-examination case a confirmation opened.
    pub reexamination_case: Option<Uuid>,
}

impl From<polku_monitoring::Alert> for Alert {
    fn from(a: polku_monitoring::Alert) -> Self {
        Alert {
            id: a.id,
            permit: a.permit,
            person: a.person,
            matter: a.matter,
            condition: a.condition,
            rule_set: a.rule_set,
            version: a.version,
            state: a.state.into(),
            opened_at: a.opened_at,
            checked_on: a.checked_on,
            trace: serde_json::to_value(&a.trace).unwrap_or_default(),
            closed_at: a.closed_at,
            closed_by: a.closed_by.map(|c| c.to_string()),
            close_reason: a.close_reason,
            reexamination_case: a.reexamination_case,
        }
    }
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Evidence a condition needs.
    Evidence,
    /// The applicant's answer to the draft grounds of a refusal (Administrative Procedure
    /// Act 34 §).
    Hearing,
}

impl From<core::RequestKind> for RequestKind {
    fn from(k: core::RequestKind) -> Self {
        match k {
            core::RequestKind::Evidence => RequestKind::Evidence,
            core::RequestKind::Hearing => RequestKind::Hearing,
        }
    }
}

/// A file attached to an answer (its content is not sent here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub file_name: String,
    /// The type its content showed: `application/pdf`, `image/jpeg` or `image/png`.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// What the authority asked of the applicant, and their answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    pub kind: RequestKind,
    /// Microseconds since the Unix epoch.
    pub asked_at: i64,
    /// `machine`, or the asking official as `user:<id>`.
    pub asked_by: String,
    /// The last day to answer (`YYYY-MM-DD`, in Finland).
    pub due: String,
    /// The rule set's conditions it concerns (ids; their texts are in the case's decisions).
    pub conditions: Vec<String>,
    /// The official's words (for a hearing: the draft grounds); none for the machine's request.
    pub what: Option<String>,
    /// Microseconds since the Unix epoch; none while unanswered.
    pub answered_at: Option<i64>,
    pub answer: Option<String>,
    pub attachments: Vec<AttachmentView>,
}

impl From<core::InfoRequest> for RequestView {
    fn from(r: core::InfoRequest) -> Self {
        let (answered_at, answer, attachments) = match r.answer {
            Some(a) => (
                Some(a.at),
                Some(a.text),
                a.attachments
                    .into_iter()
                    .map(|f| AttachmentView {
                        id: f.id,
                        file_name: f.file_name,
                        media_type: f.media_type.mime().to_owned(),
                        size: f.size,
                        sha256: f.sha256,
                    })
                    .collect(),
            ),
            None => (None, None, Vec::new()),
        };
        RequestView {
            id: r.id,
            kind: r.kind.into(),
            asked_at: r.asked_at,
            asked_by: r.asked_by.to_string(),
            due: r.due.to_string(),
            conditions: r.conditions,
            what: r.what,
            answered_at,
            answer,
            attachments,
        }
    }
}
