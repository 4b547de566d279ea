//! The permit holder's side of a re-examination: what they are told when a person opened
//! one about their permit — that it was opened, why (each condition in plain words with its
//! legal basis), and by when they can answer — and their answers, kept as written.
//!
//! The holder is heard before any decision (HL 34 §). What the law withholds from them
//! never reaches them: a condition about a security authority's flag or objection, a
//! pending criminal investigation (`polku_rules::disclosure`), an SIS alert or an entry ban
//! is told only as "a person assesses this", with no text, legal basis or value that would
//! say which it is.

use jiff::civil::Date;
use polku_cases::{CasePurpose, CaseState, finland};
use polku_decide::StoredCondition;
use polku_rules::Lang;
use polku_rules::disclosure::withheld_from_applicant;
use polku_store::{codec, now_micros};
use sqlx::Row;
use uuid::Uuid;

use crate::monitor::{Monitor, MonitorError};

/// The days the holder has to answer, counted from the day (in Finland) the
/// re-examination opened: the authority's own time for a hearing, stated once here.
pub const ANSWER_DAYS: i64 = 14;

/// The longest answer, in characters.
pub const MAX_ANSWER: usize = 20_000;

/// Whether the law withholds from the holder a condition that read `paths`: the fields
/// withheld from every applicant, and any SIS field (an alert or entry ban another state
/// entered). A condition whose trace names no field is withheld too: what it read is not
/// known, so nothing of it is shown.
pub fn withheld_from_holder<'a>(paths: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    for path in paths {
        any = true;
        if withheld_from_applicant(path) || path.starts_with("evidence.sis.") {
            return true;
        }
    }
    !any
}

/// One reason for a re-examination, as the holder reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderGround {
    /// The condition in plain words, its legal basis and what the registers showed.
    Stated {
        text: String,
        legal_basis: String,
        explanation: String,
    },
    /// A condition the law withholds from the holder: only that a person assesses it.
    AssessedByPerson,
}

impl HolderGround {
    fn of(c: &StoredCondition) -> HolderGround {
        if withheld_from_holder(c.inputs.iter().map(|i| i.path.as_str())) {
            HolderGround::AssessedByPerson
        } else {
            HolderGround::Stated {
                text: c.text.clone(),
                legal_basis: c.legal_basis.clone(),
                explanation: c.explanation.clone(),
            }
        }
    }
}

/// A re-examination of the holder's permit, as they are told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderReexamination {
    pub case: Uuid,
    pub permit: Uuid,
    /// The day (in Finland) it opened.
    pub opened_on: Date,
    /// The last day to answer: [`ANSWER_DAYS`] after it opened.
    pub answer_by: Date,
    /// Why, in the language asked.
    pub grounds: Vec<HolderGround>,
    /// The legal basis for re-examining the permit, as the monitoring rule set states it.
    pub basis: Option<String>,
    /// Whether the holder can still answer: the case is neither decided nor withdrawn.
    pub open: bool,
}

/// An answer the holder gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderAnswer {
    pub id: Uuid,
    pub case: Uuid,
    pub person: String,
    pub text: String,
    /// Microseconds since the Unix epoch.
    pub answered_at: i64,
}

/// Why an answer was not kept.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("case {0} is no re-examination of a permit of this person")]
    NotTheirs(Uuid),
    #[error("case {0} is decided or withdrawn: it takes no more answers")]
    Closed(Uuid),
    #[error("the answer is empty")]
    Empty,
    #[error("the answer is longer than {MAX_ANSWER} characters")]
    TooLong,
    #[error(transparent)]
    Monitor(#[from] MonitorError),
}

impl From<polku_cases::CaseError> for AnswerError {
    fn from(e: polku_cases::CaseError) -> Self {
        AnswerError::Monitor(e.into())
    }
}

impl From<sqlx::Error> for AnswerError {
    fn from(e: sqlx::Error) -> Self {
        AnswerError::Monitor(e.into())
    }
}

impl Monitor {
    /// The re-examination case `case` as its holder `person` is told about it, in `lang`;
    /// `None` when it is not a re-examination of a permit of theirs opened from an alert.
    pub async fn reexamination_for_holder(
        &self,
        case: Uuid,
        person: &str,
        lang: Lang,
    ) -> Result<Option<HolderReexamination>, MonitorError> {
        let c = match self.cases.case(case).await {
            Ok(c) => c,
            Err(polku_cases::CaseError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let CasePurpose::Reexamination { permit } = c.purpose else {
            return Ok(None);
        };
        if c.applicant_id != person {
            return Ok(None);
        }
        let Some(alert) = self.alert_of_case(case).await? else {
            return Ok(None);
        };
        let opened_on = jiff::Timestamp::from_microsecond(c.created_at)
            .map_err(|e| polku_store::CorruptRow::new("cases", case, "created_at", e))?
            .to_zoned(finland())
            .date();
        let answer_by = opened_on
            .checked_add(jiff::Span::new().days(ANSWER_DAYS))
            .map_err(|e| polku_store::CorruptRow::new("cases", case, "created_at", e))?;
        let basis = self
            .rules
            .on(opened_on)
            .get(&alert.rule_set)
            .and_then(|rs| rs.monitoring.as_ref())
            .map(|m| m.reexamination_basis.clone());
        Ok(Some(HolderReexamination {
            case,
            permit,
            opened_on,
            answer_by,
            grounds: alert
                .trace
                .get(lang)
                .conditions
                .iter()
                .map(HolderGround::of)
                .collect(),
            basis,
            open: !matches!(c.state, CaseState::Decided | CaseState::Withdrawn),
        }))
    }

    /// The re-examination cases about `person`'s permits.
    pub async fn reexaminations_of(&self, person: &str) -> Result<Vec<Uuid>, MonitorError> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE applicant_id = $1 AND purpose = 'reexamination' ORDER BY created_at, id",
        )
        .bind(person)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(codec::uuid("cases", &id, "id", &id)?)
            })
            .collect()
    }

    /// Keeps the holder's answer in the re-examination of their permit: `person` must be
    /// the holder, the case still open and the answer not empty. Returns its id.
    pub async fn answer(&self, case: Uuid, person: &str, text: &str) -> Result<Uuid, AnswerError> {
        if text.trim().is_empty() {
            return Err(AnswerError::Empty);
        }
        if text.chars().nth(MAX_ANSWER).is_some() {
            return Err(AnswerError::TooLong);
        }
        let c = match self.cases.case(case).await {
            Ok(c) => c,
            Err(polku_cases::CaseError::NotFound(_)) => return Err(AnswerError::NotTheirs(case)),
            Err(e) => return Err(e.into()),
        };
        if !matches!(c.purpose, CasePurpose::Reexamination { .. }) || c.applicant_id != person {
            return Err(AnswerError::NotTheirs(case));
        }
        if matches!(c.state, CaseState::Decided | CaseState::Withdrawn) {
            return Err(AnswerError::Closed(case));
        }
        let id = Uuid::now_v7();
        let mut tx = self.db.begin_write().await.map_err(MonitorError::from)?;
        sqlx::query(
            "INSERT INTO reexamination_answers (id, case_id, person, answer, answered_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(case.to_string())
        .bind(person)
        .bind(text)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(case = %case, answer = %id, "the holder answered in a re-examination");
        Ok(id)
    }

    /// The holder's answers in re-examination case `case`, in the order given. A read of
    /// the holder's data: the caller logs it.
    pub async fn answers(&self, case: Uuid) -> Result<Vec<HolderAnswer>, MonitorError> {
        let rows = sqlx::query(
            "SELECT id, person, answer, answered_at FROM reexamination_answers WHERE case_id = $1 ORDER BY answered_at, id",
        )
        .bind(case.to_string())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(HolderAnswer {
                    id: codec::uuid("reexamination_answers", &id, "id", &id)?,
                    case,
                    person: r.try_get("person")?,
                    text: r.try_get("answer")?,
                    answered_at: r.try_get("answered_at")?,
                })
            })
            .collect()
    }
}
