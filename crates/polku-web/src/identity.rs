//! The handlers' identity pages (issue 14): the identity queue — links the machine was
//! not sure of, the oldest first — and a link with its two records side by side, the
//! evidence field by field with its weight, and the verdict (white, green, red) with its
//! reasons; and a person's identity: their records, links and history. Every page that
//! shows a person's data is in the use log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_audit::Actor;
use polku_identity::Level;
use polku_identity::links::Colour;
use polku_persons::{
    Acting, IdentityChange, Link, LinkedRecord, PersonId, Persons, PersonsError, Verdict,
};
use serde::Deserialize;

use crate::WebState;
use crate::frame::{Page, PageError, error_page, internal};
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::plain;
use crate::text::{MAX_REASONS, plain_text, problem};
use crate::visitor::Visitor;

/// Links on the queue's page.
const QUEUE_SIZE: u32 = 50;

pub(crate) const QUEUE_PURPOSE: &str = "identity links listed for checking";
pub(crate) const LINK_PURPOSE: &str = "identity link read for checking";
pub(crate) const PERSON_PURPOSE: &str = "a person's identity read";

fn register<'a>(state: &'a WebState, v: &Visitor) -> Result<&'a Persons, PageError> {
    state
        .persons
        .as_ref()
        .ok_or_else(|| error_page(v, StatusCode::NOT_FOUND, "identity-not-in-use").into())
}

fn acting(user: uuid::Uuid, purpose: &str) -> Acting {
    Acting {
        actor: Actor::User(user),
        purpose: purpose.to_owned(),
    }
}

fn colour_label(tr: Tr, c: Colour) -> String {
    tr.t(&format!("identity-colour-{}", c.code()))
}

fn level_key(l: Level) -> &'static str {
    match l {
        Level::SameNames => "same-names",
        Level::NamesContained => "names-contained",
        Level::NamesAlike => "names-alike",
        Level::NamesSomewhatAlike => "names-somewhat-alike",
        Level::SameDate => "same-date",
        Level::CompatibleDate => "compatible-date",
        Level::SameYear => "same-year",
        Level::DayMonthSwapped => "day-month-swapped",
        Level::OneDigitDiffers => "one-digit-differs",
        Level::YearOneApart => "year-one-apart",
        Level::Same => "same",
        Level::OneSlip => "one-slip",
        Level::Alike => "alike",
        Level::SomewhatAlike => "somewhat-alike",
        Level::Differ => "differ",
    }
}

/// A source's name in the reader's words; another source as it names itself.
fn source_label(tr: Tr, source: &str) -> String {
    tr.try_t(&format!("identity-source-{source}"))
        .unwrap_or_else(|| source.to_owned())
}

fn field_label(tr: Tr, field: &str) -> String {
    tr.try_t(&format!("identity-field-{}", field.replace('_', "-")))
        .unwrap_or_else(|| tr.t("identity-field-other"))
}

/// A record's name as written, with the native script beside it.
fn name_of(r: &LinkedRecord) -> String {
    let latin = format!("{} {}", r.record.given_names, r.record.family_name)
        .trim()
        .to_owned();
    match (&r.record.name_native, latin.is_empty()) {
        (Some(n), true) => n.clone(),
        (Some(n), false) => format!("{latin} ({n})"),
        (None, _) => latin,
    }
}

/// A date of birth in words: the known parts, the unknown ones said.
fn born(tr: Tr, d: polku_identity::PartialDate) -> String {
    match (d.year, d.month, d.day) {
        (Some(y), Some(m), Some(day)) => jiff::civil::Date::new(y as i16, m as i8, day as i8)
            .map(|date| plain::date(date, tr.lang))
            .unwrap_or_else(|_| d.to_string()),
        (Some(y), Some(m), None) => tr.t_with(
            "identity-born-month",
            &[("month", &m.to_string()), ("year", &y.to_string())],
        ),
        (Some(y), None, _) => tr.t1("identity-born-year", "year", &y.to_string()),
        _ => tr.t("identity-unknown"),
    }
}

fn sex_label(tr: Tr, s: polku_identity::record::Sex) -> String {
    use polku_identity::record::Sex;
    tr.t(match s {
        Sex::Female => "identity-sex-female",
        Sex::Male => "identity-sex-male",
        Sex::Other => "identity-sex-other",
        Sex::Unknown => "identity-unknown",
    })
}

fn nationality_label(tr: Tr, r: &LinkedRecord) -> String {
    let n = r.record.nationality;
    if n == polku_identity::record::Nationality::STATELESS {
        tr.t("identity-stateless")
    } else if n.is_known() {
        n.code().to_owned()
    } else {
        tr.t("identity-unknown")
    }
}

fn document_label(tr: Tr, r: &LinkedRecord) -> String {
    match (&r.record.document_number, r.record.document_type) {
        (Some(number), Some(kind)) => format!(
            "{number} ({})",
            tr.t(&format!("identity-document-{}", kind.code().to_lowercase()))
        ),
        (Some(number), None) => number.clone(),
        (None, _) => tr.t("identity-none"),
    }
}

/// A record's title: where it came from and when.
fn record_title(tr: Tr, r: &LinkedRecord) -> String {
    tr.t_with(
        "identity-record-title",
        &[
            ("source", &source_label(tr, &r.record.source)),
            ("at", &plain::micros(r.registered_at, tr.lang)),
        ],
    )
}

/// The chance as a percentage, as the reader writes numbers.
fn percent(tr: Tr, p: f64) -> String {
    let shown = (p * 1000.0).floor() / 10.0;
    format!("{} %", plain::number(shown, tr.lang))
}

struct QueueRow {
    href: String,
    left: String,
    right: String,
    chance: String,
    since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity_queue.html")]
struct QueuePage {
    page: Page,
    summary: String,
    rows: Vec<QueueRow>,
}

fn short(tr: Tr, r: &LinkedRecord) -> String {
    tr.t_with(
        "identity-short",
        &[
            ("name", &name_of(r)),
            ("born", &born(tr, r.record.date_of_birth)),
            ("source", &source_label(tr, &r.record.source)),
        ],
    )
}

/// `GET /work/identity`: the links to check, the oldest first.
pub async fn queue(
    State(state): State<WebState>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let persons = register(&state, &v)?;
    let (links, total) = persons
        .queue(
            QUEUE_SIZE,
            &acting(session.principal.user_id, QUEUE_PURPOSE),
        )
        .await
        .map_err(|e| internal(&v, &e))?;
    let tr = v.tr;
    let n = |x: u64| plain::number(x as f64, tr.lang);
    let summary = match total {
        0 => tr.t("identity-queue-none"),
        t if t <= u64::from(QUEUE_SIZE) => tr.t1("identity-queue-all", "total", &n(t)),
        t => tr.t_with(
            "identity-queue-first",
            &[("shown", &n(links.len() as u64)), ("total", &n(t))],
        ),
    };
    let rows = links
        .iter()
        .map(|(link, a, b)| QueueRow {
            href: format!("/work/identity/links/{}/{}", link.left, link.right),
            left: short(tr, a),
            right: short(tr, b),
            chance: percent(tr, link.explanation.probability),
            since: plain::micros(link.created_at, tr.lang),
        })
        .collect();
    Ok(QueuePage {
        page: Page::of(&v),
        summary,
        rows,
    }
    .into_response())
}

struct SideBySide {
    label: String,
    left: String,
    right: String,
    /// Whether the two differ (the row is marked).
    differ: bool,
}

struct EvidenceRow {
    field: String,
    comparison: String,
    weight: String,
}

/// A refused verdict, and why.
#[derive(Default)]
struct Refused {
    message: String,
    verdict: String,
    reasons: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity_link.html")]
struct LinkPage {
    page: Page,
    action: String,
    left_title: String,
    right_title: String,
    left_person: String,
    right_person: String,
    rows: Vec<SideBySide>,
    colour: String,
    judged: Option<String>,
    open: bool,
    chance: String,
    starting_point: String,
    evidence: Vec<EvidenceRow>,
    notice: Option<String>,
    refused: Refused,
}

fn side_by_side(tr: Tr, a: &LinkedRecord, b: &LinkedRecord) -> Vec<SideBySide> {
    let row = |label: &str, left: String, right: String| SideBySide {
        label: tr.t(label),
        differ: left != right,
        left,
        right,
    };
    let place = |r: &LinkedRecord| {
        r.record
            .place_of_birth
            .clone()
            .unwrap_or_else(|| tr.t("identity-unknown"))
    };
    vec![
        row("identity-field-name", name_of(a), name_of(b)),
        row(
            "identity-field-date-of-birth",
            born(tr, a.record.date_of_birth),
            born(tr, b.record.date_of_birth),
        ),
        row(
            "identity-field-sex",
            sex_label(tr, a.record.sex),
            sex_label(tr, b.record.sex),
        ),
        row(
            "identity-field-nationality",
            nationality_label(tr, a),
            nationality_label(tr, b),
        ),
        row(
            "identity-field-document-number",
            document_label(tr, a),
            document_label(tr, b),
        ),
        row("identity-field-place-of-birth", place(a), place(b)),
        row(
            "identity-record-at-source",
            a.record.record_id.clone(),
            b.record.record_id.clone(),
        ),
    ]
}

fn weight_words(tr: Tr, w: f64) -> String {
    let size = plain::number((w.abs() * 10.0).round() / 10.0, tr.lang);
    if w > 0.05 {
        tr.t1("identity-weight-for", "bits", &size)
    } else if w < -0.05 {
        tr.t1("identity-weight-against", "bits", &size)
    } else {
        tr.t("identity-weight-none")
    }
}

#[derive(Deserialize)]
pub struct LinkQuery {
    done: Option<String>,
}

/// `GET /work/identity/links/{left}/{right}`: the two records, the evidence, the verdict.
pub async fn link(
    State(state): State<WebState>,
    Path((left, right)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let (left, right) = link_key(&v, &left, &right)?;
    let notice = q
        .done
        .as_deref()
        .and_then(|d| Verdict::of(Colour::parse(d)?))
        .map(|verdict| {
            v.tr.t1(
                "identity-verdict-saved",
                "colour",
                &colour_label(v.tr, verdict.colour()),
            )
        });
    show_link(
        &state,
        &v,
        session.principal.user_id,
        (left, right),
        StatusCode::OK,
        notice,
        Refused::default(),
    )
    .await
}

fn link_key(v: &Visitor, left: &str, right: &str) -> Result<(u64, u64), PageError> {
    let not_found = || PageError::from(error_page(v, StatusCode::NOT_FOUND, "error-not-found"));
    let left: u64 = left.parse().map_err(|_| not_found())?;
    let right: u64 = right.parse().map_err(|_| not_found())?;
    if left >= right {
        return Err(not_found());
    }
    Ok((left, right))
}

async fn show_link(
    state: &WebState,
    v: &Visitor,
    user: uuid::Uuid,
    (left, right): (u64, u64),
    status: StatusCode,
    notice: Option<String>,
    refused: Refused,
) -> Result<Response, PageError> {
    let persons = register(state, v)?;
    let (link, a, b): (Link, LinkedRecord, LinkedRecord) =
        match persons.link(left, right, &acting(user, LINK_PURPOSE)).await {
            Ok(found) => found,
            Err(PersonsError::NoSuchLink(..)) => {
                return Err(error_page(v, StatusCode::NOT_FOUND, "error-not-found").into());
            }
            Err(e) => return Err(internal(v, &e).into()),
        };
    let tr = v.tr;
    let judged = match (link.decided_by, link.decided_at) {
        (Some(by), Some(at)) => {
            let name = match state.access().principal_of(by).await {
                Ok(Some(p)) => p.name,
                _ => tr.t("identity-an-official"),
            };
            let mut text = tr.t_with(
                "identity-judged-by",
                &[("name", &name), ("at", &plain::micros(at, tr.lang))],
            );
            if let Some(r) = &link.reason {
                text.push_str(&format!(" {}: {r}", tr.t("identity-reasons")));
            }
            Some(text)
        }
        _ => None,
    };
    let evidence = link
        .explanation
        .fields
        .iter()
        .map(|f| EvidenceRow {
            field: field_label(tr, &f.field),
            comparison: match f.level {
                Some(l) => tr.t(&format!("identity-level-{}", level_key(l))),
                None => tr.t("identity-level-missing"),
            },
            weight: weight_words(tr, f.weight),
        })
        .collect();
    let page = LinkPage {
        page: Page::of(v),
        action: format!("/work/identity/links/{left}/{right}/verdict"),
        left_title: record_title(tr, &a),
        right_title: record_title(tr, &b),
        left_person: a.person.to_string(),
        right_person: b.person.to_string(),
        rows: side_by_side(tr, &a, &b),
        colour: colour_label(tr, link.colour),
        open: link.decided_by.is_none(),
        judged,
        chance: percent(tr, link.explanation.probability),
        starting_point: weight_words(tr, link.explanation.prior),
        evidence,
        notice,
        refused,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize)]
pub struct VerdictForm {
    csrf: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reasons: String,
}

/// `POST /work/identity/links/{left}/{right}/verdict`: white, green or red, with reasons.
pub async fn decide(
    State(state): State<WebState>,
    Path((left, right)): Path<(String, String)>,
    HandlerSession { v, session, .. }: HandlerSession,
    form: Result<Form<VerdictForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    };
    if form.csrf != session.csrf {
        return Err(error_page(&v, StatusCode::FORBIDDEN, "error-csrf").into());
    }
    let key = link_key(&v, &left, &right)?;
    let user = session.principal.user_id;
    let refuse = |status: StatusCode, message: String| {
        show_link(
            &state,
            &v,
            user,
            key,
            status,
            None,
            Refused {
                message,
                verdict: form.verdict.clone(),
                reasons: form.reasons.clone(),
            },
        )
    };
    let verdict = match Colour::parse(&form.verdict).and_then(Verdict::of) {
        Some(verdict) => verdict,
        None => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                v.tr.t("identity-verdict-choose"),
            )
            .await;
        }
    };
    let label = v.tr.t("identity-reasons");
    if let Err(e) = plain_text(&form.reasons, MAX_REASONS) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, problem(&v, &label, e)).await;
    }
    if form.reasons.trim().is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            v.tr.t("identity-reasons-needed"),
        )
        .await;
    }
    let persons = register(&state, &v)?;
    match persons
        .decide(key.0, key.1, verdict, user, &form.reasons)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/work/identity/links/{}/{}?done={}",
            key.0,
            key.1,
            verdict.colour().code()
        ))
        .into_response()),
        Err(PersonsError::NoSuchLink(..)) => {
            Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into())
        }
        Err(PersonsError::AlreadyDecided(..)) => {
            refuse(StatusCode::CONFLICT, v.tr.t("identity-already-judged")).await
        }
        Err(PersonsError::Contradicts(..)) => {
            refuse(StatusCode::CONFLICT, v.tr.t("identity-contradicts")).await
        }
        Err(PersonsError::NoReason) => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                v.tr.t("identity-reasons-needed"),
            )
            .await
        }
        Err(e) => Err(internal(&v, &e).into()),
    }
}

struct RecordView {
    title: String,
    rows: Vec<(String, String)>,
}

struct LinkLine {
    href: String,
    colour: String,
    between: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity_person.html")]
struct PersonPage {
    page: Page,
    person: String,
    alias_notice: Option<String>,
    standing: String,
    records: Vec<RecordView>,
    links: Vec<LinkLine>,
    /// Each case's id and its line: the person's under every id they have had.
    cases: Vec<(uuid::Uuid, String)>,
    history: Vec<(String, String)>,
}

/// `GET /work/identity/persons/{id}`: a person's records, links and history.
pub async fn person(
    State(state): State<WebState>,
    Path(id): Path<String>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let persons = register(&state, &v)?;
    let id: PersonId = id
        .parse()
        .map_err(|_| PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found")))?;
    let view = match persons
        .person(id, &acting(session.principal.user_id, PERSON_PURPOSE))
        .await
    {
        Ok(view) => view,
        Err(PersonsError::NoSuchPerson(_)) => {
            return Err(error_page(&v, StatusCode::NOT_FOUND, "error-not-found").into());
        }
        Err(e) => return Err(internal(&v, &e).into()),
    };
    let tr = v.tr;
    let n = |x: u32| plain::number(f64::from(x), tr.lang);
    let standing = match (view.standing.open, view.standing.red) {
        (0, 0) => tr.t("identity-standing-clear"),
        (open, 0) => tr.t1("identity-standing-open", "open", &n(open)),
        (_, red) => tr.t1("identity-standing-red", "red", &n(red)),
    };
    let records: Vec<RecordView> = view
        .records
        .iter()
        .map(|r| RecordView {
            title: record_title(tr, r),
            rows: vec![
                (tr.t("identity-field-name"), name_of(r)),
                (
                    tr.t("identity-field-date-of-birth"),
                    born(tr, r.record.date_of_birth),
                ),
                (tr.t("identity-field-sex"), sex_label(tr, r.record.sex)),
                (tr.t("identity-field-nationality"), nationality_label(tr, r)),
                (
                    tr.t("identity-field-document-number"),
                    document_label(tr, r),
                ),
                (
                    tr.t("identity-record-at-source"),
                    r.record.record_id.clone(),
                ),
            ],
        })
        .collect();
    let label_of = |seq: u64| match view.records.iter().find(|r| r.seq == seq) {
        Some(r) => short(tr, r),
        None => view
            .others
            .iter()
            .find(|r| r.seq == seq)
            .map(|r| {
                tr.t_with(
                    "identity-of-another",
                    &[("record", &short(tr, r)), ("person", &r.person.to_string())],
                )
            })
            .unwrap_or_else(|| tr.t("identity-another-persons-record")),
    };
    let links = view
        .links
        .iter()
        .map(|l| LinkLine {
            href: format!("/work/identity/links/{}/{}", l.left, l.right),
            colour: colour_label(tr, l.colour),
            between: tr.t_with(
                "identity-between",
                &[("left", &label_of(l.left)), ("right", &label_of(l.right))],
            ),
        })
        .collect();
    // The person's cases, under whichever applicant id each was filed.
    let ids = persons
        .ids_of(view.person)
        .await
        .map_err(|e| internal(&v, &e))?;
    let cases = state
        .store
        .cases_of_person(&ids, 100)
        .await
        .map_err(|e| internal(&v, &e))?
        .into_iter()
        .map(|c| {
            let filed = c
                .application_date
                .parse()
                .map_or_else(|_| c.application_date.clone(), |d| plain::date(d, tr.lang));
            let line = tr.t_with(
                "identity-case-line",
                &[
                    ("matter", &crate::pages::matter_title(&state, &c.matter, tr)),
                    ("filed", &filed),
                    ("state", &crate::pages::state_label(tr, c.state)),
                ],
            );
            (c.id, line)
        })
        .collect();
    let mut history = Vec::with_capacity(view.history.len());
    for h in &view.history {
        let count = |rs: &[u64]| n(rs.len() as u32);
        let text = match &h.change {
            IdentityChange::Registered { source, .. } => tr.t1(
                "identity-history-registered",
                "source",
                &source_label(tr, source),
            ),
            IdentityChange::Created { records } => {
                tr.t1("identity-history-created", "records", &count(records))
            }
            IdentityChange::MovedIn { from, records } => tr.t_with(
                "identity-history-moved-in",
                &[("records", &count(records)), ("person", &from.to_string())],
            ),
            IdentityChange::MovedOut { to, records } => tr.t_with(
                "identity-history-moved-out",
                &[("records", &count(records)), ("person", &to.to_string())],
            ),
            IdentityChange::Absorbed { alias } => {
                tr.t1("identity-history-absorbed", "person", &alias.to_string())
            }
            IdentityChange::MergedInto { person } => tr.t1(
                "identity-history-merged-into",
                "person",
                &person.to_string(),
            ),
            IdentityChange::Linked { colour, .. } => tr.t1(
                "identity-history-linked",
                "colour",
                &colour_label(tr, *colour),
            ),
            IdentityChange::Judged { colour, by, .. } => {
                let name = match state.access().principal_of(*by).await {
                    Ok(Some(p)) => p.name,
                    _ => tr.t("identity-an-official"),
                };
                tr.t_with(
                    "identity-history-judged",
                    &[("name", &name), ("colour", &colour_label(tr, *colour))],
                )
            }
            IdentityChange::Reopened { .. } => tr.t("identity-history-reopened"),
        };
        history.push((plain::micros(h.at, tr.lang), text));
    }
    Ok(PersonPage {
        page: Page::of(&v),
        person: view.person.to_string(),
        alias_notice: view.asked_as.map(|a| {
            tr.t_with(
                "identity-alias",
                &[
                    ("alias", &a.to_string()),
                    ("person", &view.person.to_string()),
                ],
            )
        }),
        standing,
        records,
        links,
        cases,
        history,
    }
    .into_response())
}
