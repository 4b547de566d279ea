//! `polku bench pages`: server time of every web page with demo data — a synthetic
//! population, its applications decided through the real pipeline with simulated
//! registers — measured in process (no network), p50 and p95 over many requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::http::Request;
use clap::Args;
use polku_core::{Actor, NewApplication, Pipeline, Role, Store};
use polku_registers::RegisterEvidence;
use polku_simulators::population::person_id;
use polku_simulators::{Behaviour, Population, Simulator};
use tower::ServiceExt;

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

async fn bench(args: PagesBenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let store = Store::open_data_dir(tmp.path()).await?;
    let rules =
        polku_core::LiveRules::from(crate::load_rules(None).map_err(|e| anyhow::anyhow!("{e}"))?);
    let population = Arc::new(Population::generate(2026, args.persons));
    let today = polku_core::today_in_finland();

    let started = Instant::now();
    let n = args.cases.min(args.persons);
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
                        .get(p.matter.id())
                        .and_then(|rs| rs.processing_time.as_ref())
                        .and_then(|t| t.deadline(today)),
                },
                &Actor("bench".into()),
            )
            .await?;
    }
    let evidence = Arc::new(RegisterEvidence::new(
        Simulator::new(population.clone(), Behaviour::default()),
        store.clone(),
        &rules,
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
    println!(
        "demo data: {} persons, {n} applications filed and decided in {:.1} s",
        args.persons,
        started.elapsed().as_secs_f64()
    );

    // One signed-in visitor of each kind.
    let session = async |role: Role, person: Option<&str>| -> anyhow::Result<String> {
        let org = (role != Role::Applicant).then_some("Maahanmuuttovirasto");
        let user = store.add_user("bench", role, org, person).await?;
        Ok(format!(
            "polku_session={}",
            polku_web::sessions::Sessions::new(store.db().clone())
                .start(user, 1)
                .await?
                .0
        ))
    };
    let applicant_person = person_id(0);
    let applicant = session(Role::Applicant, Some(&applicant_person)).await?;
    let handler = session(Role::CaseHandler, None).await?;
    let analyst = session(Role::Analyst, None).await?;
    let auditor = session(Role::Auditor, None).await?;
    let legal_officer = session(Role::LegalOfficer, None).await?;
    // An open proposal for the most common matter: its page backtests every past decision.
    const EXTENSION: &str = "fi.residence-permit.employed.extension";
    let proposer = store
        .add_user(
            "bench proposer",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await?;
    let proposer = store
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
    let proposal = store
        .propose_rules(
            &polku_core::NewProposal {
                rule_set: EXTENSION.to_owned(),
                base: None,
                text,
                tests_text: None,
                summary: "bench".to_owned(),
                effective_from: tomorrow.to_string(),
            },
            &proposer,
            &rules,
        )
        .await?
        .id;
    let own_case = store.cases_of(&applicant_person, None, 1).await?[0].id;
    let referred = store
        .handler_queue(&polku_core::QueueFilter {
            limit: 1,
            ..Default::default()
        })
        .await?
        .first()
        .map(|i| i.case_id)
        .context("no referred case")?;

    let app = polku_web::router(polku_web::WebState::new(
        store.clone(),
        rules.clone(),
        Some(crate::test_identities::over(population.clone())),
    ));
    let pages = [
        ("front page", "/".to_owned(), String::new()),
        ("test identification", "/identify".to_owned(), String::new()),
        (
            "applicant: own cases",
            "/my/cases".to_owned(),
            applicant.clone(),
        ),
        (
            "applicant: a decision",
            format!("/my/cases/{own_case}"),
            applicant.clone(),
        ),
        (
            "applicant: choose a matter",
            "/my/apply".to_owned(),
            applicant.clone(),
        ),
        (
            "applicant: application form",
            "/my/apply/fi.residence-permit.employed.extension".to_owned(),
            applicant.clone(),
        ),
        ("handler: queue", "/work".to_owned(), handler.clone()),
        (
            "handler: a referred case",
            format!("/work/cases/{referred}"),
            handler.clone(),
        ),
        (
            "analyst: dashboard",
            "/dashboard".to_owned(),
            analyst.clone(),
        ),
        ("auditor: logs", "/audit".to_owned(), auditor.clone()),
        (
            "handler: rule administration",
            "/work/rules".to_owned(),
            handler.clone(),
        ),
        (
            "handler: propose a change",
            format!("/work/rules/{EXTENSION}/propose"),
            handler.clone(),
        ),
        (
            "legal: proposal + backtest",
            format!("/work/rules/proposals/{proposal}"),
            legal_officer.clone(),
        ),
    ];
    println!("{:<30} {:>9} {:>9} {:>9}", "page", "p50", "p95", "max");
    for (name, path, cookie) in pages {
        let mut times = Vec::with_capacity(args.requests as usize);
        for _ in 0..args.requests {
            let mut req = Request::get(&path);
            if !cookie.is_empty() {
                req = req.header("cookie", &cookie);
            }
            let t = Instant::now();
            let res = app.clone().oneshot(req.body(Body::empty())?).await?;
            let status = res.status();
            axum::body::to_bytes(res.into_body(), usize::MAX).await?;
            times.push(t.elapsed());
            anyhow::ensure!(status.is_success(), "{path}: {status}");
        }
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
    // The dashboard reuses its figures for 15 s; what measuring them costs:
    let mut times = Vec::new();
    let mut groups = 0;
    for _ in 0..5 {
        let t = Instant::now();
        groups = store
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
    // The proposal page reuses its backtest for a few minutes; what computing one costs:
    let officer = store
        .add_user(
            "bench legal",
            Role::LegalOfficer,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await?;
    let officer = store.principal_of(officer).await?.context("just added")?;
    let mut times = Vec::new();
    let mut evaluated = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let b = store
            .backtest_proposal(proposal, &officer, &rules, &Default::default())
            .await?;
        times.push(t.elapsed());
        evaluated = b.evaluated;
    }
    times.sort();
    println!(
        "backtest computed afresh: {evaluated} past decisions re-evaluated twice, median {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1e3
    );
    store.close().await;
    Ok(())
}
