//! Officials' pages: sign-in with a username and password, and the case handler's
//! workbench — the queue in its stated order, a case with every finding of the machine
//! (status, legal basis, the values and the evidence with its source and time), claiming
//! a case and deciding it with reasons.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use polku_access::Role;
use polku_audit::{Actor, AuditEntry, AuditLog};
use polku_cases::{Case, CaseError, CaseEvent, CaseState, Decision, HandlingError, HumanOutcome};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

use crate::WebState;
use crate::frame::{PageError, bad_input, posted};
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::pages::{
    DecisionRow, Page, Reader, SESSION_HOURS, decision_row, error_page, internal, matter_title,
    state_label,
};
use crate::security::Origin;
use crate::text::{MAX_REASONS, typed};
use crate::throttle::{Attempt, MAX_USERNAME};
use crate::visitor::{PRE_CSRF_COOKIE, SESSION_COOKIE, Session, Visitor, with_cookie};

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
struct SignIn {
    page: Page,
    csrf: String,
    /// Why the last attempt did not sign in.
    notice: Option<String>,
}

/// The sign-in form with `status` and a `notice`, with a fresh double-submit CSRF token.
fn sign_in_form(v: &Visitor, status: StatusCode, notice: Option<String>) -> Response {
    let csrf = match polku_access::random_token("") {
        Ok(t) => t,
        Err(e) => return internal(v, &e),
    };
    with_cookie(
        (
            status,
            SignIn {
                page: Page::of(v),
                csrf: csrf.clone(),
                notice,
            },
        )
            .into_response(),
        PRE_CSRF_COOKIE,
        &csrf,
        3600,
    )
}

/// `GET /sign-in`.
pub async fn sign_in_page(v: Visitor) -> Response {
    sign_in_form(&v, StatusCode::OK, None)
}

/// Too many failures for the username or from the address: 429, and when to try again.
fn wait_to_sign_in(v: &Visitor, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let notice = v.tr.t1("sign-in-wait", "seconds", &seconds.to_string());
    let mut response = sign_in_form(v, StatusCode::TOO_MANY_REQUESTS, Some(notice));
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Every [`FREE_FAILURES`](crate::throttle::FREE_FAILURES)th failure for a username or
/// from an address goes to the audit chain.
async fn log_repeated_failure(
    state: &WebState,
    username: &str,
    origin: Origin,
    attempt: &Attempt,
) -> Result<(), polku_cases::StoreError> {
    let address = origin
        .address
        .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let username: String = username.chars().take(MAX_USERNAME).collect();
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: Actor::Client(address.to_string()),
            organisation: None,
            person: None,
            purpose: "repeated failed sign-in".to_owned(),
            legal_basis: None,
            detail: json!({
                "username": username,
                "address": address,
                "failures_for_username": attempt.username_failures,
                "failures_from_address": attempt.address_failures,
            }),
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

#[derive(Deserialize)]
pub struct SignInForm {
    csrf: String,
    username: String,
    password: String,
}

/// `POST /sign-in`: an official's session starts when the password is theirs. After
/// repeated failures for the username or from the address, the next attempt must wait
/// ([`crate::throttle`]).
pub async fn sign_in(
    State(state): State<WebState>,
    v: Visitor,
    origin: Origin,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(&v, StatusCode::BAD_REQUEST, "error-csrf");
    };
    if v.pre_csrf.as_deref() != Some(form.csrf.as_str()) {
        return error_page(&v, StatusCode::FORBIDDEN, "error-csrf");
    }
    let label = v.tr.t("sign-in-username");
    if let Err(refused) = typed(&v, &[(&label, &form.username, MAX_USERNAME)]) {
        return refused.into_response();
    }
    let attempt = match state
        .sign_ins
        .begin(&form.username, origin.address, Instant::now())
    {
        Ok(a) => a,
        Err(wait) => {
            tracing::warn!(username = ?form.username, address = ?origin.address, "a sign-in must wait after repeated failures");
            return wait_to_sign_in(&v, wait);
        }
    };
    let user = match state
        .access()
        .check_password(&form.username, &form.password)
        .await
    {
        Ok(Some(user)) => {
            state.sign_ins.succeeded(attempt, Instant::now());
            user
        }
        Ok(None) => {
            tracing::warn!(username = ?form.username, address = ?origin.address, "a sign-in failed");
            if attempt.repeated()
                && let Err(e) = log_repeated_failure(&state, &form.username, origin, &attempt).await
            {
                return internal(&v, &e);
            }
            let notice = v.tr.t("sign-in-failed");
            return sign_in_form(&v, StatusCode::UNAUTHORIZED, Some(notice));
        }
        Err(e) => {
            state.sign_ins.abandoned(attempt, Instant::now());
            return internal(&v, &e);
        }
    };
    let home = match state.access().principal_of(user).await {
        Ok(Some(p)) if matches!(p.role, Role::Analyst | Role::Administrator) => "/dashboard",
        Ok(Some(p)) if p.role == Role::Auditor => "/audit",
        Ok(Some(p)) if p.role == Role::LabourInspector => "/inspect/employers",
        Ok(Some(p)) if p.role == Role::SecurityLiaison => "/liaison/flags",
        Ok(_) => "/work",
        Err(e) => return internal(&v, &e),
    };
    match state.sessions().start(user, SESSION_HOURS).await {
        Ok((token, _)) => with_cookie(
            Redirect::to(home).into_response(),
            SESSION_COOKIE,
            &token,
            SESSION_HOURS * 3600,
        ),
        Err(e) => internal(&v, &e),
    }
}

fn actor(s: &Session) -> Actor {
    Actor::User(s.principal.user_id)
}

#[derive(Template, WebTemplate)]
#[template(path = "work_case.html")]
struct WorkCase {
    page: Page,
    id: Uuid,
    matter: String,
    state: String,
    filed: String,
    deadline: String,
    decisions: Vec<DecisionRow>,
    history: Vec<String>,
    waiting: bool,
    assigned_to_me: bool,
    assigned_to_other: bool,
    outcomes: Vec<(String, String)>,
    suggested_reasons: String,
    decided: bool,
    /// A re-examination of a granted permit: the alert that opened it, the holder's answers.
    reexamination: Option<crate::reexamination::HandlerSection>,
    /// Whom the case is about.
    person: String,
    /// The same, as a link's query value.
    person_query: String,
    /// The person's identity in the identity register, and what waits there.
    identity: Option<(String, String)>,
    /// The flags in force on the person, each in a line naming its contact point; `None`:
    /// no person resolved, so none can be read.
    flags: Option<Vec<String>>,
    /// The applicant's latest request for rectification, in their words, and when.
    rectification: Option<(String, String)>,
    /// What was asked of the applicant, newest first, with their answers.
    requests: Vec<crate::requests::RequestSection>,
    /// The reader is the applicant (no: the requests' template is shared).
    applicant: bool,
    /// The handler holds a referred case: they may ask the applicant or hear them.
    can_ask: bool,
    /// The days a handler may give for an answer, and the default.
    answer_days: (i16, i16, i16),
    asked: bool,
    /// What the applicant was told: (when, what, how).
    notifications: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct WorkCaseQuery {
    decided: Option<String>,
    asked: Option<String>,
}

/// `GET /work/cases/{id}`: everything the machine found, and the forms to decide.
pub async fn work_case(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Query(q): Query<WorkCaseQuery>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let not_found = || PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let file = case_file(&state, id).await.map_err(|e| match e {
        CaseError::NotFound(_) => not_found(),
        e => internal(&v, &e).into(),
    })?;
    log_case_read(&state, &session, &file.case)
        .await
        .map_err(|e| internal(&v, &e))?;
    let tr = v.tr;
    let reexamination = crate::reexamination::handler_section(&state, &session, &file.case, tr)
        .await
        .map_err(|e| internal(&v, &e))?;
    let me = actor(&session);
    let requests = crate::requests::sections(
        &state,
        tr,
        &file.case,
        &file.decisions,
        Reader::Official,
        &format!("/work/cases/{id}"),
    )
    .await
    .map_err(|e| internal(&v, &e))?;
    let notifications = crate::contact::for_case(&state, id, tr)
        .await
        .map_err(|e| internal(&v, &e))?;
    let identity = match &state.persons {
        Some(persons) => match persons
            .standing_of_subject(&file.case.applicant_id)
            .await
            .map_err(|e| internal(&v, &e))?
        {
            Some(s) => {
                let n = |x: u32| crate::plain::number(f64::from(x), tr.lang);
                let said = match (s.open, s.red) {
                    (0, 0) => tr.t("identity-standing-clear"),
                    (open, 0) => tr.t1("identity-standing-open", "open", &n(open)),
                    (_, red) => tr.t1("identity-standing-red", "red", &n(red)),
                };
                Some((s.person.to_string(), said))
            }
            None => None,
        },
        None => None,
    };
    let flags = match (&state.persons, file.case.person_id) {
        (Some(persons), Some(person)) => Some(
            crate::exchange::flag_lines(&state, persons, person, session.principal.user_id, tr)
                .await
                .map_err(|e| internal(&v, &e))?,
        ),
        _ => None,
    };
    // A request whose deadline passed unanswered returns the case to a person.
    let overdue = requests.first().is_some_and(|r| r.open && r.overdue);
    let CaseFile {
        case,
        decisions,
        history,
        assignee,
        deadline,
    } = file;
    Ok(WorkCase {
        page: Page::of(&v),
        id,
        matter: matter_title(&state, &case.matter, tr),
        state: state_label(tr, case.state),
        filed: crate::plain::date(case.application_date, tr.lang),
        deadline: deadline
            .as_deref()
            .map(|d| {
                d.parse::<jiff::civil::Date>()
                    .map_or_else(|_| d.to_owned(), |d| crate::plain::date(d, tr.lang))
            })
            .unwrap_or_default(),
        decisions: decisions
            .iter()
            .map(|d| decision_row(tr, d, Reader::Official))
            .collect(),
        history: crate::pages::history_lines(tr, &history),
        waiting: matches!(
            case.state,
            CaseState::Referred | CaseState::RectificationRequested
        ) || overdue,
        can_ask: case.state == CaseState::Referred && assignee.as_ref() == Some(&me),
        answer_days: (
            *polku_cases::ANSWER_DAYS.start(),
            *polku_cases::ANSWER_DAYS.end(),
            polku_cases::MACHINE_ANSWER_DAYS,
        ),
        asked: q.asked.is_some(),
        notifications,
        requests,
        applicant: false,
        assigned_to_me: assignee.as_ref() == Some(&me),
        assigned_to_other: assignee.is_some_and(|a| a != me),
        outcomes: outcomes(tr),
        suggested_reasons: suggested_reasons(tr, &decisions),
        decided: q.decided.is_some(),
        reexamination,
        rectification: history
            .iter()
            .rev()
            .find(|e| e.kind == polku_cases::EventKind::RectificationRequested)
            .and_then(|e| {
                let text = e.reason.clone()?;
                Some((crate::plain::micros(e.at, tr.lang), text))
            }),
        person_query: crate::plain::query_value(&case.applicant_id),
        identity,
        flags,
        person: case.applicant_id.clone(),
    }
    .into_response())
}

/// A case with everything the handler's page shows of it.
struct CaseFile {
    case: Case,
    decisions: Vec<Decision>,
    history: Vec<CaseEvent>,
    /// Who has claimed it (an actor, `user:…`).
    assignee: Option<Actor>,
    deadline: Option<String>,
}

async fn case_file(state: &WebState, id: Uuid) -> Result<CaseFile, CaseError> {
    Ok(CaseFile {
        case: state.store.case(id).await?,
        decisions: state.store.decisions(id).await?,
        history: state.store.history(id).await?,
        assignee: state.store.assignee(id).await?,
        deadline: state.store.deadline(id).await?,
    })
}

/// The handler's reading of the case, in the use log.
async fn log_case_read(
    state: &WebState,
    session: &Session,
    case: &Case,
) -> Result<(), polku_cases::StoreError> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: actor(session),
            organisation: session.principal.organisation.clone(),
            person: Some(case.applicant_id.clone()),
            purpose: "case handling".to_owned(),
            legal_basis: None,
            detail: json!({"read": "case", "case": case.id}),
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

/// The reasons start from the conditions the machine last found not met, each with its
/// legal basis: the handler edits them into the decision's reasons.
fn suggested_reasons(tr: Tr, decisions: &[Decision]) -> String {
    decisions
        .iter()
        .rev()
        .find(|d| d.automated)
        .and_then(|d| d.trace.in_lang(tr.lang))
        .map(|t| {
            t.not_met()
                .map(|c| {
                    tr.t_with(
                        "work-suggested-not-met",
                        &[
                            ("condition", c.text.as_str()),
                            (
                                "basis",
                                crate::plain::legal_basis(&c.legal_basis, tr.lang).as_str(),
                            ),
                            (
                                "explanation",
                                crate::plain::explanation(&c.explanation, tr).as_str(),
                            ),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// What a person may decide: grant or refuse (asking the applicant has its own form).
fn outcomes(tr: Tr) -> Vec<(String, String)> {
    vec![
        ("grant".to_owned(), tr.t("work-outcome-grant")),
        ("refuse".to_owned(), tr.t("work-outcome-refuse")),
    ]
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

impl crate::frame::CarriesCsrf for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn handling_page(v: &Visitor, e: HandlingError) -> Response {
    match e {
        HandlingError::Case(CaseError::NotFound(_)) => {
            error_page(v, StatusCode::NOT_FOUND, "error-not-found")
        }
        HandlingError::NoReasons => bad_input(v, &v.tr.t("work-reasons")),
        HandlingError::Case(e) => internal(v, &e),
        _ => error_page(v, StatusCode::CONFLICT, "work-not-waiting"),
    }
}

/// `POST /work/cases/{id}/claim`.
pub async fn claim(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let (_, id) = posted(&v, &session, form, &id)?;
    let claimed = state.store.claim_case(id, &actor(&session)).await;
    Ok(match claimed {
        Ok(()) => Redirect::to(&format!("/work/cases/{id}")).into_response(),
        Err(e) => handling_page(&v, e),
    })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    outcome: String,
    reasons: String,
}

impl crate::frame::CarriesCsrf for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /work/cases/{id}/decision`.
pub async fn decide(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let label = v.tr.t("work-reasons");
    typed(&v, &[(&label, &form.reasons, MAX_REASONS)])?;
    let outcome = match form.outcome.as_str() {
        "grant" => HumanOutcome::Grant,
        "refuse" => HumanOutcome::Refuse,
        "request_evidence" => HumanOutcome::RequestEvidence,
        other => return Err(bad_input(&v, other).into()),
    };
    let decided = state
        .store
        .decide_by_person(id, &actor(&session), outcome, &form.reasons, &state.rules)
        .await;
    Ok(match decided {
        Ok(_) => Redirect::to(&format!("/work/cases/{id}?decided=1")).into_response(),
        Err(e) => handling_page(&v, e),
    })
}
