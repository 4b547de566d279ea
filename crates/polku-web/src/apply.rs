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
use polku_rules::schema::{Check, FIELDS, FieldType, Origin, asking_fields, put_path};
use polku_rules::{Application, RuleSet};
use serde_json::{Map, Value};
use uuid::Uuid;

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
    /// What the question means and where to find the answer.
    help: Option<String>,
    kind: &'static str,
    options: Vec<(String, String)>,
    /// What the applicant entered, when the form comes back with an error.
    value: String,
    /// What is wrong with it and how to put it right.
    error: Option<String>,
    check: Check,
}

impl Question {
    /// The answer as the review shows it: an option's words, or the text given.
    fn shown(&self) -> String {
        self.options
            .iter()
            .find(|(code, _)| *code == self.value)
            .map_or_else(|| self.value.clone(), |(_, words)| words.clone())
    }
}

/// ISCO-08's major groups, which the occupational field is chosen from (Statistics
/// Finland's Classification of Occupations 2010 names them in Finnish and Swedish).
const ISCO_MAJOR_GROUPS: [&str; 10] = [
    "ISCO-1", "ISCO-2", "ISCO-3", "ISCO-4", "ISCO-5", "ISCO-6", "ISCO-7", "ISCO-8", "ISCO-9",
    "ISCO-0",
];

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
            let (kind, options) = match (f.ty, f.check) {
                // An occupation is chosen from the classification's major groups, never typed.
                (FieldType::Text, Check::OccupationalField) => (
                    "choice",
                    ISCO_MAJOR_GROUPS
                        .iter()
                        .map(|g| {
                            (
                                (*g).to_owned(),
                                tr.t(&format!("isco-{}", g.trim_start_matches("ISCO-"))),
                            )
                        })
                        .collect(),
                ),
                (ty, _) => match ty {
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
                },
            };
            let key = f.path.replace('.', "-");
            Question {
                path: f.path,
                id: key.clone(),
                label: tr.t(&format!("field-{key}")),
                help: tr.try_t(&format!("help-{key}")),
                kind,
                options,
                value: String::new(),
                error: None,
                check: f.check,
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
    /// The problems, each linking to its question (the summary at the top).
    errors: Vec<(String, String)>,
    /// How long such applications take now, from the live figures, and the law's limit.
    expected: Vec<String>,
}

/// The window the expected processing time is measured over.
const EXPECTED_WINDOW_DAYS: i64 = 90;
/// Fewer decided applications than this tell nothing reliable.
const EXPECTED_FEWEST: i64 = 10;

/// How long applications for `rs` take now: of those decided in the last 90 days, within
/// what half and nine in ten were decided; and, filed today, the last day the law allows.
async fn expected_time(state: &WebState, tr: Tr, rs: &RuleSet) -> Vec<String> {
    let mut lines = Vec::new();
    let since = polku_store::now_micros() - EXPECTED_WINDOW_DAYS * 86_400_000_000;
    let figures = polku_figures::Figures::new(state.store.db().clone());
    match figures.processing_times(&rs.id, since).await {
        Ok(t) if t.decided >= EXPECTED_FEWEST => {
            let wait = |share: f64| {
                t.wait_for(share)
                    .map(|i| tr.t(&format!("apply-wait-{i}")))
                    .unwrap_or_default()
            };
            lines.push(tr.t_with(
                "apply-expected",
                &[
                    (
                        "decided",
                        crate::plain::number(t.decided as f64, tr.lang).as_str(),
                    ),
                    ("half", wait(0.5).as_str()),
                    ("most", wait(0.9).as_str()),
                ],
            ));
        }
        Ok(_) => lines.push(tr.t("apply-expected-few")),
        // The form works without the figure; the log says why it is missing.
        Err(e) => tracing::warn!(error = %e, "processing times unavailable"),
    }
    if let Some(last) = rs
        .processing_time
        .as_ref()
        .and_then(|p| p.deadline(polku_cases::today_in_finland()))
    {
        lines.push(tr.t1(
            "apply-legal-limit",
            "day",
            &crate::plain::date(last, tr.lang),
        ));
    }
    lines
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
        errors: Vec::new(),
        expected: expected_time(&state, v.tr, rs).await,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "apply_review.html")]
struct Review {
    page: Page,
    matter: String,
    title: String,
    questions: Vec<Question>,
    /// Sent with the application: a second click files nothing new.
    key: String,
    /// The declaration was not ticked.
    undeclared: bool,
    /// This server can show what the registers hold before sending.
    can_preview: bool,
    /// The processing fee, in words; whether one is due (the button says "pay and send").
    fee: Vec<String>,
    fee_due: bool,
    /// What the registers hold now and how the conditions look on it, when asked.
    preview: Option<crate::preview::PreviewView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "apply_duplicate.html")]
struct Duplicate {
    page: Page,
    title: String,
    case: Uuid,
}

/// `POST /my/apply/{matter}`: `action=review` checks every answer and shows them to be
/// checked, with the declaration; `action=edit` brings the form back filled; `action=send`
/// files the application once (its key answers a second click with the same case), unless
/// the applicant already has an open application for the matter.
pub async fn submit(
    State(state): State<WebState>,
    Path(matter): Path<String>,
    applicant: Result<ApplicantSession, PageError>,
    Form(answers): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Checked once the body has been read as a form (see `guard`).
    let ApplicantSession { v, session, person } = applicant?;
    let field = |name: &str| {
        answers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("csrf") != Some(session.csrf.as_str()) {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let book = state.rules.today();
    let Some(rs) = book.decision_set(&matter) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let mut questions = questions(rs, v.tr);
    // Filed the day the service received it, in Finland's time.
    let today = polku_cases::today_in_finland();
    let application = answered(&v, &mut questions, &answers, today);
    let action = field("action").unwrap_or("review");
    let page = Page::of(&v);
    let title = rs.title.get(v.tr.lang).to_owned();
    if action == "edit" {
        for q in &mut questions {
            q.error = None;
        }
        return Ok(ApplyForm {
            page,
            matter: rs.id.clone(),
            title,
            questions,
            errors: Vec::new(),
            expected: expected_time(&state, v.tr, rs).await,
        }
        .into_response());
    }
    let errors: Vec<(String, String)> = questions
        .iter()
        .filter_map(|q| Some((q.id.clone(), format!("{}: {}", q.label, q.error.clone()?))))
        .collect();
    if !errors.is_empty() {
        let form = ApplyForm {
            page,
            matter: rs.id.clone(),
            title,
            questions,
            errors,
            expected: expected_time(&state, v.tr, rs).await,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response());
    }
    let declared = field("declaration") == Some("yes");
    if action != "send" || !declared {
        let preview = if action == "preview" {
            crate::preview::run(&state, v.tr, &session, &person, &rs.id, &application)
                .await
                .map_err(|e| internal(&v, &e))?
        } else {
            None
        };
        let fee = crate::payment::fee_note(&state, &rs.id, v.tr);
        let review = Review {
            fee: fee.lines,
            fee_due: fee.due.is_some(),
            can_preview: state.preview.is_some(),
            preview,
            page,
            matter: rs.id.clone(),
            title,
            questions,
            key: field("key")
                .filter(|k| Uuid::parse_str(k).is_ok())
                .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned),
            undeclared: action == "send",
        };
        let status = if action == "send" {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        return Ok((status, review).into_response());
    }
    let Some(key) = field("key").filter(|k| Uuid::parse_str(k).is_ok()) else {
        return Err(error_page(&v, StatusCode::UNPROCESSABLE_ENTITY, "apply-error-expired").into());
    };
    // One open application for a matter at a time: a second is a duplicate. (The same
    // form sent twice is the same application: its key finds the first.)
    let open = state
        .store
        .cases_of(&person, None, 200)
        .await
        .map_err(|e| internal(&v, &e))?
        .into_iter()
        .find(|c| c.matter == rs.id && c.state.is_open());
    let new = NewApplication {
        matter: rs.id.clone(),
        applicant_id: person,
        application_date: today,
        application,
        deadline: rs.processing_time.as_ref().and_then(|p| p.deadline(today)),
    };
    let user = session.principal.user_id.to_string();
    if let Some(open) = open {
        // A second click lands here too, and finds the first one's case.
        return Ok((
            StatusCode::CONFLICT,
            Duplicate {
                page,
                title,
                case: open.id,
            },
        )
            .into_response());
    }
    // A fee due is paid first: the application waits, and is filed when it is paid.
    if let Some(cents) = crate::payment::fee_note(&state, &rs.id, v.tr).due {
        return crate::payment::pay_then_file(&state, &v, &session, &new, key, cents, &title).await;
    }
    // Two clicks at once both pass the check above; the key files the application once.
    let filed = state
        .store
        .submit_once(&new, &Actor::User(session.principal.user_id), &user, key)
        .await;
    Ok(match filed {
        Ok((id, _)) => Redirect::to(&format!("/my/cases/{id}")).into_response(),
        Err(polku_cases::CaseError::KeyReused) => {
            error_page(&v, StatusCode::UNPROCESSABLE_ENTITY, "apply-error-expired")
        }
        Err(e) => internal(&v, &e),
    })
}

/// The application the `answers` make. Each question keeps what was given for it, to
/// show again, and what is wrong with it: unanswered, text that cannot be stored (not shown
/// again either), a number that is not one, or a value the input schema refuses — each
/// said with how to put it right.
fn answered(
    v: &Visitor,
    questions: &mut [Question],
    answers: &[(String, String)],
    today: jiff::civil::Date,
) -> Value {
    let tr = v.tr;
    let mut application = Value::Object(Map::new());
    for q in questions {
        let given = answers
            .iter()
            .find(|(k, _)| k == q.path)
            .map(|(_, a)| a.trim().to_owned())
            .unwrap_or_default();
        q.value = given.clone();
        if given.is_empty() {
            q.error = Some(tr.t(if q.kind == "choice" || q.kind == "bool" {
                "apply-error-choose"
            } else {
                "apply-error-required"
            }));
            continue;
        }
        if let Err(e) = crate::text::plain_text(&given, crate::text::MAX_SHORT) {
            q.error = Some(crate::text::problem(v, &q.label, e));
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
            "choice" => q
                .options
                .iter()
                .any(|(code, _)| *code == given)
                .then(|| Value::from(given.clone())),
            _ => Some(Value::from(given.clone())),
        };
        let Some(value) = value else {
            q.error = Some(tr.t(match q.kind {
                "number" => "apply-error-number",
                _ => "apply-error-choose",
            }));
            continue;
        };
        // The input schema's own check of this one answer.
        let mut alone = Value::Object(Map::new());
        put_path(&mut alone, q.path, value.clone());
        if Application::from_submission(&alone, today).is_err() {
            q.error = Some(tr.t(match q.check {
                Check::BusinessId => "apply-error-business-id",
                Check::OccupationalField => "apply-error-choose",
                Check::Range { .. } => "apply-error-range",
                Check::Past => "apply-error-past",
                _ => "apply-error-value",
            }));
            continue;
        }
        put_path(&mut application, q.path, value);
    }
    application
}
