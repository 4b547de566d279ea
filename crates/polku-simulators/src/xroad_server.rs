//! The simulators served over the national exchange layer's REST protocol (X-Road message
//! protocol for REST, `r1`): the server `polku registers serve` runs, and the built-in
//! registers of `polku serve` and `polku demo`. `polku_registers::XRoadClient` is the
//! asking side; the protocol is described there.
//!
//! Who asks is proved, not claimed: on the real exchange layer the security servers
//! authenticate each other's certificates and check the provider's service access rights.
//! Here a client presents a bearer credential issued to its member and subsystem; the
//! server refuses an `X-Road-Client` that does not match it, and answers only the services
//! its [`AccessRights`] list for that client.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use polku_registers::systems::*;
use serde::Serialize;
use serde_json::json;

use crate::simulator::{Simulator, provenance};

/// Which clients may call which services, as a provider's security server keeps its
/// service access rights. A client is known by the SHA-256 of its credential.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRights {
    #[serde(rename = "client")]
    pub clients: Vec<ClientRight>,
}

/// One client's rights.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRight {
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
    pub id: String,
    /// SHA-256 of the client's credential, lower-case hex.
    pub token_sha256: String,
    /// The services it may call (`System::service()` paths), or `["*"]` for all.
    pub services: Vec<String>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// No credential, or one no client has: 401.
    Unknown,
    /// The header names another member than the credential: 403.
    NotYou(String),
    /// No access right to the service: 403.
    NoRight,
}

impl AccessRights {
    /// One client with the credential `token`, allowed every service.
    pub fn everything_for(client_id: &str, token: &str) -> AccessRights {
        AccessRights {
            clients: vec![ClientRight {
                id: client_id.to_owned(),
                token_sha256: sha256_hex(token),
                services: vec!["*".to_owned()],
            }],
        }
    }

    fn check(&self, token: Option<&str>, claimed: &str, system: System) -> Result<(), Refusal> {
        let hash = token.map(sha256_hex).ok_or(Refusal::Unknown)?;
        let right = self
            .clients
            .iter()
            .find(|c| c.token_sha256.eq_ignore_ascii_case(&hash))
            .ok_or(Refusal::Unknown)?;
        if right.id != claimed {
            return Err(Refusal::NotYou(right.id.clone()));
        }
        if right
            .services
            .iter()
            .any(|s| s == "*" || s == system.service())
        {
            Ok(())
        } else {
            Err(Refusal::NoRight)
        }
    }
}

/// SHA-256 as lower-case hex: how access rights name a credential.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The simulators served over the protocol: `GET /r1/{service}/{key}`, answered only to
/// the clients `access` lists, for the services it lists for them.
pub fn router(simulator: Simulator, access: AccessRights) -> Router {
    Router::new()
        .route("/r1/{*path}", get(serve_request))
        .with_state(Served {
            simulator,
            access: std::sync::Arc::new(access),
        })
}

#[derive(Clone)]
struct Served {
    simulator: Simulator,
    access: std::sync::Arc<AccessRights>,
}

fn problem(status: StatusCode, detail: String) -> Response {
    (
        status,
        [("content-type", "application/problem+json")],
        json!({"type": "about:blank", "status": status.as_u16(), "detail": detail}).to_string(),
    )
        .into_response()
}

async fn serve_request(
    State(served): State<Served>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let sim = &served.simulator;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(client), Some(message_id)) = (header("x-road-client"), header("x-road-id")) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "X-Road-Client and X-Road-Id are required".to_owned(),
        );
    };
    let Some((service, key)) = path.rsplit_once('/') else {
        return problem(StatusCode::NOT_FOUND, format!("no service at {path}"));
    };
    // The population register's search is one of its services: a right to the register
    // is a right to search it.
    let search = service == PERSON_SEARCH_SERVICE;
    let Some(system) = System::by_service(service).or(search.then_some(System::Population)) else {
        return problem(StatusCode::NOT_FOUND, format!("no service {service}"));
    };
    let token = header("authorization").and_then(|a| a.strip_prefix("Bearer ").map(str::to_owned));
    if let Some(refused) = refusal(&served.access, token.as_deref(), &client, system) {
        return refused;
    }
    let ask = Ask {
        key: key.to_owned(),
        user_id: header("x-road-userid").unwrap_or_default(),
        issue: header("x-road-issue").unwrap_or_default(),
    };
    tracing::debug!(client = ?client, message_id = ?message_id, service, key = ?key, "register request");
    let reply = if search {
        json_of(sim.find(&ask).await)
    } else {
        simulated(sim, system, &ask).await
    };
    match reply {
        Ok(body) => (
            StatusCode::OK,
            [
                ("content-type", "application/json".to_owned()),
                ("x-road-id", message_id),
                ("x-road-request-id", provenance(system, ()).request_id),
            ],
            body,
        )
            .into_response(),
        Err(e @ RegisterError::NotFound { .. }) => problem(StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => problem(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// The answer to a request its credential does not allow: an unknown credential, one
/// issued to another client than the header names, or one without a right to `system`.
fn refusal(
    access: &AccessRights,
    token: Option<&str>,
    client: &str,
    system: System,
) -> Option<Response> {
    match access.check(token, client, system) {
        Ok(()) => None,
        Err(Refusal::Unknown) => Some(problem(
            StatusCode::UNAUTHORIZED,
            "no credential this server knows: send Authorization: Bearer <credential>".to_owned(),
        )),
        Err(Refusal::NotYou(issued_to)) => {
            tracing::warn!(claimed = ?client, issued_to = %issued_to, "X-Road-Client disagrees with the credential");
            Some(problem(
                StatusCode::FORBIDDEN,
                format!(
                    "X-Road-Client does not match the credential, which was issued to {issued_to}"
                ),
            ))
        }
        Err(Refusal::NoRight) => Some(problem(
            StatusCode::FORBIDDEN,
            format!("{client} has no access right to {}", system.service()),
        )),
    }
}

/// What the simulator holds for `ask` in `system`, as JSON.
async fn simulated(sim: &Simulator, system: System, ask: &Ask) -> Result<String, RegisterError> {
    match system {
        System::Population => json_of(sim.person(ask).await),
        System::Permits => json_of(sim.permits(ask).await),
        System::Incomes => json_of(sim.incomes(ask).await),
        System::CriminalRecords => json_of(sim.records(ask).await),
        System::Tax => json_of(sim.debts(ask).await),
        System::TradeRegister => json_of(sim.company(ask).await),
        System::Security => json_of(sim.statement(ask).await),
        System::Eurodac => json_of(sim.hits(ask).await),
        System::Ees => json_of(sim.movements(ask).await),
        System::Sis => json_of(sim.alerts(ask).await),
        System::Vis => json_of(sim.visas(ask).await),
        System::LanguageTests => json_of(sim.results(ask).await),
        System::Studies => json_of(sim.studies(ask).await),
        System::CollectiveAgreements => json_of(sim.agreement(ask).await),
        System::EmployerDeclarations => json_of(sim.terms(ask).await),
    }
}

fn json_of<T: Serialize>(reply: Result<Answer<T>, RegisterError>) -> Result<String, RegisterError> {
    let answer = reply?;
    serde_json::to_string(&answer.record).map_err(|e| RegisterError::Protocol {
        system: "simulator",
        detail: e.to_string(),
    })
}
