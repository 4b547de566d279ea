//! What the authority asks of an applicant, on both sides: the applicant reads a request in
//! plain words (what is needed, why, by when, whom to ask) and answers it with text and
//! attachments; the handler asks for evidence or hears the applicant before a refusal, and
//! reads the answers. Every attachment read is in the use log. The applicant may also
//! withdraw an open application here.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use polku_audit::{Actor, AuditEntry, AuditLog};
use polku_cases::{
    AnswerError, AttachmentError, CaseError, CaseState, Decision, HandlingError, MediaType,
    NewRequest, RequestKind, Upload,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{PageError, bad_input, error_back, posted};
use crate::frame::{error_page, internal};
use crate::guard::{ApplicantSession, HandlerSession};
use crate::i18n::Tr;
use crate::names::Reader;
use crate::plain;
use crate::text::typed;
use crate::visitor::{Session, Visitor};

/// The largest body of an answer: every attachment at its largest, and the text.
pub(crate) const MAX_ANSWER_BODY: usize =
    polku_cases::MAX_ATTACHMENTS * polku_cases::MAX_ATTACHMENT_BYTES + 64 * 1024;

/// An attached file as a page lists it.
pub(crate) struct FileLine {
    pub(crate) href: String,
    pub(crate) name: String,
    /// "PDF, 12 kB".
    pub(crate) detail: String,
}

pub(crate) struct AnswerLine {
    pub(crate) at: String,
    pub(crate) text: String,
    pub(crate) files: Vec<FileLine>,
}

/// One request as a page shows it.
pub(crate) struct RequestSection {
    pub(crate) id: Uuid,
    pub(crate) heading: String,
    pub(crate) asked: String,
    /// The handler's words (for a hearing: the draft grounds).
    pub(crate) what: Option<String>,
    /// The conditions it concerns: the condition in words, and its legal basis.
    pub(crate) conditions: Vec<(String, String)>,
    pub(crate) due: String,
    pub(crate) overdue: bool,
    pub(crate) contact: String,
    /// The applicant may answer it now.
    pub(crate) open: bool,
    pub(crate) answer: Option<AnswerLine>,
}

/// A case's requests for `reader`, newest first. `base` is the case page the attachment
/// links hang under (`/my/cases/{id}` or `/work/cases/{id}`).
pub(crate) async fn sections(
    state: &WebState,
    tr: Tr,
    case: &polku_cases::Case,
    decisions: &[Decision],
    reader: Reader,
    base: &str,
) -> Result<Vec<RequestSection>, Box<dyn std::error::Error + Send + Sync>> {
    let requests = state.store.requests(case.id).await?;
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let names = crate::names::accounts_named(state, requests.iter().map(|r| &r.asked_by)).await?;
    // The conditions as the machine last stated them, in the reader's language (for the
    // applicant, without what the law withholds from them).
    let trace = decisions
        .iter()
        .rev()
        .find(|d| d.automated)
        .and_then(|d| d.trace.in_lang(tr.lang))
        .map(|t| match reader {
            Reader::Applicant => t.for_applicant(),
            Reader::Official => t.clone(),
        });
    let today = polku_cases::today_in_finland();
    let waiting = matches!(
        case.state,
        CaseState::EvidenceRequested | CaseState::Hearing
    );
    let mut out: Vec<RequestSection> = requests
        .iter()
        .map(|r| {
            let conditions = r
                .conditions
                .iter()
                .filter_map(|id| {
                    let c = trace.as_ref()?.conditions.iter().find(|c| &c.id == id)?;
                    Some((c.text.clone(), plain::legal_basis(&c.legal_basis, tr.lang)))
                })
                .collect();
            let contact = match &r.asked_by {
                Actor::User(id) => match names.get(id) {
                    Some(p) => match &p.organisation {
                        Some(org) => tr.t_with(
                            "req-contact-official",
                            &[("name", p.name.as_str()), ("organisation", org.as_str())],
                        ),
                        None => p.name.clone(),
                    },
                    None => tr.t1("req-contact-service", "reference", &case.id.to_string()),
                },
                _ => tr.t1("req-contact-service", "reference", &case.id.to_string()),
            };
            RequestSection {
                id: r.id,
                heading: tr.t(match r.kind {
                    RequestKind::Evidence => "req-heading-evidence",
                    RequestKind::Hearing => "req-heading-hearing",
                }),
                asked: plain::micros(r.asked_at, tr.lang),
                what: r.what.clone(),
                conditions,
                due: plain::date(r.due, tr.lang),
                overdue: r.is_open() && r.due < today,
                contact,
                open: r.is_open() && waiting,
                answer: r.answer.as_ref().map(|a| AnswerLine {
                    at: plain::micros(a.at, tr.lang),
                    text: a.text.clone(),
                    files: a
                        .attachments
                        .iter()
                        .map(|f| FileLine {
                            href: format!("{base}/attachments/{}", f.id),
                            name: f.file_name.clone(),
                            detail: format!(
                                "{}, {}",
                                media_label(f.media_type),
                                size_label(f.size, tr)
                            ),
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    out.reverse();
    Ok(out)
}

fn media_label(m: MediaType) -> &'static str {
    match m {
        MediaType::Pdf => "PDF",
        MediaType::Jpeg => "JPEG",
        MediaType::Png => "PNG",
    }
}

/// A file's size in the reader's numbers: "12 kB", "1,5 MB" (fi/sv), "1.5 MB" (en).
fn size_label(bytes: i64, tr: Tr) -> String {
    let b = bytes as f64;
    if b < 1024.0 * 1024.0 {
        format!("{} kB", plain::number((b / 1024.0).ceil(), tr.lang))
    } else {
        let mb = (b / (1024.0 * 1024.0) * 10.0).round() / 10.0;
        format!("{} MB", plain::number(mb, tr.lang))
    }
}

/// The answer as posted: the CSRF token, the text, the files.
#[derive(Default)]
struct AnswerSent {
    csrf: String,
    text: String,
    files: Vec<Upload>,
}

/// Reads the posted answer. A file input left empty sends a part with no name and no
/// bytes: it is no attachment.
async fn read_answer(mut form: Multipart) -> Result<AnswerSent, ()> {
    let mut sent = AnswerSent::default();
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| ())?;
        match name.as_str() {
            "csrf" => sent.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "answer" => sent.text = String::from_utf8(bytes.to_vec()).map_err(|_| ())?,
            "files" => {
                let file_name = file_name.unwrap_or_default();
                if !(bytes.is_empty() && file_name.is_empty()) {
                    sent.files.push(Upload {
                        file_name,
                        content: bytes.to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(sent)
}

/// `POST /my/cases/{id}/requests/{request}/answer` (multipart): the applicant's answer.
pub async fn answer(
    State(state): State<WebState>,
    Path((id, request)): Path<(String, String)>,
    applicant: Result<ApplicantSession, PageError>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    // The body is read first, whoever sent it (see `guard`).
    let sent = match form {
        Ok(form) => read_answer(form).await,
        Err(_) => Err(()),
    };
    let ApplicantSession { v, session, person } = applicant?;
    let back = format!("/my/cases/{id}");
    let Ok(sent) = sent else {
        let message = v.tr.t("req-error-body");
        return Err(error_back(&v, StatusCode::PAYLOAD_TOO_LARGE, message, &back).into());
    };
    if sent.csrf != session.csrf {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let (Ok(case), Ok(request)) = (Uuid::parse_str(&id), Uuid::parse_str(&request)) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let label = v.tr.t("req-answer-label");
    typed(&v, &[(&label, &sent.text, polku_cases::MAX_ANSWER_CHARS)])?;
    let answered = state
        .store
        .answer_request(case, request, &person, &sent.text, sent.files)
        .await;
    let tr = v.tr;
    let refused = |key: &str, args: &[(&str, &str)]| -> PageError {
        error_back(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t_with(key, args),
            &back,
        )
        .into()
    };
    match answered {
        Ok(()) => Ok(Redirect::to(&format!("/my/cases/{case}?answered=1")).into_response()),
        Err(AnswerError::NotTheApplicant(_) | AnswerError::Case(CaseError::NotFound(_))) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(AnswerError::NoOpenRequest(..)) => {
            let message = tr.t("req-error-closed");
            Err(error_back(&v, StatusCode::CONFLICT, message, &back).into())
        }
        Err(AnswerError::Empty) => Err(refused("req-error-empty", &[])),
        Err(AnswerError::TooLong) => Err(bad_input(&v, &label).into()),
        Err(AnswerError::Attachment(e)) => Err(match e {
            AttachmentError::Empty { name } => refused("req-error-file-empty", &[("name", &name)]),
            AttachmentError::TooLarge { name, .. } => {
                refused("req-error-file-large", &[("name", &name)])
            }
            AttachmentError::NotAllowedType { name } => {
                refused("req-error-file-type", &[("name", &name)])
            }
            AttachmentError::TooMany => refused("req-error-file-many", &[]),
        }),
        Err(AnswerError::Case(e)) => Err(internal(&v, &e).into()),
    }
}

/// An attachment served to a reader who may see it: as a download of the type its content
/// showed, never shown inline (the security headers add the policy, `nosniff` and
/// `no-store`).
fn file_response(file: polku_cases::StoredAttachment) -> Response {
    let name = plain::query_value(&file.info.file_name).replace('+', "%20");
    let disposition = format!("attachment; filename*=UTF-8''{name}");
    let mut response = (
        [(header::CONTENT_TYPE, file.info.media_type.mime())],
        file.content,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn log_file_read(
    state: &WebState,
    session: &Session,
    person: &str,
    purpose: &str,
    case: Uuid,
    attachment: Uuid,
) -> Result<(), polku_cases::StoreError> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: Actor::User(session.principal.user_id),
            organisation: session.principal.organisation.clone(),
            person: Some(person.to_owned()),
            purpose: purpose.to_owned(),
            legal_basis: None,
            detail: json!({"read": "attachment", "case": case, "attachment": attachment}),
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

/// The case and the attachment a path names, if both read as ids.
fn ids(v: &Visitor, case: &str, file: &str) -> Result<(Uuid, Uuid), PageError> {
    match (Uuid::parse_str(case), Uuid::parse_str(file)) {
        (Ok(c), Ok(f)) => Ok((c, f)),
        _ => Err(error_page(v, StatusCode::NOT_FOUND, "error-not-found").into()),
    }
}

/// `GET /my/cases/{id}/attachments/{file}`: the applicant's own attachment.
pub async fn my_attachment(
    State(state): State<WebState>,
    Path((case, file)): Path<(String, String)>,
    ApplicantSession { v, session, person }: ApplicantSession,
) -> Result<Response, PageError> {
    let (case, file) = ids(&v, &case, &file)?;
    let not_found = || PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found"));
    match state.store.case(case).await {
        Ok(c) if c.applicant_id == person => {}
        Ok(_) | Err(CaseError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(internal(&v, &e).into()),
    }
    let stored = state
        .store
        .attachment(case, file)
        .await
        .map_err(|e| internal(&v, &e))?
        .ok_or_else(not_found)?;
    log_file_read(
        &state,
        &session,
        &person,
        "the applicant reads an attachment of their own case (e-service)",
        case,
        file,
    )
    .await
    .map_err(|e| internal(&v, &e))?;
    Ok(file_response(stored))
}

/// `GET /work/cases/{id}/attachments/{file}`: an attachment, for the case's handling.
pub async fn work_attachment(
    State(state): State<WebState>,
    Path((case, file)): Path<(String, String)>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let (case, file) = ids(&v, &case, &file)?;
    let not_found = || PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found"));
    let person = match state.store.case(case).await {
        Ok(c) => c.applicant_id,
        Err(CaseError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(internal(&v, &e).into()),
    };
    let stored = state
        .store
        .attachment(case, file)
        .await
        .map_err(|e| internal(&v, &e))?
        .ok_or_else(not_found)?;
    log_file_read(&state, &session, &person, "case handling", case, file)
        .await
        .map_err(|e| internal(&v, &e))?;
    Ok(file_response(stored))
}

#[derive(Deserialize)]
pub struct AskForm {
    csrf: String,
    kind: String,
    what: String,
    days: String,
}

impl crate::frame::CarriesCsrf for AskForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /work/cases/{id}/requests`: the handler asks for evidence, or hears the applicant
/// on the draft grounds of a refusal.
pub async fn ask(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<AskForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let tr = v.tr;
    let back = format!("/work/cases/{id}");
    let (kind, label) = match form.kind.as_str() {
        "evidence" => (RequestKind::Evidence, tr.t("req-ask-what")),
        "hearing" => (RequestKind::Hearing, tr.t("req-hear-grounds")),
        other => return Err(bad_input(&v, other).into()),
    };
    typed(&v, &[(&label, &form.what, polku_cases::MAX_ANSWER_CHARS)])?;
    let days = form.days.trim().parse::<i16>().ok();
    let Some(days) = days.filter(|d| polku_cases::ANSWER_DAYS.contains(d)) else {
        let message = tr.t("req-error-days");
        return Err(error_back(&v, StatusCode::UNPROCESSABLE_ENTITY, message, &back).into());
    };
    if form.what.trim().is_empty() {
        let message = tr.t1("req-error-what", "field", &label);
        return Err(error_back(&v, StatusCode::UNPROCESSABLE_ENTITY, message, &back).into());
    }
    let request = NewRequest {
        kind,
        what: &form.what,
        conditions: &[],
        days,
    };
    let me = Actor::User(session.principal.user_id);
    match state.store.ask_applicant(id, &me, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/work/cases/{id}?asked=1")).into_response()),
        Err(HandlingError::Case(CaseError::NotFound(_))) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(HandlingError::Case(e)) => Err(internal(&v, &e).into()),
        Err(HandlingError::BadRequest) => {
            let message = tr.t1("req-error-what", "field", &label);
            Err(error_back(&v, StatusCode::UNPROCESSABLE_ENTITY, message, &back).into())
        }
        Err(HandlingError::NotClaimed(_)) => {
            let message = tr.t("req-error-claim");
            Err(error_back(&v, StatusCode::CONFLICT, message, &back).into())
        }
        Err(_) => Err(error_page(&v, StatusCode::CONFLICT, "work-not-waiting").into()),
    }
}

#[derive(Deserialize)]
pub struct WithdrawalForm {
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

impl crate::frame::CarriesCsrf for WithdrawalForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /my/cases/{id}/withdrawal`: the applicant withdraws an open application, having
/// confirmed that they mean it.
pub async fn withdraw(
    State(state): State<WebState>,
    Path(id): Path<String>,
    ApplicantSession { v, session, person }: ApplicantSession,
    form: Result<Form<WithdrawalForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let tr = v.tr;
    let back = format!("/my/cases/{id}#withdraw");
    let label = tr.t("withdraw-reason");
    typed(&v, &[(&label, &form.reason, crate::text::MAX_SHORT)])?;
    if form.confirm != "yes" {
        let message = tr.t("withdraw-error-confirm");
        return Err(error_back(&v, StatusCode::UNPROCESSABLE_ENTITY, message, &back).into());
    }
    let reason = match form.reason.trim() {
        "" => "withdrawn by the applicant in the e-service",
        r => r,
    };
    match state.store.withdraw(id, &person, reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/my/cases/{id}?withdrawn=1")).into_response()),
        Err(HandlingError::NotTheApplicant(_) | HandlingError::Case(CaseError::NotFound(_))) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(HandlingError::NotOpen(..)) => {
            let message = tr.t("withdraw-error-closed");
            Err(error_back(&v, StatusCode::CONFLICT, message, &back).into())
        }
        Err(e) => Err(internal(&v, &e).into()),
    }
}
