//! Who is calling: a bearer token resolved to a [`Principal`], plus the national exchange
//! layer's headers, which the use log records.
//!
//! Another organisation's identity comes from its credentials, never from its headers: a
//! token issued to an X-Road member and subsystem names the caller, an `X-Road-Client`
//! header that disagrees with it is refused, and a person's token (an applicant's, an
//! official's) carries no X-Road identity, so it may send no X-Road header at all.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use polku_access::Principal;
use polku_audit::XRoad;
use polku_cases::Actor;

use crate::AppState;
use crate::problem::Problem;

/// The authenticated caller of a request.
pub struct Caller {
    pub principal: Principal,
    pub x_road: XRoad,
}

impl Caller {
    /// The caller as the case history and the logs name them.
    pub fn actor(&self) -> Actor {
        Actor::User(self.principal.user_id)
    }
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The exchange layer's identity of a request: the member and subsystem the credentials
/// were issued to, with the official and the case the caller names. Headers that claim
/// another identity, or any X-Road header from a person's token, are a 403.
fn x_road_of(principal: &Principal, parts: &Parts) -> Result<XRoad, Problem> {
    let claimed = header(parts, "x-road-client");
    let (user_id, issue) = (
        header(parts, "x-road-userid"),
        header(parts, "x-road-issue"),
    );
    match &principal.x_road_client {
        None if claimed.is_some() || user_id.is_some() || issue.is_some() => {
            Err(Problem::forbidden(
                "this token belongs to a person and carries no X-Road identity: send no X-Road-* headers",
            ))
        }
        None => Ok(XRoad::default()),
        Some(bound) => {
            if claimed.as_deref().is_some_and(|c| c != bound) {
                return Err(Problem::forbidden(&format!(
                    "X-Road-Client does not match the credentials, which were issued to {bound}"
                )));
            }
            for (name, value) in [("X-Road-UserId", &user_id), ("X-Road-Issue", &issue)] {
                if value
                    .as_deref()
                    .is_some_and(|v| v.len() > 200 || v.chars().any(char::is_control))
                {
                    return Err(Problem::invalid(
                        name,
                        format!("{name} is at most 200 characters without control characters"),
                    ));
                }
            }
            Ok(XRoad {
                client: Some(bound.clone()),
                user_id,
                issue,
            })
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = header(parts, "authorization")
            .ok_or_else(|| Problem::unauthorized("send `Authorization: Bearer <token>`"))?;
        let token = auth.strip_prefix("Bearer ").ok_or_else(|| {
            Problem::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
        let principal = state
            .access()
            .principal(token.trim())
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(|| Problem::unauthorized("the token is unknown or revoked"))?;
        let x_road = x_road_of(&principal, parts)?;
        Ok(Caller { principal, x_road })
    }
}
