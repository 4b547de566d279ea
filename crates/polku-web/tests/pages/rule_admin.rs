//! Rule administration: a case handler proposes a change to a rule set (checked, tested,
//! backtested against past decisions), a second official, a legal officer, approves it,
//! and what follows — stale proposals refused, the form and the overview holding the
//! change, the dashboard showing it, every step in the audit chain.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::CaseState;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::support::{
    EXTENSION, Reply, Site, filed_and_evaluated, form_csrf, official, raised_minimum, site,
};

/// Pages in English.
const EN: &str = "; polku_lang=en";

/// A rule change under way: two past grants to backtest it against, a case handler who
/// proposes it and a legal officer who approves it, with the form's token and the
/// change's text and first day (ten days from now).
struct Change {
    s: Site,
    /// Hanna, a case handler (cookies, pages in English).
    hanna: String,
    /// Liisa, a legal officer (cookies, pages in English).
    liisa: String,
    /// The proposal form of the extension's rules.
    uri: String,
    /// The token of Hanna's forms.
    csrf: String,
    from: String,
    /// The shipped text with the minimum pay raised from `from`: it loads and its tests
    /// pass.
    good: String,
}

impl Change {
    async fn begin(db: &TestDb) -> Change {
        let s = site(db);
        // Two past grants without a collective agreement: 1,700 € and 2,600 € a month.
        for (i, eur) in [(1, 1700), (2, 2600)] {
            let patch = serde_json::json!({
                "evidence": {
                    "agreements": {"generally_binding": false, "minimum_monthly_pay_eur": null},
                    "incomes": {"monthly_gross_pay_avg_eur": eur},
                },
            });
            let id = filed_and_evaluated(&s, &person_id(i), patch).await;
            assert_eq!(
                s.state.store.case(id).await.unwrap().state,
                CaseState::Decided
            );
        }
        let hanna = official(&s, "hanna", Role::CaseHandler).await + EN;
        let liisa = official(&s, "liisa", Role::LegalOfficer).await + EN;
        let uri = format!("/work/rules/{EXTENSION}/propose");
        let csrf = form_csrf(&s.call("GET", &uri, &hanna, None).await.body);
        let from = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(10))
            .unwrap();
        let good = raised_minimum(from);
        Change {
            s,
            hanna,
            liisa,
            uri,
            csrf,
            from: from.to_string(),
            good,
        }
    }

    /// Hanna proposes the good text as an uploaded file; the proposal's page.
    async fn propose(&self) -> String {
        let proposed = self
            .s
            .multipart(
                &self.uri,
                &self.hanna,
                &[
                    ("csrf", &self.csrf),
                    ("summary", "Minimum pay rises to 2,000 €."),
                    ("effective_from", &self.from),
                    ("text", "not what is proposed: the upload wins"),
                    // As a browser sends a text box or a file saved on Windows: lines end in CR LF.
                    ("upload@", &self.good.replace('\n', "\r\n")),
                    ("action", "propose"),
                ],
            )
            .await;
        assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
        proposed.location.unwrap()
    }

    /// Liisa approves the proposal on `page_uri` from its page.
    async fn approve(&self, page_uri: &str) -> Reply {
        let review = self.s.call("GET", page_uri, &self.liisa, None).await;
        self.s
            .call(
                "POST",
                &format!("{page_uri}/approval"),
                &self.liisa,
                Some(&format!("csrf={}&note=Checked.", form_csrf(&review.body))),
            )
            .await
    }

    /// Hanna proposes the good text again from the form she opened before any approval
    /// (it names no approved change as its base).
    async fn propose_from_the_old_form(&self) -> Reply {
        self.s
            .multipart(
                &self.uri,
                &self.hanna,
                &[
                    ("csrf", &self.csrf),
                    ("base", ""),
                    ("summary", "Another change."),
                    ("effective_from", &self.from),
                    ("text", &self.good),
                    ("action", "propose"),
                ],
            )
            .await
    }
}

async fn only_officials_who_work_cases_administer_rules(db: &TestDb) {
    let c = Change::begin(db).await;
    let s = &c.s;
    let applicant = s.sign_in(&person_id(3)).await + EN;
    assert_eq!(
        s.call("GET", "/work/rules", &applicant, None).await.status,
        StatusCode::FORBIDDEN,
        "an applicant has no rule administration"
    );
    let overview = s.call("GET", "/work/rules", &c.hanna, None).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview
            .body
            .contains(&format!("/work/rules/{EXTENSION}/propose"))
    );
}
polku_cases::on_every_database!(
    who_administers_rules,
    only_officials_who_work_cases_administer_rules,
    with_db
);

async fn the_proposal_form_holds_the_rule_text_to_edit(db: &TestDb) {
    let c = Change::begin(db).await;
    let form = c.s.call("GET", &c.uri, &c.hanna, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("pay.general_minimum_eur_month"),
        "the text to edit"
    );
}
polku_cases::on_every_database!(
    proposal_form,
    the_proposal_form_holds_the_rule_text_to_edit,
    with_db
);

/// Checking shows the errors and stores nothing; so does proposing a broken text.
async fn a_text_that_does_not_load_is_shown_with_its_errors_and_not_stored(db: &TestDb) {
    let c = Change::begin(db).await;
    let broken = c.good.replace("when: evidence", "when: evidense");
    for action in ["check", "propose"] {
        let checked =
            c.s.multipart(
                &c.uri,
                &c.hanna,
                &[
                    ("csrf", &c.csrf),
                    ("summary", "Minimum pay rises."),
                    ("effective_from", &c.from),
                    ("text", &broken),
                    ("tests", ""),
                    ("action", action),
                ],
            )
            .await;
        assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(checked.body.contains("evidense"), "{}", checked.body);
    }
    assert!(
        c.s.state
            .rule_admin
            .rule_proposals()
            .await
            .unwrap()
            .is_empty()
    );
}
polku_cases::on_every_database!(
    broken_text,
    a_text_that_does_not_load_is_shown_with_its_errors_and_not_stored,
    with_db
);

/// Without the form's token nothing happens.
async fn a_proposal_needs_the_forms_token(db: &TestDb) {
    let c = Change::begin(db).await;
    let forged =
        c.s.multipart(
            &c.uri,
            &c.hanna,
            &[("csrf", "forged"), ("text", &c.good), ("action", "propose")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
polku_cases::on_every_database!(proposal_csrf, a_proposal_needs_the_forms_token, with_db);

/// An uploaded file that loads and passes its tests is proposed, stored with the rule
/// files' line ends.
async fn an_uploaded_text_that_passes_its_tests_is_proposed(db: &TestDb) {
    let c = Change::begin(db).await;
    c.propose().await;
    let stored = c.s.state.rule_admin.rule_proposals().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].text, c.good,
        "stored with the rule files' line ends"
    );
    assert!(
        stored[0].tests_text.is_none(),
        "the tests file was not changed"
    );
}
polku_cases::on_every_database!(
    uploaded_proposal,
    an_uploaded_text_that_passes_its_tests_is_proposed,
    with_db
);

/// The proposer sees the changes and the backtest, but cannot approve their own.
async fn the_proposer_sees_the_changes_and_the_backtest_but_cannot_approve(db: &TestDb) {
    let c = Change::begin(db).await;
    let s = &c.s;
    let page_uri = c.propose().await;
    let own = s.call("GET", &page_uri, &c.hanna, None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body.contains(&format!("{}: 2000", c.from)),
        "the diff shows the new value"
    );
    assert!(
        own.body
            .contains("2 past decisions re-evaluated; 1 would have another outcome."),
        "{}",
        own.body
    );
    // Summarised before the list: by outcome, and by condition in words; the cases one by
    // one behind a disclosure.
    let text = crate::monitoring::visible_text(&own.body);
    assert!(
        text.contains("How the outcomes would change (cases)"),
        "{text}"
    );
    assert!(text.contains("Granted → To a person: 1"), "{text}");
    assert!(
        text.contains("Why: the conditions whose finding would change"),
        "{text}"
    );
    assert!(
        text.contains("The pay is at least the generally binding collective agreement"),
        "{text}"
    );
    assert!(text.contains("met → not met"), "{text}");
    assert!(own.body.contains("<details>"));
    assert!(text.contains("The cases one by one (1)"), "{text}");
    assert!(
        !own.body.contains("/approval\""),
        "no approval form for the proposer"
    );
    let refused = s
        .call(
            "POST",
            &format!("{page_uri}/approval"),
            &c.hanna,
            Some(&format!("csrf={}", form_csrf(&own.body))),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Your role may not do that"),
        "{}",
        refused.body
    );
    assert_eq!(
        s.state.rule_admin.rule_proposals().await.unwrap()[0].state,
        polku_rule_admin::ProposalState::Proposed
    );
}
polku_cases::on_every_database!(
    proposers_view,
    the_proposer_sees_the_changes_and_the_backtest_but_cannot_approve,
    with_db
);

/// A second officer, a legal officer, approves.
async fn a_second_officer_a_legal_officer_approves(db: &TestDb) {
    let c = Change::begin(db).await;
    let page_uri = c.propose().await;
    let review = c.s.call("GET", &page_uri, &c.liisa, None).await;
    assert!(review.body.contains("/approval\""));
    let approved = c.approve(&page_uri).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let after = c.s.call("GET", &page_uri, &c.liisa, None).await;
    assert!(after.body.contains("Approved"));
}
polku_cases::on_every_database!(approval, a_second_officer_a_legal_officer_approves, with_db);

/// A monitoring rule set is administered like any other, but it has no past decisions: its
/// proposal page says so instead of a backtest, and a legal officer approves it.
async fn a_monitoring_rule_set_is_proposed_with_no_backtest(db: &TestDb) {
    const MONITORING: &str = "fi.monitoring.residence-permit.student";
    let s = site(db);
    let hanna = official(&s, "hanna", Role::CaseHandler).await + EN;
    let liisa = official(&s, "liisa", Role::LegalOfficer).await + EN;
    let overview = s.call("GET", "/work/rules", &hanna, None).await;
    assert!(
        overview
            .body
            .contains(&format!("/work/rules/{MONITORING}/propose")),
        "{}",
        overview.body
    );
    let uri = format!("/work/rules/{MONITORING}/propose");
    let form = s.call("GET", &uri, &hanna, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let from = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    let text = s
        .state
        .rules
        .shipped()
        .text_of(MONITORING)
        .unwrap()
        .0
        .replace(
            "notes: Enrolment, integrity and residence watched while the permit is valid.",
            "notes: Enrolment, integrity and residence watched while the permit is valid (reviewed).",
        );
    let proposed = s
        .multipart(
            &uri,
            &hanna,
            &[
                ("csrf", &form_csrf(&form.body)),
                ("summary", "The version's note says it was reviewed."),
                ("effective_from", &from),
                ("text", &text),
                ("action", "propose"),
            ],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let page_uri = proposed.location.unwrap();
    // Two students' permits watched, one no longer enrolled: beside the proposal, a dry
    // run over every watched permit says what would open, by kind of permit.
    let student = |n: u32, enrolled: bool| polku_monitoring::ImportedPermit {
        permit: uuid::Uuid::now_v7(),
        person: format!("sim-{n:07}"),
        matter: "fi.residence-permit.student".into(),
        valid_from: polku_cases::today_in_finland(),
        valid_until: None,
        facts: serde_json::json!({
            "application": {"matter": "fi.residence-permit.student", "kind": "first"},
            "evidence": {
                "studies": {"enrolled": enrolled},
                "population": {"resident_in_finland": true},
                "criminal_records": {"disqualifying_entries": false, "pending_investigation": false},
                "sis": {"alert": false, "entry_ban": false},
            },
        }),
    };
    s.state
        .monitor
        .import(
            &[student(1, true), student(2, false)],
            &polku_audit::Actor::Operator("test".into()),
            "test",
        )
        .await
        .unwrap();
    // The dry run runs in the background: a page shows its progress (refreshing itself)
    // until it has ended, then its figures.
    let ended = |body: &str| body.contains("id=\"dry-run-figures\"");
    let mut review = s.call("GET", &page_uri, &liisa, None).await;
    for _ in 0..100 {
        if ended(&review.body) {
            break;
        }
        assert!(review.body.contains("<progress"), "{}", review.body);
        // No page refreshes itself on a timer (WCAG 2.2.1): the reader checks again.
        assert!(!review.body.contains("http-equiv=\"refresh\""));
        assert!(review.body.contains("Check again"));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        review = s.call("GET", &page_uri, &liisa, None).await;
    }
    assert_eq!(review.status, StatusCode::OK);
    assert!(!review.body.contains("http-equiv=\"refresh\""));
    assert!(review.body.contains("Figures from the dry run that ended"));
    let dry_runs = || async {
        crate::monitoring::use_log_purposes(&s)
            .await
            .iter()
            .filter(|p| p.as_str() == "dry run of a monitoring rule proposal")
            .count()
    };
    // Shown again, the same run: one reading of the holders' facts.
    let again = s.call("GET", &page_uri, &liisa, None).await;
    assert!(ended(&again.body));
    assert_eq!(dry_runs().await, 1);
    // Asked for again, it runs again.
    let rerun = s
        .call(
            "POST",
            &format!("{page_uri}/dry-run"),
            &liisa,
            Some(&format!("csrf={}", form_csrf(&again.body))),
        )
        .await;
    assert_eq!(rerun.status, StatusCode::SEE_OTHER, "{}", rerun.body);
    for _ in 0..100 {
        if dry_runs().await == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(dry_runs().await, 2);
    let forged = s
        .call(
            "POST",
            &format!("{page_uri}/dry-run"),
            &liisa,
            Some("csrf=forged"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        review.body.contains(
            "A monitoring rule set decides nothing, so it has no past decisions to backtest"
        ),
        "{}",
        review.body
    );
    assert!(
        review
            .body
            .contains("2 permits re-checked. Alerts that would open: 1; close: 0."),
        "{}",
        review.body
    );
    assert!(
        review.body.contains("<th scope=\"row\">Student"),
        "{}",
        review.body
    );
    assert!(!review.body.contains("fi.residence-permit.student"));
    assert!(
        s.state.monitor.alerts(None, 10).await.unwrap().is_empty(),
        "a dry run opens nothing"
    );
    assert!(!review.body.contains("past decisions re-evaluated"));
    let approved = s
        .call(
            "POST",
            &format!("{page_uri}/approval"),
            &liisa,
            Some(&format!("csrf={}&note=Checked.", form_csrf(&review.body))),
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
}
polku_cases::on_every_database!(
    monitoring_proposal,
    a_monitoring_rule_set_is_proposed_with_no_backtest,
    with_db
);

/// A proposal made from the form opened before an approval would undo it: refused.
async fn a_proposal_written_before_an_approval_is_refused(db: &TestDb) {
    let c = Change::begin(db).await;
    let page_uri = c.propose().await;
    c.approve(&page_uri).await;
    let stale = c.propose_from_the_old_form().await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("Propose again against it"),
        "{}",
        stale.body
    );
}
polku_cases::on_every_database!(
    stale_proposal,
    a_proposal_written_before_an_approval_is_refused,
    with_db
);

async fn after_an_approval_the_form_holds_the_approved_change(db: &TestDb) {
    let c = Change::begin(db).await;
    let page_uri = c.propose().await;
    c.approve(&page_uri).await;
    let stored = c.s.state.rule_admin.rule_proposals().await.unwrap();
    let reopened = c.s.call("GET", &c.uri, &c.hanna, None).await;
    assert!(
        reopened
            .body
            .contains(&format!("name=\"base\" value=\"{}\"", stored[0].id)),
        "the form now names the approved change it holds"
    );
}
polku_cases::on_every_database!(
    form_after_approval,
    after_an_approval_the_form_holds_the_approved_change,
    with_db
);

async fn the_overview_shows_an_approved_change_to_come(db: &TestDb) {
    let c = Change::begin(db).await;
    let page_uri = c.propose().await;
    c.approve(&page_uri).await;
    let overview = c.s.call("GET", "/work/rules", &c.hanna, None).await;
    assert!(
        overview.body.contains(&format!("from {}", c.from)),
        "scheduled on the overview"
    );
}
polku_cases::on_every_database!(
    scheduled_change,
    the_overview_shows_an_approved_change_to_come,
    with_db
);

/// Every rule administration page speaks the three languages.
async fn every_rule_administration_page_speaks_three_languages(db: &TestDb) {
    let c = Change::begin(db).await;
    let page_uri = c.propose().await;
    c.approve(&page_uri).await;
    let liisa_session = c.liisa.trim_end_matches(EN);
    for lang in ["fi", "sv", "en"] {
        let cookies = format!("{liisa_session}; polku_lang={lang}");
        for path in [
            "/work/rules",
            c.uri.as_str(),
            page_uri.as_str(),
            "/dashboard",
        ] {
            let r = c.s.call("GET", path, &cookies, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path} in {lang}");
            assert!(r.body.contains(&format!("lang=\"{lang}\"")), "{path}");
            assert!(!r.body.contains("Unknown localization"), "{path} in {lang}");
        }
    }
}
polku_cases::on_every_database!(
    rule_pages_languages,
    every_rule_administration_page_speaks_three_languages,
    with_db
);

/// The dashboard shows a change the moment it is approved (its figures are cached,
/// approvals are not), with the backtest its approver saw.
async fn the_dashboard_shows_an_approved_change_at_once(db: &TestDb) {
    let c = Change::begin(db).await;
    let s = &c.s;
    let page_uri = c.propose().await;
    // The dashboard, measured before the approval, has no change to show yet.
    let before = s
        .call("GET", "/dashboard/rule-changes.csv", &c.liisa, None)
        .await;
    assert_eq!(before.body.lines().count(), 1, "{}", before.body);
    c.approve(&page_uri).await;
    let dash = s.call("GET", "/dashboard", &c.liisa, None).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(
        dash.body.contains(&format!("<td>{}</td>", c.from)),
        "the change's row: {}",
        dash.body
    );
    let csv = s
        .call("GET", "/dashboard/rule-changes.csv", &c.liisa, None)
        .await;
    assert!(csv.body.contains(&c.from), "{}", csv.body);
    assert!(
        csv.body.contains("\"2\",\"1\",\"0\",\"–\""),
        "2 re-evaluated, 1 changes; no case filed since, so no share: {}",
        csv.body
    );
}
polku_cases::on_every_database!(
    dashboard_rule_changes,
    the_dashboard_shows_an_approved_change_at_once,
    with_db
);

/// The proposal and the approval are in the audit chain, and refused steps (the
/// proposer's own approval, a stale proposal) are not; the chain verifies.
async fn every_step_of_a_rule_change_is_in_the_audit_chain(db: &TestDb) {
    let c = Change::begin(db).await;
    let s = &c.s;
    let page_uri = c.propose().await;
    let own = s.call("GET", &page_uri, &c.hanna, None).await;
    s.call(
        "POST",
        &format!("{page_uri}/approval"),
        &c.hanna,
        Some(&format!("csrf={}", form_csrf(&own.body))),
    )
    .await;
    c.approve(&page_uri).await;
    c.propose_from_the_old_form().await;
    let steps: Vec<String> = s
        .state
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Rules),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.purpose)
        .collect();
    assert_eq!(
        steps.first().map(String::as_str),
        Some("rule administration: approval")
    );
    assert_eq!(
        steps.last().map(String::as_str),
        Some("rule administration: proposal")
    );
    assert_eq!(s.state.audit().verify().await.unwrap().first_break, None);
}
polku_cases::on_every_database!(
    rule_change_audit,
    every_step_of_a_rule_change_is_in_the_audit_chain,
    with_db
);

/// A figure changed through the form: chosen by what it is used for, checked field by
/// field, written into the text and shown on the proposal form, checked, to be proposed.
async fn a_figure_is_changed_through_a_form(db: &TestDb) {
    let s = site(db);
    let liisa = official(&s, "liisa", Role::LegalOfficer).await + EN;
    let uri = format!("/work/rules/{EXTENSION}/figure");
    let page = s.call("GET", &uri, &liisa, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = crate::monitoring::visible_text(&page.body);
    assert!(text.contains("Used in the conditions:"), "{text}");
    assert!(
        text.contains("The pay is at least the generally binding"),
        "{text}"
    );
    assert!(text.contains("Now 1,600 €/month gross"), "{text}");
    assert!(
        !text.contains("pay.general_minimum_eur_month"),
        "no key on the page"
    );
    let csrf = form_csrf(&page.body);
    let from = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(10))
        .unwrap();
    let wrong = s
        .call(
            "POST",
            &uri,
            &liisa,
            Some(&format!(
                "csrf={csrf}&value=lots&from=2020-01-01&source=&summary="
            )),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    for says in [
        "Choose the figure you change.",
        "Give the new value as a number",
        "tomorrow at the earliest",
        "Say where the figure was published.",
        "Say why the figure changes.",
    ] {
        assert!(wrong.body.contains(says), "{says}");
    }
    assert!(wrong.body.contains("aria-invalid=\"true\""));
    let written = s
        .call(
            "POST",
            &uri,
            &liisa,
            Some(&format!(
                "csrf={csrf}&figure=pay.general_minimum_eur_month&value=1%2C650&from={from}&source=TEM+decree+1%2F2027&summary=The+general+minimum+rises."
            )),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    assert!(
        written
            .body
            .contains("was written from the figure you gave")
    );
    assert!(
        written.body.contains(&format!("      {from}: 1650")),
        "{}",
        written.body
    );
    assert!(written.body.contains("TEM decree 1/2027"));
    assert!(
        written.body.contains("The file loads without errors."),
        "{}",
        written.body
    );
    // Nothing is proposed until the official proposes it.
    assert!(
        s.state
            .rule_admin
            .rule_proposals()
            .await
            .unwrap()
            .is_empty()
    );
    // Only officials who may propose changes reach the form.
    let applicant = s.sign_in(&person_id(5)).await;
    assert_ne!(
        s.call("GET", &uri, &applicant, None).await.status,
        StatusCode::OK
    );
}
polku_cases::on_every_database!(figure_form, a_figure_is_changed_through_a_form, with_db);
