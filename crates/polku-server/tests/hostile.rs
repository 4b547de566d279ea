//! The API as a hostile applicant meets it: an applicant chooses nothing the law decides.
//! The filing date is the server's, the evidence is the registers', every value has a
//! plausible range; an official registers an earlier day of arrival only with a reason.

mod common;

use axum::http::StatusCode;
use common::*;
use polku_audit::{AuditLog, AuditQuery};
use polku_cases::testing::TestDb;
use polku_cases::today_in_finland;
use polku_rules::schema::{FIELDS, FieldType, Origin};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

async fn submitted(api: &Api, body: Value) -> Reply {
    api.submit(&api.applicant, body, &[]).await
}

async fn the_applicant_cannot_choose_the_date_the_evidence_or_what_registers_hold(db: &TestDb) {
    let api = api(db).await;
    let mut cases = Vec::new();
    // The old rule by an old date; the far past and the far future.
    for date in ["2024-06-01", "0000-01-01", "9999-12-31"] {
        let mut s = example_submission();
        s["application_date"] = json!(date);
        cases.push((s, "application_date"));
    }
    let mut s = example_submission();
    s["application"]["evidence"] = json!({"criminal_records": {"disqualifying_entries": false}});
    cases.push((s, "application.evidence"));
    let mut s = example_submission();
    s["application"]["evidence"] = json!({"security": {"open_flag": false}});
    cases.push((s, "application.evidence"));
    for (group, field, value) in [
        ("applicant", "nordic_citizen", json!(true)),
        ("applicant", "family_member_of_finnish_citizen", json!(true)),
        ("applicant", "date_of_birth", json!("9999-12-31")),
        ("family", "adults", json!(1)),
    ] {
        let mut s = example_submission();
        s["application"][group] = json!({ field: value });
        cases.push((s, ""));
        let path = format!("application.{group}.{field}");
        let last = cases.len() - 1;
        cases[last].1 = Box::leak(path.into_boxed_str());
    }
    let mut s = example_submission();
    s["application"]["application"]["submitted_on"] = json!("2024-06-01");
    cases.push((s, "application.application.submitted_on"));
    for (body, field) in cases {
        let r = submitted(&api, body.clone()).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert!(
            r.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{:?}",
            r.body
        );
    }
    assert_eq!(api.store.case_count().await.unwrap(), 0, "nothing written");
    // The example as the applicant sends it is filed today.
    let r = submitted(&api, example_submission()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["case_id"].as_str().unwrap().parse().unwrap();
    let case = api.store.case(id).await.unwrap();
    assert_eq!(case.application_date, today_in_finland());
}
polku_cases::on_every_database!(
    chosen_by_the_law,
    the_applicant_cannot_choose_the_date_the_evidence_or_what_registers_hold,
    with_db
);

async fn absurd_values_are_refused_naming_the_field(db: &TestDb) {
    let api = api(db).await;
    let employment = "application.application.employment";
    for (field, value) in [
        ("collective_agreement_min_pay_eur", json!(-1)),
        ("collective_agreement_min_pay_eur", json!(1e308)),
        ("employer_id", json!("1234567-1\u{0}")),
        ("employer_id", json!("Nokia")),
        ("occupational_field", json!("siivooja")),
        ("occupational_field", json!("ISCO-7\r\nforged: yes")),
    ] {
        let mut s = example_submission();
        s["application"]["application"]["employment"][field] = value.clone();
        let r = submitted(&api, s).await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&format!("{employment}.{field}")),
        );
    }
    assert_eq!(api.store.case_count().await.unwrap(), 0, "nothing written");
}
polku_cases::on_every_database!(
    absurd_values,
    absurd_values_are_refused_naming_the_field,
    with_db
);

async fn a_key_used_for_another_request_is_refused(db: &TestDb) {
    let api = api(db).await;
    let key = [("Idempotency-Key", "k-1")];
    let first = api.submit(&api.applicant, example_submission(), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let mut other = example_submission();
    other["application"]["application"]["employment"]["occupational_field"] = json!("ISCO-3");
    let r = api.submit(&api.applicant, other, &key).await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("Idempotency-Key"),
    );
    assert_eq!(api.store.case_count().await.unwrap(), 1);
}
polku_cases::on_every_database!(
    key_reuse,
    a_key_used_for_another_request_is_refused,
    with_db
);

async fn a_handler_registers_a_paper_application_with_the_day_it_arrived(db: &TestDb) {
    let api = api(db).await;
    let received = today_in_finland()
        .checked_sub(jiff::Span::new().days(10))
        .unwrap();
    let body = |received_on: String, reason: &str| {
        json!({
            "matter": "fi.residence-permit.employed.extension",
            "applicant": "sim-0000042",
            "received_on": received_on,
            "reason": reason,
            "application": example_submission()["application"],
        })
        .to_string()
        .into_bytes()
    };
    let post = |token: String, bytes: Vec<u8>| {
        let api = &api;
        async move {
            api.call(
                "POST",
                "/api/v1/registrations",
                Some(&token),
                Some(bytes),
                &[],
            )
            .await
        }
    };
    // Not an applicant's door.
    let r = post(
        api.applicant.clone(),
        body(received.to_string(), "paper form at the service point"),
    )
    .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    // Never in the future, never without a reason.
    let tomorrow = today_in_finland().tomorrow().unwrap().to_string();
    let r = post(api.handler.clone(), body(tomorrow, "paper form")).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("received_on"));
    let r = post(api.handler.clone(), body(received.to_string(), "")).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
    assert_eq!(api.store.case_count().await.unwrap(), 0);

    let r = post(
        api.handler.clone(),
        body(received.to_string(), "paper form at the service point"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["case_id"].as_str().unwrap().parse().unwrap();
    let case = api.store.case(id).await.unwrap();
    assert_eq!(
        (case.application_date, case.applicant_id.as_str()),
        (received, "sim-0000042")
    );
    let rows = api
        .audit()
        .search(&AuditQuery {
            log: Some(AuditLog::Registration),
            limit: 5,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].detail.contains("paper form at the service point"));
}
polku_cases::on_every_database!(
    registration,
    a_handler_registers_a_paper_application_with_the_day_it_arrived,
    with_db
);

/// A value for `ty`: mostly of the right type, sometimes implausible or of another type.
fn any_value(ty: FieldType) -> BoxedStrategy<Value> {
    let right = match ty {
        FieldType::Bool => any::<bool>().prop_map(Value::from).boxed(),
        FieldType::Number => prop_oneof![
            6 => (0u32..5000).prop_map(Value::from),
            1 => any::<f64>().prop_map(|f| json!(f)),
            1 => Just(json!(-1)),
        ]
        .boxed(),
        FieldType::Date => prop_oneof![
            (1850i32..2200, 1u8..13, 1u8..29)
                .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}"))),
            Just(json!("9999-99-99")),
        ]
        .boxed(),
        FieldType::Text => prop_oneof![
            3 => Just(json!("1234567-1")),
            1 => Just(json!("7654321-2")),
            3 => Just(json!("ISCO-7")),
            1 => Just(json!("ISCO-3")),
            1 => "[ -~]{0,12}".prop_map(Value::from),
            1 => Just(json!("a\u{0}b")),
        ]
        .boxed(),
        FieldType::OneOf(values) => prop_oneof![
            prop::sample::select(values.to_vec()).prop_map(Value::from),
            Just(json!("renewal")),
        ]
        .boxed(),
    };
    prop_oneof![12 => right, 1 => Just(Value::Null), 1 => Just(json!({"x": 1}))].boxed()
}

/// Any body an applicant could send: any fields of the schema (theirs or not), evidence,
/// a date, unknown keys, any matter.
fn hostile_body() -> impl Strategy<Value = Value> {
    // Mostly the applicant's own fields, now and then anything in the schema.
    let own: Vec<usize> = (0..FIELDS.len())
        .filter(|&i| FIELDS[i].origin == Origin::Applicant)
        .collect();
    let index = prop_oneof![5 => prop::sample::select(own), 1 => 0..FIELDS.len()];
    let fields = prop::collection::vec(
        index.prop_flat_map(|i| (Just(i), any_value(FIELDS[i].ty))),
        0..4,
    );
    let matter = prop_oneof![
        6 => Just("fi.residence-permit.employed.extension".to_owned()),
        1 => Just("fi.citizenship.application".to_owned()),
        1 => Just("fi.residence-permit.family.extension".to_owned()),
        1 => "[a-z.]{1,10}",
    ];
    (
        matter,
        fields,
        prop::option::weighted(0.1, "(2024|2025|2026)-0[1-9]-1[0-9]"),
        prop::bool::weighted(0.1),
        prop::option::weighted(0.1, "[a-z_]{1,8}"),
    )
        .prop_map(|(matter, fields, date, evidence, extra)| {
            let mut application = fields_from_example();
            for (i, value) in fields {
                polku_rules::schema::put_path(&mut application, FIELDS[i].path, value);
            }
            if evidence {
                application["evidence"] = json!({"security": {"open_flag": false}});
            }
            let mut body = Map::new();
            body.insert("matter".into(), matter.into());
            body.insert("application".into(), application);
            if let Some(d) = date {
                body.insert("application_date".into(), d.into());
            }
            if let Some(k) = extra {
                body.insert(k, json!(1));
            }
            Value::Object(body)
        })
}

fn fields_from_example() -> Value {
    example_submission()["application"].clone()
}

/// Everything in `body` that is not the applicant's to give.
fn not_the_applicants(body: &Value) -> bool {
    let top_extra = body
        .as_object()
        .is_some_and(|o| o.keys().any(|k| k != "matter" && k != "application"));
    let application = &body["application"];
    top_extra
        || application.get("evidence").is_some()
        || FIELDS.iter().any(|f| {
            f.origin != Origin::Applicant && {
                let mut at = application;
                f.path.split('.').all(|p| match at.get(p) {
                    Some(v) => {
                        at = v;
                        true
                    }
                    None => false,
                }) && !at.is_null()
            }
        })
}

/// No body an applicant can send, with any headers, leads to an automatic grant that the
/// same application would not get with the registers' evidence and today's date: whatever
/// is not the applicant's to give is refused outright, and what is accepted is decided
/// exactly as the applicant's own fields alone would be.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_submission_buys_a_grant_the_registers_and_today_would_not_give() {
    let db = TestDb::sqlite().await;
    let api = api(&db).await;
    let pipeline = pipeline(&api);
    let mut runner = TestRunner::deterministic();
    let strategy = (
        hostile_body(),
        prop::option::of("[ -~]{1,40}"),
        prop::option::of("[A-Za-z0-9-]{1,20}"),
    );
    let (mut accepted, mut refused, mut grants) = (0, 0, 0);
    for round in 0..160 {
        let (body, x_road, key) = strategy.new_tree(&mut runner).unwrap().current();
        let mut headers = Vec::new();
        if let Some(x) = &x_road {
            headers.push(("X-Road-Client", x.as_str()));
        }
        let key = key.map(|k| format!("{round}-{k}"));
        if let Some(k) = &key {
            headers.push(("Idempotency-Key", k.as_str()));
        }
        let r = api.submit(&api.applicant, body.clone(), &headers).await;
        assert!(
            r.status.is_client_error() || r.status == StatusCode::CREATED,
            "{body}: {:?}",
            r.body
        );
        if r.status != StatusCode::CREATED {
            refused += 1;
            continue;
        }
        accepted += 1;
        assert!(
            !not_the_applicants(&body),
            "accepted what is not the applicant's: {body}"
        );
        // The same application with only the applicant's own fields, filed today.
        let own = json!({
            "matter": body["matter"],
            "application": polku_rules::schema::fields_from(&body["application"], |o| o == Origin::Applicant),
        });
        let r2 = api.submit(&api.applicant, own, &[]).await;
        assert_eq!(r2.status, StatusCode::CREATED, "{:?}", r2.body);
        while pipeline.run_once().await.unwrap().is_some() {}
        let outcome = |r: &Reply| {
            let id = r.body["case_id"].as_str().unwrap().parse().unwrap();
            let store = api.store.clone();
            async move {
                let d = store.decisions(id).await.unwrap();
                d.first().map(|d| d.outcome)
            }
        };
        let (a, b) = (outcome(&r).await, outcome(&r2).await);
        assert_eq!(a, b, "{body}");
        if a == Some(polku_cases::DecisionOutcome::Grant) {
            grants += 1;
        }
    }
    eprintln!("{accepted} accepted ({grants} granted), {refused} refused");
    assert!(
        accepted > 10 && refused > 10 && grants > 0,
        "the bodies vary: {accepted} {refused} {grants}"
    );
    db.finish().await;
}

/// A security authority's flag and a pending investigation are the officials' to read:
/// the applicant sees only that those conditions were checked, never what the
/// registers said, whether the condition held or not.
async fn what_the_law_withholds_never_reaches_the_applicant(db: &TestDb) {
    let api = api(db).await;
    let mut read_as = Vec::new();
    for flagged in [true, false] {
        let mut facts = registers().facts;
        facts["evidence"]["security"] =
            json!({"source": "Supo", "open_flag": flagged, "objection": false});
        facts["evidence"]["criminal_records"]["pending_investigation"] = json!(flagged);
        let r = api.submit(&api.applicant, example_submission(), &[]).await;
        let id = r.body["case_id"].as_str().unwrap().to_owned();
        polku_cases::Pipeline::new(
            api.store.clone(),
            api.rules.clone(),
            polku_cases::testing::FixedRegisters { facts },
            "w",
        )
        .run_once()
        .await
        .unwrap();
        let applicant = api
            .call(
                "GET",
                &format!("/api/v1/cases/{id}?lang=en"),
                Some(&api.applicant),
                None,
                &[],
            )
            .await;
        let handler = api
            .call(
                "GET",
                &format!("/api/v1/cases/{id}?lang=en"),
                Some(&api.handler),
                None,
                &[],
            )
            .await;
        assert_eq!(applicant.status, StatusCode::OK);
        let text = applicant.body.to_string();
        for secret in ["open_flag", "pending_investigation", "Supo", "not_met"] {
            assert!(
                !text.contains(secret),
                "{secret} reached the applicant: {text}"
            );
        }
        let condition = |body: &Value, id: &str| {
            body["decisions"][0]["explanation"]["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .cloned()
                .unwrap()
        };
        for id in ["no-security-flag", "no-disqualifying-records"] {
            assert_eq!(condition(&applicant.body, id)["status"], "withheld");
            let official = condition(&handler.body, id)["status"].clone();
            assert_eq!(official, if flagged { "not_met" } else { "met" });
        }
        read_as.push((
            condition(&applicant.body, "no-security-flag"),
            condition(&applicant.body, "no-disqualifying-records"),
        ));
        // The case page the applicant reads does not tell them either (the history's notes
        // are the officials').
        assert!(
            applicant.body["history"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["reason"].is_null()),
            "{text}"
        );
    }
    // Flagged or not, the applicant reads the same.
    assert_eq!(read_as[0], read_as[1]);
}
polku_cases::on_every_database!(
    withheld,
    what_the_law_withholds_never_reaches_the_applicant,
    with_db
);
