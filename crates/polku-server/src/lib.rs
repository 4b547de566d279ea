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
    /// The Prometheus recorder's handle, when this process installed one.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

/// Installs the Prometheus recorder for this process (call once, at start).
pub fn install_metrics() -> Result<metrics_exporter_prometheus::PrometheusHandle, String> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full("polku_pipeline_seconds".to_owned()),
            &[
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0,
            ],
        )
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())
}

/// The API as a router, ready to serve or to test with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics))
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
