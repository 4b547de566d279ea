//! `/work/rules/{id}/figure`: a rule set's figure changed from a day through a form — the
//! figure chosen by what it is used for, the new value, the day, where it was published and
//! why — written into the rule text (`polku_rule_admin::with_figure`) and shown on the
//! proposal form, checked, for the official to propose. Four eyes as for any change; raw
//! text stays for every other change.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_rule_admin::{FigureError, check_proposal, with_figure};
use polku_rules::{ParamValue, RuleSet};
use serde::Deserialize;

use crate::WebState;
use crate::frame::PageError;
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal, matter_title};

/// A figure as the form shows it.
struct FigureChoice {
    /// The parameter's key: the radio's value, never shown.
    key: String,
    /// What it is used for: the conditions that read it, in the reader's language.
    used_in: Vec<String>,
    /// Today's value with its unit, as the reader writes numbers.
    today: String,
    /// Its values over time: "from 1.4.2025: 1 600 €/month gross".
    history: Vec<String>,
    source: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_figure.html")]
struct FigurePage {
    page: Page,
    id: String,
    title: String,
    figures: Vec<FigureChoice>,
    chosen: String,
    value: String,
    from: String,
    source: String,
    summary: String,
    /// (field id, message), for the summary and each field.
    errors: Vec<(String, String)>,
}

impl FigurePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn number(v: &ParamValue, unit: Option<&str>, tr: Tr) -> String {
    let mut out = match v {
        ParamValue::Number(x) => crate::plain::number(*x, tr.lang),
        ParamValue::List(l) => l
            .iter()
            .map(|x| crate::plain::number(*x, tr.lang))
            .collect::<Vec<_>>()
            .join(" / "),
    };
    if let Some(u) = unit {
        out.push(' ');
        out.push_str(u);
    }
    out
}

fn choices(rs: &RuleSet, tr: Tr) -> Vec<FigureChoice> {
    let today = polku_cases::today_in_finland();
    rs.parameters
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.values
                .iter()
                .all(|(_, v)| matches!(v, ParamValue::Number(_)))
        })
        .map(|(i, p)| FigureChoice {
            key: p.name.clone(),
            used_in: rs
                .conditions
                .iter()
                .filter(|c| c.params.contains(&i))
                .map(|c| c.text.get(tr.lang).to_owned())
                .collect(),
            today: p
                .value_at(today)
                .map(|(_, v)| number(v, p.unit.as_ref().map(|u| u.get(tr.lang)), tr))
                .unwrap_or_else(|| tr.t("figure-none-today")),
            history: p
                .values
                .iter()
                .map(|(d, v)| {
                    tr.t_with(
                        "figure-from",
                        &[
                            ("day", &crate::plain::date(*d, tr.lang)),
                            (
                                "value",
                                &number(v, p.unit.as_ref().map(|u| u.get(tr.lang)), tr),
                            ),
                        ],
                    )
                })
                .collect(),
            source: p.source.clone(),
        })
        .collect()
}

/// `GET /work/rules/{id}/figure`.
pub async fn form(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, .. }: HandlerSession,
) -> Response {
    let book = state.rules.today();
    let Some(rs) = book.get(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let tomorrow = polku_cases::today_in_finland()
        .tomorrow()
        .map(|d| d.to_string())
        .unwrap_or_default();
    FigurePage {
        page: Page::of(&v),
        title: matter_title(&state, &id, v.tr),
        figures: choices(rs, v.tr),
        id,
        chosen: String::new(),
        value: String::new(),
        from: tomorrow,
        source: String::new(),
        summary: String::new(),
        errors: Vec::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct FigureForm {
    csrf: String,
    #[serde(default)]
    figure: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    summary: String,
}

/// `POST /work/rules/{id}/figure`: each field checked (a 422 names what to fix); the change
/// written into the latest text and shown on the proposal form with its check and tests.
pub async fn write(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<FigureForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(f)) = form else {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    };
    if f.csrf != session.csrf {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let tr = v.tr;
    for (label, text) in [
        ("figure-source", &f.source),
        ("rules-summary", &f.summary),
        ("figure-value", &f.value),
    ] {
        crate::text::typed(&v, &[(&tr.t(label), text, crate::text::MAX_SHORT)])?;
    }
    let book = state.rules.today();
    let Some(rs) = book.get(&id) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let mut errors = Vec::new();
    let known = rs.parameters.iter().any(|p| p.name == f.figure);
    if !known {
        errors.push(("figure-0".to_owned(), tr.t("figure-error-choose")));
    }
    // As the reader writes numbers: 1 650,50 in Finnish and Swedish, 1,650.50 in English.
    let plain = f.value.trim().replace([' ', '\u{a0}', '\u{202f}'], "");
    let plain = match tr.lang {
        polku_rules::Lang::En => plain.replace(',', ""),
        polku_rules::Lang::Fi | polku_rules::Lang::Sv => plain.replace(',', "."),
    };
    let value = plain
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (0.0..=polku_rule_admin::MAX_FIGURE).contains(x));
    if value.is_none() {
        errors.push(("value".to_owned(), tr.t("figure-error-value")));
    }
    let today = polku_cases::today_in_finland();
    let from = f
        .from
        .trim()
        .parse::<jiff::civil::Date>()
        .ok()
        .filter(|d| *d > today);
    if from.is_none() {
        errors.push(("from".to_owned(), tr.t("figure-error-from")));
    }
    if f.source.trim().is_empty() {
        errors.push(("source".to_owned(), tr.t("figure-error-source")));
    }
    if f.summary.trim().is_empty() {
        errors.push(("summary".to_owned(), tr.t("figure-error-summary")));
    }
    let again = |errors: Vec<(String, String)>| FigurePage {
        page: Page::of(&v),
        title: matter_title(&state, &id, tr),
        figures: choices(rs, tr),
        id: id.clone(),
        chosen: f.figure.clone(),
        value: f.value.clone(),
        from: f.from.clone(),
        source: f.source.clone(),
        summary: f.summary.clone(),
        errors,
    };
    let (Some(value), Some(from), true) = (value, from, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, again(errors)).into_response());
    };
    // Written into the latest text: every change approved so far, on any server.
    state.rules.refresh().await.map_err(|e| internal(&v, &e))?;
    let shelf = state.rules.shelf();
    let Some((text, tests)) = shelf.latest().text_of(&id) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let written = match with_figure(text, &f.figure, from, value, &f.source) {
        Ok(t) => t,
        Err(FigureError::NotANumber(_) | FigureError::NoSuchFigure(_)) => {
            let errors = vec![("figure-0".to_owned(), tr.t("figure-error-choose"))];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, again(errors)).into_response());
        }
        Err(e) => return Err(internal(&v, &e).into()),
    };
    let base = crate::rule_admin::base_of(&shelf, &id);
    let check = check_proposal(shelf.latest(), &id, &written, None);
    Ok(crate::rule_admin::written_form(
        &state,
        &v,
        &id,
        crate::rule_admin::Written {
            base,
            summary: f.summary.clone(),
            effective_from: from.to_string(),
            text: written,
            tests: tests.unwrap_or_default().to_owned(),
        },
        &check,
    ))
}
