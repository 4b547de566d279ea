//! What every answer carries for the browser's protection — the pages' and the API's
//! alike — and where a request came from.
//!
//! The headers: a Content-Security-Policy that allows scripts, styles and images from
//! this site only (no page has a script, and no inline style: the look is
//! `/static/polku.css`), and no framing; `X-Content-Type-Options: nosniff`;
//! `Referrer-Policy: no-referrer` (a case's address never leaves in a Referer);
//! `Cache-Control: no-store` on every answer that does not say otherwise (pages and API
//! answers carry personal data; only the stylesheet may be cached); and
//! `Strict-Transport-Security` when the request came over TLS.
//!
//! Polku serves plain HTTP, on loopback by default; TLS ends at a reverse proxy in front
//! of it. A request came over TLS when the proxy says so with `X-Forwarded-Proto: https`,
//! and a proxy is trusted only when it is this host (the peer's address is loopback):
//! a header from anyone else is ignored. The same trust decides whose address a request
//! has ([`Origin::address`]): the last `X-Forwarded-For` entry from a trusted proxy,
//! otherwise the peer's. Both need the peer's address, which axum knows when served with
//! [`served`] (`into_make_service_with_connect_info`); without it no request counts as
//! TLS and the address is unknown.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::extract::{ConnectInfo, Request};
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The pages' policy: everything from this site only, no inline script or style, no
/// plugins, never in a frame, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; \
form-action 'self'; base-uri 'none'";

/// A year, as HSTS is usually given.
const HSTS: &str = "max-age=31536000";

/// `router` with the security headers on every answer, its fallback's included. Applying
/// it twice changes nothing.
pub fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(axum::middleware::from_fn(add_security_headers))
}

/// The composed service as `axum::serve` should run it: the security headers on every
/// answer, and every request knowing its peer's address (for HSTS behind a proxy and the
/// sign-in's limits per address).
pub fn served(router: Router) -> IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    security_headers(router).into_make_service_with_connect_info::<SocketAddr>()
}

async fn add_security_headers(request: Request, next: Next) -> Response {
    let tls = Origin::of(request.extensions(), request.headers()).tls
        || request.uri().scheme_str() == Some("https");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    if tls {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    // A static file says how long it may be kept; nothing else may be kept at all.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Where a request came from, as far as this process can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The client's address; `None` when the server does not know its peers.
    pub address: Option<IpAddr>,
    /// Whether the client's connection was TLS (to a trusted proxy).
    pub tls: bool,
}

impl Origin {
    pub(crate) fn of(extensions: &Extensions, headers: &HeaderMap) -> Origin {
        let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Origin {
                address: None,
                tls: false,
            };
        };
        if !peer.ip().is_loopback() {
            return Origin {
                address: Some(peer.ip()),
                tls: false,
            };
        }
        // A proxy on this host: it says whom it serves and how they came.
        let forwarded_for = last_value(headers, "x-forwarded-for").and_then(|a| a.parse().ok());
        let tls = last_value(headers, "x-forwarded-proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Origin {
            address: Some(forwarded_for.unwrap_or(peer.ip())),
            tls,
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Origin::of(&parts.extensions, &parts.headers))
    }
}

/// The last comma-separated value of the last `name` header: what the nearest proxy added.
fn last_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(peer: Option<&str>, headers: &[(&'static str, &str)]) -> Origin {
        let mut extensions = Extensions::new();
        if let Some(peer) = peer {
            extensions.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        Origin::of(&extensions, &map)
    }

    #[test]
    fn only_a_proxy_on_this_host_is_believed() {
        let proxied = [
            ("x-forwarded-for", "198.51.100.7, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ];
        // A proxy on this host: the address it saw, and TLS.
        assert_eq!(
            origin(Some("127.0.0.1:5000"), &proxied),
            Origin {
                address: Some("203.0.113.9".parse().unwrap()),
                tls: true
            }
        );
        // Anyone else saying the same is not believed.
        assert_eq!(
            origin(Some("192.0.2.1:5000"), &proxied),
            Origin {
                address: Some("192.0.2.1".parse().unwrap()),
                tls: false
            }
        );
        // Unknown peers: nothing known.
        assert_eq!(
            origin(None, &proxied),
            Origin {
                address: None,
                tls: false
            }
        );
        // A local client without a proxy's headers is itself.
        assert_eq!(
            origin(Some("[::1]:5000"), &[("x-forwarded-for", "not an address")]),
            Origin {
                address: Some("::1".parse().unwrap()),
                tls: false
            }
        );
    }
}
