//! The handlers' monitoring pages ("jälkivalvonta"): the alerts queue — a watched condition
//! of a granted permit that stopped holding — in its stated order (oldest first), filtered
//! by state, matter and condition, with the total and paging; and an alert with its trace
//! (the values, the register each came from and when, the figures, the legal basis for
//! processing and for re-examination), its history, and the forms to confirm it (a
//! re-examination case opens) or dismiss it, each with reasons. Every page that shows a
//! holder's data is in the use log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_audit::Actor;
use polku_monitoring::{Alert, AlertFilter, AlertState, HOLDS_AGAIN, MonitorError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{CarriesCsrf, Page, PageError, bad_input, error_page, internal, posted};
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::pages::matter_title;
use crate::plain;
use crate::text::{MAX_REASONS, MAX_SHORT, plain_text, problem, typed};
use crate::visitor::{Session, Visitor};

/// Alerts on one page of the queue.
pub(crate) const PAGE_SIZE: u32 = 25;

/// An alert's state in words.
pub(crate) fn state_label(tr: Tr, state: AlertState) -> String {
    tr.t(&format!("mon-state-{}", state.code()))
}

/// The watched condition of an alert in plain words, in the reader's language.
fn condition_text(tr: Tr, alert: &Alert) -> String {
    let trace = alert.trace.get(tr.lang);
    trace
        .conditions
        .iter()
        .find(|c| c.id == alert.condition)
        .or_else(|| trace.conditions.first())
        .map_or_else(|| tr.t("mon-condition-unnamed"), |c| c.text.clone())
}

struct AlertRow {
    id: Uuid,
    holder: String,
    permit_kind: String,
    condition: String,
    since: String,
    state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "alerts.html")]
struct AlertsPage {
    page: Page,
    states: Vec<(String, String)>,
    state: String,
    matters: Vec<(String, String)>,
    matter: String,
    conditions: Vec<(String, String)>,
    condition: String,
    /// "25 alerts", or "Alerts 26–30 of 30".
    summary: String,
    rows: Vec<AlertRow>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct AlertsQuery {
    state: Option<String>,
    matter: Option<String>,
    condition: Option<String>,
    page: Option<String>,
}

/// A filter's choices: each value with its label in the reader's words.
type Choices = Vec<(String, String)>;

/// The matters whose permits are watched, and the watched conditions, in the reader's
/// words (the monitoring rule sets in force today).
fn choices(state: &WebState, tr: Tr) -> (Choices, Choices) {
    let book = state.rules.today();
    let mut matters: Choices = Vec::new();
    let mut conditions: Choices = Vec::new();
    for set in book.monitoring_sets() {
        for m in set.monitoring.iter().flat_map(|m| m.permits_of.iter()) {
            if !matters.iter().any(|(id, _)| id == m) {
                matters.push((m.clone(), matter_title(state, m, tr)));
            }
        }
        for c in &set.conditions {
            if !conditions.iter().any(|(id, _)| *id == c.id) {
                conditions.push((c.id.clone(), c.text.get(tr.lang).to_owned()));
            }
        }
    }
    (matters, conditions)
}

/// `GET /work/alerts`: the alerts in a state (open unless asked), oldest first, a page at
/// a time, with the total the filter finds.
pub async fn alerts(
    State(state): State<WebState>,
    Query(q): Query<AlertsQuery>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let (matter, condition) = (nonempty(q.matter), nonempty(q.condition));
    let matter_label = v.tr.t("mon-filter-matter");
    let condition_label = v.tr.t("mon-filter-condition");
    typed(
        &v,
        &[
            (&matter_label, matter.as_deref().unwrap_or(""), MAX_SHORT),
            (
                &condition_label,
                condition.as_deref().unwrap_or(""),
                MAX_SHORT,
            ),
        ],
    )?;
    let wanted = match nonempty(q.state) {
        None => AlertState::Open,
        Some(s) => {
            AlertState::parse(&s).ok_or_else(|| bad_input(&v, &v.tr.t("mon-filter-state")))?
        }
    };
    let number = match nonempty(q.page) {
        None => 1,
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| bad_input(&v, &v.tr.t("mon-page-number")))?,
    };
    let filter = AlertFilter {
        state: wanted,
        matter: matter.clone(),
        condition: condition.clone(),
    };
    let offset = (number - 1) * u64::from(PAGE_SIZE);
    let found = state
        .monitor
        .alert_page(&filter, offset, PAGE_SIZE)
        .await
        .map_err(|e| internal(&v, &e))?;
    let holders: Vec<&str> = found.alerts.iter().map(|a| a.person.as_str()).collect();
    if !holders.is_empty() {
        crate::use_log::holders_read(
            &state,
            &session,
            None,
            "monitoring alerts listed for handling",
            json!({ "read": "alerts", "alerts": holders.len(), "persons": holders }),
        )
        .await
        .map_err(|e| internal(&v, &e))?;
    }
    let tr = v.tr;
    let rows: Vec<AlertRow> = found
        .alerts
        .iter()
        .map(|a| AlertRow {
            id: a.id,
            holder: a.person.clone(),
            permit_kind: matter_title(&state, &a.matter, tr),
            condition: condition_text(tr, a),
            since: plain::micros(a.opened_at, tr.lang),
            state: state_label(tr, a.state),
        })
        .collect();
    let first = offset + 1;
    let last = offset + rows.len() as u64;
    // Counts as the reader writes them: fi/sv "1 234", en "1,234".
    let n = |x: u64| crate::plain::number(x as f64, tr.lang);
    let summary = if found.total == 0 {
        tr.t("mon-alerts-none")
    } else if rows.is_empty() {
        tr.t1("mon-alerts-beyond", "total", &n(found.total))
    } else {
        tr.t_with(
            "mon-alerts-showing",
            &[
                ("first", n(first).as_str()),
                ("last", n(last).as_str()),
                ("total", n(found.total).as_str()),
            ],
        )
    };
    let link = |page: u64| {
        let mut url = format!("/work/alerts?state={}", wanted.code());
        if let Some(m) = &matter {
            url.push_str(&format!("&matter={}", crate::plain::query_value(m)));
        }
        if let Some(c) = &condition {
            url.push_str(&format!("&condition={}", crate::plain::query_value(c)));
        }
        url.push_str(&format!("&page={page}"));
        url
    };
    let (matters, conditions) = choices(&state, tr);
    let previous = (number > 1).then(|| link(number - 1));
    let next = (last < found.total).then(|| link(number + 1));
    Ok(AlertsPage {
        page: Page::of(&v),
        states: AlertState::ALL
            .into_iter()
            .map(|s| (s.code().to_owned(), state_label(tr, s)))
            .collect(),
        state: wanted.code().to_owned(),
        matters,
        matter: matter.unwrap_or_default(),
        conditions,
        condition: condition.unwrap_or_default(),
        summary,
        rows,
        previous,
        next,
    }
    .into_response())
}

/// One value the condition read, in words.
struct TraceValue {
    name: String,
    value: String,
    /// The register it came from, and when.
    source: String,
}

/// One figure the condition compared with, and where it comes from.
struct Figure {
    value: String,
    source: String,
}

struct HistoryLine {
    at: String,
    what: String,
    reasons: Option<String>,
}

/// A form on the alert page that was refused, and why.
#[derive(Default)]
struct Refused {
    /// `confirm` or `dismiss`: the form the message belongs to.
    form: &'static str,
    message: String,
    reasons: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "alert.html")]
struct AlertView {
    page: Page,
    id: Uuid,
    holder: String,
    permit_kind: String,
    condition: String,
    legal_basis: String,
    explanation: String,
    found_on: String,
    rule_set: String,
    values: Vec<TraceValue>,
    figures: Vec<Figure>,
    processing_basis: String,
    reexamination_basis: String,
    state: String,
    open: bool,
    case: Option<Uuid>,
    history: Vec<HistoryLine>,
    notice: Option<String>,
    refused: Refused,
}

#[derive(Deserialize)]
pub struct AlertQuery {
    done: Option<String>,
}

/// `GET /work/alerts/{id}`: the alert, its trace and history, and what a person can do.
pub async fn alert(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Query(q): Query<AlertQuery>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found")))?;
    let notice = match q.done.as_deref() {
        Some("confirmed") => Some(v.tr.t("mon-confirmed")),
        Some("dismissed") => Some(v.tr.t("mon-dismissed")),
        _ => None,
    };
    show_alert(
        &state,
        &v,
        &session,
        id,
        StatusCode::OK,
        notice,
        Refused::default(),
    )
    .await
}

/// Who did something to an alert, by name where they have one.
async fn who(state: &WebState, tr: Tr, actor: &Actor) -> String {
    match actor {
        Actor::Machine => tr.t("mon-by-machine"),
        Actor::User(user) => match state.access().principal_of(*user).await {
            Ok(Some(p)) => p.name,
            _ => tr.t("mon-by-official"),
        },
        Actor::Operator(_) | Actor::Person(_) | Actor::Client(_) => tr.t("mon-by-official"),
    }
}

async fn show_alert(
    state: &WebState,
    v: &Visitor,
    session: &Session,
    id: Uuid,
    status: StatusCode,
    notice: Option<String>,
    refused: Refused,
) -> Result<Response, PageError> {
    let alert = match state.monitor.alert(id).await {
        Ok(a) => a,
        Err(MonitorError::NoSuchAlert(_)) => {
            return Err(error_page(v, StatusCode::NOT_FOUND, "error-not-found").into());
        }
        Err(e) => return Err(internal(v, &e).into()),
    };
    crate::use_log::holders_read(
        state,
        session,
        Some(&alert.person),
        "monitoring alert read for handling",
        json!({ "read": "alert", "alert": alert.id, "permit": alert.permit }),
    )
    .await
    .map_err(|e| internal(v, &e))?;
    let tr = v.tr;
    let lang = tr.lang;
    let trace = alert.trace.get(lang);
    let finding = trace
        .conditions
        .iter()
        .find(|c| c.id == alert.condition)
        .or_else(|| trace.conditions.first());
    let values = finding
        .map(|c| {
            c.inputs
                .iter()
                .map(|i| TraceValue {
                    name: plain::field(&i.path, tr),
                    value: plain::value(&i.value, tr),
                    source: match (&i.source, &i.fetched_at) {
                        (Some(s), Some(at)) => tr.t_with(
                            "mon-source-at",
                            &[("source", s.as_str()), ("at", &plain::stamped(at, lang))],
                        ),
                        (Some(s), None) => s.clone(),
                        (None, _) => tr.t("mon-source-none"),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let figures = finding
        .map(|c| {
            trace
                .parameters
                .iter()
                .filter(|p| c.parameters.contains(&p.name))
                .map(|p| Figure {
                    value: figure(&p.value, p.unit.as_deref(), tr),
                    source: tr.t_with(
                        "mon-figure-source",
                        &[
                            ("source", p.source.as_str()),
                            ("from", &plain::stamped(&p.in_force_from, lang)),
                        ],
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    let book = state.rules.today();
    let rule_set = book.get(&alert.rule_set);
    let monitoring = rule_set.and_then(|rs| rs.monitoring.as_ref());
    let mut history = vec![HistoryLine {
        at: plain::micros(alert.opened_at, lang),
        what: tr.t1(
            "mon-history-opened",
            "day",
            &plain::stamped(&alert.checked_on, lang),
        ),
        reasons: None,
    }];
    if let Some(at) = alert.closed_at {
        let by = match &alert.closed_by {
            Some(a) => who(state, tr, a).await,
            None => tr.t("mon-by-machine"),
        };
        let (what, reasons) = match alert.state {
            AlertState::Confirmed => (
                tr.t1("mon-history-confirmed", "name", &by),
                alert.close_reason.clone(),
            ),
            AlertState::Dismissed => (
                tr.t1("mon-history-dismissed", "name", &by),
                alert.close_reason.clone(),
            ),
            AlertState::Closed | AlertState::Open => (
                tr.t("mon-history-closed"),
                alert.close_reason.clone().filter(|r| r != HOLDS_AGAIN),
            ),
        };
        history.push(HistoryLine {
            at: plain::micros(at, lang),
            what,
            reasons,
        });
    }
    let view = AlertView {
        page: Page::of(v),
        id: alert.id,
        holder: alert.person.clone(),
        permit_kind: matter_title(state, &alert.matter, tr),
        condition: condition_text(tr, &alert),
        legal_basis: finding
            .map(|c| plain::legal_basis(&c.legal_basis, lang))
            .unwrap_or_default(),
        explanation: finding.map(|c| c.explanation.clone()).unwrap_or_default(),
        found_on: plain::stamped(&alert.checked_on, lang),
        rule_set: rule_set.map_or_else(|| trace.title.clone(), |rs| rs.title.get(lang).to_owned()),
        values,
        figures,
        processing_basis: monitoring
            .map(|m| plain::legal_basis(&m.processing_basis, lang))
            .unwrap_or_else(|| plain::legal_basis(polku_monitoring::PROCESSING_BASIS, lang)),
        reexamination_basis: monitoring
            .map(|m| plain::legal_basis(&m.reexamination_basis, lang))
            .unwrap_or_default(),
        state: state_label(tr, alert.state),
        open: alert.state == AlertState::Open,
        case: alert.reexamination_case,
        history,
        notice,
        refused,
    };
    Ok((status, view).into_response())
}

/// A figure with its unit: the euro sign stays in every language; the rest of a unit is
/// the rule file's English, shown on the English page only.
fn figure(value: &serde_json::Value, unit: Option<&str>, tr: Tr) -> String {
    let shown = plain::value(value, tr);
    match unit {
        Some(u) if tr.lang == polku_rules::Lang::En => format!("{shown} {u}"),
        Some(u) if u.starts_with('€') => format!("{shown} €"),
        _ => shown,
    }
}

#[derive(Deserialize)]
pub struct ReasonsForm {
    csrf: String,
    #[serde(default)]
    reasons: String,
}

impl CarriesCsrf for ReasonsForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// What a person does with an alert.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Act {
    Confirm,
    Dismiss,
}

impl Act {
    fn form(self) -> &'static str {
        match self {
            Act::Confirm => "confirm",
            Act::Dismiss => "dismiss",
        }
    }
}

/// `POST /work/alerts/{id}/confirmation`: a re-examination case of the permit opens (once).
pub async fn confirm(
    State(state): State<WebState>,
    Path(id): Path<String>,
    guard: HandlerSession,
    form: Result<Form<ReasonsForm>, FormRejection>,
) -> Result<Response, PageError> {
    act(&state, id, guard, form, Act::Confirm).await
}

/// `POST /work/alerts/{id}/dismissal`: the alert needs nothing more, with the reasons why.
pub async fn dismiss(
    State(state): State<WebState>,
    Path(id): Path<String>,
    guard: HandlerSession,
    form: Result<Form<ReasonsForm>, FormRejection>,
) -> Result<Response, PageError> {
    act(&state, id, guard, form, Act::Dismiss).await
}

async fn act(
    state: &WebState,
    id: String,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<ReasonsForm>, FormRejection>,
    act: Act,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let refuse = |status: StatusCode, message: String| {
        show_alert(
            state,
            &v,
            &session,
            id,
            status,
            None,
            Refused {
                form: act.form(),
                message,
                reasons: form.reasons.clone(),
            },
        )
    };
    let label = v.tr.t("mon-reasons");
    if let Err(e) = plain_text(&form.reasons, MAX_REASONS) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, problem(&v, &label, e)).await;
    }
    if form.reasons.trim().is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            v.tr.t(match act {
                Act::Confirm => "mon-confirm-no-reasons",
                Act::Dismiss => "mon-dismiss-no-reasons",
            }),
        )
        .await;
    }
    let actor = Actor::User(session.principal.user_id);
    let done = match act {
        Act::Confirm => state
            .monitor
            .confirm(id, &actor, &form.reasons)
            .await
            .map(|_| "confirmed"),
        Act::Dismiss => state
            .monitor
            .dismiss(id, &actor, &form.reasons)
            .await
            .map(|()| "dismissed"),
    };
    match done {
        Ok(done) => Ok(Redirect::to(&format!("/work/alerts/{id}?done={done}")).into_response()),
        Err(MonitorError::NoSuchAlert(_)) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(MonitorError::NotOpen { state: now, .. }) => {
            let message = v.tr.t1("mon-not-open", "state", &state_label(v.tr, now));
            refuse(StatusCode::CONFLICT, message).await
        }
        Err(MonitorError::NoReasons) => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                v.tr.t("mon-confirm-no-reasons"),
            )
            .await
        }
        Err(e) => Err(internal(&v, &e).into()),
    }
}

/// How many alerts are open, for the workbench's link.
pub(crate) async fn open_count(state: &WebState) -> Result<u64, MonitorError> {
    Ok(state
        .monitor
        .alert_page(&AlertFilter::open(), 0, 1)
        .await?
        .total)
}
