//! What an applicant does: file an application, list and read their cases with the
//! decisions explained in fi/sv/en, withdraw, and ask for rectification of an automated
//! decision. Case handlers, legal officers and auditors read cases too.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use polku_access::Role;
use polku_cases::{CaseError, DecisionTrace, NewApplication};

use crate::views::{CaseEvent, CaseState, CaseSummary, DecisionOutcome, Permit, RequestView};
use polku_rules::Application;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    LangQuery, QueryOf, case_cursor, case_id, handling_problem, idempotency_key, json_body,
    json_value, log_use, once, page_limit,
};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// The body of `POST /api/v1/applications`.
#[derive(ToSchema)]
#[allow(dead_code)] // read field by field (to name the one at fault); here for the document
pub struct Submission {
    /// The matter: a rule set's id from `/api/v1/rule-sets`.
    #[schema(min_length = 1)]
    matter: String,
    /// What only the applicant can tell, in the input schema's shape: the fields marked
    /// "applicant" in `docs/input-schema.md`. Evidence and the facts registers hold are
    /// fetched by the service, never taken from the applicant; the filing date is the day
    /// the service receives the application (Finland's time).
    #[schema(value_type = Object, additional_properties)]
    application: Value,
}

/// The answer to a submission.
#[derive(Serialize, ToSchema)]
pub struct Submitted {
    case_id: Uuid,
    state: CaseState,
    /// Where to read the case.
    href: String,
}

/// `POST /api/v1/applications`: an applicant files an application for themselves.
///
/// With an `Idempotency-Key` header a retry gets the first answer, never a second case.
/// A matter whose processing fee is due that day is not filed yet: the answer is 202 with
/// where the applicant pays, and the application is filed once the provider confirms it
/// (`GET /api/v1/payments/{id}` tells when, and the case).
#[utoipa::path(
    post, path = "/api/v1/applications", tag = "applicant",
    request_body = Submission,
    params(super::IdempotencyKey),
    responses(
        (status = 201, description = "The case was created", body = Submitted),
        (status = 202, description = "The matter's fee is due first: pay at `pay_at`; the application is filed when it is paid (the same payment for a retry with the same key)", body = PaymentView),
        (status = 503, description = "A fee is due and no payment can be taken now; nothing was filed", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "A retry: the case the key first created", body = Submitted),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, naming the field", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit_application(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let person = own_person(
        &caller,
        "only an applicant files an application, for themselves",
    )?;
    let new = read_submission(&state, &json_value(body)?, person.to_owned())?;
    // A fee due is paid first: the application waits, and is filed when it is paid.
    if let polku_payments::Fee::Due { eur, .. } = state.fees.fee(&new.matter, new.application_date)
        && eur > 0
    {
        return pay_first(&state, &caller, &headers, &new, eur * 100).await;
    }
    let actor = caller.actor();
    let (id, created) = match idempotency_key(&headers)? {
        Some(key) => state
            .store
            .submit_once(&new, &actor, &caller.principal.user_id.to_string(), key)
            .await
            .map_err(|e| filing_problem(&e))?,
        None => (
            state
                .store
                .submit(&new, &actor)
                .await
                .map_err(|e| filing_problem(&e))?,
            true,
        ),
    };
    Ok(filed(id, created))
}

/// A filing whose fee is due: 202 with where to pay (the same payment for a retry with the
/// same Idempotency-Key), or the case if that payment was made already.
async fn pay_first(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    new: &NewApplication,
    cents: u32,
) -> Result<Response, Problem> {
    let Some(provider) = &state.payment_provider else {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "fees-unavailable",
            "Fees cannot be paid",
            "this matter's processing fee must be paid before filing, and this server takes no payments now; try again later",
        ));
    };
    let key = match idempotency_key(headers)? {
        Some(k) => k.to_owned(),
        None => Uuid::now_v7().to_string(),
    };
    let payment = polku_payments::NewPayment {
        application: new,
        user: caller.principal.user_id,
        filing_key: &key,
        amount_cents: cents,
    };
    let title = state.rules.today().get(&new.matter).map_or_else(
        || new.matter.clone(),
        |rs| rs.title.get(polku_rules::Lang::Fi).to_owned(),
    );
    let public = state.public_url.clone();
    let started = state
        .payments
        .start(provider.as_ref(), &payment, |id| {
            polku_payments::Checkout::on_service(
                id,
                cents,
                "FI",
                format!("Käsittelymaksu: {title}"),
                &public,
            )
        })
        .await;
    match started {
        Ok(polku_payments::Started::Filed { case, .. }) => Ok(filed(case, false)),
        Ok(polku_payments::Started::Pay { payment, pay_at }) => {
            let href = format!("/api/v1/payments/{payment}");
            Ok((
                StatusCode::ACCEPTED,
                [(header::LOCATION, href.clone())],
                Json(PaymentView {
                    payment_id: payment,
                    state: PaymentState::AwaitingPayment,
                    amount_eur: cents / 100,
                    pay_at: Some(pay_at),
                    case_id: None,
                    href,
                }),
            )
                .into_response())
        }
        Err(polku_payments::StartError::Provider(e)) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "fees-unavailable",
            "Fees cannot be paid",
            format!("{e}; nothing was filed, try again later"),
        )),
        Err(polku_payments::StartError::Payment(e)) => Err(Problem::internal(&e)),
    }
}

/// Where a fee's payment stands.
#[derive(Serialize, ToSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// The applicant pays at `pay_at`; nothing is filed yet.
    AwaitingPayment,
    /// Paid: the application is filed as `case_id`.
    Paid,
    /// Cancelled or failed: nothing was filed.
    Cancelled,
}

/// A filing waiting for its fee (`202` from `POST /api/v1/applications`).
#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    payment_id: Uuid,
    state: PaymentState,
    /// The processing fee in euros (`fees/fi-processing-fees.yaml`, with its source).
    amount_eur: u32,
    /// Where the applicant pays (the provider's page), while the payment waits.
    pay_at: Option<String>,
    /// The case the application became, once paid.
    case_id: Option<Uuid>,
    /// This payment in the API.
    href: String,
}

/// `GET /api/v1/payments/{id}`: where a filing's fee stands, and its case once paid. An
/// applicant reads only their own.
#[utoipa::path(
    get, path = "/api/v1/payments/{id}", tag = "applicant",
    params(("id" = Uuid, Path, description = "The payment")),
    responses(
        (status = 200, description = "The payment", body = PaymentView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such payment of the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn payment(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
) -> Result<Json<PaymentView>, Problem> {
    let person = own_person(&caller, "only the applicant reads their payments")?;
    let id = case_id(id)?;
    let p = state
        .payments
        .get(id)
        .await
        .map_err(|e| Problem::internal(&e))?
        .filter(|p| p.person == person)
        .ok_or_else(|| Problem::not_found(format!("there is no payment {id}")))?;
    let waiting = p.state == polku_payments::PaymentState::Created;
    Ok(Json(PaymentView {
        payment_id: p.id,
        state: match p.state {
            polku_payments::PaymentState::Created => PaymentState::AwaitingPayment,
            polku_payments::PaymentState::Paid => PaymentState::Paid,
            polku_payments::PaymentState::Cancelled => PaymentState::Cancelled,
        },
        amount_eur: p.amount_cents / 100,
        pay_at: if waiting { p.pay_at } else { None },
        case_id: p.case_id,
        href: format!("/api/v1/payments/{}", p.id),
    }))
}

/// The answer to a filing: 201 with the case, or 200 for a retry of the same request.
pub(crate) fn filed(id: Uuid, created: bool) -> Response {
    let href = format!("/api/v1/cases/{id}");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        [(header::LOCATION, href.clone())],
        Json(Submitted {
            case_id: id,
            state: CaseState::Received,
            href,
        }),
    )
        .into_response()
}

/// A filing the store refused: a reused key or a registration out of bounds is the
/// caller's to fix (422); anything else is ours.
pub(crate) fn filing_problem(e: &CaseError) -> Problem {
    match e {
        CaseError::KeyReused => Problem::invalid(
            "Idempotency-Key",
            "this key was used for another request; use a new key for a new request",
        ),
        CaseError::Registration(r @ polku_cases::RegistrationError::Reason) => {
            Problem::invalid("reason", r.to_string())
        }
        CaseError::Registration(r) => Problem::invalid("received_on", r.to_string()),
        e => Problem::internal(e),
    }
}

/// The person an applicant account acts for; any other role is refused with `why`.
fn own_person<'c>(caller: &'c Caller, why: &str) -> Result<&'c str, Problem> {
    match (caller.principal.role, caller.principal.person_id.as_deref()) {
        (Role::Applicant, Some(person)) => Ok(person),
        (Role::Applicant, None) => Err(Problem::forbidden(
            "this applicant account is not linked to a person",
        )),
        _ => Err(Problem::forbidden(why)),
    }
}

fn read_submission(
    state: &AppState,
    value: &Value,
    person: String,
) -> Result<NewApplication, Problem> {
    let Value::Object(fields) = value else {
        return Err(Problem::invalid(
            "(body)",
            "the body must be a JSON object with matter and application",
        ));
    };
    if fields.contains_key("application_date") {
        return Err(Problem::invalid(
            "application_date",
            "the filing date is the day the service receives the application; it cannot be given",
        ));
    }
    if let Some(key) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "matter" | "application"))
    {
        return Err(Problem::invalid(
            key,
            format!("`{key}` is not a field of a submission (matter, application)"),
        ));
    }
    let matter = match fields.get("matter") {
        Some(Value::String(m)) => m.clone(),
        Some(_) => return Err(Problem::invalid("matter", "matter must be a text")),
        None => return Err(Problem::invalid("matter", "matter is missing")),
    };
    // Filed the day the service received it; the rules in force that day decide it.
    let application_date = polku_cases::today_in_finland();
    let application = fields
        .get("application")
        .cloned()
        .ok_or_else(|| Problem::invalid("application", "application is missing"))?;
    new_application(state, matter, person, application_date, application)
}

/// A new application for `matter` filed on `application_date`, its deadline from the rules
/// in force that day; the application carries only what the applicant alone can tell.
pub(crate) fn new_application(
    state: &AppState,
    matter: String,
    person: String,
    application_date: jiff::civil::Date,
    application: Value,
) -> Result<NewApplication, Problem> {
    let rules = state.rules.on(application_date);
    // A monitoring rule set watches granted permits: no one files it.
    let Some(rule_set) = rules.decision_set(&matter) else {
        return Err(Problem::invalid(
            "matter",
            format!(
                "`{}` is not a matter Polku decides; see /api/v1/rule-sets",
                matter.escape_debug()
            ),
        ));
    };
    Application::from_submission(&application, polku_cases::today_in_finland())
        .map_err(|e| Problem::invalid(&format!("application.{}", e.path), e.problem))?;
    let deadline = rule_set
        .processing_time
        .as_ref()
        .and_then(|p| p.deadline(application_date));
    Ok(NewApplication {
        deadline,
        matter,
        applicant_id: person,
        application_date,
        application,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Cases per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page, as it was given: `{created_at}~{case id}`.
    #[param(
        pattern = "^[0-9]{1,18}~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    cursor: Option<String>,
}

/// A page of the applicant's own cases.
#[derive(Serialize, ToSchema)]
pub struct CasePage {
    /// Newest first.
    items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/cases`: the applicant's own cases, newest first, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "applicant",
    params(PageQuery),
    responses(
        (status = 200, description = "The caller's own cases", body = CasePage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn my_cases(
    State(state): State<AppState>,
    caller: Caller,
    QueryOf(q): QueryOf<PageQuery>,
) -> Result<Json<CasePage>, Problem> {
    let person = own_person(
        &caller,
        "only an applicant lists their own cases; handlers use /api/v1/queue",
    )?;
    let limit = page_limit(q.limit)?;
    let after = q.cursor.as_deref().map(case_cursor).transpose()?;
    let items = state
        .store
        .cases_of(person, after, limit)
        .await
        .map_err(|e| Problem::internal(&e))?;
    log_use(
        &state,
        &caller,
        person,
        "the applicant lists their own cases",
        json!({"read": "case list", "count": items.len()}),
    )
    .await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|c| format!("{}~{}", c.created_at, c.id)))
        .flatten();
    Ok(Json(CasePage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// A decision as the applicant and the handler read it.
#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    id: Uuid,
    /// `grant`, `refer`, `request_evidence` (the machine); `grant`, `refuse`,
    /// `request_evidence` (a person).
    outcome: DecisionOutcome,
    /// Made by a machine (Administrative Procedure Act 53 g §).
    automated: bool,
    /// For an automated decision (a machine's grant): the notice 53 g § requires, in the
    /// language asked for. A machine's referral is a finding, not a decision: no notice.
    automated_notice: Option<&'static str>,
    rule_set: Option<String>,
    rule_set_version: Option<String>,
    /// The date whose rules and figures applied.
    evaluated_on: String,
    /// The rule trace in the language asked for (each condition with its legal basis,
    /// status, values and evidence), or a person's reasons. `null` when the machine had no
    /// rules to evaluate (no rule-set version covers the filing date, or the application
    /// did not fit the input schema): it then referred the case to a person, and
    /// `rule_set` and `rule_set_version` are `null` too.
    #[schema(value_type = Option<Object>)]
    explanation: Option<Value>,
    /// Microseconds since the Unix epoch.
    decided_at: i64,
}

impl DecisionView {
    /// `d` in `lang`; for its applicant, without what the law withholds from them.
    fn of(d: polku_cases::Decision, lang: polku_rules::Lang, for_applicant: bool) -> DecisionView {
        DecisionView {
            id: d.id,
            automated_notice: d
                .is_automated_decision()
                .then(|| polku_cases::automated_notice(lang)),
            explanation: match (&d.trace, for_applicant) {
                (DecisionTrace::Machine(e), true) => {
                    serde_json::to_value(e.get(lang).for_applicant()).ok()
                }
                (DecisionTrace::Machine(e), false) => serde_json::to_value(e.get(lang)).ok(),
                (DecisionTrace::Person { reasons, .. }, _) => Some(Value::from(reasons.as_str())),
                (DecisionTrace::Failed { .. }, _) => None,
            },
            outcome: d.outcome.into(),
            automated: d.automated,
            rule_set: d.rule_set,
            rule_set_version: d.rule_set_version,
            evaluated_on: d.evaluated_on,
            decided_at: d.decided_at,
        }
    }
}

/// A case with its history, decisions and permit.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    id: Uuid,
    matter: String,
    state: CaseState,
    application_date: String,
    history: Vec<CaseEvent>,
    decisions: Vec<DecisionView>,
    /// The permit (or citizenship) a grant created.
    permit: Option<Permit>,
}

/// `GET /api/v1/cases/{id}/requests`: what the authority asked of the applicant (evidence,
/// a hearing before a refusal), each with its deadline and the answer with its files. An
/// applicant reads only their own cases'.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/requests", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "The requests, oldest first", body = Vec<RequestView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case (or another person's)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn requests(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
) -> Result<Json<Vec<RequestView>>, Problem> {
    let (case, purpose) = super::readable_case(&state, &caller, id).await?;
    let id = case.id;
    let requests = state
        .store
        .requests(id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    log_use(
        &state,
        &caller,
        &case.applicant_id,
        purpose,
        json!({"read": "requests", "case": id}),
    )
    .await?;
    Ok(Json(requests.into_iter().map(Into::into).collect()))
}

/// `GET /api/v1/cases/{id}/decision.pdf`: the decision of a decided case as a PDF to keep,
/// in the language asked for: the same notice as the e-service's page. An applicant reads
/// only their own; officials who read cases read any.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/decision.pdf", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case"), LangQuery),
    responses(
        (status = 200, description = "The decision, tagged PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case (or another person's), or no decision yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown language", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "This server cannot typeset PDFs now (its fonts are not installed)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decision_pdf(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
    QueryOf(q): QueryOf<LangQuery>,
) -> Result<axum::response::Response, Problem> {
    let lang = q.lang()?;
    let (case, purpose) = super::readable_case(&state, &caller, id).await?;
    let id = case.id;
    let for_applicant = caller.principal.role == Role::Applicant;
    let unavailable = |detail: String| {
        Problem::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Not available now",
            detail,
        )
    };
    let Some(documents) = state.documents.clone() else {
        return Err(unavailable(
            "this server does not typeset decisions".to_owned(),
        ));
    };
    log_use(
        &state,
        &caller,
        &case.applicant_id,
        purpose,
        json!({"read": "decision pdf", "case": id}),
    )
    .await?;
    match documents.decision_pdf(&case, lang, for_applicant).await {
        Ok(Some(bytes)) => {
            let disposition = format!("attachment; filename=\"decision-{id}.pdf\"");
            Ok((
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "application/pdf".to_owned(),
                    ),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response())
        }
        Ok(None) => Err(Problem::not_found(format!("case {id} has no decision yet"))),
        Err(crate::DocumentError::Unavailable(why)) => Err(unavailable(why)),
        Err(crate::DocumentError::Failed(why)) => Err(Problem::internal(&why)),
    }
}

/// `GET /api/v1/cases/{id}`: the case, its history and its decisions explained in the
/// language asked for. An applicant reads only their own cases.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case"), LangQuery),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not read cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case (or another person's)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown language", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_case(
    State(state): State<AppState>,
    caller: Caller,
    id: super::CasePath,
    QueryOf(q): QueryOf<LangQuery>,
) -> Result<Json<CaseView>, Problem> {
    let lang = q.lang()?;
    let (case, purpose) = super::readable_case(&state, &caller, id).await?;
    let id = case.id;
    let internal = |e: CaseError| Problem::internal(&e);
    let history: Vec<CaseEvent> = (state.store.history(id).await.map_err(internal)?)
        .into_iter()
        .map(Into::into)
        .collect();
    let decisions = state.store.decisions(id).await.map_err(internal)?;
    let permit = state
        .store
        .permit(id)
        .await
        .map_err(internal)?
        .map(Into::into);
    log_use(
        &state,
        &caller,
        &case.applicant_id,
        purpose,
        json!({"read": "case", "case": id}),
    )
    .await?;
    // What the law withholds from the applicant (a security authority's flag or
    // objection, a pending investigation) never reaches them; officials read it all.
    let for_applicant = caller.principal.role == Role::Applicant;
    let history = if for_applicant {
        applicants_history(history)
    } else {
        history
    };
    let decisions = decisions
        .into_iter()
        .map(|d| DecisionView::of(d, lang, for_applicant))
        .collect();
    Ok(Json(CaseView {
        id: case.id,
        matter: case.matter,
        state: case.state.into(),
        application_date: case.application_date.to_string(),
        history,
        decisions,
        permit,
    }))
}

/// A case's history as its applicant reads it: the machine's notes for a person (which
/// conditions failed, which registers were silent) are the officials'; the decision's
/// explanation tells the applicant what they may know.
fn applicants_history(history: Vec<CaseEvent>) -> Vec<CaseEvent> {
    let machine = polku_cases::Actor::Machine.to_string();
    history
        .into_iter()
        .map(|mut e| {
            if e.actor == machine {
                e.reason = None;
            }
            e
        })
        .collect()
}

/// Why the applicant withdraws, or what should be rectified.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantRequest {
    /// Say why, in plain text: not only spaces, at most 20,000 characters, no control
    /// character but line breaks and tabs (anything else is a 422 naming `reason`).
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    reason: String,
}

/// The case's new state after the applicant's request.
#[derive(Serialize, ToSchema)]
pub struct RequestAccepted {
    case_id: Uuid,
    state: CaseState,
    /// What the request costs: nothing (Administrative Procedure Act 53 f §).
    fee_eur: u32,
}

fn read_reason(body: Result<Bytes, BytesRejection>, empty: &str) -> Result<String, Problem> {
    let body: ApplicantRequest = json_body(body)?;
    super::plain_text("reason", &body.reason, super::MAX_REASONS)?;
    if body.reason.trim().is_empty() {
        return Err(Problem::invalid("reason", empty));
    }
    Ok(body.reason)
}

/// `POST /api/v1/cases/{id}/withdrawal`: the applicant withdraws an open application.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/withdrawal", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case"),
           super::IdempotencyKey),
    request_body = ApplicantRequest,
    responses(
        (status = 201, description = "The application is withdrawn", body = RequestAccepted),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided or withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, a control character in it (but line breaks and tabs), more than 20,000 characters, or a bad Idempotency-Key; naming the field", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    id: super::CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let person = own_person(&caller, "only the applicant withdraws their application")?;
    let id = case_id(id)?;
    let reason = read_reason(body, "say why you withdraw the application")?;
    let request = format!("POST /api/v1/cases/{id}/withdrawal");
    once(&state, &caller, &headers, request, async {
        state
            .store
            .withdraw(id, person, &reason)
            .await
            .map_err(handling_problem)?;
        Ok((
            StatusCode::CREATED,
            RequestAccepted {
                case_id: id,
                state: CaseState::Withdrawn,
                fee_eur: 0,
            },
        ))
    })
    .await
}

/// `POST /api/v1/cases/{id}/rectification`: the applicant asks for rectification of an
/// automated decision — free of charge, and a person decides it (53 e–53 f §).
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/rectification", tag = "applicant",
    params(("id" = Uuid, Path, description = "The case"),
           super::IdempotencyKey),
    request_body = ApplicantRequest,
    responses(
        (status = 201, description = "The request is in a person's queue", body = RequestAccepted),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No automated decision to rectify", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, a control character in it (but line breaks and tabs), more than 20,000 characters, or a bad Idempotency-Key; naming the field", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON (`Content-Type: application/json` or `application/*+json`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn rectification(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    id: super::CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let person = own_person(
        &caller,
        "only the applicant asks for rectification of their decision",
    )?;
    let id = case_id(id)?;
    let reason = read_reason(body, "say what should be rectified")?;
    let request = format!("POST /api/v1/cases/{id}/rectification");
    once(&state, &caller, &headers, request, async {
        state
            .store
            .request_rectification(id, person, &reason)
            .await
            .map_err(handling_problem)?;
        Ok((
            StatusCode::CREATED,
            RequestAccepted {
                case_id: id,
                state: CaseState::RectificationRequested,
                fee_eur: 0,
            },
        ))
    })
    .await
}
