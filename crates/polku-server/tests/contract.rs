//! The API's description and the API agree: what `/api/v1/openapi.json` admits the server
//! answers, what it refuses the server refuses (with the status it lists), and what the
//! server sends the document describes. A client generated from the document, or a
//! conformance tool reading it (docs/api-conformance.md), meets no surprise.

mod common;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use common::*;
use polku_cases::testing::TestDb;
use polku_rules::RuleBook;
use regex::Regex;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn document(api: &Api) -> Value {
    let r = api
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.body
}

/// The schema of query parameter `name` of `GET path`.
fn query_schema<'d>(doc: &'d Value, path: &str, name: &str) -> &'d Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("GET {path} has no parameter {name}"))
}

/// A string schema's `pattern`, `minLength` and `maxLength` (in characters), as a test.
fn admits(schema: &Value) -> impl Fn(&str) -> bool {
    let pattern = schema["pattern"]
        .as_str()
        .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}")));
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    let max = schema["maxLength"].as_u64().map(|n| n as usize);
    move |text: &str| {
        let n = text.chars().count();
        pattern.as_ref().is_none_or(|p| p.is_match(text)) && n >= min && max.is_none_or(|m| n <= m)
    }
}

/// `text` as a query value: everything but letters, digits, `-` and `~` percent-encoded.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A request with a header of any bytes (`Api::call` takes text only).
async fn submit_with_key(api: &Api, key: &[u8]) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/applications")
        .header("authorization", format!("Bearer {}", api.applicant))
        .header("content-type", "application/json")
        .header("idempotency-key", HeaderValue::from_bytes(key).unwrap())
        .body(Body::from(example_submission().to_string()))
        .unwrap();
    let res = api.app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        content_type,
        body: serde_json::from_slice(&bytes).unwrap(),
    }
}

fn case_id(r: &Reply) -> String {
    assert!(r.status.is_success(), "{:?}", r.body);
    r.body["case_id"].as_str().unwrap().to_owned()
}

/// The Idempotency-Key is 1–200 visible ASCII characters on every route that takes it: a
/// key the document's pattern admits is answered, one it refuses is a 422 naming the
/// header, and nothing is written (a key with a space or a tab was taken; the document
/// said only "1–200 characters" and that the header might be null).
async fn the_idempotency_key_is_what_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    let mut schemas = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "Idempotency-Key" {
                    assert_eq!(
                        (&p["in"], &p["required"]),
                        (&json!("header"), &json!(false))
                    );
                    schemas.push((format!("{method} {path}"), p["schema"].clone()));
                }
            }
        }
    }
    assert_eq!(
        schemas.len(),
        5,
        "applications, registrations, decision, withdrawal, rectification: {schemas:?}"
    );
    let schema = &schemas[0].1;
    for (route, s) in &schemas {
        assert_eq!(s, schema, "{route} describes the key differently");
    }
    assert_eq!(schema["type"], "string", "a header is text, never null");
    assert!(schema["pattern"].is_string(), "{schema}");
    let fits = admits(schema);
    let fits = |key: &[u8]| std::str::from_utf8(key).is_ok_and(&fits);

    let longest = "k".repeat(200);
    for key in [
        b"a".as_slice(),
        b"my-first-application",
        b"!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~",
        longest.as_bytes(),
    ] {
        assert!(fits(key), "the document refuses {key:?}");
        let r = submit_with_key(&api, key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{key:?}: {:?}", r.body);
    }
    let filed = api.store.case_count().await.unwrap();
    let too_long = "k".repeat(201);
    for key in [
        b"".as_slice(),
        b"my key",
        b"a\tb",
        too_long.as_bytes(),
        "\u{e4}".as_bytes(),
        b"\xe4",
    ] {
        assert!(!fits(key), "the document admits {key:?}");
        let r = submit_with_key(&api, key).await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Idempotency-Key"),
        );
    }
    assert_eq!(
        api.store.case_count().await.unwrap(),
        filed,
        "nothing written"
    );
}

/// A cursor is exactly what the document's pattern says: the cursors the API gives fit it,
/// one that fits is read as a position, one that does not is a 422 naming `cursor` (the
/// pattern admitted `0~` and 36 zeros, which the server refused, and the server took a
/// queue cursor with a signed number or any text for the case id).
async fn cursors_are_what_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    for _ in 0..2 {
        case_id(&api.submit(&api.applicant, example_submission(), &[]).await);
        case_id(&api.submit(&api.applicant, referred_submission(), &[]).await);
    }
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    let next = async |uri: &str, token: &str| {
        let r = api.call("GET", uri, Some(token), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["next_cursor"].as_str().unwrap().to_owned()
    };
    let given_cases = next("/api/v1/cases?limit=1", &api.applicant).await;
    let given_queue = next("/api/v1/queue?limit=1", &api.handler).await;

    let id = "01234567-89ab-cdef-0123-456789abcdef";
    let nil = "00000000-0000-0000-0000-000000000000";
    let routes = [
        (
            "/api/v1/cases",
            &api.applicant,
            vec![
                given_cases,
                format!("0~{nil}"),
                format!("999999999999999999~{id}"),
            ],
            vec![
                format!("0~{}", "0".repeat(36)),
                format!("+5~{id}"),
                format!("-5~{id}"),
                format!("5~{}", id.to_uppercase()),
                format!("5~{}", id.replace('-', "")),
                format!("5~{{{id}}}"),
                format!("1234567890123456789~{id}"),
                format!("5~{id}~5"),
                "nonsense".to_owned(),
            ],
        ),
        (
            "/api/v1/queue",
            &api.handler,
            vec![
                given_queue,
                format!("2026-01-01~0~{nil}"),
                format!("9999-99-99~999999999999999999~{id}"),
            ],
            vec![
                format!("2026-01-01~+5~{id}"),
                format!("2026-01-01~-5~{id}"),
                format!("2026-01-01~5~not-a-uuid-at-all-but-36-characters-"),
                format!("2026-01-01~5~{}", id.to_uppercase()),
                format!("2026-1-01~5~{id}"),
                format!("x~5~{id}"),
                "2026-01-01~5".to_owned(),
            ],
        ),
    ];
    for (route, token, fitting, not_fitting) in routes {
        let fits = admits(query_schema(&doc, route, "cursor"));
        for cursor in fitting {
            assert!(fits(&cursor), "{route}: the document refuses {cursor}");
            let uri = format!("{route}?cursor={}", query_value(&cursor));
            let r = api.call("GET", &uri, Some(token), None, &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {:?}", r.body);
        }
        for cursor in not_fitting {
            assert!(!fits(&cursor), "{route}: the document admits {cursor}");
            let uri = format!("{route}?cursor={}", query_value(&cursor));
            let r = api.call("GET", &uri, Some(token), None, &[]).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"));
        }
    }
}

/// A query parameter sent empty (`?limit=`, `?matter=`, `?cursor=`) is a 422 naming it on
/// every route, and the document admits no empty value for any of them (it admitted
/// `?matter=`, which the server refused).
async fn an_empty_query_value_is_a_422_naming_it_as_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("empty value"),
        "the document says what an empty value does"
    );
    let id = case_id(&api.submit(&api.applicant, example_submission(), &[]).await);
    let inspector = {
        let access = api.access();
        let user = access
            .add_user(
                "Tarkastaja",
                polku_access::Role::LabourInspector,
                Some("Aluehallintovirasto"),
                None,
            )
            .await
            .unwrap();
        access.create_token(user, "indicators").await.unwrap()
    };
    let mut asked = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        let Some(op) = operations.get("get") else {
            continue;
        };
        let (uri, token) = match path.as_str() {
            "/api/v1/cases" | "/api/v1/rule-sets" => (path.clone(), &api.applicant),
            "/api/v1/cases/{id}" => (format!("/api/v1/cases/{id}"), &api.applicant),
            "/api/v1/cases/{id}/requests" => {
                (format!("/api/v1/cases/{id}/requests"), &api.applicant)
            }
            "/api/v1/cases/{id}/notifications" => {
                (format!("/api/v1/cases/{id}/notifications"), &api.applicant)
            }
            "/api/v1/me/contact" => (path.clone(), &api.applicant),
            "/api/v1/payments/{id}" => (path.replace("{id}", &id), &api.applicant),
            "/api/v1/cases/{id}/decision.pdf" => {
                (format!("/api/v1/cases/{id}/decision.pdf"), &api.applicant)
            }
            "/api/v1/queue" | "/api/v1/monitoring/alerts" => (path.clone(), &api.handler),
            "/api/v1/monitoring/alerts/{id}" => (path.replace("{id}", &id), &api.handler),
            "/api/v1/monitoring/employers" => (path.clone(), &inspector),
            "/api/v1/monitoring/employers/{id}/indicators" => {
                (path.replace("{id}", "1234567-1"), &inspector)
            }
            // A handler reads a person's identity; it has no query parameters.
            "/api/v1/identity/persons/{id}" => (path.replace("{id}", "PID-0000001"), &api.handler),
            // Every official reads the contact points; a handler a person's flags.
            "/api/v1/contact-points" => (path.clone(), &api.handler),
            "/api/v1/identity/persons/{id}/flags" => {
                (path.replace("{id}", "PID-0000001"), &api.handler)
            }
            // A security authority's liaison reads its own flags; no query parameters.
            "/api/v1/flags" => (path.clone(), &api.handler),
            // A handler works the identity queue.
            "/api/v1/identity/links" => (path.clone(), &api.handler),
            "/api/v1/identity/links/{left}/{right}" => (
                path.replace("{left}", "1").replace("{right}", "2"),
                &api.handler,
            ),
            other => panic!("a new GET route {other}: say here who reads it"),
        };
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] != "query" {
                continue;
            }
            let name = p["name"].as_str().unwrap();
            let schema = &p["schema"];
            let refuses_empty = schema["type"] == "integer"
                || schema["enum"]
                    .as_array()
                    .is_some_and(|e| !e.contains(&json!("")))
                || !admits(schema)("");
            assert!(
                refuses_empty,
                "GET {path}: the document admits ?{name}= ({schema})"
            );
            let r = api
                .call("GET", &format!("{uri}?{name}="), Some(token), None, &[])
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(name));
            asked.push(format!("{path}?{name}"));
        }
    }
    assert_eq!(asked.len(), 13, "{asked:?}");
}

/// The bundled employed-extension rule set with its last version ending on 31 Dec 2025:
/// no version covers a filing today.
fn rules_ending_in_2025() -> RuleBook {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules/fi");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
    let employed = read("residence-permit-employed-extension.yaml");
    let ended = employed.replace(
        "in_force: { from: 2025-04-01 }",
        "in_force: { from: 2025-04-01, to: 2025-12-31 }",
    );
    assert_ne!(ended, employed, "the rule file changed: update this test");
    RuleBook::from_sources(&[
        (
            PathBuf::from("common/residence-permit-conditions.yaml"),
            read("common/residence-permit-conditions.yaml"),
        ),
        (PathBuf::from("employed.yaml"), ended),
    ])
    .unwrap()
}

/// A decision the machine made without rules — no rule-set version covers the filing date
/// — has no explanation: the API sends `null`, and the document says it may (it said an
/// object, so a client generated from it failed to read the case).
async fn a_decision_without_rules_has_a_null_explanation_as_the_document_says(db: &TestDb) {
    assert!(polku_cases::today_in_finland() > jiff::civil::date(2025, 12, 31));
    let api = api_with(db, rules_ending_in_2025()).await;
    let doc = document(&api).await;
    let id = case_id(&api.submit(&api.applicant, example_submission(), &[]).await);
    pipeline(&api).run_once().await.unwrap();
    for token in [&api.applicant, &api.handler] {
        let r = api
            .call(
                "GET",
                &format!("/api/v1/cases/{id}?lang=en"),
                Some(token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["state"], "referred");
        let decision = &r.body["decisions"][0];
        assert_eq!(decision["outcome"], "refer");
        let properties = &doc["components"]["schemas"]["DecisionView"]["properties"];
        for field in ["explanation", "rule_set", "rule_set_version"] {
            assert!(decision[field].is_null(), "{field}: {decision}");
            let types = &properties[field]["type"];
            assert!(
                types.as_array().is_some_and(|t| t.contains(&json!("null"))),
                "the document does not admit a null {field}: {types}"
            );
        }
    }
}

/// Every route that reads a body lists the 415 it answers to a body not sent as JSON (the
/// claim too, which reads none), and the reasons' schemas refuse what the server refuses:
/// a control character but line breaks and tabs, only spaces, more than 20,000 characters
/// (the document admitted any text with a letter in it, NUL and escapes included).
async fn bodies_are_refused_where_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    let mut posts = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if let Some(op) = operations.get("post") {
            assert!(
                op["responses"]["415"]["content"]["application/problem+json"].is_object(),
                "POST {path} does not list its 415"
            );
            posts += 1;
        }
    }
    assert_eq!(posts, 15);

    let referred = case_id(&api.submit(&api.applicant, referred_submission(), &[]).await);
    let granted = case_id(&api.submit(&api.applicant, example_submission(), &[]).await);
    let p = pipeline(&api);
    p.run_once().await.unwrap();
    p.run_once().await.unwrap();
    let open = case_id(&api.submit(&api.applicant, example_submission(), &[]).await);
    let claimed = api
        .call(
            "POST",
            &format!("/api/v1/cases/{referred}/claim"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{:?}", claimed.body);

    let schemas = &doc["components"]["schemas"];
    let reasons = admits(&schemas["DecisionBody"]["properties"]["reasons"]);
    let reason = admits(&schemas["ApplicantRequest"]["properties"]["reason"]);
    let alert_reasons = admits(&schemas["Reasons"]["properties"]["reasons"]);
    let verdict_reasons = admits(&schemas["VerdictIn"]["properties"]["reasons"]);
    let clear_reason = admits(&schemas["ClearBody"]["properties"]["reason"]);
    let post = async |uri: String, token: &str, body: Value| {
        api.call(
            "POST",
            &uri,
            Some(token),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    let too_long = "x".repeat(20_001);
    for text in [
        "Pay too low\u{0}",
        "\u{1b}[2J",
        "a\u{8}b",
        "\u{7f}",
        "\u{9b}",
        "",
        " ",
        "\r\n\t ",
        "\u{3000}",
        too_long.as_str(),
    ] {
        assert!(!reasons(text), "the document admits reasons {text:?}");
        assert!(!reason(text), "the document admits a reason {text:?}");
        assert!(
            !alert_reasons(text),
            "the document admits an alert's reasons {text:?}"
        );
        assert!(
            !verdict_reasons(text),
            "the document admits an identity verdict's reasons {text:?}"
        );
        assert!(
            !clear_reason(text),
            "the document admits a flag's clearing reason {text:?}"
        );
        let r = post(
            format!("/api/v1/cases/{referred}/decision"),
            &api.handler,
            json!({"outcome": "refuse", "reasons": text}),
        )
        .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reasons"));
        for (case, request) in [(&granted, "rectification"), (&open, "withdrawal")] {
            let r = post(
                format!("/api/v1/cases/{case}/{request}"),
                &api.applicant,
                json!({"reason": text}),
            )
            .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
        }
    }
    let longest = "x".repeat(20_000);
    let accepted = [
        (
            format!("/api/v1/cases/{referred}/decision"),
            &api.handler,
            "reasons",
            "Pay too low:\r\n\t1,000 € a month",
        ),
        (
            format!("/api/v1/cases/{granted}/rectification"),
            &api.applicant,
            "reason",
            longest.as_str(),
        ),
        (
            format!("/api/v1/cases/{open}/withdrawal"),
            &api.applicant,
            "reason",
            "I got another permit",
        ),
    ];
    for (uri, token, field, text) in accepted {
        let fits = if field == "reasons" {
            &reasons
        } else {
            &reason
        };
        assert!(fits(text), "the document refuses {field} {text:?}");
        let mut body = json!({ field: text });
        if field == "reasons" {
            body["outcome"] = json!("refuse");
        }
        let r = post(uri.clone(), token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{uri}: {:?}", r.body);
    }
}

/// A registration is refused exactly where the document says: a matter outside the listed
/// ones, a reason with a control character (a line break too), fewer than 2 characters
/// once trimmed, or more than 500 as sent (the document admitted two spaces and a line
/// break, which the server refused, and the server took 501 characters ending in a
/// space, which the document refused); it lists its 413 and 415.
async fn a_registration_is_refused_where_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    let op = &doc["paths"]["/api/v1/registrations"]["post"];
    for status in ["413", "415", "422"] {
        assert!(op["responses"][status].is_object(), "no {status}");
    }
    let properties = &doc["components"]["schemas"]["Registration"]["properties"];
    let ids: Vec<Value> = api.rules.decision_sets().map(|rs| json!(rs.id)).collect();
    assert_eq!(properties["matter"]["enum"], json!(ids));
    let fits = admits(&properties["reason"]);
    let today = polku_cases::today_in_finland().to_string();
    let register = async |matter: &str, reason: &str| {
        let body = json!({
            "matter": matter,
            "applicant": "person-1",
            "received_on": today,
            "reason": reason,
            "application": example_submission()["application"],
        });
        api.call(
            "POST",
            "/api/v1/registrations",
            Some(&api.handler),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    let matter = "fi.residence-permit.employed.extension";
    let longest = "x".repeat(500);
    for reason in [
        "ab",
        "Paper form received at the Helsinki service point",
        longest.as_str(),
    ] {
        assert!(fits(reason), "the document refuses {reason:?}");
        let r = register(matter, reason).await;
        assert_eq!(r.status, StatusCode::CREATED, "{reason:?}: {:?}", r.body);
    }
    let registered = api.store.case_count().await.unwrap();
    let spaced = format!("{longest} ");
    let too_long = "x".repeat(501);
    for reason in [
        "a",
        "  ",
        " a ",
        "a\nb",
        "a\tb",
        "Paper\u{0}",
        spaced.as_str(),
        too_long.as_str(),
    ] {
        assert!(!fits(reason), "the document admits {reason:?}");
        let r = register(matter, reason).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
    }
    // An unknown matter, and a monitoring rule set, which no one files either.
    for matter in [
        "fi.no-such-matter",
        "fi.monitoring.residence-permit.employed",
    ] {
        assert!(!properties["matter"]["enum"].to_string().contains(matter));
        let r = register(matter, "Paper form").await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("matter"));
    }
    assert_eq!(
        api.store.case_count().await.unwrap(),
        registered,
        "nothing written"
    );
}

/// A case id that is not even text once percent-decoded (`%FF`) names no case: a
/// problem+json 404 as the document lists, not axum's plain-text 400 it does not.
async fn a_case_id_that_is_not_text_is_a_404_problem(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    for (method, suffix, token) in [
        ("GET", "", &api.applicant),
        ("POST", "/claim", &api.handler),
        ("POST", "/decision", &api.handler),
        ("POST", "/withdrawal", &api.applicant),
        ("POST", "/rectification", &api.applicant),
    ] {
        let path = format!("/api/v1/cases/{{id}}{suffix}");
        assert!(
            doc["paths"][&path][method.to_lowercase()]["responses"]["404"].is_object(),
            "{method} {path}"
        );
        let body = (method == "POST").then(|| br#"{"reason": "x"}"#.to_vec());
        for id in ["%FF", "%C3%28", "not-a-uuid"] {
            let uri = format!("/api/v1/cases/{id}{suffix}");
            let r = api.call(method, &uri, Some(token), body.clone(), &[]).await;
            assert_problem(&r, StatusCode::NOT_FOUND, None);
        }
    }
}

/// A group of the application may be null, as every field in it may: the server reads
/// `{"employment": null}` as an absent group, and the document admits it (it said object).
async fn a_null_group_is_read_as_unknown_as_the_document_says(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    let application = &doc["components"]["schemas"]["Application"];
    assert_eq!(
        application["type"], "object",
        "the document itself is an object"
    );
    // Every group, as a path of property names.
    let mut groups = Vec::new();
    let mut todo = vec![(Vec::<String>::new(), application)];
    while let Some((at, schema)) = todo.pop() {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if property["properties"].is_object() {
                let mut path = at.clone();
                path.push(name.clone());
                todo.push((path.clone(), property));
                groups.push((path, property["type"].clone()));
            }
        }
    }
    assert!(groups.len() >= 2, "{groups:?}");
    for (path, types) in groups {
        assert!(
            types.as_array().is_some_and(|t| t.contains(&json!("null"))),
            "the document does not admit a null {}: {types}",
            path.join(".")
        );
        let mut submission = json!({"matter": "fi.residence-permit.employed.extension"});
        let mut at = &mut submission["application"];
        for name in &path {
            at = &mut at[name.as_str()];
        }
        *at = Value::Null;
        let r = api.submit(&api.applicant, submission.clone(), &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{submission}: {:?}", r.body);
    }
}

polku_cases::on_every_database!(
    idempotency_key,
    the_idempotency_key_is_what_the_document_says,
    with_db
);
polku_cases::on_every_database!(cursors, cursors_are_what_the_document_says, with_db);
polku_cases::on_every_database!(
    empty_query_values,
    an_empty_query_value_is_a_422_naming_it_as_the_document_says,
    with_db
);
polku_cases::on_every_database!(
    null_explanation,
    a_decision_without_rules_has_a_null_explanation_as_the_document_says,
    with_db
);
polku_cases::on_every_database!(
    refused_bodies,
    bodies_are_refused_where_the_document_says,
    with_db
);
polku_cases::on_every_database!(
    registrations,
    a_registration_is_refused_where_the_document_says,
    with_db
);
polku_cases::on_every_database!(
    case_id_not_text,
    a_case_id_that_is_not_text_is_a_404_problem,
    with_db
);
polku_cases::on_every_database!(
    null_groups,
    a_null_group_is_read_as_unknown_as_the_document_says,
    with_db
);
