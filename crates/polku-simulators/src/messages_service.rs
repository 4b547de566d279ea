//! The national messages service (Suomi.fi Messages), simulated: the REST shape Polku's
//! adapter (`polku_notify::MessagesClient`) speaks — a token for the service's
//! credentials, which persons have a mailbox, and electronic messages keyed by their
//! external id — with the messages kept in memory for tests and the demo to read.
//!
//! About three persons in four have a mailbox (decided by the person's id, so the same
//! person always answers the same); [`MessagesSimulator::outage`] makes the next requests
//! fail as a service that is down does.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The longest title the simulator takes (characters).
pub const MAX_TITLE: usize = 200;
/// The longest body the simulator takes (characters).
pub const MAX_BODY: usize = 10_000;

/// A message the simulated service received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: u64,
    pub external_id: String,
    pub service_id: String,
    pub recipient: String,
    pub title: String,
    pub body: String,
}

#[derive(Default)]
struct Inner {
    messages: Vec<ReceivedMessage>,
    external_ids: HashSet<String>,
    tokens: HashSet<String>,
}

/// The simulated service.
#[derive(Clone)]
pub struct MessagesSimulator {
    username: Arc<str>,
    password: Arc<str>,
    inner: Arc<Mutex<Inner>>,
    failing: Arc<AtomicU32>,
}

impl MessagesSimulator {
    /// A service that takes `username` and `password`.
    pub fn new(username: &str, password: &str) -> MessagesSimulator {
        MessagesSimulator {
            username: username.into(),
            password: password.into(),
            inner: Arc::default(),
            failing: Arc::default(),
        }
    }

    /// Whether `person` has taken the service into use: three in four do.
    pub fn has_mailbox(person: &str) -> bool {
        crate::xroad_server::sha256_hex(&format!("mailbox:{person}"))
            .as_bytes()
            .first()
            .is_some_and(|b| !matches!(b, b'0'..=b'3'))
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMessage> {
        self.lock().messages.clone()
    }

    /// The next `requests` requests fail with 503, as a service that is down.
    pub fn outage(&self, requests: u32) {
        self.failing.store(requests, Ordering::SeqCst);
    }

    /// Drops every token handed out: the next request with one is a 401 (an expiry).
    pub fn expire_tokens(&self) {
        self.lock().tokens.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn down(&self) -> bool {
        self.failing
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        token.is_some_and(|t| self.lock().tokens.contains(t))
    }
}

/// The service's routes.
pub fn router(service: MessagesSimulator) -> Router {
    Router::new()
        .route("/v1/token", post(token))
        .route("/v1/mailboxes/active", post(mailboxes))
        .route("/v2/messages/electronic", post(message))
        .with_state(service)
}

type Reply = (StatusCode, Json<Value>);

fn problem(status: StatusCode, detail: &str) -> Reply {
    (
        status,
        Json(json!({"status": status.as_u16(), "detail": detail})),
    )
}

async fn token(State(s): State<MessagesSimulator>, Json(body): Json<Value>) -> Reply {
    if s.down() {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "the service is down");
    }
    if body["username"] != *s.username || body["password"] != *s.password {
        return problem(StatusCode::UNAUTHORIZED, "wrong username or password");
    }
    let token = crate::xroad_server::sha256_hex(&uuid::Uuid::now_v7().to_string());
    s.lock().tokens.insert(token.clone());
    (
        StatusCode::OK,
        Json(json!({"access_token": token, "token_type": "bearer", "expires_in": 3600})),
    )
}

async fn mailboxes(
    State(s): State<MessagesSimulator>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    if s.down() {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "the service is down");
    }
    if !s.authorised(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "no valid token");
    }
    let Some(users) = body["endUsers"].as_array() else {
        return problem(StatusCode::BAD_REQUEST, "endUsers is missing");
    };
    if users.len() > 10_000 {
        return problem(
            StatusCode::BAD_REQUEST,
            "at most 10,000 end users at a time",
        );
    }
    let active: Vec<Value> = users
        .iter()
        .filter_map(|u| u["id"].as_str())
        .filter(|id| MessagesSimulator::has_mailbox(id))
        .map(|id| json!({"id": id}))
        .collect();
    (
        StatusCode::OK,
        Json(json!({"endUsersWithActiveMailbox": active})),
    )
}

async fn message(
    State(s): State<MessagesSimulator>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    if s.down() {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "the service is down");
    }
    if !s.authorised(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "no valid token");
    }
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let (Some(external_id), Some(service_id), Some(recipient), Some(title), Some(body_text)) = (
        text(&body["externalId"]),
        text(&body["sender"]["serviceId"]),
        text(&body["recipient"]["id"]),
        text(&body["electronic"]["title"]),
        text(&body["electronic"]["body"]),
    ) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "externalId, sender.serviceId, recipient.id, electronic.title and electronic.body are required",
        );
    };
    if title.trim().is_empty() || title.chars().count() > MAX_TITLE {
        return problem(StatusCode::BAD_REQUEST, "the title is empty or too long");
    }
    if body_text.chars().count() > MAX_BODY {
        return problem(StatusCode::BAD_REQUEST, "the body is too long");
    }
    if !MessagesSimulator::has_mailbox(&recipient) {
        return problem(
            StatusCode::BAD_REQUEST,
            "the recipient has no mailbox: electronic messages cannot be sent",
        );
    }
    let mut inner = s.lock();
    if !inner.external_ids.insert(external_id.clone()) {
        return problem(
            StatusCode::CONFLICT,
            "a message with this externalId exists",
        );
    }
    let message_id = inner.messages.len() as u64 + 1;
    inner.messages.push(ReceivedMessage {
        message_id,
        external_id,
        service_id,
        recipient,
        title,
        body: body_text,
    });
    (StatusCode::OK, Json(json!({"messageId": message_id})))
}
