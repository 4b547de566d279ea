//! What operators read: health, readiness and the metrics on their own address.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use polku_server::{AppState, router};

use crate::common::*;

async fn health_and_readiness_answer_without_a_token(db: &TestDb) {
    let api = api(db).await;
    assert_eq!(
        api.call("GET", "/healthz", None, None, &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.call("GET", "/readyz", None, None, &[]).await.status,
        StatusCode::OK
    );
}

polku_cases::on_every_database!(
    health_and_readiness_answer_without_a_token,
    health_and_readiness_answer_without_a_token,
    with_db
);

#[tokio::test]
async fn metrics_count_decisions_latency_and_queue_depth() {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    let handle = HANDLE
        .get_or_init(|| polku_server::install_metrics().unwrap())
        .clone();
    let db = TestDb::sqlite().await;
    let mut api = api(&db).await;
    let state = AppState::new(api.store.clone(), api.rules.clone().into(), Some(handle));
    api.app = router(state.clone());
    api.submit(&api.applicant, example_submission(), &[]).await;
    api.submit(&api.applicant, example_submission(), &[]).await;
    pipeline(&api).run_once().await.unwrap();
    // Not on the public port: only on the operators' address.
    let r = api.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    api.app = polku_server::operator_router(state);
    let r = api.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.body.as_str().unwrap();
    assert!(
        text.contains("polku_decisions_total{outcome=\"grant\",automated=\"true\"}"),
        "{text}"
    );
    assert!(text.contains("polku_pipeline_seconds_bucket"), "{text}");
    assert!(text.contains("polku_jobs{state=\"queued\"} 1"), "{text}");
}
