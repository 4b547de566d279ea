//! The management dashboard: the programme's key figures measured live from the cases
//! (domain.md §1) beside their yearly targets, per matter and per month; how long
//! decisions take; the backlog and its age; why the machine hands cases to people; the
//! monitoring of granted permits (register events per day, what became of the alerts, how
//! long people take to handle one). Charts are SVG drawn here, every figure is also in a
//! table, and every table downloads as CSV.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use polku_audit::{AuditEntry, AuditLog};
use polku_figures::{FactGroup, MonitoringFigures, MonitoringTotals, SPAN_LIMITS};
use polku_rule_admin::RuleProposal;
use polku_rules::Lang;
use serde_json::json;

use crate::WebState;
use crate::guard::AnalystSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal};
use crate::visitor::{Session, Visitor};

/// The programme's targets by year: (year, decided within 10 minutes, permits fully
/// automatic, citizenships fully automatic), shares. domain.md §1.
const TARGETS: [(i16, f64, f64, f64); 5] = [
    (2023, 0.10, 0.05, 0.05),
    (2024, 0.25, 0.10, 0.10),
    (2025, 0.35, 0.25, 0.25),
    (2026, 0.50, 0.35, 0.35),
    (2027, 0.60, 0.50, 0.50),
];

/// The shares a group of cases reaches.
#[derive(Default)]
struct Tally {
    cases: u64,
    automatic: u64,
    within_10_min: u64,
}

impl Tally {
    fn add(&mut self, g: &FactGroup) {
        let n = u64::try_from(g.cases).unwrap_or(0);
        self.cases += n;
        if g.automatic_grant {
            self.automatic += n;
        }
        if g.decided_within_10_min() {
            self.within_10_min += n;
        }
    }

    fn share(n: u64, of: u64) -> f64 {
        if of == 0 { 0.0 } else { n as f64 / of as f64 }
    }
}

/// Each approved rule change: the backtest its approver saw, and what happened to the
/// matter's cases filed since it took effect.
fn rule_changes(state: &WebState, tr: Tr, facts: &[FactGroup], changes: &[RuleProposal]) -> Table {
    let tz = polku_cases::finland();
    let day = |micros: i64| {
        jiff::Timestamp::from_microsecond(micros)
            .map(|t| t.to_zoned(tz.clone()).date().to_string())
            .unwrap_or_default()
    };
    let rows = changes
        .iter()
        .map(|c| {
            // The cases it decides: filed from the day it took effect until the next
            // approved change to the same rule set took over.
            let until = changes
                .iter()
                .filter(|n| n.rule_set == c.rule_set && n.effective_from > c.effective_from)
                .map(|n| n.effective_from.as_str())
                .min();
            let mut tally = Tally::default();
            for g in facts.iter().filter(|g| {
                g.matter == c.rule_set
                    && g.filed >= c.effective_from
                    && until.is_none_or(|u| g.filed.as_str() < u)
            }) {
                tally.add(g);
            }
            vec![
                crate::pages::matter_title(state, &c.rule_set, tr),
                c.effective_from.clone(),
                format!(
                    "{} ({})",
                    c.decided_at.map(day).unwrap_or_default(),
                    c.decided_by_name.clone().unwrap_or_default()
                ),
                count(tr.lang, c.backtest_evaluated.unwrap_or(0)),
                count(tr.lang, c.backtest_changed.unwrap_or(0)),
                count_u(tr.lang, tally.cases),
                // No share of nothing: a change not yet in effect has no cases.
                if tally.cases == 0 {
                    "–".to_owned()
                } else {
                    pct(Tally::share(tally.automatic, tally.cases), tr.lang)
                },
            ]
        })
        .collect();
    Table {
        name: "rule-changes",
        caption: tr.t("dash-rule-changes"),
        head: vec![
            tr.t("case-matter"),
            tr.t("dash-rule-effective"),
            tr.t("dash-rule-approved"),
            tr.t("dash-rule-backtest"),
            tr.t("dash-rule-would-change"),
            tr.t("dash-rule-filed-since"),
            tr.t("dash-rule-automatic-since"),
        ],
        rows,
    }
}

/// A table as the page and the CSV show it.
pub(crate) struct Table {
    pub name: &'static str,
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A share as a percentage with one decimal, in the reader's decimal sign: fi/sv
/// "81,5 %", en "81.5 %".
fn pct(x: f64, lang: polku_rules::Lang) -> String {
    let shown = format!("{:.1}", 100.0 * x);
    match lang {
        polku_rules::Lang::En => format!("{shown} %"),
        polku_rules::Lang::Fi | polku_rules::Lang::Sv => format!("{} %", shown.replace('.', ",")),
    }
}

/// `YYYY-MM` of a day counted from 1970-01-01 (UTC).
fn month_of(day: i64) -> String {
    jiff::Timestamp::from_second(day.saturating_mul(86_400))
        .map(|t| t.strftime("%Y-%m").to_string())
        .unwrap_or_default()
}

fn targets_for(year: i16) -> (f64, f64, f64) {
    TARGETS
        .iter()
        .rev()
        .find(|t| t.0 <= year)
        .or(TARGETS.first())
        .map_or((0.0, 0.0, 0.0), |t| (t.1, t.2, t.3))
}

/// Every table of the dashboard, from the cases' facts.
fn tables(
    state: &WebState,
    tr: Tr,
    facts: &[FactGroup],
    reasons: &[polku_figures::ReferralCount],
) -> Vec<Table> {
    let year = jiff::Timestamp::now()
        .strftime("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let (processing, backlog) = span_tables(tr, facts);
    vec![
        kpi_table(tr, facts, year),
        matter_table(state, tr, facts),
        month_table(tr, facts, year),
        processing,
        backlog,
        reason_table(state, tr, reasons),
    ]
}

/// The key figures, `year`'s targets beside them.
fn kpi_table(tr: Tr, facts: &[FactGroup], year: i16) -> Table {
    let (t10, tperm, tcit) = targets_for(year);
    let (mut permits, mut citizenship, mut all) =
        (Tally::default(), Tally::default(), Tally::default());
    for f in facts {
        all.add(f);
        if f.matter.starts_with("fi.citizenship") {
            citizenship.add(f);
        } else {
            permits.add(f);
        }
    }
    Table {
        name: "kpis",
        caption: tr.t("dash-kpis"),
        head: vec![
            tr.t("dash-kpi"),
            tr.t("dash-measured"),
            tr.t1("dash-target", "year", &year.to_string()),
        ],
        rows: vec![
            vec![
                tr.t("dash-within-10"),
                pct(Tally::share(all.within_10_min, all.cases), tr.lang),
                pct(t10, tr.lang),
            ],
            vec![
                tr.t("dash-auto-permits"),
                pct(Tally::share(permits.automatic, permits.cases), tr.lang),
                pct(tperm, tr.lang),
            ],
            vec![
                tr.t("dash-auto-citizenship"),
                pct(
                    Tally::share(citizenship.automatic, citizenship.cases),
                    tr.lang,
                ),
                pct(tcit, tr.lang),
            ],
        ],
    }
}

/// Cases per matter: how many, the share granted automatically, the share within ten
/// minutes.
fn matter_table(state: &WebState, tr: Tr, facts: &[FactGroup]) -> Table {
    let mut by_matter: BTreeMap<&str, Tally> = BTreeMap::new();
    for f in facts {
        by_matter.entry(&f.matter).or_default().add(f);
    }
    Table {
        name: "matters",
        caption: tr.t("dash-by-matter"),
        head: vec![
            tr.t("case-matter"),
            tr.t("dash-cases"),
            tr.t("dash-automatic"),
            tr.t("dash-within-10-short"),
        ],
        rows: by_matter
            .iter()
            .map(|(m, t)| {
                vec![
                    crate::pages::matter_title(state, m, tr),
                    count_u(tr.lang, t.cases),
                    pct(Tally::share(t.automatic, t.cases), tr.lang),
                    pct(Tally::share(t.within_10_min, t.cases), tr.lang),
                ]
            })
            .collect(),
    }
}

/// Cases per month of submission, each month beside its year's target (`year`'s when
/// the month cannot be read).
fn month_table(tr: Tr, facts: &[FactGroup], year: i16) -> Table {
    let mut by_month: BTreeMap<String, Tally> = BTreeMap::new();
    for f in facts {
        by_month.entry(month_of(f.day)).or_default().add(f);
    }
    Table {
        name: "months",
        caption: tr.t("dash-by-month"),
        head: vec![
            tr.t("dash-month"),
            tr.t("dash-cases"),
            tr.t("dash-automatic"),
            tr.t("dash-within-10-short"),
            tr.t("dash-target-10"),
        ],
        rows: by_month
            .iter()
            .map(|(m, t)| {
                let y = m.get(..4).and_then(|y| y.parse().ok()).unwrap_or(year);
                vec![
                    m.clone(),
                    count_u(tr.lang, t.cases),
                    pct(Tally::share(t.automatic, t.cases), tr.lang),
                    pct(Tally::share(t.within_10_min, t.cases), tr.lang),
                    pct(targets_for(y).0, tr.lang),
                ]
            })
            .collect(),
    }
}

/// How long the decided cases took (`processing`), and how old the open ones are
/// (`backlog`), counted per span of [`SPAN_LIMITS`].
fn span_tables(tr: Tr, facts: &[FactGroup]) -> (Table, Table) {
    const SPANS: [&str; SPAN_LIMITS.len()] = [
        "dash-under-minute",
        "dash-under-10-min",
        "dash-under-hour",
        "dash-under-day",
        "dash-longer",
    ];
    let mut took = [0u64; SPAN_LIMITS.len()];
    let mut waiting = [0u64; SPAN_LIMITS.len()];
    for g in facts {
        let n = u64::try_from(g.cases).unwrap_or(0);
        if let Some(t) = g.took {
            took[t] += n;
        } else if let Some(w) = g.waiting {
            waiting[w] += n;
        }
    }
    let span_table = |name, caption: String, counts: [u64; SPAN_LIMITS.len()]| Table {
        name,
        caption,
        head: vec![tr.t("dash-span"), tr.t("dash-cases")],
        rows: SPANS
            .iter()
            .zip(counts)
            .map(|(key, n)| vec![tr.t(key), count_u(tr.lang, n)])
            .collect(),
    };
    (
        span_table("processing", tr.t("dash-processing"), took),
        span_table("backlog", tr.t("dash-backlog"), waiting),
    )
}

/// Why the machine handed cases to people, the twenty commonest reasons.
fn reason_table(state: &WebState, tr: Tr, reasons: &[polku_figures::ReferralCount]) -> Table {
    Table {
        name: "reasons",
        caption: tr.t("dash-reasons"),
        head: vec![tr.t("dash-reason"), tr.t("dash-cases")],
        rows: reasons
            .iter()
            .take(20)
            .map(|r| {
                let why = match &r.referral {
                    polku_figures::Referral::Silent(registers) => {
                        crate::reasons::silent_line(tr, registers)
                    }
                    polku_figures::Referral::Finding { condition, not_met } => {
                        crate::reasons::finding_line(
                            state,
                            tr,
                            &r.matter,
                            condition,
                            if *not_met {
                                polku_rules::Status::NotMet
                            } else {
                                polku_rules::Status::Unknown
                            },
                        )
                    }
                    polku_figures::Referral::Error(_) => tr.t("work-why-error"),
                };
                vec![
                    format!(
                        "{}: {why}",
                        crate::pages::matter_title(state, &r.matter, tr)
                    ),
                    crate::plain::number(r.cases as f64, tr.lang),
                ]
            })
            .collect(),
    }
}
/// The days the monitoring's figures look back over, today included.
pub const MONITORING_DAYS: u16 = 14;

/// A count as a reader of `lang` expects it (`12 345`, `12,345`).
fn count(lang: Lang, n: i64) -> String {
    let mut out = String::new();
    polku_rules::write_number(n as f64, lang, &mut out);
    out
}

/// An unsigned count as a reader of `lang` expects it.
fn count_u(lang: Lang, n: u64) -> String {
    count(lang, i64::try_from(n).unwrap_or(i64::MAX))
}

/// Days to one decimal as a reader of `lang` expects them; a dash for none.
fn days(lang: Lang, d: Option<f64>) -> String {
    match d {
        Some(d) => {
            let mut out = String::new();
            polku_rules::write_number((d * 10.0).round() / 10.0, lang, &mut out);
            out
        }
        None => "–".to_owned(),
    }
}

/// The monitoring's figures: the last days together and all time, side by side.
fn monitoring_table(tr: Tr, m: &MonitoringFigures) -> Table {
    let lang = tr.lang;
    let row = |key: &str, f: fn(&MonitoringTotals) -> i64| {
        vec![
            tr.t(key),
            count(lang, f(&m.recent)),
            count(lang, f(&m.all_time)),
        ]
    };
    Table {
        name: "monitoring",
        caption: tr.t("dash-mon"),
        head: vec![
            tr.t("dash-mon-figure"),
            tr.t1("dash-mon-recent", "days", &MONITORING_DAYS.to_string()),
            tr.t("dash-mon-all-time"),
        ],
        rows: vec![
            row("dash-mon-events", |t| t.events),
            row("dash-mon-opened", |t| t.opened),
            row("dash-mon-confirmed", |t| t.confirmed),
            row("dash-mon-dismissed", |t| t.dismissed),
            row("dash-mon-closed", |t| t.closed),
            vec![
                tr.t("dash-mon-open-now"),
                "–".to_owned(),
                count(lang, m.open_now),
            ],
            vec![
                tr.t("dash-mon-median"),
                days(lang, m.recent.median_days_to_handle()),
                days(lang, m.all_time.median_days_to_handle()),
            ],
        ],
    }
}

/// Register events taken in and alerts opened, day by day (Finland's days).
fn monitoring_days_table(tr: Tr, m: &MonitoringFigures) -> Table {
    let lang = tr.lang;
    Table {
        name: "monitoring-days",
        caption: tr.t("dash-mon-days"),
        head: vec![
            tr.t("dash-mon-day"),
            tr.t("dash-mon-day-events"),
            tr.t("dash-mon-day-opened"),
        ],
        rows: m
            .days
            .iter()
            .map(|d| {
                let mut day = String::new();
                polku_rules::write_date(d.day, lang, &mut day);
                vec![day, count(lang, d.events), count(lang, d.opened)]
            })
            .collect(),
    }
}

/// A horizontal bar chart of a table's column `col` of counts written in the page's
/// language: the digits are the count, whatever separates their groups.
fn count_chart(t: &Table, col: usize) -> String {
    bars(t, col, |shown| {
        shown
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0.0)
    })
}

/// A horizontal bar chart of a table's column `col` (counts or percentages), drawn as SVG.
/// The table beside it carries the same numbers for screen readers, so the chart is an
/// image with a title.
fn bar_chart(t: &Table, col: usize) -> String {
    bars(t, col, |shown| {
        shown
            .trim_end_matches(" %")
            .replace(',', ".")
            .parse()
            .unwrap_or(0.0)
    })
}

/// Bars for column `col` of `t`, each as long as `read` finds its text's value, labelled
/// with the row's first cell and the text as shown.
fn bars(t: &Table, col: usize, read: impl Fn(&str) -> f64) -> String {
    let value = |row: &Vec<String>| -> f64 { row.get(col).map_or(0.0, |v| read(v)) };
    let max = t.rows.iter().map(value).fold(0.0, f64::max).max(1.0);
    let (bar_h, gap, label_w, width) = (22.0, 8.0, 260.0, 640.0);
    let height = t.rows.len() as f64 * (bar_h + gap) + gap;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {width} {height}" width="100%" class="chart">"#,
        escape(&t.caption)
    );
    for (i, row) in t.rows.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let w = (width - label_w - 80.0) * value(row) / max;
        let label: String = row
            .first()
            .map(|l| l.chars().take(34).collect())
            .unwrap_or_default();
        svg.push_str(&format!(
            r##"<text x="0" y="{ty}" font-size="13" fill="#1f1f1f">{label}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{bar_h}" fill="#003479"/><text x="{tx:.1}" y="{ty}" font-size="13" fill="#1f1f1f">{val}</text>"##,
            ty = y + 15.0,
            label = escape(&label),
            tx = label_w + w + 6.0,
            val = escape(row.get(col).map_or("", String::as_str)),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Section {
    table: Table,
    chart: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct Dashboard {
    page: Page,
    sections: Vec<Section>,
}

/// How long measured figures are reused. Management figures need not be fresher, and
/// measuring every case on every page view would not scale with the case register.
pub const FIGURES_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(15);

/// The facts the figures are computed from, measured at most every [`FIGURES_MAX_AGE`].
#[derive(Default)]
pub struct FiguresCache {
    measured: tokio::sync::Mutex<Option<Measured>>,
}

#[derive(Clone)]
struct Measured {
    at: std::time::Instant,
    facts: std::sync::Arc<Vec<FactGroup>>,
    reasons: std::sync::Arc<Vec<polku_figures::ReferralCount>>,
    monitoring: std::sync::Arc<MonitoringFigures>,
}

impl FiguresCache {
    async fn get(&self, state: &WebState) -> Result<Measured, polku_cases::CaseError> {
        // One measurement at a time: concurrent views wait for it instead of repeating it.
        let mut slot = self.measured.lock().await;
        if let Some(m) = slot.as_ref()
            && m.at.elapsed() < FIGURES_MAX_AGE
        {
            return Ok(m.clone());
        }
        let measured = Measured {
            at: std::time::Instant::now(),
            facts: std::sync::Arc::new(
                state
                    .figures()
                    .case_fact_groups(jiff::Timestamp::now().as_microsecond())
                    .await?,
            ),
            reasons: std::sync::Arc::new(state.figures().referral_reasons().await?),
            monitoring: std::sync::Arc::new(
                state
                    .figures()
                    .monitoring_figures(
                        jiff::Timestamp::now(),
                        MONITORING_DAYS,
                        &polku_cases::finland(),
                    )
                    .await?,
            ),
        };
        *slot = Some(measured.clone());
        Ok(measured)
    }
}

async fn load(state: &WebState, v: &Visitor) -> Result<Vec<Table>, Response> {
    let m = state
        .figures
        .get(state)
        .await
        .map_err(|e| internal(v, &e))?;
    // Approved changes are few and read fresh: one approved a moment ago shows at once.
    let changes = state
        .rule_admin
        .approved_proposals()
        .await
        .map_err(|e| internal(v, &e))?;
    let mut tables = tables(state, v.tr, &m.facts, &m.reasons);
    tables.push(rule_changes(state, v.tr, &m.facts, &changes));
    tables.push(monitoring_table(v.tr, &m.monitoring));
    tables.push(monitoring_days_table(v.tr, &m.monitoring));
    Ok(tables)
}

/// Aggregates only, no person's data: logged as a use of the case register all the same.
async fn log_use(state: &WebState, s: &Session, what: &str) -> Result<(), polku_cases::StoreError> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: polku_audit::Actor::User(s.principal.user_id),
            organisation: s.principal.organisation.clone(),
            person: None,
            purpose: "knowledge-based management (aggregates)".to_owned(),
            legal_basis: None,
            detail: json!({"read": what}),
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}

/// `GET /dashboard`.
pub(crate) async fn dashboard(
    State(state): State<WebState>,
    AnalystSession { v, session, .. }: AnalystSession,
) -> Response {
    let tables = match load(&state, &v).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Err(e) = log_use(&state, &session, "dashboard").await {
        return internal(&v, &e);
    }
    let sections = tables
        .into_iter()
        .map(|table| {
            let chart = match table.name {
                "matters" => Some(bar_chart(&table, 2)),
                "processing" | "backlog" => Some(bar_chart(&table, 1)),
                "monitoring-days" => Some(count_chart(&table, 1)),
                _ => None,
            };
            Section { table, chart }
        })
        .collect();
    Dashboard {
        page: Page::of(&v),
        sections,
    }
    .into_response()
}

/// The media type of an Excel workbook.
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A cell of a table as a workbook holds it: a number is a number (a percentage a
/// percentage), never text that looks like one.
#[derive(Debug, Clone, PartialEq)]
enum SheetCell {
    Number(f64),
    Percent(f64),
    Text(String),
}

/// Reads back a cell the page wrote in `lang` (`12 345`, `81,5 %`, `12,345`, `81.5 %`).
fn sheet_cell(shown: &str, lang: polku_rules::Lang) -> SheetCell {
    let (body, percent) = match shown.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (shown, false),
    };
    let mut plain: String = body
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    match lang {
        polku_rules::Lang::En => plain.retain(|c| c != ','),
        polku_rules::Lang::Fi | polku_rules::Lang::Sv => plain = plain.replace(',', "."),
    }
    let digits = !plain.is_empty()
        && plain
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && plain.chars().any(|c| c.is_ascii_digit());
    match (digits, plain.parse::<f64>()) {
        (true, Ok(n)) if percent => SheetCell::Percent(n / 100.0),
        (true, Ok(n)) => SheetCell::Number(n),
        _ => SheetCell::Text(shown.to_owned()),
    }
}

/// A table as an Excel workbook (rust_xlsxwriter): a bold header row, numbers and
/// percentages as numbers in the reader's display, columns wide enough for their text.
fn xlsx_bytes(
    table: &Table,
    lang: polku_rules::Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // A sheet's name: at most 31 characters, none of []:*?/\
    let name: String = table
        .caption
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(name.trim())?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let whole = Format::new().set_num_format("#,##0");
    let mut widths: Vec<usize> = table.head.iter().map(|h| h.chars().count()).collect();
    for (c, h) in table.head.iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(c).unwrap_or(u16::MAX), h, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, shown) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown.chars().count());
            }
            match sheet_cell(shown, lang) {
                SheetCell::Number(n) if n.fract() == 0.0 => {
                    sheet.write_number_with_format(r, col, n, &whole)?
                }
                SheetCell::Number(n) => sheet.write_number(r, col, n)?,
                SheetCell::Percent(p) => sheet.write_number_with_format(r, col, p, &percent)?,
                SheetCell::Text(t) => sheet.write_string(r, col, t)?,
            };
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let width = u32::try_from((*w).min(80)).unwrap_or(80);
        sheet.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), f64::from(width) + 2.0)?;
    }
    book.save_to_buffer()
}

/// A table as CSV a spreadsheet of the reader's language opens right: a byte-order mark
/// (so that ä and ö read as UTF-8), semicolons between fields in Finnish and Swedish (whose
/// spreadsheets take the comma as the decimal sign), commas in English; every field
/// quoted, and a field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) led by an
/// apostrophe.
fn csv_text(table: &Table, lang: polku_rules::Lang) -> Result<String, csv::Error> {
    let delimiter = match lang {
        polku_rules::Lang::Fi | polku_rules::Lang::Sv => b';',
        polku_rules::Lang::En => b',',
    };
    let mut out = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let inert = |s: &String| {
        if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
            format!("'{s}")
        } else {
            s.clone()
        }
    };
    out.write_record(table.head.iter().map(inert))?;
    for row in &table.rows {
        out.write_record(row.iter().map(inert))?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// `GET /dashboard/{table}.csv`.
pub(crate) async fn csv(
    State(state): State<WebState>,
    Path(file): Path<String>,
    AnalystSession { v, session, .. }: AnalystSession,
) -> Response {
    let (name, xlsx) = match (file.strip_suffix(".csv"), file.strip_suffix(".xlsx")) {
        (Some(name), _) => (name, false),
        (_, Some(name)) => (name, true),
        _ => return error_page(&v, StatusCode::NOT_FOUND, "error-not-found"),
    };
    let tables = match load(&state, &v).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(table) = tables.into_iter().find(|t| t.name == name) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let extension = if xlsx { "xlsx" } else { "csv" };
    if let Err(e) = log_use(&state, &session, &format!("{name}.{extension}")).await {
        return internal(&v, &e);
    }
    if xlsx {
        return match xlsx_bytes(&table, v.tr.lang) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"polku-{name}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => internal(&v, &e),
        };
    }
    let text = match csv_text(&table, v.tr.lang) {
        Ok(text) => text,
        Err(e) => return internal(&v, &e),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"polku-{name}.csv\""),
            ),
        ],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_written_as_the_reader_writes_numbers() {
        assert_eq!(count_u(Lang::En, 12_345), "12,345");
        let fi = count_u(Lang::Fi, 12_345);
        assert!(
            fi.starts_with("12") && fi.ends_with("345") && !fi.contains(','),
            "{fi}"
        );
        assert_eq!(count_u(Lang::Sv, 999), "999");
    }

    #[test]
    fn a_workbook_holds_numbers_as_numbers() {
        assert_eq!(
            sheet_cell(&count_u(Lang::Fi, 12_345), Lang::Fi),
            SheetCell::Number(12_345.0)
        );
        assert_eq!(sheet_cell("12,345", Lang::En), SheetCell::Number(12_345.0));
        assert_eq!(
            sheet_cell(&pct(0.815, Lang::Fi), Lang::Fi),
            SheetCell::Percent(0.815)
        );
        assert_eq!(
            sheet_cell(&pct(0.815, Lang::En), Lang::En),
            SheetCell::Percent(0.815)
        );
        assert_eq!(
            sheet_cell("2026-05", Lang::Fi),
            SheetCell::Text("2026-05".into())
        );
        assert_eq!(sheet_cell("–", Lang::Fi), SheetCell::Text("–".into()));
        assert_eq!(
            sheet_cell("Pysyvä oleskelulupa", Lang::Fi),
            SheetCell::Text("Pysyvä oleskelulupa".into())
        );
        let table = Table {
            name: "matters",
            caption: "Asiat: hakemukset [2026]".into(),
            head: vec!["Asia".into(), "Hakemuksia".into(), "Automaattisesti".into()],
            rows: vec![vec![
                "Pysyvä oleskelulupa".into(),
                count_u(Lang::Fi, 1234),
                pct(0.5, Lang::Fi),
            ]],
        };
        let bytes = xlsx_bytes(&table, Lang::Fi).unwrap();
        // A zip (an Office Open XML workbook).
        assert_eq!(&bytes[..2], b"PK");
    }
}
