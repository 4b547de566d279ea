//! A re-examination of a granted permit on the pages: the holder sees on their own case
//! page that it was opened, why (each condition in plain words with its legal basis — or,
//! where the law withholds it from them, only that a person assesses it), by when they can
//! answer, and answers there; the handler sees the holder's answers on the case page, each
//! read in the use log.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_cases::Case;
use polku_monitoring::{AnswerError, HolderGround, MAX_ANSWER, MonitorError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{CarriesCsrf, PageError, bad_input, error_page, internal, posted};
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::plain;
use crate::text::typed;
use crate::visitor::Session;

/// One reason for the re-examination, as the holder reads it.
pub(crate) struct GroundLine {
    pub(crate) text: String,
    pub(crate) legal_basis: String,
    pub(crate) explanation: String,
}

/// An answer the holder gave, as a page shows it.
pub(crate) struct AnswerLine {
    pub(crate) at: String,
    pub(crate) text: String,
}

/// The holder's view of a re-examination of their permit.
pub(crate) struct HolderSection {
    pub(crate) opened_on: String,
    pub(crate) answer_by: String,
    pub(crate) grounds: Vec<GroundLine>,
    /// Whether some ground is one the law withholds: a person assesses it.
    pub(crate) assessed_by_person: bool,
    pub(crate) basis: Option<String>,
    pub(crate) open: bool,
    pub(crate) answers: Vec<AnswerLine>,
}

fn answer_lines(tr: Tr, answers: &[polku_monitoring::HolderAnswer]) -> Vec<AnswerLine> {
    answers
        .iter()
        .map(|a| AnswerLine {
            at: plain::micros(a.answered_at, tr.lang),
            text: a.text.clone(),
        })
        .collect()
}

/// The holder's view of case `case`, when it is a re-examination of a permit of `person`.
pub(crate) async fn holder_section(
    state: &WebState,
    case: Uuid,
    person: &str,
    tr: Tr,
) -> Result<Option<HolderSection>, MonitorError> {
    let Some(r) = state
        .monitor
        .reexamination_for_holder(case, person, tr.lang)
        .await?
    else {
        return Ok(None);
    };
    let answers = state.monitor.answers(case).await?;
    let mut grounds = Vec::new();
    let mut assessed_by_person = false;
    for g in r.grounds {
        match g {
            HolderGround::Stated {
                text,
                legal_basis,
                explanation,
            } => grounds.push(GroundLine {
                text,
                legal_basis: plain::legal_basis(&legal_basis, tr.lang),
                explanation,
            }),
            HolderGround::AssessedByPerson => assessed_by_person = true,
        }
    }
    Ok(Some(HolderSection {
        opened_on: plain::date(r.opened_on, tr.lang),
        answer_by: plain::date(r.answer_by, tr.lang),
        grounds,
        assessed_by_person,
        basis: r.basis.map(|b| plain::legal_basis(&b, tr.lang)),
        open: r.open,
        answers: answer_lines(tr, &answers),
    }))
}

/// What the handler's case page shows of a re-examination.
pub(crate) struct HandlerSection {
    /// The alert whose confirmation opened it.
    pub(crate) alert: Option<Uuid>,
    pub(crate) answer_by: String,
    pub(crate) answers: Vec<AnswerLine>,
}

/// The handler's view of `case` when it is a re-examination; reading the holder's answers
/// is in the use log.
pub(crate) async fn handler_section(
    state: &WebState,
    session: &Session,
    case: &Case,
    tr: Tr,
) -> Result<Option<HandlerSection>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(r) = state
        .monitor
        .reexamination_for_holder(case.id, &case.applicant_id, tr.lang)
        .await?
    else {
        return Ok(None);
    };
    let alert = state.monitor.alert_of_case(case.id).await?;
    let answers = state.monitor.answers(case.id).await?;
    if !answers.is_empty() {
        crate::use_log::holders_read(
            state,
            session,
            Some(&case.applicant_id),
            "re-examination: the permit holder's answers read for handling",
            json!({
                "read": "holder answers",
                "case": case.id,
                "answers": answers.iter().map(|a| a.id).collect::<Vec<_>>(),
            }),
        )
        .await?;
    }
    Ok(Some(HandlerSection {
        alert: alert.map(|a| a.id),
        answer_by: plain::date(r.answer_by, tr.lang),
        answers: answer_lines(tr, &answers),
    }))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    csrf: String,
    #[serde(default)]
    answer: String,
}

impl CarriesCsrf for AnswerForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /my/cases/{id}/answer`: the holder answers in the re-examination of their permit.
pub async fn answer(
    State(state): State<WebState>,
    Path(id): Path<String>,
    ApplicantSession { v, session, person }: ApplicantSession,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let label = v.tr.t("mon-holder-answer-label");
    typed(&v, &[(&label, &form.answer, MAX_ANSWER)])?;
    if form.answer.trim().is_empty() {
        return Err(bad_input(&v, &label).into());
    }
    match state.monitor.answer(id, &person, &form.answer).await {
        Ok(_) => Ok(Redirect::to(&format!("/my/cases/{id}?answered=1")).into_response()),
        // Someone else's case, or no re-examination, does not exist for this holder.
        Err(AnswerError::NotTheirs(_)) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(AnswerError::Closed(_)) => {
            Err(error_page(&v, StatusCode::CONFLICT, "mon-holder-closed").into())
        }
        Err(AnswerError::Empty | AnswerError::TooLong) => Err(bad_input(&v, &label).into()),
        Err(AnswerError::Monitor(e)) => Err(internal(&v, &e).into()),
    }
}
