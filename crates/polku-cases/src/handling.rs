//! People's work: the queue of cases the machine referred, claiming a case, a handler's
//! decision with reasons, and the applicant's request for rectification of an automated
//! decision (Administrative Procedure Act 53 e–53 f §: free of charge, always decided by a
//! person).
//!
//! The queue's order is stated and explainable: oldest application date first, then the
//! order of arrival. Nothing about the person — nationality, sex, religion, ethnicity — is
//! read to order it.

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::cases::{Actor, Case, CaseError, load_case, transition_in};
use crate::decisions::{NewDecision, insert_in};
use crate::handle::{Cases, Tx};
use crate::live_rules::LiveRules;
use crate::permits::grant_in;
use crate::reexamination::CasePurpose;
use polku_decide::{HumanOutcome, terms_for};

/// The order of the handler queue, as the API and the docs state it.
pub const QUEUE_ORDER: &str = "oldest application date first, then the order of arrival";

/// One case waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub case_id: Uuid,
    /// Whom the case is about (not in the API's queue, which predates it).
    #[serde(skip)]
    pub person: String,
    pub matter: String,
    pub state: CaseState,
    pub application_date: String,
    /// The last day for a decision, where the matter has a processing time.
    pub deadline: Option<String>,
    pub created_at: i64,
    #[serde(serialize_with = "as_text_opt")]
    pub assigned_to: Option<Actor>,
    /// Why it waits: the conditions the machine found not met or unknown, what the
    /// applicant asks to have rectified, or why a re-examination was opened.
    pub reason: Option<String>,
    /// An application, or a re-examination of a granted permit.
    pub purpose: CasePurpose,
    /// What last brought it to a person: a referral, a rectification request, an answer,
    /// or a request to the applicant whose deadline passed.
    #[serde(skip)]
    pub last: Option<EventKind>,
}

/// Which cases to list, after which position.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub matter: Option<String>,
    /// Only applications filed on or before this date (`YYYY-MM-DD`): the oldest work.
    pub filed_on_or_before: Option<String>,
    /// Only cases whose deadline falls on or before this date (`YYYY-MM-DD`).
    pub deadline_on_or_before: Option<String>,
    /// Only cases in this state (one of those that wait for a person).
    pub state: Option<CaseState>,
    /// Only the case with this id, or the cases of the person with this id.
    pub case_or_person: Option<String>,
    /// Only referred cases whose applicant has answered a request (evidence received).
    pub answered: bool,
    pub limit: i64,
    /// The position after which to continue: `(application_date, created_at, case id)` of
    /// the last item of the previous page.
    pub after: Option<(String, i64, String)>,
    /// Items to skip first (a page's number, where `after` is not known).
    pub offset: i64,
}

/// The conditions of [`Cases::handler_queue`] and [`Cases::handler_queue_total`]: the
/// placeholders from `$1` are matter, filed on or before, deadline on or before, state,
/// case or person (applicant id or the identity register's person id), today, answered only. A case waiting for the applicant's answer joins
/// the queue the day after its deadline.
const QUEUE_WHERE: &str = "(c.state IN ('referred', 'rectification_requested')
                OR (c.state IN ('evidence_requested', 'hearing') AND c.answer_due < $6))
               AND ($7 = '' OR (c.state = 'referred'
                    AND c.id IN (SELECT r.case_id FROM requests r WHERE r.answered_at IS NOT NULL)))
               AND ($1 = '' OR c.matter = $1)
               AND ($2 = '' OR c.application_date <= $2)
               AND ($3 = '' OR c.deadline <= $3)
               AND ($4 = '' OR c.state = $4)
               AND ($5 = '' OR c.id = $5 OR c.applicant_id = $5 OR c.person_id = $5)";

#[derive(Debug, thiserror::Error)]
pub enum HandlingError {
    #[error("case {0} is not waiting for a person")]
    NotWaiting(Uuid),
    #[error("case {case} is assigned to {holder}")]
    AssignedToOther { case: Uuid, holder: Actor },
    #[error("claim case {0} before deciding it")]
    NotClaimed(Uuid),
    #[error("a decision needs its reasons")]
    NoReasons,
    #[error("only the applicant of case {0} may ask for its rectification")]
    NotTheApplicant(Uuid),
    #[error("case {0} has no automated decision to rectify")]
    NoAutomatedDecision(Uuid),
    #[error(
        "a request gives the applicant 7 to 60 days and says what is asked in at most 4000 characters"
    )]
    BadRequest,
    #[error("case {0} waits for the applicant's answer until {1}")]
    AwaitingAnswer(Uuid, String),
    #[error("case {0} is {1}: it can no longer be withdrawn")]
    NotOpen(Uuid, CaseState),
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl From<sqlx::Error> for HandlingError {
    fn from(e: sqlx::Error) -> Self {
        HandlingError::Case(CaseError::from(e))
    }
}

const WAITING: [CaseState; 2] = [CaseState::Referred, CaseState::RectificationRequested];

/// Whether the case waits for a person: referred, or the applicant's rectification request,
/// or a request to the applicant whose deadline has passed without an answer. A case still
/// within its deadline is [`HandlingError::AwaitingAnswer`].
async fn check_waiting_in(tx: &mut Tx, case: &Case) -> Result<(), HandlingError> {
    if WAITING.contains(&case.state) {
        return Ok(());
    }
    if matches!(
        case.state,
        CaseState::EvidenceRequested | CaseState::Hearing
    ) {
        let row = sqlx::query("SELECT answer_due FROM cases WHERE id = $1")
            .bind(case.id.to_string())
            .fetch_one(&mut **tx)
            .await?;
        if let Some(due) = row.try_get::<Option<String>, _>("answer_due")? {
            if due.as_str() >= crate::today_in_finland().to_string().as_str() {
                return Err(HandlingError::AwaitingAnswer(case.id, due));
            }
            return Ok(());
        }
    }
    Err(HandlingError::NotWaiting(case.id))
}

/// Fails unless `handler` holds the case's claim.
pub(crate) async fn claimed_by_in(
    tx: &mut Tx,
    case: Uuid,
    handler: &Actor,
) -> Result<(), HandlingError> {
    let row = sqlx::query("SELECT assigned_to FROM cases WHERE id = $1")
        .bind(case.to_string())
        .fetch_one(&mut **tx)
        .await?;
    if assignee_of(&row, case)?.as_ref() != Some(handler) {
        return Err(HandlingError::NotClaimed(case));
    }
    Ok(())
}

impl Cases {
    /// Cases waiting for a person, in [`QUEUE_ORDER`].
    pub async fn handler_queue(&self, f: &QueueFilter) -> Result<Vec<QueueItem>, HandlingError> {
        let (after_date, after_created, after_id) = f.after.clone().unwrap_or_default();
        let sql = format!(
            "SELECT c.id, c.applicant_id, c.matter, c.state, c.application_date, c.deadline, c.created_at, c.assigned_to, c.purpose, c.reexamines,
                    (SELECT e.reason FROM case_events e
                     WHERE e.case_id = c.id AND e.kind IN ('referred', 'rectification_requested', 'reexamination_opened')
                     ORDER BY e.seq DESC LIMIT 1) AS reason,
                    (SELECT e.kind FROM case_events e
                     WHERE e.case_id = c.id AND e.kind IN ('referred', 'rectification_requested', 'reexamination_opened', 'answered', 'evidence_requested', 'hearing_requested')
                     ORDER BY e.seq DESC LIMIT 1) AS last_kind
             FROM cases c
             WHERE {QUEUE_WHERE}
               AND ($8 = '' OR (c.application_date, c.created_at, c.id) > ($8, $9, $10))
             ORDER BY c.application_date, c.created_at, c.id
             LIMIT $11 OFFSET $12"
        );
        let rows = self
            .queue_query(&sql, f)
            .bind(after_date)
            .bind(after_created)
            .bind(after_id)
            .bind(f.limit.clamp(1, 500))
            .bind(f.offset.max(0))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let state: String = r.try_get("state")?;
                let case_id = polku_store::codec::id("cases", &id).map_err(CaseError::from)?;
                Ok(QueueItem {
                    case_id,
                    person: r.try_get("applicant_id")?,
                    matter: r.try_get("matter")?,
                    state: state.parse().map_err(|e: crate::case::UnknownState| {
                        crate::cases::corrupt(case_id, "state", e.to_string())
                    })?,
                    application_date: r.try_get("application_date")?,
                    deadline: r.try_get("deadline")?,
                    created_at: r.try_get("created_at")?,
                    assigned_to: assignee_of(r, case_id)?,
                    reason: r.try_get("reason")?,
                    purpose: CasePurpose::read(
                        case_id,
                        &r.try_get::<String, _>("purpose")?,
                        r.try_get("reexamines")?,
                    )?,
                    last: r
                        .try_get::<Option<String>, _>("last_kind")?
                        .as_deref()
                        .and_then(EventKind::parse),
                })
            })
            .collect()
    }

    /// How many cases the filter finds, whatever its page.
    pub async fn handler_queue_total(&self, f: &QueueFilter) -> Result<i64, HandlingError> {
        let sql = format!("SELECT COUNT(*) AS n FROM cases c WHERE {QUEUE_WHERE}");
        let row = self.queue_query(&sql, f).fetch_one(self.db.pool()).await?;
        Ok(row.try_get("n")?)
    }

    /// `sql` with the filter's conditions bound ([`QUEUE_WHERE`]).
    fn queue_query<'q>(
        &self,
        sql: &'q str,
        f: &QueueFilter,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(f.matter.clone().unwrap_or_default())
            .bind(f.filed_on_or_before.clone().unwrap_or_default())
            .bind(f.deadline_on_or_before.clone().unwrap_or_default())
            .bind(f.state.map(|s| s.to_string()).unwrap_or_default())
            .bind(f.case_or_person.clone().unwrap_or_default())
            .bind(crate::today_in_finland().to_string())
            .bind(if f.answered { "1" } else { "" })
    }

    /// Assigns a waiting case to `handler` (again, if it is theirs already).
    pub async fn claim_case(&self, id: Uuid, handler: &Actor) -> Result<(), HandlingError> {
        let mut tx = self.begin_write().await?;
        let case = load_case(&mut tx, id).await?;
        check_waiting_in(&mut tx, &case).await?;
        let claimed = sqlx::query("UPDATE cases SET assigned_to = $1 WHERE id = $2 AND (assigned_to IS NULL OR assigned_to = $1)")
            .bind(handler.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if claimed.rows_affected() != 1 {
            let row = sqlx::query("SELECT assigned_to FROM cases WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
            return Err(HandlingError::AssignedToOther {
                case: id,
                holder: match assignee_of(&row, id)? {
                    Some(holder) => holder,
                    // Unassigned, yet not claimable: no longer waiting.
                    None => return Err(HandlingError::NotWaiting(id)),
                },
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// A handler's decision with reasons, on a case they have claimed. A grant creates the
    /// permit the matter's rule set describes. Returns the decision's id.
    pub async fn decide_by_person(
        &self,
        id: Uuid,
        handler: &Actor,
        outcome: HumanOutcome,
        reasons: &str,
        rules: &LiveRules,
    ) -> Result<Uuid, HandlingError> {
        if reasons.trim().is_empty() {
            return Err(HandlingError::NoReasons);
        }
        let mut tx = self.begin_write().await?;
        let case = load_case(&mut tx, id).await?;
        check_waiting_in(&mut tx, &case).await?;
        claimed_by_in(&mut tx, id, handler).await?;
        // A rectification request ends in a decision, never in another round of evidence.
        if outcome == HumanOutcome::RequestEvidence && case.state != CaseState::Referred {
            return Err(HandlingError::NotWaiting(id));
        }
        let mut trace = serde_json::Map::new();
        trace.insert("reasons".into(), Value::from(reasons));
        if let Some(heard) = crate::requests::hearing_record_in(&mut tx, id).await? {
            trace.insert(
                "hearing".into(),
                serde_json::to_value(heard).unwrap_or(Value::Null),
            );
        }
        let mut events = Vec::new();
        let decision = insert_in(
            &mut tx,
            &NewDecision {
                case: id,
                applicant: &case.applicant_id,
                outcome: outcome.into(),
                automated: false,
                decided_by: handler,
                rule_set: None,
                version: None,
                evaluated_on: case.application_date,
                input: &case.application,
                trace: &Value::Object(trace),
                unanswered: &[],
            },
            &mut events,
        )
        .await?;
        if outcome == HumanOutcome::RequestEvidence {
            // The case waits for the applicant's answer, still the handler's.
            let request = crate::requests::NewRequest {
                kind: crate::requests::RequestKind::Evidence,
                what: reasons,
                conditions: &[],
                days: crate::requests::MACHINE_ANSWER_DAYS,
            };
            crate::requests::ask_in(&mut tx, id, handler, &request, &mut events).await?;
        } else {
            transition_in(
                &mut tx,
                id,
                CaseState::Decided,
                handler,
                EventKind::DecidedByPerson,
                Some(reasons),
                &mut events,
            )
            .await?;
            sqlx::query("UPDATE cases SET assigned_to = NULL, answer_due = NULL WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        // On a re-examination, "grant" keeps the permit in force: it creates none.
        if outcome == HumanOutcome::Grant && case.purpose == CasePurpose::Application {
            grant_as_machine_found_in(&mut tx, &case, decision, rules, &mut events).await?;
        }
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        metrics::counter!("polku_decisions_total", "outcome" => outcome.as_str(), "automated" => "false").increment(1);
        Ok(decision)
    }

    /// A handler who has claimed a referred case asks the applicant for evidence or, meaning
    /// to refuse, hears them on the draft grounds. The case waits for the answer, still
    /// assigned to the handler.
    pub async fn ask_applicant(
        &self,
        case: Uuid,
        handler: &Actor,
        new: &crate::requests::NewRequest<'_>,
    ) -> Result<Uuid, HandlingError> {
        if new.what.trim().is_empty() {
            return Err(HandlingError::NoReasons);
        }
        if !crate::requests::ANSWER_DAYS.contains(&new.days)
            || new.what.chars().count() > crate::requests::MAX_ANSWER_CHARS
        {
            return Err(HandlingError::BadRequest);
        }
        let mut tx = self.begin_write().await?;
        let loaded = load_case(&mut tx, case).await?;
        if loaded.state != CaseState::Referred {
            return Err(HandlingError::NotWaiting(case));
        }
        claimed_by_in(&mut tx, case, handler).await?;
        let mut events = Vec::new();
        let id = crate::requests::ask_in(&mut tx, case, handler, new, &mut events).await?;
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The handler a case is assigned to, if any.
    pub async fn assignee(&self, id: Uuid) -> Result<Option<Actor>, CaseError> {
        let row = sqlx::query("SELECT assigned_to FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(CaseError::NotFound(id))?;
        assignee_of(&row, id)
    }

    /// The last day for a decision on a case, where its matter has a processing time.
    pub async fn deadline(&self, id: Uuid) -> Result<Option<String>, CaseError> {
        let row = sqlx::query("SELECT deadline FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(CaseError::NotFound(id))?;
        Ok(row.try_get("deadline")?)
    }

    /// The applicant withdraws their open application. The pipeline and the handlers leave
    /// a withdrawn case alone.
    pub async fn withdraw(
        &self,
        id: Uuid,
        applicant_person: &str,
        reason: &str,
    ) -> Result<(), HandlingError> {
        let mut tx = self.begin_write().await?;
        let case = load_case(&mut tx, id).await?;
        if case.applicant_id != applicant_person {
            return Err(HandlingError::NotTheApplicant(id));
        }
        if !case.state.can_go_to(CaseState::Withdrawn) {
            return Err(HandlingError::NotOpen(id, case.state));
        }
        let actor = Actor::Person(applicant_person.to_owned());
        let mut events = Vec::new();
        transition_in(
            &mut tx,
            id,
            CaseState::Withdrawn,
            &actor,
            EventKind::Withdrawn,
            Some(reason),
            &mut events,
        )
        .await?;
        sqlx::query("UPDATE cases SET assigned_to = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The applicant asks for rectification of an automated decision: the case goes to a
    /// person's queue. Free of charge; never decided by the machine.
    pub async fn request_rectification(
        &self,
        id: Uuid,
        applicant_person: &str,
        reason: &str,
    ) -> Result<(), HandlingError> {
        let mut tx = self.begin_write().await?;
        let case = load_case(&mut tx, id).await?;
        if case.applicant_id != applicant_person {
            return Err(HandlingError::NotTheApplicant(id));
        }
        let last = sqlx::query("SELECT automated FROM decisions WHERE case_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let automated = match last {
            Some(r) => r.try_get::<i32, _>("automated")? != 0,
            None => false,
        };
        if case.state != CaseState::Decided || !automated {
            return Err(HandlingError::NoAutomatedDecision(id));
        }
        let actor = Actor::Person(applicant_person.to_owned());
        let mut events = Vec::new();
        transition_in(
            &mut tx,
            id,
            CaseState::RectificationRequested,
            &actor,
            EventKind::RectificationRequested,
            Some(reason),
            &mut events,
        )
        .await?;
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A person's grant creates the permit the rules in force on the application date
/// describe, on the evidence the machine gathered (or the application, if it gathered none).
async fn grant_as_machine_found_in(
    tx: &mut Tx,
    case: &Case,
    decision: Uuid,
    rules: &LiveRules,
    events: &mut Vec<crate::events::DomainEvent>,
) -> Result<(), CaseError> {
    let book = rules.on(case.application_date);
    let gathered: Option<String> = sqlx::query(
        "SELECT input_json FROM decisions WHERE case_id = $1 AND automated = 1 ORDER BY decided_at DESC LIMIT 1",
    )
    .bind(case.id.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get("input_json"))
    .transpose()?;
    let input = gathered
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| case.application.clone());
    let today = crate::today_in_finland();
    let terms = terms_for(
        &book,
        &case.matter,
        polku_rules::Application::from_json(&input).ok().as_ref(),
        case.application_date,
        today,
    );
    grant_in(tx, case, decision, terms, today, events).await
}

/// Whom the case in `row` is assigned to (its `assigned_to`), read back as an actor.
fn assignee_of(row: &sqlx::any::AnyRow, case: Uuid) -> Result<Option<Actor>, CaseError> {
    row.try_get::<Option<String>, _>("assigned_to")?
        .map(|a| {
            a.parse().map_err(|e: polku_audit::NotAnActor| {
                crate::cases::corrupt(case, "assigned_to", e.to_string())
            })
        })
        .transpose()
}

fn as_text_opt<S: serde::Serializer>(actor: &Option<Actor>, s: S) -> Result<S::Ok, S::Error> {
    match actor {
        Some(a) => s.collect_str(a),
        None => s.serialize_none(),
    }
}
