//! How an applicant is told (the messages service, email or nothing, and the language), and
//! what was sent about a case: the sending log (issue 12, "Being told").

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use polku_access::Role;
use polku_notify::{ContactPreference, PreferenceError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{json_body, log_use};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// Where a person's notifications go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The national messages service (Suomi.fi Messages); by email instead when the
    /// person has no mailbox there but gave an address.
    Messages,
    Email,
    /// Nothing is sent: the person follows the e-service.
    Service,
}

impl From<polku_notify::Channel> for Channel {
    fn from(c: polku_notify::Channel) -> Self {
        match c {
            polku_notify::Channel::Messages => Channel::Messages,
            polku_notify::Channel::Email => Channel::Email,
            polku_notify::Channel::Service => Channel::Service,
        }
    }
}

impl From<Channel> for polku_notify::Channel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Messages => polku_notify::Channel::Messages,
            Channel::Email => polku_notify::Channel::Email,
            Channel::Service => polku_notify::Channel::Service,
        }
    }
}

/// The language notifications are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Fi,
    Sv,
    En,
}

impl From<polku_rules::Lang> for Language {
    fn from(l: polku_rules::Lang) -> Self {
        match l {
            polku_rules::Lang::Fi => Language::Fi,
            polku_rules::Lang::Sv => Language::Sv,
            polku_rules::Lang::En => Language::En,
        }
    }
}

impl From<Language> for polku_rules::Lang {
    fn from(l: Language) -> Self {
        match l {
            Language::Fi => polku_rules::Lang::Fi,
            Language::Sv => polku_rules::Lang::Sv,
            Language::En => polku_rules::Lang::En,
        }
    }
}

/// A person's choice, as sent and as read.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactChoice {
    pub channel: Channel,
    /// Required with `email`; one `name@domain`, at most 254 characters.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    pub language: Language,
}

/// The person's choice, and whether they made it (or it is the default: the messages
/// service, in Finnish).
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    #[serde(flatten)]
    choice: ContactChoice,
    chosen: bool,
}

fn view(choice: ContactPreference, chosen: bool) -> ContactView {
    ContactView {
        choice: ContactChoice {
            channel: choice.channel.into(),
            email: choice.email.map(|e| e.as_str().to_owned()),
            language: choice.language.into(),
        },
        chosen,
    }
}

fn applicant(caller: &Caller) -> Result<&str, Problem> {
    match (caller.principal.role, caller.principal.person_id.as_deref()) {
        (Role::Applicant, Some(person)) => Ok(person),
        _ => Err(Problem::forbidden(
            "only an applicant chooses how they are told",
        )),
    }
}

/// `GET /api/v1/me/contact`: how the caller is told.
#[utoipa::path(
    get, path = "/api/v1/me/contact", tag = "applicant",
    responses(
        (status = 200, description = "The caller's choice (or the default)", body = ContactView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn my_contact(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ContactView>, Problem> {
    let person = applicant(&caller)?;
    let choice = state
        .notifier
        .preference(person)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(Json(match choice {
        Some(c) => view(c, true),
        None => view(ContactPreference::DEFAULT, false),
    }))
}

/// `PUT /api/v1/me/contact`: the caller chooses how they are told; the next notifications
/// follow it.
#[utoipa::path(
    put, path = "/api/v1/me/contact", tag = "applicant",
    request_body = ContactChoice,
    responses(
        (status = 200, description = "Kept", body = ContactView),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown channel or language, or an email address mail cannot be sent to (or none with `email`); naming the field; nothing is kept", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn choose_contact(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ContactView>, Problem> {
    let person = applicant(&caller)?.to_owned();
    let body: ContactChoice = json_body(body)?;
    let choice = ContactPreference::new(
        body.channel.into(),
        body.email.as_deref().unwrap_or(""),
        body.language.into(),
    )
    .map_err(|e| match e {
        PreferenceError::EmailMissing | PreferenceError::EmailInvalid => {
            Problem::invalid("email", e.to_string())
        }
        PreferenceError::UnknownChannel => Problem::invalid("channel", e.to_string()),
    })?;
    state
        .notifier
        .set_preference(&person, &choice)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(Json(view(choice, true)))
}

/// Why a person is told.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Decided,
    EvidenceRequested,
    HearingRequested,
    DeadlineNear,
}

/// Where a notification is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationState {
    Pending,
    Sent,
    /// Not sent: the person chose the e-service only, or has no channel (`detail`).
    Skipped,
    /// Given up after the last attempt (`detail` holds the last error).
    Failed,
}

/// One notification, as the sending log holds it.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    id: Uuid,
    kind: NoticeKind,
    state: NotificationState,
    /// When its cause happened (microseconds since the Unix epoch).
    occurred_at: i64,
    channel: Option<Channel>,
    /// The email address, or the person in the messages service.
    address: Option<String>,
    language: Option<Language>,
    attempts: i64,
    /// Microseconds since the Unix epoch.
    sent_at: Option<i64>,
    detail: Option<String>,
}

impl From<polku_notify::Notification> for NotificationView {
    fn from(n: polku_notify::Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: match n.kind {
                polku_notify::NoticeKind::Decided => NoticeKind::Decided,
                polku_notify::NoticeKind::EvidenceRequested => NoticeKind::EvidenceRequested,
                polku_notify::NoticeKind::HearingRequested => NoticeKind::HearingRequested,
                polku_notify::NoticeKind::DeadlineNear => NoticeKind::DeadlineNear,
            },
            state: match n.state {
                polku_notify::NotificationState::Pending => NotificationState::Pending,
                polku_notify::NotificationState::Sent => NotificationState::Sent,
                polku_notify::NotificationState::Skipped => NotificationState::Skipped,
                polku_notify::NotificationState::Failed => NotificationState::Failed,
            },
            occurred_at: n.occurred_at,
            channel: n.channel.map(Into::into),
            address: n.address,
            language: n.language.map(Into::into),
            attempts: n.attempts,
            sent_at: n.sent_at,
            detail: n.detail,
        }
    }
}

/// `GET /api/v1/cases/{id}/notifications`: what the applicant was told about the case,
/// oldest first. An applicant reads only their own cases'.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/notifications", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "The notifications, oldest first", body = Vec<NotificationView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case (or another person's)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
) -> Result<Json<Vec<NotificationView>>, Problem> {
    let (case, purpose) = super::readable_case(&state, &caller, id).await?;
    let id = case.id;
    let list = state
        .notifier
        .for_case(id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    log_use(
        &state,
        &caller,
        &case.applicant_id,
        purpose,
        json!({"read": "notifications", "case": id}),
    )
    .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
