//! Auditors' pages: search the use, disclosure and decision logs by person or official,
//! and verify the hash chain (Information Management Act 17 §).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_audit::{Actor, AuditEntry, AuditLog, AuditQuery, AuditRow};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::frame::PageError;
use crate::guard::AuditorSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal};
use crate::text::{MAX_SHORT, typed};
use crate::visitor::{Session, Visitor};

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
    chain: Option<ChainView>,
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
) -> Result<Response, PageError> {
    let query = search(&v, q.log, q.person, q.actor)?;
    let rows = state
        .audit()
        .search(&query)
        .await
        .map_err(|e| internal(&v, &e))?;
    log_reading(&state, &session, &query, rows.len())
        .await
        .map_err(|e| internal(&v, &e))?;
    let tr = v.tr;
    // `verify=1` starts a check (or shows the one running); `verify=progress` looks again.
    let chain = match q.verify.as_deref() {
        None => None,
        Some(asked) => {
            match state
                .chain_checks
                .check(&state.audit(), asked != "progress")
            {
                None => None,
                Some(check) => {
                    check.wait(std::time::Duration::from_millis(400)).await;
                    Some(chain_view(tr, &check))
                }
            }
        }
    };
    let AuditQuery {
        log, person, actor, ..
    } = query;
    Ok(AuditPage {
        page: Page::of(&v),
        log: log.map(AuditLog::as_str).unwrap_or_default().to_owned(),
        person: person.unwrap_or_default(),
        actor: actor.map(|a| a.to_string()).unwrap_or_default(),
        logs: AuditLog::ALL
            .iter()
            .map(|l| {
                (
                    l.as_str().to_owned(),
                    tr.t(&format!("audit-log-{}", l.as_str())),
                )
            })
            .collect(),
        rows: {
            let names = crate::names::accounts_named(&state, rows.iter().map(|r| &r.actor))
                .await
                .map_err(|e| internal(&v, &e))?
                .into_iter()
                .map(|(id, p)| {
                    let shown = match p.organisation {
                        Some(org) => format!("{}, {org}", p.name),
                        None => p.name,
                    };
                    (id, shown)
                })
                .collect();
            let matter = |m: &str| crate::names::matter_title(&state, m, tr);
            rows.into_iter()
                .map(|r| row(tr, &names, &matter, r))
                .collect()
        },
        chain,
    }
    .into_response())
}

/// The search the form asks for: blank fields ask for nothing; a person or official
/// must be plain text (422 otherwise) and a log one of the logs (422, "not found").
fn search(
    v: &Visitor,
    log: Option<String>,
    person: Option<String>,
    actor: Option<String>,
) -> Result<AuditQuery, PageError> {
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (person, actor) = (nonempty(person), nonempty(actor));
    let (person_label, actor_label) = (v.tr.t("audit-person"), v.tr.t("audit-actor"));
    typed(
        v,
        &[
            (&person_label, person.as_deref().unwrap_or(""), MAX_SHORT),
            (&actor_label, actor.as_deref().unwrap_or(""), MAX_SHORT),
        ],
    )?;
    let unknown = || {
        PageError::from(error_page(
            v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-not-found",
        ))
    };
    let log = match nonempty(log).as_deref() {
        None => None,
        Some(name) => Some(AuditLog::parse(name).ok_or_else(unknown)?),
    };
    let actor = match actor {
        None => None,
        Some(a) => Some(a.parse::<Actor>().map_err(|_| unknown())?),
    };
    Ok(AuditQuery {
        log,
        person,
        actor,
        limit: 200,
    })
}

/// The auditor's own reading is a use of the log, logged like any other.
async fn log_reading(
    state: &WebState,
    session: &Session,
    query: &AuditQuery,
    rows: usize,
) -> Result<(), polku_cases::StoreError> {
    state.audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: Actor::User(session.principal.user_id),
            organisation: session.principal.organisation.clone(),
            person: query.person.clone(),
            purpose: "audit of the logs".to_owned(),
            legal_basis: None,
            detail: json!({"read": "audit log", "log": query.log.map(AuditLog::as_str), "actor": query.actor.as_ref().map(Actor::to_string), "rows": rows}),
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

/// The chain's check as the page shows it: how far it has come, or what it found.
pub(crate) struct ChainView {
    pub message: String,
    /// Still running: rows checked and rows in all, for the progress bar.
    pub running: Option<(i64, i64)>,
}

fn chain_view(tr: Tr, check: &crate::chain_checks::Check) -> ChainView {
    use std::sync::atomic::Ordering::Relaxed;
    let Some((outcome, at)) = check.ended() else {
        let (checked, total) = (
            check.progress.checked.load(Relaxed),
            check.progress.total.load(Relaxed),
        );
        return ChainView {
            message: tr.t_with(
                "audit-verifying",
                &[
                    ("checked", &crate::plain::number(checked as f64, tr.lang)),
                    ("total", &crate::plain::number(total as f64, tr.lang)),
                ],
            ),
            running: Some((checked, total.max(checked))),
        };
    };
    let when = crate::plain::moment(at, tr.lang);
    let message = match outcome {
        Err(_) => tr.t("audit-verify-failed"),
        Ok(report) => match report.first_break {
            None => tr.t_with(
                "audit-intact",
                &[
                    ("rows", &crate::plain::number(report.rows as f64, tr.lang)),
                    ("at", &when),
                ],
            ),
            Some(b) => tr.t_with(
                "audit-broken",
                &[
                    ("row", &crate::plain::number(b.seq as f64, tr.lang)),
                    ("problem", &problem_text(tr, &b.problem)),
                    ("at", &when),
                ],
            ),
        },
    };
    ChainView {
        message,
        running: None,
    }
}

/// What is wrong at a break, in the reader's language.
fn problem_text(tr: Tr, p: &polku_audit::ChainProblem) -> String {
    use polku_audit::ChainProblem as P;
    match p {
        P::Missing { expected, .. } => tr.t1("audit-problem-missing", "row", &expected.to_string()),
        P::NotALog(_) => tr.t("audit-problem-log"),
        P::NoActor(_) => tr.t("audit-problem-actor"),
        P::PreviousHash => tr.t("audit-problem-previous"),
        P::Changed => tr.t("audit-problem-changed"),
        P::Truncated { rows, head } => tr.t_with(
            "audit-problem-truncated",
            &[("rows", &rows.to_string()), ("head", &head.to_string())],
        ),
    }
}

/// Who did it, in words: an official or system by name and organisation, the machine,
/// a person acting for themselves, an operator at the command line, or an address.
fn actor_text(tr: Tr, names: &std::collections::HashMap<uuid::Uuid, String>, a: &Actor) -> String {
    match a {
        Actor::Machine => tr.t("audit-actor-machine"),
        Actor::User(id) => names
            .get(id)
            .cloned()
            .unwrap_or_else(|| tr.t("audit-actor-removed")),
        Actor::Person(id) => tr.t1("audit-actor-person", "id", id),
        Actor::Operator(name) => tr.t1("audit-actor-operator", "name", name),
        Actor::Client(address) => tr.t1("audit-actor-client", "address", address),
    }
}

/// One entry of a log as the page shows it.
fn row(
    tr: Tr,
    names: &std::collections::HashMap<uuid::Uuid, String>,
    matter: &dyn Fn(&str) -> String,
    r: AuditRow,
) -> Row {
    let log = tr.t(&format!("audit-log-{}", r.log.as_str()));
    Row {
        seq: r.seq,
        at: crate::plain::micros(r.at, tr.lang),
        // A disclosure names the register it came from (or the organisation it went to).
        log: match (&r.log, &r.organisation) {
            (AuditLog::Disclosure, Some(org)) => {
                format!("{log}: {}", crate::reasons::register_name(tr, org))
            }
            _ => log,
        },
        actor: actor_text(tr, names, &r.actor),
        person: r.person.unwrap_or_default(),
        purpose: evidence_purpose(tr, matter, &r.purpose)
            .unwrap_or_else(|| crate::plain::purpose(&r.purpose, tr)),
        legal_basis: r
            .legal_basis
            .map(|b| crate::plain::legal_basis(&b, tr.lang))
            .unwrap_or_default(),
        client: r.x_road_client.unwrap_or_default(),
    }
}

/// The evidence source's purpose, `evidence for case {id} ({matter})`, in the reader's
/// words with the matter's title; `None` for any other purpose.
fn evidence_purpose(tr: Tr, matter: &dyn Fn(&str) -> String, recorded: &str) -> Option<String> {
    // A preview's disclosures: the purpose, then the matter.
    if let Some(m) = recorded
        .strip_prefix("eligibility preview at the person's own request (e-service) (")
        .and_then(|m| m.strip_suffix(')'))
    {
        return Some(tr.t1("purpose-preview-of", "matter", &matter(m)));
    }
    let rest = recorded.strip_prefix("evidence for case ")?;
    let (case, m) = rest.split_once(" (")?;
    let m = m.strip_suffix(')')?;
    Some(tr.t_with(
        "purpose-evidence-for-case",
        &[("case", case), ("matter", matter(m).as_str())],
    ))
}
