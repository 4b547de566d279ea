//! Monitoring of granted permits as handlers work it: the alerts (a watched condition that
//! stopped holding), one with its trace, and a person's confirmation (a re-examination
//! case opens in the queue) or dismissal, each with reasons. Reading an alert is a read of
//! the holder's data: it is in the use log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::Actor;
use polku_monitoring::{AlertState, MonitorError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CasePath, MAX_REASONS, QueryOf, json_body, log_use, page_limit, plain_text};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;
use crate::views::Alert;

/// Case handlers and legal officers work the alerts.
fn handler_only(caller: &Caller) -> Result<Actor, Problem> {
    match caller.principal.role {
        Role::CaseHandler | Role::LegalOfficer => Ok(caller.actor()),
        _ => Err(Problem::forbidden(
            "only case handlers and legal officers work monitoring alerts",
        )),
    }
}

fn alert_id(path: CasePath) -> Result<Uuid, Problem> {
    let Ok(axum::extract::Path(id)) = path else {
        return Err(Problem::not_found("there is no such alert"));
    };
    Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no alert {id}")))
}

fn monitoring_problem(e: MonitorError) -> Problem {
    match e {
        MonitorError::NoSuchAlert(id) => Problem::not_found(format!("there is no alert {id}")),
        MonitorError::NotOpen { alert, state } => Problem::new(
            StatusCode::CONFLICT,
            "alert-not-open",
            "The alert is not open",
            format!(
                "alert {alert} is {}: only an open alert is confirmed or dismissed",
                state.code()
            ),
        ),
        MonitorError::NoReasons => Problem::invalid("reasons", "give the reasons"),
        other => Problem::internal(&other),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// `open` (default), `confirmed`, `dismissed` or `closed`.
    #[param(pattern = "^(open|confirmed|dismissed|closed)$")]
    state: Option<String>,
    /// Alerts per page, 1–500 (default 50), oldest first.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A page of alerts.
#[derive(Serialize, ToSchema)]
pub struct AlertsPage {
    /// The order, stated: the oldest alert first; nothing about the person is read to
    /// make it.
    order: &'static str,
    items: Vec<Alert>,
}

/// `GET /api/v1/monitoring/alerts`: the alerts in a state, oldest first.
#[utoipa::path(
    get, path = "/api/v1/monitoring/alerts", tag = "monitoring",
    params(AlertsQuery),
    responses(
        (status = 200, description = "The alerts", body = AlertsPage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad state or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    QueryOf(q): QueryOf<AlertsQuery>,
) -> Result<Json<AlertsPage>, Problem> {
    handler_only(&caller)?;
    let wanted = match q.state.as_deref() {
        None => AlertState::Open,
        Some(s) => AlertState::parse(s).ok_or_else(|| {
            Problem::invalid("state", "state is open, confirmed, dismissed or closed")
        })?,
    };
    let limit = page_limit(q.limit)?;
    let found = state
        .monitor()
        .alerts(Some(wanted), limit)
        .await
        .map_err(monitoring_problem)?;
    let persons: Vec<&str> = found.iter().map(|a| a.person.as_str()).collect();
    if !persons.is_empty() {
        state
            .audit()
            .append(&polku_audit::AuditEntry {
                log: polku_audit::AuditLog::Access,
                actor: caller.actor(),
                organisation: caller.principal.organisation.clone(),
                person: None,
                purpose: "monitoring alerts listed for handling".to_owned(),
                legal_basis: Some(polku_monitoring::PROCESSING_BASIS.to_owned()),
                detail: json!({ "alerts": found.len(), "persons": persons }),
                x_road: caller.x_road.clone(),
            })
            .await
            .map_err(|e| Problem::internal(&e))?;
    }
    Ok(Json(AlertsPage {
        order: "oldest alert first",
        items: found.into_iter().map(Alert::from).collect(),
    }))
}

/// `GET /api/v1/monitoring/alerts/{id}`: one alert with its trace in fi, sv and en.
#[utoipa::path(
    get, path = "/api/v1/monitoring/alerts/{id}", tag = "monitoring",
    params(("id" = String, Path, description = "The alert's id")),
    responses(
        (status = 200, description = "The alert", body = Alert),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn alert(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
) -> Result<Json<Alert>, Problem> {
    handler_only(&caller)?;
    let id = alert_id(path)?;
    let alert = state
        .monitor()
        .alert(id)
        .await
        .map_err(monitoring_problem)?;
    log_use(
        &state,
        &caller,
        &alert.person,
        "monitoring alert read for handling",
        json!({ "alert": id, "permit": alert.permit }),
    )
    .await?;
    Ok(Json(alert.into()))
}

/// What a person gives when confirming or dismissing an alert.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reasons {
    /// Why, in the words of the person deciding, in plain text: not only spaces, at most
    /// 20,000 characters, no control character but line breaks and tabs (anything else is
    /// a 422 naming `reasons`).
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    reasons: String,
}

/// The re-examination case a confirmation opened.
#[derive(Serialize, ToSchema)]
pub struct Reexamination {
    case: Uuid,
}

fn reasons(body: Result<Bytes, BytesRejection>) -> Result<String, Problem> {
    let Reasons { reasons } = json_body(body)?;
    plain_text("reasons", &reasons, MAX_REASONS)?;
    if reasons.trim().is_empty() {
        return Err(Problem::invalid("reasons", "give the reasons"));
    }
    Ok(reasons)
}

/// `POST /api/v1/monitoring/alerts/{id}/confirmation`: the condition really stopped
/// holding — a re-examination case of the permit opens in the queue (once: confirming
/// again answers with the same case). The holder is heard before any decision.
#[utoipa::path(
    post, path = "/api/v1/monitoring/alerts/{id}/confirmation", tag = "monitoring",
    params(("id" = String, Path, description = "The alert's id")),
    request_body = Reasons,
    responses(
        (status = 201, description = "The re-examination case", body = Reexamination),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The alert was dismissed or closed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reasons, a control character in them (but line breaks and tabs) or more than 20,000 characters, naming the field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Reexamination>), Problem> {
    let actor = handler_only(&caller)?;
    let id = alert_id(path)?;
    let reasons = reasons(body)?;
    let case = state
        .monitor()
        .confirm(id, &actor, &reasons)
        .await
        .map_err(monitoring_problem)?;
    Ok((StatusCode::CREATED, Json(Reexamination { case })))
}

/// `POST /api/v1/monitoring/alerts/{id}/dismissal`: the alert needs nothing more, with
/// the reasons why.
#[utoipa::path(
    post, path = "/api/v1/monitoring/alerts/{id}/dismissal", tag = "monitoring",
    params(("id" = String, Path, description = "The alert's id")),
    request_body = Reasons,
    responses(
        (status = 204, description = "Dismissed"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The alert is not open", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reasons, a control character in them (but line breaks and tabs) or more than 20,000 characters, naming the field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn dismiss(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Problem> {
    let actor = handler_only(&caller)?;
    let id = alert_id(path)?;
    let reasons = reasons(body)?;
    state
        .monitor()
        .dismiss(id, &actor, &reasons)
        .await
        .map_err(monitoring_problem)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The most events one call may carry.
pub const MAX_EVENTS_PER_CALL: usize = 1000;

/// Register events, as a register's system reports them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// At most 1,000 events, each `{"id", "occurred_on", "kind", …the kind's fields}` as
    /// `docs/monitoring.md` lists them; any value out of its range refuses the whole call,
    /// naming the event and the field (`events[3].gross_pay_eur`).
    #[schema(value_type = Vec<Object>, max_items = 1000)]
    events: Vec<serde_json::Value>,
}

/// What became of a batch of events.
#[derive(Serialize, ToSchema)]
pub struct Ingested {
    batch: Uuid,
    /// Events in the call.
    received: usize,
    /// Events not seen before (the rest were replays and changed nothing).
    new: usize,
    /// Watched permits whose facts the events changed, each re-checked.
    permits_checked: usize,
    alerts_opened: usize,
    alerts_closed: usize,
    /// Events about nobody watched yet: kept, and applied when a permit is granted.
    kept_for_later: usize,
}

/// `POST /api/v1/monitoring/events`: a register's system reports events (pay reports,
/// criminal-record entries, emigration, an employer's bankruptcy…). Idempotent by event id;
/// the watched permits they touch are re-checked; one line in the use log per call.
#[utoipa::path(
    post, path = "/api/v1/monitoring/events", tag = "monitoring",
    request_body = EventBatch,
    responses(
        (status = 200, description = "Taken in", body = Ingested),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a register's system", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An event that does not fit, naming it and its field; nothing is stored", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Ingested>, Problem> {
    if caller.principal.role != Role::RegisterFeed {
        return Err(Problem::forbidden(
            "only a register's system reports events",
        ));
    }
    let EventBatch { events } = json_body(body)?;
    if events.is_empty() || events.len() > MAX_EVENTS_PER_CALL {
        return Err(Problem::invalid(
            "events",
            format!("send 1–{MAX_EVENTS_PER_CALL} events a call"),
        ));
    }
    let today = polku_cases::today_in_finland();
    let mut checked = Vec::with_capacity(events.len());
    for (i, value) in events.into_iter().enumerate() {
        let event: polku_monitoring::RegisterEvent = serde_json::from_value(value)
            .map_err(|e| Problem::invalid(&format!("events[{i}]"), e.to_string()))?;
        event.check(today).map_err(|e| match e {
            polku_monitoring::EventError::Invalid { field, problem, .. } => {
                Problem::invalid(&format!("events[{i}].{field}"), problem)
            }
            other => Problem::invalid(&format!("events[{i}]"), other.to_string()),
        })?;
        checked.push(event);
    }
    let monitor = state.monitor();
    monitor.follow_grants().await.map_err(monitoring_problem)?;
    let r = monitor
        .ingest(
            &checked,
            &caller.actor(),
            "monitoring of residence permit conditions (UlkL 58 §)",
        )
        .await
        .map_err(|e| match e {
            MonitorError::Events(e) => Problem::invalid("events", e.to_string()),
            other => monitoring_problem(other),
        })?;
    Ok(Json(Ingested {
        batch: r.batch,
        received: r.received,
        new: r.new,
        permits_checked: r.permits_checked,
        alerts_opened: r.alerts_opened,
        alerts_closed: r.alerts_closed,
        kept_for_later: r.kept_for_later,
    }))
}

/// Labour inspectors read the indicators, and only they.
fn inspector_only(caller: &Caller) -> Result<Actor, Problem> {
    match caller.principal.role {
        Role::LabourInspector => Ok(caller.actor()),
        _ => Err(Problem::forbidden(
            "only labour inspectors read the labour-exploitation indicators",
        )),
    }
}

/// One indicator read for one employer: a finding for a labour inspector, never a
/// decision about a person.
#[derive(Serialize, ToSchema)]
pub struct IndicatorReading {
    /// `pay_below_minimum`, `pay_fell_after_grant`, `no_pay_reports`,
    /// `permits_ending_early` or `many_at_one_address`.
    kind: String,
    /// What it finds, stated.
    statement: &'static str,
    /// Workers (or permits) of the employer at which it is a finding.
    threshold: usize,
    legal_basis: &'static str,
    /// The role that reviews it.
    reviewer: &'static str,
    /// Workers (or permits) counted; absent when Polku cannot compute it.
    count: Option<usize>,
    found: bool,
}

/// The indicators of one employer.
#[derive(Serialize, ToSchema)]
pub struct EmployerIndicators {
    /// The business ID.
    employer: String,
    /// Watched permits tied to the employer.
    workers: usize,
    indicators: Vec<IndicatorReading>,
    /// One employer's page only: each month the indicators were read (the latest 24),
    /// the latest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<MonthFindings>>,
}

impl IndicatorReading {
    fn of(r: &polku_monitoring::indicators::Reading) -> IndicatorReading {
        let stated = r.kind.stated();
        IndicatorReading {
            kind: r.kind.code().to_owned(),
            statement: stated.statement,
            threshold: r.threshold,
            legal_basis: stated.legal_basis,
            reviewer: stated.reviewer,
            count: r.count,
            found: r.found,
        }
    }
}

impl From<polku_monitoring::EmployerIndicators> for EmployerIndicators {
    fn from(e: polku_monitoring::EmployerIndicators) -> Self {
        EmployerIndicators {
            employer: e.employer,
            workers: e.workers,
            indicators: e.readings.iter().map(IndicatorReading::of).collect(),
            history: None,
        }
    }
}

/// One month's reading of an employer's indicators.
#[derive(Serialize, ToSchema)]
pub struct MonthFindings {
    /// The month, e.g. `2026-12`.
    month: String,
    /// The day of the month's latest reading.
    read_on: String,
    /// Watched permits tied to the employer then; absent when nothing was found that
    /// month (only what was found is kept).
    workers: Option<usize>,
    /// The indicators found then, with their counts.
    found: Vec<IndicatorReading>,
}

/// The employers with a finding.
#[derive(Serialize, ToSchema)]
pub struct EmployersPage {
    /// The order, stated: most indicators found first, then most workers.
    order: &'static str,
    items: Vec<EmployerIndicators>,
}

/// `GET /api/v1/monitoring/employers`: every employer at which at least one
/// labour-exploitation indicator is found today.
#[utoipa::path(
    get, path = "/api/v1/monitoring/employers", tag = "monitoring",
    responses(
        (status = 200, description = "The employers with a finding", body = EmployersPage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a labour inspector", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn employers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EmployersPage>, Problem> {
    let by = inspector_only(&caller)?;
    let flagged = state
        .monitor()
        .flagged_employers(polku_cases::today_in_finland(), &by)
        .await
        .map_err(monitoring_problem)?;
    Ok(Json(EmployersPage {
        order: "most indicators found first, then most workers",
        items: flagged.into_iter().map(EmployerIndicators::from).collect(),
    }))
}

/// `GET /api/v1/monitoring/employers/{id}/indicators`: every indicator for one employer
/// (by business ID), found or not, and what was found in each month read.
#[utoipa::path(
    get, path = "/api/v1/monitoring/employers/{id}/indicators", tag = "monitoring",
    params(("id" = String, Path, description = "The employer's business ID, e.g. 1234567-1")),
    responses(
        (status = 200, description = "The employer's indicators", body = EmployerIndicators),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a labour inspector", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a business ID", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn employer_indicators(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
) -> Result<Json<EmployerIndicators>, Problem> {
    let by = inspector_only(&caller)?;
    let Ok(axum::extract::Path(id)) = path else {
        return Err(Problem::invalid("id", "give a business ID, e.g. 1234567-1"));
    };
    if !polku_rules::schema::is_business_id(&id) {
        return Err(Problem::invalid(
            "id",
            "a business ID is seven digits, a hyphen and its check digit, e.g. 1234567-1",
        ));
    }
    let monitor = state.monitor();
    let found = monitor
        .employer_indicators(&id, polku_cases::today_in_finland(), &by)
        .await
        .map_err(monitoring_problem)?;
    let history = monitor
        .employer_history(&id, 24)
        .await
        .map_err(monitoring_problem)?
        .into_iter()
        .map(|m| MonthFindings {
            month: format!("{:04}-{:02}", m.month.month.year(), m.month.month.month()),
            read_on: m.month.read_on.to_string(),
            workers: m.workers,
            found: m
                .readings
                .iter()
                .filter(|r| r.found)
                .map(IndicatorReading::of)
                .collect(),
        })
        .collect();
    let mut view = EmployerIndicators::from(found);
    view.history = Some(history);
    Ok(Json(view))
}
