//! The payment provider's signed REST interface (the shape of the Finnish payment service
//! providers' checkout APIs): a payment is created with a signed request and answered with
//! the address the applicant pays at; the applicant's return and the provider's callback
//! carry the outcome as `checkout-*` parameters signed with the merchant's secret
//! (HMAC-SHA-256 over the sorted `checkout-*` pairs and the body). Nothing unsigned is
//! believed.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::Sha256;
use uuid::Uuid;

/// A payment to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// Our payment's id: the provider's `stamp`, unique per payment.
    pub stamp: Uuid,
    /// The reference the payment carries (the matter's and the payment's).
    pub reference: String,
    pub amount_cents: u32,
    /// `FI`, `SV` or `EN`: the provider's page in the applicant's language.
    pub language: &'static str,
    /// What is paid for, as the provider's page and receipt say it.
    pub description: String,
    /// Where the applicant returns after paying, or after cancelling.
    pub success_url: String,
    pub cancel_url: String,
    /// Where the provider tells us itself (the applicant may close the browser).
    pub callback_url: String,
}

impl Checkout {
    /// The checkout for payment `id` of `cents`, returning the applicant to the e-service
    /// at `public_url` (`/my/payments/{id}/return`) and calling its `/payments/callback`.
    pub fn on_service(
        id: Uuid,
        cents: u32,
        language: &'static str,
        description: String,
        public_url: &str,
    ) -> Checkout {
        let public_url = public_url.trim_end_matches('/');
        let return_url = format!("{public_url}/my/payments/{id}/return");
        Checkout {
            stamp: id,
            reference: format!("POLKU-{}", id.simple()),
            amount_cents: cents,
            language,
            description,
            success_url: return_url.clone(),
            cancel_url: return_url,
            callback_url: format!("{public_url}/payments/callback"),
        }
    }
}

/// The provider's answer: its id of the payment, and where the applicant pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayment {
    pub transaction_id: String,
    pub href: String,
}

/// What a signed return or callback says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnStatus {
    Paid {
        stamp: Uuid,
        transaction_id: String,
        amount_cents: u32,
    },
    /// The applicant cancelled, or the payment failed.
    Cancelled { stamp: Uuid },
    /// Not settled yet (a bank's delay): a callback follows.
    Pending { stamp: Uuid },
}

impl ReturnStatus {
    pub fn stamp(&self) -> Uuid {
        match self {
            ReturnStatus::Paid { stamp, .. }
            | ReturnStatus::Cancelled { stamp }
            | ReturnStatus::Pending { stamp } => *stamp,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the payment provider cannot be reached now: {0}")]
    Unavailable(String),
    #[error("the payment provider refused: {0}")]
    Refused(String),
    #[error("the payment provider's answer is not signed with our secret")]
    BadSignature,
    #[error("the payment provider's answer does not read: {0}")]
    Malformed(String),
}

/// The future [`PaymentProvider::create`] returns.
pub type ProviderFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<CreatedPayment, ProviderError>> + Send + 'a>,
>;

/// A payment provider.
pub trait PaymentProvider: Send + Sync {
    fn create<'a>(&'a self, checkout: &'a Checkout) -> ProviderFuture<'a>;
    /// What a return's or callback's query parameters say, if they carry our signature.
    fn verify(&self, params: &[(String, String)]) -> Result<ReturnStatus, ProviderError>;
}

/// The HMAC-SHA-256 signature, in lower-case hex, of the `checkout-*` pairs (sorted by
/// name, each `name:value` on a line of its own) followed by `body`.
pub fn sign(secret: &str, pairs: &[(String, String)], body: &str) -> String {
    let mut checkout: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k.starts_with("checkout-"))
        .collect();
    checkout.sort_by(|a, b| a.0.cmp(&b.0));
    let mut message = String::new();
    for (k, v) in checkout {
        message.push_str(k);
        message.push(':');
        message.push_str(v);
        message.push('\n');
    }
    message.push_str(body);
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable_mac());
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

// HMAC takes a key of any length: `new_from_slice` cannot fail for it.
fn unreachable_mac() -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(&[0]) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes any key length"),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Reads a signed return or callback for merchant `account` with `secret`: the signature
/// must match (compared in constant time), the account must be ours.
pub fn verify_return(
    account: &str,
    secret: &str,
    params: &[(String, String)],
) -> Result<ReturnStatus, ProviderError> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let given = get("signature").ok_or(ProviderError::BadSignature)?;
    let expected = sign(secret, params, "");
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same || get("checkout-account") != Some(account) {
        return Err(ProviderError::BadSignature);
    }
    let field =
        |name: &str| get(name).ok_or_else(|| ProviderError::Malformed(format!("no {name}")));
    let stamp = Uuid::parse_str(field("checkout-stamp")?)
        .map_err(|e| ProviderError::Malformed(format!("checkout-stamp: {e}")))?;
    match field("checkout-status")? {
        "ok" => Ok(ReturnStatus::Paid {
            stamp,
            transaction_id: field("checkout-transaction-id")?.to_owned(),
            amount_cents: field("checkout-amount")?
                .parse()
                .map_err(|e| ProviderError::Malformed(format!("checkout-amount: {e}")))?,
        }),
        "fail" => Ok(ReturnStatus::Cancelled { stamp }),
        "pending" | "delayed" | "new" => Ok(ReturnStatus::Pending { stamp }),
        other => Err(ProviderError::Malformed(format!("checkout-status {other}"))),
    }
}

/// The provider's REST client, as merchant `account` with `secret`.
pub struct ProviderClient {
    base: String,
    account: String,
    secret: String,
    http: Client<HttpConnector, Full<Bytes>>,
    pub timeout: Duration,
}

impl ProviderClient {
    pub fn new(base: &str, account: &str, secret: &str) -> ProviderClient {
        ProviderClient {
            base: base.trim_end_matches('/').to_owned(),
            account: account.to_owned(),
            secret: secret.to_owned(),
            http: Client::builder(TokioExecutor::new()).build_http(),
            timeout: Duration::from_secs(15),
        }
    }

    async fn post(&self, c: &Checkout) -> Result<CreatedPayment, ProviderError> {
        let body = json!({
            "stamp": c.stamp.to_string(),
            "reference": c.reference,
            "amount": c.amount_cents,
            "currency": "EUR",
            "language": c.language,
            "items": [{
                "unitPrice": c.amount_cents,
                "units": 1,
                "vatPercentage": 0,
                "productCode": "processing-fee",
                "description": c.description,
            }],
            "redirectUrls": {"success": c.success_url, "cancel": c.cancel_url},
            "callbackUrls": {"success": c.callback_url, "cancel": c.callback_url},
        })
        .to_string();
        let headers: Vec<(String, String)> = vec![
            ("checkout-account".into(), self.account.clone()),
            ("checkout-algorithm".into(), "sha256".into()),
            ("checkout-method".into(), "POST".into()),
            ("checkout-nonce".into(), Uuid::now_v7().to_string()),
            (
                "checkout-timestamp".into(),
                jiff::Timestamp::now().to_string(),
            ),
        ];
        let signature = sign(&self.secret, &headers, &body);
        let mut request = hyper::Request::post(format!("{}/payments", self.base))
            .header("content-type", "application/json; charset=utf-8")
            .header("signature", signature);
        for (k, v) in &headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ProviderError::Malformed(e.to_string()))?;
        let response = tokio::time::timeout(self.timeout, self.http.request(request))
            .await
            .map_err(|_| ProviderError::Unavailable("no answer in time".into()))?
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?
            .to_bytes();
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_server_error() {
            return Err(ProviderError::Unavailable(format!("{status}")));
        }
        if !status.is_success() {
            return Err(ProviderError::Refused(format!(
                "{status}: {}",
                answer["message"].as_str().unwrap_or("")
            )));
        }
        match (answer["transactionId"].as_str(), answer["href"].as_str()) {
            (Some(t), Some(h)) => Ok(CreatedPayment {
                transaction_id: t.to_owned(),
                href: h.to_owned(),
            }),
            _ => Err(ProviderError::Malformed(
                "no transactionId or href in the answer".into(),
            )),
        }
    }
}

impl PaymentProvider for ProviderClient {
    fn create<'a>(&'a self, checkout: &'a Checkout) -> ProviderFuture<'a> {
        Box::pin(self.post(checkout))
    }

    fn verify(&self, params: &[(String, String)]) -> Result<ReturnStatus, ProviderError> {
        verify_return(&self.account, &self.secret, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(status: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = [
            ("checkout-account", "375917"),
            ("checkout-algorithm", "sha256"),
            ("checkout-amount", "38000"),
            ("checkout-stamp", "0193a6c2-7d3e-7000-8000-000000000001"),
            ("checkout-reference", "P-1"),
            ("checkout-transaction-id", "t-1"),
            ("checkout-status", status),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let s = sign("secret", &p, "");
        p.push(("signature".into(), s));
        p
    }

    #[test]
    fn a_signed_return_is_read_and_a_forged_one_is_not() {
        let paid = verify_return("375917", "secret", &signed("ok")).unwrap();
        assert!(matches!(
            paid,
            ReturnStatus::Paid {
                amount_cents: 38000,
                ..
            }
        ));
        assert!(matches!(
            verify_return("375917", "secret", &signed("fail")).unwrap(),
            ReturnStatus::Cancelled { .. }
        ));
        // Any parameter changed after signing, another secret, another merchant, none.
        let mut cheaper = signed("ok");
        cheaper[2].1 = "1".into();
        assert_eq!(
            verify_return("375917", "secret", &cheaper),
            Err(ProviderError::BadSignature)
        );
        assert_eq!(
            verify_return("375917", "other", &signed("ok")),
            Err(ProviderError::BadSignature)
        );
        assert_eq!(
            verify_return("999999", "secret", &signed("ok")),
            Err(ProviderError::BadSignature)
        );
        let mut unsigned = signed("ok");
        unsigned.pop();
        assert_eq!(
            verify_return("375917", "secret", &unsigned),
            Err(ProviderError::BadSignature)
        );
    }

    #[test]
    fn the_signature_is_over_the_sorted_checkout_pairs_and_the_body() {
        let a = vec![
            ("checkout-b".to_owned(), "2".to_owned()),
            ("checkout-a".to_owned(), "1".to_owned()),
        ];
        let b = vec![
            ("checkout-a".to_owned(), "1".to_owned()),
            ("checkout-b".to_owned(), "2".to_owned()),
            ("other".to_owned(), "x".to_owned()),
        ];
        assert_eq!(sign("k", &a, "{}"), sign("k", &b, "{}"));
        assert_ne!(sign("k", &a, "{}"), sign("k", &a, "{ }"));
        assert_eq!(sign("k", &a, "").len(), 64);
    }
}
