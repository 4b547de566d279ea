//! The pages as a browser meets them: every page in three languages, sign-in through the
//! test identity provider, CSRF on every form, who may see what, and the rectification
//! request from the decision page.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use polku_core::testing::TestDb;
use polku_core::{Actor, CaseState, NewApplication, Pipeline, Role, SuppliedEvidence};
use polku_registers::Population;
use polku_registers::population::person_id;
use polku_rules::{Outcome, RuleBook};
use polku_web::{WebState, router};
use tower::ServiceExt;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Site {
    app: Router,
    state: WebState,
}

fn site(db: &TestDb) -> Site {
    let rules = Arc::new(RuleBook::load_dir(&crate_dir().join("../../rules")).unwrap());
    let state = WebState::new(
        db.store.clone(),
        rules,
        Some(Arc::new(Population::generate(2026, 200))),
    );
    Site {
        app: router(state.clone()),
        state,
    }
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
    headers: header::HeaderMap,
}

impl Site {
    async fn call(&self, method: &str, uri: &str, cookies: &str, form: Option<&str>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies);
        }
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        self.send(req.body(Body::from(form.unwrap_or("").to_owned())).unwrap())
            .await
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let uri = req.uri().to_string();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let headers = res.headers().clone();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        works_under_its_policy(&uri, &headers, &body);
        Reply {
            status,
            location,
            cookies,
            body,
            headers,
        }
    }

    /// Posts a multipart form (`fields`; a name ending in `@` is sent as an uploaded file).
    async fn multipart(&self, uri: &str, cookies: &str, fields: &[(&str, &str)]) -> Reply {
        let boundary = "polku-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, value) in fields {
            match name.strip_suffix('@') {
                Some(file) => body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{file}\"; filename=\"rules.yaml\"\r\nContent-Type: application/yaml\r\n\r\n{value}\r\n"
                )),
                None => body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )),
            }
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, cookies)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let headers = res.headers().clone();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        works_under_its_policy(uri, &headers, &body);
        Reply {
            status,
            location,
            cookies: Vec::new(),
            body,
            headers,
        }
    }

    /// Signs in as `person` through the test identity provider; returns the cookie header.
    async fn sign_in(&self, person: &str) -> String {
        let page = self.call("GET", "/identify", "", None).await;
        let csrf = cookie_value(&page.cookies, "polku_csrf");
        let done = self
            .call(
                "POST",
                "/identify",
                &format!("polku_csrf={csrf}"),
                Some(&format!("csrf={csrf}&person={person}")),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        format!(
            "polku_session={}",
            cookie_value(&done.cookies, "polku_session")
        )
    }
}

/// Every answer of the pages carries the Content-Security-Policy, and every page works
/// under it: no script, no inline style (the browser would refuse them), and nothing of
/// it stored by the browser.
fn works_under_its_policy(uri: &str, headers: &header::HeaderMap, body: &str) {
    let h = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap());
    assert_eq!(
        h(header::CONTENT_SECURITY_POLICY),
        Some(polku_web::CONTENT_SECURITY_POLICY),
        "{uri}"
    );
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{uri}");
    assert_eq!(h(header::CACHE_CONTROL), Some("no-store"), "{uri}");
    if h(header::CONTENT_TYPE).is_some_and(|t| t.starts_with("text/html")) {
        for inline in ["<script", "<style", " style=\"", "=\"javascript:"] {
            assert!(!body.contains(inline), "{uri} has {inline}: {body}");
        }
    }
}

fn cookie_value(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie {name} in {cookies:?}"))
        .to_owned()
}

/// The CSRF token a page's forms carry.
fn form_csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_owned()
}

/// Files the example application for `person`, changed by `patch`, and runs the pipeline.
async fn filed_and_evaluated(s: &Site, person: &str, patch: serde_json::Value) -> uuid::Uuid {
    let path = crate_dir().join("../../examples/employed-extension.json");
    let mut application = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    polku_rules::merge_patch(&mut application, &patch);
    let id = s
        .state
        .store
        .submit(
            &NewApplication {
                matter: "fi.residence-permit.employed.extension".into(),
                applicant_id: person.into(),
                application_date: jiff::civil::date(2025, 5, 1),
                application,
                deadline: Some(jiff::civil::date(2025, 9, 1)),
            },
            &Actor("test".into()),
        )
        .await
        .unwrap();
    Pipeline::new(
        s.state.store.clone(),
        s.state.rules.clone(),
        SuppliedEvidence,
        "w",
    )
    .run_once()
    .await
    .unwrap();
    id
}

/// A case the machine granted.
async fn decided_case(s: &Site, person: &str) -> uuid::Uuid {
    let id = filed_and_evaluated(s, person, serde_json::json!({})).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Decided
    );
    id
}

#[test]
fn every_text_the_pages_use_exists_in_finnish_swedish_and_english() {
    let mut used = BTreeSet::new();
    let mut sources = Vec::new();
    for dir in ["templates", "src"] {
        for entry in std::fs::read_dir(crate_dir().join(dir)).unwrap() {
            sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    for text in &sources {
        for call in [".t(\"", ".t1(\"", ".t_with(\"", "error_page("] {
            for part in text.split(call).skip(1) {
                let key = if call == "error_page(" {
                    part.split('"').nth(1)
                } else {
                    part.split('"').next()
                };
                // A message key: lower-case words joined by hyphens.
                let is_key = |k: &&str| {
                    k.contains('-')
                        && k.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        })
                };
                if let Some(k) = key.filter(is_key) {
                    used.insert(k.to_owned());
                }
            }
        }
    }
    // Keys made from a prefix and a value: every value they can take.
    for state in CaseState::ALL {
        used.insert(format!("state-{}", state.as_str()));
    }
    for status in ["met", "not_met", "unknown", "exempt", "withheld"] {
        used.insert(format!("status-{status}"));
    }
    for state in ["proposed", "approved", "rejected", "withdrawn"] {
        used.insert(format!("rules-state-{state}"));
    }
    for outcome in [Outcome::Grant, Outcome::Refer, Outcome::RequestEvidence] {
        used.insert(format!("rules-outcome-{}", outcome.code()));
    }
    for outcome in polku_core::DecisionOutcome::ALL {
        used.insert(format!("decision-outcome-{}", outcome.code()));
    }
    for log in polku_core::AuditLog::ALL {
        used.insert(format!("audit-log-{}", log.as_str()));
    }
    // The application form asks about every input only the applicant can tell.
    for f in polku_rules::schema::FIELDS {
        if f.origin == polku_rules::schema::Origin::Applicant {
            used.insert(format!("field-{}", f.path.replace('.', "-")));
        }
        if let polku_rules::schema::FieldType::OneOf(values) = f.ty
            && f.origin == polku_rules::schema::Origin::Applicant
        {
            for v in values {
                used.insert(format!("option-{v}"));
            }
        }
    }
    assert!(used.len() > 40, "the scan found too few keys: {used:?}");
    let mut key_sets = Vec::new();
    for lang in ["fi", "sv", "en"] {
        let ftl =
            std::fs::read_to_string(crate_dir().join(format!("locales/{lang}/main.ftl"))).unwrap();
        let keys: BTreeSet<String> = ftl
            .lines()
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, _)| k.trim().to_owned())
            .collect();
        for k in &used {
            assert!(keys.contains(k), "`{k}` is missing from {lang}");
        }
        key_sets.push(keys);
    }
    assert_eq!(key_sets[0], key_sets[1], "fi and sv have different keys");
    assert_eq!(key_sets[0], key_sets[2], "fi and en have different keys");
}

async fn every_page_speaks_three_languages(db: &TestDb) {
    let s = site(db);
    let session = s.sign_in(&person_id(3)).await;
    let case = decided_case(&s, &person_id(3)).await;
    for (lang, heading, html_lang) in [
        ("fi", "Hakemuksesi", "lang=\"fi\""),
        ("sv", "Dina ansökningar", "lang=\"sv\""),
        ("en", "Your applications", "lang=\"en\""),
    ] {
        let cookies = format!("{session}; polku_lang={lang}");
        for path in ["/", "/identify", "/my/cases", &format!("/my/cases/{case}")] {
            let r = s.call("GET", path, &cookies, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path} in {lang}");
            assert!(r.body.contains(html_lang), "{path}: no {html_lang}");
            assert!(!r.body.contains("Unknown localization"), "{path} in {lang}");
        }
        let list = s.call("GET", "/my/cases", &cookies, None).await;
        assert!(list.body.contains(heading), "{lang}: {}", list.body);
    }
    // The decision page explains in the language chosen, with the legal basis and the
    // 53 g § notice.
    let en = s
        .call(
            "GET",
            &format!("/my/cases/{case}"),
            &format!("{session}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        en.body.contains("Administrative Procedure Act 53 g"),
        "{}",
        en.body
    );
    assert!(en.body.contains("UlkL"), "no legal basis");
    assert!(en.body.contains("Ask for rectification"));
    // The language link remembers the choice and returns to the page.
    let switch = s
        .call("GET", "/language?to=sv&back=/my/cases", "", None)
        .await;
    assert_eq!(switch.location.as_deref(), Some("/my/cases"));
    assert!(switch.cookies[0].starts_with("polku_lang=sv"));
    let elsewhere = s
        .call("GET", "/language?to=sv&back=//evil.example", "", None)
        .await;
    assert_eq!(
        elsewhere.location.as_deref(),
        Some("/"),
        "never another site"
    );
}
polku_core::on_every_database!(three_languages, every_page_speaks_three_languages, with_db);

/// The service as `polku serve` composes it — the API, the pages, one fallback — wrapped
/// in the security headers as serve wraps it.
fn composed(s: &Site) -> Router {
    let api = polku_server::api_router(polku_server::AppState {
        store: s.state.store.clone(),
        rules: s.state.rules.clone(),
        metrics: None,
    });
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
        .store
        .add_user("Aino", Role::Applicant, None, Some(&person_id(3)))
        .await
        .unwrap();
    let token = s.state.store.create_token(user, "test").await.unwrap();
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
polku_core::on_every_database!(
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

/// The language link goes back only to a path on this site: a path a browser would read
/// as another host (`/\host`, `//host`), or one with a tab or line break in it, goes to
/// the front page — never elsewhere, and never a server error.
#[tokio::test]
async fn the_language_link_never_leads_to_another_site() {
    let db = TestDb::sqlite().await;
    let s = site(&db);
    for (back, expected) in [
        ("/my/cases", "/my/cases"),
        (
            "/rules/fi.residence-permit.employed.extension",
            "/rules/fi.residence-permit.employed.extension",
        ),
        ("/work?matter=x", "/work?matter=x"),
        ("/s%C3%A4%C3%A4nn%C3%B6t", "/s%C3%A4%C3%A4nn%C3%B6t"),
        ("/%5Cevil.example", "/"),
        ("/%5C%5Cevil.example", "/"),
        ("/x%5C..%5Cevil", "/"),
        ("//evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/%09/evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20polku_session=x", "/"),
        ("/%00", "/"),
        ("/a%20b", "/"),
        ("", "/"),
    ] {
        let r = s
            .call("GET", &format!("/language?to=sv&back={back}"), "", None)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "back={back}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(expected), "back={back}");
        assert!(r.cookies[0].starts_with("polku_lang=sv"), "back={back}");
        assert!(
            r.cookies.iter().all(|c| !c.starts_with("polku_session")),
            "back={back}"
        );
    }
    db.finish().await;
}

async fn forms_need_their_csrf_token_and_pages_their_person(db: &TestDb) {
    let s = site(db);
    // Signing in without the double-submitted token fails, and no session starts.
    let forged = s
        .call(
            "POST",
            "/identify",
            "",
            Some(&format!("csrf=x&person={}", person_id(3))),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.cookies.is_empty());
    // Not signed in: to the identity provider.
    let anonymous = s.call("GET", "/my/cases", "", None).await;
    assert_eq!(anonymous.location.as_deref(), Some("/identify"));

    let mine = decided_case(&s, &person_id(3)).await;
    let theirs = decided_case(&s, &person_id(4)).await;
    let me = s.sign_in(&person_id(3)).await;
    let other = s
        .call("GET", &format!("/my/cases/{theirs}"), &me, None)
        .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "another person's case does not exist"
    );
    let list = s.call("GET", "/my/cases", &me, None).await;
    assert!(list.body.contains(&mine.to_string()));
    assert!(!list.body.contains(&theirs.to_string()));

    // A case handler has no business in the e-service.
    let handler = s
        .state
        .store
        .add_user(
            "Hanna",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let (token, _) = s.state.store.start_session(handler, 1).await.unwrap();
    let refused = s
        .call("GET", "/my/cases", &format!("polku_session={token}"), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Rectification from the decision page: the wrong token changes nothing…
    let uri = format!("/my/cases/{mine}/rectification");
    let bad = s
        .call("POST", &uri, &me, Some("csrf=wrong&reason=Please+check"))
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::Decided
    );
    // …the right one sends the request to a person.
    let page = s.call("GET", &format!("/my/cases/{mine}"), &me, None).await;
    let csrf = form_csrf(&page.body);
    let sent = s
        .call(
            "POST",
            &uri,
            &me,
            Some(&format!("csrf={csrf}&reason=My+pay+was+higher")),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::RectificationRequested
    );
    // Signing out ends the session.
    let out = s
        .call("POST", "/sign-out", &me, Some(&format!("csrf={csrf}")))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = s.call("GET", "/my/cases", &me, None).await;
    assert_eq!(after.location.as_deref(), Some("/identify"));
    // Every read of the person's data is in the use log.
    // (the list and the decision page; refused reads are not reads).
    assert_eq!(
        s.state
            .store
            .audit_count(polku_core::AuditLog::Access)
            .await
            .unwrap(),
        2
    );
}
polku_core::on_every_database!(
    csrf_and_access,
    forms_need_their_csrf_token_and_pages_their_person,
    with_db
);

/// A case the machine referred: pay below the agreement's minimum.
async fn referred_case(s: &Site, person: &str) -> uuid::Uuid {
    let low_pay = serde_json::json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1500}}});
    let id = filed_and_evaluated(s, person, low_pay).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Referred
    );
    id
}

/// Signs in an official with a password; returns the cookie header.
async fn official(s: &Site, username: &str, role: Role) -> String {
    let user = s
        .state
        .store
        .add_user(username, role, Some("Maahanmuuttovirasto"), None)
        .await
        .unwrap();
    s.state
        .store
        .set_password(user, username, "a long enough password")
        .await
        .unwrap();
    let form = s.call("GET", "/sign-in", "", None).await;
    let csrf = cookie_value(&form.cookies, "polku_csrf");
    let wrong = s
        .call(
            "POST",
            "/sign-in",
            &format!("polku_csrf={csrf}"),
            Some(&format!(
                "csrf={csrf}&username={username}&password=not+the+password"
            )),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .cookies
            .iter()
            .all(|c| !c.starts_with("polku_session"))
    );
    let done = s
        .call(
            "POST",
            "/sign-in",
            &format!("polku_csrf={csrf}"),
            Some(&format!(
                "csrf={csrf}&username={username}&password=a+long+enough+password"
            )),
        )
        .await;
    let home = match role {
        Role::Analyst => "/dashboard",
        Role::Auditor => "/audit",
        _ => "/work",
    };
    assert_eq!(done.location.as_deref(), Some(home), "{}", done.body);
    format!(
        "polku_session={}",
        cookie_value(&done.cookies, "polku_session")
    )
}

async fn a_handler_decides_a_referred_case_from_the_workbench(db: &TestDb) {
    let s = site(db);
    let case = referred_case(&s, &person_id(5)).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;

    let queue = s
        .call(
            "GET",
            "/work?due=2025-09-01",
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains(&case.to_string()));
    assert!(queue.body.contains("pay-meets-minimum not_met"));
    assert!(
        queue.body.contains("Nothing about the person"),
        "the order is stated"
    );
    let none_due = s.call("GET", "/work?due=2025-08-31", &hanna, None).await;
    assert!(!none_due.body.contains(&case.to_string()));

    let uri = format!("/work/cases/{case}");
    let page = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=en"), None)
        .await;
    assert!(page.body.contains("not met"), "the finding");
    assert!(
        page.body.contains("Incomes Register"),
        "the evidence's source"
    );
    assert!(page.body.contains("Take this case"));
    let csrf = form_csrf(&page.body);
    // Deciding before claiming is refused; claiming needs the token.
    let forged = s
        .call("POST", &format!("{uri}/claim"), &hanna, Some("csrf=nope"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let claimed = s
        .call(
            "POST",
            &format!("{uri}/claim"),
            &hanna,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    let page = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=en"), None)
        .await;
    assert!(page.body.contains("You are handling this case."));
    assert!(
        page.body.contains("UlkL"),
        "the suggested reasons cite the law"
    );
    let decided = s
        .call(
            "POST",
            &format!("{uri}/decision"),
            &hanna,
            Some(&format!(
                "csrf={csrf}&outcome=refuse&reasons=The+pay+is+below+the+collective+agreement."
            )),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Decided
    );
    let last = s.state.store.decisions(case).await.unwrap().pop().unwrap();
    assert_eq!((last.outcome.code(), last.automated), ("refuse", false));

    // An applicant cannot reach the workbench; a handler cannot reach the e-service.
    let applicant = s.sign_in(&person_id(5)).await;
    let refused = s.call("GET", "/work", &applicant, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = s.call("GET", &uri, &applicant, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = s.call("GET", "/work", "", None).await;
    assert_eq!(anonymous.location.as_deref(), Some("/sign-in"));
    for lang in ["fi", "sv"] {
        let page = s
            .call("GET", &uri, &format!("{hanna}; polku_lang={lang}"), None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
    }
}
polku_core::on_every_database!(
    workbench,
    a_handler_decides_a_referred_case_from_the_workbench,
    with_db
);

/// Posts the sign-in form for `username` as a browser at `peer` would.
async fn sign_in_from(s: &Site, peer: &str, username: &str, password: &str) -> Reply {
    let form = s.call("GET", "/sign-in", "", None).await;
    let csrf = cookie_value(&form.cookies, "polku_csrf");
    let mut req = Request::builder()
        .method("POST")
        .uri("/sign-in")
        .header(header::COOKIE, format!("polku_csrf={csrf}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={csrf}&username={username}&password={}",
            password.replace(' ', "+")
        )))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        format!("{peer}:50000")
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    s.send(req).await
}

async fn repeated_failed_sign_ins_must_wait_and_are_audited(db: &TestDb) {
    let s = site(db);
    let hanna = s
        .state
        .store
        .add_user(
            "Hanna",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let right = "a long enough password";
    s.state
        .store
        .set_password(hanna, "hanna", right)
        .await
        .unwrap();
    let signed_in = |r: &Reply| r.cookies.iter().any(|c| c.starts_with("polku_session="));
    let retry_after = |r: &Reply| {
        r.headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned())
    };

    // One address guessing five usernames' passwords must wait, whoever it tries next…
    for n in 0..5 {
        let r = sign_in_from(&s, "192.0.2.1", &format!("user{n}"), "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&s, "192.0.2.1", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(retry_after(&r).as_deref(), Some("1"));
    assert!(!signed_in(&r));
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    // …while another address signs in.
    let r = sign_in_from(&s, "192.0.2.2", "hanna", right).await;
    assert_eq!(r.location.as_deref(), Some("/work"), "{}", r.body);

    // Five wrong passwords for one username, from five addresses: the username waits
    // 1 s, then twice as long after each further failure — the right password too.
    for n in 0..5 {
        let r = sign_in_from(&s, &format!("198.51.100.{n}"), "hanna", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&s, "198.51.100.10", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r).as_deref(), Some("1"));
    assert!(!signed_in(&r));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = sign_in_from(&s, "198.51.100.11", "hanna", "guess").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = sign_in_from(&s, "198.51.100.12", "hanna", right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r).as_deref(), Some("2"));
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = sign_in_from(&s, "198.51.100.13", "hanna", right).await;
    assert_eq!(r.location.as_deref(), Some("/work"), "{}", r.body);
    assert!(signed_in(&r));
    // The success forgets the username's failures: four more are only four.
    for n in 20..24 {
        let r = sign_in_from(&s, &format!("198.51.100.{n}"), "hanna", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    // The fifth failure from the address and the fifth for the username are in the
    // audit chain; none of the others.
    let rows = s
        .state
        .store
        .search_audit(&polku_core::AuditQuery {
            log: Some(polku_core::AuditLog::Access),
            person: None,
            actor: None,
            limit: 100,
        })
        .await
        .unwrap();
    let repeated: Vec<_> = rows
        .iter()
        .filter(|r| r.purpose == "repeated failed sign-in")
        .collect();
    assert_eq!(repeated.len(), 2, "{rows:?}");
    assert_eq!(repeated[1].actor, "client:192.0.2.1");
    assert!(repeated[1].detail.contains("\"user4\""));
    assert_eq!(repeated[0].actor, "client:198.51.100.4");
    assert!(repeated[0].detail.contains("\"hanna\""));
    assert!(
        s.state
            .store
            .verify_audit()
            .await
            .unwrap()
            .first_break
            .is_none()
    );
}
polku_core::on_every_database!(
    sign_in_limits,
    repeated_failed_sign_ins_must_wait_and_are_audited,
    with_db
);

/// What the log writer was given.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A username with a line break cannot forge a line of the log: it is logged escaped.
#[tokio::test]
async fn a_sign_in_cannot_forge_a_log_line() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let db = TestDb::sqlite().await;
    let s = site(&db);
    let forged = "nobody\n2026-01-01T00:00:00.000000Z  INFO polku: administrator signed in";
    for _ in 0..6 {
        let r = sign_in_from(
            &s,
            "192.0.2.1",
            &forged.replace(' ', "+").replace('\n', "%0A"),
            "guess",
        )
        .await;
        assert!(r.status.is_client_error());
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("a sign-in failed"), "{log}");
    assert!(log.contains("a sign-in must wait"), "{log}");
    assert!(
        log.contains("nobody\\n2026-01-01T00:00:00.000000Z"),
        "the line break is escaped: {log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("2026-01-01")),
        "a forged line: {log}"
    );
    db.finish().await;
}

async fn an_applicant_files_an_extension_and_reads_the_automatic_decision(db: &TestDb) {
    use polku_registers::population::Matter;
    use polku_registers::{Behaviour, RegisterEvidence, Simulator};
    let s = site(db);
    let pop = s.state.people.clone().unwrap();
    let evidence = RegisterEvidence::new(
        Simulator::new(pop.clone(), Behaviour::default()),
        s.state.store.clone(),
        &s.state.rules,
    );
    let pipeline = Pipeline::new(s.state.store.clone(), s.state.rules.clone(), evidence, "w");
    let matter = "fi.residence-permit.employed.extension";
    let mut granted = None;
    for p in pop
        .persons
        .iter()
        .filter(|p| p.matter == Matter::EmployedExtension)
        .take(10)
    {
        let me = s.sign_in(&person_id(p.index)).await;
        let form = s
            .call(
                "GET",
                &format!("/my/apply/{matter}"),
                &format!("{me}; polku_lang=en"),
                None,
            )
            .await;
        assert_eq!(form.status, StatusCode::OK);
        // Only what no register can tell: the employer and the work, not the pay.
        assert!(
            form.body.contains("employer&#39;s business ID"),
            "{}",
            form.body
        );
        assert!(!form.body.contains("monthly_gross_pay_avg"));
        let csrf = form_csrf(&form.body);
        // What the person knows of their own job.
        let typed = pop.application(p);
        let e = &typed["application"]["employment"];
        let answers = format!(
            "csrf={csrf}&application.employment.employer_id={}&application.employment.occupational_field={}",
            e["employer_id"].as_str().unwrap_or(""),
            e["occupational_field"].as_str().unwrap(),
        );
        let filed = s
            .call("POST", &format!("/my/apply/{matter}"), &me, Some(&answers))
            .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
        let case_page = filed.location.unwrap();
        while pipeline.run_once().await.unwrap().is_some() {}
        let page = s
            .call("GET", &case_page, &format!("{me}; polku_lang=en"), None)
            .await;
        if page.body.contains("Decided automatically") {
            granted = Some(page.body);
            break;
        }
    }
    let page = granted.expect("one of ten workers is granted automatically");
    assert!(page.body_contains_all(&[
        "Administrative Procedure Act 53 g",
        "Ask for rectification",
        "Valid "
    ]));

    // A number that is not one comes back with the field named, and nothing is filed.
    let me = s.sign_in(&person_id(1)).await;
    let form = s
        .call("GET", &format!("/my/apply/{matter}"), &me, None)
        .await;
    let csrf = form_csrf(&form.body);
    let before = s.state.store.case_count().await.unwrap();
    let bad = s
        .call(
            "POST",
            &format!("/my/apply/{matter}"),
            &format!("{me}; polku_lang=en"),
            Some(&format!(
                "csrf={csrf}&application.employment.occupational_field=siivooja"
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("ISCO-08"), "{}", bad.body);
    assert_eq!(s.state.store.case_count().await.unwrap(), before);
}
polku_core::on_every_database!(
    applying,
    an_applicant_files_an_extension_and_reads_the_automatic_decision,
    with_db
);

trait ContainsAll {
    fn body_contains_all(&self, needles: &[&str]) -> bool;
}

impl ContainsAll for String {
    fn body_contains_all(&self, needles: &[&str]) -> bool {
        needles.iter().all(|n| self.contains(n))
    }
}

async fn the_dashboard_measures_the_programme_from_the_cases(db: &TestDb) {
    let s = site(db);
    decided_case(&s, &person_id(3)).await;
    decided_case(&s, &person_id(5)).await;
    referred_case(&s, &person_id(4)).await;
    referred_case(&s, &person_id(6)).await;
    let anna = official(&s, "anna", Role::Analyst).await;
    let page = s
        .call("GET", "/dashboard", &format!("{anna}; polku_lang=en"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Two of four permit cases granted by the machine within ten minutes.
    assert!(
        page.body
            .contains("Permits granted fully automatically</td><td>50.0 %"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg"), "charts are drawn on the server");
    assert!(
        page.body.contains("pay-meets-minimum not_met"),
        "referral reasons"
    );
    let csv = s
        .call(
            "GET",
            "/dashboard/matters.csv",
            &format!("{anna}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("\"Matter\",\"Cases\",\"Automatic\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"4\",\"50.0 %\""), "{}", csv.body);
    // The two grants took under a minute; the referred cases wait, under a minute old,
    // both for the same finding.
    for (table, row) in [
        ("processing", "\"under a minute\",\"2\""),
        ("backlog", "\"under a minute\",\"2\""),
        (
            "reasons",
            "\"fi.residence-permit.employed.extension: pay-meets-minimum not_met\",\"2\"",
        ),
    ] {
        let csv = s
            .call(
                "GET",
                &format!("/dashboard/{table}.csv"),
                &format!("{anna}; polku_lang=en"),
                None,
            )
            .await;
        assert!(csv.body.contains(row), "{table}: {}", csv.body);
    }
    // Case handlers work cases; the figures are for analysts and management.
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    assert_eq!(
        s.call("GET", "/dashboard", &hanna, None).await.status,
        StatusCode::FORBIDDEN
    );
    let applicant = s.sign_in(&person_id(3)).await;
    assert_eq!(
        s.call("GET", "/dashboard/kpis.csv", &applicant, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for lang in ["fi", "sv"] {
        let page = s
            .call(
                "GET",
                "/dashboard",
                &format!("{anna}; polku_lang={lang}"),
                None,
            )
            .await;
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
    }
}
polku_core::on_every_database!(
    dashboard,
    the_dashboard_measures_the_programme_from_the_cases,
    with_db
);

async fn an_auditor_searches_the_logs_and_finds_a_tampered_row(db: &TestDb) {
    let s = site(db);
    let case = decided_case(&s, &person_id(3)).await;
    let me = s.sign_in(&person_id(3)).await;
    s.call("GET", &format!("/my/cases/{case}"), &me, None).await;
    let auditor = official(&s, "aila", Role::Auditor).await;
    let found = s
        .call(
            "GET",
            &format!("/audit?log=access&person={}", person_id(3)),
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found
            .body
            .contains("the applicant reads their own case (e-service)"),
        "{}",
        found.body
    );
    assert!(
        !found
            .body
            .contains("automated processing of an application"),
        "only the use log"
    );
    let verified = s
        .call(
            "GET",
            "/audit?verify=1",
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        verified.body.contains("The chain is intact"),
        "{}",
        verified.body
    );
    db.raw("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 1")
        .await;
    let broken = s
        .call(
            "GET",
            "/audit?verify=1",
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        broken.body.contains("The chain is broken at row 1"),
        "{}",
        broken.body
    );
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    assert_eq!(
        s.call("GET", "/audit", &hanna, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.call("GET", "/audit", &me, None).await.status,
        StatusCode::FORBIDDEN
    );
}
polku_core::on_every_database!(
    audit_views,
    an_auditor_searches_the_logs_and_finds_a_tampered_row,
    with_db
);

async fn the_processing_rules_are_published_for_anyone(db: &TestDb) {
    let s = site(db);
    let list = s.call("GET", "/rules", "polku_lang=en", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.body.matches("<a href=\"/rules/").count(),
        6,
        "{}",
        list.body
    );
    for (lang, word) in [("fi", "UlkL"), ("sv", "UlkL"), ("en", "UlkL")] {
        let page = s
            .call(
                "GET",
                "/rules/fi.residence-permit.employed.extension",
                &format!("polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
        assert!(
            page.body.contains("<h1>"),
            "the description is rendered: {}",
            page.body
        );
        assert!(page.body.contains(word), "legal bases are cited");
    }
    let missing = s.call("GET", "/rules/fi.no-such-matter", "", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
polku_core::on_every_database!(
    published_rules,
    the_processing_rules_are_published_for_anyone,
    with_db
);

/// A rule set's description may only link to the web, by mail or to this site: any
/// other link or image (`javascript:`, `data:` …) is its plain text on the page.
async fn a_description_links_only_to_the_web(db: &TestDb) {
    let links = "[Finlex](https://www.finlex.fi/fi/laki/ajantasa/2004/20040301) \
[the rules](/rules) [mail](mailto:kirjaamo@migri.fi) \
[steal](javascript:alert(1)) [tabbed](java&#9;script:alert(2)) [shouted](JAVASCRIPT:alert(3)) \
[spaced]( javascript:alert(4)) [page](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:x) \
<javascript:alert(5)> ![picture](javascript:alert(6)) ![logo](https://migri.fi/logo.png) \
[ref][evil]\\n\\n[evil]: javascript:alert(7)";
    let dir = crate_dir().join("../../rules");
    let mut sources = polku_rules::read_dir_sources(&dir).unwrap();
    let (_, text) = sources
        .iter_mut()
        .find(|(p, _)| p.ends_with("residence-permit-employed-extension.yaml"))
        .unwrap();
    let at = text.find("  en: The extended permit").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    text.replace_range(at..end, &format!("  en: \"See {links}\""));
    let rules = Arc::new(RuleBook::from_sources(&sources).unwrap());
    let state = WebState::new(db.store.clone(), rules, None);
    let s = Site {
        app: router(state.clone()),
        state,
    };
    let page = s
        .call("GET", &format!("/rules/{EXTENSION}"), "polku_lang=en", None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for live in [
        "<a href=\"https://www.finlex.fi/fi/laki/ajantasa/2004/20040301\">Finlex</a>",
        "<a href=\"/rules\">the rules</a>",
        "<a href=\"mailto:kirjaamo@migri.fi\">mail</a>",
        "<img src=\"https://migri.fi/logo.png\" alt=\"logo\" />",
    ] {
        assert!(body.contains(live), "{live} is missing: {body}");
    }
    for text in [
        "steal", "tabbed", "shouted", "spaced", "page", "vb", "picture", "ref",
    ] {
        assert!(body.contains(text), "{text} is missing: {body}");
    }
    for dead in [
        "javascript",
        "JAVASCRIPT",
        "java\tscript",
        "data:",
        "vbscript",
    ] {
        assert!(
            !body.contains(&format!("href=\"{dead}"))
                && !body.contains(&format!("href=\" {dead}"))
                && !body.contains(&format!("src=\"{dead}")),
            "a live {dead} link: {body}"
        );
    }
    assert_eq!(
        body.matches("<a href=").count() - body.matches("<a href=\"/").count(),
        2,
        "{body}"
    );
}
polku_core::on_every_database!(
    description_links,
    a_description_links_only_to_the_web,
    with_db
);

/// A control character (NUL, which PostgreSQL refuses, an escape…) in any text typed into
/// a form is refused with the field named, and nothing is stored; line breaks are text.
async fn typed_text_with_a_control_character_is_refused_naming_the_field(db: &TestDb) {
    let s = site(db);
    let en = "; polku_lang=en";
    let refused = |r: &Reply, field: &str| {
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert!(r.body.contains(field), "{field} is not named: {}", r.body);
        assert!(r.body.contains("control character"), "{}", r.body);
    };

    // The applicant's request for rectification…
    let mine = decided_case(&s, &person_id(3)).await;
    let me = s.sign_in(&person_id(3)).await + en;
    let csrf = form_csrf(
        &s.call("GET", &format!("/my/cases/{mine}"), &me, None)
            .await
            .body,
    );
    let uri = format!("/my/cases/{mine}/rectification");
    for reason in ["Pay%00was+higher", "Pay%1B%5B31mwas", "Pay%C2%85was", "%7F"] {
        let form = format!("csrf={csrf}&reason={reason}");
        let r = s.call("POST", &uri, &me, Some(&form)).await;
        refused(&r, "What should be corrected, and why?");
    }
    assert_eq!(
        s.state.store.case(mine).await.unwrap().state,
        CaseState::Decided
    );
    let form = format!("csrf={csrf}&reason=Pay+was+higher:%0D%0A%09in+May+and+June");
    let sent = s.call("POST", &uri, &me, Some(&form)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // …and the answers of an application: nothing is filed.
    let form = format!("csrf={csrf}&application.employment.employer_id=1234567-8%00");
    let r = s
        .call("POST", &format!("/my/apply/{EXTENSION}"), &me, Some(&form))
        .await;
    refused(&r, "Your employer&#39;s business ID");
    assert_eq!(
        s.state
            .store
            .cases_of(&person_id(3), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // The handler's reasons: the case stays waiting, with no decision of a person.
    let case = referred_case(&s, &person_id(5)).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await + en;
    let csrf = form_csrf(
        &s.call("GET", &format!("/work/cases/{case}"), &hanna, None)
            .await
            .body,
    );
    let claimed = s
        .call(
            "POST",
            &format!("/work/cases/{case}/claim"),
            &hanna,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    let r = s
        .call(
            "POST",
            &format!("/work/cases/{case}/decision"),
            &hanna,
            Some(&format!(
                "csrf={csrf}&outcome=refuse&reasons=Pay+too+low%00"
            )),
        )
        .await;
    refused(&r, "Reasons");
    assert_eq!(
        s.state.store.case(case).await.unwrap().state,
        CaseState::Referred
    );
    assert_eq!(s.state.store.decisions(case).await.unwrap().len(), 1);

    // Searching: the queue's filter, and the username of a sign-in.
    let r = s.call("GET", "/work?matter=fi%00", &hanna, None).await;
    refused(&r, "Matter");
    let r = sign_in_from(&s, "192.0.2.9", "hanna%00", "a long enough password").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Käyttäjätunnus"), "in Finnish: {}", r.body);
    assert!(r.body.contains("ohjausmerkki"), "{}", r.body);

    // A rule change's summary, text and note: no proposal is stored.
    let propose = format!("/work/rules/{EXTENSION}/propose");
    let csrf = form_csrf(&s.call("GET", &propose, &hanna, None).await.body);
    let from = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap();
    let good = raised_minimum(from);
    let from = from.to_string();
    let nul = format!("{good}# \u{0}\n");
    for (summary, text, field) in [
        (
            "Minimum pay rises.\u{0}",
            good.as_str(),
            "Why the rules change",
        ),
        ("Minimum pay rises.", nul.as_str(), "Rule file (YAML)"),
    ] {
        let r = s
            .multipart(
                &propose,
                &hanna,
                &[
                    ("csrf", &csrf),
                    ("summary", summary),
                    ("effective_from", &from),
                    ("text", text),
                    ("tests", ""),
                    ("action", "propose"),
                ],
            )
            .await;
        refused(&r, field);
    }
    assert!(s.state.store.rule_proposals().await.unwrap().is_empty());
    let r = s
        .call(
            "POST",
            &format!("/work/rules/proposals/{}/rejection", uuid::Uuid::nil()),
            &hanna,
            Some(&format!("csrf={csrf}&note=No%08")),
        )
        .await;
    refused(&r, "Why it is rejected");

    // The auditors' search.
    let aila = official(&s, "aila", Role::Auditor).await + en;
    let r = s.call("GET", "/audit?person=person%00", &aila, None).await;
    refused(&r, "Person");
    let r = s.call("GET", "/audit?actor=user%00", &aila, None).await;
    refused(&r, "Official or process");
}
polku_core::on_every_database!(
    control_characters,
    typed_text_with_a_control_character_is_refused_naming_the_field,
    with_db
);

const EXTENSION: &str = "fi.residence-permit.employed.extension";

/// The shipped extension rules with the general minimum pay raised to 2,000 € from `from`.
fn raised_minimum(from: jiff::civil::Date) -> String {
    let text = std::fs::read_to_string(
        crate_dir().join("../../rules/fi/residence-permit-employed-extension.yaml"),
    )
    .unwrap();
    let line = "      2025-04-01: 1600\n";
    assert!(text.contains(line));
    text.replace(line, &format!("{line}      {from}: 2000\n"))
}

async fn a_rule_change_is_proposed_backtested_and_approved_by_a_second_officer(db: &TestDb) {
    let s = site(db);
    // Two past grants without a collective agreement: 1,700 € and 2,600 € a month.
    for (i, eur) in [(1, 1700), (2, 2600)] {
        let patch = serde_json::json!({
            "evidence": {
                "agreements": {"generally_binding": false, "minimum_monthly_pay_eur": null},
                "incomes": {"monthly_gross_pay_avg_eur": eur},
            },
        });
        let id = filed_and_evaluated(&s, &person_id(i), patch).await;
        assert_eq!(
            s.state.store.case(id).await.unwrap().state,
            CaseState::Decided
        );
    }
    let en = "; polku_lang=en";
    let hanna = official(&s, "hanna", Role::CaseHandler).await + en;
    let liisa = official(&s, "liisa", Role::LegalOfficer).await + en;
    let applicant = s.sign_in(&person_id(3)).await + en;
    assert_eq!(
        s.call("GET", "/work/rules", &applicant, None).await.status,
        StatusCode::FORBIDDEN,
        "an applicant has no rule administration"
    );
    let overview = s.call("GET", "/work/rules", &hanna, None).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview
            .body
            .contains(&format!("/work/rules/{EXTENSION}/propose"))
    );

    let form = s
        .call(
            "GET",
            &format!("/work/rules/{EXTENSION}/propose"),
            &hanna,
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("pay.general_minimum_eur_month"),
        "the text to edit"
    );
    let csrf = form_csrf(&form.body);
    let from = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    let uri = format!("/work/rules/{EXTENSION}/propose");
    let good = raised_minimum(from.parse().unwrap());
    let broken = good.replace("when: evidence", "when: evidense");

    // Checking shows the errors and stores nothing; so does proposing a broken text.
    for action in ["check", "propose"] {
        let checked = s
            .multipart(
                &uri,
                &hanna,
                &[
                    ("csrf", &csrf),
                    ("summary", "Minimum pay rises."),
                    ("effective_from", &from),
                    ("text", &broken),
                    ("tests", ""),
                    ("action", action),
                ],
            )
            .await;
        assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(checked.body.contains("evidense"), "{}", checked.body);
    }
    assert!(s.state.store.rule_proposals().await.unwrap().is_empty());
    // Without the form's token nothing happens.
    let forged = s
        .multipart(
            &uri,
            &hanna,
            &[("csrf", "forged"), ("text", &good), ("action", "propose")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // An uploaded file that loads and passes its tests is proposed.
    let proposed = s
        .multipart(
            &uri,
            &hanna,
            &[
                ("csrf", &csrf),
                ("summary", "Minimum pay rises to 2,000 €."),
                ("effective_from", &from),
                ("text", "not what is proposed: the upload wins"),
                // As a browser sends a text box or a file saved on Windows: lines end in CR LF.
                ("upload@", &good.replace('\n', "\r\n")),
                ("action", "propose"),
            ],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let page_uri = proposed.location.unwrap();
    let stored = s.state.store.rule_proposals().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].text, good,
        "stored with the rule files' line ends"
    );
    assert!(
        stored[0].tests_text.is_none(),
        "the tests file was not changed"
    );

    // The proposer sees the changes and the backtest, but cannot approve their own.
    let own = s.call("GET", &page_uri, &hanna, None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body.contains(&format!("{from}: 2000")),
        "the diff shows the new value"
    );
    assert!(
        own.body
            .contains("2 past decisions re-evaluated; 1 would have another outcome."),
        "{}",
        own.body
    );
    assert!(
        !own.body.contains("/approval\""),
        "no approval form for the proposer"
    );
    let refused = s
        .call(
            "POST",
            &format!("{page_uri}/approval"),
            &hanna,
            Some(&format!("csrf={}", form_csrf(&own.body))),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Your role may not do that"),
        "{}",
        refused.body
    );
    assert_eq!(
        s.state.store.rule_proposals().await.unwrap()[0].state,
        polku_core::ProposalState::Proposed
    );

    // The dashboard, measured before the approval, has no change to show yet.
    let before = s
        .call("GET", "/dashboard/rule-changes.csv", &liisa, None)
        .await;
    assert_eq!(before.body.lines().count(), 1, "{}", before.body);

    // A second officer, a legal officer, approves.
    let review = s.call("GET", &page_uri, &liisa, None).await;
    assert!(review.body.contains("/approval\""));
    let approved = s
        .call(
            "POST",
            &format!("{page_uri}/approval"),
            &liisa,
            Some(&format!("csrf={}&note=Checked.", form_csrf(&review.body))),
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let after = s.call("GET", &page_uri, &liisa, None).await;
    assert!(after.body.contains("Approved"));
    // A proposal made from the form opened before that approval would undo it: refused.
    let stale = s
        .multipart(
            &uri,
            &hanna,
            &[
                ("csrf", &csrf),
                ("base", ""),
                ("summary", "Another change."),
                ("effective_from", &from),
                ("text", &good),
                ("action", "propose"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("Propose again against it"),
        "{}",
        stale.body
    );
    let reopened = s
        .call(
            "GET",
            &format!("/work/rules/{EXTENSION}/propose"),
            &hanna,
            None,
        )
        .await;
    assert!(
        reopened
            .body
            .contains(&format!("name=\"base\" value=\"{}\"", stored[0].id)),
        "the form now names the approved change it holds"
    );
    let overview = s.call("GET", "/work/rules", &hanna, None).await;
    assert!(
        overview.body.contains(&format!("from {from}")),
        "scheduled on the overview"
    );

    // Every rule administration page speaks the three languages.
    let liisa_session = liisa.trim_end_matches(en);
    for lang in ["fi", "sv", "en"] {
        let cookies = format!("{liisa_session}; polku_lang={lang}");
        for path in ["/work/rules", uri.as_str(), page_uri.as_str(), "/dashboard"] {
            let r = s.call("GET", path, &cookies, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path} in {lang}");
            assert!(r.body.contains(&format!("lang=\"{lang}\"")), "{path}");
            assert!(!r.body.contains("Unknown localization"), "{path} in {lang}");
        }
    }

    // The dashboard shows the change at once (its figures are cached, approvals are not),
    // with the backtest its approver saw.
    let dash = s.call("GET", "/dashboard", &liisa, None).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(
        dash.body.contains(&format!("<td>{from}</td>")),
        "the change's row: {}",
        dash.body
    );
    let csv = s
        .call("GET", "/dashboard/rule-changes.csv", &liisa, None)
        .await;
    assert!(csv.body.contains(&from), "{}", csv.body);
    assert!(
        csv.body.contains("\"2\",\"1\",\"0\",\"–\""),
        "2 re-evaluated, 1 changes; no case filed since, so no share: {}",
        csv.body
    );

    let steps: Vec<String> = s
        .state
        .store
        .search_audit(&polku_core::AuditQuery {
            log: Some(polku_core::AuditLog::Rules),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.purpose)
        .collect();
    assert_eq!(
        steps.first().map(String::as_str),
        Some("rule administration: approval")
    );
    assert_eq!(
        steps.last().map(String::as_str),
        Some("rule administration: proposal")
    );
    assert_eq!(
        s.state.store.verify_audit().await.unwrap().first_break,
        None
    );
}
polku_core::on_every_database!(
    rule_administration,
    a_rule_change_is_proposed_backtested_and_approved_by_a_second_officer,
    with_db
);

/// A security authority's flag and a pending investigation are the officials' to read:
/// the applicant's case page says only that those conditions were checked.
async fn the_applicants_page_never_shows_what_the_law_withholds(db: &TestDb) {
    let s = site(db);
    let person = person_id(3);
    let flagged = serde_json::json!({"evidence": {
        "security": {"source": "Supo", "open_flag": true},
        "criminal_records": {"pending_investigation": true},
    }});
    let id = filed_and_evaluated(&s, &person, flagged).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Referred
    );
    let me = s.sign_in(&person).await;
    for lang in ["fi", "sv", "en"] {
        let page = s
            .call(
                "GET",
                &format!("/my/cases/{id}"),
                &format!("{me}; polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for secret in [
            "Open security flag",
            "Avoin turvallisuusmerkintä",
            "Öppen säkerhetsmarkering",
            "pending investigation",
            "vireillä oleva",
            "pågående förundersökning",
            "Supo",
            "status-not_met",
        ] {
            assert!(
                !page.body.contains(secret),
                "{lang}: {secret} reached the applicant"
            );
        }
        assert!(
            page.body.contains("status-withheld"),
            "{lang}: {}",
            page.body
        );
    }
    // The handler's page keeps the full finding.
    let handler = official(&s, "hanna", Role::CaseHandler).await;
    let work = s
        .call(
            "GET",
            &format!("/work/cases/{id}"),
            &format!("{handler}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        work.body.contains("Open security flag: yes"),
        "{}",
        work.body
    );
}
polku_core::on_every_database!(
    withheld_on_pages,
    the_applicants_page_never_shows_what_the_law_withholds,
    with_db
);

/// Who reaches which page: its own visitors get it; anyone else signed in gets the 403
/// page in their language, before any form is read; and a visitor not signed in is sent
/// to sign in — applicants to the identity provider, officials to the password form.
async fn every_page_lets_in_only_its_visitors(db: &TestDb) {
    let s = site(db);
    let case = decided_case(&s, &person_id(3)).await;
    let nil = uuid::Uuid::nil();
    let applicant: &[Role] = &[Role::Applicant];
    let workbench: &[Role] = &[Role::CaseHandler, Role::LegalOfficer];
    let figures: &[Role] = &[Role::Analyst, Role::LegalOfficer, Role::Administrator];
    let auditing: &[Role] = &[Role::Auditor];
    let pages: Vec<(&str, String, &[Role], &str)> = vec![
        ("GET", "/my/cases".into(), applicant, "/identify"),
        ("GET", "/my/apply".into(), applicant, "/identify"),
        (
            "GET",
            format!("/my/apply/{EXTENSION}"),
            applicant,
            "/identify",
        ),
        ("GET", format!("/my/cases/{case}"), applicant, "/identify"),
        (
            "POST",
            format!("/my/apply/{EXTENSION}"),
            applicant,
            "/identify",
        ),
        (
            "POST",
            format!("/my/cases/{case}/rectification"),
            applicant,
            "/identify",
        ),
        ("GET", "/work".into(), workbench, "/sign-in"),
        ("GET", format!("/work/cases/{case}"), workbench, "/sign-in"),
        ("GET", "/work/rules".into(), workbench, "/sign-in"),
        (
            "GET",
            format!("/work/rules/{EXTENSION}/propose"),
            workbench,
            "/sign-in",
        ),
        (
            "POST",
            format!("/work/cases/{case}/claim"),
            workbench,
            "/sign-in",
        ),
        (
            "POST",
            format!("/work/cases/{case}/decision"),
            workbench,
            "/sign-in",
        ),
        (
            "MULTIPART",
            format!("/work/rules/{EXTENSION}/propose"),
            workbench,
            "/sign-in",
        ),
        (
            "POST",
            format!("/work/rules/proposals/{nil}/approval"),
            workbench,
            "/sign-in",
        ),
        (
            "POST",
            format!("/work/rules/proposals/{nil}/rejection"),
            workbench,
            "/sign-in",
        ),
        (
            "POST",
            format!("/work/rules/proposals/{nil}/withdrawal"),
            workbench,
            "/sign-in",
        ),
        ("GET", "/dashboard".into(), figures, "/sign-in"),
        ("GET", "/dashboard/kpis.csv".into(), figures, "/sign-in"),
        ("GET", "/audit".into(), auditing, "/sign-in"),
    ];
    let mut visitors = vec![(None, String::new())];
    for role in Role::ALL {
        let (organisation, person) = match role {
            Role::Applicant => (None, Some(person_id(3))),
            _ => (Some("Maahanmuuttovirasto"), None),
        };
        let user = s
            .state
            .store
            .add_user(&format!("{role:?}"), role, organisation, person.as_deref())
            .await
            .unwrap();
        let (token, _) = s.state.store.start_session(user, 1).await.unwrap();
        visitors.push((Some(role), format!("polku_session={token}; ")));
    }
    for (method, uri, roles, sign_in) in &pages {
        for (role, session) in &visitors {
            let cookies = format!("{session}polku_lang=en");
            // A form with a token no session has: a page's own visitor is refused for it.
            let r = match *method {
                "MULTIPART" => s.multipart(uri, &cookies, &[("csrf", "forged")]).await,
                "POST" => s.call("POST", uri, &cookies, Some("csrf=forged")).await,
                _ => s.call("GET", uri, &cookies, None).await,
            };
            let who = format!("{method} {uri} as {role:?}");
            match role {
                None => {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{who}");
                    assert_eq!(r.location.as_deref(), Some(*sign_in), "{who}");
                }
                Some(role) if roles.contains(role) && *method == "GET" => {
                    assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
                }
                Some(role) if roles.contains(role) => {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
                    assert!(r.body.contains("The form had expired"), "{who}: {}", r.body);
                }
                Some(_) => {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
                    assert!(r.body.contains("You may not do that"), "{who}: {}", r.body);
                }
            }
        }
    }
}
polku_core::on_every_database!(who_sees_what, every_page_lets_in_only_its_visitors, with_db);
