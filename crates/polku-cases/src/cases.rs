//! Cases: submission, the append-only history and checked transitions.
//!
//! A case's current state lives in `cases.state`; every change appends a row to
//! `case_events` in the same transaction, so the history and the state never disagree.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::events::DomainEvent;
use crate::handle::{Cases, StoreError, now_micros};
use polku_identity::persons::PersonId;
use polku_store::{CorruptRow, codec};

/// Who did something: the pipeline, a user, a person, an operator (the audit chain's
/// vocabulary, which a case's history and a decision's record share).
pub use polku_audit::Actor;

pub use crate::error::CaseError;
pub use crate::registration::{
    REGISTRATION_DAYS_BACK, RegistrationError, check_registration, finland, today_in_finland,
};

/// A new application, as the submission gives it.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub matter: String,
    pub applicant_id: String,
    /// The day the application was filed: the rules in force that day apply. The service
    /// sets it ([`today_in_finland`]), or an official registers the day an application
    /// from another channel arrived ([`Cases::register`]); never the applicant.
    pub application_date: Date,
    /// The application with the evidence supplied with it (the input schema's shape).
    pub application: serde_json::Value,
    /// The last day for a decision, where the matter's rule set sets a processing time.
    pub deadline: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: Uuid,
    /// The matter applied for; for a re-examination, the matter of the permit it examines.
    pub matter: String,
    /// An application, or a re-examination of a granted permit.
    pub purpose: crate::reexamination::CasePurpose,
    pub applicant_id: String,
    /// The person the applicant is, as the identity register resolved them (an alias a
    /// merge made is followed there); `None` until the register has answered.
    pub person_id: Option<PersonId>,
    pub state: CaseState,
    pub application_date: Date,
    pub application: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A case as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: Uuid,
    pub matter: String,
    pub state: CaseState,
    /// `YYYY-MM-DD`.
    pub application_date: String,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// The last day for a decision, where the matter has a processing time.
    pub deadline: Option<String>,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub seq: i64,
    pub at: i64,
    #[serde(serialize_with = "as_text")]
    pub actor: Actor,
    pub kind: EventKind,
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub reason: Option<String>,
}

impl Cases {
    /// Files an application received today: the case, its first event and the job that
    /// will decide it, in one transaction.
    pub async fn submit(&self, new: &NewApplication, actor: &Actor) -> Result<Uuid, CaseError> {
        self.file(new, actor, Filing::Received, None)
            .await
            .map(|(id, _)| id)
    }

    /// Like [`Cases::submit`], but a retry with the same `key` from the same user gets the
    /// first case back instead of a second one; the same key with another request is
    /// refused ([`CaseError::KeyReused`]). Returns the case and whether it is new.
    pub async fn submit_once(
        &self,
        new: &NewApplication,
        actor: &Actor,
        user: &str,
        key: &str,
    ) -> Result<(Uuid, bool), CaseError> {
        self.file(new, actor, Filing::Received, Some((user, key)))
            .await
    }

    /// An official registers an application that arrived through another channel (paper,
    /// a service point) with the day it actually arrived and why: checked by
    /// [`check_registration`] against today in Finland, written to the case's history and
    /// to the audit chain in the same transaction. With `once`, as [`Cases::submit_once`].
    pub async fn register(
        &self,
        new: &NewApplication,
        official: &Actor,
        reason: &str,
        once: Option<(&str, &str)>,
    ) -> Result<(Uuid, bool), CaseError> {
        check_registration(new.application_date, reason, today_in_finland())?;
        self.file(
            new,
            official,
            Filing::Registered {
                reason: reason.trim(),
            },
            once,
        )
        .await
    }

    async fn file(
        &self,
        new: &NewApplication,
        actor: &Actor,
        filing: Filing<'_>,
        once: Option<(&str, &str)>,
    ) -> Result<(Uuid, bool), CaseError> {
        let fingerprint = request_fingerprint(new);
        for _ in 0..3 {
            if let Some((user, key)) = once
                && let Some((id, stored)) = self.idempotent_case(user, key).await?
            {
                return if stored.is_empty() || stored == fingerprint {
                    Ok((id, false))
                } else {
                    Err(CaseError::KeyReused)
                };
            }
            let mut tx = self.begin_write().await?;
            let mut events = Vec::new();
            let id = submit_in(&mut tx, new, actor, filing, &mut events).await?;
            if let Some((user, key)) = once {
                let stored = sqlx::query("INSERT INTO idempotency_keys (user_id, key, case_id, created_at, request_hash) VALUES ($1, $2, $3, $4, $5)")
                    .bind(user)
                    .bind(key)
                    .bind(id.to_string())
                    .bind(now_micros())
                    .bind(&fingerprint)
                    .execute(&mut *tx)
                    .await;
                match stored {
                    Ok(_) => {}
                    // A concurrent request with the same key won: drop ours and answer with its case.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        tx.rollback().await?;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
            tx.commit().await?;
            tracing::info!(case = %id, matter = %new.matter, filed = %new.application_date, how = filing.kind().code(), "application filed");
            return Ok((id, true));
        }
        Err(CaseError::Store(StoreError::Sql(sqlx::Error::RowNotFound)))
    }

    /// The case `user` first filed with `key`, and that request's fingerprint (empty for
    /// keys stored before fingerprints were).
    async fn idempotent_case(
        &self,
        user: &str,
        key: &str,
    ) -> Result<Option<(Uuid, String)>, CaseError> {
        let row = sqlx::query(
            "SELECT case_id, request_hash FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|r| {
            let id: String = r.try_get("case_id")?;
            let id = codec::uuid("idempotency_keys", key, "case_id", &id)?;
            Ok((id, r.try_get("request_hash")?))
        })
        .transpose()
    }

    /// A person's own cases, newest first, `limit` at a time after `after` — the
    /// `(created_at, id)` of the last case of the previous page.
    pub async fn cases_of(
        &self,
        person: &str,
        after: Option<(i64, Uuid)>,
        limit: i64,
    ) -> Result<Vec<CaseSummary>, CaseError> {
        let (after_created, after_id) = after
            .map(|(c, id)| (c, id.to_string()))
            .unwrap_or((i64::MAX, String::new()));
        let rows = sqlx::query(
            "SELECT id, matter, state, application_date, created_at, updated_at, deadline FROM cases
             WHERE applicant_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(person)
        .bind(after_created)
        .bind(if after_id.is_empty() {
            "~".to_owned()
        } else {
            after_id
        })
        .bind(limit.clamp(1, 500))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(summary).collect()
    }

    /// The cases of the person known by any of `ids` (their id and the ids a merge made
    /// their aliases, as the identity register gives them), newest first, at most `limit`:
    /// every case, under whichever applicant id it was filed.
    pub async fn cases_of_person(
        &self,
        ids: &[PersonId],
        limit: i64,
    ) -> Result<Vec<CaseSummary>, CaseError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, matter, state, application_date, created_at, updated_at, deadline FROM cases
             WHERE person_id IN ({}) ORDER BY created_at DESC, id DESC LIMIT $1",
            marks.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit.clamp(1, 500));
        for id in ids {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(self.db.pool()).await?;
        rows.iter().map(summary).collect()
    }

    /// How many cases there are (operators, tests that check nothing was written).
    pub async fn case_count(&self) -> Result<i64, CaseError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases")
            .fetch_one(self.db.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn case(&self, id: Uuid) -> Result<Case, CaseError> {
        let mut conn = self.db.pool().acquire().await?;
        load_case(&mut conn, id).await
    }

    pub async fn history(&self, id: Uuid) -> Result<Vec<CaseEvent>, CaseError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, kind, from_state, to_state, reason FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let state = |v: Option<String>| -> Result<Option<CaseState>, CaseError> {
                    v.map(|s| {
                        s.parse().map_err(|e: crate::case::UnknownState| {
                            corrupt(id, "event state", e.to_string())
                        })
                    })
                    .transpose()
                };
                Ok(CaseEvent {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor: {
                        let actor: String = r.try_get("actor")?;
                        actor.parse().map_err(|e: polku_audit::NotAnActor| {
                            corrupt(id, "event actor", e.to_string())
                        })?
                    },
                    kind: {
                        let code: String = r.try_get("kind")?;
                        EventKind::parse(&code).ok_or_else(|| {
                            corrupt(id, "event kind", format!("`{code}` is not an event"))
                        })?
                    },
                    from_state: state(r.try_get("from_state")?)?,
                    to_state: state(Some(r.try_get("to_state")?))?.unwrap_or(CaseState::Received),
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Moves a case to `to`, refusing a transition the flow does not allow.
    pub async fn transition(
        &self,
        id: Uuid,
        to: CaseState,
        actor: &Actor,
        reason: Option<&str>,
    ) -> Result<(), CaseError> {
        let mut tx = self.begin_write().await?;
        let mut events = Vec::new();
        transition_in(
            &mut tx,
            id,
            to,
            actor,
            EventKind::Transition,
            reason,
            &mut events,
        )
        .await?;
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// How an application reached the service.
#[derive(Debug, Clone, Copy)]
enum Filing<'a> {
    /// Through the e-service or the API, today.
    Received,
    /// Registered by an official from another channel, with the day it arrived and why.
    Registered { reason: &'a str },
}

impl Filing<'_> {
    fn kind(self) -> EventKind {
        match self {
            Filing::Received => EventKind::Submitted,
            Filing::Registered { .. } => EventKind::Registered,
        }
    }
}

/// What makes two requests with one idempotency key the same request: the matter, the
/// person, the day and the application (serde_json orders object keys).
fn request_fingerprint(new: &NewApplication) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::json!([new.matter, new.applicant_id, new.application]).to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn submit_in(
    tx: &mut Transaction<'_, Any>,
    new: &NewApplication,
    actor: &Actor,
    filing: Filing<'_>,
    events: &mut Vec<DomainEvent>,
) -> Result<Uuid, CaseError> {
    let id = Uuid::now_v7();
    let now = now_micros();
    // The service, not the applicant, says when the application was filed.
    let mut application = new.application.clone();
    if let Some(object) = application
        .as_object_mut()
        .map(|o| {
            o.entry("application")
                .or_insert_with(|| serde_json::json!({}))
        })
        .and_then(serde_json::Value::as_object_mut)
    {
        object.insert(
            "submitted_on".into(),
            new.application_date.to_string().into(),
        );
        object.insert("matter".into(), new.matter.clone().into());
    }
    // An applicant the identity register has resolved before is that person from filing.
    sqlx::query(
        "INSERT INTO cases (id, matter, applicant_id, state, application_date, application_json, created_at, updated_at, last_seq, deadline, person_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1, $8,
                 (SELECT person_id FROM cases WHERE applicant_id = $3 AND person_id IS NOT NULL
                  ORDER BY created_at DESC LIMIT 1))",
    )
    .bind(id.to_string())
    .bind(&new.matter)
    .bind(&new.applicant_id)
    .bind(CaseState::Received.as_str())
    .bind(new.application_date.to_string())
    .bind(application.to_string())
    .bind(now)
    .bind(new.deadline.map(|d| d.to_string()))
    .execute(&mut **tx)
    .await?;
    let reason = match filing {
        Filing::Received => None,
        Filing::Registered { reason } => Some(reason),
    };
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, at, actor, kind, from_state, to_state, reason)
         VALUES ($1, 1, $2, $3, $4, NULL, $5, $6)",
    )
    .bind(id.to_string())
    .bind(now)
    .bind(actor.to_string())
    .bind(filing.kind().code())
    .bind(CaseState::Received.as_str())
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    if let Some(reason) = reason {
        polku_audit::append_in(
            tx,
            &polku_audit::AuditEntry {
                log: polku_audit::AuditLog::Registration,
                actor: actor.clone(),
                organisation: None,
                person: Some(new.applicant_id.clone()),
                purpose: format!(
                    "application registered as received on {}",
                    new.application_date
                ),
                legal_basis: None,
                detail: serde_json::json!({
                    "case": id,
                    "matter": new.matter,
                    "received_on": new.application_date.to_string(),
                    "reason": reason,
                }),
                x_road: polku_audit::XRoad::default(),
            },
        )
        .await?;
    }
    crate::jobs::enqueue(tx, id, crate::jobs::JobKind::Decide, now).await?;
    events.push(DomainEvent::CaseFiled {
        case: id,
        person: new.applicant_id.clone(),
        matter: new.matter.clone(),
    });
    Ok(id)
}

/// A row of `cases` as a list shows it.
fn summary(r: &sqlx::any::AnyRow) -> Result<CaseSummary, CaseError> {
    let id: String = r.try_get("id")?;
    let id = codec::id("cases", &id)?;
    let state: String = r.try_get("state")?;
    Ok(CaseSummary {
        id,
        matter: r.try_get("matter")?,
        state: state
            .parse()
            .map_err(|e: crate::case::UnknownState| corrupt(id, "state", e.to_string()))?,
        application_date: r.try_get("application_date")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        deadline: r.try_get("deadline")?,
    })
}

/// A column of case `case` that does not read back.
pub(crate) fn corrupt(case: Uuid, what: &'static str, detail: String) -> CaseError {
    CorruptRow::new("cases", case, what, detail).into()
}

pub(crate) async fn load_case(conn: &mut sqlx::AnyConnection, id: Uuid) -> Result<Case, CaseError> {
    let row = sqlx::query(
        "SELECT matter, applicant_id, person_id, state, application_date, application_json, created_at, updated_at, purpose, reexamines FROM cases WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CaseError::NotFound(id))?;
    let state: String = row.try_get("state")?;
    let date: String = row.try_get("application_date")?;
    let json: String = row.try_get("application_json")?;
    let purpose = crate::reexamination::CasePurpose::read(
        id,
        &row.try_get::<String, _>("purpose")?,
        row.try_get("reexamines")?,
    )?;
    Ok(Case {
        id,
        matter: row.try_get("matter")?,
        purpose,
        applicant_id: row.try_get("applicant_id")?,
        person_id: crate::handle::stored_person("cases", id, row.try_get("person_id")?)?,
        state: state
            .parse()
            .map_err(|e: crate::case::UnknownState| corrupt(id, "state", e.to_string()))?,
        application_date: date
            .parse()
            .map_err(|e: jiff::Error| corrupt(id, "application date", e.to_string()))?,
        application: serde_json::from_str(&json)
            .map_err(|e| corrupt(id, "application", e.to_string()))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Checks and applies a transition inside `tx`, appending its event. Returns the state
/// the case left.
pub(crate) async fn transition_in(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
    to: CaseState,
    actor: &Actor,
    kind: EventKind,
    reason: Option<&str>,
    events: &mut Vec<DomainEvent>,
) -> Result<CaseState, CaseError> {
    let from = load_case(tx, id).await?.state;
    let step = Step {
        to,
        kind,
        reason,
        detail: None,
    };
    advance_in(tx, id, from, &[step], actor, events).await?;
    Ok(from)
}

/// One move of a case, as its history records it.
pub(crate) struct Step<'a> {
    pub to: CaseState,
    pub kind: EventKind,
    pub reason: Option<&'a str>,
    /// Structured detail beside the reason's text (JSON), e.g. the machine's referral.
    pub detail: Option<&'a str>,
}

/// Moves a case that is in `from` through `steps` inside `tx`: every step is checked
/// against the state machine, then one UPDATE moves the case — only if it is still in
/// `from` — and allocates the events' numbers, and one INSERT appends them.
pub(crate) async fn advance_in(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
    from: CaseState,
    steps: &[Step<'_>],
    actor: &Actor,
    events: &mut Vec<DomainEvent>,
) -> Result<(), CaseError> {
    let mut at = from;
    for step in steps {
        if !at.can_go_to(step.to) {
            return Err(CaseError::InvalidTransition {
                case: id,
                from: at,
                to: step.to,
            });
        }
        at = step.to;
    }
    let Some(last) = steps.last() else {
        return Ok(());
    };
    let now = now_micros();
    // The state we expect is part of the condition: a concurrent change makes this a
    // no-op that we report instead of overwriting.
    let row = sqlx::query(
        "UPDATE cases SET state = $1, updated_at = $2, last_seq = last_seq + $3
         WHERE id = $4 AND state = $5 RETURNING last_seq, applicant_id",
    )
    .bind(last.to.as_str())
    .bind(now)
    .bind(steps.len() as i64)
    .bind(id.to_string())
    .bind(from.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        let now_in = load_case(tx, id).await?.state;
        return Err(CaseError::InvalidTransition {
            case: id,
            from: now_in,
            to: last.to,
        });
    };
    let last_seq: i64 = row.try_get("last_seq")?;
    let person: String = row.try_get("applicant_id")?;
    let first_seq = last_seq - steps.len() as i64 + 1;
    let mut sql = String::from(
        "INSERT INTO case_events (case_id, seq, at, actor, kind, from_state, to_state, reason, detail_json) VALUES ",
    );
    for i in 0..steps.len() {
        let p = 4 + i * 6;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "($1, ${}, $2, $3, ${}, ${}, ${}, ${}, ${})",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5
        ));
    }
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(now)
        .bind(actor.to_string());
    let mut state = from;
    let mut moves = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        insert = insert
            .bind(first_seq + i as i64)
            .bind(step.kind.code())
            .bind(state.as_str())
            .bind(step.to.as_str())
            .bind(step.reason.map(str::to_owned))
            .bind(step.detail.map(str::to_owned));
        moves.push(DomainEvent::CaseMoved {
            case: id,
            person: person.clone(),
            from: state,
            to: step.to,
            kind: step.kind,
        });
        state = step.to;
    }
    insert.execute(&mut **tx).await?;
    events.extend(moves);
    Ok(())
}

/// An actor as the text it is stored and sent as.
pub(crate) fn as_text<S: serde::Serializer>(actor: &Actor, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(actor)
}
