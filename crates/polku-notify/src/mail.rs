//! Email over SMTP, to the authority's relay on its own network (ADR 0014: the relay
//! carries mail on with TLS; Polku speaks plain SMTP to it, as it speaks plain HTTP to the
//! exchange layer's security server).

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};

use crate::preferences::EmailAddress;
use crate::{Outgoing, SendError, SendFuture};

/// A channel that sends email; the message's id on success.
pub trait Mailer: Send + Sync {
    fn send<'a>(&'a self, to: &'a EmailAddress, message: &'a Outgoing) -> SendFuture<'a>;
}

/// Sends through an SMTP relay.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of the Message-ID (the sender's).
    domain: String,
}

impl SmtpMailer {
    /// `relay`: `smtp://host:port` (port 25 if none); `from`: the sender, e.g.
    /// `Maahanmuuttovirasto <noreply@migri.example>`.
    pub fn new(relay: &str, from: &str) -> Result<SmtpMailer, String> {
        let rest = relay
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("the SMTP relay `{relay}` is not an smtp://host:port address"))?
            .trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("the SMTP relay's port `{p}` is not a port number"))?,
            ),
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(format!("the SMTP relay `{relay}` names no host"));
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("the sender `{from}` is not an email address: {e}"))?;
        let domain = from.email.domain().to_owned();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(15)))
            .build();
        Ok(SmtpMailer {
            transport,
            from,
            domain,
        })
    }
}

/// The email for `m` to `to`, from `from`.
fn build(
    from: &Mailbox,
    domain: &str,
    to: &EmailAddress,
    m: &Outgoing,
) -> Result<Message, SendError> {
    let to: Mailbox = to
        .as_str()
        .parse()
        .map_err(|e| SendError::Refused(format!("the address: {e}")))?;
    let header = |name: &'static str, value: &str| {
        HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.letter.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", m.id)))
        // An automatic message (RFC 3834): no out-of-office replies to it.
        .raw_header(header("Auto-Submitted", "auto-generated"))
        .raw_header(header("Content-Language", m.language.code()))
        .header(ContentType::TEXT_PLAIN)
        .body(m.letter.body.clone())
        .map_err(|e| SendError::Refused(e.to_string()))
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, to: &'a EmailAddress, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let email = build(&self.from, &self.domain, to, message)?;
            match self.transport.send(email).await {
                Ok(_) => Ok(format!("<{}@{}>", message.id, self.domain)),
                Err(e) if e.is_permanent() => Err(SendError::Refused(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            }
        })
    }
}

/// Writes each email as a file (`<id>.eml`) into a folder instead of sending it: what
/// `polku serve` does on its embedded defaults, when no relay is named, so the notifications
/// can be read in `polku-data/outbox/` (a mail program opens them).
pub struct FolderMailer {
    transport: lettre::AsyncFileTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
    dir: std::path::PathBuf,
}

impl FolderMailer {
    pub fn new(dir: &std::path::Path, from: &str) -> Result<FolderMailer, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot make the outbox {}: {e}", dir.display()))?;
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("the sender `{from}` is not an email address: {e}"))?;
        Ok(FolderMailer {
            transport: lettre::AsyncFileTransport::new(dir),
            domain: from.email.domain().to_owned(),
            from,
            dir: dir.to_owned(),
        })
    }

    /// Where the emails are written.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

impl Mailer for FolderMailer {
    fn send<'a>(&'a self, to: &'a EmailAddress, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let email = build(&self.from, &self.domain, to, message)?;
            self.transport
                .send(email)
                .await
                .map(|file| format!("file:{file}.eml"))
                .map_err(|e| SendError::Transient(e.to_string()))
        })
    }
}
