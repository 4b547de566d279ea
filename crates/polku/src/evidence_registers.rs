//! Where the pipeline's evidence comes from: the registers over the national exchange
//! layer's REST protocol. `--registers-url` names a security server (real, or a separate
//! `polku registers serve`); without it Polku starts the built-in register simulators on
//! loopback, answering from the synthetic population, and asks them through the very same
//! X-Road client and adapters. Either way no evidence is ever taken from the applicant.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use polku_cases::{Cases, LiveRules};
use polku_registers::xroad::POLKU_CLIENT;
use polku_registers::{RegisterEvidence, XRoadClient};
use polku_simulators::{AccessRights, Behaviour, Population, Simulator};

use crate::config::Config;

/// The registers' settings, shared by `serve`, `demo` and `cases work`.
#[derive(Args, Clone, Debug, Default)]
pub struct RegisterOptions {
    /// The exchange layer's security server to ask, e.g. `http://127.0.0.1:8081`
    /// (default: the built-in simulators, started on loopback).
    #[arg(long, env = "POLKU_REGISTERS_URL")]
    pub registers_url: Option<String>,
    /// The credential issued to this service's X-Road client by the registers at
    /// --registers-url (`polku registers serve` prints one).
    #[arg(long, env = "POLKU_REGISTERS_TOKEN", hide_env_values = true)]
    pub registers_token: Option<String>,
    /// This service's X-Road client id [default: FI-SIM/GOV/sim-migri/polku].
    #[arg(long, env = "POLKU_REGISTERS_CLIENT")]
    pub registers_client: Option<String>,
    /// People in the synthetic population the built-in simulators answer from
    /// [default: 20000].
    #[arg(long, env = "POLKU_POPULATION_PERSONS")]
    pub persons: Option<u32>,
    /// The population's seed: the same seed, the same people [default: 2026].
    #[arg(long, env = "POLKU_POPULATION_SEED")]
    pub seed: Option<u64>,
    /// Mean latency of a simulated register, milliseconds [default: 0; the demo 20].
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Share of simulated register requests that fail, 0–1 [default: 0; the demo 0.01].
    #[arg(long)]
    pub failure_rate: Option<f64>,
}

/// The population's size and seed when nothing else is said: `polku demo`'s.
pub const DEFAULT_PERSONS: u32 = 20_000;
pub const DEFAULT_SEED: u64 = 2026;

/// Injected latency and failures: none unless asked (the demo asks for some).
#[derive(Clone, Copy)]
pub struct Faults {
    pub latency_ms: u64,
    pub failure_rate: f64,
}

impl Faults {
    pub const NONE: Faults = Faults {
        latency_ms: 0,
        failure_rate: 0.0,
    };
}

impl RegisterOptions {
    /// Flags and variables first, then the configuration file.
    pub fn with_config(mut self, config: &Config) -> RegisterOptions {
        self.registers_url = self.registers_url.or_else(|| config.registers_url.clone());
        self.registers_token = self
            .registers_token
            .or_else(|| config.registers_token.clone());
        self.registers_client = self
            .registers_client
            .or_else(|| config.registers_client.clone());
        self.persons = self.persons.or(config.population_persons);
        self.seed = self.seed.or(config.population_seed);
        self
    }

    pub fn persons(&self) -> u32 {
        self.persons.unwrap_or(DEFAULT_PERSONS)
    }

    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }

    pub fn faults(&self, default: Faults) -> Faults {
        Faults {
            latency_ms: self.latency_ms.unwrap_or(default.latency_ms),
            failure_rate: self
                .failure_rate
                .unwrap_or(default.failure_rate)
                .clamp(0.0, 1.0),
        }
    }
}

/// The registers this process asks.
pub struct Registers {
    /// The X-Road client every evidence request goes through.
    pub client: XRoadClient,
    /// The synthetic population, when the built-in simulators answer (the test identity
    /// provider and the demo use it); `None` with real registers.
    pub population: Option<Arc<Population>>,
    /// Where the built-in simulators listen, when they run.
    pub simulators: Option<SocketAddr>,
}

impl Registers {
    /// The registers `options` name, or the built-in simulators with `faults` started on
    /// loopback (they stop with the process).
    pub async fn start(options: &RegisterOptions, faults: Faults) -> anyhow::Result<Registers> {
        if let Some(url) = &options.registers_url {
            let url = url.trim_end_matches('/');
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("the registers' address `{url}` is not an http:// or https:// URL");
            }
            let Some(token) = &options.registers_token else {
                anyhow::bail!(
                    "the registers at {url} need this service's credential: give --registers-token (POLKU_REGISTERS_TOKEN)"
                );
            };
            let client_id = options.registers_client.as_deref().unwrap_or(POLKU_CLIENT);
            tracing::info!(registers = %url, client = %client_id, "asking the registers over the exchange layer");
            return Ok(Registers {
                client: XRoadClient::new(url).with_identity(client_id, token),
                population: None,
                simulators: None,
            });
        }
        let started = Instant::now();
        let population = Arc::new(Population::generate(options.seed(), options.persons()));
        let simulator = Simulator::new(
            population.clone(),
            Behaviour {
                latency: Duration::from_millis(faults.latency_ms),
                failure_rate: faults.failure_rate,
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot start the built-in registers on loopback")?;
        let addr = listener.local_addr()?;
        // A credential for this process alone: the simulators answer no one else.
        let token = polku_access::random_token("polku_r_")
            .map_err(|e| anyhow::anyhow!("cannot make the registers' credential: {e}"))?;
        let access = AccessRights::everything_for(POLKU_CLIENT, &token);
        tokio::spawn(async move {
            let router = polku_simulators::xroad_server::router(simulator, access);
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the built-in registers stopped");
            }
        });
        tracing::info!(
            listen = %addr,
            persons = population.persons.len(),
            seed = options.seed(),
            millis = started.elapsed().as_millis() as u64,
            "built-in register simulators started over the synthetic population"
        );
        Ok(Registers {
            client: XRoadClient::new(format!("http://{addr}")).with_identity(POLKU_CLIENT, &token),
            population: Some(population),
            simulators: Some(addr),
        })
    }

    /// The pipeline's evidence source over these registers.
    pub fn evidence(&self, store: &Cases, rules: &LiveRules) -> Arc<RegisterEvidence<XRoadClient>> {
        Arc::new(RegisterEvidence::new(
            self.client.clone(),
            crate::handles::audit(store),
            rules.clone(),
        ))
    }
}

/// The population register's search over the exchange layer, as the auditors' page asks it
/// (on behalf of the official searching).
pub struct RegisterLookup<S>(pub S);

impl<S: polku_registers::PersonSearch> polku_web::PersonLookup for RegisterLookup<S> {
    fn find<'a>(
        &'a self,
        words: &'a str,
        official: &'a str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<polku_web::FoundPersons, polku_web::LookupError>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            let ask = polku_registers::Ask {
                key: words.trim().to_owned(),
                user_id: official.to_owned(),
                issue: "audit of the logs".to_owned(),
            };
            let answer = self
                .0
                .find(&ask)
                .await
                .map_err(|e| polku_web::LookupError(e.to_string()))?;
            Ok(polku_web::FoundPersons {
                persons: answer
                    .record
                    .persons
                    .into_iter()
                    .map(|p| polku_web::FoundPerson {
                        person: p.person,
                        name: format!("{} {}", p.name.given, p.name.family),
                        native: p.name.native,
                        born: p.date_of_birth,
                        identity_code: p.personal_identity_code,
                    })
                    .collect(),
                more: answer.record.more,
                register: answer.source,
                request_id: answer.request_id,
            })
        })
    }
}
