//! Auditors' pages: search the use, disclosure and decision logs by person or official,
//! and verify the hash chain (Information Management Act 17 §).

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_audit::{Actor, AuditEntry, AuditLog, AuditQuery, AuditRow};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::frame::{PageError, bad_input};
use crate::guard::AuditorSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal};
use crate::text::{MAX_SHORT, typed};
use crate::visitor::{Session, Visitor};

/// Rows on one page of the logs.
const PAGE_SIZE: i64 = 50;

/// The population register's search as the auditors' page asks it: who is known by these
/// words (names, or a personal identity code). Object-safe, so the binary hands in the
/// registers it asks; every search is logged as a use and each person found as a disclosure.
pub trait PersonLookup: Send + Sync {
    fn find<'a>(
        &'a self,
        words: &'a str,
        official: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<FoundPersons, LookupError>> + Send + 'a>>;
}

/// One person the register found.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPerson {
    /// The person id the logs record.
    pub person: String,
    /// Given names and family name, in Latin letters.
    pub name: String,
    /// The name in the native script, where the register keeps it.
    pub native: Option<String>,
    /// `YYYY-MM-DD`, `00` for an unknown month or day.
    pub born: String,
    pub identity_code: Option<String>,
}

/// What a search found, and where from.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPersons {
    pub persons: Vec<FoundPerson>,
    /// More matched than the register answers with.
    pub more: bool,
    /// The register, by name, and the exchange's message id.
    pub register: String,
    pub request_id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the population register did not answer the search: {0}")]
pub struct LookupError(pub String);

/// The use log's purpose of a search, and its legal basis (the duty to follow the logs).
const SEARCH_PURPOSE: &str = "person search for an audit of the logs";
const SEARCH_BASIS: &str = "tiedonhallintalaki 17 §";

/// A person found, as the page lists them.
struct Found {
    name: String,
    native: Option<String>,
    born: String,
    identity_code: String,
    href: String,
}

/// What came of looking a person up by name or code.
struct Lookup {
    /// Who the logs below are of (one person found), or what to do.
    message: String,
    /// Several found: choose one.
    choices: Vec<Found>,
}

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
    lookup: Option<Lookup>,
    /// The next page's link (older entries), when there are more.
    older: Option<String>,
    /// Back to the newest entries, when this page is not the first.
    newest: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditForm {
    log: Option<String>,
    person: Option<String>,
    actor: Option<String>,
    verify: Option<String>,
    /// Entries older than this one (the next page); read here, so a wrong one is a page
    /// that says what to do, not the framework's plain-text refusal.
    before: Option<String>,
}

/// `GET /audit`: the logs, newest first, filtered; `?verify=1` checks the whole chain.
pub async fn audit(
    State(state): State<WebState>,
    Query(q): Query<AuditForm>,
    AuditorSession { v, session, .. }: AuditorSession,
) -> Result<Response, PageError> {
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => Some(
            b.parse::<i64>()
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| bad_input(&v, &v.tr.t("audit-before")))?,
        ),
    };
    let mut query = search(&v, q.log, q.person, q.actor)?;
    let tr = v.tr;
    let typed_person = query.person.clone().unwrap_or_default();
    // A name or an identity code is looked up in the population register first; the logs
    // record person ids.
    let (lookup, nobody) = match query.person.take() {
        Some(words) if is_name_or_code(&words) => {
            let (lookup, person) = look_up(&state, &session, tr, &words)
                .await
                .map_err(|e| internal(&v, &e))?;
            // Nobody (or several) found: no rows until one person is chosen.
            let nobody = person.is_none();
            query.person = person;
            (Some(lookup), nobody)
        }
        person => {
            query.person = person;
            (None, false)
        }
    };
    let rows = if nobody {
        Vec::new()
    } else {
        state
            .audit()
            .search_before(&query, before)
            .await
            .map_err(|e| internal(&v, &e))?
    };
    log_reading(&state, &session, &query, rows.len())
        .await
        .map_err(|e| internal(&v, &e))?;
    let link = |before: Option<i64>| {
        let mut l = format!(
            "/audit?log={}&person={}&actor={}",
            crate::plain::query_value(query.log.map(AuditLog::as_str).unwrap_or_default()),
            crate::plain::query_value(&typed_person),
            crate::plain::query_value(
                &query
                    .actor
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            ),
        );
        if let Some(b) = before {
            l.push_str(&format!("&before={b}"));
        }
        l
    };
    let older = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| link(Some(r.seq))))
        .flatten();
    let newest = before.is_some().then(|| link(None));
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
    let AuditQuery { log, actor, .. } = query;
    Ok(AuditPage {
        page: Page::of(&v),
        log: log.map(AuditLog::as_str).unwrap_or_default().to_owned(),
        person: typed_person,
        lookup,
        older,
        newest,
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
        limit: PAGE_SIZE,
    })
}

/// Words that name a person rather than give their id: letters and spaces (a name), or a
/// Finnish personal identity code (`DDMMYY`, a century sign, three digits, a check).
fn is_name_or_code(words: &str) -> bool {
    let w = words.trim();
    let code = w.len() == 11
        && w.is_char_boundary(6)
        && w[..6].bytes().all(|b| b.is_ascii_digit())
        && w.is_char_boundary(7)
        && w[7..10].bytes().all(|b| b.is_ascii_digit());
    let name = w.chars().any(char::is_alphabetic)
        && w.chars()
            .all(|c| c.is_alphabetic() || c.is_whitespace() || matches!(c, '-' | '\'' | ',' | '.'))
        // A person id is one word with a hyphen and digits (`sim-0000042`): not a name.
        && !w.chars().any(|c| c.is_ascii_digit());
    code || name
}

/// Looks `words` up in the population register, logs the search and each person found,
/// and says what came of it; the person's id when exactly one was found.
async fn look_up(
    state: &WebState,
    session: &Session,
    tr: Tr,
    words: &str,
) -> Result<(Lookup, Option<String>), polku_cases::StoreError> {
    let said = |message: String| Lookup {
        message,
        choices: Vec::new(),
    };
    let Some(register) = state.person_lookup.as_ref() else {
        return Ok((said(tr.t("audit-lookup-none-here")), None));
    };
    let official = session.principal.user_id.to_string();
    let found = match register.find(words, &official).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "person search for an audit failed");
            return Ok((said(tr.t("audit-lookup-failed")), None));
        }
    };
    let audit = state.audit();
    let actor = Actor::User(session.principal.user_id);
    audit
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: actor.clone(),
            organisation: session.principal.organisation.clone(),
            person: None,
            purpose: SEARCH_PURPOSE.to_owned(),
            legal_basis: Some(SEARCH_BASIS.to_owned()),
            detail: json!({"searched": words, "found": found.persons.len(), "more": found.more}),
            x_road: Default::default(),
        })
        .await?;
    for p in &found.persons {
        audit
            .append(&AuditEntry {
                log: AuditLog::Disclosure,
                actor: actor.clone(),
                organisation: Some(found.register.clone()),
                person: Some(p.person.clone()),
                purpose: SEARCH_PURPOSE.to_owned(),
                legal_basis: Some(SEARCH_BASIS.to_owned()),
                detail: json!({"direction": "received", "request_id": found.request_id}),
                x_road: Default::default(),
            })
            .await?;
    }
    let born = |p: &FoundPerson| {
        jiff::civil::Date::strptime("%Y-%m-%d", &p.born)
            .map(|d| crate::plain::date(d, tr.lang))
            .unwrap_or_else(|_| p.born.replace("-00", ""))
    };
    Ok(match found.persons.as_slice() {
        [] => (said(tr.t("audit-lookup-nobody")), None),
        [p] => (
            said(tr.t_with(
                "audit-lookup-one",
                &[("name", p.name.as_str()), ("born", &born(p))],
            )),
            Some(p.person.clone()),
        ),
        many => (
            Lookup {
                message: tr.t(if found.more {
                    "audit-lookup-more"
                } else {
                    "audit-lookup-many"
                }),
                choices: many
                    .iter()
                    .map(|p| Found {
                        name: p.name.clone(),
                        native: p.native.clone(),
                        born: born(p),
                        identity_code: p.identity_code.clone().unwrap_or_default(),
                        href: format!("/audit?person={}", crate::plain::query_value(&p.person)),
                    })
                    .collect(),
            },
            None,
        ),
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
