//! Auditors' pages: search the use, disclosure and decision logs by person or official,
//! and verify the hash chain (Information Management Act 17 §).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_core::{AuditEntry, AuditLog, AuditQuery};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::guard::AuditorSession;
use crate::pages::{Page, error_page, internal};
use crate::text::{MAX_SHORT, typed};

struct Row {
    seq: i64,
    at: String,
    log: String,
    actor: String,
    person: String,
    purpose: String,
    legal_basis: String,
    client: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    log: String,
    person: String,
    actor: String,
    logs: Vec<(String, String)>,
    rows: Vec<Row>,
    chain: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditForm {
    log: Option<String>,
    person: Option<String>,
    actor: Option<String>,
    verify: Option<String>,
}

/// `GET /audit`: the logs, newest first, filtered; `?verify=1` checks the whole chain.
pub async fn audit(
    State(state): State<WebState>,
    Query(q): Query<AuditForm>,
    AuditorSession { v, session, .. }: AuditorSession,
) -> Response {
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (person, actor) = (nonempty(q.person), nonempty(q.actor));
    let (person_label, actor_label) = (v.tr.t("audit-person"), v.tr.t("audit-actor"));
    if let Err(refused) = typed(
        &v,
        &[
            (&person_label, person.as_deref().unwrap_or(""), MAX_SHORT),
            (&actor_label, actor.as_deref().unwrap_or(""), MAX_SHORT),
        ],
    ) {
        return refused.into_response();
    }
    let log = match nonempty(q.log).as_deref() {
        None => None,
        Some(name) => match AuditLog::parse(name) {
            Some(log) => Some(log),
            None => return error_page(&v, StatusCode::UNPROCESSABLE_ENTITY, "error-not-found"),
        },
    };
    let query = AuditQuery {
        log,
        person: person.clone(),
        actor: actor.clone(),
        limit: 200,
    };
    let rows = match state.store.search_audit(&query).await {
        Ok(r) => r,
        Err(e) => return internal(&v, &e),
    };
    // The auditor's own reading is a use of the log, logged like any other.
    let logged = state
        .store
        .audit(&AuditEntry {
            log: AuditLog::Access,
            actor: format!("user:{}", session.principal.user_id),
            organisation: session.principal.organisation.clone(),
            person: person.clone(),
            purpose: "audit of the logs".to_owned(),
            legal_basis: None,
            detail: json!({"read": "audit log", "log": log.map(AuditLog::as_str), "actor": actor, "rows": rows.len()}),
            x_road: Default::default(),
        })
        .await;
    if let Err(e) = logged {
        return internal(&v, &e);
    }
    let tr = v.tr;
    let chain = match q.verify {
        None => None,
        Some(_) => match state.store.verify_audit().await {
            Ok(report) => Some(match report.first_break {
                None => tr.t1("audit-intact", "rows", &report.rows.to_string()),
                Some(b) => tr.t_with(
                    "audit-broken",
                    &[
                        ("row", b.seq.to_string().as_str()),
                        ("problem", b.problem.as_str()),
                    ],
                ),
            }),
            Err(e) => return internal(&v, &e),
        },
    };
    let rows = rows
        .into_iter()
        .map(|r| Row {
            seq: r.seq,
            at: jiff::Timestamp::from_microsecond(r.at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            log: tr.t(&format!("audit-log-{}", r.log)),
            actor: r.actor,
            person: r.person.unwrap_or_default(),
            purpose: r.purpose,
            legal_basis: r.legal_basis.unwrap_or_default(),
            client: r.x_road_client.unwrap_or_default(),
        })
        .collect();
    AuditPage {
        page: Page::of(&v),
        log: log.map(AuditLog::as_str).unwrap_or_default().to_owned(),
        person: person.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        logs: AuditLog::ALL
            .iter()
            .map(|l| {
                (
                    l.as_str().to_owned(),
                    tr.t(&format!("audit-log-{}", l.as_str())),
                )
            })
            .collect(),
        rows,
        chain,
    }
    .into_response()
}
