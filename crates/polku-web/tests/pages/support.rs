//! What the tests share: the site over a test database, a browser's requests and the
//! answers (each checked to work under the Content-Security-Policy), cases filed and
//! decided by the machine, and signing in as an applicant or an official.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_cases::{Actor, CaseState, NewApplication, Pipeline, SuppliedEvidence};
use polku_registers::System;
use polku_rules::RuleBook;
use polku_simulators::Population;
use polku_simulators::population::{Person, person_id};
use polku_simulators::simulator::registered_name;
use polku_web::{TestIdentities, TestPerson, WebState, router};
use tower::ServiceExt;

pub(crate) fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The matter the tests file and administer: an employed person's extended permit.
pub(crate) const EXTENSION: &str = "fi.residence-permit.employed.extension";

pub(crate) struct Site {
    pub(crate) app: Router,
    pub(crate) state: WebState,
}

/// The people the test identity provider offers: the same every time.
pub(crate) fn population() -> Arc<Population> {
    Arc::new(Population::generate(2026, 200))
}

pub(crate) fn site(db: &TestDb) -> Site {
    let rules = Arc::new(RuleBook::load_dir(&crate_dir().join("../../rules")).unwrap());
    // As the binary wires them: the shipped texts with the changes approved in this database.
    let rules = polku_rule_admin::RuleAdmin::new(db.store.clone()).live_rules(rules);
    let state = WebState::new(
        db.store.clone(),
        rules,
        Some(Arc::new(People(population()))),
    );
    Site {
        app: router(state.clone()),
        state,
    }
}

/// The synthetic population as the test identity provider offers it, as the binary does
/// (`crates/polku/src/test_identities.rs`).
struct People(Arc<Population>);

impl People {
    fn shown(&self, p: &Person) -> TestPerson {
        let name = registered_name(&self.0, p, System::Population);
        TestPerson {
            id: person_id(p.index),
            name: format!("{} {}", name.given, name.family),
            native: name.native,
            native_lang: self.0.origin(p).code.split('-').next().unwrap().to_owned(),
            born: p.birth.year.to_string(),
        }
    }
}

impl TestIdentities for People {
    fn offered(&self, n: usize) -> Vec<TestPerson> {
        self.0
            .persons
            .iter()
            .take(n)
            .map(|p| self.shown(p))
            .collect()
    }

    fn person(&self, id: &str) -> Option<TestPerson> {
        self.0.person(id).map(|p| self.shown(p))
    }
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) cookies: Vec<String>,
    pub(crate) body: String,
    pub(crate) headers: header::HeaderMap,
}

impl Site {
    pub(crate) async fn call(
        &self,
        method: &str,
        uri: &str,
        cookies: &str,
        form: Option<&str>,
    ) -> Reply {
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

    /// A GET whose answer is bytes (a PDF, an attachment): status, headers, body.
    pub(crate) async fn call_bytes(
        &self,
        uri: &str,
        cookies: &str,
    ) -> (StatusCode, header::HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .method("GET")
            .uri(uri)
            .header(header::COOKIE, cookies)
            .body(Body::empty())
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, bytes.to_vec())
    }

    pub(crate) async fn send(&self, req: Request<Body>) -> Reply {
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

    /// Posts a multipart form (`fields`; a name with `@` is sent as an uploaded file, named
    /// by what follows the `@`, or `rules.yaml`).
    pub(crate) async fn multipart(
        &self,
        uri: &str,
        cookies: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let boundary = "polku-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, value) in fields {
            match name.split_once('@') {
                Some((file, file_name)) => body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{file}\"; filename=\"{}\"\r\nContent-Type: application/yaml\r\n\r\n{value}\r\n",
                    if file_name.is_empty() { "rules.yaml" } else { file_name }
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
    pub(crate) async fn sign_in(&self, person: &str) -> String {
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

pub(crate) fn cookie_value(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie {name} in {cookies:?}"))
        .to_owned()
}

/// The CSRF token a page's forms carry.
pub(crate) fn form_csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_owned()
}

/// Files the example application for `person`, changed by `patch`, and runs the pipeline.
pub(crate) async fn filed_and_evaluated(
    s: &Site,
    person: &str,
    patch: serde_json::Value,
) -> uuid::Uuid {
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
            &Actor::Person("test".into()),
        )
        .await
        .unwrap();
    // With the identity register, as `serve` runs it: the case becomes its person's.
    match &s.state.persons {
        Some(persons) => Pipeline::new(
            s.state.store.clone(),
            s.state.rules.clone(),
            polku_persons::IdentityEvidence::new(SuppliedEvidence, persons.clone()),
            "w",
        )
        .run_once()
        .await
        .unwrap(),
        None => Pipeline::new(
            s.state.store.clone(),
            s.state.rules.clone(),
            SuppliedEvidence,
            "w",
        )
        .run_once()
        .await
        .unwrap(),
    };
    id
}

/// A case the machine granted.
pub(crate) async fn decided_case(s: &Site, person: &str) -> uuid::Uuid {
    let id = filed_and_evaluated(s, person, serde_json::json!({})).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Decided
    );
    id
}

/// A case the machine referred: pay below the agreement's minimum.
pub(crate) async fn referred_case(s: &Site, person: &str) -> uuid::Uuid {
    let low_pay = serde_json::json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1500}}});
    let id = filed_and_evaluated(s, person, low_pay).await;
    assert_eq!(
        s.state.store.case(id).await.unwrap().state,
        CaseState::Referred
    );
    id
}

/// Signs in an official with a password; returns the cookie header.
pub(crate) async fn official(s: &Site, username: &str, role: Role) -> String {
    official_of(s, username, role, "Maahanmuuttovirasto").await
}

/// Signs in an official of `organisation` with a password; returns the cookie header.
pub(crate) async fn official_of(
    s: &Site,
    username: &str,
    role: Role,
    organisation: &str,
) -> String {
    let user = s
        .state
        .access()
        .add_user(username, role, Some(organisation), None)
        .await
        .unwrap();
    s.state
        .access()
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
        Role::LabourInspector => "/inspect/employers",
        Role::SecurityLiaison => "/liaison/flags",
        _ => "/work",
    };
    assert_eq!(done.location.as_deref(), Some(home), "{}", done.body);
    format!(
        "polku_session={}",
        cookie_value(&done.cookies, "polku_session")
    )
}

/// Posts the sign-in form for `username` as a browser at `peer` would.
pub(crate) async fn sign_in_from(s: &Site, peer: &str, username: &str, password: &str) -> Reply {
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

/// The shipped extension rules with the general minimum pay raised to 2,000 € from `from`.
pub(crate) fn raised_minimum(from: jiff::civil::Date) -> String {
    let text = std::fs::read_to_string(
        crate_dir().join("../../rules/fi/residence-permit-employed-extension.yaml"),
    )
    .unwrap();
    let line = "      2025-04-01: 1600\n";
    assert!(text.contains(line));
    text.replace(line, &format!("{line}      {from}: 2000\n"))
}

/// Whether the fonts decision PDFs are set in are installed (`.ci/run` installs them and sets
/// `POLKU_REQUIRE_FONTS`, making their absence a failure); a test that needs them says it is
/// skipped where they are not.
pub(crate) fn pdf_fonts_installed() -> bool {
    let there = std::path::Path::new("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
        .exists()
        && std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists();
    if !there {
        assert!(
            std::env::var_os("POLKU_REQUIRE_FONTS").is_none(),
            "install fonts-noto-core and fonts-noto-cjk"
        );
        eprintln!("skipped: fonts-noto-core and fonts-noto-cjk are not installed");
    }
    there
}
