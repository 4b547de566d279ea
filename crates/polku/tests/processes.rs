//! Several `polku` processes on one database, and a server killed mid-stream: the
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

/// `--database-url` for a fresh PostgreSQL schema, or `None` when PostgreSQL is not configured.
fn postgres_url() -> Option<String> {
    let base = std::env::var("POLKU_TEST_DATABASE_URL").ok()?;
    // A database of its own would need CREATE DATABASE rights; a schema is enough here:
    // `options=-csearch_path=…` makes every connection of every process use it.
    let schema = format!("polku_proc_{}", std::process::id());
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

#[test]
fn two_worker_processes_on_one_postgresql_never_decide_a_case_twice() {
    let Some(url) = postgres_url() else {
        eprintln!("POLKU_TEST_DATABASE_URL is not set: PostgreSQL not tested");
        return;
    };
    let n = 40;
    for i in 0..n {
        let out = polku(&[
            "cases",
            "submit",
            "--database-url",
            &url,
            "--matter",
            "fi.residence-permit.employed.extension",
            "--input",
            "examples/employed-extension.json",
            "--date",
            "2025-05-01",
            "--applicant",
            &format!("a-{i}"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let workers: Vec<Child> = (0..2)
        .map(|_| {
            Command::new(bin())
                .args(["cases", "work", "--database-url", &url])
                .current_dir(repo())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut decided = Vec::new();
    for w in workers {
        let out = w.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        decided.extend(
            text.lines()
                .filter(|l| l.contains("\tgrant\t"))
                .map(|l| l.split('\t').next().unwrap().to_owned()),
        );
    }
    let unique: std::collections::BTreeSet<&String> = decided.iter().collect();
    assert_eq!(
        (decided.len(), unique.len()),
        (n, n),
        "every case decided once, by one process"
    );
    let verify = polku(&["audit", "verify", "--database-url", &url]);
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout).trim(),
        format!("audit chain intact: {n} rows")
    );
    if let Ok(base) = std::env::var("POLKU_TEST_DATABASE_URL") {
        let schema = format!("polku_proc_{}", std::process::id());
        let _ = Command::new("psql")
            .args([
                base.as_str(),
                "-qc",
                &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
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

fn start_server(data: &str, addr: SocketAddr) -> Child {
    let child = Command::new(bin())
        .args([
            "serve",
            "--data-dir",
            data,
            "--listen",
            &addr.to_string(),
            "--workers",
            "2",
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

#[test]
fn a_server_killed_mid_stream_loses_no_acknowledged_submission_and_decides_each_once() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let user = polku(&[
        "users",
        "add",
        "--data-dir",
        dir,
        "--name",
        "Aino",
        "--role",
        "applicant",
        "--person",
        "p-1",
    ]);
    let user = String::from_utf8_lossy(&user.stdout).trim().to_owned();
    let token = polku(&["tokens", "create", "--data-dir", dir, "--user", &user]);
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let application =
        std::fs::read_to_string(repo().join("examples/employed-extension.json")).unwrap();
    let body = format!(
        "{{\"matter\": \"fi.residence-permit.employed.extension\", \"application_date\": \"2025-05-01\", \"application\": {application}}}"
    );

    let addr = free_port();
    let mut server = start_server(dir, addr);
    let mut acknowledged = Vec::new();
    for i in 0..60 {
        if i == 30 {
            server.kill().unwrap(); // SIGKILL: no chance to finish anything
            server.wait().unwrap();
            server = start_server(dir, addr);
        }
        if let Some((201, reply)) = http(addr, "POST", "/api/v1/applications", &token, &body) {
            let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
            acknowledged.push(v["case_id"].as_str().unwrap().to_owned());
        }
    }
    assert!(
        acknowledged.len() >= 55,
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
    let verify = polku(&["audit", "verify", "--data-dir", dir]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
