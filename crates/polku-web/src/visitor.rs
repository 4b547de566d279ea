//! Who is looking at a page: their language (a cookie, remembered) and, when signed in,
//! their session with its CSRF token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use polku_access::Principal;
use polku_rules::Lang;

use crate::WebState;
use crate::i18n::Tr;

pub const SESSION_COOKIE: &str = "polku_session";
pub const LANG_COOKIE: &str = "polku_lang";
/// The CSRF token of a form shown before sign-in (double-submit: cookie and field agree).
pub const PRE_CSRF_COOKIE: &str = "polku_csrf";

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    pub token: String,
}

/// The visitor of a page.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub tr: Tr,
    pub session: Option<Session>,
    /// The path asked for, so the language links come back to it.
    pub path: String,
    pub pre_csrf: Option<String>,
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The language the visitor chose (the cookie), Finnish unless they chose.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|l| l.parse::<Lang>().ok())
        .unwrap_or(Lang::Fi)
}

/// `response` with a cookie set: HttpOnly, Secure, SameSite=Lax, for the whole site.
/// `max_age_seconds` 0 removes it.
pub fn with_cookie(
    mut response: Response,
    name: &str,
    value: &str,
    max_age_seconds: i64,
) -> Response {
    let cookie = format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Lax"
    );
    if let Ok(cookie) = axum::http::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The session could not be looked up (the database failed): the page says so in the
/// visitor's language (rendered by `frame`, which knows pages).
pub struct SessionLookupFailed(pub Visitor);

impl FromRequestParts<WebState> for Visitor {
    type Rejection = SessionLookupFailed;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        let tr = Tr { lang };
        let path = parts.uri.path().to_owned();
        let session = match cookie(&parts.headers, SESSION_COOKIE) {
            None => None,
            Some(token) => match state.sessions().find(&token).await {
                Ok(found) => found.map(|(principal, csrf)| Session {
                    principal,
                    csrf,
                    token,
                }),
                Err(e) => {
                    tracing::error!(error = %e.to_string().escape_debug(), "session lookup failed");
                    return Err(SessionLookupFailed(Visitor {
                        tr,
                        session: None,
                        path,
                        pre_csrf: None,
                    }));
                }
            },
        };
        Ok(Visitor {
            tr,
            session,
            path,
            pre_csrf: cookie(&parts.headers, PRE_CSRF_COOKIE),
        })
    }
}
