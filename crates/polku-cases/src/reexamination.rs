//! Re-examination of a granted permit: a case a person opens when a condition the permit
//! rests on stopped holding (a monitoring alert they confirmed). It starts with a person
//! (`referred`), never with the pipeline; the holder is heard before any decision, and a
//! person's "grant" on it means the permit stays in force — it creates no new permit.
//! Nothing here cancels a permit: that is a person's decision, recorded as one.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::error::CaseError;
use crate::events::DomainEvent;
use crate::handle::{Cases, now_micros};
use crate::registration::today_in_finland;
use polku_audit::Actor;
use polku_store::{CorruptRow, codec};

/// Why a case exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
pub enum CasePurpose {
    /// An application someone filed (or an official registered).
    Application,
    /// A re-examination of the permit `permit`.
    Reexamination { permit: Uuid },
    /// Not a case at all: a person's own request to see, before filing, what the registers
    /// hold about them and how the conditions look. Never stored, never decided; the
    /// registers' disclosures say it was a preview.
    Preview,
}

impl CasePurpose {
    /// As stored in `cases.purpose`.
    pub fn code(self) -> &'static str {
        match self {
            CasePurpose::Application => "application",
            CasePurpose::Reexamination { .. } => "reexamination",
            CasePurpose::Preview => "preview",
        }
    }

    pub(crate) fn read(
        case: Uuid,
        code: &str,
        permit: Option<String>,
    ) -> Result<CasePurpose, CaseError> {
        match (code, permit) {
            ("application", None) => Ok(CasePurpose::Application),
            ("reexamination", Some(p)) => Ok(CasePurpose::Reexamination {
                permit: codec::uuid("cases", &case.to_string(), "reexamines", &p)?,
            }),
            (code, permit) => Err(CorruptRow::new(
                "cases",
                case,
                "purpose",
                format!("purpose `{code}` with re-examined permit {permit:?}"),
            )
            .into()),
        }
    }
}

/// What a person gives when opening a re-examination.
#[derive(Debug, Clone)]
pub struct NewReexamination<'a> {
    /// The permit to re-examine.
    pub permit: Uuid,
    /// What opened it, once: a second request with the same id gets the first case back.
    pub opened_for: Uuid,
    /// Why, in the words of the person opening it.
    pub reason: &'a str,
    /// The grounds as recorded (the alert's conditions, values and legal basis), shown to
    /// the handler with the case.
    pub grounds: serde_json::Value,
    /// The last day for a decision, if the matter sets one.
    pub deadline: Option<Date>,
}

impl Cases {
    /// Opens a re-examination case of a permit in the handlers' queue (`referred`), with
    /// its first history entry by `by`, in one transaction. Opening it twice for the same
    /// `opened_for` returns the first case. Returns the case and whether it is new.
    pub async fn open_reexamination(
        &self,
        new: &NewReexamination<'_>,
        by: &Actor,
    ) -> Result<(Uuid, bool), CaseError> {
        if let Some(existing) = self.case_opened_for(new.opened_for).await? {
            return Ok((existing, false));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT p.case_id, p.matter, c.applicant_id FROM permits p JOIN cases c ON c.id = p.case_id WHERE p.id = $1",
        )
        .bind(new.permit.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(CaseError::NoSuchPermit(new.permit))?;
        let matter: String = row.try_get("matter")?;
        let holder: String = row.try_get("applicant_id")?;
        let id = Uuid::now_v7();
        let now = now_micros();
        let application = serde_json::json!({
            "reexamination": {
                "permit": new.permit,
                "reason": new.reason,
                "grounds": new.grounds,
            }
        });
        let inserted = sqlx::query(
            "INSERT INTO cases (id, matter, applicant_id, state, application_date, application_json, created_at, updated_at, last_seq, deadline, purpose, reexamines, opened_for)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1, $8, 'reexamination', $9, $10)",
        )
        .bind(id.to_string())
        .bind(&matter)
        .bind(&holder)
        .bind(CaseState::Referred.as_str())
        .bind(today_in_finland().to_string())
        .bind(application.to_string())
        .bind(now)
        .bind(new.deadline.map(|d| d.to_string()))
        .bind(new.permit.to_string())
        .bind(new.opened_for.to_string())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // Opened concurrently for the same reason: that case is the one.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return match self.case_opened_for(new.opened_for).await? {
                    Some(existing) => Ok((existing, false)),
                    None => Err(sqlx::Error::Database(e).into()),
                };
            }
            Err(e) => return Err(e.into()),
        }
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, at, actor, kind, from_state, to_state, reason)
             VALUES ($1, 1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(by.to_string())
        .bind(EventKind::ReexaminationOpened.code())
        .bind(CaseState::Referred.as_str())
        .bind(new.reason)
        .execute(&mut *tx)
        .await?;
        let events = [DomainEvent::ReexaminationOpened {
            case: id,
            person: holder,
            permit: new.permit,
        }];
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        tracing::info!(case = %id, permit = %new.permit, by = %by, "re-examination opened");
        Ok((id, true))
    }

    /// The case opened for `reason`, if one was.
    pub async fn case_opened_for(&self, reason: Uuid) -> Result<Option<Uuid>, CaseError> {
        let row = sqlx::query("SELECT id FROM cases WHERE opened_for = $1")
            .bind(reason.to_string())
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| {
            let id: String = r.try_get("id")?;
            Ok(codec::uuid("cases", &reason.to_string(), "id", &id)?)
        })
        .transpose()
    }
}
