//! Polku's HTTP API under `/api/v1`.
//!
//! Every route but the health checks needs a bearer token ([`auth::Caller`]) and checks the
//! caller's role; an applicant sees only their own cases (another person's case is a 404,
//! so its existence does not leak). Every read of a person's data is written to the use
//! log with its purpose. Errors are RFC 9457 problem details ([`problem::Problem`]); bad
//! input is a 4xx naming the field, and nothing is written.

pub mod auth;
pub mod problem;
pub mod replies;
mod routes;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::get;
use polku_access::Access;
use polku_audit::AuditChain;
use polku_cases::Cases;
use polku_cases::LiveRules;
use polku_rules::RuleBook;
use routes::{applicant, contact, exchange, identity, monitoring, service, work};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest request body accepted: an application with its evidence is a few KiB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Cases,
    /// The rules over time; the API describes those in force today.
    pub rules: LiveRules,
    /// The Prometheus recorder's handle, when this process installed one.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// The monitoring of granted permits: one per process, for it holds the watched
    /// permits' facts in memory.
    monitor: polku_monitoring::Monitor,
    /// What typesets a decision as a PDF (the binary hands in the pages'); `None`: the
    /// API answers 503 for a PDF.
    pub documents: Option<std::sync::Arc<dyn DecisionDocuments>>,
    /// The people's choice of channel and the sending log (the binary's notifier delivers).
    pub notifier: polku_notify::Notifier,
    /// The processing fees by matter and day; a filing with a fee due waits for it.
    pub fees: std::sync::Arc<polku_payments::FeeTable>,
    pub payments: polku_payments::Payments,
    /// Where fees are paid; `None`: a matter with a fee due cannot be filed here (503).
    pub payment_provider: Option<std::sync::Arc<dyn polku_payments::PaymentProvider>>,
    /// The e-service's address (the provider returns the applicant there).
    pub public_url: String,
    /// The identity register; `None`: not in use here (its routes answer 503).
    pub persons: Option<polku_persons::Persons>,
}

/// A decided case's decision as a PDF, as the pages show it, in the language asked for and
/// as its reader may read it (an applicant never sees what the law withholds from them).
/// The API knows no typesetting; the binary hands in the pages' (ADR 0013).
pub trait DecisionDocuments: Send + Sync {
    fn decision_pdf<'a>(
        &'a self,
        case: &'a polku_cases::Case,
        lang: polku_rules::Lang,
        for_applicant: bool,
    ) -> PdfFuture<'a>;
}

/// What [`DecisionDocuments::decision_pdf`] returns: the PDF's bytes, or `None` when the
/// case has no decision yet.
pub type PdfFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<Vec<u8>>, DocumentError>> + Send + 'a>,
>;

/// Why no document was made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// It cannot be made on this server now (its fonts are not installed).
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Failed(String),
}

impl AppState {
    pub fn new(
        store: Cases,
        rules: LiveRules,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> AppState {
        let monitor = polku_monitoring::Monitor::new(store.clone(), rules.clone());
        let notifier = polku_notify::Notifier::new(store.clone(), rules.clone(), "");
        let fees = std::sync::Arc::new(polku_payments::FeeTable::bundled().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the bundled fee table does not load: no fee is charged");
            polku_payments::FeeTable::default()
        }));
        let payments = polku_payments::Payments::new(store.clone());
        AppState {
            fees,
            payments,
            payment_provider: None,
            public_url: String::new(),
            store,
            rules,
            metrics,
            notifier,
            monitor,
            documents: None,
            persons: None,
        }
    }

    /// Who may call the API, in the same database.
    pub fn access(&self) -> Access {
        Access::new(self.store.db().clone())
    }

    /// The audit chain every read of a person's data is logged in.
    pub fn audit(&self) -> AuditChain {
        AuditChain::new(self.store.db().clone())
    }

    /// The monitoring of granted permits, in the same database, under the same rules.
    pub fn monitor(&self) -> polku_monitoring::Monitor {
        self.monitor.clone()
    }
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

/// The API as a router, ready to serve or to test with `tower::ServiceExt::oneshot`;
/// any other path is a problem+json 404.
pub fn router(state: AppState) -> Router {
    api_router(state).fallback(service::not_found)
}

/// The answer to a path the API does not have: a problem+json 404.
pub async fn not_found() -> axum::response::Response {
    axum::response::IntoResponse::into_response(service::not_found().await)
}

/// The API without a fallback, to merge with the web pages (whose fallback then decides
/// between an HTML page and a problem).
pub fn api_router(state: AppState) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    // The description is built once; serving it is a copy of bytes.
    let doc = describe_matters(
        serde_json::to_value(&doc).unwrap_or_default(),
        &state.rules.today(),
    )
    .to_string();
    Router::new()
        .route("/healthz", get(service::healthz))
        .route("/readyz", get(service::readyz))
        .route(
            "/api/v1/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc) }),
        )
        .merge(api)
        .layer(axum::middleware::from_fn(routes::json_bodies_only))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// What operators scrape and probe, on an address of its own (`--operator-listen`), never
/// on the public port: Prometheus metrics, health and readiness.
pub fn operator_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(service::metrics))
        .route("/healthz", get(service::healthz))
        .route("/readyz", get(service::readyz))
        .with_state(state)
}

/// The matters a submission may name are the decision rule sets this process loaded (a
/// monitoring set is never a matter): the document lists them, so a client knows them
/// without asking. What an applicant may put in an
/// application is the input schema's applicant part, with its bounds.
fn describe_matters(mut doc: serde_json::Value, rules: &RuleBook) -> serde_json::Value {
    let ids: Vec<serde_json::Value> = rules
        .decision_sets()
        .map(|rs| rs.id.clone().into())
        .collect();
    for pointer in [
        "/components/schemas/Submission/properties/matter",
        "/components/schemas/Registration/properties/matter",
    ] {
        if let Some(matter) = doc.pointer_mut(pointer).and_then(|m| m.as_object_mut()) {
            matter.insert("enum".into(), ids.clone().into());
        }
    }
    if let Some(parameters) = doc
        .pointer_mut("/paths/~1api~1v1~1queue/get/parameters")
        .and_then(|p| p.as_array_mut())
    {
        for p in parameters.iter_mut().filter(|p| p["name"] == "matter") {
            if let Some(schema) = p.get_mut("schema").and_then(|s| s.as_object_mut()) {
                schema.insert("enum".into(), ids.clone().into());
            }
        }
    }
    let mut application = polku_rules::schema::submission_schema();
    if let Some(o) = application.as_object_mut() {
        o.remove("$schema");
        o.remove("$id");
        // A group may be null like any field in it (unknown, all of it): the server reads
        // `{"application": {"employment": null}}` as it reads an absent group.
        if let Some(properties) = o.get_mut("properties") {
            nullable_groups(properties);
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    {
        schemas.insert("Application".into(), application);
    }
    for owner in ["Submission", "Registration"] {
        if let Some(field) = doc.pointer_mut(&format!(
            "/components/schemas/{owner}/properties/application"
        )) {
            let description = field.get("description").cloned();
            *field = serde_json::json!({"$ref": "#/components/schemas/Application"});
            if let Some(d) = description {
                field["description"] = d;
            }
        }
    }
    doc
}

/// Every object among `properties`, and every object within those, admits `null` too.
fn nullable_groups(properties: &mut serde_json::Value) {
    let Some(properties) = properties.as_object_mut() else {
        return;
    };
    for property in properties.values_mut() {
        if property["type"] == "object" {
            property["type"] = serde_json::json!(["object", "null"]);
            if let Some(inner) = property.get_mut("properties") {
                nullable_groups(inner);
            }
        }
    }
}

/// This API described in OpenAPI 3.1, as `/api/v1/openapi.json` serves it (without the
/// loaded rule sets' ids).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().split_for_parts().1
}

/// Every `/api/v1` route, each with its description: the router and the document are
/// built from the same list, so they cannot disagree.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(applicant::submit_application))
        .routes(routes!(applicant::my_cases))
        .routes(routes!(applicant::read_case))
        .routes(routes!(applicant::decision_pdf))
        .routes(routes!(applicant::requests))
        .routes(routes!(contact::notifications))
        .routes(routes!(applicant::payment))
        .routes(routes!(contact::my_contact, contact::choose_contact))
        .routes(routes!(applicant::withdraw))
        .routes(routes!(applicant::rectification))
        .routes(routes!(work::queue))
        .routes(routes!(work::claim))
        .routes(routes!(work::decide))
        .routes(routes!(work::register))
        .routes(routes!(service::rule_sets))
        .routes(routes!(monitoring::alerts))
        .routes(routes!(monitoring::alert))
        .routes(routes!(monitoring::confirm))
        .routes(routes!(monitoring::dismiss))
        .routes(routes!(monitoring::events))
        .routes(routes!(identity::records))
        .routes(routes!(identity::person))
        .routes(routes!(identity::links))
        .routes(routes!(identity::link))
        .routes(routes!(identity::verdict))
        .routes(routes!(
            exchange::contact_points,
            exchange::keep_contact_point
        ))
        .routes(routes!(exchange::raise, exchange::own_flags))
        .routes(routes!(exchange::renew))
        .routes(routes!(exchange::clear))
        .routes(routes!(exchange::person_flags))
        .routes(routes!(monitoring::employers))
        .routes(routes!(monitoring::employer_indicators))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Polku API",
        description = "Applications, cases, decisions explained in fi/sv/en, people's work and the rule sets in force. \
Every route needs `Authorization: Bearer <token>`; errors are RFC 9457 problem details. \
Request bodies are JSON (`Content-Type: application/json`); any other is a 415 problem. \
A query parameter sent with an empty value (`?limit=`, `?matter=`, `?cursor=`) is a 422 problem naming it, \
like any other value that does not fit; leave a parameter out to get its default. \
Calls from other authorities carry the X-Road headers `X-Road-Client`, `X-Road-UserId` and `X-Road-Issue`, \
which the use log records.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "applicant", description = "Filing, following, withdrawing, rectification"),
        (name = "handler", description = "The queue of referred cases and people's decisions"),
        (name = "rules", description = "The rule sets (processing rules) in force"),
        (name = "monitoring", description = "Granted permits watched: alerts for people, confirmed (a re-examination) or dismissed"),
        (name = "identity", description = "The identity register: other authorities' identity records in; a person's identity, the identity queue and verdicts for handlers"),
        (name = "exchange", description = "Exchange between authorities: contact points, and flags a security authority raises on a person (others see hit / no hit)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
