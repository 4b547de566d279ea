//! `polku bench pages`: server time of every web page with demo data — a synthetic
//! population, its applications decided through the real pipeline with simulated
//! registers — measured in process (no network), p50 and p95 over many requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::handles::{access, figures};
use anyhow::Context;
use axum::body::Body;
use axum::http::Request;
use clap::Args;
use polku_access::Role;
use polku_cases::{Actor, Cases, LiveRules, NewApplication, Pipeline};
use polku_registers::RegisterEvidence;
use polku_rule_admin::RuleAdmin;
use polku_simulators::population::person_id;
use polku_simulators::{Behaviour, Population, Simulator};
use tower::ServiceExt;
use uuid::Uuid;

#[derive(Args)]
pub struct PagesBenchArgs {
    /// People in the synthetic population.
    #[arg(long, default_value_t = 100_000)]
    persons: u32,
    /// Applications filed and decided before measuring.
    #[arg(long, default_value_t = 10_000)]
    cases: u32,
    /// Requests per page.
    #[arg(long, default_value_t = 200)]
    requests: u32,
}

pub fn run(args: PagesBenchArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| rt.block_on(bench(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku bench pages: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The most common matter: its form is a page measured, and the open proposal for it
/// backtests every past decision.
const EXTENSION: &str = "fi.residence-permit.employed.extension";

async fn bench(args: PagesBenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let store = Cases::open_data_dir(tmp.path()).await?;
    let shipped = crate::load_rules(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(shipped));
    let population = Arc::new(Population::generate(2026, args.persons));
    let today = polku_cases::today_in_finland();

    let started = Instant::now();
    let n = args.cases.min(args.persons);
    file_applications(&store, &rules, &population, n, today).await?;
    decide_all(&store, &rules, &population).await?;
    println!(
        "demo data: {} persons, {n} applications filed and decided in {:.1} s",
        args.persons,
        started.elapsed().as_secs_f64()
    );

    // The applicant reads a decision: the first person the machine granted.
    let (applicant_person, own_case) = first_granted(&store, &population).await?;
    let visitors = Visitors::sign_in(&store, &applicant_person).await?;
    let records = Records {
        proposal: propose_extension_change(&store, &rules, today).await?,
        own_case,
        referred: first_referred(&store).await?,
    };
    let app = polku_web::router(polku_web::WebState::new(
        store.clone(),
        rules.clone(),
        Some(crate::test_identities::over(population.clone())),
    ));
    println!("{:<30} {:>9} {:>9} {:>9}", "page", "p50", "p95", "max");
    for (name, path, cookie) in pages(&visitors, &records) {
        let times = time_page(&app, &path, &cookie, args.requests).await?;
        print_page(name, times);
    }
    time_dashboard_figures(&store, n).await?;
    time_backtest(&store, &rules, records.proposal).await?;
    store.close().await;
    Ok(())
}

/// Files an application for each of the first `n` persons of the population, received today.
async fn file_applications(
    store: &Cases,
    rules: &LiveRules,
    population: &Population,
    n: u32,
    today: jiff::civil::Date,
) -> anyhow::Result<()> {
    for p in population.persons.iter().take(n as usize) {
        store
            .submit(
                &NewApplication {
                    matter: p.matter.id().to_owned(),
                    applicant_id: person_id(p.index),
                    application_date: today,
                    application: population.application(p),
                    deadline: rules
                        .today()
                        .decision_set(p.matter.id())
                        .and_then(|rs| rs.processing_time.as_ref())
                        .and_then(|t| t.deadline(today)),
                },
                &Actor::Person(person_id(p.index)),
            )
            .await?;
    }
    Ok(())
}

/// Decides every filed application with four pipeline workers and simulated registers.
async fn decide_all(
    store: &Cases,
    rules: &LiveRules,
    population: &Arc<Population>,
) -> anyhow::Result<()> {
    let evidence = Arc::new(RegisterEvidence::new(
        Simulator::new(population.clone(), Behaviour::default()),
        crate::handles::audit(store),
        rules,
    ));
    let workers: Vec<_> = (0..4)
        .map(|i| {
            let p = Pipeline::new(
                store.clone(),
                rules.clone(),
                evidence.clone(),
                format!("bench-{i}"),
            );
            tokio::spawn(async move { while let Ok(Some(_)) = p.run_once().await {} })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    Ok(())
}

/// One signed-in visitor of each kind: their session cookies.
struct Visitors {
    applicant: String,
    handler: String,
    analyst: String,
    auditor: String,
    legal_officer: String,
}

impl Visitors {
    async fn sign_in(store: &Cases, applicant_person: &str) -> anyhow::Result<Visitors> {
        Ok(Visitors {
            applicant: session(store, Role::Applicant, Some(applicant_person)).await?,
            handler: session(store, Role::CaseHandler, None).await?,
            analyst: session(store, Role::Analyst, None).await?,
            auditor: session(store, Role::Auditor, None).await?,
            legal_officer: session(store, Role::LegalOfficer, None).await?,
        })
    }
}

/// A new user in `role` (an official of Maahanmuuttovirasto unless an applicant), signed
/// in: the cookie of their session.
async fn session(store: &Cases, role: Role, person: Option<&str>) -> anyhow::Result<String> {
    let org = (role != Role::Applicant).then_some("Maahanmuuttovirasto");
    let user = access(store).add_user("bench", role, org, person).await?;
    Ok(format!(
        "polku_session={}",
        polku_web::sessions::Sessions::new(store.db().clone())
            .start(user, 1)
            .await?
            .0
    ))
}

/// What the pages that show one record show.
struct Records {
    /// An open proposal to change the extension's rules.
    proposal: Uuid,
    /// A case of the signed-in applicant.
    own_case: Uuid,
    /// A case referred to the handlers.
    referred: Uuid,
}

/// Proposes raising the extension's pay threshold from tomorrow; the proposal's id.
async fn propose_extension_change(
    store: &Cases,
    rules: &LiveRules,
    today: jiff::civil::Date,
) -> anyhow::Result<Uuid> {
    let proposer = access(store)
        .add_user(
            "bench proposer",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await?;
    let proposer = access(store)
        .principal_of(proposer)
        .await?
        .context("the proposer was just added")?;
    let tomorrow = today.tomorrow()?;
    let text = rules
        .today()
        .text_of(EXTENSION)
        .context("the extension rule set")?
        .0
        .replace(
            "      2025-04-01: 1600\n",
            &format!("      2025-04-01: 1600\n      {tomorrow}: 2000\n"),
        );
    Ok(RuleAdmin::new(store.clone())
        .propose_rules(
            &polku_rule_admin::NewProposal {
                rule_set: EXTENSION.to_owned(),
                base: None,
                text,
                tests_text: None,
                summary: "bench".to_owned(),
                effective_from: tomorrow.to_string(),
            },
            &proposer,
            rules,
        )
        .await?
        .id)
}

/// The first person of the population whose application the machine granted, and that case.
async fn first_granted(store: &Cases, population: &Population) -> anyhow::Result<(String, Uuid)> {
    for p in &population.persons {
        let person = person_id(p.index);
        for c in store.cases_of(&person, None, 10).await? {
            if c.state == polku_cases::CaseState::Decided {
                return Ok((person, c.id));
            }
        }
    }
    anyhow::bail!("the machine granted no application")
}

/// The first case in the handlers' queue.
async fn first_referred(store: &Cases) -> anyhow::Result<Uuid> {
    store
        .handler_queue(&polku_cases::QueueFilter {
            limit: 1,
            ..Default::default()
        })
        .await?
        .first()
        .map(|i| i.case_id)
        .context("no referred case")
}

/// Every page measured: its name, its path, and the session cookie it is asked with.
fn pages(v: &Visitors, r: &Records) -> [(&'static str, String, String); 17] {
    [
        ("front page", "/".to_owned(), String::new()),
        ("test identification", "/identify".to_owned(), String::new()),
        (
            "applicant: own cases",
            "/my/cases".to_owned(),
            v.applicant.clone(),
        ),
        (
            "applicant: a decision",
            format!("/my/cases/{}", r.own_case),
            v.applicant.clone(),
        ),
        (
            "applicant: decision PDF",
            format!("/my/cases/{}/decision.pdf", r.own_case),
            v.applicant.clone(),
        ),
        (
            "applicant: choose a matter",
            "/my/apply".to_owned(),
            v.applicant.clone(),
        ),
        (
            "applicant: application form",
            "/my/apply/fi.residence-permit.employed.extension".to_owned(),
            v.applicant.clone(),
        ),
        (
            "applicant: notifications",
            "/my/contact".to_owned(),
            v.applicant.clone(),
        ),
        ("handler: queue", "/work".to_owned(), v.handler.clone()),
        (
            "handler: a referred case",
            format!("/work/cases/{}", r.referred),
            v.handler.clone(),
        ),
        (
            "analyst: dashboard",
            "/dashboard".to_owned(),
            v.analyst.clone(),
        ),
        (
            "analyst: a table as XLSX",
            "/dashboard/matters.xlsx".to_owned(),
            v.analyst.clone(),
        ),
        ("auditor: logs", "/audit".to_owned(), v.auditor.clone()),
        (
            "handler: rule administration",
            "/work/rules".to_owned(),
            v.handler.clone(),
        ),
        (
            "handler: propose a change",
            format!("/work/rules/{EXTENSION}/propose"),
            v.handler.clone(),
        ),
        (
            "legal: change a figure",
            format!("/work/rules/{EXTENSION}/figure"),
            v.legal_officer.clone(),
        ),
        (
            "legal: proposal + backtest",
            format!("/work/rules/proposals/{}", r.proposal),
            v.legal_officer.clone(),
        ),
    ]
}

/// The server time of `requests` requests for `path`, each from the request to the
/// whole body read; an error if any is not a success.
async fn time_page(
    app: &axum::Router,
    path: &str,
    cookie: &str,
    requests: u32,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(requests as usize);
    for _ in 0..requests {
        let mut req = Request::get(path);
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        let t = Instant::now();
        let res = app.clone().oneshot(req.body(Body::empty())?).await?;
        let status = res.status();
        axum::body::to_bytes(res.into_body(), usize::MAX).await?;
        times.push(t.elapsed());
        anyhow::ensure!(status.is_success(), "{path}: {status}");
    }
    Ok(times)
}

/// A line of the table: the page's p50, p95 and slowest time.
fn print_page(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!(
        "{name:<30} {:>9} {:>9} {:>9}",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

/// The dashboard reuses its figures for 15 s; what measuring them costs.
async fn time_dashboard_figures(store: &Cases, n: u32) -> anyhow::Result<()> {
    let mut times = Vec::new();
    let mut groups = 0;
    for _ in 0..5 {
        let t = Instant::now();
        groups = figures(store)
            .case_fact_groups(jiff::Timestamp::now().as_microsecond())
            .await?
            .len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "dashboard figures measured afresh: {n} cases in {groups} groups, median {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1e3
    );
    Ok(())
}

/// The proposal page reuses its backtest for a few minutes; what computing one costs.
async fn time_backtest(store: &Cases, rules: &LiveRules, proposal: Uuid) -> anyhow::Result<()> {
    let officer = access(store)
        .add_user(
            "bench legal",
            Role::LegalOfficer,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await?;
    let officer = access(store)
        .principal_of(officer)
        .await?
        .context("just added")?;
    let mut times = Vec::new();
    let mut evaluated = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let b = RuleAdmin::new(store.clone())
            .backtest_proposal(proposal, &officer, rules, &Default::default())
            .await?;
        times.push(t.elapsed());
        evaluated = b.evaluated;
    }
    times.sort();
    println!(
        "backtest computed afresh: {evaluated} past decisions re-evaluated twice, median {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1e3
    );
    Ok(())
}
