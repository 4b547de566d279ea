//! Who reaches which page, across the site.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;
use uuid::Uuid;

use crate::support::{EXTENSION, Reply, Site, decided_case, site};

/// Who a set of pages is for, and where a visitor not signed in is sent.
struct Audience {
    roles: &'static [Role],
    sign_in: &'static str,
}

const APPLICANTS: Audience = Audience {
    roles: &[Role::Applicant],
    sign_in: "/identify",
};
const WORKBENCH: Audience = Audience {
    roles: &[Role::CaseHandler, Role::LegalOfficer],
    sign_in: "/sign-in",
};
const FIGURES: Audience = Audience {
    roles: &[Role::Analyst, Role::LegalOfficer, Role::Administrator],
    sign_in: "/sign-in",
};
const AUDITORS: Audience = Audience {
    roles: &[Role::Auditor],
    sign_in: "/sign-in",
};

/// Every guarded page and form — method (`MULTIPART` for a multipart form) and path —
/// with its audience; `case` is one of person 3's.
fn guarded(case: Uuid) -> Vec<(&'static str, String, &'static Audience)> {
    let nil = Uuid::nil();
    let proposal = format!("/work/rules/proposals/{nil}");
    let mut pages = Vec::new();
    for (method, path) in [
        ("GET", "/my/cases".to_owned()),
        ("GET", "/my/apply".to_owned()),
        ("GET", format!("/my/apply/{EXTENSION}")),
        ("GET", format!("/my/cases/{case}")),
        ("POST", format!("/my/apply/{EXTENSION}")),
        ("POST", format!("/my/cases/{case}/rectification")),
    ] {
        pages.push((method, path, &APPLICANTS));
    }
    for (method, path) in [
        ("GET", "/work".to_owned()),
        ("GET", format!("/work/cases/{case}")),
        ("GET", "/work/rules".to_owned()),
        ("GET", format!("/work/rules/{EXTENSION}/propose")),
        ("POST", format!("/work/cases/{case}/claim")),
        ("POST", format!("/work/cases/{case}/decision")),
        ("MULTIPART", format!("/work/rules/{EXTENSION}/propose")),
        ("POST", format!("{proposal}/approval")),
        ("POST", format!("{proposal}/rejection")),
        ("POST", format!("{proposal}/withdrawal")),
    ] {
        pages.push((method, path, &WORKBENCH));
    }
    pages.push(("GET", "/dashboard".to_owned(), &FIGURES));
    pages.push(("GET", "/dashboard/kpis.csv".to_owned(), &FIGURES));
    pages.push(("GET", "/audit".to_owned(), &AUDITORS));
    pages
}

/// A visitor not signed in (`None`), then one signed in in each role (an applicant as
/// person 3), each with their session's cookie.
async fn visitors(s: &Site) -> Vec<(Option<Role>, String)> {
    let mut visitors = vec![(None, String::new())];
    for role in Role::ALL {
        let (organisation, person) = match role {
            Role::Applicant => (None, Some(person_id(3))),
            _ => (Some("Maahanmuuttovirasto"), None),
        };
        let user = s
            .state
            .access()
            .add_user(&format!("{role:?}"), role, organisation, person.as_deref())
            .await
            .unwrap();
        let (token, _) = s.state.sessions().start(user, 1).await.unwrap();
        visitors.push((Some(role), format!("polku_session={token}; ")));
    }
    visitors
}

/// Who reaches which page: its own visitors get it; anyone else signed in gets the 403
/// page in their language, before any form is read; and a visitor not signed in is sent
/// to sign in — applicants to the identity provider, officials to the password form.
async fn every_page_lets_in_only_its_visitors(db: &TestDb) {
    let s = site(db);
    let case = decided_case(&s, &person_id(3)).await;
    let visitors = visitors(&s).await;
    for (method, uri, audience) in guarded(case) {
        for (role, session) in &visitors {
            let cookies = format!("{session}polku_lang=en");
            // A form with a token no session has: a page's own visitor is refused for it.
            let r: Reply = match method {
                "MULTIPART" => s.multipart(&uri, &cookies, &[("csrf", "forged")]).await,
                "POST" => s.call("POST", &uri, &cookies, Some("csrf=forged")).await,
                _ => s.call("GET", &uri, &cookies, None).await,
            };
            let who = format!("{method} {uri} as {role:?}");
            match role {
                None => {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{who}");
                    assert_eq!(r.location.as_deref(), Some(audience.sign_in), "{who}");
                }
                Some(role) if audience.roles.contains(role) && method == "GET" => {
                    assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
                }
                Some(role) if audience.roles.contains(role) => {
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
polku_cases::on_every_database!(who_sees_what, every_page_lets_in_only_its_visitors, with_db);
