//! The processing rules, published: every automated process's description as the
//! authority must publish it (domain.md §4.3), in the reader's language, for anyone.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::WebState;
use crate::pages::{Page, error_page};
use crate::visitor::Visitor;

struct RuleSetRow {
    id: String,
    title: String,
    law: String,
    versions: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rules.html")]
struct Rules {
    page: Page,
    rule_sets: Vec<RuleSetRow>,
}

/// `GET /rules`: the rule sets and their versions.
pub async fn rules(State(state): State<WebState>, v: Visitor) -> Response {
    let rule_sets = state
        .rules
        .today()
        .iter()
        .map(|rs| RuleSetRow {
            id: rs.id.clone(),
            title: rs.title.get(v.tr.lang).to_owned(),
            law: rs.law.clone(),
            versions: rs
                .versions
                .iter()
                .map(|ver| match ver.to {
                    Some(to) => format!("{} ({} – {to})", ver.id, ver.from),
                    None => format!("{} ({} –)", ver.id, ver.from),
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Rules {
        page: Page::of(&v),
        rule_sets,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_set.html")]
struct RuleSetPage {
    page: Page,
    title: String,
    description: String,
}

/// `GET /rules/{id}`: the published description of one automated process.
pub async fn rule_set(
    State(state): State<WebState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let book = state.rules.today();
    let Some(rs) = book.get(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let markdown = polku_rules::describe(rs, v.tr.lang);
    // The description is Markdown written from the rule files; any raw HTML in it is
    // dropped, never passed to the page.
    let events = pulldown_cmark::Parser::new(&markdown).filter(|e| {
        !matches!(
            e,
            pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
        )
    });
    let mut description = String::new();
    pulldown_cmark::html::push_html(&mut description, events);
    RuleSetPage {
        page: Page::of(&v),
        title: rs.title.get(v.tr.lang).to_owned(),
        description,
    }
    .into_response()
}
