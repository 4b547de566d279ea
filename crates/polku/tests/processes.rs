//! Two `polku serve` processes on one database, and a server killed mid-stream: the
//! guarantees that hold across processes, not only across tasks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_polku")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn polku(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .current_dir(repo())
        .output()
        .expect("polku runs")
}

/// `--database-url` for a fresh PostgreSQL schema named after `tag`, or `None` when
/// PostgreSQL is not configured.
fn postgres_url(tag: &str) -> Option<String> {
    let base = std::env::var("POLKU_TEST_DATABASE_URL").ok()?;
    // A database of its own would need CREATE DATABASE rights; a schema is enough here:
    // `options=-csearch_path=…` makes every connection of every process use it.
    let schema = schema_name(tag);
    let sep = if base.contains('?') { '&' } else { '?' };
    let psql = Command::new("psql")
        .args([
            base.as_str(),
            "-qc",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
        ])
        .output();
    match psql {
        Ok(o) if o.status.success() => Some(format!("{base}{sep}options=-csearch_path%3D{schema}")),
        _ => {
            eprintln!("psql is not available: cross-process PostgreSQL test skipped");
            None
        }
    }
}

fn schema_name(tag: &str) -> String {
    format!("polku_proc_{tag}_{}", std::process::id())
}

/// Drops the schema `postgres_url(tag)` made.
fn drop_schema(tag: &str) {
    if let Ok(base) = std::env::var("POLKU_TEST_DATABASE_URL") {
        let _ = Command::new("psql")
            .args([
                base.as_str(),
                "-qc",
                &format!("DROP SCHEMA IF EXISTS {} CASCADE", schema_name(tag)),
            ])
            .output();
    }
}

/// A free port on loopback.
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// `polku serve` on `store` (`["--data-dir", …]` or `["--database-url", …]`), with a
/// one-second job lease so that a killed process's jobs are taken over quickly.
fn start_server(store: &[&str], addr: SocketAddr) -> Child {
    let child = Command::new(bin())
        .arg("serve")
        .args(store)
        .args([
            "--listen",
            &addr.to_string(),
            "--workers",
            "2",
            "--job-lease",
            "1",
        ])
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One HTTP/1.1 request; returns the status and body, or None if the connection broke.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    Some((status, body))
}

/// Streams submissions at a server on `store` while it is killed (SIGKILL: no chance to
/// finish anything) and started again: every acknowledged case exists and is decided once.
fn kill_mid_stream(store: &[&str]) {
    let token = applicant_token(store);
    let body = submission_body();
    let addr = free_port();
    let mut server = start_server(store, addr);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stream = {
        let (stop, token, body) = (stop.clone(), token.clone(), body.clone());
        std::thread::spawn(move || {
            let (mut acknowledged, mut broken) = (Vec::new(), 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match http(addr, "POST", "/api/v1/applications", &token, &body) {
                    Some((201, reply)) => {
                        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
                        acknowledged.push(v["case_id"].as_str().unwrap().to_owned());
                    }
                    _ => {
                        broken += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
            (acknowledged, broken)
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    server.kill().unwrap();
    server.wait().unwrap();
    let before_restart = Instant::now();
    server = start_server(store, addr);
    eprintln!("restarted in {:?}", before_restart.elapsed());
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (acknowledged, broken) = stream.join().unwrap();
    eprintln!(
        "{} acknowledged, {broken} refused while down",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() >= 20,
        "only {} acknowledged",
        acknowledged.len()
    );
    // Every acknowledged case exists and reaches exactly one decision.
    let start = Instant::now();
    for id in &acknowledged {
        loop {
            let (status, reply) =
                http(addr, "GET", &format!("/api/v1/cases/{id}"), &token, "").unwrap();
            assert_eq!(status, 200, "case {id}: {reply}");
            let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
            if v["state"] == "decided" {
                assert_eq!(v["decisions"].as_array().unwrap().len(), 1, "case {id}");
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "case {id} not decided: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let mut verify = vec!["audit", "verify"];
    verify.extend_from_slice(store);
    let verify = polku(&verify);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn a_server_killed_mid_stream_loses_no_acknowledged_submission_and_decides_each_once() {
    let data = tempfile::tempdir().unwrap();
    kill_mid_stream(&["--data-dir", data.path().to_str().unwrap()]);
}

#[test]
#[cfg_attr(
    not(polku_pg_tests),
    ignore = "POLKU_TEST_DATABASE_URL was not set when the tests were built"
)]
fn a_server_on_postgresql_killed_mid_stream_loses_nothing_and_decides_each_once() {
    let url = postgres_url("crash").expect("POLKU_TEST_DATABASE_URL and psql");
    // The data directory holds the audit anchors' key and file.
    let data = tempfile::tempdir().unwrap();
    kill_mid_stream(&[
        "--database-url",
        &url,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    drop_schema("crash");
}

/// Adds an applicant and returns a token for them.
fn applicant_token(store: &[&str]) -> String {
    user_token(
        store,
        &[
            "--name",
            "Aino",
            "--role",
            "applicant",
            "--person",
            WALK_THROUGH_PERSON,
        ],
    )
}

/// Adds a user (`polku users add` with `who`) and returns a new token of theirs.
fn user_token(store: &[&str], who: &[&str]) -> String {
    let mut add = vec!["users", "add"];
    add.extend_from_slice(who);
    add.extend_from_slice(store);
    let user = polku(&add);
    assert!(
        user.status.success(),
        "{}",
        String::from_utf8_lossy(&user.stderr)
    );
    let user = String::from_utf8_lossy(&user.stdout).trim().to_owned();
    let mut create = vec!["tokens", "create", "--user", &user];
    create.extend_from_slice(store);
    String::from_utf8_lossy(&polku(&create).stdout)
        .trim()
        .to_owned()
}

/// The walk-through's applicant: a synthetic person whose registers support the extension.
const WALK_THROUGH_PERSON: &str = "sim-0000013";

/// What the walk-through's applicant sends.
fn submission_body() -> String {
    std::fs::read_to_string(repo().join("examples/employed-extension.submission.json")).unwrap()
}

#[test]
#[cfg_attr(
    not(polku_pg_tests),
    ignore = "POLKU_TEST_DATABASE_URL was not set when the tests were built"
)]
fn two_servers_on_one_postgresql_never_decide_a_case_twice() {
    let url = postgres_url("two").expect("POLKU_TEST_DATABASE_URL and psql");
    // One directory for the audit anchors' key and file, as two servers on one host share.
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let store = ["--database-url", url.as_str(), "--data-dir", dir];
    let token = applicant_token(&store);
    let body = submission_body();
    // Two instances behind an imagined load balancer: submissions alternate between them,
    // and both run pipeline workers on the one job queue.
    let addrs = [free_port(), free_port()];
    let mut servers: Vec<Child> = addrs.iter().map(|a| start_server(&store, *a)).collect();
    let n = 60;
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, reply) =
            http(addrs[i % 2], "POST", "/api/v1/applications", &token, &body).unwrap();
        assert_eq!(status, 201, "{reply}");
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        ids.push(v["case_id"].as_str().unwrap().to_owned());
    }
    let start = Instant::now();
    for id in &ids {
        loop {
            let (status, reply) =
                http(addrs[1], "GET", &format!("/api/v1/cases/{id}"), &token, "").unwrap();
            assert_eq!(status, 200, "{reply}");
            let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
            if v["state"] == "decided" {
                assert_eq!(
                    v["decisions"].as_array().unwrap().len(),
                    1,
                    "case {id}: {v}"
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "case {id} not decided: {v}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    for s in &mut servers {
        s.kill().unwrap();
        s.wait().unwrap();
    }
    // The chain both processes appended to is whole.
    let verify = polku(&["audit", "verify", "--database-url", &url, "--data-dir", dir]);
    let out = String::from_utf8_lossy(&verify.stdout).into_owned();
    assert!(verify.status.success(), "{out}");
    // Both started on one new key and signed into one file (killed, neither signed at
    // the end): every anchor holds.
    assert!(
        out.lines().nth(1).is_some_and(
            |l| l.contains("signed anchors verified") || l.starts_with("no signed anchors")
        ),
        "{out}"
    );
    drop_schema("two");
}

#[test]
fn the_demo_runs_a_country_and_prints_its_key_figures() {
    let out = polku(&[
        "demo",
        "--persons",
        "2000",
        "--rate",
        "100",
        "--duration",
        "3s",
        "--latency-ms",
        "2",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("population: 2000 persons"), "{text}");
    for line in [
        "decided within 10 minutes of submission",
        "permits granted fully automatically",
        "citizenships granted fully automatically",
        "fi.residence-permit.employed.extension",
        "why the machine handed cases to a person",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
}

#[test]
fn polku_registers_serve_answers_over_the_exchange_protocol() {
    let addr = free_port();
    let mut server = Command::new(bin())
        .args([
            "registers",
            "serve",
            "--listen",
            &addr.to_string(),
            "--persons",
            "100",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // It prints the credential it issued to Polku's client.
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let token = first.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        first.starts_with("access for FI-SIM/GOV/sim-migri/polku:")
            && token.starts_with("polku_r_"),
        "{first}"
    );
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let get = |headers: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /r1/FI-SIM/GOV/sim-dvv/vtj/person/sim-0000007 HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let headers = "X-Road-Client: FI-SIM/GOV/sim-migri/polku\r\nX-Road-Id: m-1\r\nX-Road-UserId: test\r\nX-Road-Issue: c-1\r\n";
    let reply = get(&format!("Authorization: Bearer {token}\r\n{headers}"));
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.to_ascii_lowercase().contains("x-road-id: m-1"),
        "{reply}"
    );
    assert!(reply.contains("\"date_of_birth\""), "{reply}");
    assert!(
        get(headers).starts_with("HTTP/1.1 401"),
        "the headers alone prove nothing"
    );
    assert!(
        get("").starts_with("HTTP/1.1 400"),
        "the exchange headers are required"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn an_unknown_path_is_a_page_for_people_and_a_problem_for_programs() {
    let data = tempfile::tempdir().unwrap();
    let addr = free_port();
    let mut server = start_server(&["--data-dir", data.path().to_str().unwrap()], addr);
    let raw = |path: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nCookie: polku_lang=en\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.to_ascii_lowercase()
    };
    let page = raw("/no-such-page");
    assert!(page.starts_with("http/1.1 404"), "{page}");
    assert!(page.contains("content-type: text/html"), "{page}");
    assert!(page.contains("there is no such page"), "{page}");
    let problem = raw("/api/v1/no-such-resource");
    assert!(problem.starts_with("http/1.1 404"), "{problem}");
    assert!(
        problem.contains("content-type: application/problem+json"),
        "{problem}"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Copies the rule files under `from` into `to`, with `edit` applied to every text.
fn copy_rules(from: &std::path::Path, to: &std::path::Path, edit: &dyn Fn(&str) -> String) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_rules(&path, &target, edit);
        } else {
            std::fs::write(&target, edit(&std::fs::read_to_string(&path).unwrap())).unwrap();
        }
    }
}

#[test]
fn a_server_refuses_to_start_when_an_approved_rule_change_no_longer_loads() {
    let data = tempfile::tempdir().unwrap();
    // A change approved under today's rule files …
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proposal = runtime.block_on(async {
        let store = polku_cases::Cases::open_data_dir(data.path())
            .await
            .unwrap();
        let book = polku_rules::RuleBook::load_dir(&repo().join("rules")).unwrap();
        let matter = "fi.residence-permit.employed.extension";
        let text = book.text_of(matter).unwrap().0.to_owned();
        let admin = polku_rule_admin::RuleAdmin::new(store.clone());
        let access = polku_access::Access::new(store.db().clone());
        let live = admin.live_rules(std::sync::Arc::new(book));
        let mut officials = Vec::new();
        for (name, role) in [
            ("Hanna", polku_access::Role::CaseHandler),
            ("Liisa", polku_access::Role::LegalOfficer),
        ] {
            let id = access
                .add_user(name, role, Some("Maahanmuuttovirasto"), None)
                .await
                .unwrap();
            officials.push(access.principal_of(id).await.unwrap().unwrap());
        }
        // Tomorrow in Finland, as the server counts days (UTC differs from 22:00 to midnight).
        let from = polku_cases::today_in_finland().tomorrow().unwrap();
        let p = admin
            .propose_rules(
                &polku_rule_admin::NewProposal {
                    rule_set: matter.to_owned(),
                    base: None,
                    text: text.replace(
                        "      2025-04-01: 1600\n",
                        &format!("      2025-04-01: 1600\n      {from}: 2000\n"),
                    ),
                    tests_text: None,
                    summary: "Minimum pay rises.".to_owned(),
                    effective_from: from.to_string(),
                },
                &officials[0],
                &live,
            )
            .await
            .unwrap();
        admin
            .approve_proposal(p.id, &officials[1], "", &live)
            .await
            .unwrap();
        store.close().await;
        p.id
    });
    // … and a new set of rule files in which a shared condition it uses was renamed.
    let rules = data.path().join("new-rules");
    copy_rules(&repo().join("rules"), &rules, &|t| {
        t.replace("identity-established", "identity-confirmed")
    });
    let mut server = Command::new(bin())
        .args(["serve", "--data-dir", data.path().to_str().unwrap()])
        .args(["--rules", rules.to_str().unwrap(), "--listen"])
        .arg(free_port().to_string())
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            server.kill().unwrap();
            panic!("the server started: it must not decide under other rules than approved");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success());
    assert!(
        stderr.contains(&proposal.to_string()) && stderr.contains("no longer loads"),
        "the error names the proposal: {stderr}"
    );
}

/// The README's walk-through on a plain `polku serve`: the applicant sends only what they
/// can tell, and the decision rests on what the built-in registers answered over X-Road.
#[test]
fn a_plain_serve_decides_the_walk_through_from_register_evidence() {
    let data = tempfile::tempdir().unwrap();
    let store = ["--data-dir", data.path().to_str().unwrap()];
    let token = applicant_token(&store);
    let addr = free_port();
    let mut server = start_server(&store, addr);
    let (status, reply) = http(
        addr,
        "POST",
        "/api/v1/applications",
        &token,
        &submission_body(),
    )
    .unwrap();
    assert_eq!(status, 201, "{reply}");
    let id = serde_json::from_str::<serde_json::Value>(&reply).unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = Instant::now();
    let case = loop {
        let (_, reply) = http(
            addr,
            "GET",
            &format!("/api/v1/cases/{id}?lang=en"),
            &token,
            "",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        if v["state"] != "received" && v["state"] != "gathering_evidence" {
            break v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not decided: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(case["state"], "decided", "{case}");
    assert_eq!(case["decisions"][0]["outcome"], "grant", "{case}");
    let text = case.to_string();
    for register in [
        "Incomes Register",
        "Trade Register",
        "Population Information System",
    ] {
        assert!(text.contains(register), "no {register} in {text}");
    }
    // An applicant who writes the registers' answers into the submission is refused.
    let typed = std::fs::read_to_string(repo().join("examples/employed-extension.json")).unwrap();
    let body = format!(
        "{{\"matter\": \"fi.residence-permit.employed.extension\", \"application\": {typed}}}"
    );
    let (status, reply) = http(addr, "POST", "/api/v1/applications", &token, &body).unwrap();
    assert_eq!(status, 422, "{reply}");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Metrics are an operator's, on an address of their own; every public answer carries the
/// security headers.
#[test]
fn metrics_stay_off_the_public_port_and_every_answer_has_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let (public, operator) = (free_port(), free_port());
    let operator_arg = operator.to_string();
    let mut server = start_server(
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--operator-listen",
            &operator_arg,
        ],
        public,
    );
    let get = |addr: SocketAddr, path: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.to_ascii_lowercase()
    };
    let start = Instant::now();
    while TcpStream::connect(operator).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no operator port"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(get(public, "/metrics").starts_with("http/1.1 404"));
    let metrics = get(operator, "/metrics");
    assert!(metrics.starts_with("http/1.1 200"), "{metrics}");
    for path in ["/", "/api/v1/openapi.json", "/api/v1/cases", "/healthz"] {
        let answer = get(public, path);
        for header in [
            "content-security-policy: default-src 'self'",
            "x-content-type-options: nosniff",
            "referrer-policy: no-referrer",
            "cache-control: no-store",
        ] {
            assert!(answer.contains(header), "{path}: no {header} in {answer}");
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A token for a new user of `role` at the Immigration Service (or a register's system).
fn role_token(store: &[&str], name: &str, role: &str) -> String {
    user_token(
        store,
        &[
            "--name",
            name,
            "--role",
            role,
            "--organisation",
            "Maahanmuuttovirasto",
        ],
    )
}

/// Monitoring on a plain `polku serve`: the Incomes Register reports two months of pay
/// below the minimum before the walk-through's permit exists; the events are kept, and once
/// the permit is granted the server starts watching it on its own, applies them, and a
/// handler finds one alert.
#[test]
fn a_served_grant_is_watched_and_the_events_kept_for_it_open_an_alert() {
    let data = tempfile::tempdir().unwrap();
    let store = ["--data-dir", data.path().to_str().unwrap()];
    let applicant = applicant_token(&store);
    let handler = role_token(&store, "Hanna", "case_handler");
    let feed = role_token(&store, "Tulorekisteri", "register_feed");
    let addr = free_port();
    let mut server = start_server(&store, addr);
    let today = polku_cases::today_in_finland();
    let pay = |id: &str, back: i64| {
        let month = today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(back))
            .unwrap();
        serde_json::json!({"id": id, "occurred_on": today.to_string(), "kind": "pay_report",
            "person": WALK_THROUGH_PERSON, "month": month.to_string(), "gross_pay_eur": 1500,
            "employer_id": "9000859-0"})
    };
    let events = serde_json::json!({"events": [pay("ir-1", 2), pay("ir-2", 1)]}).to_string();
    let (status, reply) = http(addr, "POST", "/api/v1/monitoring/events", &feed, &events).unwrap();
    assert_eq!(status, 200, "{reply}");
    let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply["kept_for_later"], 2, "{reply}");

    let (status, reply) = http(
        addr,
        "POST",
        "/api/v1/applications",
        &applicant,
        &submission_body(),
    )
    .unwrap();
    assert_eq!(status, 201, "{reply}");
    let start = Instant::now();
    loop {
        let (status, reply) = http(addr, "GET", "/api/v1/monitoring/alerts", &handler, "").unwrap();
        assert_eq!(status, 200, "{reply}");
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        if let Some(alert) = v["items"].as_array().and_then(|a| a.first()) {
            assert_eq!(alert["person"], WALK_THROUGH_PERSON);
            assert_eq!(alert["condition"], "pay-not-below-minimum-two-months");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no alert: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

/// aiosmtpd on `port` writing into `maildir`, if python3 has it (a failure where
/// `POLKU_REQUIRE_SMTP` is set, as in `.ci/run`); stopped when dropped.
struct Smtp(Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn smtp_server(maildir: &std::path::Path) -> Option<(Smtp, u16)> {
    let has = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var_os("POLKU_REQUIRE_SMTP").is_none_or(|v| v.is_empty()),
            "POLKU_REQUIRE_SMTP is set but python3 has no aiosmtpd"
        );
        eprintln!("skipped: no aiosmtpd for a real SMTP server (pip install aiosmtpd)");
        return None;
    }
    let port = free_port().port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Smtp(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((server, port))
}

/// The applicant chooses email in Swedish over the API; `polku serve` decides the
/// walk-through and the notification reaches a real SMTP server, once, in Swedish, and the
/// case's sending log says so.
#[test]
fn a_served_decision_is_told_by_email_through_a_real_smtp_relay() {
    let data = tempfile::tempdir().unwrap();
    let maildir = data.path().join("mail");
    let Some((_smtp, smtp_port)) = smtp_server(&maildir) else {
        return;
    };
    let store = ["--data-dir", data.path().to_str().unwrap()];
    let token = applicant_token(&store);
    let addr = free_port();
    let mut server = Command::new(bin())
        .arg("serve")
        .args(store)
        .args(["--listen", &addr.to_string(), "--workers", "1"])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp_port}")])
        .args(["--public-url", "https://polku.example"])
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let choice = r#"{"channel": "email", "email": "aino@example.fi", "language": "sv"}"#;
    let (status, reply) = http(addr, "PUT", "/api/v1/me/contact", &token, choice).unwrap();
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = http(
        addr,
        "POST",
        "/api/v1/applications",
        &token,
        &submission_body(),
    )
    .unwrap();
    assert_eq!(status, 201, "{reply}");
    let id = serde_json::from_str::<serde_json::Value>(&reply).unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("/api/v1/cases/{id}/notifications");
    let start = Instant::now();
    let sent = loop {
        let (_, reply) = http(addr, "GET", &uri, &token, "").unwrap();
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        if v[0]["state"] == "sent" {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "not told: {v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(sent.as_array().unwrap().len(), 1, "{sent}");
    assert_eq!(sent[0]["kind"], "decided");
    assert_eq!(sent[0]["channel"], "email");
    assert_eq!(sent[0]["address"], "aino@example.fi");
    let start = Instant::now();
    let mails = loop {
        let mails: Vec<String> = std::fs::read_dir(maildir.join("new"))
            .map(|d| {
                d.map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        if !mails.is_empty() || start.elapsed() > Duration::from_secs(10) {
            break mails;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: aino@example.fi"), "{}", mails[0]);
    assert!(mails[0].contains("Content-Language: sv"));
    assert!(mails[0].contains(&format!("https://polku.example/my/cases/{id}")));
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A fee-bearing matter filed over the API on a plain `polku serve`: nothing is filed until
/// the fee is paid at the built-in provider; its callback files the application.
#[test]
fn a_served_api_filing_waits_for_its_fee_and_the_providers_callback_files_it() {
    let data = tempfile::tempdir().unwrap();
    let store = ["--data-dir", data.path().to_str().unwrap()];
    let token = applicant_token(&store);
    let addr = free_port();
    let mut server = start_server(&store, addr);
    let body = r#"{"matter": "fi.residence-permit.permanent", "application": {}}"#;
    let (status, reply) = http(addr, "POST", "/api/v1/applications", &token, body).unwrap();
    assert_eq!(status, 202, "{reply}");
    let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(v["amount_eur"], 380);
    let pay_at = v["pay_at"].as_str().unwrap().to_owned();
    let href = v["href"].as_str().unwrap().to_owned();
    let path = pay_at
        .strip_prefix(&format!("http://{addr}"))
        .unwrap_or_else(|| panic!("paid on this server's own address: {pay_at}"))
        .to_owned();
    // The applicant presses "Pay" on the provider's page.
    let form = "action=pay";
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    let start = Instant::now();
    let paid = loop {
        let (_, reply) = http(addr, "GET", &href, &token, "").unwrap();
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        if v["state"] == "paid" {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "not paid: {v}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let case = paid["case_id"].as_str().unwrap();
    let (status, reply) = http(addr, "GET", &format!("/api/v1/cases/{case}"), &token, "").unwrap();
    assert_eq!(status, 200, "{reply}");
    server.kill().unwrap();
    server.wait().unwrap();
}
