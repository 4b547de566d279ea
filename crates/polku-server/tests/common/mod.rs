//! What the API's tests share: a router over a fresh database with a token per role, a
//! client that reads every answer, the example application and registers that answer it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use polku_access::Role;
use polku_cases::testing::{FixedRegisters, TestDb};
use polku_cases::{Cases, Pipeline};
use polku_rules::RuleBook;
use polku_rules::schema::{Origin, fields_from};
use polku_server::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct Api {
    pub app: Router,
    pub store: Cases,
    pub rules: Arc<RuleBook>,
    pub applicant: String,
    pub other_applicant: String,
    pub handler: String,
    pub analyst: String,
}

pub async fn api(db: &TestDb) -> Api {
    let rules =
        RuleBook::load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap();
    api_with(db, rules).await
}

/// The API over `rules` instead of the bundled rule sets.
pub async fn api_with(db: &TestDb, rules: RuleBook) -> Api {
    let store = db.store.clone();
    let rules = Arc::new(rules);
    let token = async |name: &str, role: Role, org: Option<&str>, person: Option<&str>| {
        let access = polku_access::Access::new(store.db().clone());
        let user = access.add_user(name, role, org, person).await.unwrap();
        access.create_token(user, "test").await.unwrap()
    };
    let applicant = token("Aino", Role::Applicant, None, Some("person-1")).await;
    let other_applicant = token("Bashir", Role::Applicant, None, Some("person-2")).await;
    let handler = token(
        "Hanna",
        Role::CaseHandler,
        Some("Maahanmuuttovirasto"),
        None,
    )
    .await;
    let analyst = token("Anna", Role::Analyst, Some("Maahanmuuttovirasto"), None).await;
    let app = router(AppState::new(store.clone(), rules.clone().into(), None));
    Api {
        app,
        store,
        rules,
        applicant,
        other_applicant,
        handler,
        analyst,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Api {
    /// Users and tokens in the API's database.
    pub fn access(&self) -> polku_access::Access {
        polku_access::Access::new(self.store.db().clone())
    }

    /// The audit chain in the API's database.
    pub fn audit(&self) -> polku_audit::AuditChain {
        polku_audit::AuditChain::new(self.store.db().clone())
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = req
            .header("content-type", "application/json")
            .body(body.map(Body::from).unwrap_or_default())
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// Files `body` as the holder of `token` and returns the new case's id.
    pub async fn file(&self, token: &str, body: Value) -> String {
        let r = self.submit(token, body, &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["case_id"].as_str().unwrap().to_owned()
    }

    pub async fn submit(&self, token: &str, body: Value, extra: &[(&str, &str)]) -> Reply {
        self.call(
            "POST",
            "/api/v1/applications",
            Some(token),
            Some(body.to_string().into_bytes()),
            extra,
        )
        .await
    }
}

/// The example application with the registers' facts about its applicant.
pub fn example() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/employed-extension.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// What the example's applicant sends: only what they alone can tell.
pub fn example_submission() -> Value {
    let application = fields_from(&example(), |o| o == Origin::Applicant);
    json!({"matter": "fi.residence-permit.employed.extension", "application": application})
}

/// An application the machine cannot grant: a new employer in another field, so a person
/// decides.
pub fn referred_submission() -> Value {
    let mut s = example_submission();
    s["application"]["application"]["employment"]["employer_id"] = json!("7654321-2");
    s["application"]["application"]["employment"]["occupational_field"] = json!("ISCO-3");
    s
}

/// The registers answer with the example's facts, whatever an application says.
pub fn registers() -> FixedRegisters {
    FixedRegisters {
        facts: fields_from(&example(), |o| o == Origin::Register),
    }
}

pub fn pipeline(api: &Api) -> Pipeline<FixedRegisters> {
    Pipeline::new(api.store.clone(), api.rules.clone(), registers(), "w")
}

pub fn assert_problem(r: &Reply, status: StatusCode, field: Option<&str>) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.content_type, "application/problem+json", "{:?}", r.body);
    assert_eq!(r.body["status"], status.as_u16());
    assert!(
        r.body["type"]
            .as_str()
            .unwrap()
            .starts_with("https://polku.example/problems/")
    );
    if let Some(f) = field {
        assert_eq!(r.body["field"], f, "{:?}", r.body);
    }
}
