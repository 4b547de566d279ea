//! Monitoring on the pages: the handlers' alerts queue (filters, the stated order, the
//! total and paging), an alert with its trace, confirming (exactly one re-examination case,
//! linked) and dismissing (reasons required), who may see and do what, the holder's view
//! of a re-examination (why, by when, never what the law withholds) and their answer
//! reaching the handler's case page — in three languages, with no code on any of them.

use axum::http::StatusCode;
use polku_access::Role;
use polku_audit::{AuditLog, AuditQuery};
use polku_cases::testing::TestDb;
use polku_cases::today_in_finland;
use polku_monitoring::{AlertFilter, AlertState, EventBody, RegisterEvent};
use polku_simulators::population::person_id;
use uuid::Uuid;

use crate::support::{EXTENSION, Reply, Site, decided_case, form_csrf, official, site};

/// The example application's employer.
const EMPLOYER: &str = "1234567-1";

pub(crate) fn event(id: &str, body: EventBody) -> RegisterEvent {
    RegisterEvent {
        id: id.to_owned(),
        occurred_on: today_in_finland(),
        body,
    }
}

pub(crate) fn month(back: i64) -> jiff::civil::Date {
    today_in_finland()
        .first_of_month()
        .checked_sub(jiff::Span::new().months(back))
        .unwrap()
}

/// Grants each person's extension and starts watching the permits.
pub(crate) async fn watched(s: &Site, persons: &[String]) {
    for p in persons {
        decided_case(s, p).await;
    }
    assert!(
        s.state
            .store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert_eq!(
        s.state.monitor.follow_grants().await.unwrap(),
        persons.len()
    );
}

pub(crate) async fn ingest(s: &Site, events: &[RegisterEvent]) {
    s.state
        .monitor
        .ingest(events, &polku_cases::Actor::Machine, "page tests")
        .await
        .unwrap();
}

fn emigration(person: &str) -> RegisterEvent {
    event(
        &format!("vtj-{person}"),
        EventBody::Emigration {
            person: person.to_owned(),
        },
    )
}

fn sis(person: &str) -> RegisterEvent {
    event(
        &format!("sis-{person}"),
        EventBody::SisAlert {
            person: person.to_owned(),
        },
    )
}

/// The open alert on `person`'s permit about `condition`.
async fn alert_of(s: &Site, person: &str, condition: &str) -> Uuid {
    let page = s
        .state
        .monitor
        .alert_page(
            &AlertFilter {
                condition: Some(condition.to_owned()),
                ..AlertFilter::open()
            },
            0,
            500,
        )
        .await
        .unwrap();
    page.alerts
        .iter()
        .find(|a| a.person == person)
        .unwrap_or_else(|| panic!("no open {condition} alert for {person}"))
        .id
}

async fn reexaminations(s: &Site) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE purpose = 'reexamination'")
        .fetch_one(s.state.store.db().pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

async fn answers_stored(s: &Site) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM reexamination_answers")
        .fetch_one(s.state.store.db().pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

pub(crate) async fn use_log_purposes(s: &Site) -> Vec<String> {
    s.state
        .audit()
        .search(&AuditQuery {
            log: Some(AuditLog::Access),
            person: None,
            actor: None,
            limit: 1000,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.purpose)
        .collect()
}

/// The text a reader sees: the page without its tags (and so without their attributes).
pub(crate) fn visible_text(html: &str) -> String {
    visible(html)
}

fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// No code reaches the reader: no status code, field path, rule or condition id, raw
/// value or missing text.
pub(crate) fn no_code(what: &str, r: &Reply) {
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.body);
    let text = visible(&r.body);
    let rules =
        polku_rules::RuleBook::load_dir(&crate::support::crate_dir().join("../../rules")).unwrap();
    let mut codes: Vec<String> = [
        "not_met",
        "_",
        "evidence.",
        "application.",
        "refuse",
        "holds_again",
        "Unknown localization",
        "{ $",
        "fi.monitoring",
        "fi.residence-permit",
        "reexamination",
        "open_flag",
    ]
    .map(str::to_owned)
    .to_vec();
    for set in rules.monitoring_sets() {
        codes.extend(set.conditions.iter().map(|c| c.id.clone()));
    }
    for code in codes {
        assert!(!text.contains(&code), "{what} shows `{code}`: {text}");
    }
    // Raw values as words of their own ("sinulle" is Finnish, not `null`).
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        assert!(
            !["null", "true", "false", "None", "Some"].contains(&word),
            "{what} shows `{word}`: {text}"
        );
    }
    for raw in ["not_met", "evidence.", "holds_again"] {
        assert!(!r.body.contains(raw), "{what} carries `{raw}`");
    }
}

async fn the_queue_filters_orders_counts_and_pages(db: &TestDb) {
    let s = site(db);
    let persons: Vec<String> = (10..16).map(person_id).collect();
    watched(&s, &persons).await;
    // Five conditions stop holding on six permits: 30 alerts.
    let mut events = vec![event(
        "ytj-1",
        EventBody::EmployerBankruptcy {
            employer_id: EMPLOYER.to_owned(),
        },
    )];
    for p in &persons {
        events.push(emigration(p));
        events.push(sis(p));
        events.push(event(
            &format!("rr-{p}"),
            EventBody::CriminalRecordEntry {
                person: p.clone(),
                disqualifying: true,
            },
        ));
        for back in [1, 2] {
            events.push(event(
                &format!("ir-{p}-{back}"),
                EventBody::PayReport {
                    person: p.clone(),
                    month: month(back),
                    gross_pay_eur: 900.0,
                    employer_id: EMPLOYER.to_owned(),
                    occupational_field: None,
                },
            ));
        }
    }
    ingest(&s, &events).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let en = format!("{hanna}; polku_lang=en");

    let work = s.call("GET", "/work", &en, None).await;
    assert!(
        work.body.contains("href=\"/work/alerts\"") && work.body.contains("(30 open)"),
        "the workbench links the alerts: {}",
        work.body
    );
    let before = use_log_purposes(&s).await.len();
    let first = s.call("GET", "/work/alerts", &en, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("Alerts 1–25 of 30."), "{}", first.body);
    assert!(
        first.body.contains("the oldest alert first"),
        "the order is stated"
    );
    assert_eq!(first.body.matches("href=\"/work/alerts/").count(), 25);
    assert!(first.body.contains("page=2"), "a next page");
    assert!(!first.body.contains("rel=\"prev\""));
    // Oldest first: the page lists the alerts as the monitor orders them.
    let oldest = s
        .state
        .monitor
        .alert_page(&AlertFilter::open(), 0, 500)
        .await
        .unwrap();
    assert_eq!(oldest.total, 30);
    let listed: Vec<&str> = first
        .body
        .split("href=\"/work/alerts/")
        .skip(1)
        .map(|rest| &rest[..36])
        .collect();
    let expected: Vec<String> = oldest.alerts[..25]
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    assert_eq!(listed, expected);
    // Each row in words: the holder, the kind of permit, the condition, since when.
    assert!(first.body.contains(&persons[0]));
    assert!(
        first.body.contains("Extended"),
        "the kind of permit: {}",
        first.body
    );
    assert!(
        first
            .body
            .contains("The permit holder still lives in Finland")
    );
    assert!(first.body.contains(" at "), "since when");
    // Reading the page is in the use log, once.
    assert_eq!(use_log_purposes(&s).await.len(), before + 1);

    let second = s
        .call("GET", "/work/alerts?state=open&page=2", &en, None)
        .await;
    assert!(
        second.body.contains("Alerts 26–30 of 30."),
        "{}",
        second.body
    );
    assert!(second.body.contains("rel=\"prev\""));
    assert!(!second.body.contains("rel=\"next\""));
    let beyond = s.call("GET", "/work/alerts?page=9", &en, None).await;
    assert!(beyond.body.contains("30 alerts in all"), "{}", beyond.body);

    let resident = s
        .call(
            "GET",
            "/work/alerts?condition=resident-in-finland",
            &en,
            None,
        )
        .await;
    assert!(
        resident.body.contains("Alerts 1–6 of 6."),
        "{}",
        resident.body
    );
    let by_matter = s
        .call(
            "GET",
            &format!("/work/alerts?matter={EXTENSION}"),
            &en,
            None,
        )
        .await;
    assert!(by_matter.body.contains("of 30."));
    let other = s
        .call(
            "GET",
            "/work/alerts?matter=fi.residence-permit.student",
            &en,
            None,
        )
        .await;
    assert!(other.body.contains("No alerts with these filters."));
    let dismissed = s
        .call("GET", "/work/alerts?state=dismissed", &en, None)
        .await;
    assert!(dismissed.body.contains("No alerts with these filters."));
    // A filter that is not one is refused, naming it.
    for bad in ["state=refused", "page=0", "page=x", "state=open&page=-1"] {
        let r = s
            .call("GET", &format!("/work/alerts?{bad}"), &en, None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}
polku_cases::on_every_database!(queue, the_queue_filters_orders_counts_and_pages, with_db);

async fn only_handlers_see_and_act_on_alerts(db: &TestDb) {
    let s = site(db);
    let holder = person_id(20);
    watched(&s, std::slice::from_ref(&holder)).await;
    ingest(&s, &[emigration(&holder)]).await;
    let alert = alert_of(&s, &holder, "resident-in-finland").await;
    let uri = format!("/work/alerts/{alert}");

    for path in ["/work/alerts", uri.as_str()] {
        let anonymous = s.call("GET", path, "", None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(anonymous.location.as_deref(), Some("/sign-in"));
    }
    let applicant = s.sign_in(&holder).await;
    let anna = official(&s, "anna", Role::Analyst).await;
    for who in [&applicant, &anna] {
        for path in ["/work/alerts", uri.as_str()] {
            let r = s.call("GET", path, who, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!r.body.contains(&holder), "{path}");
        }
    }
    // The holder cannot confirm or dismiss, even with their own session's token.
    let mine = s.call("GET", "/my/cases", &applicant, None).await;
    let csrf = form_csrf(&mine.body);
    for action in ["confirmation", "dismissal"] {
        let r = s
            .call(
                "POST",
                &format!("{uri}/{action}"),
                &applicant,
                Some(&format!("csrf={csrf}&reasons=I+say+so")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    // A handler's form without the session's token changes nothing either.
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let forged = s
        .call(
            "POST",
            &format!("{uri}/confirmation"),
            &hanna,
            Some("csrf=forged&reasons=Moved+away"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(reexaminations(&s).await, 0);
    let a = s.state.monitor.alert(alert).await.unwrap();
    assert_eq!(a.state, AlertState::Open);
    // A legal officer may read it; an unknown alert is a 404 page.
    let lauri = official(&s, "lauri", Role::LegalOfficer).await;
    assert_eq!(
        s.call("GET", &uri, &lauri, None).await.status,
        StatusCode::OK
    );
    let none = s
        .call(
            "GET",
            &format!("/work/alerts/{}", Uuid::now_v7()),
            &hanna,
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let bad = s.call("GET", "/work/alerts/not-an-id", &hanna, None).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}
polku_cases::on_every_database!(access, only_handlers_see_and_act_on_alerts, with_db);

async fn confirming_opens_exactly_one_case_and_links_it(db: &TestDb) {
    let s = site(db);
    let holder = person_id(21);
    watched(&s, std::slice::from_ref(&holder)).await;
    ingest(&s, &[emigration(&holder)]).await;
    let alert = alert_of(&s, &holder, "resident-in-finland").await;
    let uri = format!("/work/alerts/{alert}");
    let hanna = official(&s, "hanna", Role::CaseHandler).await;

    // The trace: the condition in plain words, the value, its register and when, the
    // legal bases, in the page's language.
    let fi = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=fi"), None)
        .await;
    assert_eq!(fi.status, StatusCode::OK, "{}", fi.body);
    assert!(
        fi.body.contains("Luvanhaltija asuu edelleen Suomessa"),
        "{}",
        fi.body
    );
    assert!(
        fi.body.contains("Asuu Suomessa:</strong> ei"),
        "{}",
        fi.body
    );
    assert!(fi.body.contains("UlkL 58 § 1 mom."));
    assert!(fi.body.contains("615/2020"), "the basis for processing");
    assert!(
        fi.body.contains("oleskeluluvan peruuttaminen"),
        "the basis for re-examination"
    );
    assert!(fi.body.contains("klo"), "when, in Finland's time");
    let sv = s
        .call("GET", &uri, &format!("{hanna}; polku_lang=sv"), None)
        .await;
    assert!(sv.body.contains("UtlL 58 § 1 mom."), "{}", sv.body);
    assert!(sv.body.contains("Bor i Finland:</strong> nej"));
    let en = format!("{hanna}; polku_lang=en");
    let page = s.call("GET", &uri, &en, None).await;
    assert!(
        page.body.contains("Aliens Act section 58(1)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Lives in Finland:</strong> no"));
    let csrf = form_csrf(&page.body);
    let read = use_log_purposes(&s).await;
    assert!(
        read.iter()
            .any(|p| p == "monitoring alert read for handling")
    );

    // No reasons: a 422 that says what to do, and nothing written.
    for reasons in ["", "+++", "a%00b"] {
        let r = s
            .call(
                "POST",
                &format!("{uri}/confirmation"),
                &en,
                Some(&format!("csrf={csrf}&reasons={reasons}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{reasons:?}");
        assert!(r.body.contains("role=\"alert\""), "{}", r.body);
        assert!(
            r.body.contains("Write the reasons before confirming")
                || r.body.contains("control character")
                || r.body.contains("Reasons"),
            "{}",
            r.body
        );
    }
    assert_eq!(reexaminations(&s).await, 0);
    assert_eq!(
        s.state.monitor.alert(alert).await.unwrap().state,
        AlertState::Open
    );

    let done = s
        .call(
            "POST",
            &format!("{uri}/confirmation"),
            &en,
            Some(&format!("csrf={csrf}&reasons=Moved+abroad+for+good")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("{uri}?done=confirmed").as_str())
    );
    // Confirming again (a double click) opens no second case.
    let again = s
        .call(
            "POST",
            &format!("{uri}/confirmation"),
            &en,
            Some(&format!("csrf={csrf}&reasons=Again")),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(reexaminations(&s).await, 1);
    let confirmed = s.state.monitor.alert(alert).await.unwrap();
    let case = confirmed.reexamination_case.expect("a re-examination case");
    let shown = s
        .call("GET", &format!("{uri}?done=confirmed"), &en, None)
        .await;
    assert!(
        shown.body.contains(&format!("href=\"/work/cases/{case}\"")),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("The alert has been confirmed"));
    assert!(
        shown.body.contains("Moved abroad for good"),
        "the reasons in the history"
    );
    assert!(
        !shown.body.contains("/dismissal"),
        "no form on a confirmed alert"
    );
    // Dismissing a confirmed alert is a conflict that says why; nothing changes.
    let late = s
        .call(
            "POST",
            &format!("{uri}/dismissal"),
            &en,
            Some(&format!("csrf={csrf}&reasons=No+longer")),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("already Confirmed"), "{}", late.body);
    assert_eq!(
        s.state.monitor.alert(alert).await.unwrap().state,
        AlertState::Confirmed
    );
    // The case waits in the handlers' queue, its page links back to the alert.
    let case_page = s
        .call("GET", &format!("/work/cases/{case}"), &en, None)
        .await;
    assert_eq!(case_page.status, StatusCode::OK, "{}", case_page.body);
    assert!(
        case_page
            .body
            .contains(&format!("href=\"/work/alerts/{alert}\""))
    );
    assert!(case_page.body.contains("has not answered yet"));
}
polku_cases::on_every_database!(
    confirm,
    confirming_opens_exactly_one_case_and_links_it,
    with_db
);

async fn dismissing_needs_reasons(db: &TestDb) {
    let s = site(db);
    let holder = person_id(22);
    watched(&s, std::slice::from_ref(&holder)).await;
    ingest(&s, &[emigration(&holder)]).await;
    let alert = alert_of(&s, &holder, "resident-in-finland").await;
    let uri = format!("/work/alerts/{alert}");
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let en = format!("{hanna}; polku_lang=en");
    let csrf = form_csrf(&s.call("GET", &uri, &en, None).await.body);
    let blank = s
        .call(
            "POST",
            &format!("{uri}/dismissal"),
            &en,
            Some(&format!("csrf={csrf}&reasons=%20%0D%0A")),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        blank.body.contains("Write the reasons before dismissing"),
        "{}",
        blank.body
    );
    assert!(blank.body.contains("aria-invalid=\"true\""));
    let missing = s
        .call(
            "POST",
            &format!("{uri}/dismissal"),
            &en,
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.state.monitor.alert(alert).await.unwrap().state,
        AlertState::Open
    );
    let done = s
        .call(
            "POST",
            &format!("{uri}/dismissal"),
            &en,
            Some(&format!(
                "csrf={csrf}&reasons=A+temporary+registration+error%3B+the+holder+is+resident."
            )),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let a = s.state.monitor.alert(alert).await.unwrap();
    assert_eq!(a.state, AlertState::Dismissed);
    assert_eq!(reexaminations(&s).await, 0);
    let page = s
        .call("GET", &format!("{uri}?done=dismissed"), &en, None)
        .await;
    assert!(
        page.body.contains("hanna dismissed the alert."),
        "{}",
        page.body
    );
    assert!(page.body.contains("A temporary registration error"));
    let listed = s
        .call("GET", "/work/alerts?state=dismissed", &en, None)
        .await;
    assert!(listed.body.contains("Alerts 1–1 of 1."), "{}", listed.body);
}
polku_cases::on_every_database!(dismiss, dismissing_needs_reasons, with_db);

/// Confirms the open alert on `holder`'s permit about `condition` as `handler`; returns
/// the re-examination case.
async fn confirmed(s: &Site, handler: &str, holder: &str, condition: &str) -> Uuid {
    let alert = alert_of(s, holder, condition).await;
    let uri = format!("/work/alerts/{alert}");
    let csrf = form_csrf(&s.call("GET", &uri, handler, None).await.body);
    let r = s
        .call(
            "POST",
            &format!("{uri}/confirmation"),
            handler,
            Some(&format!("csrf={csrf}&reasons=Confirmed+by+the+handler")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    s.state
        .monitor
        .alert(alert)
        .await
        .unwrap()
        .reexamination_case
        .unwrap()
}

async fn the_holder_is_told_why_and_answers(db: &TestDb) {
    let s = site(db);
    let holder = person_id(23);
    let other = person_id(24);
    watched(&s, &[holder.clone(), other.clone()]).await;
    ingest(&s, &[emigration(&holder), sis(&holder)]).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let moved = confirmed(&s, &hanna, &holder, "resident-in-finland").await;
    let banned = confirmed(&s, &hanna, &holder, "no-entry-ban-or-alert").await;
    let me = s.sign_in(&holder).await;

    let list = s
        .call("GET", "/my/cases", &format!("{me}; polku_lang=en"), None)
        .await;
    assert!(
        list.body.contains("Re-examination of your permit"),
        "{}",
        list.body
    );
    assert!(list.body.contains(&format!("/my/cases/{moved}")));

    let answer_by = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(polku_monitoring::ANSWER_DAYS))
        .unwrap();
    let page = s
        .call(
            "GET",
            &format!("/my/cases/{moved}"),
            &format!("{me}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Your permit is being re-examined"));
    assert!(
        page.body
            .contains("The permit holder still lives in Finland"),
        "why"
    );
    assert!(
        page.body.contains("Aliens Act section 58(1)"),
        "its legal basis"
    );
    let by = format!(
        "{} {} {}",
        answer_by.day(),
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December"
        ][answer_by.month() as usize - 1],
        answer_by.year()
    );
    assert!(
        page.body
            .contains(&format!("The time to answer ends on {by}.")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("action=\"/my/cases/{moved}/answer\""))
    );
    assert!(
        !page.body.contains("Confirmed by the handler"),
        "the handler's notes stay theirs"
    );

    // What the law withholds: only that a person assesses it, in every language.
    for (lang, says, never) in [
        (
            "fi",
            "Virkailija arvioi lisäksi asian",
            &[
                "SIS",
                "maahantulokielto",
                "Maahantulokielto",
                "36 §",
                "11 §",
            ][..],
        ),
        (
            "sv",
            "En handläggare bedömer dessutom",
            &["SIS", "inreseförbud", "Inreseförbud", "36 §", "11 §"][..],
        ),
        (
            "en",
            "An official also assesses a matter",
            &["SIS", "entry ban", "Entry ban", "section 36", "section 11"][..],
        ),
    ] {
        let r = s
            .call(
                "GET",
                &format!("/my/cases/{banned}"),
                &format!("{me}; polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(says), "{lang}: {}", r.body);
        for word in never {
            assert!(
                !r.body.contains(word),
                "{lang} reveals `{word}`: {}",
                r.body
            );
        }
        no_code(&format!("holder's withheld case in {lang}"), &r);
    }

    // Someone else cannot read or answer the holder's case.
    let stranger = s.sign_in(&other).await;
    let theirs = s
        .call("GET", &format!("/my/cases/{moved}"), &stranger, None)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!theirs.body.contains("still lives in Finland"));
    let stranger_csrf = form_csrf(&s.call("GET", "/my/cases", &stranger, None).await.body);
    let intruded = s
        .call(
            "POST",
            &format!("/my/cases/{moved}/answer"),
            &stranger,
            Some(&format!("csrf={stranger_csrf}&answer=Not+mine")),
        )
        .await;
    assert_eq!(intruded.status, StatusCode::NOT_FOUND);
    // A blank answer, or one without the token, is refused and nothing is kept.
    let csrf = form_csrf(&page.body);
    let blank = s
        .call(
            "POST",
            &format!("/my/cases/{moved}/answer"),
            &me,
            Some(&format!("csrf={csrf}&answer=%20%20")),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = s
        .call(
            "POST",
            &format!("/my/cases/{moved}/answer"),
            &me,
            Some("csrf=forged&answer=Hello"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(answers_stored(&s).await, 0);

    let sent = s
        .call(
            "POST",
            &format!("/my/cases/{moved}/answer"),
            &me,
            Some(&format!(
                "csrf={csrf}&answer=I+was+abroad+for+a+three-month+work+assignment%3B+I+am+back."
            )),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(answers_stored(&s).await, 1);
    let mine = s
        .call(
            "GET",
            &format!("/my/cases/{moved}?answered=1"),
            &format!("{me}; polku_lang=en"),
            None,
        )
        .await;
    assert!(mine.body.contains("Your answer has been saved"));
    assert!(mine.body.contains("three-month work assignment"));

    // The handler reads it on the case page, and the read is in the use log.
    let before = use_log_purposes(&s).await;
    let case_page = s
        .call(
            "GET",
            &format!("/work/cases/{moved}"),
            &format!("{hanna}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        case_page.body.contains("three-month work assignment"),
        "{}",
        case_page.body
    );
    let after = use_log_purposes(&s).await;
    let answers_read = |v: &[String]| {
        v.iter()
            .filter(|p| {
                p.as_str() == "re-examination: the permit holder's answers read for handling"
            })
            .count()
    };
    assert_eq!(answers_read(&after), answers_read(&before) + 1);
}
polku_cases::on_every_database!(holder, the_holder_is_told_why_and_answers, with_db);

/// Every monitoring page, in Finnish, Swedish and English, speaks the language and shows
/// no code.
async fn the_monitoring_pages_show_no_code_in_any_language(db: &TestDb) {
    let s = site(db);
    let holder = person_id(25);
    watched(&s, std::slice::from_ref(&holder)).await;
    let mut events = vec![emigration(&holder)];
    for back in [1, 2] {
        events.push(event(
            &format!("ir-{back}"),
            EventBody::PayReport {
                person: holder.clone(),
                month: month(back),
                gross_pay_eur: 1234.5,
                employer_id: EMPLOYER.to_owned(),
                occupational_field: None,
            },
        ));
    }
    ingest(&s, &events).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let pay = alert_of(&s, &holder, "pay-not-below-minimum-two-months").await;
    let case = confirmed(&s, &hanna, &holder, "resident-in-finland").await;
    let resident = s
        .state
        .monitor
        .alert_of_case(case)
        .await
        .unwrap()
        .unwrap()
        .id;
    let me = s.sign_in(&holder).await;
    for (lang, html_lang, pay_figure) in [
        ("fi", "lang=\"fi\"", "1\u{a0}234,5"),
        ("sv", "lang=\"sv\"", "1\u{a0}234,5"),
        ("en", "lang=\"en\"", "1,234.5"),
    ] {
        let official = format!("{hanna}; polku_lang={lang}");
        let holder_view = format!("{me}; polku_lang={lang}");
        for (path, who) in [
            ("/work/alerts".to_owned(), &official),
            ("/work/alerts?state=confirmed".to_owned(), &official),
            (format!("/work/alerts/{pay}"), &official),
            (format!("/work/alerts/{resident}"), &official),
            (format!("/work/cases/{case}"), &official),
            ("/my/cases".to_owned(), &holder_view),
            (format!("/my/cases/{case}"), &holder_view),
        ] {
            let r = s.call("GET", &path, who, None).await;
            assert!(r.body.contains(html_lang), "{path} in {lang}");
            no_code(&format!("{path} in {lang}"), &r);
        }
        let alert = s
            .call("GET", &format!("/work/alerts/{pay}"), &official, None)
            .await;
        assert!(alert.body.contains(pay_figure), "{lang}: {}", alert.body);
    }
}
polku_cases::on_every_database!(
    no_code_anywhere,
    the_monitoring_pages_show_no_code_in_any_language,
    with_db
);
