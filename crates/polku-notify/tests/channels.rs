//! The channels over real transports: email to a real SMTP server on loopback (aiosmtpd,
//! from PyPI: `.ci/run` installs it), to the outbox folder of the embedded defaults, and the
//! messages service's REST client against its simulator.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use polku_notify::{
    EmailAddress, FolderMailer, Letter, Mailer, MessagesClient, MessagesService, Outgoing,
    SendError, SmtpMailer,
};
use polku_rules::Lang;
use polku_simulators::MessagesSimulator;
use uuid::Uuid;

fn outgoing(person: &str) -> Outgoing {
    Outgoing {
        id: Uuid::now_v7(),
        person: person.to_owned(),
        letter: Letter {
            subject: "Hakemukseesi on tehty päätös".into(),
            body: "Hakemukseesi (Työntekijän jatkolupa, jätetty 3.12.2026) on tehty päätös.\n\nMaahanmuuttovirasto".into(),
        },
        language: Lang::Fi,
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// aiosmtpd writing what it receives into a Maildir; stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts aiosmtpd into `maildir`, or says why the test cannot run (a failure where
/// `POLKU_REQUIRE_SMTP` is set, as in `.ci/run`).
fn smtp_server(maildir: &Path) -> Option<SmtpServer> {
    let required = std::env::var_os("POLKU_REQUIRE_SMTP").is_some_and(|v| !v.is_empty());
    let has = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            !required,
            "POLKU_REQUIRE_SMTP is set but python3 has no aiosmtpd: pip install aiosmtpd"
        );
        eprintln!("skipped: no aiosmtpd (pip install aiosmtpd) for a real SMTP server");
        return None;
    }
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 starts");
    let server = SmtpServer { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(server)
}

fn mails_in(maildir: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(maildir.join("new")) else {
        return vec![];
    };
    dir.map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect()
}

#[tokio::test]
async fn an_email_reaches_a_real_smtp_server_whole() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let Some(server) = smtp_server(&maildir) else {
        return;
    };
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{}", server.port),
        "Maahanmuuttovirasto <noreply@migri.example>",
    )
    .unwrap();
    let to = EmailAddress::parse("aino@example.fi").unwrap();
    let m = outgoing("sim-0000013");
    let id = mailer.send(&to, &m).await.unwrap();
    assert_eq!(id, format!("<{}@migri.example>", m.id));

    let started = Instant::now();
    let mails = loop {
        let mails = mails_in(&maildir);
        if !mails.is_empty() || started.elapsed() > Duration::from_secs(10) {
            break mails;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: aino@example.fi"), "{mail}");
    assert!(mail.contains("From: Maahanmuuttovirasto <noreply@migri.example>"));
    assert!(mail.contains("Auto-Submitted: auto-generated"));
    assert!(mail.contains("Content-Language: fi"));
    assert!(mail.contains(&format!("Message-ID: <{}@migri.example>", m.id)));
    // The subject is encoded (RFC 2047) and the body carried whole in UTF-8.
    assert!(
        mail.contains("Subject: Hakemukseesi on tehty =?utf-8?"),
        "{mail}"
    );
    assert!(mail.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(mail.contains("Ty=C3=B6ntekij=C3=A4n jatkolupa"), "{mail}");
}

#[tokio::test]
async fn a_relay_that_is_down_is_a_transient_failure() {
    let port = free_port();
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Polku <noreply@migri.example>",
    )
    .unwrap();
    let to = EmailAddress::parse("aino@example.fi").unwrap();
    assert!(matches!(
        mailer.send(&to, &outgoing("p")).await,
        Err(SendError::Transient(_))
    ));
    for bad in ["http://relay:25", "smtp://", "smtp://relay:port"] {
        assert!(
            SmtpMailer::new(bad, "Polku <noreply@migri.example>").is_err(),
            "{bad}"
        );
    }
    assert!(SmtpMailer::new("smtp://relay", "not an address").is_err());
}

#[tokio::test]
async fn the_outbox_folder_holds_each_email_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mailer =
        FolderMailer::new(&dir.path().join("outbox"), "Polku <noreply@migri.example>").unwrap();
    let to = EmailAddress::parse("aino@example.fi").unwrap();
    let id = mailer.send(&to, &outgoing("p")).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(mailer.dir()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("To: aino@example.fi"));
    assert!(id.starts_with("file:") && id.ends_with(".eml"), "{id}");
}

/// The simulator on loopback, and a client with its credentials.
async fn messages() -> (MessagesSimulator, MessagesClient) {
    let sim = MessagesSimulator::new("polku", "s3cret");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = polku_simulators::messages_service::router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = MessagesClient::new(&format!("http://{addr}"), "polku", "s3cret", "migri-polku");
    (sim, client)
}

/// A person of the simulated population with a mailbox, and one without.
fn persons() -> (String, String) {
    let mut with = None;
    let mut without = None;
    for i in 0..100 {
        let p = format!("sim-{i:07}");
        if MessagesSimulator::has_mailbox(&p) {
            with.get_or_insert(p);
        } else {
            without.get_or_insert(p);
        }
    }
    (with.unwrap(), without.unwrap())
}

#[tokio::test]
async fn a_message_reaches_the_messages_service_once_however_often_it_is_sent() {
    let (sim, client) = messages().await;
    let (with, without) = persons();
    let m = outgoing(&with);
    let id = client.send(&m).await.unwrap();
    assert_eq!(id, "1");
    // A retry whose first answer was lost: the service knows the external id.
    assert_eq!(client.send(&m).await.unwrap(), format!("external:{}", m.id));
    let got = sim.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].recipient, with);
    assert_eq!(got[0].service_id, "migri-polku");
    assert_eq!(got[0].external_id, m.id.to_string());
    assert_eq!(got[0].title, "Hakemukseesi on tehty päätös");

    assert_eq!(
        client.send(&outgoing(&without)).await,
        Err(SendError::NoMailbox)
    );

    // An expired token is renewed once; a service that is down is a transient failure.
    sim.expire_tokens();
    client.send(&outgoing(&with)).await.unwrap();
    sim.outage(1);
    assert!(matches!(
        client.send(&outgoing(&with)).await,
        Err(SendError::Transient(_))
    ));
    assert_eq!(sim.received().len(), 2);
}

#[tokio::test]
async fn wrong_credentials_are_refused_for_good() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router =
        polku_simulators::messages_service::router(MessagesSimulator::new("polku", "right"));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = MessagesClient::new(&format!("http://{addr}"), "polku", "wrong", "migri-polku");
    let (with, _) = persons();
    assert!(matches!(
        client.send(&outgoing(&with)).await,
        Err(SendError::Refused(_))
    ));
}
