//! Permits: what a grant creates. Its kind, validity, legal basis and the conditions
//! watched while it is valid come from the rule set's `grants`, so a permit never exists
//! without them; a case has at most one permit.

use jiff::civil::Date;
use polku_rules::{GrantTerms, Grants};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use crate::cases::{Case, CaseError};
use crate::handle::{Cases, now_micros};
use polku_store::{CorruptRow, codec};

/// A permit (or a citizenship) as granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permit {
    pub id: Uuid,
    pub case_id: Uuid,
    pub decision_id: Uuid,
    /// Whose it is: its case's person, as the identity register resolved them.
    pub person_id: Option<crate::PersonId>,
    pub matter: String,
    /// `A`, `B`, `P`, `citizenship`… as the rule set's `grants` names it.
    pub kind: Option<String>,
    pub valid_from: String,
    /// Last day valid; `None`: indefinitely.
    pub valid_until: Option<String>,
    pub legal_basis: Option<String>,
    /// Ids of the conditions re-checked while the permit is valid.
    pub monitored: Vec<String>,
}

/// The last day of a permit valid `months` from `from` (inclusive), or `None` when it
/// holds indefinitely.
pub fn valid_until(from: Date, months: Option<u32>) -> Option<Date> {
    let months = months?;
    from.checked_add(jiff::Span::new().months(i64::from(months)))
        .and_then(|d| d.yesterday())
        .ok()
}

/// Creates the case's permit unless it has one (a grant that confirms an earlier grant
/// keeps the permit that exists). `grants` is `None` only for a matter whose rule set is
/// gone; the permit then records no terms and a person must set them.
pub(crate) async fn grant_in(
    tx: &mut Transaction<'_, Any>,
    case: &Case,
    decision: Uuid,
    (grants, terms): (Option<&Grants>, Option<GrantTerms>),
    from: Date,
    events: &mut Vec<crate::events::DomainEvent>,
) -> Result<(), CaseError> {
    let until = match &terms {
        Some(t) => t.valid_until,
        None => grants.and_then(|g| valid_until(from, g.validity_months)),
    };
    let kind = terms
        .map(|t| t.kind)
        .or_else(|| grants.map(|g| g.kind.clone()));
    let monitored = grants.map(|g| serde_json::to_string(&g.monitored).unwrap_or_default());
    let permit = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO permits (id, case_id, decision_id, matter, valid_from, created_at, kind, valid_until, legal_basis, monitored_json)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE NOT EXISTS (SELECT 1 FROM permits WHERE case_id = $2)",
    )
    .bind(permit.to_string())
    .bind(case.id.to_string())
    .bind(decision.to_string())
    .bind(&case.matter)
    .bind(from.to_string())
    .bind(now_micros())
    .bind(kind.clone())
    .bind(until.map(|d| d.to_string()))
    .bind(grants.map(|g| g.legal_basis.clone()))
    .bind(monitored)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        events.push(crate::events::DomainEvent::PermitGranted {
            case: case.id,
            person: case.applicant_id.clone(),
            permit,
            kind,
            valid_until: until.map(|d| d.to_string()),
        });
    }
    Ok(())
}

impl Cases {
    /// The case's permit, if it was granted.
    pub async fn permit(&self, case: Uuid) -> Result<Option<Permit>, CaseError> {
        let row = sqlx::query(
            "SELECT p.id, p.decision_id, p.matter, p.kind, p.valid_from, p.valid_until, p.legal_basis,
                    p.monitored_json, c.person_id
             FROM permits p JOIN cases c ON c.id = p.case_id WHERE p.case_id = $1",
        )
        .bind(case.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        // A case has at most one permit: the case's id keys the row.
        let key = case.to_string();
        let uuid = |column: &'static str| -> Result<Uuid, CaseError> {
            let s: String = r.try_get(column)?;
            Ok(codec::uuid("permits", &key, column, &s)?)
        };
        let monitored: Option<String> = r.try_get("monitored_json")?;
        Ok(Some(Permit {
            id: uuid("id")?,
            case_id: case,
            decision_id: uuid("decision_id")?,
            person_id: crate::handle::stored_person("cases", case, r.try_get("person_id")?)?,
            matter: r.try_get("matter")?,
            kind: r.try_get("kind")?,
            valid_from: r.try_get("valid_from")?,
            valid_until: r.try_get("valid_until")?,
            legal_basis: r.try_get("legal_basis")?,
            monitored: match monitored {
                Some(m) => serde_json::from_str(&m)
                    .map_err(|e| CorruptRow::new("permits", case, "monitored_json", e))?,
                None => Vec::new(),
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let from = jiff::civil::date(2025, 5, 2);
        assert_eq!(
            valid_until(from, Some(48)),
            Some(jiff::civil::date(2029, 5, 1))
        );
        assert_eq!(valid_until(from, None), None);
    }
}
