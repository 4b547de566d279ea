//! Where fees are paid (`polku serve`): the provider at `--payments-url` as merchant
//! `--payments-account` with `--payments-secret`, or, without it, the built-in simulated
//! provider mounted under `/sim/payments` on this server's own address (so the applicant's
//! browser stays on the service's origin).

use std::sync::Arc;

use axum::Router;
use clap::Args;
use polku_payments::{PaymentProvider, ProviderClient};

use crate::config::Config;

#[derive(Args, Clone, Debug, Default)]
pub struct PaymentArgs {
    /// The payment provider's REST address (default: the built-in simulated provider under
    /// /sim/payments).
    #[arg(long, env = "POLKU_PAYMENTS_URL")]
    pub payments_url: Option<String>,
    /// This service's merchant id at the provider.
    #[arg(long, env = "POLKU_PAYMENTS_ACCOUNT")]
    pub payments_account: Option<String>,
    /// The merchant secret the provider signs with.
    #[arg(long, env = "POLKU_PAYMENTS_SECRET", hide_env_values = true)]
    pub payments_secret: Option<String>,
}

impl PaymentArgs {
    pub fn with_config(mut self, config: &Config) -> PaymentArgs {
        let pick = |a: Option<String>, b: &Option<String>| a.or_else(|| b.clone());
        self.payments_url = pick(self.payments_url, &config.payments_url);
        self.payments_account = pick(self.payments_account, &config.payments_account);
        self.payments_secret = pick(self.payments_secret, &config.payments_secret);
        self
    }
}

/// The provider, and the simulator's routes to mount when it is the built-in one.
pub fn provider(
    args: &PaymentArgs,
    listen: std::net::SocketAddr,
    public_url: &str,
) -> anyhow::Result<(Arc<dyn PaymentProvider>, Option<Router>)> {
    if let Some(url) = &args.payments_url {
        let (Some(account), Some(secret)) = (&args.payments_account, &args.payments_secret) else {
            anyhow::bail!(
                "the payment provider at {url} needs --payments-account and --payments-secret"
            );
        };
        tracing::info!(provider = %url, "fees paid at the payment provider");
        return Ok((Arc::new(ProviderClient::new(url, account, secret)), None));
    }
    let secret = polku_access::random_token("polku_p_")
        .map_err(|e| anyhow::anyhow!("cannot make the payment simulator's secret: {e}"))?;
    let account = "polku-sim";
    let sim = polku_simulators::PaymentSimulator::new(
        account,
        &secret,
        &format!("{}/sim/payments", public_url.trim_end_matches('/')),
    );
    tracing::info!("fees paid at the built-in simulated provider under /sim/payments");
    let client = ProviderClient::new(&format!("http://{listen}/sim/payments"), account, &secret);
    Ok((
        Arc::new(client),
        Some(Router::new().nest(
            "/sim/payments",
            polku_simulators::payment_provider::router(sim),
        )),
    ))
}
