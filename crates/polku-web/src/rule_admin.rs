//! Rule administration for officials: the rule sets with the version in force and the
//! changes to come, proposing a new text (uploaded or edited) with its check errors and
//! test results, and a proposal's page — its changes line by line, its tests, its backtest
//! and the second legal officer's approval or rejection. The rules of who may do what are
//! the store's ([`polku_rule_admin::ProposalError`]); these pages only show them.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_access::{Principal, Role};
use polku_rule_admin::{
    NewProposal, ProposalCheck, ProposalError, ProposalState, RuleProposal, check_proposal,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{PageError, bad_input, posted};
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::pages::{Page, error_page, internal, matter_title};
use crate::plain;
use crate::text::{MAX_SHORT, typed};
use crate::visitor::Visitor;

/// The largest rule text accepted from the form (the largest shipped file is ~20 KiB).
const MAX_TEXT_BYTES: usize = 512 * 1024;

struct RuleSetRow {
    id: String,
    title: String,
    in_force: String,
    scheduled: Vec<String>,
}

struct ProposalRow {
    id: Uuid,
    title: String,
    effective_from: String,
    state: String,
    proposed_by: String,
    proposed_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_admin.html")]
struct RuleAdmin {
    page: Page,
    rule_sets: Vec<RuleSetRow>,
    proposals: Vec<ProposalRow>,
}

fn day_of(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.to_zoned(polku_cases::finland()).date().to_string())
        .unwrap_or_default()
}

fn state_text(tr: Tr, s: ProposalState) -> String {
    tr.t(&format!("rules-state-{}", s.as_str()))
}

/// `GET /work/rules`.
pub async fn overview(
    State(state): State<WebState>,
    HandlerSession { v, .. }: HandlerSession,
) -> Response {
    let tr = v.tr;
    let shelf = state.rules.shelf();
    let today = polku_cases::today_in_finland();
    let rule_sets = shelf
        .on(today)
        .iter()
        .map(|rs| RuleSetRow {
            id: rs.id.clone(),
            title: rs.title.get(tr.lang).to_owned(),
            in_force: rs
                .versions
                .iter()
                .find(|ver| ver.covers(today))
                .map_or_else(|| tr.t("rules-none-in-force"), |ver| ver.id.clone()),
            scheduled: shelf
                .layers()
                .iter()
                .filter(|l| l.from.is_some_and(|f| f > today))
                .filter(|l| l.rule_set.as_deref() == Some(rs.id.as_str()))
                .filter_map(|l| {
                    l.from
                        .map(|f| tr.t1("rules-changes-on", "date", &f.to_string()))
                })
                .collect(),
        })
        .collect();
    let proposals = match state.rule_admin.rule_proposals().await {
        Ok(p) => p,
        Err(e) => return internal(&v, &e),
    };
    RuleAdmin {
        page: Page::of(&v),
        rule_sets,
        proposals: proposals
            .iter()
            .map(|p| ProposalRow {
                id: p.id,
                title: matter_title(&state, &p.rule_set, tr),
                effective_from: p.effective_from.clone(),
                state: state_text(tr, p.state),
                proposed_by: p.proposed_by_name.clone(),
                proposed_on: day_of(p.proposed_at),
            })
            .collect(),
    }
    .into_response()
}

#[derive(Clone)]
struct TestRow {
    name: String,
    passed: bool,
    failures: String,
}

/// How long a proposal's checked text is kept for its page.
const CHECK_KEPT: std::time::Duration = std::time::Duration::from_secs(600);

/// Proposals' texts as checked for their pages (test results), kept while the rules they
/// were checked against stand: a proposal's text never changes, so loading, compiling and
/// testing it again on every view would only repeat the same answer.
#[derive(Default)]
pub struct ProposalChecks {
    entries: std::sync::Mutex<HashMap<Uuid, CheckedText>>,
}

type CheckedText = (std::time::Instant, (i64, i64), Arc<(Vec<TestRow>, usize)>);

impl ProposalChecks {
    fn get_or(
        &self,
        id: Uuid,
        stamp: (i64, i64),
        check: impl FnOnce() -> (Vec<TestRow>, usize),
    ) -> Arc<(Vec<TestRow>, usize)> {
        let kept = self.entries.lock().ok().and_then(|mut e| {
            e.retain(|_, (at, _, _)| at.elapsed() < CHECK_KEPT);
            e.get(&id)
                .filter(|(_, s, _)| *s == stamp)
                .map(|(_, _, c)| c.clone())
        });
        if let Some(c) = kept {
            return c;
        }
        let checked = Arc::new(check());
        if let Ok(mut e) = self.entries.lock() {
            e.insert(id, (std::time::Instant::now(), stamp, checked.clone()));
        }
        checked
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_propose.html")]
struct Propose {
    page: Page,
    id: String,
    /// The approved proposal the text in the form comes from (empty: the shipped text).
    base: String,
    title: String,
    summary: String,
    effective_from: String,
    text: String,
    tests: String,
    checked: bool,
    /// Why the proposal was not stored, in the reader's language.
    refused: Option<String>,
    errors: Vec<String>,
    test_rows: Vec<TestRow>,
    failed: usize,
    /// The text was written from the figure form: say so above it.
    from_figure: bool,
}

/// A text written for the official elsewhere (the figure form), to be proposed.
pub(crate) struct Written {
    pub base: String,
    pub summary: String,
    pub effective_from: String,
    pub text: String,
    pub tests: String,
}

/// The proposal form holding `written`, with its check and test results.
pub(crate) fn written_form(
    state: &WebState,
    v: &Visitor,
    id: &str,
    written: Written,
    check: &ProposalCheck,
) -> Response {
    let status = if check.passed() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        Propose {
            page: Page::of(v),
            title: matter_title(state, id, v.tr),
            id: id.to_owned(),
            base: written.base,
            summary: written.summary,
            effective_from: written.effective_from,
            text: written.text,
            tests: written.tests,
            checked: true,
            refused: None,
            errors: check.errors.clone(),
            test_rows: test_rows(check),
            failed: check.failed_tests(),
            from_figure: true,
        },
    )
        .into_response()
}

fn test_rows(check: &ProposalCheck) -> Vec<TestRow> {
    check
        .tests
        .iter()
        .map(|t| TestRow {
            name: t.name.clone(),
            passed: t.passed(),
            failures: t.failures.join("; "),
        })
        .collect()
}

/// `GET /work/rules/{id}/propose`: the form, holding the latest text (approved changes
/// still to take effect included) to edit.
pub async fn propose_form(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, .. }: HandlerSession,
) -> Response {
    // The text to edit includes every change approved so far, on any server.
    if let Err(e) = state.rules.refresh().await {
        return internal(&v, &e);
    }
    let shelf = state.rules.shelf();
    let Some((text, tests)) = shelf.latest().text_of(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    let base = base_of(&shelf, &id);
    let tomorrow = polku_cases::today_in_finland()
        .tomorrow()
        .map(|d| d.to_string())
        .unwrap_or_default();
    Propose {
        page: Page::of(&v),
        title: matter_title(&state, &id, v.tr),
        id,
        base,
        summary: String::new(),
        effective_from: tomorrow,
        text: text.to_owned(),
        tests: tests.unwrap_or_default().to_owned(),
        checked: false,
        refused: None,
        errors: Vec::new(),
        test_rows: Vec::new(),
        failed: 0,
        from_figure: false,
    }
    .into_response()
}

/// The approved proposal the latest text of rule set `id` comes from (empty: the shipped
/// text): what a new proposal is written against.
pub(crate) fn base_of(shelf: &polku_cases::RuleShelf, id: &str) -> String {
    shelf
        .layers()
        .iter()
        .rev()
        .find(|l| l.rule_set.as_deref() == Some(id))
        .and_then(|l| l.proposal)
        .map(|b| b.to_string())
        .unwrap_or_default()
}

/// What the proposal form sent.
#[derive(Default)]
struct Sent {
    csrf: String,
    base: String,
    summary: String,
    effective_from: String,
    text: String,
    upload: Option<String>,
    tests: String,
    action: String,
}

/// Reads the multipart form; `Err` names the field that could not be read.
async fn read_form(mut form: Multipart) -> Result<Sent, &'static str> {
    let mut sent = Sent::default();
    while let Some(field) = form.next_field().await.map_err(|_| "form")? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| "form")?;
        if bytes.len() > MAX_TEXT_BYTES {
            return Err("text");
        }
        // Browsers send a text box's lines ending in CR LF: the rule files end theirs in LF,
        // and a diff must not show every line changed.
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| "upload")?
            .replace("\r\n", "\n");
        match name.as_str() {
            "csrf" => sent.csrf = value,
            "base" => sent.base = value,
            "summary" => sent.summary = value,
            "effective_from" => sent.effective_from = value,
            "text" => sent.text = value,
            "upload" if !value.trim().is_empty() => sent.upload = Some(value),
            "tests" => sent.tests = value,
            "action" => sent.action = value,
            _ => {}
        }
    }
    Ok(sent)
}

/// `POST /work/rules/{id}/propose`: `action=check` shows the check errors and test
/// results and stores nothing; `action=propose` stores a proposal that passes both.
pub async fn propose(
    State(state): State<WebState>,
    Path(id): Path<String>,
    handler: Result<HandlerSession, PageError>,
    form: Multipart,
) -> Result<Response, PageError> {
    // Checked once the body has been read as multipart (see `guard`).
    let HandlerSession { v, session, .. } = handler?;
    let sent = read_form(form)
        .await
        .map_err(|field| bad_input(&v, field))?;
    if sent.csrf != session.csrf {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    sent.typed(&v)?;
    let base = match sent.base.trim() {
        "" => None,
        b => Some(Uuid::parse_str(b).map_err(|_| bad_input(&v, "base"))?),
    };
    let shelf = state.rules.shelf();
    let Some((_, shipped_tests)) = shelf.latest().text_of(&id) else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
    };
    let text = sent.text().to_owned();
    // The tests file is only part of the proposal when it was changed.
    let tests =
        (sent.tests.trim() != shipped_tests.unwrap_or_default().trim()).then(|| sent.tests.clone());
    // The store checks the text itself when proposing; this check is only for showing.
    let check = || check_proposal(shelf.latest(), &id, &text, tests.as_deref());
    let form_again =
        |refused, check: &ProposalCheck| checked_form(&state, &v, &id, &sent, refused, check);
    if sent.action != "propose" {
        let check = check();
        let status = if check.passed() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, form_again(None, &check)).into_response());
    }
    let new = NewProposal {
        rule_set: id.clone(),
        base,
        text: text.clone(),
        tests_text: tests.clone(),
        summary: sent.summary.clone(),
        effective_from: sent.effective_from.clone(),
    };
    let proposed = state
        .rule_admin
        .propose_rules(&new, &session.principal, &state.rules)
        .await;
    Ok(match proposed {
        Ok(p) => Redirect::to(&format!("/work/rules/proposals/{}", p.id)).into_response(),
        Err(ProposalError::Store(e)) => internal(&v, &e),
        Err(e) => {
            let (status, message) = refusal(v.tr, &e);
            (status, form_again(Some(message), &check())).into_response()
        }
    })
}

impl Sent {
    /// The proposed text: an uploaded file replaces what the text box holds.
    fn text(&self) -> &str {
        self.upload.as_deref().unwrap_or(&self.text)
    }

    /// Every typed field is plain text of its length (the 422 page names the first that
    /// is not).
    fn typed(&self, v: &Visitor) -> Result<(), PageError> {
        let tr = v.tr;
        let (summary, from, text, tests) = (
            tr.t("rules-summary"),
            tr.t("rules-effective-from"),
            tr.t("rules-text"),
            tr.t("rules-tests-text"),
        );
        typed(
            v,
            &[
                (&summary, &self.summary, MAX_SHORT),
                (&from, &self.effective_from, MAX_SHORT),
                (&text, self.text(), MAX_TEXT_BYTES),
                (&tests, &self.tests, MAX_TEXT_BYTES),
            ],
        )
    }
}

/// The proposal form for rule set `id` again as it was sent, with the check's errors and
/// test results and, when the store refused the proposal, why.
fn checked_form(
    state: &WebState,
    v: &Visitor,
    id: &str,
    sent: &Sent,
    refused: Option<String>,
    check: &ProposalCheck,
) -> Propose {
    Propose {
        page: Page::of(v),
        title: matter_title(state, id, v.tr),
        id: id.to_owned(),
        base: sent.base.clone(),
        summary: sent.summary.clone(),
        effective_from: sent.effective_from.clone(),
        text: sent.text().to_owned(),
        tests: sent.tests.clone(),
        checked: true,
        refused,
        errors: check.errors.clone(),
        test_rows: test_rows(check),
        failed: check.failed_tests(),
        from_figure: false,
    }
}

/// Why the store refused, in the reader's language, with the status that says so.
fn refusal(tr: Tr, e: &ProposalError) -> (StatusCode, String) {
    use ProposalError as E;
    match e {
        E::NotFound(_) | E::NoSuchRuleSet(_) => (StatusCode::NOT_FOUND, tr.t("error-not-found")),
        E::Forbidden(..) => (StatusCode::FORBIDDEN, tr.t("rules-error-role")),
        E::OwnProposal => (StatusCode::FORBIDDEN, tr.t("rules-error-own")),
        E::NotProposer => (StatusCode::FORBIDDEN, tr.t("rules-error-not-proposer")),
        E::NotOpen(_) => (StatusCode::CONFLICT, tr.t("rules-error-not-open")),
        E::Stale => (StatusCode::CONFLICT, tr.t("rules-error-stale")),
        E::BeforeLatest(date) => (
            StatusCode::CONFLICT,
            tr.t1("rules-error-before-latest", "date", date),
        ),
        E::BadDate(_) | E::NotInFuture { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, tr.t("rules-error-date"))
        }
        E::NoSummary => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("rules-error-summary"),
        ),
        E::NoNote => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("rules-error-note")),
        E::Check(_) => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("rules-error-check")),
        E::TestsFail(n) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t1("rules-error-tests", "count", &n.to_string()),
        ),
        E::StoredTextBroken { .. } | E::Case(_) | E::Store(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, tr.t("error-internal"))
        }
    }
}

struct DiffLine {
    /// `add`, `del`, `same` or `gap` (unchanged lines left out).
    kind: &'static str,
    text: String,
}

struct ChangedRow {
    case_id: Uuid,
    before: String,
    after: String,
}

struct BacktestView {
    on: String,
    evaluated: usize,
    changed: usize,
    rows: Vec<ChangedRow>,
    /// How the outcomes would move, most cases first: (from → to in words, cases).
    transitions: Vec<(String, usize)>,
    /// Why, by condition, most cases first: (the condition's text, from → to, cases).
    by_condition: Vec<ConditionCount>,
}

/// A condition's text, its change of finding in words, and how many cases.
type ConditionCount = (String, String, usize);

/// The backtest's changes counted by outcome and by condition, most cases first.
fn summarised(
    state: &WebState,
    tr: Tr,
    matter: &str,
    changed: &[polku_cases::ChangedOutcome],
) -> (Vec<(String, usize)>, Vec<ConditionCount>) {
    use std::collections::BTreeMap;
    let mut moves: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut conditions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let book = state.rules.today();
    let text = |id: &str| {
        book.get(matter)
            .and_then(|rs| rs.conditions.iter().find(|c| c.id == id))
            .map_or_else(
                || tr.t("rules-backtest-new-condition"),
                |c| c.text.get(tr.lang).to_owned(),
            )
    };
    let status = |s: Option<polku_rules::Status>| match s {
        Some(s) => tr.t(&format!("status-{}", s.code())),
        None => tr.t("rules-backtest-not-in-force"),
    };
    for c in changed {
        *moves
            .entry((outcome_text(tr, &c.before), outcome_text(tr, &c.after)))
            .or_default() += 1;
        for k in &c.conditions {
            *conditions
                .entry((
                    text(&k.id),
                    format!("{} → {}", status(k.before), status(k.after)),
                ))
                .or_default() += 1;
        }
    }
    let mut transitions: Vec<(String, usize)> = moves
        .into_iter()
        .map(|((a, b), n)| (format!("{a} → {b}"), n))
        .collect();
    transitions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut by_condition: Vec<ConditionCount> = conditions
        .into_iter()
        .map(|((t, m), n)| (t, m, n))
        .collect();
    by_condition.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    (transitions, by_condition)
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_proposal.html")]
struct ProposalPage {
    page: Page,
    p: RuleProposal,
    title: String,
    state: String,
    proposed_on: String,
    decided_on: String,
    diff: Vec<DiffLine>,
    tests_changed: bool,
    test_rows: Vec<TestRow>,
    failed: usize,
    backtest: Option<BacktestView>,
    /// A monitoring set decides nothing: there are no past decisions to backtest.
    monitoring: bool,
    /// For a monitoring set's open proposal: every watched permit re-checked under it.
    dry_run: DryRunShown,
    may_decide: bool,
    may_withdraw: bool,
    refused: Option<String>,
}

/// A monitoring proposal's dry run, as the page shows it.
struct DryRunView {
    on: String,
    /// When it ended, in Finland's time.
    at: String,
    permits: String,
    open: String,
    close: String,
    rows: Vec<DryRunRow>,
}

struct DryRunRow {
    matter: String,
    permits: String,
    open: String,
    close: String,
}

/// A dry run still running: how far it has come.
struct RunningView {
    /// "340,000 of 1,000,000 permits re-checked", or that it is getting ready.
    said: String,
    value: usize,
    max: usize,
}

/// The dry run's part of a monitoring proposal's page.
#[derive(Default)]
struct DryRunShown {
    done: Option<DryRunView>,
    running: Option<RunningView>,
    failed: bool,
}

/// How long a page waits for a dry run before it shows its progress instead.
const DRY_RUN_PATIENCE: std::time::Duration = std::time::Duration::from_millis(400);

/// Every watched permit re-checked under an open monitoring proposal, on its first day (or
/// today, if that has passed), in the background (one use-log line by `who` a run): its
/// figures once it has ended, else how far it has come. Nothing when the text does not
/// load.
async fn dry_run_view(
    state: &WebState,
    tr: Tr,
    p: &RuleProposal,
    who: &Principal,
    again: bool,
) -> DryRunShown {
    let Ok(book) =
        state
            .rules
            .shelf()
            .latest()
            .with_text(&p.rule_set, &p.text, p.tests_text.as_deref())
    else {
        return DryRunShown::default();
    };
    let today = polku_cases::today_in_finland();
    let on = p
        .effective_from
        .parse::<jiff::civil::Date>()
        .map_or(today, |d| d.max(today));
    let ask = crate::dry_runs::Ask {
        proposal: p.id,
        text: format!(
            "{on}\n{}\n{}",
            p.text,
            p.tests_text.as_deref().unwrap_or("")
        ),
        book: std::sync::Arc::new(book),
        on,
        by: polku_audit::Actor::User(who.user_id),
    };
    let run = state.dry_runs.run(&state.monitor, ask, again);
    run.wait(DRY_RUN_PATIENCE).await;
    let n = |x: usize| plain::number(x as f64, tr.lang);
    let report = match run.ended() {
        None => {
            let (done, total) = (run.progress.done(), run.progress.total());
            return DryRunShown {
                running: Some(RunningView {
                    said: if total == 0 {
                        tr.t("rules-dry-run-preparing")
                    } else {
                        tr.t_with(
                            "rules-dry-run-progress",
                            &[("done", n(done).as_str()), ("total", n(total).as_str())],
                        )
                    },
                    value: done.min(total),
                    max: total,
                }),
                ..DryRunShown::default()
            };
        }
        Some((Err(_), _)) => {
            return DryRunShown {
                failed: true,
                ..DryRunShown::default()
            };
        }
        Some((Ok(report), at)) => (report, at),
    };
    let (report, at) = report;
    DryRunShown {
        done: Some(DryRunView {
            on: plain::date(on, tr.lang),
            at: plain::moment(at, tr.lang),
            permits: n(report.permits),
            open: n(report.alerts_open()),
            close: n(report.alerts_close()),
            rows: report
                .by_matter
                .iter()
                .map(|(matter, c)| DryRunRow {
                    matter: matter_title(state, matter, tr),
                    permits: n(c.permits),
                    open: n(c.alerts_open),
                    close: n(c.alerts_close),
                })
                .collect(),
        }),
        ..DryRunShown::default()
    }
}

/// The proposal's changes against the text it was written against, in unified-diff hunks.
fn diff_lines(before: &str, after: &str) -> Vec<DiffLine> {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut lines = Vec::new();
    for group in diff.grouped_ops(3) {
        lines.push(DiffLine {
            kind: "gap",
            text: "…".to_owned(),
        });
        for op in group {
            for change in diff.iter_changes(&op) {
                let (kind, sign) = match change.tag() {
                    similar::ChangeTag::Insert => ("add", "+ "),
                    similar::ChangeTag::Delete => ("del", "- "),
                    similar::ChangeTag::Equal => ("same", "  "),
                };
                let line_no = change
                    .new_index()
                    .or(change.old_index())
                    .map_or(0, |i| i + 1);
                lines.push(DiffLine {
                    kind,
                    text: format!(
                        "{line_no:>4} {sign}{}",
                        change.value().trim_end_matches('\n')
                    ),
                });
            }
        }
    }
    lines
}

fn outcome_text(tr: Tr, code: &str) -> String {
    tr.t(&format!("rules-outcome-{code}"))
}

async fn proposal_page(
    state: &WebState,
    v: &Visitor,
    who: &Principal,
    id: Uuid,
    refused: Option<(StatusCode, String)>,
) -> Response {
    let tr = v.tr;
    let p = match state.rule_admin.rule_proposal(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(v, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return internal(v, &e),
    };
    let before = match written_against(state, &p).await {
        Ok(before) => before,
        Err(e) => return internal(v, &e),
    };
    let open = p.state == ProposalState::Proposed;
    let shelf = state.rules.shelf();
    let checked = state.proposal_checks.get_or(p.id, shelf.stamp(), || {
        let check = check_proposal(
            shelf.latest(),
            &p.rule_set,
            &p.text,
            p.tests_text.as_deref(),
        );
        (test_rows(&check), check.failed_tests())
    });
    let monitoring = state
        .rules
        .shelf()
        .latest()
        .get(&p.rule_set)
        .is_some_and(|rs| rs.is_monitoring());
    let dry_run = if monitoring && open {
        dry_run_view(state, tr, &p, who, false).await
    } else {
        DryRunShown::default()
    };
    let backtest = if monitoring {
        None
    } else {
        match backtest_view(state, tr, &p, who).await {
            Ok(b) => b,
            Err(e) => return internal(v, &e),
        }
    };
    let (status, refused) = match refused {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let page = ProposalPage {
        page: Page::of(v),
        title: matter_title(state, &p.rule_set, tr),
        state: state_text(tr, p.state),
        proposed_on: day_of(p.proposed_at),
        decided_on: p.decided_at.map(day_of).unwrap_or_default(),
        diff: diff_lines(&before, &p.text),
        tests_changed: p.tests_text.is_some(),
        test_rows: checked.0.clone(),
        failed: checked.1,
        backtest,
        monitoring,
        dry_run,
        may_decide: open && who.role == Role::LegalOfficer && who.user_id != p.proposed_by,
        may_withdraw: open && who.user_id == p.proposed_by,
        refused,
        p,
    };
    (status, page).into_response()
}

/// What a proposal was written against: the approved proposal it names, else the shipped
/// text.
async fn written_against(state: &WebState, p: &RuleProposal) -> Result<String, ProposalError> {
    Ok(match p.base {
        None => state
            .rules
            .shipped()
            .text_of(&p.rule_set)
            .map(|(t, _)| t.to_owned())
            .unwrap_or_default(),
        Some(base) => state
            .rule_admin
            .rule_proposal(base)
            .await?
            .map(|b| b.text)
            .unwrap_or_default(),
    })
}

/// An open proposal is backtested when it is looked at (and the reading of past
/// applications is logged by `who`); a decided one shows the figures its approver saw.
/// `None`: no backtest to show (a text that does not load, or none was run).
async fn backtest_view(
    state: &WebState,
    tr: Tr,
    p: &RuleProposal,
    who: &Principal,
) -> Result<Option<BacktestView>, ProposalError> {
    if p.state != ProposalState::Proposed {
        return Ok(p.backtest_evaluated.map(|evaluated| BacktestView {
            on: p.effective_from.clone(),
            evaluated: usize::try_from(evaluated).unwrap_or(0),
            changed: p
                .backtest_changed
                .and_then(|c| usize::try_from(c).ok())
                .unwrap_or(0),
            rows: Vec::new(),
            transitions: Vec::new(),
            by_condition: Vec::new(),
        }));
    }
    let b = match state
        .rule_admin
        .backtest_proposal(p.id, who, &state.rules, &state.backtests)
        .await
    {
        Ok(b) => b,
        Err(ProposalError::Check(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let (transitions, by_condition) = summarised(state, tr, &p.rule_set, &b.changed);
    Ok(Some(BacktestView {
        transitions,
        by_condition,
        on: p.effective_from.clone(),
        evaluated: b.evaluated,
        changed: b.changed.len(),
        rows: b
            .changed
            .iter()
            .take(100)
            .map(|c| ChangedRow {
                case_id: c.case_id,
                before: outcome_text(tr, &c.before),
                after: outcome_text(tr, &c.after),
            })
            .collect(),
    }))
}

/// `GET /work/rules/proposals/{id}`.
pub async fn proposal(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&v, StatusCode::NOT_FOUND, "error-not-found");
    };
    proposal_page(&state, &v, &session.principal, id, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

impl crate::frame::CarriesCsrf for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// What an official does with a proposal.
#[derive(Clone, Copy)]
enum Step {
    Approve,
    Reject,
    Withdraw,
}

async fn step(
    state: WebState,
    HandlerSession { v, session, .. }: HandlerSession,
    id: String,
    form: Result<Form<DecisionForm>, FormRejection>,
    step: Step,
) -> Result<Response, PageError> {
    let (form, id) = posted(&v, &session, form, &id)?;
    let label = v.tr.t(match step {
        Step::Approve => "rules-approve-note",
        Step::Reject | Step::Withdraw => "rules-reject-note",
    });
    typed(&v, &[(&label, &form.note, MAX_SHORT)])?;
    let who = &session.principal;
    let done = match step {
        Step::Approve => {
            state
                .rule_admin
                .approve_proposal(id, who, &form.note, &state.rules)
                .await
        }
        Step::Reject => state.rule_admin.reject_proposal(id, who, &form.note).await,
        Step::Withdraw => state.rule_admin.withdraw_proposal(id, who).await,
    };
    Ok(match done {
        Ok(_) => Redirect::to(&format!("/work/rules/proposals/{id}")).into_response(),
        Err(ProposalError::Store(e)) => internal(&v, &e),
        Err(ProposalError::NotFound(_)) => error_page(&v, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => {
            tracing::info!(proposal = %id, error = %e.to_string().escape_debug(), "a rule administration step was refused");
            let refused = refusal(v.tr, &e);
            proposal_page(&state, &v, who, id, Some(refused)).await
        }
    })
}

/// `POST /work/rules/proposals/{id}/dry-run`: the monitoring proposal's dry run again
/// (unless one is running), then its page.
pub async fn dry_run_again(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (_, id) = posted(&v, &session, form, &id)?;
    let p = match state.rule_admin.rule_proposal(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into()),
        Err(e) => return Err(internal(&v, &e).into()),
    };
    let monitoring = state
        .rules
        .shelf()
        .latest()
        .get(&p.rule_set)
        .is_some_and(|rs| rs.is_monitoring());
    if monitoring && p.state == ProposalState::Proposed {
        dry_run_view(&state, v.tr, &p, &session.principal, true).await;
    }
    Ok(Redirect::to(&format!("/work/rules/proposals/{id}#backtest-h")).into_response())
}

/// `POST /work/rules/proposals/{id}/approval`.
pub async fn approve(
    State(state): State<WebState>,
    Path(id): Path<String>,
    handler: HandlerSession,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, handler, id, form, Step::Approve).await
}

/// `POST /work/rules/proposals/{id}/rejection`.
pub async fn reject(
    State(state): State<WebState>,
    Path(id): Path<String>,
    handler: HandlerSession,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, handler, id, form, Step::Reject).await
}

/// `POST /work/rules/proposals/{id}/withdrawal`.
pub async fn withdraw(
    State(state): State<WebState>,
    Path(id): Path<String>,
    handler: HandlerSession,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, handler, id, form, Step::Withdraw).await
}
