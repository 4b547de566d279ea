//! People's work: the queue of cases the machine referred (in its stated order), claiming
//! a case, and a handler's decision with reasons.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use polku_access::Role;
use polku_cases::{Actor, QUEUE_ORDER, QueueFilter};

use crate::views::{HumanOutcome, QueueItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{QueryOf, case_id, handling_problem, json_body, once, page_limit};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// Handlers and legal officers work the queue.
fn handler_only(caller: &Caller) -> Result<Actor, Problem> {
    match caller.principal.role {
        Role::CaseHandler | Role::LegalOfficer => Ok(caller.actor()),
        _ => Err(Problem::forbidden(
            "only case handlers and legal officers work the queue",
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this matter (a rule set's id from `/api/v1/rule-sets`).
    #[param(min_length = 1)]
    matter: Option<String>,
    /// Only applications filed on or before this date (`YYYY-MM-DD`): the oldest work.
    #[param(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    filed_on_or_before: Option<String>,
    /// Only cases whose deadline for a decision falls on or before this date.
    #[param(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    deadline_on_or_before: Option<String>,
    /// Cases per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page, as it was given:
    /// `{application date}~{created_at}~{case id}`.
    #[param(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}~[0-9]{1,18}~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    cursor: Option<String>,
}

/// A page of the queue.
#[derive(Serialize, ToSchema)]
pub struct QueuePage {
    /// The order, stated: nothing about the person is read to make it.
    order: &'static str,
    items: Vec<QueueItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/queue`: cases waiting for a person, in the stated order, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/queue", tag = "handler",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    QueryOf(q): QueryOf<QueueQuery>,
) -> Result<Json<QueuePage>, Problem> {
    handler_only(&caller)?;
    let after = q.cursor.as_deref().map(super::queue_cursor).transpose()?;
    for (field, value) in [
        ("filed_on_or_before", &q.filed_on_or_before),
        ("deadline_on_or_before", &q.deadline_on_or_before),
    ] {
        if let Some(d) = value
            && polku_rules::schema::parse_date(d).is_none()
        {
            return Err(Problem::invalid(
                field,
                format!("`{d}` is not a date YYYY-MM-DD"),
            ));
        }
    }
    if let Some(m) = &q.matter
        && state.rules.today().decision_set(m).is_none()
    {
        return Err(Problem::invalid(
            "matter",
            format!("`{m}` is not a matter Polku decides; see /api/v1/rule-sets"),
        ));
    }
    let limit = page_limit(q.limit)?;
    let filter = QueueFilter {
        matter: q.matter,
        filed_on_or_before: q.filed_on_or_before,
        deadline_on_or_before: q.deadline_on_or_before,
        limit,
        after,
        ..QueueFilter::default()
    };
    let items = state
        .store
        .handler_queue(&filter)
        .await
        .map_err(handling_problem)?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| {
            items
                .last()
                .map(|i| format!("{}~{}~{}", i.application_date, i.created_at, i.case_id))
        })
        .flatten();
    Ok(Json(QueuePage {
        order: QUEUE_ORDER,
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// The case is now the caller's to decide.
#[derive(Serialize, ToSchema)]
pub struct Claimed {
    case_id: Uuid,
    assigned_to: String,
}

/// `POST /api/v1/cases/{id}/claim`: a handler takes a waiting case.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/claim", tag = "handler",
    params(("id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "Claimed", body = Claimed),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waiting, or another handler holds it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body was sent, not as JSON (the claim reads none)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
) -> Result<Json<Claimed>, Problem> {
    let actor = handler_only(&caller)?;
    let id = case_id(id)?;
    state
        .store
        .claim_case(id, &actor)
        .await
        .map_err(handling_problem)?;
    Ok(Json(Claimed {
        case_id: id,
        assigned_to: actor.to_string(),
    }))
}

/// A person's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    outcome: HumanOutcome,
    /// The reasons, as the decision will state them, in plain text: not only spaces, at
    /// most 20,000 characters, no control character but line breaks and tabs (anything
    /// else is a 422 naming `reasons`).
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    reasons: String,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    case_id: Uuid,
    decision_id: Uuid,
    outcome: HumanOutcome,
}

/// `POST /api/v1/cases/{id}/decision`: the handler who claimed the case decides it.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/decision", tag = "handler",
    params(("id" = Uuid, Path, description = "The case"),
           super::IdempotencyKey),
    request_body = DecisionBody,
    responses(
        (status = 201, description = "Decided", body = Decided),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not claimed by the caller, or not waiting", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad outcome; no reasons, a control character in them (but line breaks and tabs) or more than 20,000 characters; or a bad Idempotency-Key; naming the field", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    id: super::CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let actor = handler_only(&caller)?;
    let id = case_id(id)?;
    let body: DecisionBody = json_body(body)?;
    super::plain_text("reasons", &body.reasons, super::MAX_REASONS)?;
    let request = format!("POST /api/v1/cases/{id}/decision");
    once(&state, &caller, &headers, request, async {
        let decision = state
            .store
            .decide_by_person(id, &actor, body.outcome.into(), &body.reasons, &state.rules)
            .await
            .map_err(handling_problem)?;
        Ok((
            StatusCode::CREATED,
            Decided {
                case_id: id,
                decision_id: decision,
                outcome: body.outcome,
            },
        ))
    })
    .await
}

/// The body of `POST /api/v1/registrations`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The matter: a rule set's id from `/api/v1/rule-sets`.
    #[schema(min_length = 1, max_length = 200)]
    matter: String,
    /// The person the application is for (their person id).
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9-]+$")]
    applicant: String,
    /// The day the application actually arrived (`YYYY-MM-DD`): not in the future, at
    /// most 365 days ago. The rules in force that day decide it.
    #[schema(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    received_on: String,
    /// How it arrived and why it is registered now: one line of at most 500 characters,
    /// at least 2 once leading and trailing spaces are left out, no control character
    /// (not even a line break); kept in the case's history and the audit chain.
    #[schema(
        min_length = 2,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    reason: String,
    /// What the applicant wrote, in the input schema's shape: as for
    /// `POST /api/v1/applications`, only what the applicant alone can tell.
    #[schema(value_type = Object, additional_properties)]
    application: serde_json::Value,
}

/// `POST /api/v1/registrations`: a case handler registers an application that arrived
/// through another channel (paper, a service point) with the day it actually arrived and
/// why. The registration is in the audit chain; the pipeline then decides it like any other.
#[utoipa::path(
    post, path = "/api/v1/registrations", tag = "handler",
    request_body = Registration,
    params(super::IdempotencyKey),
    responses(
        (status = 201, description = "The case was created", body = super::applicant::Submitted),
        (status = 200, description = "A retry: the case the key first created", body = super::applicant::Submitted),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, naming the field: a matter Polku does not decide, a day in the future or more than 365 days ago, a reason out of bounds, an application that does not fit, a bad Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let official = handler_only(&caller)?;
    let r: Registration = json_body(body)?;
    if r.applicant.is_empty()
        || r.applicant.len() > 64
        || !r
            .applicant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Problem::invalid(
            "applicant",
            "the person id is 1–64 letters, digits and hyphens",
        ));
    }
    // The document's bound is on the text as sent; the store's on the text trimmed.
    if r.reason.chars().nth(500).is_some() {
        return Err(Problem::invalid(
            "reason",
            "the reason is at most 500 characters",
        ));
    }
    let received = polku_rules::schema::parse_date(&r.received_on)
        .ok_or_else(|| Problem::invalid("received_on", "received_on must be a date YYYY-MM-DD"))?;
    let new =
        super::applicant::new_application(&state, r.matter, r.applicant, received, r.application)?;
    let user = caller.principal.user_id.to_string();
    let key = super::idempotency_key(&headers)?;
    let (id, created) = state
        .store
        .register(&new, &official, &r.reason, key.map(|k| (user.as_str(), k)))
        .await
        .map_err(|e| super::applicant::filing_problem(&e))?;
    Ok(super::applicant::filed(id, created))
}
