//! Telling a person what happened in their case, by the channel and in the language they
//! chose (issue 12, "Being told").
//!
//! The flow: the cases' domain events ([`Notifier::follow_events`]) and the answers' deadlines
//! ([`Notifier::remind_due`]) make **notifications**, each once for its cause → a
//! notification is delivered ([`Notifier::deliver_due`]) through the person's channel: the
//! national messages service ([`MessagesService`]), email ([`Mailer`], over SMTP), or none
//! (the person reads the e-service) → every attempt, sending and skip is in the
//! `notifications` table, the sending log a handler and the person see.
//!
//! A notification says that something happened and where to read it, never what a decision
//! says: email is not a secure channel, and the messages service is read after the person
//! signs in anyway. The texts are typed ([`texts`]): every kind in every language, or it
//! does not compile.

mod error;
mod mail;
mod messages;
mod notifier;
mod preferences;
pub mod texts;

pub use error::{NotifyError, SendError};
pub use mail::{FolderMailer, Mailer, SmtpMailer};
pub use messages::{MessagesClient, MessagesService};
pub use notifier::{
    DeliveryReport, MAX_ATTEMPTS, NOTIFY_PURPOSE, Notification, NotificationState, Notifier,
    REMIND_DAYS_BEFORE, SkipReason,
};
pub use preferences::{Channel, ContactPreference, EmailAddress, PreferenceError};
pub use texts::{Letter, NoticeKind};

/// What a sender hands to a channel: the person, where to, and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The notification's id: the messages service's external id, and the email's
    /// Message-ID, so a retry is recognisable as the same message.
    pub id: uuid::Uuid,
    /// The person (the messages service's recipient).
    pub person: String,
    pub letter: Letter,
    pub language: polku_rules::Lang,
}

/// Boxed future a channel returns (the traits stay object-safe).
pub type SendFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, SendError>> + Send + 'a>>;
