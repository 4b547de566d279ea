//! `polku registers serve`: the register simulators over the exchange layer's REST
//! protocol on loopback, answering from a synthetic population; `polku registers events`:
//! what those registers report in a month about the population's permit holders, as
//! register events for `polku monitor ingest`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use polku_registers::xroad::POLKU_CLIENT;
use polku_simulators::streams::Month;
use polku_simulators::{AccessRights, Behaviour, Population, Simulator};

use crate::evidence_registers::{DEFAULT_PERSONS, DEFAULT_SEED};

#[derive(Subcommand)]
pub enum RegistersCommand {
    /// Serve every simulated register at `/r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}/{key}`.
    Serve(ServeArgs),
    /// Write what the simulated registers report in one month about the synthetic
    /// population's permit holders — pay reports, moves and emigrations, criminal-record
    /// entries, employers' bankruptcies and deregistrations, entry bans and SIS alerts, ends
    /// of studies — as JSON lines for `polku monitor ingest` (docs/monitoring.md). The same
    /// seed and month, the same events with the same ids. Events dated after today are left
    /// out (the monitor takes none from the future).
    Events(EventsArgs),
}

#[derive(Args)]
pub struct EventsArgs {
    /// The month, e.g. 2026-11.
    #[arg(long)]
    month: Month,
    /// People in the synthetic population: the built-in registers' [default: 20000].
    #[arg(long, env = "POLKU_POPULATION_PERSONS")]
    persons: Option<u32>,
    /// The population's seed: the built-in registers' [default: 2026].
    #[arg(long, env = "POLKU_POPULATION_SEED")]
    seed: Option<u64>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    #[arg(long, default_value_t = 20_000)]
    persons: u32,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Mean latency of an answer, milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests that fail with 503, 0–1.
    #[arg(long, default_value_t = 0.0)]
    failure_rate: f64,
    /// The service access rights (TOML: `[[client]]` with `id`, `token_sha256` and
    /// `services`, `["*"]` for all). Without it, one client, FI-SIM/GOV/sim-migri/polku,
    /// may call every service, with a credential printed at start.
    #[arg(long)]
    access: Option<std::path::PathBuf>,
}

pub fn run(command: RegistersCommand) -> std::process::ExitCode {
    let args = match command {
        RegistersCommand::Serve(args) => args,
        RegistersCommand::Events(args) => {
            return match events(&args) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("polku registers events: {e:#}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
    };
    crate::init_logs(None);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(serve(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku registers serve: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let population = Arc::new(Population::generate(args.seed, args.persons));
    let simulator = Simulator::new(
        population,
        Behaviour {
            latency: Duration::from_millis(args.latency_ms),
            failure_rate: args.failure_rate.clamp(0.0, 1.0),
        },
    );
    let access = match &args.access {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let access: AccessRights = toml::from_str(&text)
                .with_context(|| format!("{} is not valid access rights", path.display()))?;
            for c in &access.clients {
                if !polku_access::is_x_road_client(&c.id) {
                    anyhow::bail!(
                        "`{}` in {} is not an X-Road client id",
                        c.id,
                        path.display()
                    );
                }
            }
            access
        }
        None => {
            let token = polku_access::random_token("polku_r_")
                .map_err(|e| anyhow::anyhow!("cannot make a credential: {e}"))?;
            println!("access for {POLKU_CLIENT}: --registers-token {token}");
            AccessRights::everything_for(POLKU_CLIENT, &token)
        }
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(listen = %args.listen, persons = args.persons, seed = args.seed, clients = access.clients.len(), "registers serving");
    axum::serve(
        listener,
        polku_simulators::xroad_server::router(simulator, access),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the register server failed")
}

/// Writes the month's events to standard output, one JSON object a line; a count by kind
/// to standard error.
fn events(args: &EventsArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let today = polku_cases::today_in_finland();
    if args.month.first_day() > today {
        anyhow::bail!("{} has not begun: today is {today} in Finland", args.month);
    }
    let population = Population::generate(
        args.seed.unwrap_or(DEFAULT_SEED),
        args.persons.unwrap_or(DEFAULT_PERSONS),
    );
    let events = population.month_events(args.month);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut by_kind = std::collections::BTreeMap::<&str, usize>::new();
    let mut later = 0;
    for event in &events {
        if event.occurred_on > today {
            later += 1;
            continue;
        }
        *by_kind.entry(event.kind()).or_default() += 1;
        serde_json::to_writer(&mut out, event).context("cannot write an event")?;
        out.write_all(b"\n").context("cannot write an event")?;
    }
    out.flush().context("cannot write the events")?;
    let written: usize = by_kind.values().sum();
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    eprintln!(
        "{written} events in {} about {} persons and {} employers (seed {}): {}",
        args.month,
        population.persons.len(),
        population.employers.len(),
        population.seed,
        kinds.join(", ")
    );
    if later > 0 {
        eprintln!("{later} events dated after today ({today}) left out");
    }
    Ok(())
}
