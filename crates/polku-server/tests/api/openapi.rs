//! The OpenAPI 3.1 document the API serves.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn the_api_describes_itself_in_openapi_3_1() {
    let db = TestDb::sqlite().await;
    let api = api(&db).await;
    let r = api
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/applications", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/withdrawal", "post"),
        ("/api/v1/cases/{id}/rectification", "post"),
        ("/api/v1/queue", "get"),
        ("/api/v1/cases/{id}/claim", "post"),
        ("/api/v1/cases/{id}/decision", "post"),
        ("/api/v1/rule-sets", "get"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is not described");
        assert_eq!(op["security"][0]["bearer"], json!([]), "{method} {path}");
        // Every operation documents its errors as problem details.
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.iter().any(|(code, r)| code.starts_with('4')
                && r["content"]["application/problem+json"].is_object()),
            "{method} {path} documents no problem"
        );
    }
    assert_eq!(
        r.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(r.body["components"]["schemas"]["Problem"].is_object());
    let matters = &r.body["components"]["schemas"]["Submission"]["properties"]["matter"]["enum"];
    assert_eq!(matters.as_array().unwrap().len(), 6, "{matters}");
    // The monitoring rule sets are loaded, but no one files them.
    assert!(!matters.to_string().contains("fi.monitoring."), "{matters}");
    // What an applicant may send, with the bounds the server enforces.
    let schemas = &r.body["components"]["schemas"];
    assert_eq!(
        schemas["Submission"]["properties"]["application"]["$ref"],
        "#/components/schemas/Application"
    );
    let employment = &schemas["Application"]["properties"]["application"]["properties"]["employment"]
        ["properties"];
    assert_eq!(employment["employer_id"]["pattern"], "^[0-9]{7}-[0-9]$");
    assert_eq!(
        employment["occupational_field"]["pattern"],
        "^ISCO-[0-9]{1,4}$"
    );
    assert!(schemas["Application"]["properties"]["evidence"].is_null());
    assert!(r.body["paths"]["/api/v1/registrations"]["post"].is_object());
}
