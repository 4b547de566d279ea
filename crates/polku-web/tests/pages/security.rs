//! The headers every answer carries for the browser's protection, the API's and the
//! fallback's too, and HSTS only when a proxy on this host says the client used TLS.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;
use tower::ServiceExt;

use crate::support::{Site, decided_case, site};

/// The service as `polku serve` composes it — the API, the pages, one fallback — wrapped
/// in the security headers as serve wraps it.
fn composed(s: &Site) -> Router {
    let api = polku_server::api_router(polku_server::AppState::new(
        s.state.store.clone(),
        s.state.rules.clone(),
        None,
    ));
    polku_web::security_headers(api.merge(s.app.clone()).fallback(
        |headers: header::HeaderMap, uri: axum::http::Uri| async move {
            if uri.path().starts_with("/api/") {
                polku_server::not_found().await
            } else {
                polku_web::not_found(headers, uri).await
            }
        },
    ))
}

async fn every_answer_carries_the_security_headers(db: &TestDb) {
    let s = site(db);
    let app = composed(&s);
    let case = decided_case(&s, &person_id(3)).await;
    let user = s
        .state
        .access()
        .add_user("Aino", Role::Applicant, None, Some(&person_id(3)))
        .await
        .unwrap();
    let token = s.state.access().create_token(user, "test").await.unwrap();
    let call = async |uri: &str, extra: &[(&str, &str)], peer: Option<&str>| {
        let mut req = Request::builder().uri(uri);
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::empty()).unwrap();
        if let Some(peer) = peer {
            req.extensions_mut().insert(axum::extract::ConnectInfo(
                peer.parse::<std::net::SocketAddr>().unwrap(),
            ));
        }
        app.clone().oneshot(req).await.unwrap()
    };
    let bearer = format!("Bearer {token}");
    let personal = format!("/api/v1/cases/{case}?lang=en");
    for (uri, auth, status) in [
        ("/", None, StatusCode::OK),
        ("/rules", None, StatusCode::OK),
        ("/no-such-page", None, StatusCode::NOT_FOUND),
        ("/api/v1/cases", Some(bearer.as_str()), StatusCode::OK),
        (personal.as_str(), Some(bearer.as_str()), StatusCode::OK),
        ("/api/v1/cases", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/no-such-route", None, StatusCode::NOT_FOUND),
        ("/api/v1/openapi.json", None, StatusCode::OK),
        ("/healthz", None, StatusCode::OK),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let res = call(uri, &headers, None).await;
        assert_eq!(res.status(), status, "{uri}");
        let h = |name| res.headers().get(name).map(|v| v.to_str().unwrap());
        let policy = h(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
        assert!(policy.contains("script-src 'self'"), "{uri}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{uri}: {policy}");
        assert!(!policy.contains("unsafe-inline"), "{uri}: {policy}");
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{uri}");
        assert_eq!(h(header::REFERRER_POLICY), Some("no-referrer"), "{uri}");
        assert_eq!(h(header::CACHE_CONTROL), Some("no-store"), "{uri}");
        // Plain HTTP: no HSTS.
        assert_eq!(h(header::STRICT_TRANSPORT_SECURITY), None, "{uri}");
    }
    // The stylesheet holds no personal data: it may be cached.
    let css = call("/static/polku.css", &[], None).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(css.headers()[header::CACHE_CONTROL], "public, max-age=3600");
    // HSTS when a proxy on this host says the client came over TLS; from anyone else, or
    // when the server does not know its peers, the header is not believed.
    let tls = [("x-forwarded-proto", "https")];
    for (peer, hsts) in [
        (Some("127.0.0.1:40000"), true),
        (Some("[::1]:40000"), true),
        (Some("192.0.2.10:40000"), false),
        (None, false),
    ] {
        for uri in ["/", "/api/v1/cases", "/no-such-page"] {
            let res = call(uri, &tls, peer).await;
            assert_eq!(
                res.headers()
                    .get(header::STRICT_TRANSPORT_SECURITY)
                    .is_some(),
                hsts,
                "{uri} from {peer:?}"
            );
        }
    }
}
polku_cases::on_every_database!(
    security_headers,
    every_answer_carries_the_security_headers,
    with_db
);

/// `polku_web::served` as `axum::serve` runs it, over a real socket: the peer's address
/// reaches the pages, so a TLS proxy on this host is believed and its client's address
/// counted.
#[tokio::test]
async fn served_over_a_socket_the_peer_is_known() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::sqlite().await;
    let s = site(&db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, polku_web::served(composed(&s))).into_future());
    let get = async |path: &str, extra: &str| {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: polku\r\n{extra}Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer.to_ascii_lowercase()
    };
    let plain = get("/healthz", "").await;
    assert!(plain.starts_with("http/1.1 200"), "{plain}");
    assert!(plain.contains("x-content-type-options: nosniff"), "{plain}");
    assert!(!plain.contains("strict-transport-security"), "{plain}");
    let proxied = get(
        "/api/v1/no-such-route",
        "X-Forwarded-Proto: https\r\nX-Forwarded-For: 203.0.113.5\r\n",
    )
    .await;
    assert!(proxied.starts_with("http/1.1 404"), "{proxied}");
    assert!(
        proxied.contains("strict-transport-security: max-age=31536000"),
        "{proxied}"
    );
    assert!(proxied.contains("content-security-policy: default-src 'self'"));
    server.abort();
    db.finish().await;
}
