//! `/my/contact`: how an applicant is told — the messages service, email or nothing — and
//! in which language, and the notifications sent to them (the sending log, issue 12).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_notify::{
    Channel, ContactPreference, EmailAddress, Notification, NotificationState, PreferenceError,
    SkipReason,
};
use polku_rules::Lang;
use serde::Deserialize;

use crate::WebState;
use crate::frame::{Page, PageError, error_page, internal};
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::names::{Reader, matter_title};
use crate::plain;

/// The most notifications the page lists.
const LISTED: i64 = 20;

/// A notification as the person reads it.
struct Sent {
    when: String,
    what: String,
    matter: String,
    case: String,
    how: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contact.html")]
struct Contact {
    page: Page,
    channel: String,
    email: String,
    language: String,
    /// (field id, message) for the summary and the fields.
    errors: Vec<(String, String)>,
    saved: bool,
    sent: Vec<Sent>,
}

impl Contact {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /my/contact`.
pub async fn show(
    State(state): State<WebState>,
    ApplicantSession { v, person, .. }: ApplicantSession,
    Query(q): Query<Saved>,
) -> Result<Response, PageError> {
    let choice = state
        .notifier
        .preference(&person)
        .await
        .map_err(|e| internal(&v, &e))?;
    let choice = choice.unwrap_or(ContactPreference {
        language: v.tr.lang,
        ..ContactPreference::DEFAULT
    });
    let page = Contact {
        page: Page::of(&v),
        channel: choice.channel.code().to_owned(),
        email: choice
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        language: choice.language.code().to_owned(),
        errors: Vec::new(),
        saved: q.saved.is_some(),
        sent: sent(&state, &person, v.tr)
            .await
            .map_err(|e| internal(&v, &e))?,
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct ContactForm {
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
}

/// `POST /my/contact`: the choice checked field by field; a wrong one is shown again with
/// what to fix, and nothing is kept.
pub async fn save(
    State(state): State<WebState>,
    ApplicantSession { v, session, person }: ApplicantSession,
    form: Result<Form<ContactForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    // Without its fields the form is not this page's (nor its token).
    let Ok(Form(form)) = form else {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    };
    if form.csrf != session.csrf {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let tr = v.tr;
    let mut errors = Vec::new();
    let channel = form.channel.parse::<Channel>();
    if channel.is_err() {
        errors.push(("channel-messages".to_owned(), tr.t("contact-error-channel")));
    }
    let language = form.language.parse::<Lang>();
    if language.is_err() {
        errors.push(("language-fi".to_owned(), tr.t("contact-error-language")));
    }
    let email_required = channel == Ok(Channel::Email);
    let email_given = !form.email.trim().is_empty();
    if email_required || email_given {
        match EmailAddress::parse(&form.email) {
            Ok(_) => {}
            Err(PreferenceError::EmailMissing) => {
                errors.push(("email".to_owned(), tr.t("contact-error-email-missing")))
            }
            Err(_) => errors.push(("email".to_owned(), tr.t("contact-error-email-invalid"))),
        }
    }
    let choice = match (channel, language) {
        (Ok(c), Ok(l)) if errors.is_empty() => ContactPreference::new(c, &form.email, l).ok(),
        _ => None,
    };
    let Some(choice) = choice else {
        let page = Contact {
            page: Page::of(&v),
            channel: form.channel,
            email: form.email,
            language: form.language,
            errors,
            saved: false,
            sent: sent(&state, &person, tr)
                .await
                .map_err(|e| internal(&v, &e))?,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    state
        .notifier
        .set_preference(&person, &choice)
        .await
        .map_err(|e| internal(&v, &e))?;
    Ok(Redirect::to("/my/contact?saved=1").into_response())
}

/// The notifications sent to `person`, newest first, in words.
async fn sent(
    state: &WebState,
    person: &str,
    tr: Tr,
) -> Result<Vec<Sent>, polku_notify::NotifyError> {
    let list = state.notifier.for_person(person, LISTED).await?;
    let mut out = Vec::with_capacity(list.len());
    for n in list {
        let matter = match state.store.case(n.case_id).await {
            Ok(c) => matter_title(state, &c.matter, tr),
            Err(_) => String::new(),
        };
        out.push(Sent {
            when: plain::micros(n.sent_at.unwrap_or(n.occurred_at), tr.lang),
            what: n.kind.title(tr.lang).to_owned(),
            matter,
            case: n.case_id.to_string(),
            how: how(&n, tr, Reader::Applicant),
        });
    }
    Ok(out)
}

/// How a notification went, in words: "Sent by email to aino@example.fi"; why one was
/// not sent is said to the applicant as "you", to an official as "the applicant".
pub(crate) fn how(n: &Notification, tr: Tr, reader: Reader) -> String {
    let key = |k: &str| match reader {
        Reader::Applicant => tr.t(k),
        Reader::Official => tr.t(&format!("{k}-official")),
    };
    let address = n.address.clone().unwrap_or_default();
    match (n.state, n.channel) {
        (NotificationState::Sent, Some(Channel::Email)) => {
            tr.t1("notify-sent-email", "address", &address)
        }
        (NotificationState::Sent, _) => tr.t("notify-sent-messages"),
        (NotificationState::Pending, _) => tr.t("notify-pending"),
        (NotificationState::Skipped, _) => match n.skipped_because() {
            Some(SkipReason::ChoseService) => key("notify-skipped-service"),
            _ => key("notify-skipped-no-channel"),
        },
        (NotificationState::Failed, _) => key("notify-failed"),
    }
}

/// A case's notifications as its handler reads them: (when, what, how).
pub(crate) async fn for_case(
    state: &WebState,
    case: uuid::Uuid,
    tr: Tr,
) -> Result<Vec<(String, String, String)>, polku_notify::NotifyError> {
    Ok(state
        .notifier
        .for_case(case)
        .await?
        .iter()
        .map(|n| {
            (
                plain::micros(n.sent_at.unwrap_or(n.occurred_at), tr.lang),
                n.kind.title(tr.lang).to_owned(),
                how(n, tr, Reader::Official),
            )
        })
        .collect())
}
