//! `polku bench pipeline`: sustained submissions over HTTP on loopback to an in-process
//! server with its pipeline workers, which gather the evidence from the built-in register
//! simulators over X-Road (no injected latency) as `polku serve` does; throughput and
//! latency from submission to the recorded decision, measured from the decision records
//! themselves.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use polku_access::Role;
use polku_cases::{Cases, LiveRules, Pipeline};
use polku_registers::{RegisterEvidence, XRoadClient};
use polku_rule_admin::RuleAdmin;
use polku_simulators::population::{Matter, person_id};
use tokio::task::JoinHandle;

use crate::evidence_registers::{Faults, RegisterOptions, Registers};
use crate::handles::{access, figures};
use polku_server::{AppState, router};

#[derive(Args)]
pub struct PipelineBenchArgs {
    /// Submissions per second; 0 sends as fast as the clients can.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Seconds of submissions.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Pipeline workers (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// PostgreSQL to measure on (a fresh schema is used and dropped); default: SQLite in a temporary directory.
    #[arg(long, env = "POLKU_BENCH_DATABASE_URL")]
    database_url: Option<String>,
}

pub fn run(args: PipelineBenchArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(bench(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku bench pipeline: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn bench(args: PipelineBenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir().context("cannot make a temporary directory")?;
    let schema = format!("polku_bench_{}", std::process::id());
    let (store, label) = match &args.database_url {
        Some(url) => (Cases::connect_in_schema(url, &schema).await?, "PostgreSQL"),
        None => (Cases::open_data_dir(tmp.path()).await?, "SQLite"),
    };
    let shipped = crate::load_rules(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(shipped));
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let registers = Registers::start(&RegisterOptions::default(), Faults::NONE).await?;
    let evidence = registers.evidence(&store, &rules);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = start_workers(&store, &rules, &evidence, workers, &stop_rx);
    let addr = serve(&store, rules).await?;
    let people = applicants(&store, &registers, args.clients).await?;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let (submitted, failed) = submit(&client, addr, people, &args).await?;
    drain(&store).await?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    print_figures(&store, &args, label, workers, submitted, failed).await?;
    if args.database_url.is_some() {
        store.drop_schema(&schema).await?;
    }
    store.close().await;
    Ok(())
}

/// `workers` pipeline workers, each polling every 5 ms while the queue is empty, until
/// `stop` turns true.
fn start_workers(
    store: &Cases,
    rules: &LiveRules,
    evidence: &Arc<RegisterEvidence<XRoadClient>>,
    workers: usize,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for w in 0..workers {
        let p = Pipeline::new(
            store.clone(),
            rules.clone(),
            evidence.clone(),
            format!("bench-{w}"),
        );
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            p.run(stop, Duration::from_millis(5)).await
        }));
    }
    tasks
}

/// The API on a free loopback port, served in the background; its address.
async fn serve(store: &Cases, rules: LiveRules) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let app = router(AppState::new(store.clone(), rules, None));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// One applicant per client: persons of the population who apply for an extension on
/// employment, each with their own token and their own application (as a request body).
async fn applicants(
    store: &Cases,
    registers: &Registers,
    clients: usize,
) -> anyhow::Result<Vec<(String, Bytes)>> {
    let population = registers
        .population
        .clone()
        .context("the built-in registers have a population")?;
    let mut people = Vec::new();
    for p in population
        .persons
        .iter()
        .filter(|p| p.matter == Matter::EmployedExtension)
        .take(clients)
    {
        let id = person_id(p.index);
        let user = access(store)
            .add_user("Bench Applicant", Role::Applicant, None, Some(&id))
            .await?;
        let token = access(store).create_token(user, "bench").await?;
        let body = Bytes::from(
            serde_json::json!({
                "matter": "fi.residence-permit.employed.extension",
                "application": population.application(p),
            })
            .to_string(),
        );
        people.push((token, body));
    }
    Ok(people)
}

/// Every applicant submits over and over, at the offered rate or as fast as they can,
/// for `args.duration` seconds; how many submissions were accepted and how many not.
async fn submit(
    client: &Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
    people: Vec<(String, Bytes)>,
    args: &PipelineBenchArgs,
) -> anyhow::Result<(u64, u64)> {
    let (sent, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let uri: hyper::Uri = format!("http://{addr}/api/v1/applications").parse()?;
    let until = Instant::now() + Duration::from_secs(args.duration);
    let interval =
        (args.rate > 0).then(|| Duration::from_secs_f64(args.clients as f64 / args.rate as f64));
    let mut clients = Vec::new();
    for (c, (token, body)) in people.into_iter().enumerate() {
        let (client, uri, sent, failed) =
            (client.clone(), uri.clone(), sent.clone(), failed.clone());
        clients.push(tokio::spawn(async move {
            let mut tick = ticks(interval, c);
            while Instant::now() < until {
                if let Some(t) = tick.as_mut() {
                    t.tick().await;
                }
                let ok = post(&client, &uri, &token, &body).await;
                if ok { &sent } else { &failed }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for c in clients {
        let _ = c.await;
    }
    Ok((sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed)))
}

/// Client `c`'s ticks, when a rate is offered.
fn ticks(interval: Option<Duration>, c: usize) -> Option<tokio::time::Interval> {
    interval.map(|i| {
        // Spread the clients' ticks over one interval so the rate is steady.
        let mut t =
            tokio::time::interval_at(tokio::time::Instant::now() + i.mul_f64(c as f64 / 16.0), i);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    })
}

/// Submits one application; whether it was accepted.
async fn post(
    client: &Client<HttpConnector, Full<Bytes>>,
    uri: &hyper::Uri,
    token: &str,
    body: &Bytes,
) -> bool {
    let req = hyper::Request::post(uri.clone())
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(body.clone()));
    match req {
        Ok(req) => match client.request(req).await {
            Ok(res) => {
                let status = res.status();
                let _ = res.into_body().collect().await;
                status == hyper::StatusCode::CREATED
            }
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// Lets the pipeline finish what was acknowledged, for two minutes at most.
async fn drain(store: &Cases) -> anyhow::Result<()> {
    let drain = Instant::now();
    while store.queue_depth().await?.queued + store.queue_depth().await?.running > 0
        && drain.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// The figures, from the decision records themselves: throughput and the latency from
/// submission to recorded decision.
async fn print_figures(
    store: &Cases,
    args: &PipelineBenchArgs,
    label: &str,
    workers: usize,
    submitted: u64,
    failed: u64,
) -> anyhow::Result<()> {
    let (latencies, span) = figures(store).decision_latencies().await?;
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |m| *m as f64 / 1000.0)
    };
    let rate = if args.rate == 0 {
        "as fast as possible".to_owned()
    } else {
        format!("{} /s offered", args.rate)
    };
    println!(
        "{label}: {} clients, {workers} workers, {rate}, {} s\n  accepted {submitted}, refused or failed {}, decided {}\n  throughput {:.0} decisions/s (first submission to last decision)\n  submission → recorded decision: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        args.clients,
        args.duration,
        failed,
        latencies.len(),
        latencies.len() as f64 / (span.max(1) as f64 / 1e6),
        pct(0.5),
        pct(0.99),
        pct(1.0),
    );
    Ok(())
}
