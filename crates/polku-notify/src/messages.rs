//! The national messages service (Suomi.fi Messages) over its REST interface: a token for
//! the service's credentials (`POST /v1/token`), whether the person has a mailbox
//! (`POST /v1/mailboxes/active`), and the message (`POST /v2/messages/electronic`, keyed by
//! our notification's id as its `externalId`, so a retry is not a second message: the
//! service answers 409 and the message counts as sent). The built-in simulator
//! (`polku-simulators`) answers the same shape.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::{Outgoing, SendError, SendFuture};

/// A channel to the messages service; the message's id there on success.
pub trait MessagesService: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing) -> SendFuture<'a>;
}

/// The messages service's REST client.
pub struct MessagesClient {
    base: String,
    username: String,
    password: String,
    /// The sending service's id there.
    service_id: String,
    http: Client<HttpConnector, Full<Bytes>>,
    token: Mutex<Option<String>>,
    pub timeout: Duration,
}

impl MessagesClient {
    /// `base`: e.g. `https://api.messages.suomi.fi` through the authority's proxy, or the
    /// simulator's `http://127.0.0.1:…`.
    pub fn new(base: &str, username: &str, password: &str, service_id: &str) -> MessagesClient {
        MessagesClient {
            base: base.trim_end_matches('/').to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            service_id: service_id.to_owned(),
            http: Client::builder(TokioExecutor::new()).build_http(),
            token: Mutex::new(None),
            timeout: Duration::from_secs(10),
        }
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Result<(StatusCode, Value), SendError> {
        let mut request = hyper::Request::post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| SendError::Refused(e.to_string()))?;
        let response = tokio::time::timeout(self.timeout, self.http.request(request))
            .await
            .map_err(|_| {
                SendError::Transient("the messages service did not answer in time".into())
            })?
            .map_err(|e| SendError::Transient(format!("the messages service: {e}")))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| SendError::Transient(format!("the messages service: {e}")))?
            .to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    async fn token(&self, renew: bool) -> Result<String, SendError> {
        let mut held = self.token.lock().await;
        if let (false, Some(t)) = (renew, held.as_ref()) {
            return Ok(t.clone());
        }
        let (status, body) = self
            .post(
                "/v1/token",
                None,
                &json!({"username": self.username, "password": self.password}),
            )
            .await?;
        if status != StatusCode::OK {
            return Err(failure(status, "a token"));
        }
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| SendError::Transient("the token answer has no access_token".into()))?
            .to_owned();
        *held = Some(token.clone());
        Ok(token)
    }

    async fn send_once(&self, m: &Outgoing, token: &str) -> Result<SendOutcome, SendError> {
        let (status, body) = self
            .post(
                "/v1/mailboxes/active",
                Some(token),
                &json!({"endUsers": [{"id": m.person}]}),
            )
            .await?;
        match status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Ok(SendOutcome::Unauthorised),
            s => return Err(failure(s, "the mailbox")),
        }
        let active = body["endUsersWithActiveMailbox"]
            .as_array()
            .is_some_and(|users| users.iter().any(|u| u["id"] == m.person.as_str()));
        if !active {
            return Err(SendError::NoMailbox);
        }
        let message = json!({
            "externalId": m.id.to_string(),
            "sender": {"serviceId": self.service_id},
            "recipient": {"id": m.person},
            "electronic": {
                "title": m.letter.subject,
                "body": m.letter.body,
                "bodyFormat": "Text",
                "replyAllowedBy": "No one",
                "visibility": "Normal",
            },
        });
        let (status, body) = self
            .post("/v2/messages/electronic", Some(token), &message)
            .await?;
        match status {
            StatusCode::OK | StatusCode::CREATED => Ok(SendOutcome::Sent(
                body["messageId"]
                    .as_i64()
                    .map(|n| n.to_string())
                    .or_else(|| body["messageId"].as_str().map(str::to_owned))
                    .unwrap_or_default(),
            )),
            // Sent before, by an attempt whose answer was lost.
            StatusCode::CONFLICT => Ok(SendOutcome::Sent(format!("external:{}", m.id))),
            StatusCode::UNAUTHORIZED => Ok(SendOutcome::Unauthorised),
            s => Err(failure(s, "the message")),
        }
    }
}

enum SendOutcome {
    Sent(String),
    Unauthorised,
}

fn failure(status: StatusCode, what: &str) -> SendError {
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        SendError::Transient(format!("the messages service answered {status} for {what}"))
    } else {
        SendError::Refused(format!("the messages service answered {status} for {what}"))
    }
}

impl MessagesService for MessagesClient {
    fn send<'a>(&'a self, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            // A token expires: on a 401 take a new one once.
            for renew in [false, true] {
                let token = self.token(renew).await?;
                match self.send_once(message, &token).await? {
                    SendOutcome::Sent(id) => return Ok(id),
                    SendOutcome::Unauthorised => continue,
                }
            }
            Err(SendError::Refused(
                "the messages service does not accept this service's credentials".into(),
            ))
        })
    }
}
