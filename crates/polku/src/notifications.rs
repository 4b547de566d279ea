//! Telling people (`polku serve`): the notifier follows the cases, reminds of deadlines and
//! delivers, through the messages service at `--messages-url` (the built-in simulator on
//! loopback without it) and email through the SMTP relay at `--smtp-url` (without it, each
//! email is written as a file into `<data dir>/outbox/`, for a mail program to open).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use polku_cases::{Cases, LiveRules};
use polku_notify::{FolderMailer, Mailer, MessagesClient, MessagesService, Notifier, SmtpMailer};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;

#[derive(Args, Clone, Debug, Default)]
pub struct NotifyArgs {
    /// The e-service's address as people reach it, for the links in notifications
    /// [default: http://<listen address>].
    #[arg(long, env = "POLKU_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The SMTP relay email goes through, `smtp://host:port` (default: none; each email is
    /// written into <data dir>/outbox/).
    #[arg(long, env = "POLKU_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of the notifications' email [default: "Maahanmuuttovirasto
    /// <noreply@migri.example>"].
    #[arg(long, env = "POLKU_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The national messages service's REST address (default: the built-in simulator on
    /// loopback).
    #[arg(long, env = "POLKU_MESSAGES_URL")]
    pub messages_url: Option<String>,
    /// The messages service's username for this service.
    #[arg(long, env = "POLKU_MESSAGES_USERNAME")]
    pub messages_username: Option<String>,
    /// The messages service's password for this service.
    #[arg(long, env = "POLKU_MESSAGES_PASSWORD", hide_env_values = true)]
    pub messages_password: Option<String>,
    /// This service's id in the messages service.
    #[arg(long, env = "POLKU_MESSAGES_SERVICE_ID")]
    pub messages_service_id: Option<String>,
}

pub const DEFAULT_MAIL_FROM: &str = "Maahanmuuttovirasto <noreply@migri.example>";

impl NotifyArgs {
    /// Flags and variables first, then the configuration file.
    pub fn with_config(mut self, config: &Config) -> NotifyArgs {
        let pick = |a: Option<String>, b: &Option<String>| a.or_else(|| b.clone());
        self.public_url = pick(self.public_url, &config.public_url);
        self.smtp_url = pick(self.smtp_url, &config.smtp_url);
        self.mail_from = pick(self.mail_from, &config.mail_from);
        self.messages_url = pick(self.messages_url, &config.messages_url);
        self.messages_username = pick(self.messages_username, &config.messages_username);
        self.messages_password = pick(self.messages_password, &config.messages_password);
        self.messages_service_id = pick(self.messages_service_id, &config.messages_service_id);
        self
    }
}

/// The notifier these settings describe, its channels started (the simulator on loopback
/// when no messages service is named).
pub async fn notifier(
    args: &NotifyArgs,
    listen: std::net::SocketAddr,
    data_dir: &Path,
    (store, rules): (&Cases, &LiveRules),
) -> anyhow::Result<Notifier> {
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listen}"));
    let from = args.mail_from.as_deref().unwrap_or(DEFAULT_MAIL_FROM);
    let mailer: Arc<dyn Mailer> = match &args.smtp_url {
        Some(url) => {
            tracing::info!(relay = %url, "email notifications through the SMTP relay");
            Arc::new(SmtpMailer::new(url, from).map_err(anyhow::Error::msg)?)
        }
        None => {
            let outbox = data_dir.join("outbox");
            tracing::info!(outbox = %outbox.display(), "email notifications written into the outbox folder (no --smtp-url)");
            Arc::new(FolderMailer::new(&outbox, from).map_err(anyhow::Error::msg)?)
        }
    };
    let messages: Arc<dyn MessagesService> = match &args.messages_url {
        Some(url) => {
            let (Some(user), Some(password), Some(service)) = (
                &args.messages_username,
                &args.messages_password,
                &args.messages_service_id,
            ) else {
                anyhow::bail!(
                    "the messages service at {url} needs --messages-username, --messages-password and --messages-service-id"
                );
            };
            tracing::info!(messages = %url, "notifications through the messages service");
            Arc::new(MessagesClient::new(url, user, password, service))
        }
        None => {
            // Credentials for this process alone.
            let password = polku_access::random_token("polku_m_").map_err(|e| {
                anyhow::anyhow!("cannot make the messages service's credential: {e}")
            })?;
            let sim = polku_simulators::MessagesSimulator::new("polku", &password);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| anyhow::anyhow!("cannot start the built-in messages service: {e}"))?;
            let addr = listener.local_addr()?;
            tokio::spawn(async move {
                let router = polku_simulators::messages_service::router(sim);
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "the built-in messages service stopped");
                }
            });
            tracing::info!(listen = %addr, "built-in messages service simulator started");
            Arc::new(MessagesClient::new(
                &format!("http://{addr}"),
                "polku",
                &password,
                "polku-sim",
            ))
        }
    };
    Ok(Notifier::new(store.clone(), rules.clone(), &public_url)
        .with_mailer(mailer)
        .with_messages(messages))
}

/// How often the notifier looks for something to tell and delivers.
const ROUND: Duration = Duration::from_secs(2);
/// How often the deadlines are looked at.
const REMINDERS: Duration = Duration::from_secs(60);

/// Notifies until `stop`.
pub fn keep_notifying(notifier: Notifier, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut reminded: Option<tokio::time::Instant> = None;
        while !*stop.borrow() {
            let _ = tokio::time::timeout(ROUND, stop.changed()).await;
            if let Err(e) = notifier.follow_events().await {
                tracing::error!(error = %e, "cannot follow the cases for notifications");
            }
            if reminded.is_none_or(|at| at.elapsed() >= REMINDERS) {
                match notifier.remind_due(polku_cases::today_in_finland()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "deadline reminders made"),
                    Err(e) => tracing::error!(error = %e, "cannot make the deadline reminders"),
                }
                reminded = Some(tokio::time::Instant::now());
            }
            match notifier.deliver_due().await {
                Ok(r) if r.is_empty() => {}
                Ok(r) => tracing::info!(
                    sent = r.sent,
                    skipped = r.skipped,
                    retrying = r.retrying,
                    failed = r.failed,
                    "notifications delivered"
                ),
                Err(e) => tracing::error!(error = %e, "cannot deliver the notifications"),
            }
        }
    })
}
