//! Polku's HTTP API under `/api/v1`.
//!
//! Every route but the health checks needs a bearer token ([`auth::Caller`]) and checks the
//! caller's role; an applicant sees only their own cases (another person's case is a 404,
//! so its existence does not leak). Every read of a person's data is written to the use
//! log with its purpose. Errors are RFC 9457 problem details ([`problem::Problem`]); bad
//! input is a 4xx naming the field, and nothing is written.

pub mod auth;
pub mod problem;
mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use polku_core::Store;
use polku_rules::RuleBook;

/// The largest request body accepted: an application with its evidence is a few KiB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub rules: Arc<RuleBook>,
}

/// The API as a router, ready to serve or to test with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/api/v1/applications", post(routes::submit_application))
        .route("/api/v1/cases/{id}", get(routes::read_case))
        .route("/api/v1/rule-sets", get(routes::rule_sets))
        .route("/api/v1/queue", get(routes::queue))
        .route("/api/v1/cases/{id}/claim", post(routes::claim))
        .route("/api/v1/cases/{id}/decision", post(routes::decide))
        .route(
            "/api/v1/cases/{id}/rectification",
            post(routes::rectification),
        )
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
