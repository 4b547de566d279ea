//! The decision pipeline: a claimed job → evidence → the rule set in force on the
//! application date → an automatic grant, a referral to a person or a request for evidence.
//!
//! Everything one job does commits in one transaction together with the job's completion,
//! so a crash at any point leaves either nothing or the whole decision, never half, and the
//! job runs again until exactly one decision exists.

use std::sync::Arc;
use std::time::Duration;

use polku_decide::{DecisionTrace, Finding, evaluate, terms_for};
use polku_rules::{Outcome, RuleBook};

use crate::live_rules::LiveRules;
use serde_json::Value;
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::cases::{Actor, Case, CaseError, Step, advance_in};
use crate::decisions::{NewDecision, insert_in};
use crate::events::DomainEvent;
use crate::handle::{Cases, StoreError, Tx, now_micros};
use crate::jobs::{ClaimedJob, complete_in};
use crate::permits::grant_in;

/// Where a case's evidence comes from. The register adapters implement it in their own
/// crate; `SuppliedEvidence` (tests only) takes what came with the submission.
///
/// Gathering runs outside any database transaction (registers answer in their own time),
/// so it must not assume the case is still waiting when it returns: the pipeline checks.
pub trait EvidenceSource: Send + Sync {
    /// The application with its evidence, in the input schema's shape. Evidence that could
    /// not be fetched is left out (unknown to the rules, never "not met") and its register
    /// named in [`Gathered::unanswered`]; an `Err` means nothing could be gathered and the
    /// job is retried later.
    fn gather(&self, case: &Case) -> impl Future<Output = Result<Gathered, EvidenceError>> + Send;

    /// Asked inside the transaction that records the machine's decision, after the
    /// decision's line in the audit chain (whose head that transaction now holds): whether
    /// what `gathered` found still holds. A source whose facts can change under a decision
    /// — a flag raised meanwhile — answers `false`, and the pipeline gathers again; what
    /// is written to the audit chain after this check is ordered after the decision, so
    /// the decision either saw it or came before it.
    fn still_holds(
        &self,
        _tx: &mut Tx,
        _case: &Case,
        _gathered: &Gathered,
    ) -> impl Future<Output = Result<bool, EvidenceError>> + Send {
        async { Ok(true) }
    }
}

/// What evidence gathering found.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    /// The application with the evidence as used.
    pub application: Value,
    /// Registers that were asked and did not answer (timeouts, outages).
    pub unanswered: Vec<String>,
    /// Who the registers say the applicant is, for identity resolution; `None`: no
    /// register that knows it answered.
    pub subject: Option<SubjectIdentity>,
    /// The person the identity register resolved the applicant to — their id first, then
    /// the ids merged into it; empty: no register resolved them. The case carries the first
    /// from then on; flags raised under any of them are the person's.
    pub person_ids: Vec<crate::PersonId>,
}

/// The applicant's identity data as a register holds them (its own romanisation): what
/// identity resolution compares with the other records about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectIdentity {
    /// The register that answered (its name as its answers give it).
    pub register: String,
    pub given_names: String,
    pub family_name: String,
    /// In the native script, where the register keeps it.
    pub name_native: Option<String>,
    /// `YYYY-MM-DD`, `00` for an unknown month or day.
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3; `XXA` stateless.
    pub nationality: String,
}

impl<E: EvidenceSource> EvidenceSource for Arc<E> {
    fn gather(&self, case: &Case) -> impl Future<Output = Result<Gathered, EvidenceError>> + Send {
        self.as_ref().gather(case)
    }

    fn still_holds(
        &self,
        tx: &mut Tx,
        case: &Case,
        gathered: &Gathered,
    ) -> impl Future<Output = Result<bool, EvidenceError>> + Send {
        self.as_ref().still_holds(tx, case, gathered)
    }
}

/// Evidence exactly as the submission supplied it: for tests only (feature `testing`).
/// No configuration of the service can decide on evidence the applicant wrote.
#[cfg(any(test, feature = "testing"))]
#[derive(Debug, Default, Clone, Copy)]
pub struct SuppliedEvidence;

#[cfg(any(test, feature = "testing"))]
impl EvidenceSource for SuppliedEvidence {
    async fn gather(&self, case: &Case) -> Result<Gathered, EvidenceError> {
        Ok(Gathered {
            application: case.application.clone(),
            unanswered: Vec::new(),
            subject: None,
            person_ids: Vec::new(),
        })
    }
}

/// How many times a job is tried while registers stay silent before the case goes on
/// with what is known (to a person: silence is never "not met").
pub const EVIDENCE_ATTEMPTS: i64 = 3;

/// Why nothing could be gathered for a case (the job is tried again later). A register
/// that does not answer is not this: it is named in [`Gathered::unanswered`].
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The source itself failed before any register could be asked.
    #[error("evidence could not be gathered: {0}")]
    Unavailable(String),
    /// The answers could not be written to the disclosure log, so they may not be used.
    #[error("the disclosures could not be logged: {0}")]
    Log(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error("registers did not answer (attempt {attempt}): {registers}")]
    RegistersSilent { attempt: i64, registers: String },
    #[error("the rules in force could not be read: {0}")]
    Rules(#[from] crate::live_rules::RulesError),
    #[error("the evidence changed while case {0} was decided")]
    EvidenceChanged(Uuid),
}

impl From<sqlx::Error> for PipelineError {
    fn from(e: sqlx::Error) -> Self {
        PipelineError::Store(StoreError::Sql(e))
    }
}

/// What one processed job ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Decided {
        case: Uuid,
        outcome: Outcome,
        decision: Uuid,
    },
    /// The case was no longer waiting for the machine (withdrawn, say).
    Skipped { case: Uuid, state: CaseState },
    /// Another worker took the job over after our lease expired; our work was rolled back.
    LeaseLost { case: Uuid },
}

pub struct Pipeline<E: EvidenceSource> {
    pub store: Cases,
    /// The rules over time; each case is decided by those in force on its application date.
    pub rules: LiveRules,
    pub evidence: E,
    pub worker: String,
    pub lease: Duration,
}

impl<E: EvidenceSource> Pipeline<E> {
    pub fn new(
        store: Cases,
        rules: impl Into<LiveRules>,
        evidence: E,
        worker: impl Into<String>,
    ) -> Self {
        Pipeline {
            store,
            rules: rules.into(),
            evidence,
            worker: worker.into(),
            lease: Duration::from_secs(30),
        }
    }

    /// Claims and processes one job; `None` when no job is ready.
    pub async fn run_once(&self) -> Result<Option<Processed>, PipelineError> {
        let Some(job) = self.store.claim_job(&self.worker, self.lease).await? else {
            return Ok(None);
        };
        match self.process(&job).await {
            Ok(done) => Ok(Some(done)),
            Err(e) => {
                self.store.fail_job(&job, &e.to_string()).await?;
                Err(e)
            }
        }
    }

    /// Processes jobs until `stop` turns true, sleeping `idle` when the queue is empty.
    pub async fn run(&self, stop: tokio::sync::watch::Receiver<bool>, idle: Duration) {
        while !*stop.borrow() {
            match self.run_once().await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    let mut stop = stop.clone();
                    let _ = tokio::time::timeout(idle, stop.changed()).await;
                }
                Err(e) => tracing::warn!(error = %e, "pipeline job failed"),
            }
        }
    }

    async fn process(&self, job: &ClaimedJob) -> Result<Processed, PipelineError> {
        // Evidence and evaluation happen before the write transaction: a slow register or
        // the trace rendering never holds the database's write lock.
        let case = self.store.case(job.case_id).await?;
        if !waits_for_machine(case.state) {
            return self.skip(job, case.id).await;
        }
        // Never a stale shelf: a change approved for this filing day must decide it
        // (and say which registers to ask).
        let rules = self.rules.for_filing_date(case.application_date).await?;
        // Evidence that changed while the decision was recorded (a flag raised) is
        // gathered again at once, a few times, before the job is left to its retries.
        let mut tries = 0;
        loop {
            tries += 1;
            let gathered = self.evidence.gather(&case).await?;
            if !gathered.unanswered.is_empty() && job.attempts < EVIDENCE_ATTEMPTS {
                // Wait and ask again (the job is retried with backoff).
                return Err(PipelineError::RegistersSilent {
                    attempt: job.attempts,
                    registers: gathered.unanswered.join(", "),
                });
            }
            let finding = evaluate(
                &rules,
                &case.matter,
                &gathered.application,
                case.application_date,
                &gathered.unanswered,
            );
            match self.record(job, &case, &rules, &gathered, &finding).await {
                Err(PipelineError::EvidenceChanged(id)) if tries < 3 => {
                    tracing::info!(case = %id, "evidence changed while deciding; gathered again");
                }
                done => return done,
            }
        }
    }

    /// Records what the machine found, in one transaction with the job's completion: the
    /// case's moves, the decision with its log line, a grant's permit.
    async fn record(
        &self,
        job: &ClaimedJob,
        case: &Case,
        rules: &RuleBook,
        gathered: &Gathered,
        finding: &Finding,
    ) -> Result<Processed, PipelineError> {
        let machine = Actor::Machine;
        let mut tx = self.store.begin_write().await?;
        // Moves the case only if it is still where we found it: the applicant may have
        // withdrawn while the evidence was gathered.
        let mut events = Vec::new();
        if let Some(&person) = gathered.person_ids.first()
            && case.person_id != Some(person)
        {
            // Before the moves, so that their events carry the person.
            sqlx::query("UPDATE cases SET person_id = $1 WHERE id = $2")
                .bind(person.to_string())
                .bind(case.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        match move_case_in(&mut tx, case, finding, &machine, &mut events).await {
            Ok(()) => {}
            Err(CaseError::InvalidTransition { .. }) => {
                tx.rollback().await?;
                return self.skip(job, case.id).await;
            }
            Err(e) => return Err(e.into()),
        }
        if finding.outcome == Outcome::RequestEvidence {
            // What the applicant is asked: the conditions the machine could not judge.
            let unknown: Vec<String> = finding
                .reason
                .iter()
                .flat_map(|r| r.findings.iter())
                .filter(|(_, s)| *s == polku_rules::Status::Unknown)
                .map(|(id, _)| id.clone())
                .collect();
            let request = crate::requests::NewRequest {
                kind: crate::requests::RequestKind::Evidence,
                what: "",
                conditions: &unknown,
                days: crate::requests::MACHINE_ANSWER_DAYS,
            };
            crate::requests::ask_in(&mut tx, case.id, &machine, &request, &mut events).await?;
        }
        let decision = insert_in(
            &mut tx,
            &NewDecision {
                case: case.id,
                applicant: &case.applicant_id,
                outcome: finding.outcome.into(),
                automated: true,
                decided_by: &machine,
                rule_set: finding.rule_set.as_deref(),
                version: finding.version.as_deref(),
                evaluated_on: case.application_date,
                input: &gathered.application,
                trace: &finding.trace,
                unanswered: &gathered.unanswered,
            },
            &mut events,
        )
        .await?;
        // The decision's line holds the audit chain's head: whatever changes the evidence
        // from now on is ordered after this decision.
        if !self.evidence.still_holds(&mut tx, case, gathered).await? {
            tx.rollback().await?;
            return Err(PipelineError::EvidenceChanged(case.id));
        }
        if finding.outcome == Outcome::Grant {
            let today = crate::today_in_finland();
            let terms = terms_for(
                rules,
                &case.matter,
                finding.application.as_ref(),
                case.application_date,
                today,
            );
            grant_in(&mut tx, case, decision, terms, today, &mut events).await?;
        }
        if !complete_in(&mut tx, job).await? {
            tx.rollback().await?;
            return Ok(Processed::LeaseLost { case: case.id });
        }
        // Last before the commit, as one batch.
        crate::events::publish_in(&mut tx, self.store.dialect(), &events).await?;
        tx.commit().await?;
        let seconds = (now_micros() - case.created_at) as f64 / 1e6;
        metrics::counter!("polku_decisions_total", "outcome" => finding.outcome.code(), "automated" => "true").increment(1);
        metrics::histogram!("polku_pipeline_seconds").record(seconds);
        tracing::info!(case = %case.id, outcome = finding.outcome.code(), seconds, "case evaluated");
        Ok(Processed::Decided {
            case: case.id,
            outcome: finding.outcome,
            decision,
        })
    }
}

/// Moves the case from where it was found through gathering and evaluation to where the
/// finding sends it, with the reason as the queue reads it and as data the key figures
/// count. Fails with `InvalidTransition` if the case moved meanwhile.
async fn move_case_in(
    tx: &mut Tx,
    case: &Case,
    finding: &Finding,
    machine: &Actor,
    events: &mut Vec<DomainEvent>,
) -> Result<(), CaseError> {
    let (to, kind) = match finding.outcome {
        Outcome::Grant => (CaseState::Decided, EventKind::DecidedAutomatically),
        Outcome::Refer => (CaseState::Referred, EventKind::Referred),
        Outcome::RequestEvidence => (CaseState::EvidenceRequested, EventKind::EvidenceRequested),
    };
    let reason_text = finding.reason.as_ref().map(ToString::to_string);
    let reason_json = finding
        .reason
        .as_ref()
        .and_then(|r| serde_json::to_string(r).ok());
    let steps = [
        Step {
            to: CaseState::GatheringEvidence,
            kind: EventKind::GatheringEvidence,
            reason: None,
            detail: None,
        },
        Step {
            to: CaseState::Evaluated,
            kind: EventKind::Evaluated,
            reason: None,
            detail: None,
        },
        Step {
            to,
            kind,
            reason: reason_text.as_deref(),
            detail: reason_json.as_deref(),
        },
    ];
    advance_in(tx, case.id, case.state, &steps, machine, events).await
}

impl<E: EvidenceSource> Pipeline<E> {
    /// Completes a job whose case no longer waits for the machine.
    async fn skip(&self, job: &ClaimedJob, case: Uuid) -> Result<Processed, PipelineError> {
        let mut tx = self.store.begin_write().await?;
        let state = crate::cases::load_case(&mut tx, case).await?.state;
        if !complete_in(&mut tx, job).await? {
            return Ok(Processed::LeaseLost { case });
        }
        tx.commit().await?;
        Ok(Processed::Skipped { case, state })
    }
}

/// Whether the case waits for the pipeline (a new case, or new evidence after a request).
fn waits_for_machine(state: CaseState) -> bool {
    matches!(state, CaseState::Received | CaseState::EvidenceRequested)
}

/// What the machine would find for a person's matter on what the registers hold now,
/// without filing, deciding or storing anything: the eligibility preview. `gathered` comes
/// from an [`EvidenceSource`] asked about a case of purpose `Preview`.
pub struct Preview {
    pub outcome: Outcome,
    /// The conditions in fi, sv and en (`None` when the rules could not run).
    pub trace: Option<DecisionTrace>,
    /// Registers that did not answer: their conditions are unknown.
    pub unanswered: Vec<String>,
}

/// Evaluates `gathered` under the rules for the filing date `on` (today, for a preview).
pub async fn preview(
    rules: &LiveRules,
    matter: &str,
    gathered: Gathered,
    on: jiff::civil::Date,
) -> Result<Preview, PipelineError> {
    let book = rules.for_filing_date(on).await?;
    let finding = evaluate(
        &book,
        matter,
        &gathered.application,
        on,
        &gathered.unanswered,
    );
    Ok(Preview {
        outcome: finding.outcome,
        trace: serde_json::from_value(finding.trace).ok(),
        unanswered: gathered.unanswered,
    })
}
