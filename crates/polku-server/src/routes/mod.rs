//! The handlers, by who uses them, and what they share: reading bodies, languages, ids
//! and cursors, and turning the store's errors into problems.
//!
//! Every handler checks the caller's role first; every read of a person's data is written
//! to the use log with its purpose before the answer leaves.

pub mod applicant;
pub mod contact;
pub mod exchange;
pub mod identity;
pub mod monitoring;
pub mod service;
pub mod work;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use polku_audit::{AuditEntry, AuditLog};
use polku_cases::{CaseError, HandlingError, StoreError};
use polku_rules::Lang;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;
use crate::replies::{Replies, StoredReply};

/// A query string read into `T`; one that does not fit (`limit=ten`) is a 422 problem
/// naming the parameter, like any other bad input, not axum's plain-text 400.
pub struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for QueryOf<T>
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(t)) => Ok(QueryOf(t)),
            Err(e) => {
                // "Failed to deserialize query string: limit: invalid digit found in string"
                let text = e.body_text();
                let reason = text.split_once(": ").map_or(text.as_str(), |(_, r)| r);
                let field = match reason.split_once(": ") {
                    Some((f, _)) if !f.contains(' ') => f,
                    _ => "(query)",
                };
                Err(Problem::invalid(
                    field,
                    format!("the query string does not fit: {reason}"),
                ))
            }
        }
    }
}

/// `?lang=fi|sv|en` (default fi).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// The language of texts and explanations: `fi` (default), `sv` or `en`.
    #[param(value_type = Option<String>, pattern = "^(fi|sv|en)$")]
    lang: Option<String>,
}

impl LangQuery {
    fn lang(&self) -> Result<Lang, Problem> {
        self.lang
            .as_deref()
            .unwrap_or("fi")
            .parse()
            .map_err(|e: String| Problem::invalid("lang", e))
    }
}

/// A case id as the path gives it, or why axum could not read it (the path is not
/// UTF-8 once percent-decoded: `/api/v1/cases/%FF`).
type CasePath = Result<Path<String>, PathRejection>;

/// A case id from the path. A malformed id — not a UUID, or not even text — names no
/// case, so it is a problem+json 404 like an unknown one (never axum's plain-text 400).
fn case_id(path: CasePath) -> Result<Uuid, Problem> {
    let Ok(Path(id)) = path else {
        return Err(Problem::not_found("there is no such case"));
    };
    Uuid::parse_str(&id).map_err(|_| Problem::not_found(format!("there is no case {id}")))
}

/// A page size: 1–500, 50 unless asked.
fn page_limit(limit: Option<i64>) -> Result<i64, Problem> {
    let limit = limit.unwrap_or(50);
    if (1..=500).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::invalid("limit", "limit is 1–500"))
    }
}

fn bad_cursor() -> Problem {
    Problem::invalid("cursor", "the cursor is not one this API gave")
}

/// A UUID as this API writes it: lower-case hex in the hyphenated form.
fn uuid_as_written(text: &str) -> Option<Uuid> {
    let groups: Vec<&str> = text.split('-').collect();
    let shaped = groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
    shaped.then(|| Uuid::parse_str(text).ok()).flatten()
}

/// 1–18 decimal digits (microseconds since the Unix epoch, as the API writes them; 18
/// digits always fit an `i64`).
fn micros_as_written(text: &str) -> Option<i64> {
    let digits = !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// The cursor of `GET /api/v1/cases`: `{created_at}~{case id}`, exactly as the document's
/// pattern for it says; anything else is a 422 naming `cursor`.
fn case_cursor(cursor: &str) -> Result<(i64, Uuid), Problem> {
    let (created, id) = cursor.split_once('~').ok_or_else(bad_cursor)?;
    micros_as_written(created)
        .zip(uuid_as_written(id))
        .ok_or_else(bad_cursor)
}

/// The cursor of `GET /api/v1/queue`: `{application date}~{created_at}~{case id}`,
/// exactly as the document's pattern for it says; anything else is a 422 naming
/// `cursor`. The date is a position in the order, so only its shape is checked.
fn queue_cursor(cursor: &str) -> Result<(String, i64, String), Problem> {
    let mut parts = cursor.splitn(3, '~');
    let (Some(date), Some(created), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad_cursor());
    };
    let dated = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    match (dated, micros_as_written(created), uuid_as_written(id)) {
        (true, Some(created), Some(_)) => Ok((date.to_owned(), created, id.to_owned())),
        _ => Err(bad_cursor()),
    }
}

/// Every body the API reads is JSON: a request that sends a body of another type
/// (`text/plain`, a form, or none named) is a 415 problem before any handler runs. A
/// browser sends those across sites without asking first; JSON it never does.
pub(crate) async fn json_bodies_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::body::HttpBody;
    let writes = matches!(
        *request.method(),
        axum::http::Method::POST | axum::http::Method::PUT | axum::http::Method::PATCH
    );
    let has_body = request.body().size_hint().exact() != Some(0);
    if writes && has_body && !is_json(request.headers()) {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as JSON, with `Content-Type: application/json`",
        )
        .into_response();
    }
    next.run(request).await
}

/// `Content-Type: application/json`, or `application/*+json`, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(Ok(value)) = headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) else {
        return false;
    };
    let media = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media == "application/json"
        || media
            .strip_prefix("application/")
            .is_some_and(|sub| sub.len() > "+json".len() && sub.ends_with("+json"))
}

/// Reads a JSON body into `T`, naming the field at fault when it does not fit.
fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Problem> {
    let value = json_value(body)?;
    // The path to the value that does not fit names the field (`channel` for a wrong
    // variant); a missing or unknown field is named in the message (its path is the body).
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let field = if path == "." {
            msg.split('`').nth(1).unwrap_or("(body)").to_owned()
        } else {
            path
        };
        Problem::invalid(&field, msg)
    })
}

/// Reads a body that must be JSON; too large or unreadable bodies are problems too.
fn json_value(body: Result<Bytes, BytesRejection>) -> Result<Value, Problem> {
    let body = body.map_err(|e| {
        Problem::new(
            e.status(),
            "unreadable-body",
            "Unreadable body",
            e.body_text(),
        )
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// The longest reasons a request may give, in characters.
pub(crate) const MAX_REASONS: usize = 20_000;

/// `text`, sent as `field`, is plain text of at most `max` characters: no control
/// character but line breaks and tabs (PostgreSQL refuses NUL, and an escape or a
/// backspace is no part of a reason); otherwise a 422 naming the field, before anything
/// is written.
pub(crate) fn plain_text(field: &str, text: &str, max: usize) -> Result<(), Problem> {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Problem::invalid(
            field,
            format!(
                "`{field}` contains the control character U+{:04X}: send text, line breaks and tabs only",
                u32::from(c)
            ),
        ));
    }
    if text.chars().nth(max).is_some() {
        return Err(Problem::invalid(
            field,
            format!("`{field}` is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn handling_problem(e: HandlingError) -> Problem {
    match e {
        HandlingError::Case(CaseError::NotFound(id)) | HandlingError::NotTheApplicant(id) => {
            Problem::not_found(format!("there is no case {id}"))
        }
        HandlingError::Case(e @ CaseError::InvalidTransition { .. }) => {
            Problem::conflict(e.to_string())
        }
        HandlingError::Case(e) => Problem::internal(&e),
        HandlingError::NoReasons => Problem::invalid("reasons", "a decision needs its reasons"),
        e @ HandlingError::BadRequest => Problem::invalid("reasons", e.to_string()),
        e @ (HandlingError::NotWaiting(_)
        | HandlingError::AwaitingAnswer(..)
        | HandlingError::AssignedToOther { .. }
        | HandlingError::NotClaimed(_)
        | HandlingError::NoAutomatedDecision(_)
        | HandlingError::NotOpen(..)) => Problem::conflict(e.to_string()),
    }
}

/// The `Idempotency-Key` header as the document describes it on every route that takes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // read by [`idempotency_key`]; here for the document
pub struct IdempotencyKey {
    /// 1–200 visible ASCII characters (`!` to `~`: no space, no control character, no
    /// letter outside ASCII). A retry with the same key gets the first answer; another
    /// request with it is a 422.
    #[param(
        rename = "Idempotency-Key",
        value_type = String,
        required = false,
        min_length = 1,
        max_length = 200,
        pattern = "^[!-~]{1,200}$"
    )]
    key: Option<String>,
}

/// The `Idempotency-Key` header: absent, or 1–200 visible ASCII characters (`!` to `~`),
/// as [`IdempotencyKey`] documents it; anything else is a 422 naming the header.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if (1..=200).contains(&bytes.len()) && bytes.iter().all(|b| (b'!'..=b'~').contains(b)) {
        // Visible ASCII is UTF-8.
        value.to_str().map(Some).map_err(|_| bad_key())
    } else {
        Err(bad_key())
    }
}

fn bad_key() -> Problem {
    Problem::invalid(
        "Idempotency-Key",
        "the Idempotency-Key must be 1–200 visible ASCII characters (`!` to `~`, no space)",
    )
}

/// Runs `work` once per `Idempotency-Key`: a retry with the key gets the first successful
/// answer again, instead of a conflict; the same key on another request is refused.
/// Without a key, `work` simply runs.
async fn once<T: Serialize>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    request: String,
    work: impl Future<Output = Result<(StatusCode, T), Problem>>,
) -> Result<Response, Problem> {
    let Some(key) = idempotency_key(headers)? else {
        let (status, body) = work.await?;
        return Ok((status, Json(body)).into_response());
    };
    let user = caller.principal.user_id.to_string();
    let replies = Replies::new(state.store.db().clone());
    let internal = |e: StoreError| Problem::internal(&e);
    if let Some(first) = replies.first(&user, key).await.map_err(internal)? {
        if first.request != request {
            return Err(Problem::invalid(
                "Idempotency-Key",
                format!("this key was used for another request ({})", first.request),
            ));
        }
        let json = [(header::CONTENT_TYPE, "application/json")];
        return Ok((first.status, json, first.body).into_response());
    }
    let (status, body) = work.await?;
    let reply = StoredReply {
        request,
        status,
        body: serde_json::to_string(&body).map_err(|e| Problem::internal(&e))?,
    };
    replies.keep(&user, key, &reply).await.map_err(internal)?;
    let json = [(header::CONTENT_TYPE, "application/json")];
    Ok((status, json, reply.body).into_response())
}

/// Writes a read of `person`'s data to the use log (Information Management Act 17 §).
/// The case at `id` as `caller` may read it, with the purpose their reading is logged
/// under: officials who read cases read any; an applicant only their own (another's is
/// answered as if it did not exist); any other role is refused.
async fn readable_case(
    state: &AppState,
    caller: &Caller,
    id: CasePath,
) -> Result<(polku_cases::Case, &'static str), Problem> {
    let purpose = match caller.principal.role {
        polku_access::Role::Applicant => "the applicant reads their own case",
        polku_access::Role::CaseHandler => "case handling",
        polku_access::Role::LegalOfficer => "legal review",
        polku_access::Role::Auditor => "audit",
        _ => return Err(Problem::forbidden("this role does not read cases")),
    };
    let id = case_id(id)?;
    let case = match state.store.case(id).await {
        Ok(c) => c,
        Err(polku_cases::CaseError::NotFound(_)) => {
            return Err(Problem::not_found(format!("there is no case {id}")));
        }
        Err(e) => return Err(Problem::internal(&e)),
    };
    if caller.principal.role == polku_access::Role::Applicant
        && caller.principal.person_id.as_deref() != Some(case.applicant_id.as_str())
    {
        return Err(Problem::not_found(format!("there is no case {id}")));
    }
    Ok((case, purpose))
}

async fn log_use(
    state: &AppState,
    caller: &Caller,
    person: &str,
    purpose: &str,
    detail: Value,
) -> Result<(), Problem> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: caller.actor(),
            organisation: caller.principal.organisation.clone(),
            person: Some(person.to_owned()),
            purpose: purpose.to_owned(),
            legal_basis: None,
            detail,
            x_road: caller.x_road.clone(),
        })
        .await
        .map(|_| ())
        .map_err(|e| Problem::internal(&e))
}
