//! The handlers. Each checks the caller's role first; reads of a person's data are logged.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use polku_core::{
    Actor, AuditEntry, AuditLog, CaseError, HandlingError, HumanOutcome, NewApplication,
    QUEUE_ORDER, QueueFilter, Role,
};
use polku_rules::{Application, Lang};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "Not ready",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

/// Prometheus metrics: decisions by outcome, pipeline latency, queue depth. Aggregates
/// only, no personal data, so it is open like the health checks (scrapers hold no token).
pub async fn metrics(State(state): State<AppState>) -> Response {
    let Some(handle) = &state.metrics else {
        return Problem::not_found("metrics are not enabled in this process").into_response();
    };
    match state.store.queue_depth().await {
        Ok(d) => {
            for (s, n) in [
                ("queued", d.queued),
                ("running", d.running),
                ("dead", d.dead),
            ] {
                metrics::gauge!("polku_jobs", "state" => s).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "queue depth unavailable"),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

pub async fn not_found() -> Problem {
    Problem::not_found("there is no such resource; the API lives under /api/v1")
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang_of(q: &LangQuery) -> Result<Lang, Problem> {
    q.lang
        .as_deref()
        .unwrap_or("fi")
        .parse()
        .map_err(|e: String| Problem::invalid("lang", e))
}

/// `POST /api/v1/applications`: an applicant files an application for themselves.
///
/// Body: `{"matter": ID, "application_date": "YYYY-MM-DD" (default today), "application": {…}}`.
/// With an `Idempotency-Key` header a retry gets the first answer, never a second case.
pub async fn submit_application(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    if caller.principal.role != Role::Applicant {
        return Err(Problem::forbidden(
            "only an applicant files an application, for themselves",
        ));
    }
    let Some(person) = caller.principal.person_id.clone() else {
        return Err(Problem::forbidden(
            "this applicant account is not linked to a person",
        ));
    };
    let value: Value = json_body(body)?;
    let new = read_submission(&state, &value, person.clone())?;
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_owned));
    let actor = Actor(format!("user:{}", caller.principal.user_id));
    let (id, created) = match key {
        Some(Ok(key)) if !key.is_empty() && key.len() <= 200 => state
            .store
            .submit_once(&new, &actor, &caller.principal.user_id.to_string(), &key)
            .await
            .map_err(|e| Problem::internal(&e))?,
        Some(_) => {
            return Err(Problem::invalid(
                "Idempotency-Key",
                "the Idempotency-Key must be 1–200 visible characters",
            ));
        }
        None => (
            state
                .store
                .submit(&new, &actor)
                .await
                .map_err(|e| Problem::internal(&e))?,
            true,
        ),
    };
    let location = format!("/api/v1/cases/{id}");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, location.clone())],
        Json(json!({"case_id": id, "state": "received", "href": location})),
    )
        .into_response())
}

fn read_submission(
    state: &AppState,
    value: &Value,
    person: String,
) -> Result<NewApplication, Problem> {
    let Value::Object(fields) = value else {
        return Err(Problem::invalid(
            "(body)",
            "the body must be a JSON object with matter and application",
        ));
    };
    for key in fields.keys() {
        if !matches!(key.as_str(), "matter" | "application_date" | "application") {
            return Err(Problem::invalid(
                key,
                format!(
                    "`{key}` is not a field of a submission (matter, application_date, application)"
                ),
            ));
        }
    }
    let matter = match fields.get("matter") {
        Some(Value::String(m)) => m.clone(),
        Some(_) => return Err(Problem::invalid("matter", "matter must be a text")),
        None => return Err(Problem::invalid("matter", "matter is missing")),
    };
    if state.rules.get(&matter).is_none() {
        return Err(Problem::invalid(
            "matter",
            format!("`{matter}` is not a matter Polku decides; see /api/v1/rule-sets"),
        ));
    }
    let application_date = match fields.get("application_date") {
        None => jiff::Zoned::now().date(),
        Some(Value::String(d)) => polku_rules::schema::parse_date(d).ok_or_else(|| {
            Problem::invalid(
                "application_date",
                format!("`{d}` is not a date YYYY-MM-DD"),
            )
        })?,
        Some(_) => {
            return Err(Problem::invalid(
                "application_date",
                "application_date must be a date YYYY-MM-DD",
            ));
        }
    };
    let application = fields
        .get("application")
        .cloned()
        .ok_or_else(|| Problem::invalid("application", "application is missing"))?;
    Application::from_json(&application)
        .map_err(|e| Problem::invalid(&format!("application.{}", e.path), e.problem))?;
    Ok(NewApplication {
        matter,
        applicant_id: person,
        application_date,
        application,
    })
}

/// `GET /api/v1/cases/{id}?lang=fi|sv|en`: the case, its history and its decisions with
/// their explanation in the language asked for.
pub async fn read_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    let lang = lang_of(&q)?;
    let purpose = match caller.principal.role {
        Role::Applicant => "the applicant reads their own case",
        Role::CaseHandler => "case handling",
        Role::LegalOfficer => "legal review",
        Role::Auditor => "audit",
        _ => return Err(Problem::forbidden("this role does not read cases")),
    };
    let id =
        Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no case {id}")))?;
    let case = match state.store.case(id).await {
        Ok(c) => c,
        Err(CaseError::NotFound(_)) => {
            return Err(Problem::not_found(format!("there is no case {id}")));
        }
        Err(e) => return Err(Problem::internal(&e)),
    };
    if caller.principal.role == Role::Applicant
        && caller.principal.person_id.as_deref() != Some(case.applicant_id.as_str())
    {
        // Someone else's case: answer as if it did not exist.
        return Err(Problem::not_found(format!("there is no case {id}")));
    }
    let history = state
        .store
        .history(id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let decisions = state
        .store
        .decisions(id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    state
        .store
        .audit(&AuditEntry {
            log: AuditLog::Access,
            actor: format!("user:{}", caller.principal.user_id),
            organisation: caller.principal.organisation.clone(),
            person: Some(case.applicant_id.clone()),
            purpose: purpose.to_owned(),
            legal_basis: None,
            detail: json!({"read": "case", "case": id}),
            x_road: caller.x_road.clone(),
        })
        .await
        .map_err(|e| Problem::internal(&e))?;
    let decisions: Vec<Value> = decisions
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "outcome": d.outcome,
                "automated": d.automated,
                "automated_notice": d.automated.then(|| automated_notice(lang)),
                "rule_set": d.rule_set,
                "rule_set_version": d.rule_set_version,
                "evaluated_on": d.evaluated_on,
                "explanation": d.trace.get(lang.code()),
            })
        })
        .collect();
    Ok(Json(json!({
        "id": case.id,
        "matter": case.matter,
        "state": case.state,
        "application_date": case.application_date,
        "history": history,
        "decisions": decisions,
    }))
    .into_response())
}

/// Administrative Procedure Act 53 g §: an automated decision says so.
fn automated_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => {
            "Asia on käsitelty automaattisesti (hallintolaki 53 g §). Voit pyytää maksutta oikaisua; sen käsittelee aina virkailija."
        }
        Lang::Sv => {
            "Ärendet har behandlats automatiskt (förvaltningslagen 53 g §). Du kan avgiftsfritt begära omprövning; den behandlas alltid av en handläggare."
        }
        Lang::En => {
            "This matter was processed automatically (Administrative Procedure Act 53 g §). You may ask for rectification free of charge; a person always handles it."
        }
    }
}

/// `GET /api/v1/rule-sets?lang=…`: the matters Polku decides and their versions.
pub async fn rule_sets(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Json<Value>, Problem> {
    let lang = lang_of(&q)?;
    let list: Vec<Value> = state
        .rules
        .iter()
        .map(|rs| {
            json!({
                "id": rs.id,
                "title": rs.title.get(lang),
                "law": rs.law,
                "versions": rs.versions.iter().map(|v| json!({"version": v.id, "from": v.from, "to": v.to})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "rule_sets": list })))
}

/// Handlers and legal officers work the queue.
fn handler_only(caller: &Caller) -> Result<Actor, Problem> {
    match caller.principal.role {
        Role::CaseHandler | Role::LegalOfficer => {
            Ok(Actor(format!("user:{}", caller.principal.user_id)))
        }
        _ => Err(Problem::forbidden(
            "only case handlers and legal officers work the queue",
        )),
    }
}

fn handling_problem(e: HandlingError) -> Problem {
    match e {
        HandlingError::Case(CaseError::NotFound(id)) => {
            Problem::not_found(format!("there is no case {id}"))
        }
        HandlingError::Case(e) => Problem::internal(&e),
        HandlingError::NoReasons => Problem::invalid("reasons", "a decision needs its reasons"),
        HandlingError::NotTheApplicant(id) => Problem::not_found(format!("there is no case {id}")),
        e @ (HandlingError::NotWaiting(_)
        | HandlingError::AssignedToOther { .. }
        | HandlingError::NotClaimed(_)
        | HandlingError::NoAutomatedDecision(_)) => Problem::new(
            StatusCode::CONFLICT,
            "conflict",
            "Not possible now",
            e.to_string(),
        ),
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    matter: Option<String>,
    filed_on_or_before: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /api/v1/queue`: cases waiting for a person, in the stated order, a page at a time.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Value>, Problem> {
    handler_only(&caller)?;
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => {
            let mut parts = c.splitn(3, '~');
            match (
                parts.next(),
                parts.next().and_then(|n| n.parse::<i64>().ok()),
                parts.next(),
            ) {
                (Some(d), Some(n), Some(id)) => Some((d.to_owned(), n, id.to_owned())),
                _ => {
                    return Err(Problem::invalid(
                        "cursor",
                        "the cursor is not one this API gave",
                    ));
                }
            }
        }
    };
    if let Some(d) = &q.filed_on_or_before
        && polku_rules::schema::parse_date(d).is_none()
    {
        return Err(Problem::invalid(
            "filed_on_or_before",
            format!("`{d}` is not a date YYYY-MM-DD"),
        ));
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::invalid("limit", "limit is 1–500"));
    }
    let filter = QueueFilter {
        matter: q.matter,
        filed_on_or_before: q.filed_on_or_before,
        limit,
        after,
    };
    let items = state
        .store
        .handler_queue(&filter)
        .await
        .map_err(handling_problem)?;
    let next = (items.len() as i64 == limit)
        .then(|| {
            items
                .last()
                .map(|i| format!("{}~{}~{}", i.application_date, i.created_at, i.case_id))
        })
        .flatten();
    Ok(Json(
        json!({ "order": QUEUE_ORDER, "items": items, "next_cursor": next }),
    ))
}

/// `POST /api/v1/cases/{id}/claim`.
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let actor = handler_only(&caller)?;
    let id =
        Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no case {id}")))?;
    state
        .store
        .claim_case(id, &actor)
        .await
        .map_err(handling_problem)?;
    Ok(Json(json!({ "case_id": id, "assigned_to": actor.0 })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    outcome: HumanOutcomeBody,
    reasons: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum HumanOutcomeBody {
    Grant,
    Refuse,
    RequestEvidence,
}

fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Problem> {
    let body = body.map_err(|e| {
        Problem::new(
            e.status(),
            "unreadable-body",
            "Unreadable body",
            e.body_text(),
        )
    })?;
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("(body)").to_owned();
        Problem::invalid(&field, msg)
    })
}

/// `POST /api/v1/cases/{id}/decision`: `{"outcome": "grant"|"refuse"|"request_evidence", "reasons": "…"}`.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let actor = handler_only(&caller)?;
    let id =
        Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no case {id}")))?;
    let body: DecisionBody = json_body(body)?;
    let outcome = match body.outcome {
        HumanOutcomeBody::Grant => HumanOutcome::Grant,
        HumanOutcomeBody::Refuse => HumanOutcome::Refuse,
        HumanOutcomeBody::RequestEvidence => HumanOutcome::RequestEvidence,
    };
    let decision = state
        .store
        .decide_by_person(id, &actor, outcome, &body.reasons, &state.rules)
        .await
        .map_err(handling_problem)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "case_id": id, "decision_id": decision, "outcome": outcome })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectificationBody {
    reason: String,
}

/// `POST /api/v1/cases/{id}/rectification`: the applicant asks for rectification of an
/// automated decision — free of charge, and a person decides it.
pub async fn rectification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let (Role::Applicant, Some(person)) =
        (caller.principal.role, caller.principal.person_id.as_deref())
    else {
        return Err(Problem::forbidden(
            "only the applicant asks for rectification of their decision",
        ));
    };
    let id =
        Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no case {id}")))?;
    let body: RectificationBody = json_body(body)?;
    if body.reason.trim().is_empty() {
        return Err(Problem::invalid("reason", "say what should be rectified"));
    }
    state
        .store
        .request_rectification(id, person, &body.reason)
        .await
        .map_err(handling_problem)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "case_id": id, "state": "rectification_requested", "fee_eur": 0 })),
    ))
}
