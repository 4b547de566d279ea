//! The frame every page shares: what a page shows besides its content (language, the
//! visitor's name, the CSRF token), error pages, and reading a posted form with its CSRF
//! token. It knows the visitor; the visitor knows no page.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Tr;
use crate::visitor::{Session, SessionLookupFailed, Visitor};

/// What every page shows: language, the visitor's name and the CSRF token for forms.
pub(crate) struct Page {
    pub tr: Tr,
    pub path: String,
    pub user: Option<String>,
    pub csrf: String,
}

impl Page {
    pub(crate) fn of(v: &Visitor) -> Page {
        Page {
            tr: v.tr,
            path: v.path.clone(),
            user: v.session.as_ref().map(|s| s.principal.name.clone()),
            csrf: v
                .session
                .as_ref()
                .map(|s| s.csrf.clone())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub page: Page,
    pub message: String,
    /// Where to go back to fix it (a case's page), if not the front page.
    pub back: Option<String>,
}

/// An error as a page in the visitor's language, with its status.
pub fn error_page(v: &Visitor, status: StatusCode, key: &str) -> Response {
    let page = Page::of(v);
    let message = page.tr.t(key);
    (
        status,
        ErrorPage {
            page,
            message,
            back: None,
        },
    )
        .into_response()
}

/// An error with its own message (already in the visitor's language) and a link back to
/// the page where it can be put right.
pub(crate) fn error_back(v: &Visitor, status: StatusCode, message: String, back: &str) -> Response {
    let page = Page::of(v);
    (
        status,
        ErrorPage {
            page,
            message,
            back: Some(back.to_owned()),
        },
    )
        .into_response()
}

/// The 422 page: `detail` (a field's label, or the value given) is not what was expected.
pub(crate) fn bad_input(v: &Visitor, detail: &str) -> Response {
    let page = Page::of(v);
    let message = page.tr.t1("error-bad-input", "detail", detail);
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorPage {
            page,
            message,
            back: None,
        },
    )
        .into_response()
}

pub(crate) fn internal(v: &Visitor, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e.to_string().escape_debug(), "page failed");
    error_page(v, StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
}

impl IntoResponse for SessionLookupFailed {
    fn into_response(self) -> Response {
        error_page(&self.0, StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    }
}

/// The page a visitor gets instead of the one asked for — the sign-in, or an error page
/// in their language — so that a handler can stop early with `?`. Boxed because a
/// `Response` is large and every `Result` that may carry one would be as large.
pub(crate) struct PageError(Box<Response>);

impl From<Response> for PageError {
    fn from(response: Response) -> PageError {
        PageError(Box::new(response))
    }
}

impl From<SessionLookupFailed> for PageError {
    fn from(failed: SessionLookupFailed) -> PageError {
        PageError::from(failed.into_response())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// A posted form that carries a CSRF token.
pub(crate) trait CarriesCsrf {
    fn csrf(&self) -> &str;
}

/// The posted `form` when it parsed and carries `session`'s CSRF token, with the id the
/// path names; otherwise the page that says what was wrong (403, or 404 for a bad id).
pub(crate) fn posted<F: CarriesCsrf>(
    v: &Visitor,
    session: &Session,
    form: Result<axum::Form<F>, axum::extract::rejection::FormRejection>,
    id: &str,
) -> Result<(F, uuid::Uuid), PageError> {
    let forbidden = || PageError::from(error_page(v, StatusCode::FORBIDDEN, "error-csrf"));
    let Ok(axum::Form(form)) = form else {
        return Err(forbidden());
    };
    if form.csrf() != session.csrf {
        return Err(forbidden());
    }
    let id = uuid::Uuid::parse_str(id)
        .map_err(|_| PageError::from(error_page(v, StatusCode::NOT_FOUND, "error-not-found")))?;
    Ok((form, id))
}
