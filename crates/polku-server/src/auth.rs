//! Who is calling: a bearer token resolved to a [`Principal`], plus the national exchange
//! layer's headers, which the use log records.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use polku_core::{Actor, Principal, XRoad};

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
        Actor(format!("user:{}", self.principal.user_id))
    }
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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
            .store
            .principal(token.trim())
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(|| Problem::unauthorized("the token is unknown or revoked"))?;
        let x_road = XRoad {
            client: header(parts, "x-road-client"),
            user_id: header(parts, "x-road-userid"),
            issue: header(parts, "x-road-issue"),
        };
        Ok(Caller { principal, x_road })
    }
}
