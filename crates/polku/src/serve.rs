//! `polku serve`: the API and the decision pipeline in one process, on the embedded
//! SQLite database unless `--database-url` names another.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use polku_core::{Pipeline, SuppliedEvidence};
use polku_server::{AppState, router};

use crate::config::Config;
use crate::store_cmds::StoreArgs;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "POLKU_LISTEN")]
    listen: Option<SocketAddr>,
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

async fn serve(args: ServeArgs, config: Config) -> anyhow::Result<()> {
    let metrics = polku_server::install_metrics()
        .map_err(|e| anyhow::anyhow!("cannot start metrics: {e}"))?;
    let listen = match args.listen.or(config.listen) {
        Some(a) => a,
        None => DEFAULT_LISTEN.parse().context("the default address")?,
    };
    let store = args.store.open_with(&config).await?;
    let rules = Arc::new(
        crate::load_rules(args.rules.as_ref().or(config.rules.as_ref()))
            .map_err(|e| anyhow::anyhow!("the rule files have errors:\n{e}"))?,
    );
    let lease = args.job_lease.or(config.job_lease).unwrap_or(30).max(1);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = args
        .workers
        .or(config.workers)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let mut pipeline = Pipeline::new(
            store.clone(),
            rules.clone(),
            SuppliedEvidence,
            format!("polku-{}-{w}", std::process::id()),
        );
        pipeline.lease = Duration::from_secs(lease);
        let stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            pipeline.run(stop, Duration::from_millis(200)).await
        }));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {}", listen))?;
    tracing::info!(listen = %listen, workers, dialect = ?store.dialect(), "polku serving");
    axum::serve(
        listener,
        router(AppState {
            store: store.clone(),
            rules,
            metrics: Some(metrics),
        }),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server failed")?;
    // Workers finish the job in hand (it commits or rolls back whole) and stop.
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM (what a service manager sends).
async fn shutdown_signal() {
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
    }
    tracing::info!("shutting down: finishing the jobs in hand");
}
