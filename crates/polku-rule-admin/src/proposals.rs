use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use polku_decide::Backtest;
use polku_rules::{MIN_TEST_CASES, RuleBook, TestResult, run_tests};
use polku_store::{CorruptRow, codec};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use polku_access::{Principal, Role};
use polku_audit::{Actor, AuditChain, AuditEntry, AuditLog, append_in};
use polku_cases::{CaseError, LiveRules, RulesError};
use polku_store::{StoreError, now_micros};

use crate::RuleAdmin;

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Approved,
    Rejected,
    Withdrawn,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
            ProposalState::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> Option<ProposalState> {
        [
            ProposalState::Proposed,
            ProposalState::Approved,
            ProposalState::Rejected,
            ProposalState::Withdrawn,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

impl fmt::Display for ProposalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a proposal's backtest is reused for later views.
pub const BACKTEST_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(300);

/// Backtests computed recently, by proposal: a process keeps one and passes it to
/// [`RuleAdmin::backtest_proposal`].
#[derive(Debug, Default)]
pub struct BacktestCache {
    entries: tokio::sync::Mutex<HashMap<Uuid, CachedBacktest>>,
}

/// When it was computed, against which approved rules (their stamp), and what it showed.
type CachedBacktest = (std::time::Instant, (i64, i64), Arc<Backtest>);

/// A proposed text for one rule set, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProposal {
    pub id: Uuid,
    pub rule_set: String,
    pub text: String,
    /// The tests file as proposed; `None` keeps the one in force.
    pub tests_text: Option<String>,
    /// Why: the change in law or policy it follows.
    pub summary: String,
    /// `YYYY-MM-DD`: applications filed from this day are decided by it.
    pub effective_from: String,
    /// The approved proposal it was written against; `None`: the shipped text.
    pub base: Option<Uuid>,
    pub state: ProposalState,
    pub proposed_by: Uuid,
    pub proposed_by_name: String,
    pub proposed_at: i64,
    pub decided_by: Option<Uuid>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub backtest_evaluated: Option<i64>,
    pub backtest_changed: Option<i64>,
}

impl RuleProposal {
    pub fn effective_date(&self) -> Result<Date, ProposalError> {
        self.effective_from
            .parse()
            .map_err(|_| ProposalError::StoredTextBroken {
                id: self.id,
                detail: format!("unreadable effective date `{}`", self.effective_from),
            })
    }
}

/// What an official proposes.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub rule_set: String,
    /// The approved proposal whose text the official edited (`None`: the shipped text).
    /// If another change was approved since, the proposal is refused as stale rather than
    /// silently undoing that change.
    pub base: Option<Uuid>,
    pub text: String,
    pub tests_text: Option<String>,
    pub summary: String,
    pub effective_from: String,
}

/// A proposed text checked against the latest rules: its load errors, or the book it makes
/// and its test results.
#[derive(Debug)]
pub struct ProposalCheck {
    /// Every problem of the text, one sentence each (`file:line: …`).
    pub errors: Vec<String>,
    pub tests: Vec<TestResult>,
    pub book: Option<RuleBook>,
}

impl ProposalCheck {
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.book.is_some() && self.tests.iter().all(|t| t.passed())
    }

    pub fn failed_tests(&self) -> usize {
        self.tests.iter().filter(|t| !t.passed()).count()
    }

    /// The check itself when it passed; otherwise why not (what may not be stored or
    /// approved).
    pub fn passing(self) -> Result<ProposalCheck, ProposalError> {
        if !self.errors.is_empty() {
            return Err(ProposalError::Check(self.errors));
        }
        match self.failed_tests() {
            0 => Ok(self),
            n => Err(ProposalError::TestsFail(n)),
        }
    }
}

/// Loads `text` (and `tests`) in place of rule set `rule_set`'s files in `latest` and runs
/// the rule set's test cases. Writes nothing.
pub fn check_proposal(
    latest: &RuleBook,
    rule_set: &str,
    text: &str,
    tests: Option<&str>,
) -> ProposalCheck {
    match latest.with_text(rule_set, text, tests) {
        Ok(book) => {
            let tests = book.get(rule_set).map(run_tests).unwrap_or_default();
            // Without its examples a change could not be checked: none may be dropped below
            // the minimum.
            let errors = if tests.len() < MIN_TEST_CASES {
                vec![format!(
                    "the rule set has {} test cases; at least {MIN_TEST_CASES} are needed",
                    tests.len()
                )]
            } else {
                Vec::new()
            };
            ProposalCheck {
                errors,
                tests,
                book: Some(book),
            }
        }
        Err(polku_rules::ReplaceError::Load(errors)) => ProposalCheck {
            errors: errors.0.iter().map(|e| e.to_string()).collect(),
            tests: Vec::new(),
            book: None,
        },
        Err(e) => ProposalCheck {
            errors: vec![e.to_string()],
            tests: Vec::new(),
            book: None,
        },
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    #[error("there is no rule proposal {0}")]
    NotFound(Uuid),
    #[error("no rule set has the id `{0}`")]
    NoSuchRuleSet(String),
    #[error("the role {0} may not {1}")]
    Forbidden(Role, &'static str),
    #[error("a proposal is approved or rejected by a legal officer other than its proposer")]
    OwnProposal,
    #[error("only its proposer may withdraw a proposal")]
    NotProposer,
    #[error("the proposal is {0}, no longer open")]
    NotOpen(ProposalState),
    #[error("`{0}` is not a date YYYY-MM-DD")]
    BadDate(String),
    #[error(
        "a change takes effect after the day it is approved ({effective_from} is not after {today}), so that no decision already made changes its rules"
    )]
    NotInFuture {
        effective_from: String,
        today: String,
    },
    #[error(
        "a change to this rule set already takes effect on {0}; a later change cannot take effect before it"
    )]
    BeforeLatest(String),
    #[error("say why the rules change")]
    NoSummary,
    #[error("say why the proposal is rejected")]
    NoNote,
    #[error("the proposed text does not load:\n{}", .0.join("\n"))]
    Check(Vec<String>),
    #[error("{0} of the rule set's test cases fail under the proposed text")]
    TestsFail(usize),
    #[error(
        "another change to this rule set was approved after this proposal was written; propose again against it"
    )]
    Stale,
    #[error("the approved rule proposal {id} no longer loads: {detail}")]
    StoredTextBroken { id: Uuid, detail: String },
    /// The past decisions a backtest reads could not be read.
    #[error(transparent)]
    Case(CaseError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RulesError> for ProposalError {
    fn from(e: RulesError) -> Self {
        match e {
            RulesError::Store(s) => ProposalError::Store(s),
            RulesError::Shelf(polku_decide::ShelfError::StoredTextBroken { id, detail }) => {
                ProposalError::StoredTextBroken { id, detail }
            }
        }
    }
}

impl From<sqlx::Error> for ProposalError {
    fn from(e: sqlx::Error) -> Self {
        ProposalError::Store(StoreError::Sql(e))
    }
}

const COLUMNS: &str = "id, rule_set, text, tests_text, summary, effective_from, base, state,
    proposed_by, proposed_by_name, proposed_at, decided_by, decided_by_name, decided_at,
    decision_note, backtest_evaluated, backtest_changed";

fn proposal_from_row(row: &sqlx::any::AnyRow) -> Result<RuleProposal, ProposalError> {
    let id: String = row.try_get("id")?;
    let uuid_of = |column: &'static str, text: &str| -> Result<Uuid, ProposalError> {
        Ok(codec::uuid("rule_proposals", &id, column, text).map_err(StoreError::from)?)
    };
    let opt_uuid = |column: &'static str| -> Result<Option<Uuid>, ProposalError> {
        row.try_get::<Option<String>, _>(column)?
            .map(|s| uuid_of(column, &s))
            .transpose()
    };
    let state: String = row.try_get("state")?;
    Ok(RuleProposal {
        id: uuid_of("id", &id)?,
        rule_set: row.try_get("rule_set")?,
        text: row.try_get("text")?,
        tests_text: row.try_get("tests_text")?,
        summary: row.try_get("summary")?,
        effective_from: row.try_get("effective_from")?,
        base: opt_uuid("base")?,
        state: ProposalState::parse(&state).ok_or_else(|| {
            StoreError::from(CorruptRow::new(
                "rule_proposals",
                &id,
                "state",
                format!("`{state}` is not a proposal state"),
            ))
        })?,
        proposed_by: uuid_of("proposed_by", &row.try_get::<String, _>("proposed_by")?)?,
        proposed_by_name: row.try_get("proposed_by_name")?,
        proposed_at: row.try_get("proposed_at")?,
        decided_by: opt_uuid("decided_by")?,
        decided_by_name: row.try_get("decided_by_name")?,
        decided_at: row.try_get("decided_at")?,
        decision_note: row.try_get("decision_note")?,
        backtest_evaluated: row.try_get("backtest_evaluated")?,
        backtest_changed: row.try_get("backtest_changed")?,
    })
}

fn today() -> Date {
    polku_cases::today_in_finland()
}

fn entry(by: &Principal, purpose: &str, detail: serde_json::Value) -> AuditEntry {
    AuditEntry {
        log: AuditLog::Rules,
        actor: Actor::User(by.user_id),
        organisation: by.organisation.clone(),
        person: None,
        purpose: purpose.to_owned(),
        legal_basis: Some("HL 53 e §".to_owned()),
        detail,
        x_road: Default::default(),
    }
}

impl RuleAdmin {
    /// Stores a proposal that loads and passes its tests, and logs it. Case handlers and
    /// legal officers may propose.
    pub async fn propose_rules(
        &self,
        new: &NewProposal,
        by: &Principal,
        rules: &LiveRules,
    ) -> Result<RuleProposal, ProposalError> {
        if !matches!(by.role, Role::CaseHandler | Role::LegalOfficer) {
            return Err(ProposalError::Forbidden(by.role, "propose rule changes"));
        }
        if new.summary.trim().is_empty() {
            return Err(ProposalError::NoSummary);
        }
        // The latest approved changes, also those approved on another server a moment ago.
        rules.refresh().await?;
        let shelf = rules.shelf();
        if shelf.latest().get(&new.rule_set).is_none() {
            return Err(ProposalError::NoSuchRuleSet(new.rule_set.clone()));
        }
        let effective = parse_future(&new.effective_from)?;
        let (latest, latest_from) = self.latest_approved(&new.rule_set).await?;
        if latest != new.base {
            return Err(ProposalError::Stale);
        }
        let base = new.base;
        if let Some(from) = latest_from.filter(|f| *f > effective) {
            return Err(ProposalError::BeforeLatest(from.to_string()));
        }
        let check = check_proposal(
            shelf.latest(),
            &new.rule_set,
            &new.text,
            new.tests_text.as_deref(),
        )
        .passing()?;
        let id = Uuid::now_v7();
        let now = now_micros();
        let mut tx = self.db().begin_write().await?;
        sqlx::query(
            "INSERT INTO rule_proposals (id, rule_set, text, tests_text, summary, effective_from,
                 base, state, proposed_by, proposed_by_name, proposed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(&new.rule_set)
        .bind(&new.text)
        .bind(new.tests_text.as_deref())
        .bind(new.summary.trim())
        .bind(effective.to_string())
        .bind(base.map(|b| b.to_string()))
        .bind(by.user_id.to_string())
        .bind(&by.name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        append_in(
            &mut tx,
            &entry(
                by,
                "rule administration: proposal",
                json!({
                    "proposal": id, "rule_set": new.rule_set, "effective_from": effective.to_string(),
                    "text_sha256": sha256(&new.text), "tests": check.tests.len(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(proposal = %id, rule_set = %new.rule_set, effective = %effective, "rule change proposed");
        self.rule_proposal(id)
            .await?
            .ok_or(ProposalError::NotFound(id))
    }

    pub async fn rule_proposal(&self, id: Uuid) -> Result<Option<RuleProposal>, ProposalError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM rule_proposals WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    /// Every proposal, open ones first, then the newest.
    pub async fn rule_proposals(&self) -> Result<Vec<RuleProposal>, ProposalError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM rule_proposals
             ORDER BY CASE WHEN state = 'proposed' THEN 0 ELSE 1 END, proposed_at DESC"
        )))
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// The approved proposals: the texts the live rules lay over the shipped ones.
    pub async fn approved_proposals(&self) -> Result<Vec<RuleProposal>, ProposalError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM rule_proposals WHERE state = 'approved'
             ORDER BY effective_from, decided_at"
        )))
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// The rule set's latest approved proposal and its effective date.
    async fn latest_approved(
        &self,
        rule_set: &str,
    ) -> Result<(Option<Uuid>, Option<Date>), ProposalError> {
        latest_approved_in(self.db().pool(), rule_set).await
    }

    /// Re-evaluates the matter's past automated decisions as if filed on the proposal's
    /// effective date, under the rules in force then and under the proposal, and logs the
    /// reading of those applications. A backtest of the same proposal against the same
    /// rules less than [`BACKTEST_MAX_AGE`] old is reused from `cache` (the read is logged
    /// all the same): it costs a re-evaluation of every past decision of the matter.
    pub async fn backtest_proposal(
        &self,
        id: Uuid,
        by: &Principal,
        rules: &LiveRules,
        cache: &BacktestCache,
    ) -> Result<Arc<Backtest>, ProposalError> {
        if !matches!(by.role, Role::CaseHandler | Role::LegalOfficer) {
            return Err(ProposalError::Forbidden(by.role, "backtest rule changes"));
        }
        let p = self
            .rule_proposal(id)
            .await?
            .ok_or(ProposalError::NotFound(id))?;
        // A monitoring rule set decides nothing: it has no past decisions, so nothing is read
        // (and no read logged). Its own test cases are what check the change.
        if rules
            .shelf()
            .latest()
            .get(&p.rule_set)
            .is_some_and(|rs| rs.is_monitoring())
        {
            return Ok(Arc::new(Backtest {
                matter: p.rule_set.clone(),
                evaluated: 0,
                changed: Vec::new(),
            }));
        }
        let stamp = rules.shelf().stamp();
        let cached = {
            let mut entries = cache.entries.lock().await;
            entries.retain(|_, (at, _, _)| at.elapsed() < BACKTEST_MAX_AGE);
            entries
                .get(&id)
                .filter(|(_, s, _)| *s == stamp)
                .map(|(_, _, b)| b.clone())
        };
        // Computed outside the lock: a long backtest holds up no view of another proposal
        // (two views of one proposal at the same moment may both compute it).
        let (backtest, reused) = match cached {
            Some(b) => (b, true),
            None => {
                let b = Arc::new(self.backtest_of(&p, rules).await?);
                cache
                    .entries
                    .lock()
                    .await
                    .insert(id, (std::time::Instant::now(), stamp, b.clone()));
                (b, false)
            }
        };
        AuditChain::new(self.db().clone())
            .append(&entry(
                by,
                "rule administration: backtest (reads past applications of the matter)",
                json!({
                    "proposal": p.id, "rule_set": p.rule_set, "evaluated": backtest.evaluated,
                    "changed": backtest.changed.len(), "reused": reused,
                }),
            ))
            .await?;
        Ok(backtest)
    }

    async fn backtest_of(
        &self,
        p: &RuleProposal,
        rules: &LiveRules,
    ) -> Result<Backtest, ProposalError> {
        let on = p.effective_date()?;
        let shelf = rules.shelf();
        let current = shelf.on(on);
        let check = check_proposal(current, &p.rule_set, &p.text, p.tests_text.as_deref());
        let Some(proposed) = check.book else {
            return Err(ProposalError::Check(check.errors));
        };
        self.cases
            .backtest_between(&p.rule_set, current, &proposed, Some(on))
            .await
            .map_err(|e| match e {
                CaseError::Store(s) => ProposalError::Store(s),
                other => ProposalError::Case(other),
            })
    }

    /// A second legal officer approves: the text is re-checked against the latest rules,
    /// backtested, and from its effective date decides the matter. The live rules of this
    /// process are refreshed at once; other processes pick the change up on their next
    /// refresh.
    pub async fn approve_proposal(
        &self,
        id: Uuid,
        by: &Principal,
        note: &str,
        rules: &LiveRules,
    ) -> Result<RuleProposal, ProposalError> {
        let p = self.open_proposal_for_decision(id, by).await?;
        let effective = parse_future(&p.effective_from)?;
        // Check and backtest against every change approved so far, on any server.
        rules.refresh().await?;
        check_proposal(
            rules.shelf().latest(),
            &p.rule_set,
            &p.text,
            p.tests_text.as_deref(),
        )
        .passing()?;
        let backtest = self.backtest_of(&p, rules).await?;
        let mut tx = self.db().begin_write().await?;
        // The audit append takes the chain's head lock first: two approvals of the same rule
        // set queue here, and the second sees the first's row below.
        append_in(
            &mut tx,
            &entry(
                by,
                "rule administration: approval",
                json!({
                    "proposal": p.id, "rule_set": p.rule_set, "effective_from": effective.to_string(),
                    "proposed_by": p.proposed_by, "text_sha256": sha256(&p.text),
                    "backtest": {"evaluated": backtest.evaluated, "changed": backtest.changed.len()},
                    "note": note,
                }),
            ),
        )
        .await?;
        let (latest, latest_from) = latest_approved_in(&mut *tx, &p.rule_set).await?;
        if latest != p.base {
            return Err(ProposalError::Stale);
        }
        if let Some(from) = latest_from.filter(|f| *f > effective) {
            return Err(ProposalError::BeforeLatest(from.to_string()));
        }
        let done = sqlx::query(
            "UPDATE rule_proposals SET state = 'approved', decided_by = $1, decided_by_name = $2,
                 decided_at = $3, decision_note = $4, backtest_evaluated = $5, backtest_changed = $6
             WHERE id = $7 AND state = 'proposed'",
        )
        .bind(by.user_id.to_string())
        .bind(&by.name)
        .bind(now_micros())
        .bind(note.trim())
        .bind(i64::try_from(backtest.evaluated).unwrap_or(i64::MAX))
        .bind(i64::try_from(backtest.changed.len()).unwrap_or(i64::MAX))
        .bind(p.id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            drop(tx);
            return Err(self.no_longer_open(p.id).await);
        }
        // The backtest may have taken long: the day the change takes effect must still
        // lie ahead when the approval commits (workers rely on it, see LiveRules).
        parse_future(&p.effective_from)?;
        tx.commit().await?;
        tracing::info!(proposal = %p.id, rule_set = %p.rule_set, effective = %effective, "rule change approved");
        rules.refresh().await?;
        self.rule_proposal(id)
            .await?
            .ok_or(ProposalError::NotFound(id))
    }

    /// A second legal officer rejects, saying why.
    pub async fn reject_proposal(
        &self,
        id: Uuid,
        by: &Principal,
        note: &str,
    ) -> Result<RuleProposal, ProposalError> {
        if note.trim().is_empty() {
            return Err(ProposalError::NoNote);
        }
        let p = self.open_proposal_for_decision(id, by).await?;
        self.close_proposal(
            &p,
            by,
            ProposalState::Rejected,
            note,
            "rule administration: rejection",
        )
        .await
    }

    /// The proposer takes their proposal back.
    pub async fn withdraw_proposal(
        &self,
        id: Uuid,
        by: &Principal,
    ) -> Result<RuleProposal, ProposalError> {
        let p = self
            .rule_proposal(id)
            .await?
            .ok_or(ProposalError::NotFound(id))?;
        if p.proposed_by != by.user_id {
            return Err(ProposalError::NotProposer);
        }
        if p.state != ProposalState::Proposed {
            return Err(ProposalError::NotOpen(p.state));
        }
        self.close_proposal(
            &p,
            by,
            ProposalState::Withdrawn,
            "",
            "rule administration: withdrawal",
        )
        .await
    }

    async fn open_proposal_for_decision(
        &self,
        id: Uuid,
        by: &Principal,
    ) -> Result<RuleProposal, ProposalError> {
        if by.role != Role::LegalOfficer {
            return Err(ProposalError::Forbidden(
                by.role,
                "approve or reject rule changes",
            ));
        }
        let p = self
            .rule_proposal(id)
            .await?
            .ok_or(ProposalError::NotFound(id))?;
        if p.proposed_by == by.user_id {
            return Err(ProposalError::OwnProposal);
        }
        if p.state != ProposalState::Proposed {
            return Err(ProposalError::NotOpen(p.state));
        }
        Ok(p)
    }

    async fn close_proposal(
        &self,
        p: &RuleProposal,
        by: &Principal,
        state: ProposalState,
        note: &str,
        purpose: &str,
    ) -> Result<RuleProposal, ProposalError> {
        let mut tx = self.db().begin_write().await?;
        // The audit append first, as in an approval: both take the chain's head lock before
        // the proposal's row, so concurrent steps on one proposal queue instead of
        // deadlocking on PostgreSQL.
        append_in(
            &mut tx,
            &entry(
                by,
                purpose,
                json!({"proposal": p.id, "rule_set": p.rule_set, "note": note.trim()}),
            ),
        )
        .await?;
        let done = sqlx::query(
            "UPDATE rule_proposals SET state = $1, decided_by = $2, decided_by_name = $3,
                 decided_at = $4, decision_note = $5
             WHERE id = $6 AND state = 'proposed'",
        )
        .bind(state.as_str())
        .bind(by.user_id.to_string())
        .bind(&by.name)
        .bind(now_micros())
        .bind(note.trim())
        .bind(p.id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            drop(tx);
            return Err(self.no_longer_open(p.id).await);
        }
        tx.commit().await?;
        self.rule_proposal(p.id)
            .await?
            .ok_or(ProposalError::NotFound(p.id))
    }

    /// Why a proposal could not be closed: the state someone else put it in meanwhile.
    async fn no_longer_open(&self, id: Uuid) -> ProposalError {
        match self.rule_proposal(id).await {
            Ok(Some(p)) => ProposalError::NotOpen(p.state),
            Ok(None) => ProposalError::NotFound(id),
            Err(e) => e,
        }
    }
}

async fn latest_approved_in<'e, E>(
    executor: E,
    rule_set: &str,
) -> Result<(Option<Uuid>, Option<Date>), ProposalError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "SELECT id, effective_from FROM rule_proposals WHERE rule_set = $1 AND state = 'approved'
         ORDER BY effective_from DESC, decided_at DESC LIMIT 1",
    )
    .bind(rule_set)
    .fetch_optional(executor)
    .await?;
    match row {
        None => Ok((None, None)),
        Some(r) => {
            let id: String = r.try_get("id")?;
            let from: String = r.try_get("effective_from")?;
            let id = codec::id("rule_proposals", &id).map_err(StoreError::from)?;
            Ok((Some(id), from.parse().ok()))
        }
    }
}

/// `text` as a date after today.
fn parse_future(text: &str) -> Result<Date, ProposalError> {
    let date: Date = polku_rules::schema::parse_date(text.trim())
        .ok_or_else(|| ProposalError::BadDate(text.to_owned()))?;
    let today = today();
    if date <= today {
        return Err(ProposalError::NotInFuture {
            effective_from: date.to_string(),
            today: today.to_string(),
        });
    }
    Ok(date)
}

fn sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
