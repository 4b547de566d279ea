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

/// Asks registers over the exchange layer's REST protocol.
#[derive(Clone)]
pub struct XRoadClient {
    base: String,
    client_id: String,
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
            http: Client::builder(TokioExecutor::new()).build_http(),
            timeout: Duration::from_secs(10),
        }
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
        let request = hyper::Request::get(&uri)
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
    AgreementsRegister,
    agreement,
    AgreementRecord,
    System::CollectiveAgreements
);

/// The simulators served over the protocol: `GET /r1/{service}/{key}`.
pub fn router(simulator: Simulator) -> Router {
    Router::new()
        .route("/r1/{*path}", get(serve_request))
        .with_state(simulator)
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
    State(sim): State<Simulator>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
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
    let ask = Ask {
        key: key.to_owned(),
        user_id: header("x-road-userid").unwrap_or_default(),
        issue: header("x-road-issue").unwrap_or_default(),
    };
    tracing::debug!(%client, %message_id, service, key, "register request");
    let reply = match system {
        System::Population => json_of(sim.person(&ask).await),
        System::Permits => json_of(sim.permits(&ask).await),
        System::Incomes => json_of(sim.incomes(&ask).await),
        System::CriminalRecords => json_of(sim.records(&ask).await),
        System::Tax => json_of(sim.debts(&ask).await),
        System::TradeRegister => json_of(sim.company(&ask).await),
        System::Security => json_of(sim.statement(&ask).await),
        System::Eurodac => json_of(sim.hits(&ask).await),
        System::Ees => json_of(sim.movements(&ask).await),
        System::Sis => json_of(sim.alerts(&ask).await),
        System::Vis => json_of(sim.visas(&ask).await),
        System::LanguageTests => json_of(sim.results(&ask).await),
        System::Studies => json_of(sim.studies(&ask).await),
        System::CollectiveAgreements => json_of(sim.agreement(&ask).await),
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

fn json_of<T: Serialize>(reply: Result<Answer<T>, RegisterError>) -> Result<String, RegisterError> {
    let answer = reply?;
    serde_json::to_string(&answer.record).map_err(|e| RegisterError::Protocol {
        system: "simulator",
        detail: e.to_string(),
    })
}
