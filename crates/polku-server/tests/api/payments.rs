//! A matter with a fee due, filed over the API: nothing is filed until the fee is paid; the
//! answer says where to pay and the same request gets the same payment; once the provider
//! confirms it the case exists, and the payment says which; without a provider nothing is
//! filed and the problem says so; a matter without a confirmed fee is filed at once.

use std::sync::Arc;

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use serde_json::{Value, json};

use crate::common::{Api, api, assert_problem, example_submission};

const PERMANENT: &str = "fi.residence-permit.permanent";

fn permanent() -> Value {
    json!({"matter": PERMANENT, "application": {}})
}

/// The API with a simulated payment provider on loopback.
async fn paying(db: &TestDb) -> (Api, polku_simulators::PaymentSimulator) {
    let mut api = api(db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sim = polku_simulators::PaymentSimulator::new("375917", "secret", &base);
    let served = polku_simulators::payment_provider::router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, served).await.unwrap() });
    let mut state = polku_server::AppState::new(api.store.clone(), api.rules.clone().into(), None);
    state.payment_provider = Some(Arc::new(polku_payments::ProviderClient::new(
        &base, "375917", "secret",
    )));
    state.public_url = "https://polku.example".into();
    api.app = polku_server::router(state);
    (api, sim)
}

async fn a_fee_is_paid_before_an_api_filing_is_filed(db: &TestDb) {
    let (api, sim) = paying(db).await;
    let key = [("idempotency-key", "pay-once-1")];
    let first = api.submit(&api.applicant, permanent(), &key).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{:?}", first.body);
    assert_eq!(first.body["state"], "awaiting_payment");
    assert_eq!(first.body["amount_eur"], 380);
    let pay_at = first.body["pay_at"].as_str().unwrap().to_owned();
    assert!(pay_at.contains("/pay/"), "{pay_at}");
    let href = first.body["href"].as_str().unwrap().to_owned();
    let id = first.body["payment_id"].as_str().unwrap().to_owned();
    // The same request again: the same payment, no second one at the provider.
    let again = api.submit(&api.applicant, permanent(), &key).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(again.body["payment_id"], id.as_str());
    assert_eq!(sim.payments().len(), 1);
    assert_eq!(
        sim.payments()[0].success_url,
        format!("https://polku.example/my/payments/{id}/return")
    );
    let cases = api
        .call("GET", "/api/v1/cases", Some(&api.applicant), None, &[])
        .await;
    assert_eq!(
        cases.body["items"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{:?}",
        cases.body
    );

    // The provider confirms it (as the e-service's callback does): the case is filed once.
    let payment = uuid::Uuid::parse_str(&id).unwrap();
    let tx = sim.payments()[0].transaction_id.clone();
    let case = polku_payments::Payments::new(api.store.clone())
        .confirm(payment, &tx, 38_000)
        .await
        .unwrap();
    let read = api
        .call("GET", &href, Some(&api.applicant), None, &[])
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["state"], "paid");
    assert_eq!(read.body["case_id"], case.to_string());
    assert!(read.body["pay_at"].is_null());
    let retried = api.submit(&api.applicant, permanent(), &key).await;
    assert_eq!(retried.status, StatusCode::OK, "{:?}", retried.body);
    assert_eq!(retried.body["case_id"], case.to_string());
    // Another applicant finds no such payment.
    let theirs = api
        .call("GET", &href, Some(&api.other_applicant), None, &[])
        .await;
    assert_problem(&theirs, StatusCode::NOT_FOUND, None);
}
polku_cases::on_every_database!(
    paid_then_filed,
    a_fee_is_paid_before_an_api_filing_is_filed,
    with_db
);

async fn without_a_provider_a_fee_bearing_matter_is_not_filed(db: &TestDb) {
    let api = api(db).await;
    let r = api.submit(&api.applicant, permanent(), &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("must be paid before filing")
    );
    let cases = api
        .call("GET", "/api/v1/cases", Some(&api.applicant), None, &[])
        .await;
    assert_eq!(cases.body["items"].as_array().map(Vec::len).unwrap_or(0), 0);
    // A matter without a confirmed fee for the day is filed at once.
    let extension = api.submit(&api.applicant, example_submission(), &[]).await;
    assert_eq!(
        extension.status,
        StatusCode::CREATED,
        "{:?}",
        extension.body
    );
}
polku_cases::on_every_database!(
    no_provider,
    without_a_provider_a_fee_bearing_matter_is_not_filed,
    with_db
);
