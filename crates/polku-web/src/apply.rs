//! Filing an application in the e-service: the applicant answers only what no register
//! can tell. The questions are derived from the matter's rule set — the inputs its
//! conditions read that are not evidence (the registers hold that) — so a new rule set
//! brings its own form.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_cases::{Actor, NewApplication};
use polku_rules::schema::{FIELDS, FieldType, Origin, asking_fields, put_path};
use polku_rules::{Application, RuleSet};
use serde_json::{Map, Value};

use crate::WebState;
use crate::frame::PageError;
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal};
use crate::visitor::Visitor;

/// One question of the form.
pub(crate) struct Question {
    /// The input's path; also the form field's name.
    path: &'static str,
    /// The HTML id (paths hold dots).
    id: String,
    label: String,
    kind: &'static str,
    options: Vec<(String, String)>,
    /// What the applicant entered, when the form comes back with an error.
    value: String,
}

/// The questions for a rule set, in the schema's order.
fn questions(rs: &RuleSet, tr: Tr) -> Vec<Question> {
    let mut read: std::collections::BTreeSet<usize> = rs
        .conditions
        .iter()
        .flat_map(|c| c.fields.iter().copied())
        .collect();
    // A register asked about the employer or the work needs them named.
    read.extend(asking_fields(read.clone()));
    let sources: String = rs
        .conditions
        .iter()
        .map(|c| c.when_source.as_str())
        .chain(
            rs.conditions
                .iter()
                .filter_map(|c| c.unless.as_ref().map(|u| u.source.as_str())),
        )
        .collect();
    FIELDS
        .iter()
        .enumerate()
        // Only what the applicant alone can tell: registers and the service supply the rest.
        .filter(|(slot, f)| read.contains(slot) && f.origin == Origin::Applicant)
        .map(|(_, f)| {
            let (kind, options) = match f.ty {
                FieldType::Bool => (
                    "bool",
                    vec![
                        ("true".to_owned(), tr.t("answer-yes")),
                        ("false".to_owned(), tr.t("answer-no")),
                    ],
                ),
                FieldType::Number => ("number", Vec::new()),
                FieldType::Date => ("date", Vec::new()),
                FieldType::Text => ("text", Vec::new()),
                // Only the values the rule set speaks of: a Blue Card or a specialist's
                // permit, not every permit there is.
                FieldType::OneOf(values) => (
                    "choice",
                    values
                        .iter()
                        .filter(|v| sources.contains(&format!("\"{v}\"")))
                        .map(|v| ((*v).to_owned(), tr.t(&format!("option-{v}"))))
                        .collect(),
                ),
            };
            Question {
                path: f.path,
                id: f.path.replace('.', "-"),
                label: tr.t(&format!("field-{}", f.path.replace('.', "-"))),
                kind,
                options,
                value: String::new(),
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "apply.html")]
struct Apply {
    page: Page,
    matters: Vec<(String, String, String)>,
}

/// `GET /my/apply`: the matters one can apply for (never a monitoring rule set).
pub async fn choose(
    State(state): State<WebState>,
    ApplicantSession { v, .. }: ApplicantSession,
) -> Response {
    let matters = state
        .rules
        .today()
        .decision_sets()
        .map(|rs| {
            (
                rs.id.clone(),
                rs.title.get(v.tr.lang).to_owned(),
                rs.description
                    .as_ref()
                    .map(|d| d.get(v.tr.lang).to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Apply {
        page: Page::of(&v),
        matters,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "apply_form.html")]
struct ApplyForm {
    page: Page,
    matter: String,
    title: String,
    questions: Vec<Question>,
    error: Option<String>,
}

/// `GET /my/apply/{matter}`: the questions no register can answer.
pub async fn form(
    State(state): State<WebState>,
    Path(matter): Path<String>,
    ApplicantSession { v, .. }: ApplicantSession,
) -> Response {
    let book = state.rules.today();
    let Some(rs) = book.decision_set(&matter) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    ApplyForm {
        page: Page::of(&v),
        matter: rs.id.clone(),
        title: rs.title.get(v.tr.lang).to_owned(),
        questions: questions(rs, v.tr),
        error: None,
    }
    .into_response()
}

/// `POST /my/apply/{matter}`: builds the application from the answers, checks it against
/// the input schema and files it; the answers come back with the field named if not.
pub async fn submit(
    State(state): State<WebState>,
    Path(matter): Path<String>,
    applicant: Result<ApplicantSession, PageError>,
    Form(answers): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Checked once the body has been read as a form (see `guard`).
    let ApplicantSession { v, session, person } = applicant?;
    let csrf = answers
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if csrf != Some(session.csrf.as_str()) {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let book = state.rules.today();
    let Some(rs) = book.decision_set(&matter) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let mut questions = questions(rs, v.tr);
    // Filed the day the service received it, in Finland's time.
    let today = polku_cases::today_in_finland();
    let (application, mut error) = answered(&v, &mut questions, &answers);
    if error.is_none()
        && let Err(e) = Application::from_submission(&application, today)
    {
        let label = questions
            .iter()
            .find(|q| q.path == e.path)
            .map_or(e.path.clone(), |q| q.label.clone());
        error = Some(format!("{label}: {}", e.problem));
    }
    if let Some(detail) = error {
        return Ok(form_again(&v, rs, questions, &detail));
    }
    let new = NewApplication {
        matter: rs.id.clone(),
        applicant_id: person,
        application_date: today,
        application,
        deadline: rs.processing_time.as_ref().and_then(|p| p.deadline(today)),
    };
    let filed = state
        .store
        .submit(&new, &Actor::User(session.principal.user_id))
        .await;
    Ok(match filed {
        Ok(id) => Redirect::to(&format!("/my/cases/{id}")).into_response(),
        Err(e) => internal(&v, &e),
    })
}

/// The application the `answers` make, each question holding what was given for it to
/// show again, and the first problem found, if any: text that cannot be stored (not
/// shown again either) or a number that is not one.
fn answered(
    v: &Visitor,
    questions: &mut [Question],
    answers: &[(String, String)],
) -> (Value, Option<String>) {
    let mut application = Value::Object(Map::new());
    let mut error = None;
    for q in questions {
        let given = answers
            .iter()
            .find(|(k, _)| k == q.path)
            .map(|(_, a)| a.trim().to_owned())
            .unwrap_or_default();
        q.value = given.clone();
        if given.is_empty() {
            continue; // unanswered is unknown: the rules say what that means
        }
        if let Err(e) = crate::text::plain_text(&given, crate::text::MAX_SHORT) {
            error.get_or_insert_with(|| crate::text::problem(v, &q.label, e));
            // What cannot be stored is not shown again either.
            q.value.clear();
            continue;
        }
        let value = match q.kind {
            "bool" => Some(Value::from(given == "true")),
            "number" => given
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(Value::from),
            _ => Some(Value::from(given.clone())),
        };
        match value {
            Some(value) => put_path(&mut application, q.path, value),
            None => {
                error.get_or_insert_with(|| format!("{}: {given}", q.label));
            }
        }
    }
    (application, error)
}

/// The form again with the answers given and what was wrong with them (422).
fn form_again(v: &Visitor, rs: &RuleSet, questions: Vec<Question>, detail: &str) -> Response {
    let page = Page::of(v);
    let error = Some(page.tr.t1("error-bad-input", "detail", detail));
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        ApplyForm {
            page,
            matter: rs.id.clone(),
            title: rs.title.get(v.tr.lang).to_owned(),
            questions,
            error,
        },
    )
        .into_response()
}
