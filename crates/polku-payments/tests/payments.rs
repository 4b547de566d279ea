//! Paying the fee as an applicant meets it: the application waits while they pay at the
//! provider; a signed "paid" files it once, whoever says it first (their return or the
//! provider's callback); a cancelled payment files nothing; a forged or changed answer is
//! refused; an answer for another amount files nothing.

use polku_cases::testing::{EXTENSION, walkthrough_application};
use polku_cases::{Cases, NewApplication, today_in_finland};
use polku_payments::{
    Checkout, NewPayment, PaymentError, PaymentProvider, PaymentState, Payments, ProviderClient,
    ProviderError, ReturnStatus,
};
use polku_simulators::PaymentSimulator;
use uuid::Uuid;

const ACCOUNT: &str = "375917";
const SECRET: &str = "SAIPPUAKAUPPIAS";

async fn provider() -> (PaymentSimulator, ProviderClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sim = PaymentSimulator::new(ACCOUNT, SECRET, &base);
    let router = polku_simulators::payment_provider::router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (sim, ProviderClient::new(&base, ACCOUNT, SECRET))
}

fn application(person: &str) -> NewApplication {
    let today = today_in_finland();
    NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: person.to_owned(),
        application_date: today,
        application: walkthrough_application(),
        deadline: today.checked_add(jiff::Span::new().days(90)).ok(),
    }
}

fn checkout(stamp: Uuid) -> Checkout {
    Checkout {
        stamp,
        reference: format!("POLKU-{}", stamp.simple()),
        amount_cents: 38_000,
        language: "SV",
        description: "Handläggningsavgift: Permanent uppehållstillstånd".into(),
        success_url: "https://polku.example/my/payments/return".into(),
        cancel_url: "https://polku.example/my/payments/return".into(),
        callback_url: "https://polku.example/payments/callback".into(),
    }
}

/// A payment created at the provider for `person`'s application.
async fn started(store: &Cases, client: &ProviderClient, person: &str) -> (Payments, Uuid, String) {
    let payments = Payments::new(store.clone());
    let app = application(person);
    let id = payments
        .create(&NewPayment {
            application: &app,
            user: Uuid::from_u128(7),
            filing_key: &Uuid::now_v7().to_string(),
            amount_cents: 38_000,
        })
        .await
        .unwrap();
    let created = client.create(&checkout(id)).await.unwrap();
    payments
        .started(id, &created.transaction_id, &created.href)
        .await
        .unwrap();
    assert!(
        created
            .href
            .ends_with(&format!("/pay/{}", created.transaction_id))
    );
    (payments, id, created.transaction_id)
}

async fn a_paid_fee_files_the_application_once(store: &Cases) {
    let (sim, client) = provider().await;
    let (payments, id, transaction) = started(store, &client, "sim-0000013").await;
    let waiting = payments.get(id).await.unwrap().unwrap();
    assert_eq!(waiting.state, PaymentState::Created);
    assert!(
        store
            .cases_of("sim-0000013", None, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing is filed before the fee is paid"
    );
    let said = client
        .verify(&sim.signed_params(&transaction, "ok").unwrap())
        .unwrap();
    let ReturnStatus::Paid {
        stamp,
        transaction_id,
        amount_cents,
    } = said
    else {
        panic!("{said:?}")
    };
    assert_eq!(stamp, id);
    let case = payments
        .confirm(id, &transaction_id, amount_cents)
        .await
        .unwrap();
    // The provider's callback after the applicant's return: the same case.
    assert_eq!(
        payments
            .confirm(id, &transaction_id, amount_cents)
            .await
            .unwrap(),
        case
    );
    let cases = store.cases_of("sim-0000013", None, 10).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].id, case);
    assert_eq!(cases[0].application_date, today_in_finland().to_string());
    let paid = payments.get(id).await.unwrap().unwrap();
    assert_eq!(
        (paid.state, paid.case_id, paid.transaction_id.as_deref()),
        (PaymentState::Paid, Some(case), Some(transaction.as_str()))
    );
    assert!(paid.paid_at.is_some());
    // A cancel arriving late does not undo a payment.
    payments.cancel(id).await.unwrap();
    assert_eq!(
        payments.get(id).await.unwrap().unwrap().state,
        PaymentState::Paid
    );
}
polku_cases::on_every_database!(paid_files_once, a_paid_fee_files_the_application_once);

async fn a_cancelled_or_wrong_payment_files_nothing(store: &Cases) {
    let (sim, client) = provider().await;
    let (payments, id, transaction) = started(store, &client, "sim-0000021").await;
    let cancelled = client
        .verify(&sim.signed_params(&transaction, "fail").unwrap())
        .unwrap();
    assert_eq!(cancelled, ReturnStatus::Cancelled { stamp: id });
    payments.cancel(id).await.unwrap();
    assert!(matches!(
        payments.confirm(id, &transaction, 38_000).await,
        Err(PaymentError::Cancelled(_))
    ));
    assert!(
        store
            .cases_of("sim-0000021", None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Paid, but for less than the fee: nothing filed.
    let (payments, id, transaction) = started(store, &client, "sim-0000022").await;
    assert!(matches!(
        payments.confirm(id, &transaction, 100).await,
        Err(PaymentError::WrongAmount {
            expected: 38_000,
            paid: 100,
            ..
        })
    ));
    assert!(
        store
            .cases_of("sim-0000022", None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // An answer changed on the way (a cheaper amount, another payment) is not believed.
    let mut forged = sim.signed_params(&transaction, "ok").unwrap();
    for (k, v) in &mut forged {
        if k == "checkout-amount" {
            *v = "100".into();
        }
    }
    assert_eq!(client.verify(&forged), Err(ProviderError::BadSignature));
}
polku_cases::on_every_database!(
    cancelled_files_nothing,
    a_cancelled_or_wrong_payment_files_nothing
);

#[tokio::test]
async fn a_request_not_signed_with_our_secret_is_refused_by_the_provider() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = polku_simulators::payment_provider::router(PaymentSimulator::new(
        ACCOUNT, "another", &base,
    ));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = ProviderClient::new(&base, ACCOUNT, SECRET);
    assert!(matches!(
        client.create(&checkout(Uuid::now_v7())).await,
        Err(ProviderError::Refused(_))
    ));
    let down = ProviderClient::new("http://127.0.0.1:9", ACCOUNT, SECRET);
    assert!(matches!(
        down.create(&checkout(Uuid::now_v7())).await,
        Err(ProviderError::Unavailable(_))
    ));
}
