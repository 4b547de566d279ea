//! The national exchange layer's REST protocol (X-Road message protocol for REST, `r1`):
//! the asking side.
//!
//! A request is `GET {security server}/r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}/{key}`
//! with the headers `X-Road-Client` (the asking member and subsystem), `X-Road-Id` (a
//! message id, unique per request), `X-Road-UserId` (the official or process) and
//! `X-Road-Issue` (the case). The provider answers with the record as JSON and echoes
//! `X-Road-Id`; errors are HTTP statuses with a problem body.
//!
//! [`XRoadClient`] implements every register trait over this protocol. The server side,
//! the simulators `polku registers serve` runs, is in `polku-simulators`
//! (`xroad_server.rs`); the client is tested against it across a real socket.
//!
//! Who asks is proved, not claimed: on the real exchange layer the security servers
//! authenticate each other's certificates and check the provider's service access rights.
//! Here a client presents a bearer credential issued to its member and subsystem, which
//! the provider checks against the `X-Road-Client` it claims.

use std::future::Future;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;

use crate::systems::*;

/// The asking side's identity on the exchange layer.
pub const POLKU_CLIENT: &str = "FI-SIM/GOV/sim-migri/polku";

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
        self.get_from(system.name(), system.service(), ask).await
    }

    /// Asks `service` of the register called `name`.
    async fn get_from<T: DeserializeOwned>(
        &self,
        name: &'static str,
        service: &str,
        ask: &Ask,
    ) -> Result<Answer<T>, RegisterError> {
        let unavailable = |detail: String| RegisterError::Unavailable {
            system: name,
            detail,
        };
        let message_id = uuid::Uuid::now_v7().to_string();
        let uri = format!("{}/r1/{}/{}", self.base, service, percent_encode(&ask.key));
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

impl PersonSearch for XRoadClient {
    fn find(
        &self,
        ask: &Ask,
    ) -> impl Future<Output = Result<Answer<PersonsFound>, RegisterError>> + Send {
        self.get_from(System::Population.name(), PERSON_SEARCH_SERVICE, ask)
    }
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
