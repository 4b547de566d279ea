//! The labour inspector's pages: the employers with a labour-exploitation indicator found
//! in the latest month read (filtered by indicator, paged, most found first), and one
//! employer's indicators — today's, each stated with its threshold, legal basis and
//! reviewer, and month by month over time. Findings for an inspector, never decisions
//! about a person: the pages name no worker. Today's reading of an employer reads its
//! workers' facts and is in the use log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_audit::Actor;
use polku_monitoring::indicators::{IndicatorKind, Reading};
use polku_monitoring::{EmployerIndicators, EmployerMonth, IndicatorMonth};
use serde::Deserialize;

use crate::WebState;
use crate::frame::{Page, PageError, bad_input, error_page, internal};
use crate::guard::InspectorSession;
use crate::i18n::Tr;
use crate::plain;
use crate::text::{MAX_SHORT, typed};

/// Employers on one page of the list.
const PAGE_SIZE: usize = 25;

/// Months of history on an employer's page.
const MONTHS_SHOWN: usize = 24;

/// An indicator's name in the reader's language.
fn kind_name(tr: Tr, kind: IndicatorKind) -> String {
    tr.t(&format!("insp-kind-{}", kind.code().replace('_', "-")))
}

/// An indicator as stated, in the reader's language, with its threshold.
fn statement(tr: Tr, kind: IndicatorKind) -> String {
    tr.t1(
        &format!("insp-statement-{}", kind.code().replace('_', "-")),
        "threshold",
        &kind.stated().threshold.to_string(),
    )
}

/// "December 2026" in the reader's language.
fn month_name(tr: Tr, month: jiff::civil::Date) -> String {
    tr.t_with(
        "insp-month",
        &[
            (
                "name",
                tr.t(&format!("insp-month-{}", month.month())).as_str(),
            ),
            ("year", month.year().to_string().as_str()),
        ],
    )
}

fn count(tr: Tr, n: usize) -> String {
    plain::number(n as f64, tr.lang)
}

/// One indicator's reading, in words.
struct ReadingLine {
    name: String,
    /// "3 counted; a finding from 3", or that Polku cannot compute it.
    counted: String,
    found: bool,
    verdict: String,
}

fn reading_line(tr: Tr, r: &Reading) -> ReadingLine {
    let counted = match r.count {
        Some(n) => tr.t_with(
            "insp-counted",
            &[
                ("count", count(tr, n).as_str()),
                ("threshold", count(tr, r.threshold).as_str()),
            ],
        ),
        None => tr.t("insp-not-computed"),
    };
    let verdict = match (r.count, r.found) {
        (None, _) => tr.t("insp-verdict-cannot"),
        (Some(_), true) => tr.t("insp-verdict-found"),
        (Some(_), false) => tr.t("insp-verdict-not-found"),
    };
    ReadingLine {
        name: kind_name(tr, r.kind),
        counted,
        found: r.found,
        verdict,
    }
}

struct EmployerRow {
    id: String,
    workers: String,
    found: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "employers.html")]
struct EmployersPage {
    page: Page,
    /// "Read on 7 December 2026 from 1,234 employers", or that nothing was read yet.
    read: String,
    kinds: Vec<(String, String)>,
    kind: String,
    employer: String,
    summary: String,
    rows: Vec<EmployerRow>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct EmployersQuery {
    indicator: Option<String>,
    employer: Option<String>,
    page: Option<String>,
}

/// `GET /inspect/employers`: the employers with an indicator found in the latest month
/// read (read first if today's reading is due), most found first; a business ID given
/// leads to that employer's page.
pub async fn employers(
    State(state): State<WebState>,
    Query(q): Query<EmployersQuery>,
    InspectorSession { v, session, .. }: InspectorSession,
) -> Result<Response, PageError> {
    let tr = v.tr;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (wanted, employer) = (nonempty(q.indicator), nonempty(q.employer));
    let id_label = tr.t("insp-find-label");
    typed(
        &v,
        &[(&id_label, employer.as_deref().unwrap_or(""), MAX_SHORT)],
    )?;
    if let Some(id) = employer {
        if !polku_rules::schema::is_business_id(&id) {
            return Err(bad_input(&v, &tr.t("insp-bad-id")).into());
        }
        return Ok(Redirect::to(&format!("/inspect/employers/{id}")).into_response());
    }
    let kind = match &wanted {
        None => None,
        Some(code) => Some(
            IndicatorKind::from_code(code)
                .ok_or_else(|| bad_input(&v, &tr.t("insp-filter-indicator")))?,
        ),
    };
    let number = match nonempty(q.page) {
        None => 1,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| bad_input(&v, &tr.t("mon-page-number")))?,
    };
    let today = polku_cases::today_in_finland();
    let monitor = &state.monitor;
    monitor
        .record_indicators_if_due(today, &Actor::User(session.principal.user_id))
        .await
        .map_err(|e| internal(&v, &e))?;
    let latest: Option<IndicatorMonth> = monitor
        .indicator_months(1)
        .await
        .map_err(|e| internal(&v, &e))?
        .into_iter()
        .next();
    let offset = (number - 1) * PAGE_SIZE;
    let (found, total) = match latest {
        Some(m) => monitor
            .flagged_in(m.month, kind, offset, PAGE_SIZE)
            .await
            .map_err(|e| internal(&v, &e))?,
        None => (Vec::new(), 0),
    };
    let read = match latest {
        Some(m) => tr.t_with(
            "insp-read-on",
            &[
                ("date", plain::date(m.read_on, tr.lang).as_str()),
                ("employers", count(tr, m.employers).as_str()),
            ],
        ),
        None => tr.t("insp-never-read"),
    };
    let rows: Vec<EmployerRow> = found
        .iter()
        .map(|e: &EmployerIndicators| EmployerRow {
            id: e.employer.clone(),
            workers: count(tr, e.workers),
            found: e
                .readings
                .iter()
                .filter(|r| r.found)
                .map(|r| kind_name(tr, r.kind))
                .collect(),
        })
        .collect();
    let last = offset + rows.len();
    let summary = if total == 0 {
        tr.t("insp-none")
    } else if rows.is_empty() {
        tr.t1("insp-beyond", "total", &count(tr, total))
    } else {
        tr.t_with(
            "insp-showing",
            &[
                ("first", count(tr, offset + 1).as_str()),
                ("last", count(tr, last).as_str()),
                ("total", count(tr, total).as_str()),
            ],
        )
    };
    let link = |page: usize| match kind {
        Some(k) => format!("/inspect/employers?indicator={}&page={page}", k.code()),
        None => format!("/inspect/employers?page={page}"),
    };
    Ok(EmployersPage {
        page: Page::of(&v),
        read,
        kinds: IndicatorKind::ALL
            .into_iter()
            .filter(|k| k.stated().computed)
            .map(|k| (k.code().to_owned(), kind_name(tr, k)))
            .collect(),
        kind: kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        employer: String::new(),
        summary,
        rows,
        previous: (number > 1).then(|| link(number - 1)),
        next: (last < total).then(|| link(number + 1)),
    }
    .into_response())
}

/// An indicator on the employer's page: stated, and read today.
struct TodayLine {
    statement: String,
    reading: ReadingLine,
}

/// A month of the employer's history.
struct MonthLine {
    name: String,
    read_on: String,
    /// "3 workers on a watched permit", when something was found.
    workers: Option<String>,
    found: Vec<ReadingLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "employer.html")]
struct EmployerPage {
    page: Page,
    id: String,
    workers: String,
    today: Vec<TodayLine>,
    basis: String,
    months: Vec<MonthLine>,
}

/// `GET /inspect/employers/{id}`: one employer's indicators today (its workers' facts
/// read, in the use log) and in each month read.
pub async fn employer(
    State(state): State<WebState>,
    Path(id): Path<String>,
    InspectorSession { v, session, .. }: InspectorSession,
) -> Result<Response, PageError> {
    let tr = v.tr;
    if !polku_rules::schema::is_business_id(&id) {
        return Err(PageError::from(error_page(
            &v,
            StatusCode::NOT_FOUND,
            "error-not-found",
        )));
    }
    let today = polku_cases::today_in_finland();
    let now = state
        .monitor
        .employer_indicators(&id, today, &Actor::User(session.principal.user_id))
        .await
        .map_err(|e| internal(&v, &e))?;
    let history: Vec<EmployerMonth> = state
        .monitor
        .employer_history(&id, MONTHS_SHOWN)
        .await
        .map_err(|e| internal(&v, &e))?;
    let today_lines = now
        .readings
        .iter()
        .map(|r| TodayLine {
            statement: statement(tr, r.kind),
            reading: reading_line(tr, r),
        })
        .collect();
    let months = history
        .iter()
        .map(|m| MonthLine {
            name: month_name(tr, m.month.month),
            read_on: tr.t1(
                "insp-month-read",
                "date",
                &plain::date(m.month.read_on, tr.lang),
            ),
            workers: m
                .workers
                .map(|w| tr.t1("insp-workers-then", "count", &count(tr, w))),
            found: m
                .readings
                .iter()
                .filter(|r| r.found)
                .map(|r| reading_line(tr, r))
                .collect(),
        })
        .collect();
    Ok(EmployerPage {
        page: Page::of(&v),
        workers: count(tr, now.workers),
        id,
        today: today_lines,
        basis: tr.t("insp-basis"),
        months,
    }
    .into_response())
}
