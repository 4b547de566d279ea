//! The processing rules, published: every automated process's description as the
//! authority must publish it (domain.md §4.3), in the reader's language, for anyone.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_rules::RuleSet;

use crate::WebState;
use crate::pages::{Page, error_page};
use crate::visitor::Visitor;

struct RuleSetRow {
    id: String,
    title: String,
    law: String,
    versions: String,
    /// For a monitoring set, the titles of the matters whose permits it watches.
    watches: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rules.html")]
struct Rules {
    page: Page,
    /// The matters decided automatically.
    rule_sets: Vec<RuleSetRow>,
    /// The monitoring of granted permits: published too, though no one files them.
    monitoring: Vec<RuleSetRow>,
}

/// `GET /rules`: the rule sets and their versions, the monitoring sets apart.
pub async fn rules(State(state): State<WebState>, v: Visitor) -> Response {
    let book = state.rules.today();
    let row = |rs: &RuleSet| RuleSetRow {
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
        watches: rs
            .monitoring
            .iter()
            .flat_map(|m| &m.permits_of)
            .map(|matter| {
                book.get(matter)
                    .map_or_else(|| matter.clone(), |w| w.title.get(v.tr.lang).to_owned())
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    Rules {
        page: Page::of(&v),
        rule_sets: book.decision_sets().map(row).collect(),
        monitoring: book.monitoring_sets().map(row).collect(),
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

/// `GET /rules/{id}`: the published description of one automated process (a monitoring
/// set's says what it watches and that it only raises alerts for a person).
pub async fn rule_set(
    State(state): State<WebState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let book = state.rules.today();
    let Some(rs) = book.get(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let lang = v.tr.lang;
    let markdown = polku_rules::describe(rs, lang, &|id| {
        book.get(id).map(|other| other.title.get(lang).to_owned())
    });
    RuleSetPage {
        page: Page::of(&v),
        title: rs.title.get(v.tr.lang).to_owned(),
        description: description_html(&markdown),
    }
    .into_response()
}

/// The description, Markdown written from the rule files, as HTML for the page: any raw
/// HTML in it is dropped, and a link or image whose target is not [`safe_target`] is
/// left as its plain text.
fn description_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    // For each link or image open: whether its tags are left out.
    let mut dropped = Vec::new();
    let events = pulldown_cmark::Parser::new(markdown).filter_map(|e| {
        let keep = match &e {
            Event::Html(_) | Event::InlineHtml(_) => false,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let safe = safe_target(dest_url);
                dropped.push(!safe);
                safe
            }
            Event::End(TagEnd::Link | TagEnd::Image) => !dropped.pop().unwrap_or(false),
            _ => true,
        };
        keep.then_some(e)
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Whether a link may lead to `url`: http, https, mailto, or a relative address. The
/// scheme is read as a browser reads it, which ignores tabs and line breaks anywhere and
/// spaces or control characters in front (`java\tscript:` is `javascript:`).
fn safe_target(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_start_matches(|c: char| c <= ' ');
    match url.find([':', '/', '?', '#']) {
        Some(at) if url[at..].starts_with(':') => matches!(
            url[..at].to_ascii_lowercase().as_str(),
            "http" | "https" | "mailto"
        ),
        _ => true,
    }
}
