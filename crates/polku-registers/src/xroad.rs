//! The national exchange layer's REST protocol (X-Road message protocol for REST, `r1`).
//!
//! A request is `GET {security server}/r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}/{key}`
//! with the headers `X-Road-Client` (the asking member and subsystem), `X-Road-Id` (a
//! message id, unique per request), `X-Road-UserId` (the official or process) and
//! `X-Road-Issue` (the case). The provider answers with the record as JSON and echoes
//! `X-Road-Id`; errors are HTTP statuses with a problem body.
//!
//! [`XRoadClient`] implements every register trait over this protocol; [`router`] serves
//! the simulators over it (`polku registers serve`), so the client is tested across a
//! real socket.
//!
//! Who asks is proved, not claimed: on the real exchange layer the security servers
//! authenticate each other's certificates and check the provider's service access rights.
//! Here a client presents a bearer credential issued to its member and subsystem; the
//! server refuses an `X-Road-Client` that does not match it, and answers only the services
//! its [`AccessRights`] list for that client.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::simulator::{Simulator, provenance};
use crate::systems::*;

/// The asking side's identity on the exchange layer.
pub const POLKU_CLIENT: &str = "FI-SIM/GOV/sim-migri/polku";

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

/// Asks registers over the exchange layer's REST protocol.
#[derive(Clone)]
pub struct XRoadClient {
    base: String,
    client_id: String,
    /// The credential issued to `client_id`.
    token: Option<String>,
    http: Client<HttpConnector, Empty<Bytes>>,
    /// Limit for one request (the evidence gatherer has its own, per system).
    pub timeout: Duration,
}

impl XRoadClient {
    /// `base`: the security server, e.g. `http://127.0.0.1:8081`.
    pub fn new(base: impl Into<String>) -> XRoadClient {
        XRoadClient {
            base: base.into().trim_end_matches('/').to_owned(),
            client_id: POLKU_CLIENT.to_owned(),
            token: None,
            http: Client::builder(TokioExecutor::new()).build_http(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Asks as `client_id`, proving it with `token`.
    pub fn with_identity(mut self, client_id: &str, token: &str) -> XRoadClient {
        self.client_id = client_id.to_owned();
        self.token = Some(token.to_owned());
        self
    }

    async fn get<T: DeserializeOwned>(
        &self,
        system: System,
        ask: &Ask,
    ) -> Result<Answer<T>, RegisterError> {
        let name = system.name();
        let unavailable = |detail: String| RegisterError::Unavailable {
            system: name,
            detail,
        };
        let message_id = uuid::Uuid::now_v7().to_string();
        let uri = format!(
            "{}/r1/{}/{}",
            self.base,
            system.service(),
            percent_encode(&ask.key)
        );
        let mut request = hyper::Request::get(&uri);
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let request = request
            .header("X-Road-Client", &self.client_id)
            .header("X-Road-Id", &message_id)
            .header("X-Road-UserId", &ask.user_id)
            .header("X-Road-Issue", &ask.issue)
            .header("Accept", "application/json")
            .body(Empty::new())
            .map_err(|e| RegisterError::Protocol {
                system: name,
                detail: e.to_string(),
            })?;
        let response = tokio::time::timeout(self.timeout, self.http.request(request))
            .await
            .map_err(|_| RegisterError::Timeout { system: name })?
            .map_err(|e| unavailable(e.to_string()))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .to_bytes();
        match status {
            StatusCode::OK => {
                let record =
                    serde_json::from_slice(&body).map_err(|e| RegisterError::Protocol {
                        system: name,
                        detail: e.to_string(),
                    })?;
                Ok(Answer {
                    source: name.to_owned(),
                    request_id: message_id,
                    fetched_at: jiff::Timestamp::now().to_string(),
                    record,
                })
            }
            StatusCode::NOT_FOUND => Err(RegisterError::NotFound {
                system: name,
                key: ask.key.clone(),
            }),
            s if s.is_server_error() => Err(unavailable(format!(
                "{s}: {}",
                String::from_utf8_lossy(&body)
            ))),
            s => Err(RegisterError::Protocol {
                system: name,
                detail: format!("{s}: {}", String::from_utf8_lossy(&body)),
            }),
        }
    }
}

/// Keys are person ids and business IDs; anything else is escaped.
fn percent_encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Implements one register trait over the protocol.
macro_rules! over_xroad {
    ($trait:ident, $method:ident, $record:ty, $system:expr) => {
        impl $trait for XRoadClient {
            fn $method(
                &self,
                ask: &Ask,
            ) -> impl Future<Output = Result<Answer<$record>, RegisterError>> + Send {
                self.get($system, ask)
            }
        }
    };
}

over_xroad!(
    PopulationRegister,
    person,
    PopulationRecord,
    System::Population
);
over_xroad!(PermitRegister, permits, PermitRecord, System::Permits);
over_xroad!(IncomesRegister, incomes, IncomesRecord, System::Incomes);
over_xroad!(
    CriminalRecords,
    records,
    CriminalRecord,
    System::CriminalRecords
);
over_xroad!(TaxAdministration, debts, TaxRecord, System::Tax);
over_xroad!(TradeRegister, company, CompanyRecord, System::TradeRegister);
over_xroad!(
    SecurityService,
    statement,
    SecurityStatement,
    System::Security
);
over_xroad!(Eurodac, hits, EurodacRecord, System::Eurodac);
over_xroad!(EntryExitSystem, movements, EesRecord, System::Ees);
over_xroad!(SchengenInformationSystem, alerts, SisRecord, System::Sis);
over_xroad!(VisaInformationSystem, visas, VisRecord, System::Vis);
over_xroad!(
    LanguageTests,
    results,
    LanguageRecord,
    System::LanguageTests
);
over_xroad!(StudiesRegister, studies, StudiesRecord, System::Studies);
over_xroad!(
    EmployerDeclarations,
    terms,
    EmploymentTerms,
    System::EmployerDeclarations
);
over_xroad!(
    AgreementsRegister,
    agreement,
    AgreementRecord,
    System::CollectiveAgreements
);

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
    let Some(system) = System::by_service(service) else {
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
    let reply = simulated(sim, system, &ask).await;
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
