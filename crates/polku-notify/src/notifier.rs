//! The notifier: makes a notification once for each cause, and delivers it through the
//! person's channel, trying again with a growing pause when a channel is down.

use std::sync::Arc;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use polku_cases::{CaseState, Cases, DomainEvent, EventCursor, LiveRules, RequestKind};
use polku_rules::Lang;
use polku_store::{CorruptRow, codec, now_micros};
use sqlx::Row;
use uuid::Uuid;

use crate::Outgoing;
use crate::error::{NotifyError, SendError};
use crate::mail::Mailer;
use crate::messages::MessagesService;
use crate::preferences::{Channel, ContactPreference, EmailAddress};
use crate::texts::{About, NoticeKind, letter};

/// The notifications' columns [`read`] reads, and the rest of the query.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, person, case_id, kind, occurred_at, state, channel, address, language, attempts, sent_at, detail FROM notifications ",
            $rest
        )
    };
}

/// Attempts before a notification is given up (the pauses between them grow from 30 s to an
/// hour: about nine hours in all).
pub const MAX_ATTEMPTS: i64 = 12;

/// A reminder goes this many days before an unanswered request's last day.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// How long an attempt holds a notification before another process may try it (a process
/// that stopped mid-attempt): a message may then go twice, never not at all.
const ATTEMPT_LEASE_MICROS: i64 = 5 * 60 * 1_000_000;

/// The most notifications one delivery round takes.
const ROUND: i64 = 200;

/// What the notifier reads a person's data for (the case and the contact details).
pub const NOTIFY_PURPOSE: &str = "notifying the person of their case";

/// Where a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationState {
    /// Waiting for its (next) attempt.
    Pending,
    Sent,
    /// Not sent, by the person's choice or for want of a channel (`detail` says which).
    Skipped,
    /// Given up (`detail` holds the last error).
    Failed,
}

impl NotificationState {
    pub fn code(self) -> &'static str {
        match self {
            NotificationState::Pending => "pending",
            NotificationState::Sent => "sent",
            NotificationState::Skipped => "skipped",
            NotificationState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<NotificationState> {
        [
            NotificationState::Pending,
            NotificationState::Sent,
            NotificationState::Skipped,
            NotificationState::Failed,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// Why a notification was not sent, as stored in `detail` and told on the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The person chose to follow the e-service only.
    ChoseService,
    /// No mailbox in the messages service, and no email address.
    NoChannel,
}

impl SkipReason {
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::ChoseService => "chose_service",
            SkipReason::NoChannel => "no_channel",
        }
    }

    pub fn parse(s: &str) -> Option<SkipReason> {
        [SkipReason::ChoseService, SkipReason::NoChannel]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// A notification as the sending log holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: Uuid,
    pub person: String,
    pub case_id: Uuid,
    pub kind: NoticeKind,
    /// When its cause happened (microseconds since the Unix epoch).
    pub occurred_at: i64,
    pub state: NotificationState,
    /// The channel it went (or was to go) through, once tried.
    pub channel: Option<Channel>,
    /// The email address, or the person in the messages service.
    pub address: Option<String>,
    pub language: Option<Lang>,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    /// The last error, or why it was skipped.
    pub detail: Option<String>,
}

impl Notification {
    /// Why it was skipped, when it was.
    pub fn skipped_because(&self) -> Option<SkipReason> {
        (self.state == NotificationState::Skipped)
            .then(|| self.detail.as_deref().and_then(SkipReason::parse))
            .flatten()
    }
}

/// What a delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub sent: usize,
    pub skipped: usize,
    /// Failed now, to be tried again.
    pub retrying: usize,
    /// Given up.
    pub failed: usize,
}

impl DeliveryReport {
    pub fn is_empty(&self) -> bool {
        *self == DeliveryReport::default()
    }
}

/// Makes and delivers notifications.
#[derive(Clone)]
pub struct Notifier {
    cases: Cases,
    rules: LiveRules,
    mailer: Option<Arc<dyn Mailer>>,
    messages: Option<Arc<dyn MessagesService>>,
    /// The e-service's address, for the links in the notifications.
    public_url: Arc<str>,
}

impl Notifier {
    pub fn new(cases: Cases, rules: LiveRules, public_url: &str) -> Notifier {
        Notifier {
            cases,
            rules,
            mailer: None,
            messages: None,
            public_url: public_url.trim_end_matches('/').into(),
        }
    }

    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Notifier {
        self.mailer = Some(mailer);
        self
    }

    pub fn with_messages(mut self, messages: Arc<dyn MessagesService>) -> Notifier {
        self.messages = Some(messages);
        self
    }

    /// The person's choice, if they have made one.
    pub async fn preference(&self, person: &str) -> Result<Option<ContactPreference>, NotifyError> {
        let row = sqlx::query(
            "SELECT channel, email, language FROM contact_preferences WHERE person = $1",
        )
        .bind(person)
        .fetch_optional(self.cases.db().pool())
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let corrupt = |column: &'static str, e: String| {
            CorruptRow::new("contact_preferences", person, column, e)
        };
        let channel: String = r.try_get("channel")?;
        let email: Option<String> = r.try_get("email")?;
        let language: String = r.try_get("language")?;
        Ok(Some(ContactPreference {
            channel: channel
                .parse()
                .map_err(|e: crate::PreferenceError| corrupt("channel", e.to_string()))?,
            email: email
                .map(|e| EmailAddress::parse(&e))
                .transpose()
                .map_err(|e| corrupt("email", e.to_string()))?,
            language: language.parse().map_err(|e| corrupt("language", e))?,
        }))
    }

    /// Keeps the person's choice (replacing an earlier one).
    pub async fn set_preference(
        &self,
        person: &str,
        choice: &ContactPreference,
    ) -> Result<(), NotifyError> {
        sqlx::query(
            "INSERT INTO contact_preferences (person, channel, email, language, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (person) DO UPDATE SET channel = excluded.channel, email = excluded.email,
               language = excluded.language, updated_at = excluded.updated_at",
        )
        .bind(person)
        .bind(choice.channel.code())
        .bind(choice.email.as_ref().map(EmailAddress::as_str))
        .bind(choice.language.code())
        .bind(now_micros())
        .execute(self.cases.db().pool())
        .await?;
        tracing::info!(channel = %choice.channel, language = choice.language.code(), "a person chose how to be told");
        Ok(())
    }

    /// Makes a notification for each decision, request for evidence and hearing since the
    /// last call (from the cases' domain events), once each. Returns how many it made.
    pub async fn follow_events(&self) -> Result<usize, NotifyError> {
        let mut made = 0;
        loop {
            let cursor = self.cursor().await?;
            let events = self
                .cases
                .events_after(cursor, polku_cases::MAX_EVENTS_PER_READ)
                .await?;
            let Some(last) = events.last().map(|e| e.cursor) else {
                return Ok(made);
            };
            // Read what the notifications need before writing (SQLite: one writer).
            let mut new = Vec::new();
            for e in &events {
                let DomainEvent::CaseMoved {
                    case, person, to, ..
                } = &e.event
                else {
                    continue;
                };
                let kind = match to {
                    CaseState::Decided => NoticeKind::Decided,
                    CaseState::EvidenceRequested => NoticeKind::EvidenceRequested,
                    CaseState::Hearing => NoticeKind::HearingRequested,
                    _ => continue,
                };
                let request = match kind {
                    NoticeKind::EvidenceRequested | NoticeKind::HearingRequested => {
                        let wanted = if kind == NoticeKind::HearingRequested {
                            RequestKind::Hearing
                        } else {
                            RequestKind::Evidence
                        };
                        self.cases
                            .requests(*case)
                            .await?
                            .into_iter()
                            .rev()
                            .find(|r| r.kind == wanted && r.is_open())
                            .map(|r| r.id)
                    }
                    _ => None,
                };
                new.push(New {
                    person: person.clone(),
                    case: *case,
                    kind,
                    source: format!("event:{}:{}", e.cursor.tx, e.cursor.n),
                    request,
                    occurred_at: e.at,
                });
            }
            let mut tx = self.cases.db().begin_write().await?;
            for n in &new {
                made += insert(&mut tx, n).await?;
            }
            sqlx::query(
                "INSERT INTO notify_cursor (name, tx, n) VALUES ('events', $1, $2)
                 ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, n = excluded.n",
            )
            .bind(last.tx)
            .bind(last.n)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
    }

    async fn cursor(&self) -> Result<EventCursor, NotifyError> {
        let row = sqlx::query("SELECT tx, n FROM notify_cursor WHERE name = 'events'")
            .fetch_optional(self.cases.db().pool())
            .await?;
        Ok(match row {
            Some(r) => EventCursor {
                tx: r.try_get("tx")?,
                n: r.try_get("n")?,
            },
            None => EventCursor::START,
        })
    }

    /// Makes a reminder for each unanswered request whose last day is within
    /// [`REMIND_DAYS_BEFORE`] days of `today`, once per request. Returns how many.
    pub async fn remind_due(&self, today: Date) -> Result<usize, NotifyError> {
        let until = today
            .checked_add(Span::new().days(REMIND_DAYS_BEFORE))
            .unwrap_or(Date::MAX);
        let due = self.cases.unanswered_requests_due(today, until).await?;
        let mut new = Vec::with_capacity(due.len());
        for d in due {
            let case = self.cases.case(d.case).await?;
            new.push(New {
                person: case.applicant_id,
                case: d.case,
                kind: NoticeKind::DeadlineNear,
                source: format!("request:{}:reminder", d.request),
                request: Some(d.request),
                occurred_at: now_micros(),
            });
        }
        if new.is_empty() {
            return Ok(0);
        }
        let mut tx = self.cases.db().begin_write().await?;
        let mut made = 0;
        for n in &new {
            made += insert(&mut tx, n).await?;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Delivers the notifications whose turn it is. A channel that is down is tried again
    /// later; after [`MAX_ATTEMPTS`] the notification is given up and the log says why.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, NotifyError> {
        let now = now_micros();
        let rows = sqlx::query(
            "SELECT id FROM notifications WHERE state = 'pending' AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2",
        )
        .bind(now)
        .bind(ROUND)
        .fetch_all(self.cases.db().pool())
        .await?;
        let mut report = DeliveryReport::default();
        for r in rows {
            let id: String = r.try_get("id")?;
            // Claimed by this process for the attempt's lease, or by another already.
            let claimed = sqlx::query(
                "UPDATE notifications SET attempts = attempts + 1, next_attempt = $1
                 WHERE id = $2 AND state = 'pending' AND next_attempt <= $3",
            )
            .bind(now + ATTEMPT_LEASE_MICROS)
            .bind(&id)
            .bind(now)
            .execute(self.cases.db().pool())
            .await?
            .rows_affected();
            if claimed != 1 {
                continue;
            }
            let Some(n) = self.notification(&id).await? else {
                continue;
            };
            self.attempt(&n, &mut report).await?;
        }
        Ok(report)
    }

    async fn attempt(
        &self,
        n: &Notification,
        report: &mut DeliveryReport,
    ) -> Result<(), NotifyError> {
        let choice = self
            .preference(&n.person)
            .await?
            .unwrap_or(ContactPreference::DEFAULT);
        let lang = choice.language;
        if choice.channel == Channel::Service {
            report.skipped += 1;
            return self.skipped(n, lang, SkipReason::ChoseService).await;
        }
        let outgoing = Outgoing {
            id: n.id,
            person: n.person.clone(),
            letter: self.letter(n, lang).await?,
            language: lang,
        };
        // The messages service first when chosen; email when chosen, or when the person has
        // no mailbox there but gave an address.
        let mut result = Err(SendError::NoMailbox);
        let mut channel = Channel::Messages;
        if choice.channel == Channel::Messages
            && let Some(messages) = &self.messages
        {
            result = messages.send(&outgoing).await;
        }
        if matches!(result, Err(SendError::NoMailbox))
            && let (Some(email), Some(mailer)) = (&choice.email, &self.mailer)
        {
            channel = Channel::Email;
            result = mailer.send(email, &outgoing).await;
        }
        let address = match channel {
            Channel::Email => choice.email.as_ref().map(|e| e.as_str().to_owned()),
            _ => Some(n.person.clone()),
        };
        match result {
            Ok(provider_id) => {
                report.sent += 1;
                sqlx::query(
                    "UPDATE notifications SET state = 'sent', channel = $1, address = $2, language = $3, sent_at = $4, provider_id = $5, detail = NULL WHERE id = $6",
                )
                .bind(channel.code())
                .bind(address)
                .bind(lang.code())
                .bind(now_micros())
                .bind(provider_id)
                .bind(n.id.to_string())
                .execute(self.cases.db().pool())
                .await?;
                tracing::info!(notification = %n.id, case = %n.case_id, kind = n.kind.code(), channel = %channel, "notification sent");
            }
            Err(SendError::NoMailbox) => {
                report.skipped += 1;
                self.skipped(n, lang, SkipReason::NoChannel).await?;
            }
            Err(SendError::Transient(e)) if n.attempts < MAX_ATTEMPTS => {
                report.retrying += 1;
                // 30 s, 1 min, 2 min, … up to an hour.
                let pause = (30_000_000_i64 << (n.attempts - 1).clamp(0, 7)).min(3_600_000_000);
                sqlx::query(
                    "UPDATE notifications SET next_attempt = $1, channel = $2, detail = $3 WHERE id = $4",
                )
                .bind(now_micros() + pause)
                .bind(channel.code())
                .bind(&e)
                .bind(n.id.to_string())
                .execute(self.cases.db().pool())
                .await?;
                tracing::warn!(notification = %n.id, attempt = n.attempts, channel = %channel, error = %e, "notification not sent; trying again later");
            }
            Err(e) => {
                report.failed += 1;
                sqlx::query(
                    "UPDATE notifications SET state = 'failed', channel = $1, address = $2, language = $3, detail = $4 WHERE id = $5",
                )
                .bind(channel.code())
                .bind(address)
                .bind(lang.code())
                .bind(e.to_string())
                .bind(n.id.to_string())
                .execute(self.cases.db().pool())
                .await?;
                tracing::error!(notification = %n.id, case = %n.case_id, channel = %channel, error = %e, "notification given up");
            }
        }
        Ok(())
    }

    async fn skipped(
        &self,
        n: &Notification,
        lang: Lang,
        why: SkipReason,
    ) -> Result<(), NotifyError> {
        sqlx::query(
            "UPDATE notifications SET state = 'skipped', language = $1, detail = $2 WHERE id = $3",
        )
        .bind(lang.code())
        .bind(why.code())
        .bind(n.id.to_string())
        .execute(self.cases.db().pool())
        .await?;
        Ok(())
    }

    /// The words of `n` in `lang`.
    async fn letter(&self, n: &Notification, lang: Lang) -> Result<crate::Letter, NotifyError> {
        let case = self.cases.case(n.case_id).await?;
        let matter = self
            .rules
            .on(case.application_date)
            .get(&case.matter)
            .map_or_else(|| case.matter.clone(), |rs| rs.title.get(lang).to_owned());
        let request_id = self.request_of(n).await?;
        let due = match request_id {
            Some(r) => self
                .cases
                .requests(n.case_id)
                .await?
                .into_iter()
                .find(|q| q.id == r)
                .map(|q| q.due),
            None => None,
        };
        let link = format!("{}/my/cases/{}", self.public_url, n.case_id);
        let at = Timestamp::from_microsecond(n.occurred_at).unwrap_or(Timestamp::UNIX_EPOCH);
        Ok(letter(
            n.kind,
            lang,
            &About {
                matter: &matter,
                filed: case.application_date,
                at,
                due,
                link: &link,
            },
        ))
    }

    async fn request_of(&self, n: &Notification) -> Result<Option<Uuid>, NotifyError> {
        let row = sqlx::query("SELECT request_id FROM notifications WHERE id = $1")
            .bind(n.id.to_string())
            .fetch_one(self.cases.db().pool())
            .await?;
        let id: Option<String> = row.try_get("request_id")?;
        Ok(id
            .map(|r| codec::uuid("notifications", &n.id.to_string(), "request_id", &r))
            .transpose()?)
    }

    async fn notification(&self, id: &str) -> Result<Option<Notification>, NotifyError> {
        let row = sqlx::query(select!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.cases.db().pool())
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// The notifications about a person's cases, newest first.
    pub async fn for_person(
        &self,
        person: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, NotifyError> {
        let rows = sqlx::query(select!(
            "WHERE person = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(person)
        .bind(limit)
        .fetch_all(self.cases.db().pool())
        .await?;
        rows.iter().map(read).collect()
    }

    /// The notifications about a case, oldest first.
    pub async fn for_case(&self, case: Uuid) -> Result<Vec<Notification>, NotifyError> {
        let rows = sqlx::query(select!("WHERE case_id = $1 ORDER BY created_at, id"))
            .bind(case.to_string())
            .fetch_all(self.cases.db().pool())
            .await?;
        rows.iter().map(read).collect()
    }
}

fn read(r: &sqlx::any::AnyRow) -> Result<Notification, NotifyError> {
    let id: String = r.try_get("id")?;
    let corrupt = |column: &'static str, value: &str| {
        CorruptRow::new("notifications", &id, column, format!("`{value}`"))
    };
    let kind: String = r.try_get("kind")?;
    let state: String = r.try_get("state")?;
    let channel: Option<String> = r.try_get("channel")?;
    let language: Option<String> = r.try_get("language")?;
    let case: String = r.try_get("case_id")?;
    Ok(Notification {
        id: codec::id("notifications", &id)?,
        person: r.try_get("person")?,
        case_id: codec::uuid("notifications", &id, "case_id", &case)?,
        kind: NoticeKind::from_code(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        occurred_at: r.try_get("occurred_at")?,
        state: NotificationState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        channel: channel
            .map(|c| c.parse().map_err(|_| corrupt("channel", &c)))
            .transpose()?,
        address: r.try_get("address")?,
        language: language
            .map(|l| l.parse().map_err(|_| corrupt("language", &l)))
            .transpose()?,
        attempts: r.try_get("attempts")?,
        sent_at: r.try_get("sent_at")?,
        detail: r.try_get("detail")?,
    })
}

/// A notification to make.
struct New {
    person: String,
    case: Uuid,
    kind: NoticeKind,
    source: String,
    request: Option<Uuid>,
    occurred_at: i64,
}

/// Inserts `n` unless its cause was told already; 1 if it was new.
async fn insert(tx: &mut polku_store::Tx, n: &New) -> Result<usize, NotifyError> {
    let now = now_micros();
    let done = sqlx::query(
        "INSERT INTO notifications (id, person, case_id, kind, source, request_id, occurred_at, created_at, state, next_attempt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $8)
         ON CONFLICT (kind, source) DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(&n.person)
    .bind(n.case.to_string())
    .bind(n.kind.code())
    .bind(&n.source)
    .bind(n.request.map(|r| r.to_string()))
    .bind(n.occurred_at)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(usize::try_from(done).unwrap_or(0))
}
