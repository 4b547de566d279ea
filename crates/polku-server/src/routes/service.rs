//! The service itself: health, readiness, metrics, the rule sets in force and the API's
//! own description.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::{LangQuery, QueryOf};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e.to_string().escape_debug(), "not ready");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "Not ready",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

/// Prometheus metrics: decisions by outcome, pipeline latency, queue depth. Aggregates
/// only, no personal data, so it is open like the health checks (scrapers hold no token).
pub async fn metrics(State(state): State<AppState>) -> Response {
    let Some(handle) = &state.metrics else {
        return Problem::not_found("metrics are not enabled in this process").into_response();
    };
    match state.store.queue_depth().await {
        Ok(d) => {
            for (s, n) in [
                ("queued", d.queued),
                ("running", d.running),
                ("dead", d.dead),
            ] {
                metrics::gauge!("polku_jobs", "state" => s).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e.to_string().escape_debug(), "queue depth unavailable"),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

pub async fn not_found() -> Problem {
    Problem::not_found("there is no such resource; the API lives under /api/v1")
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    version: String,
    /// First day in force.
    from: String,
    /// Last day in force; absent while in force indefinitely.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleSetView {
    /// The matter's id: what a submission names.
    id: String,
    title: String,
    law: String,
    versions: Vec<VersionView>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleSets {
    rule_sets: Vec<RuleSetView>,
}

/// `GET /api/v1/rule-sets`: the matters Polku decides and their versions in force (the
/// monitoring rule sets, which no one files, are published on the web pages `/rules`).
#[utoipa::path(
    get, path = "/api/v1/rule-sets", tag = "rules",
    params(LangQuery),
    responses(
        (status = 200, description = "The rule sets", body = RuleSets),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown language", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn rule_sets(
    State(state): State<AppState>,
    _caller: Caller,
    QueryOf(q): QueryOf<LangQuery>,
) -> Result<Json<RuleSets>, Problem> {
    let lang = q.lang()?;
    let rules = state.rules.today();
    let rule_sets = rules
        .decision_sets()
        .map(|rs| RuleSetView {
            id: rs.id.clone(),
            title: rs.title.get(lang).to_owned(),
            law: rs.law.clone(),
            versions: rs
                .versions
                .iter()
                .map(|v| VersionView {
                    version: v.id.clone(),
                    from: v.from.to_string(),
                    to: v.to.map(|d| d.to_string()),
                })
                .collect(),
        })
        .collect();
    Ok(Json(RuleSets { rule_sets }))
}
