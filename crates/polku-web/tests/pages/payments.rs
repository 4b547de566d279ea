//! The processing fee as an applicant meets it: said on the review page, paid at the
//! provider before the application is sent (the simulated provider's own pages), the
//! application filed once it is paid — by the applicant's return or the provider's
//! callback — and nothing filed when the payment is cancelled or its answer is forged.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use polku_payments::ProviderClient;
use polku_simulators::PaymentSimulator;
use polku_simulators::population::person_id;

use crate::support::{Site, form_csrf, site};

const ACCOUNT: &str = "375917";
const SECRET: &str = "SAIPPUAKAUPPIAS";
const PERMANENT: &str = "fi.residence-permit.permanent";

/// The site with a simulated provider: its REST interface on loopback for the server, its
/// pages mounted under /sim/payments for the browser, as `polku serve` does.
async fn paying_site(db: &TestDb) -> (Site, PaymentSimulator) {
    let mut s = site(db);
    let sim = PaymentSimulator::new(ACCOUNT, SECRET, "/sim/payments");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = polku_simulators::payment_provider::router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, served).await.unwrap() });
    s.state.payment_provider = Some(Arc::new(ProviderClient::new(&base, ACCOUNT, SECRET)));
    s.app =
        polku_web::security_headers(polku_web::router(s.state.clone()).merge(Router::new().nest(
            "/sim/payments",
            polku_simulators::payment_provider::router(sim.clone()),
        )));
    (s, sim)
}

/// Fills in and reviews the permanent permit's application as `me`; returns the review
/// page and the form's fields to send it with.
async fn reviewed(s: &Site, me: &str, lang: &str) -> (String, String) {
    let cookie = format!("{me}; polku_lang={lang}");
    let form = s
        .call("GET", &format!("/my/apply/{PERMANENT}"), &cookie, None)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form_csrf(&form.body);
    let review = s
        .call(
            "POST",
            &format!("/my/apply/{PERMANENT}"),
            &cookie,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let key = review
        .body
        .split("name=\"key\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let send = format!("csrf={csrf}&action=send&declaration=yes&key={key}");
    (review.body, send)
}

async fn a_fee_is_paid_before_the_application_is_sent(db: &TestDb) {
    let (s, sim) = paying_site(db).await;
    let person = person_id(12);
    let me = s.sign_in(&person).await;
    let (review, send) = reviewed(&s, &me, "en").await;
    assert!(
        review.contains("The processing fee for this application is €380 (online application)."),
        "{review}"
    );
    assert!(review.contains("Pay and send the application"));
    assert!(review.contains("not refunded if the application is refused"));

    let sent = s
        .call(
            "POST",
            &format!("/my/apply/{PERMANENT}"),
            &format!("{me}; polku_lang=en"),
            Some(&send),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let pay_page = sent.location.unwrap();
    assert!(pay_page.starts_with("/sim/payments/pay/"), "{pay_page}");
    assert!(
        s.state
            .store
            .cases_of(&person, None, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing filed before the fee is paid"
    );
    assert_eq!(sim.payments()[0].amount_cents, 38_000);
    assert_eq!(sim.payments()[0].language, "EN");

    // The provider's page, then "Pay": back to the service with a signed answer.
    let page = s.call("GET", &pay_page, "", None).await;
    assert!(page.body.contains("€380.00"), "{}", page.body);
    let paid = s.call("POST", &pay_page, "", Some("action=pay")).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER);
    let back = paid.location.unwrap();
    assert!(back.starts_with("/my/payments/"), "{back}");
    // Only the applicant's own session reads their return.
    let other = s.sign_in(&person_id(13)).await;
    assert_eq!(
        s.call("GET", &back, &other, None).await.status,
        StatusCode::NOT_FOUND
    );
    let filed = s.call("GET", &back, &me, None).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let case_page = filed.location.unwrap();
    assert!(case_page.ends_with("?paid=1"), "{case_page}");
    let cases = s.state.store.cases_of(&person, None, 10).await.unwrap();
    assert_eq!(cases.len(), 1);
    // Coming back again (a reload), or the provider's callback: still one case.
    assert_eq!(
        s.call("GET", &back, &me, None).await.location.as_deref(),
        Some(case_page.as_str())
    );
    let query = back.split_once('?').unwrap().1;
    let callback = s
        .call("GET", &format!("/payments/callback?{query}"), "", None)
        .await;
    assert_eq!(callback.status, StatusCode::OK);
    assert_eq!(
        s.state
            .store
            .cases_of(&person, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    let fi = s
        .call("GET", &case_page, &format!("{me}; polku_lang=fi"), None)
        .await;
    assert!(
        fi.body
            .contains("Maksu onnistui ja hakemuksesi on lähetetty.")
    );
    assert!(
        fi.body.contains("Käsittelymaksu 380 € maksettu"),
        "{}",
        fi.body
    );
}
polku_cases::on_every_database!(
    paid_then_sent,
    a_fee_is_paid_before_the_application_is_sent,
    with_db
);

async fn a_cancelled_or_forged_payment_sends_nothing(db: &TestDb) {
    let (s, _sim) = paying_site(db).await;
    let person = person_id(14);
    let me = s.sign_in(&person).await;
    let (_, send) = reviewed(&s, &me, "sv").await;
    let sent = s
        .call("POST", &format!("/my/apply/{PERMANENT}"), &me, Some(&send))
        .await;
    let pay_page = sent.location.unwrap();
    let cancelled = s.call("POST", &pay_page, "", Some("action=cancel")).await;
    let back = cancelled.location.unwrap();
    let page = s
        .call("GET", &back, &format!("{me}; polku_lang=sv"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Betalningen avbröts"), "{}", page.body);
    assert!(page.body.contains(&format!("/my/apply/{PERMANENT}")));
    assert!(
        s.state
            .store
            .cases_of(&person, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A "paid" answer made up by the applicant (the cancelled one's parameters with the
    // status changed) is not believed.
    let forged = back.replace("checkout-status=fail", "checkout-status=ok");
    let refused = s
        .call("GET", &forged, &format!("{me}; polku_lang=en"), None)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("could not be confirmed"));
    let unsigned = s
        .call("GET", "/payments/callback?checkout-status=ok", "", None)
        .await;
    assert_eq!(unsigned.status, StatusCode::BAD_REQUEST);
    assert!(
        s.state
            .store
            .cases_of(&person, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
polku_cases::on_every_database!(
    cancelled_sends_nothing,
    a_cancelled_or_forged_payment_sends_nothing,
    with_db
);

async fn without_a_confirmed_fee_nothing_is_charged_and_the_page_says_so(db: &TestDb) {
    let (s, sim) = paying_site(db).await;
    let me = s.sign_in(&person_id(15)).await;
    let cookie = format!("{me}; polku_lang=fi");
    let form = s
        .call(
            "GET",
            "/my/apply/fi.residence-permit.employed.extension",
            &cookie,
            None,
        )
        .await;
    let csrf = form_csrf(&form.body);
    let review = s
        .call(
            "POST",
            "/my/apply/fi.residence-permit.employed.extension",
            &cookie,
            Some(&format!(
                "csrf={csrf}&application.employment.employer_id=1234567-1&application.employment.occupational_field=ISCO-7"
            )),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(
        review
            .body
            .contains("ei ole vahvistettu tässä palvelussa, joten sitä ei peritä nyt"),
        "{}",
        review.body
    );
    assert!(!review.body.contains("Maksa ja lähetä"));
    assert!(sim.payments().is_empty());
}
polku_cases::on_every_database!(
    unconfirmed_fee,
    without_a_confirmed_fee_nothing_is_charged_and_the_page_says_so,
    with_db
);
