//! A payment provider, simulated: the signed REST interface `polku_payments::ProviderClient`
//! speaks (a payment created with a signed request), the page the applicant pays at (in
//! Finnish, Swedish or English), and the signed return to the e-service — paid, or
//! cancelled. `polku serve` mounts it under `/sim/payments` on its own address when no real
//! provider is named, so the applicant's browser never leaves the service's origin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use polku_payments::sign;
use serde::Deserialize;
use serde_json::{Value, json};

/// A payment the simulated provider holds.
#[derive(Debug, Clone)]
pub struct SimulatedPayment {
    pub transaction_id: String,
    pub stamp: String,
    pub reference: String,
    pub amount_cents: u64,
    pub language: String,
    pub description: String,
    pub success_url: String,
    pub cancel_url: String,
    pub callback_url: String,
    /// `new`, `ok` or `fail`.
    pub status: String,
}

#[derive(Clone)]
pub struct PaymentSimulator {
    account: Arc<str>,
    secret: Arc<str>,
    /// Where the applicant's browser reaches this simulator (the pay page's prefix).
    public_base: Arc<str>,
    payments: Arc<Mutex<HashMap<String, SimulatedPayment>>>,
}

impl PaymentSimulator {
    pub fn new(account: &str, secret: &str, public_base: &str) -> PaymentSimulator {
        PaymentSimulator {
            account: account.into(),
            secret: secret.into(),
            public_base: public_base.trim_end_matches('/').into(),
            payments: Arc::default(),
        }
    }

    /// The payments so far.
    pub fn payments(&self) -> Vec<SimulatedPayment> {
        self.payments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// The signed parameters the provider sends about `transaction` with `status` (`ok`
    /// or `fail`): what the return and the callback carry.
    pub fn signed_params(&self, transaction: &str, status: &str) -> Option<Vec<(String, String)>> {
        let p = self
            .payments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(transaction)
            .cloned()?;
        let mut params: Vec<(String, String)> = [
            ("checkout-account", self.account.to_string()),
            ("checkout-algorithm", "sha256".to_owned()),
            ("checkout-amount", p.amount_cents.to_string()),
            ("checkout-stamp", p.stamp.clone()),
            ("checkout-reference", p.reference.clone()),
            ("checkout-transaction-id", p.transaction_id.clone()),
            ("checkout-status", status.to_owned()),
            ("checkout-provider", "polku-simulated-bank".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let signature = sign(&self.secret, &params, "");
        params.push(("signature".to_owned(), signature));
        Some(params)
    }
}

/// The provider's routes: `POST /payments`, and the pay page `/pay/{transaction}`.
pub fn router(sim: PaymentSimulator) -> Router {
    Router::new()
        .route("/payments", post(create))
        .route("/pay/{transaction}", get(page).post(decide))
        .with_state(sim)
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"status": "error", "message": message}))).into_response()
}

async fn create(State(s): State<PaymentSimulator>, headers: HeaderMap, body: String) -> Response {
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("checkout-"))
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let given = headers.get("signature").and_then(|v| v.to_str().ok());
    if given != Some(sign(&s.secret, &pairs, &body).as_str())
        || headers
            .get("checkout-account")
            .and_then(|v| v.to_str().ok())
            != Some(&*s.account)
    {
        return problem(
            StatusCode::UNAUTHORIZED,
            "signature or account does not match",
        );
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let (Some(stamp), Some(reference), Some(amount), Some(success), Some(cancel)) = (
        text(&v["stamp"]),
        text(&v["reference"]),
        v["amount"].as_u64(),
        text(&v["redirectUrls"]["success"]),
        text(&v["redirectUrls"]["cancel"]),
    ) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "stamp, reference, amount and redirectUrls are required",
        );
    };
    if amount == 0 || amount > 10_000_000 {
        return problem(StatusCode::BAD_REQUEST, "the amount is out of range");
    }
    let mut payments = s.payments.lock().unwrap_or_else(PoisonError::into_inner);
    if payments.values().any(|p| p.stamp == stamp) {
        return problem(StatusCode::BAD_REQUEST, "a payment with this stamp exists");
    }
    let transaction_id = uuid::Uuid::now_v7().to_string();
    payments.insert(
        transaction_id.clone(),
        SimulatedPayment {
            transaction_id: transaction_id.clone(),
            stamp,
            reference,
            amount_cents: amount,
            language: text(&v["language"]).unwrap_or_else(|| "FI".into()),
            description: text(&v["items"][0]["description"]).unwrap_or_default(),
            success_url: success,
            cancel_url: cancel,
            callback_url: text(&v["callbackUrls"]["success"]).unwrap_or_default(),
            status: "new".into(),
        },
    );
    let href = format!("{}/pay/{transaction_id}", s.public_base);
    (
        StatusCode::CREATED,
        Json(json!({"transactionId": transaction_id, "href": href})),
    )
        .into_response()
}

/// The words of the pay page: (title, amount label, pay, cancel, lang).
fn words(language: &str) -> [&'static str; 5] {
    match language {
        "SV" => [
            "Betalning (simulerad bank)",
            "Belopp",
            "Betala",
            "Avbryt betalningen",
            "sv",
        ],
        "EN" => [
            "Payment (simulated bank)",
            "Amount",
            "Pay",
            "Cancel the payment",
            "en",
        ],
        _ => [
            "Maksu (simuloitu pankki)",
            "Summa",
            "Maksa",
            "Peruuta maksu",
            "fi",
        ],
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(s): State<PaymentSimulator>, Path(transaction): Path<String>) -> Response {
    let Some(p) = s
        .payments
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&transaction)
        .cloned()
    else {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    };
    let [title, amount, pay, cancel, lang] = words(&p.language);
    let (whole, cents) = (p.amount_cents / 100, p.amount_cents % 100);
    let euros = if lang == "en" {
        format!("€{whole}.{cents:02}")
    } else {
        format!("{whole},{cents:02} €")
    };
    let action = format!("{}/pay/{}", s.public_base, escape(&transaction));
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"/static/polku.css\"></head>\
<body><main id=\"main\"><h1>{title}</h1><p>{description}</p>\
<p>{amount}: <strong>{euros}</strong></p>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"action\" value=\"pay\">\
<button type=\"submit\">{pay}</button></form>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"action\" value=\"cancel\">\
<button type=\"submit\" class=\"secondary\">{cancel}</button></form></main></body></html>",
        description = escape(&p.description),
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[derive(Deserialize)]
struct Decision {
    action: String,
}

async fn decide(
    State(s): State<PaymentSimulator>,
    Path(transaction): Path<String>,
    Form(d): Form<Decision>,
) -> Response {
    let status = if d.action == "pay" { "ok" } else { "fail" };
    // A payment is decided once: paid stays paid, cancelled stays cancelled.
    let (target, status) = {
        let mut payments = s.payments.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(p) = payments.get_mut(&transaction) else {
            return (StatusCode::NOT_FOUND, "no such payment").into_response();
        };
        if p.status == "new" {
            p.status = status.to_owned();
        }
        let target = if p.status == "ok" {
            p.success_url.clone()
        } else {
            p.cancel_url.clone()
        };
        (target, p.status.clone())
    };
    let Some(params) = s.signed_params(&transaction, &status) else {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    };
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    // As a real provider does, it tells the service itself too (the applicant may never
    // come back): a GET of the callback with the same signed parameters.
    let callback = s
        .payments
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&transaction)
        .map(|p| p.callback_url.clone())
        .unwrap_or_default();
    if callback.starts_with("http://") {
        let uri = format!("{callback}?{query}");
        tokio::spawn(async move {
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
            match uri.parse::<hyper::Uri>() {
                Ok(uri) => {
                    if let Err(e) = client.get(uri).await {
                        tracing::warn!(error = %e, "the simulated provider's callback failed");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "the callback address does not read"),
            }
        });
    }
    let sep = if target.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{target}{sep}{query}")).into_response()
}
