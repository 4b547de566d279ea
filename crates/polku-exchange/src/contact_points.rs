//! Contact points: the unit of an authority that receives a kind of matter, kept by the
//! authority itself and readable by every official (issue 15, item 1).

use polku_audit::{Actor, AuditEntry, AuditLog, XRoad, append_in};
use polku_store::{CorruptRow, now_micros};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::{Authority, Exchange, ExchangeError};

/// A contact point as every official reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactPoint {
    /// Its id: lower-case letters, digits and `-` (e.g. `supo-permits`).
    pub id: String,
    pub organisation: Authority,
    pub name_fi: String,
    pub name_sv: String,
    pub name_en: String,
    pub email: String,
    /// The languages it answers in (`fi`, `sv`, `en`).
    pub languages: Vec<String>,
    /// When it answers, in words.
    pub hours: String,
}

impl ContactPoint {
    /// Its name in `lang` (`fi`, `sv`, otherwise English).
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "fi" => &self.name_fi,
            "sv" => &self.name_sv,
            _ => &self.name_en,
        }
    }
}

/// The most characters a contact point's text field holds.
pub const MAX_FIELD: usize = 200;

/// Whether `id` is a contact point's id.
fn valid_id(id: &str) -> bool {
    (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl ContactPoint {
    /// The first field that does not fit, and why.
    pub fn check(&self) -> Result<(), ExchangeError> {
        let bad = |field: &'static str, why: &str| Err(ExchangeError::Invalid(field, why.into()));
        if !valid_id(&self.id) {
            return bad("id", "3–64 lower-case letters, digits and hyphens");
        }
        for (field, text) in [
            ("name_fi", &self.name_fi),
            ("name_sv", &self.name_sv),
            ("name_en", &self.name_en),
            ("hours", &self.hours),
        ] {
            if text.trim().is_empty() || text.chars().count() > MAX_FIELD {
                return bad(field, "1–200 characters");
            }
            if text.chars().any(char::is_control) {
                return bad(field, "plain text on one line");
            }
        }
        let email_ok = self.email.len() <= MAX_FIELD
            && self.email.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && host.contains('.')
                    && !self
                        .email
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control())
            });
        if !email_ok {
            return bad("email", "an e-mail address");
        }
        if self.languages.is_empty()
            || self
                .languages
                .iter()
                .any(|l| !matches!(l.as_str(), "fi" | "sv" | "en"))
        {
            return bad("languages", "one or more of fi, sv, en");
        }
        Ok(())
    }
}

fn read(r: &sqlx::any::AnyRow) -> Result<ContactPoint, ExchangeError> {
    let id: String = r.try_get("id")?;
    let organisation: String = r.try_get("organisation")?;
    let languages: String = r.try_get("languages")?;
    Ok(ContactPoint {
        organisation: organisation
            .parse()
            .map_err(|e| CorruptRow::new("contact_points", &id, "organisation", e))?,
        name_fi: r.try_get("name_fi")?,
        name_sv: r.try_get("name_sv")?,
        name_en: r.try_get("name_en")?,
        email: r.try_get("email")?,
        languages: languages.split(',').map(str::to_owned).collect(),
        hours: r.try_get("hours")?,
        id,
    })
}

const COLUMNS: &str = "id, organisation, name_fi, name_sv, name_en, email, languages, hours";

impl Exchange {
    /// An authority adds or changes one of its own contact points. Another authority's
    /// contact point of the same id is refused.
    pub async fn keep_contact_point(
        &self,
        point: &ContactPoint,
        actor: &Actor,
    ) -> Result<(), ExchangeError> {
        point.check()?;
        let mut tx = self.db().begin_write().await?;
        let owner: Option<(String,)> =
            sqlx::query_as("SELECT organisation FROM contact_points WHERE id = $1")
                .bind(&point.id)
                .fetch_optional(&mut *tx)
                .await?;
        let now = now_micros();
        if owner.is_some_and(|(org,)| org != point.organisation.code()) {
            return Err(ExchangeError::NotYours(point.id.clone()));
        }
        sqlx::query(
            "INSERT INTO contact_points (id, organisation, name_fi, name_sv, name_en, email, languages, hours, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (id) DO UPDATE SET name_fi = excluded.name_fi, name_sv = excluded.name_sv,
                 name_en = excluded.name_en, email = excluded.email, languages = excluded.languages,
                 hours = excluded.hours, updated_at = excluded.updated_at",
        )
        .bind(&point.id)
        .bind(point.organisation.code())
        .bind(&point.name_fi)
        .bind(&point.name_sv)
        .bind(&point.name_en)
        .bind(&point.email)
        .bind(point.languages.join(","))
        .bind(&point.hours)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        append_in(
            &mut tx,
            &AuditEntry {
                log: AuditLog::Exchange,
                actor: actor.clone(),
                organisation: Some(point.organisation.code().to_owned()),
                person: None,
                purpose: "contact point kept".to_owned(),
                legal_basis: None,
                detail: json!({ "contact_point": point.id, "email": point.email }),
                x_road: XRoad::default(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every contact point, by authority and id.
    pub async fn contact_points(&self) -> Result<Vec<ContactPoint>, ExchangeError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM contact_points ORDER BY organisation, id"
        )))
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(read).collect()
    }

    /// One contact point.
    pub async fn contact_point(&self, id: &str) -> Result<Option<ContactPoint>, ExchangeError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM contact_points WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(read).transpose()
    }
}
