//! The web journeys in a real browser: `polku serve --demo` in its own process, and
//! headless Debian Chromium driven by `tests/browser/journeys.mjs` (playwright-core),
//! each journey ending in a screenshot under `target/browser/` and an axe-core check.
//!
//! On a machine without Chromium or the npm packages the test says it is skipped;
//! `.ci/run` installs both and sets `POLKU_REQUIRE_BROWSER=1`, which turns a missing
//! browser into a failure, so CI can never pass without having run the journeys.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use polku_registers::System;
use polku_simulators::Population;
use polku_simulators::population::{Matter, Person, person_id};
use polku_simulators::simulator::registered_name;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> PathBuf {
    std::env::var("POLKU_CHROMIUM")
        .map_or_else(|_| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// A person of the demo population the test identity provider shows, whose registers
/// say yes to everything an employed person's extension needs.
/// Who applies for a permanent permit and pays its fee in the journeys: offered by the test
/// identity provider, and not one the demo files a permanent application for.
fn payer<'a>(pop: &'a Population, applicant: &Person) -> &'a Person {
    pop.persons
        .iter()
        .take(40)
        .find(|p| p.index != applicant.index && p.matter != Matter::Permanent)
        .expect("the demo population has another person among the first 40")
}

fn applicant(pop: &Population) -> &Person {
    pop.persons
        .iter()
        .take(40)
        .find(|p| {
            let avg = p.monthly_pay_eur[6..].iter().sum::<u32>() / 6;
            let employer = p.employer.map(|e| &pop.employers[e as usize]);
            p.matter == Matter::EmployedExtension
                && avg >= p.agreement_minimum_eur.max(2000) + 100
                && employer.is_some_and(|e| e.active && !e.bankrupt)
                && p.previous_occupation == p.occupation
                && p.birth.date().is_some()
                && !(p.identity_conflict
                    || p.criminal_disqualifying
                    || p.criminal_pending
                    || p.sis_alert
                    || p.entry_ban
                    || p.security_flag)
        })
        .expect("the demo population has a worker who qualifies among the first 40")
}

#[test]
fn journeys_in_a_real_browser_pass_and_meet_wcag_2_1_aa() {
    let required = std::env::var("POLKU_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let modules = repo().join("tests/browser/node_modules");
    let missing = [
        (!chromium().exists())
            .then(|| format!("{} (Debian package chromium)", chromium().display())),
        (!modules.exists()).then(|| format!("{} (npm ci in tests/browser)", modules.display())),
        Command::new("node")
            .arg("--version")
            .output()
            .is_err()
            .then(|| "node".to_owned()),
    ];
    let missing: Vec<String> = missing.into_iter().flatten().collect();
    if !missing.is_empty() {
        assert!(!required, "browser tests required but missing: {missing:?}");
        eprintln!("browser tests skipped: missing {missing:?}");
        return;
    }

    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_polku");
    // Officials with passwords (read from standard input, as an operator would give them).
    for (name, role, username, organisation) in [
        (
            "Hanna Handler",
            "case_handler",
            "hanna",
            "Maahanmuuttovirasto",
        ),
        ("Anna Analyst", "analyst", "anna", "Maahanmuuttovirasto"),
        (
            "Lauri Legal",
            "legal_officer",
            "lauri",
            "Maahanmuuttovirasto",
        ),
        (
            "Tiina Tarkastaja",
            "labour_inspector",
            "tiina",
            "Maahanmuuttovirasto",
        ),
        ("Aila Auditor", "auditor", "aila", "Maahanmuuttovirasto"),
        // A security authority's liaison (issue 15).
        (
            "Sanna Suojelu",
            "security_liaison",
            "sanna",
            "Suojelupoliisi",
        ),
    ] {
        let mut add = Command::new(bin)
            .args([
                "users",
                "add",
                "--data-dir",
                dir,
                "--name",
                name,
                "--role",
                role,
                "--organisation",
                organisation,
                "--username",
                username,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        add.stdin
            .take()
            .unwrap()
            .write_all(b"browser journeys password\n")
            .unwrap();
        assert!(add.wait_with_output().unwrap().status.success());
    }

    // A register's system that reports events to the monitoring (a token of its own).
    let feed = Command::new(bin)
        .args([
            "users",
            "add",
            "--data-dir",
            dir,
            "--name",
            "Väestötietojärjestelmä",
            "--role",
            "register_feed",
            "--organisation",
            "Digi- ja väestötietovirasto",
        ])
        .output()
        .unwrap();
    assert!(
        feed.status.success(),
        "{}",
        String::from_utf8_lossy(&feed.stderr)
    );
    let feed_user = String::from_utf8_lossy(&feed.stdout).trim().to_owned();
    let token = Command::new(bin)
        .args(["tokens", "create", "--user", &feed_user, "--data-dir", dir])
        .output()
        .unwrap();
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let feed_token = String::from_utf8_lossy(&token.stdout).trim().to_owned();

    let addr: SocketAddr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // The demo streams the population's applications: referred ones fill the queue.
    let mut server = Command::new(bin)
        .args([
            "serve",
            "--demo",
            "--data-dir",
            dir,
            "--listen",
            &addr.to_string(),
            "--persons",
            "400",
            "--rate",
            "20",
            "--latency-ms",
            "1",
            "--failure-rate",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let pop = Population::generate(2026, 400);
    let p = applicant(&pop);
    let typed = pop.application(p);
    let e = &typed["application"]["employment"];
    let answers = serde_json::json!({
        "application.employment.employer_id": e["employer_id"],
        "application.employment.occupational_field": e["occupational_field"],
    });
    let out_dir = repo().join("target/browser");
    let run = Command::new("node")
        .arg(repo().join("tests/browser/journeys.mjs"))
        .env("BASE", format!("http://{addr}"))
        .env("PERSON", person_id(p.index))
        .env("PERSON_NAME", {
            let n = registered_name(&pop, p, System::Population);
            format!("{} {}", n.given, n.family)
        })
        .env("ANSWERS", answers.to_string())
        .env("HANDLER_USER", "hanna")
        .env("HANDLER_PASSWORD", "browser journeys password")
        .env("LEGAL_USER", "lauri")
        .env("LEGAL_PASSWORD", "browser journeys password")
        .env("ANALYST_USER", "anna")
        .env("ANALYST_PASSWORD", "browser journeys password")
        .env("INSPECTOR_USER", "tiina")
        .env("INSPECTOR_PASSWORD", "browser journeys password")
        .env("AUDITOR_USER", "aila")
        .env("AUDITOR_PASSWORD", "browser journeys password")
        .env("LIAISON_USER", "sanna")
        .env("LIAISON_PASSWORD", "browser journeys password")
        .env("EMPLOYER", e["employer_id"].as_str().unwrap())
        .env("PAYER", person_id(payer(&pop, p).index))
        .env("FEED_TOKEN", &feed_token)
        .env("OUT_DIR", &out_dir)
        .env("CHROMIUM", chromium())
        .output()
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for shot in [
        "applicant-automatic-decision.png",
        "handler-decided.png",
        "dashboard.png",
        "rule-proposal-backtest.png",
        "rule-change-dashboard.png",
        "monitoring-alert-confirmed.png",
        "holder-reexamination.png",
    ] {
        assert!(out_dir.join(shot).exists(), "no screenshot {shot}");
    }
}
