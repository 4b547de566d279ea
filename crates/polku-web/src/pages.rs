//! The pages. Each checks who may see it; every read of a person's data goes to the use
//! log with its purpose; every form carries its session's CSRF token.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_audit::{AuditEntry, AuditLog};
use std::borrow::Cow;

use polku_cases::{CaseError, CaseState, HandlingError, StoredInput};
use polku_rules::Lang;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::WebState;
use crate::frame::{PageError, bad_input, posted};
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::idp::TestPerson;
use crate::text::{MAX_REASONS, typed};
use crate::visitor::{LANG_COOKIE, PRE_CSRF_COOKIE, SESSION_COOKIE, Session, Visitor, with_cookie};

pub(crate) use crate::frame::{Page, error_page, internal};
pub(crate) use crate::names::{Reader, matter_title};

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct Home {
    page: Page,
}

pub async fn home(v: Visitor) -> Response {
    Home { page: Page::of(&v) }.into_response()
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// `GET /language?to=sv&back=/my/cases`: remembers the language and goes back. Only a
/// path on this site is followed, never another site.
pub async fn language(Query(q): Query<LanguageQuery>) -> Response {
    let lang = q.to.parse::<Lang>().unwrap_or(Lang::Fi);
    let back = q
        .back
        .as_deref()
        .and_then(same_site_path)
        .unwrap_or_else(|| "/".to_owned());
    with_cookie(
        Redirect::to(&back).into_response(),
        LANG_COOKIE,
        lang.code(),
        365 * 86_400,
    )
}

/// `back` as a `Location` on this site, or `None` when it is not a plain absolute path
/// here: it must start with exactly one `/` (`//host` and `/\host` are other sites to a
/// browser), hold no backslash, space or control character (a tab or line break would
/// also make an invalid header). Letters outside ASCII are percent-encoded again (the
/// query string decoded them), so a Finnish path survives the round trip.
fn same_site_path(back: &str) -> Option<String> {
    let mut rest = back.strip_prefix('/')?.chars();
    if matches!(rest.next(), Some('/' | '\\')) {
        return None;
    }
    let mut path = String::with_capacity(back.len());
    for c in back.chars() {
        if c.is_ascii_graphic() && c != '\\' {
            path.push(c);
        } else if c.is_ascii() || c.is_control() || c.is_whitespace() {
            return None;
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(path)
}

#[derive(Template, WebTemplate)]
#[template(path = "identify.html")]
struct Identify {
    page: Page,
    people: Vec<TestPerson>,
    csrf: String,
}

/// How many people the test identity provider offers to choose from.
const PEOPLE_SHOWN: usize = 40;

/// `GET /identify`: the test identity provider — choose a synthetic person.
pub async fn identify(State(state): State<WebState>, v: Visitor) -> Response {
    let people = state
        .people
        .as_ref()
        .map_or_else(Vec::new, |people| people.offered(PEOPLE_SHOWN));
    // A fresh token for the sign-in forms, in a cookie and in each form (double submit).
    let csrf = match polku_access::random_token("") {
        Ok(t) => t,
        Err(e) => return internal(&v, &e),
    };
    with_cookie(
        Identify {
            page: Page::of(&v),
            people,
            csrf: csrf.clone(),
        }
        .into_response(),
        PRE_CSRF_COOKIE,
        &csrf,
        3600,
    )
}

#[derive(Deserialize)]
pub struct IdentifyForm {
    csrf: String,
    person: String,
}

/// How long a browser session lasts.
pub(crate) const SESSION_HOURS: i64 = 8;

/// `POST /identify`: the person is identified; an applicant session starts.
pub async fn identified(
    State(state): State<WebState>,
    v: Visitor,
    form: Result<Form<IdentifyForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(&v, StatusCode::BAD_REQUEST, "error-csrf");
    };
    if v.pre_csrf.as_deref() != Some(form.csrf.as_str()) {
        return error_page(&v, StatusCode::FORBIDDEN, "error-csrf");
    }
    let Some(people) = &state.people else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let Some(person) = people.person(&form.person) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let started = async {
        let user = state
            .access()
            .applicant_account(&form.person, &person.name)
            .await?;
        state.sessions().start(user, SESSION_HOURS).await
    };
    match started.await {
        Ok((token, _csrf)) => with_cookie(
            Redirect::to("/my/cases").into_response(),
            SESSION_COOKIE,
            &token,
            SESSION_HOURS * 3600,
        ),
        Err(e) => internal(&v, &e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<WebState>,
    v: Visitor,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Some(session) = &v.session else {
        return Redirect::to("/").into_response();
    };
    if form.map(|Form(f)| f.csrf).ok().as_deref() != Some(session.csrf.as_str()) {
        return error_page(&v, StatusCode::FORBIDDEN, "error-csrf");
    }
    if let Err(e) = state.sessions().end(&session.token).await {
        return internal(&v, &e);
    }
    with_cookie(Redirect::to("/").into_response(), SESSION_COOKIE, "", 0)
}

pub(crate) async fn log_read(
    state: &WebState,
    s: &Session,
    person: &str,
    purpose: &str,
    detail: Value,
) -> Result<(), polku_cases::StoreError> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: polku_audit::Actor::User(s.principal.user_id),
            organisation: s.principal.organisation.clone(),
            person: Some(person.to_owned()),
            purpose: purpose.to_owned(),
            legal_basis: None,
            detail,
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

pub(crate) fn state_label(tr: Tr, state: CaseState) -> String {
    tr.t(&format!("state-{}", state.as_str()))
}

struct CaseRow {
    id: Uuid,
    /// A re-examination of the holder's permit, not an application of theirs.
    reexamination: bool,
    matter: String,
    filed: String,
    state: String,
    deadline: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cases.html")]
struct Cases {
    page: Page,
    cases: Vec<CaseRow>,
}

/// `GET /my/cases`: the applicant's own applications.
pub async fn my_cases(
    State(state): State<WebState>,
    ApplicantSession { v, session, person }: ApplicantSession,
) -> Response {
    let listed = state.store.cases_of(&person, None, 100).await;
    let cases = match listed {
        Ok(c) => c,
        Err(e) => return internal(&v, &e),
    };
    let logged = log_read(
        &state,
        &session,
        &person,
        "the applicant lists their own cases (e-service)",
        json!({"read": "case list", "count": cases.len()}),
    )
    .await;
    if let Err(e) = logged {
        return internal(&v, &e);
    }
    let reexaminations = match state.monitor.reexaminations_of(&person).await {
        Ok(r) => r,
        Err(e) => return internal(&v, &e),
    };
    let mut rows = Vec::new();
    for c in cases {
        rows.push(CaseRow {
            reexamination: reexaminations.contains(&c.id),
            id: c.id,
            matter: matter_title(&state, &c.matter, v.tr),
            filed: c.application_date,
            state: state_label(v.tr, c.state),
            deadline: c.deadline.unwrap_or_default(),
        });
    }
    Cases {
        page: Page::of(&v),
        cases: rows,
    }
    .into_response()
}

pub(crate) struct ConditionRow {
    pub(crate) text: String,
    pub(crate) status: String,
    pub(crate) status_label: String,
    pub(crate) legal_basis: String,
    pub(crate) explanation: String,
    /// The values read, each with its register and fetch time.
    pub(crate) inputs: Vec<String>,
}

pub(crate) struct DecisionRow {
    /// Who decided, or that these are the machine's findings for a person.
    pub(crate) heading: String,
    pub(crate) outcome: String,
    pub(crate) notice: Option<String>,
    pub(crate) reasons: Option<String>,
    pub(crate) conditions: Vec<ConditionRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
struct CasePage {
    page: Page,
    id: Uuid,
    matter: String,
    state: String,
    filed: String,
    /// The decision the case rests on, as a decision reads, and its reasons.
    notice: Option<crate::decision::DecisionNotice>,
    decision: Option<DecisionRow>,
    /// The machine's findings before a person decided, or while a person has yet to.
    findings: Vec<DecisionRow>,
    history: Vec<String>,
    can_rectify: bool,
    sent: bool,
    /// A re-examination of the holder's permit: why, and their answers.
    reexamination: Option<crate::reexamination::HolderSection>,
    answered: bool,
    /// While there is no decision: what happens next, in words.
    next: Option<String>,
    /// The machine is still working on it: the page shows progress and a way to look again.
    machine_working: bool,
    /// What the authority asks of the applicant, newest first, with their answers.
    requests: Vec<crate::requests::RequestSection>,
    /// The reader is the applicant (the requests' template is shared with the handler's page).
    applicant: bool,
    /// The application is open: it may be withdrawn.
    can_withdraw: bool,
    withdrawn: bool,
    /// The fee paid in the e-service for it, in words.
    fee_paid: Option<String>,
    /// Just back from paying: the application has been sent.
    paid: bool,
}

#[derive(Deserialize)]
pub struct CaseQuery {
    sent: Option<String>,
    answered: Option<String>,
    withdrawn: Option<String>,
    paid: Option<String>,
}

/// `GET /my/cases/{id}`: the case, its decision explained condition by condition with
/// the legal basis, the permit, and the rectification form for an automated decision.
pub async fn my_case(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
    ApplicantSession { v, session, person }: ApplicantSession,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let case = match state.store.case(id).await {
        Ok(c) if c.applicant_id == person => c,
        // Someone else's case does not exist for this applicant.
        Ok(_) | Err(CaseError::NotFound(_)) => {
            return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
        }
        Err(e) => return internal(&v, &e),
    };
    let loaded = async {
        Ok::<_, CaseError>((
            state.store.decisions(id).await?,
            state.store.permit(id).await?,
            state.store.history(id).await?,
        ))
    };
    let (decisions, permit, history) = match loaded.await {
        Ok(x) => x,
        Err(e) => return internal(&v, &e),
    };
    if let Err(e) = log_read(
        &state,
        &session,
        &person,
        "the applicant reads their own case (e-service)",
        json!({"read": "case", "case": id}),
    )
    .await
    {
        return internal(&v, &e);
    }
    let tr = v.tr;
    let reexamination = match crate::reexamination::holder_section(&state, id, &person, tr).await {
        Ok(r) => r,
        Err(e) => return internal(&v, &e),
    };
    let can_rectify = case.state == CaseState::Decided
        && decisions.last().is_some_and(|d| d.is_automated_decision());
    let requests = match crate::requests::sections(
        &state,
        tr,
        &case,
        &decisions,
        Reader::Applicant,
        &format!("/my/cases/{id}"),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return internal(&v, &e),
    };
    let last = crate::decision::final_decision(&decisions);
    let notice = match last {
        Some(d) => match crate::decision::notice(&state, tr, &case, d, permit.as_ref()).await {
            Ok(n) => Some(n),
            Err(e) => return internal(&v, &e),
        },
        None => None,
    };
    // What the law withholds from the applicant never reaches this page.
    let decision = last.map(|d| decision_row(tr, d, Reader::Applicant));
    let findings: Vec<DecisionRow> = decisions
        .iter()
        .filter(|d| last.is_none_or(|l| l.id != d.id))
        .map(|d| decision_row(tr, d, Reader::Applicant))
        .collect();
    let history = history_lines(tr, &history);
    let machine_working = matches!(
        case.state,
        CaseState::Received | CaseState::GatheringEvidence | CaseState::Evaluated
    );
    let next = match case.state {
        // A re-examination says what happens next in its own section.
        _ if matches!(case.purpose, polku_cases::CasePurpose::Reexamination { .. }) => None,
        CaseState::Received | CaseState::GatheringEvidence | CaseState::Evaluated => {
            Some(tr.t("case-next-machine"))
        }
        CaseState::Referred => Some(tr.t("case-next-person")),
        CaseState::RectificationRequested => Some(tr.t("case-next-rectification")),
        CaseState::EvidenceRequested => Some(tr.t("case-next-evidence")),
        CaseState::Hearing => Some(tr.t("case-next-hearing")),
        _ => None,
    };
    let can_withdraw = case.state.can_go_to(CaseState::Withdrawn)
        && case.purpose == polku_cases::CasePurpose::Application;
    let fee_paid = match crate::payment::paid_line(&state, id, tr).await {
        Ok(line) => line,
        Err(e) => return internal(&v, &e),
    };
    CasePage {
        page: Page::of(&v),
        id,
        matter: matter_title(&state, &case.matter, tr),
        state: state_label(tr, case.state),
        filed: crate::plain::date(case.application_date, tr.lang),
        notice,
        decision,
        findings,
        history,
        can_rectify,
        sent: q.sent.is_some(),
        reexamination,
        answered: q.answered.is_some(),
        next,
        machine_working,
        requests,
        applicant: true,
        can_withdraw,
        withdrawn: q.withdrawn.is_some(),
        fee_paid,
        paid: q.paid.is_some(),
    }
    .into_response()
}

/// A case's history as lines: when, and what it became.
pub(crate) fn history_lines(tr: Tr, history: &[polku_cases::CaseEvent]) -> Vec<String> {
    history
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                crate::plain::micros(e.at, tr.lang),
                state_label(tr, e.to_state)
            )
        })
        .collect()
}

/// One value a condition read: `path = value`, with the register and fetch time.
fn input_line(tr: Tr, input: &StoredInput) -> String {
    let label = crate::plain::field_label(&input.path, tr);
    let mut line = format!("{label}: {}", crate::plain::value(&input.value, tr));
    if let Some(source) = &input.source {
        let at = input
            .fetched_at
            .as_deref()
            .map_or_else(|| "—".to_owned(), |t| crate::plain::stamped(t, tr.lang));
        let register = crate::reasons::register_name(tr, source);
        line.push_str(" (");
        line.push_str(&tr.t_with(
            "work-source",
            &[("source", register.as_str()), ("at", at.as_str())],
        ));
        line.push(')');
    }
    line
}

/// A trace's conditions as rows: each in words with its status, legal basis and explanation
/// in the reader's language, and the values it read with their registers.
pub(crate) fn condition_rows(tr: Tr, t: &polku_cases::StoredTrace) -> Vec<ConditionRow> {
    t.conditions
        .iter()
        .map(|c| ConditionRow {
            text: c.text.clone(),
            status_label: tr.t(&format!("status-{}", c.status.code())),
            status: c.status.code().to_owned(),
            legal_basis: crate::plain::legal_basis(&c.legal_basis, tr.lang),
            explanation: crate::plain::explanation(&c.explanation, tr),
            inputs: c.inputs.iter().map(|i| input_line(tr, i)).collect(),
        })
        .collect()
}

pub(crate) fn decision_row(tr: Tr, d: &polku_cases::Decision, reader: Reader) -> DecisionRow {
    let trace = d.trace.in_lang(tr.lang).map(|t| match reader {
        Reader::Applicant => Cow::Owned(t.for_applicant()),
        Reader::Official => Cow::Borrowed(t),
    });
    let conditions = trace
        .as_deref()
        .map(|t| condition_rows(tr, t))
        .unwrap_or_default();
    DecisionRow {
        outcome: trace
            .as_deref()
            .map(|t| t.outcome_text.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| tr.t(&format!("decision-outcome-{}", d.outcome.code()))),
        heading: if d.is_automated_decision() {
            tr.t("case-decided-by-machine")
        } else if d.automated {
            tr.t("case-machine-findings")
        } else {
            tr.t("case-decided-by-person")
        },
        notice: d
            .is_automated_decision()
            .then(|| polku_cases::automated_notice(tr.lang).to_owned()),
        reasons: d.trace.reasons().map(str::to_owned),
        conditions,
    }
}

#[derive(Deserialize)]
pub struct RectificationForm {
    csrf: String,
    reason: String,
}

impl crate::frame::CarriesCsrf for RectificationForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /my/cases/{id}/rectification`: free of charge; a person handles it.
pub async fn rectify(
    State(state): State<WebState>,
    Path(id): Path<String>,
    ApplicantSession { v, session, person }: ApplicantSession,
    form: Result<Form<RectificationForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let label = v.tr.t("rectification-reason");
    typed(&v, &[(&label, &form.reason, MAX_REASONS)])?;
    if form.reason.trim().is_empty() {
        return Err(bad_input(&v, &label).into());
    }
    let requested = state
        .store
        .request_rectification(id, &person, &form.reason)
        .await;
    Ok(match requested {
        Ok(()) => Redirect::to(&format!("/my/cases/{id}?sent=1")).into_response(),
        Err(HandlingError::NotTheApplicant(_) | HandlingError::Case(CaseError::NotFound(_))) => {
            error_page(&v, StatusCode::NOT_FOUND, "error-not-found")
        }
        Err(HandlingError::NoAutomatedDecision(_)) => {
            error_page(&v, StatusCode::CONFLICT, "error-forbidden")
        }
        Err(e) => internal(&v, &e),
    })
}

/// A page the site does not have, in the visitor's language (from the language cookie
/// alone: a 404 needs no session).
pub async fn not_found(headers: axum::http::HeaderMap, uri: axum::http::Uri) -> Response {
    let v = Visitor {
        tr: Tr {
            lang: crate::visitor::lang_of(&headers),
        },
        session: None,
        path: uri.path().to_owned(),
        pre_csrf: None,
    };
    error_page(&v, StatusCode::NOT_FOUND, "error-not-found")
}
