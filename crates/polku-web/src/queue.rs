//! The handlers' queue (`/work`): the cases waiting for a person in the stated order —
//! filtered by matter, state, filing date and deadline, or found by case or person —
//! a page at a time with the total, each case with whom it is about, its dates in the
//! reader's format and why it waits in words: the conditions the machine found not met
//! or unknown, the registers that did not answer, the applicant's own request for
//! rectification. Listing names the persons, so each page is in the use log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use polku_audit::Actor;
use polku_cases::{CasePurpose, CaseState, EventKind, QueueFilter, QueueItem, ReferralReason};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{PageError, bad_input};
use crate::guard::HandlerSession;
use crate::i18n::Tr;
use crate::pages::{Page, internal, matter_title, state_label};
use crate::plain;
use crate::text::{MAX_SHORT, typed};

/// Cases on one page of the queue.
const PAGE_SIZE: i64 = 25;

/// The longest part of an applicant's request the queue shows; the case page shows all.
const REQUEST_SHOWN: usize = 240;

/// The states a case waits for a person in, as the filter offers them (a request to the
/// applicant only once its deadline has passed unanswered).
const WAITING: [CaseState; 4] = [
    CaseState::Referred,
    CaseState::RectificationRequested,
    CaseState::EvidenceRequested,
    CaseState::Hearing,
];

/// The filter's choice of referred cases whose applicant has answered a request.
const ANSWERED: &str = "answered";

struct QueueRow {
    id: Uuid,
    matter: String,
    person: String,
    filed: String,
    deadline: String,
    state: String,
    /// Why it waits, in words: each line a condition, the registers, or the request.
    why: Vec<String>,
    assigned: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "work.html")]
struct Work {
    page: Page,
    /// How many monitoring alerts are open.
    open_alerts: String,
    /// Identity links waiting for a person; `None`: no identity register here.
    open_links: Option<String>,
    matters: Vec<(String, String)>,
    matter: String,
    states: Vec<(String, String)>,
    state: String,
    filed: String,
    due: String,
    find: String,
    /// "Cases 1–25 of 3,267", or that none wait.
    summary: String,
    items: Vec<QueueRow>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct WorkQuery {
    matter: Option<String>,
    state: Option<String>,
    filed: Option<String>,
    due: Option<String>,
    find: Option<String>,
    page: Option<String>,
}

/// Why a case waits, in the reader's words.
fn why(state: &WebState, tr: Tr, item: &QueueItem) -> Vec<String> {
    match item.last {
        Some(EventKind::Answered) => return vec![tr.t("work-why-answered")],
        Some(EventKind::EvidenceRequested) if item.state == CaseState::EvidenceRequested => {
            return vec![tr.t("work-why-evidence-overdue")];
        }
        Some(EventKind::HearingRequested) => return vec![tr.t("work-why-hearing-overdue")],
        _ => {}
    }
    let Some(reason) = item.reason.as_deref().filter(|r| !r.trim().is_empty()) else {
        return Vec::new();
    };
    if matches!(item.purpose, CasePurpose::Reexamination { .. }) {
        return vec![tr.t1("work-why-reexamination", "reasons", reason)];
    }
    if item.state == CaseState::RectificationRequested {
        let shown: String = reason.chars().take(REQUEST_SHOWN).collect();
        let more = if reason.chars().count() > REQUEST_SHOWN {
            "…"
        } else {
            ""
        };
        return vec![tr.t1(
            "work-why-rectification",
            "request",
            &format!("{shown}{more}"),
        )];
    }
    let parsed = ReferralReason::from_legacy_text(reason);
    let mut lines = Vec::new();
    if !parsed.silent.is_empty() {
        lines.push(crate::reasons::silent_line(tr, &parsed.silent));
    }
    if parsed.error.is_some() {
        lines.push(tr.t("work-why-error"));
    }
    for (id, status) in &parsed.findings {
        lines.push(crate::reasons::finding_line(
            state,
            tr,
            &item.matter,
            id,
            *status,
        ));
    }
    lines
}

/// `GET /work`: the queue, a page at a time, filtered and searched.
pub async fn work(
    State(state): State<WebState>,
    Query(q): Query<WorkQuery>,
    HandlerSession { v, session, .. }: HandlerSession,
) -> Result<Response, PageError> {
    let tr = v.tr;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (matter, filed, due, find) = (
        nonempty(q.matter),
        nonempty(q.filed),
        nonempty(q.due),
        nonempty(q.find),
    );
    let matter_label = tr.t("work-filter-matter");
    let find_label = tr.t("work-find");
    typed(
        &v,
        &[
            (&matter_label, matter.as_deref().unwrap_or(""), MAX_SHORT),
            (&find_label, find.as_deref().unwrap_or(""), MAX_SHORT),
        ],
    )?;
    for (d, label) in [
        (&filed, "work-filter-filed"),
        (&due, "work-filter-deadline"),
    ] {
        if let Some(d) = d
            && polku_rules::schema::parse_date(d).is_none()
        {
            return Err(bad_input(&v, &tr.t(label)).into());
        }
    }
    let state_code = nonempty(q.state);
    let answered = state_code.as_deref() == Some(ANSWERED);
    let wanted = match state_code {
        None => None,
        Some(_) if answered => Some(CaseState::Referred),
        Some(code) => Some(
            code.parse::<CaseState>()
                .ok()
                .filter(|s| WAITING.contains(s))
                .ok_or_else(|| bad_input(&v, &tr.t("work-filter-state")))?,
        ),
    };
    let number = match nonempty(q.page) {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| bad_input(&v, &tr.t("mon-page-number")))?,
    };
    let filter = QueueFilter {
        matter: matter.clone(),
        filed_on_or_before: filed.clone(),
        deadline_on_or_before: due.clone(),
        state: wanted,
        case_or_person: find.clone(),
        answered,
        limit: PAGE_SIZE,
        offset: (number - 1) * PAGE_SIZE,
        ..QueueFilter::default()
    };
    let (items, total) = tokio::try_join!(
        state.store.handler_queue(&filter),
        state.store.handler_queue_total(&filter)
    )
    .map_err(|e| internal(&v, &e))?;
    let persons: Vec<&str> = items.iter().map(|i| i.person.as_str()).collect();
    if !persons.is_empty() {
        crate::use_log::holders_read(
            &state,
            &session,
            None,
            "cases waiting for a person listed for handling",
            json!({ "read": "handler queue", "cases": persons.len(), "persons": persons }),
        )
        .await
        .map_err(|e| internal(&v, &e))?;
    }
    let me = Actor::User(session.principal.user_id);
    let handlers =
        crate::names::accounts_named(&state, items.iter().filter_map(|i| i.assigned_to.as_ref()))
            .await
            .map_err(|e| internal(&v, &e))?;
    let mut rows = Vec::with_capacity(items.len());
    for i in &items {
        let assigned = match &i.assigned_to {
            None => tr.t("work-unassigned"),
            Some(a) if *a == me => tr.t("work-assigned-you"),
            Some(Actor::User(user)) => handlers
                .get(user)
                .map_or_else(|| tr.t("work-assigned-other"), |p| p.name.clone()),
            Some(_) => tr.t("work-assigned-other"),
        };
        let day = |d: &str| {
            d.parse::<jiff::civil::Date>()
                .map_or_else(|_| d.to_owned(), |d| plain::date(d, tr.lang))
        };
        rows.push(QueueRow {
            id: i.case_id,
            matter: matter_title(&state, &i.matter, tr),
            person: i.person.clone(),
            filed: day(&i.application_date),
            deadline: i.deadline.as_deref().map(day).unwrap_or_default(),
            state: state_label(tr, i.state),
            why: why(&state, tr, i),
            assigned,
        });
    }
    let n = |x: i64| plain::number(x as f64, tr.lang);
    let offset = (number - 1) * PAGE_SIZE;
    let last = offset + rows.len() as i64;
    let summary = if total == 0 {
        tr.t("work-empty")
    } else if rows.is_empty() {
        tr.t1("work-beyond", "total", &n(total))
    } else {
        tr.t_with(
            "work-showing",
            &[
                ("first", n(offset + 1).as_str()),
                ("last", n(last).as_str()),
                ("total", n(total).as_str()),
            ],
        )
    };
    let link = |page: i64| {
        let mut url = format!("/work?page={page}");
        for (name, value) in [
            ("matter", &matter),
            ("filed", &filed),
            ("due", &due),
            ("find", &find),
        ] {
            if let Some(v) = value {
                url.push_str(&format!("&{name}={}", crate::plain::query_value(v)));
            }
        }
        if let Some(s) = wanted {
            url.push_str(&format!("&state={s}"));
        }
        url
    };
    let open_alerts = crate::monitoring::open_count(&state)
        .await
        .map_err(|e| internal(&v, &e))?;
    let open_links = match &state.persons {
        Some(persons) => Some(persons.open_links(0).await.map_err(|e| internal(&v, &e))?.1),
        None => None,
    };
    let (previous, next) = (
        (number > 1).then(|| link(number - 1)),
        (last < total).then(|| link(number + 1)),
    );
    Ok(Work {
        page: Page::of(&v),
        open_alerts: n(i64::try_from(open_alerts).unwrap_or(i64::MAX)),
        open_links: open_links.map(|l| n(i64::try_from(l).unwrap_or(i64::MAX))),
        matters: state
            .rules
            .today()
            .decision_sets()
            .map(|rs| (rs.id.clone(), rs.title.get(tr.lang).to_owned()))
            .collect(),
        matter: matter.unwrap_or_default(),
        states: WAITING
            .iter()
            .map(|s| match s {
                CaseState::EvidenceRequested | CaseState::Hearing => (
                    s.to_string(),
                    tr.t1("work-filter-overdue", "state", &state_label(tr, *s)),
                ),
                _ => (s.to_string(), state_label(tr, *s)),
            })
            .chain([(ANSWERED.to_owned(), tr.t("work-filter-answered"))])
            .collect(),
        state: if answered {
            ANSWERED.to_owned()
        } else {
            wanted.map(|s| s.to_string()).unwrap_or_default()
        },
        filed: filed.unwrap_or_default(),
        due: due.unwrap_or_default(),
        find: find.unwrap_or_default(),
        summary,
        items: rows,
        previous,
        next,
    }
    .into_response())
}
