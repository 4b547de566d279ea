//! `polku serve`: the API and the decision pipeline in one process, on the embedded
//! SQLite database unless `--database-url` names another.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use clap::Args;
use polku_cases::{Cases, LiveRules};
use polku_rule_admin::RuleAdmin;
use polku_server::AppState;
use polku_web::TestIdentities;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::config::StoreArgs;
use crate::demo::{DemoOptions, DemoWorld};
use crate::evidence_registers::{Faults, RegisterOptions, Registers};

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "POLKU_LISTEN")]
    listen: Option<SocketAddr>,
    /// Operators' address for Prometheus metrics, health and readiness (default: none;
    /// metrics are never served on the public address).
    #[arg(long, env = "POLKU_OPERATOR_LISTEN")]
    operator_listen: Option<SocketAddr>,
    /// Rules directory (default: the rule sets built into polku).
    #[arg(long, env = "POLKU_RULES")]
    rules: Option<PathBuf>,
    /// Pipeline workers in this process (default: one per core).
    #[arg(long, env = "POLKU_WORKERS")]
    workers: Option<usize>,
    /// Seconds a worker holds a job before another may take it over: how long a crashed
    /// process's jobs wait [default: 30].
    #[arg(long, env = "POLKU_JOB_LEASE")]
    job_lease: Option<u64>,
    /// Also run the demo: the synthetic population applying through this server's
    /// pipeline (see `polku demo`), and the registers reporting events about the new
    /// permit holders to the monitor; the simulated registers then answer with the
    /// demo's latency and failures unless told otherwise.
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    demo_options: crate::demo::DemoOptions,
    #[command(flatten)]
    registers: RegisterOptions,
    // Boxed: a command's arguments are one enum variant among the others.
    #[command(flatten)]
    notify: Box<crate::notifications::NotifyArgs>,
    #[command(flatten)]
    payments: Box<crate::payments::PaymentArgs>,
    // Boxed: a command's arguments are one enum variant among the others.
    #[command(flatten)]
    audit_anchors: Box<crate::audit_anchors::AnchorArgs>,
    #[command(flatten)]
    audit_anchor_schedule: Box<crate::audit_anchors::ScheduleArgs>,
}

/// Where `polku serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub fn run(args: ServeArgs) -> ExitCode {
    let config = match args.store.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("polku serve: {e:#}");
            return ExitCode::from(2);
        }
    };
    crate::init_logs(config.log.as_deref());
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(serve(args, config)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku serve: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// How often a server looks for rule changes approved elsewhere.
const RULES_REFRESH: Duration = Duration::from_secs(10);

async fn serve(args: ServeArgs, config: Config) -> anyhow::Result<()> {
    let metrics = polku_server::install_metrics()
        .map_err(|e| anyhow::anyhow!("cannot start metrics: {e}"))?;
    let listen = match args.listen.or(config.listen) {
        Some(a) => a,
        None => DEFAULT_LISTEN.parse().context("the default address")?,
    };
    let store = args.store.open_with(&config).await?;
    let rules = rules_in_force(&args, &config, &store).await?;
    // The audit chain's head signed now and then, outside the database (ADR 0008); the
    // last anchor once the workers have stopped.
    let (anchors_stop, anchors_stopped) = watch::channel(false);
    let anchorer = crate::audit_anchors::start(
        &args.audit_anchors,
        &args.audit_anchor_schedule,
        &args.store,
        &config,
        &store,
        anchors_stopped,
    )?;
    let (stop_tx, stop_rx) = watch::channel(false);
    // One monitor in the process: it holds the watched permits' facts in memory.
    let mut state = AppState::new(store.clone(), rules.clone(), Some(metrics));
    let work = start_work(
        &args,
        &config,
        (&store, &rules, &state.monitor()),
        (&stop_tx, &stop_rx),
    )
    .await?;
    let refresher = keep_rules_fresh(rules.clone(), stop_rx.clone());
    let notify_args = args.notify.clone().with_config(&config);
    let public_url = notify_args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listen}"));
    let (provider, payment_simulator) = crate::payments::provider(
        &args.payments.clone().with_config(&config),
        listen,
        &public_url,
    )?;
    let notifier = crate::notifications::notifier(
        &notify_args,
        listen,
        &args.store.data_dir(&config),
        (&store, &rules),
    )
    .await?;
    let notifying = crate::notifications::keep_notifying(notifier.clone(), stop_rx.clone());
    let mut pages = polku_web::WebState::new(store.clone(), rules.clone(), work.people.clone());
    pages.notifier = notifier;
    pages.payment_provider = Some(provider.clone());
    pages.public_url = public_url.trim_end_matches('/').to_owned();
    // The API's filings wait for their fee the same way.
    state.payment_provider = Some(provider);
    state.public_url = pages.public_url.clone();
    pages.monitor = state.monitor();
    pages.preview = Some(work.preview.clone());
    pages.person_lookup = Some(work.person_lookup.clone());
    pages.persons = Some(work.persons.clone());
    state.persons = Some(work.persons.clone());
    // The API's decision PDFs are the pages' (the same notice, the same fonts).
    state.documents = Some(Arc::new(crate::documents::PagesTypeset(pages.clone())));
    state.notifier = pages.notifier.clone();
    let mut pages = polku_web::router(pages);
    if let Some(simulator) = payment_simulator {
        pages = pages.merge(simulator);
    }
    let watcher = keep_watching_grants(state.monitor(), stop_rx.clone());
    let operator_listen = args.operator_listen.or(config.operator_listen);
    let operator = serve_operators(operator_listen, &state, &stop_rx).await?;
    serve_public(listen, state, pages, work.workers, stop_rx).await?;
    // Workers finish the job in hand (it commits or rolls back whole) and stop.
    let _ = stop_tx.send(true);
    work.finished().await;
    let _ = refresher.await;
    let _ = watcher.await;
    let _ = notifying.await;
    if let Some(operator) = operator {
        let _ = operator.await;
    }
    let _ = anchors_stop.send(true);
    let _ = anchorer.await;
    store.close().await;
    Ok(())
}

/// The rule files (`--rules`, or those built in) with the approved rule changes in the
/// store laid over them, each from its effective date.
async fn rules_in_force(
    args: &ServeArgs,
    config: &Config,
    store: &Cases,
) -> anyhow::Result<LiveRules> {
    let shipped = crate::load_rules(args.rules.as_ref().or(config.rules.as_ref()))
        .map_err(|e| anyhow::anyhow!("the rule files have errors:\n{e}"))?;
    let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(shipped));
    rules
        .refresh()
        .await
        .context("cannot lay the approved rule changes over the rule files")?;
    Ok(rules)
}

/// What runs beside the server until it stops: the pipeline's workers and, in demo mode,
/// the population's applications streaming in.
struct Work {
    /// Whom the test identity provider offers: the built-in registers' population, if
    /// they answer.
    people: Option<Arc<dyn TestIdentities>>,
    /// Pipeline workers asked for (the demo runs four times as many).
    workers: usize,
    tasks: Vec<JoinHandle<()>>,
    demo: Option<JoinHandle<()>>,
    /// In demo mode, the registers reporting about the new permit holders.
    feed: Option<JoinHandle<()>>,
    /// The pipeline's registers, lent to the pages' eligibility preview.
    preview: Arc<dyn polku_web::RegisterPreview>,
    /// The population register's search, for the auditors' page.
    person_lookup: Arc<dyn polku_web::PersonLookup>,
    /// The identity register the pipeline's evidence goes through, for the handlers'
    /// identity pages.
    persons: polku_persons::Persons,
}

impl Work {
    /// Waits, once told to stop, for the demo's stream and every worker to end.
    async fn finished(self) {
        if let Some(stream) = self.demo {
            let _ = stream.await;
        }
        if let Some(feed) = self.feed {
            let _ = feed.await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Starts the registers and the pipeline's workers asking them; with `--demo` also the
/// population's applications streaming in beside the API.
async fn start_work(
    args: &ServeArgs,
    config: &Config,
    (store, rules, monitor): (&Cases, &LiveRules, &polku_monitoring::Monitor),
    (stop_tx, stop_rx): (&watch::Sender<bool>, &watch::Receiver<bool>),
) -> anyhow::Result<Work> {
    let lease = Duration::from_secs(args.job_lease.or(config.job_lease).unwrap_or(30).max(1));
    let workers = args
        .workers
        .or(config.workers)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The evidence always comes from the registers: the built-in simulators over the
    // exchange layer's protocol unless `registers_url` names a security server. In demo
    // mode the population's applications stream in beside the API.
    let register_options = args.registers.clone().with_config(config);
    let faults = register_options.faults(if args.demo {
        crate::demo::DEMO_FAULTS
    } else {
        Faults::NONE
    });
    let registers = Registers::start(&register_options, faults).await?;
    // The identity register lays its answer over the registers' (issue 14).
    let persons = crate::handles::persons(store)?;
    // Its records into memory now, in the background, not inside the first registration.
    let warming = persons.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match warming.warm().await {
            Ok(records) => tracing::info!(
                records,
                seconds = started.elapsed().as_secs_f64(),
                "identity register loaded"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "identity register not loaded; the first registration loads it")
            }
        }
    });
    // Flags over both (issue 15): they are read on the person the identity register
    // resolved.
    let evidence = Arc::new(polku_exchange::FlagEvidence::new(
        polku_persons::IdentityEvidence::new(registers.evidence(store, rules), persons.clone()),
        polku_exchange::Exchange::new(store.clone()),
    ));
    let preview: Arc<dyn polku_web::RegisterPreview> = evidence.clone();
    let person_lookup: Arc<dyn polku_web::PersonLookup> = Arc::new(
        crate::evidence_registers::RegisterLookup(registers.client.clone()),
    );
    let people = registers
        .population
        .clone()
        .map(crate::test_identities::over);
    if !args.demo {
        let tasks =
            crate::demo::start_workers(store, rules, evidence, workers, lease, stop_rx.clone());
        return Ok(Work {
            people,
            workers,
            tasks,
            demo: None,
            feed: None,
            preview,
            person_lookup,
            persons,
        });
    }
    let w = crate::demo::world(&registers, Some(store.clone()), None, Some(rules.clone())).await?;
    let feed = feed_demo_events(
        store.clone(),
        monitor.clone(),
        w.population.clone(),
        stop_rx.clone(),
    );
    let mut tasks =
        crate::demo::start_workers(store, rules, evidence, workers * 4, lease, stop_rx.clone());
    // Other authorities' records about the population, past the people the test identity
    // provider offers first (the journeys' applicants stay clear of the identity queue).
    tasks.push(crate::identity::seed_demo(
        persons.clone(),
        polku_exchange::Exchange::new(store.clone()),
        w.population.clone(),
        (
            crate::identity::DEMO_CLEAR,
            crate::identity::DEMO_CLEAR + 360,
        ),
        stop_rx.clone(),
    ));
    let stream = stream_demo(
        w,
        args.demo_options.clone(),
        faults,
        stop_rx.clone(),
        stop_tx.clone(),
    );
    Ok(Work {
        people,
        workers,
        tasks,
        demo: Some(stream),
        feed: Some(feed),
        preview,
        person_lookup,
        persons,
    })
}

/// The demo's registers reporting about its new permit holders until `stop`
/// (`demo_events.rs`).
fn feed_demo_events(
    store: Cases,
    monitor: polku_monitoring::Monitor,
    population: Arc<polku_simulators::Population>,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = crate::demo_events::feed(store, monitor, population, stop).await {
            tracing::error!(error = %e, "the demo's register events failed");
        }
    })
}

/// The demo's applications, streamed until `stop`; with `--duration` their end stops the
/// server too (through `shutdown`).
fn stream_demo(
    w: DemoWorld,
    options: DemoOptions,
    faults: Faults,
    stop: watch::Receiver<bool>,
    shutdown: watch::Sender<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = crate::demo::run_stream(&w, &options, faults, stop).await {
            tracing::error!(error = %e, "the demo stream failed");
        }
        // With --duration the demo ends the server too.
        if options.duration.is_some() {
            let _ = shutdown.send(true);
        }
    })
}

/// Another instance on the same database may approve a rule change: look every few
/// seconds (a change takes effect on a later day, so this is well in time).
fn keep_rules_fresh(rules: LiveRules, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !*stop.borrow() {
            let _ = tokio::time::timeout(RULES_REFRESH, stop.changed()).await;
            match rules.refresh().await {
                Ok(true) => tracing::info!("approved rule changes reloaded"),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %e, "cannot reload the approved rule changes")
                }
            }
        }
    })
}

/// How often a new grant is looked for, to start watching its permit.
const GRANTS_FOLLOWED: Duration = Duration::from_secs(2);

/// How often the monitored facts that changed in memory are written to the database.
const FACTS_WRITTEN_BACK: Duration = Duration::from_secs(60);

/// Monitoring starts watching each granted permit soon after the grant, and applies the
/// register events kept for its holder until then; the facts register events changed are
/// written back every minute and once more when the server stops; the labour-exploitation
/// indicators are recorded for the month once a day (docs/monitoring.md).
fn keep_watching_grants(
    monitor: polku_monitoring::Monitor,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut written = tokio::time::Instant::now();
        let mut indicators_read: Option<tokio::time::Instant> = None;
        while !*stop.borrow() {
            let _ = tokio::time::timeout(GRANTS_FOLLOWED, stop.changed()).await;
            match monitor.follow_grants().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(permits = n, "granted permits now watched"),
                Err(e) => tracing::error!(error = %e, "cannot follow the grants for monitoring"),
            }
            match monitor
                .recheck_when_rules_change(polku_cases::today_in_finland())
                .await
            {
                Ok(Some(r)) => tracing::info!(
                    permits = r.permits,
                    opened = r.alerts_open(),
                    closed = r.alerts_close(),
                    "today's monitoring rules applied to every watched permit"
                ),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, "cannot re-check the watched permits for today")
                }
            }
            if indicators_read.is_none_or(|at| at.elapsed() >= FACTS_WRITTEN_BACK) {
                // Once a day; the first time at start.
                if let Err(e) = monitor
                    .record_indicators_if_due(
                        polku_cases::today_in_finland(),
                        &polku_audit::Actor::Machine,
                    )
                    .await
                {
                    tracing::error!(error = %e, "cannot record the labour-exploitation indicators");
                }
                indicators_read = Some(tokio::time::Instant::now());
            }
            if written.elapsed() >= FACTS_WRITTEN_BACK || *stop.borrow() {
                if let Err(e) = monitor.write_back().await {
                    tracing::error!(error = %e, "cannot write the monitored facts back");
                }
                written = tokio::time::Instant::now();
            }
        }
    })
}

/// Metrics, health and readiness for operators, on an address of their own (none unless
/// one is given), until `stop`.
async fn serve_operators(
    addr: Option<SocketAddr>,
    state: &AppState,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Option<JoinHandle<()>>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for operators"))?;
    let router = polku_server::operator_router(state.clone());
    let stop = stop.clone();
    tracing::info!(listen = %addr, "operators' metrics and health");
    Ok(Some(tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal(stop))
            .await;
    })))
}

/// The API and the pages on `listen` until a signal or `stop`: security headers on every
/// answer, and each request knows its peer (sign-in limits).
async fn serve_public(
    listen: SocketAddr,
    state: AppState,
    pages: Router,
    workers: usize,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {}", listen))?;
    let dialect = state.store.dialect();
    tracing::info!(listen = %listen, workers, dialect = ?dialect, "polku serving");
    let app = polku_server::api_router(state)
        .merge(pages)
        // An unknown path under /api is a problem+json; anywhere else, a page.
        .fallback(
            |headers: axum::http::HeaderMap, uri: axum::http::Uri| async move {
                if uri.path().starts_with("/api/") {
                    polku_server::not_found().await
                } else {
                    polku_web::not_found(headers, uri).await
                }
            },
        );
    axum::serve(listener, polku_web::served(app))
        .with_graceful_shutdown(shutdown_signal(stop))
        .await
        .context("the server failed")
}

/// Ctrl-C or SIGTERM (what a service manager sends), or the demo's end.
async fn shutdown_signal(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stopped.wait_for(|s| *s) => {}
    }
    tracing::info!("shutting down: finishing the jobs in hand");
}
