//! Flags (issue 15, item 3): a security authority raises a flag on a person; the others —
//! the Immigration Service above all — see that a flag exists, its kind, the contact point
//! to turn to and its expiry, never the intelligence behind it (hit / no hit). A flag in
//! force stops every automatic decision about the person ([`crate::FlagEvidence`]); it
//! lapses on its last day unless renewed. Raising, renewing and clearing are each written
//! to the audit chain in the transaction that does it.

use jiff::civil::Date;
use polku_audit::{Actor, AuditEntry, AuditLog, XRoad, append_in};
use polku_cases::PersonId;
use polku_store::{CorruptRow, Tx, now_micros};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{Authority, Exchange, ExchangeError};

/// The longest a flag stays in force without being renewed, in days.
pub const MAX_DAYS_IN_FORCE: i64 = 366;

/// The most characters a flag's legal basis or a clearing's reason holds.
pub const MAX_TEXT: usize = 2000;

/// What a flag is about, as far as others may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// National security (UlkL 36 §: a danger to national security).
    NationalSecurity,
    /// Public order or safety (UlkL 36 §).
    PublicOrder,
    /// A criminal investigation concerning the person.
    CriminalInvestigation,
    /// Suspected misuse of the permit system (a false identity, a sham arrangement).
    SuspectedMisuse,
}

impl FlagKind {
    pub const ALL: [FlagKind; 4] = [
        FlagKind::NationalSecurity,
        FlagKind::PublicOrder,
        FlagKind::CriminalInvestigation,
        FlagKind::SuspectedMisuse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FlagKind::NationalSecurity => "national_security",
            FlagKind::PublicOrder => "public_order",
            FlagKind::CriminalInvestigation => "criminal_investigation",
            FlagKind::SuspectedMisuse => "suspected_misuse",
        }
    }

    pub fn parse(code: &str) -> Option<FlagKind> {
        FlagKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A flag as the authority that raised it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub id: Uuid,
    pub person: PersonId,
    pub kind: FlagKind,
    pub organisation: Authority,
    pub contact_point: String,
    pub legal_basis: String,
    /// The last day in force.
    pub expires_on: Date,
    /// Microseconds since the Unix epoch.
    pub raised_at: i64,
    pub cleared_at: Option<i64>,
}

impl Flag {
    /// Whether it is in force on `day`: not cleared, and not past its last day.
    pub fn in_force(&self, day: Date) -> bool {
        self.cleared_at.is_none() && self.expires_on >= day
    }
}

/// A flag as another authority sees it: that it exists, its kind, whose it is and whom to
/// ask, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagHit {
    pub kind: FlagKind,
    pub organisation: Authority,
    pub contact_point: String,
    pub expires_on: Date,
}

/// A flag to raise.
#[derive(Debug, Clone)]
pub struct NewFlag {
    pub person: PersonId,
    pub kind: FlagKind,
    /// One of the raising authority's own contact points.
    pub contact_point: String,
    /// The provision the flag rests on, in words.
    pub legal_basis: String,
    pub expires_on: Date,
}

/// Who acts, for which authority.
#[derive(Debug, Clone)]
pub struct Raiser {
    pub actor: Actor,
    pub authority: Authority,
}

fn check_text(field: &'static str, text: &str) -> Result<(), ExchangeError> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT {
        return Err(ExchangeError::Invalid(field, "1–2000 characters".into()));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ExchangeError::Invalid(
            field,
            "plain text, no control characters".into(),
        ));
    }
    Ok(())
}

/// A last day in force from `today` to [`MAX_DAYS_IN_FORCE`] days on.
fn check_expiry(expires_on: Date, today: Date) -> Result<(), ExchangeError> {
    let latest = today
        .checked_add(jiff::Span::new().days(MAX_DAYS_IN_FORCE))
        .unwrap_or(today);
    if expires_on < today || expires_on > latest {
        return Err(ExchangeError::Invalid(
            "expires_on",
            format!("a day from {today} to {latest}: a flag lapses unless renewed"),
        ));
    }
    Ok(())
}

fn read(r: &sqlx::any::AnyRow) -> Result<Flag, ExchangeError> {
    let id: String = r.try_get("id")?;
    let corrupt =
        |column: &'static str, detail: String| CorruptRow::new("flags", &id, column, detail);
    let person: String = r.try_get("person_id")?;
    let kind: String = r.try_get("kind")?;
    let organisation: String = r.try_get("organisation")?;
    let expires_on: String = r.try_get("expires_on")?;
    Ok(Flag {
        id: polku_store::codec::id("flags", &id)?,
        person: person
            .parse::<PersonId>()
            .map_err(|e| corrupt("person_id", e.to_string()))?,
        kind: FlagKind::parse(&kind).ok_or_else(|| corrupt("kind", kind.clone()))?,
        organisation: organisation
            .parse()
            .map_err(|e: crate::authority::NotAnAuthority| {
                corrupt("organisation", e.to_string())
            })?,
        contact_point: r.try_get("contact_point")?,
        legal_basis: r.try_get("legal_basis")?,
        expires_on: expires_on
            .parse()
            .map_err(|e: jiff::Error| corrupt("expires_on", e.to_string()))?,
        raised_at: r.try_get("raised_at")?,
        cleared_at: r.try_get("cleared_at")?,
    })
}

const COLUMNS: &str = "id, person_id, kind, organisation, contact_point, legal_basis, expires_on, raised_at, cleared_at";

/// The placeholders `$from`… for `n` values.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The flags in force on `day` on a person known by any of `ids`, read inside `tx` (the
/// pipeline's check) or the pool.
pub(crate) async fn in_force_in(
    conn: &mut sqlx::AnyConnection,
    ids: &[PersonId],
    day: Date,
) -> Result<Vec<Flag>, ExchangeError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM flags WHERE cleared_at IS NULL AND expires_on >= $1
         AND person_id IN ({}) ORDER BY raised_at, id",
        marks(2, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(day.to_string());
    for id in ids {
        q = q.bind(id.to_string());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(read).collect()
}

impl Exchange {
    /// A security authority raises a flag on a person, naming one of its own contact
    /// points. Written with its line in the audit chain, in one transaction.
    pub async fn raise(&self, new: &NewFlag, by: &Raiser) -> Result<Flag, ExchangeError> {
        if !by.authority.raises_flags() {
            return Err(ExchangeError::MayNotFlag(by.authority));
        }
        check_text("legal_basis", &new.legal_basis)?;
        let today = polku_cases::today_in_finland();
        check_expiry(new.expires_on, today)?;
        match self.contact_point(&new.contact_point).await? {
            Some(p) if p.organisation == by.authority => {}
            _ => {
                return Err(ExchangeError::Invalid(
                    "contact_point",
                    format!("`{}` is not one of your contact points", new.contact_point),
                ));
            }
        }
        let id = Uuid::now_v7();
        let now = now_micros();
        let mut tx = self.db().begin_write().await?;
        sqlx::query(
            "INSERT INTO flags (id, person_id, kind, organisation, contact_point, legal_basis, raised_by, raised_at, expires_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(new.person.to_string())
        .bind(new.kind.code())
        .bind(by.authority.code())
        .bind(&new.contact_point)
        .bind(&new.legal_basis)
        .bind(by.actor.to_string())
        .bind(now)
        .bind(new.expires_on.to_string())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            by,
            new.person,
            "flag raised",
            Some(&new.legal_basis),
            json!({
                "flag": id,
                "kind": new.kind.code(),
                "contact_point": new.contact_point,
                "expires_on": new.expires_on.to_string(),
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(flag = %id, kind = new.kind.code(), authority = %by.authority, "flag raised");
        Ok(Flag {
            id,
            person: new.person,
            kind: new.kind,
            organisation: by.authority,
            contact_point: new.contact_point.clone(),
            legal_basis: new.legal_basis.clone(),
            expires_on: new.expires_on,
            raised_at: now,
            cleared_at: None,
        })
    }

    /// The raising authority keeps its flag in force to a new last day.
    pub async fn renew(
        &self,
        flag: Uuid,
        expires_on: Date,
        by: &Raiser,
    ) -> Result<Flag, ExchangeError> {
        check_expiry(expires_on, polku_cases::today_in_finland())?;
        let mut tx = self.db().begin_write().await?;
        let mut found = own_in(&mut tx, flag, by).await?;
        if found.cleared_at.is_some() {
            return Err(ExchangeError::Cleared(flag));
        }
        sqlx::query("UPDATE flags SET expires_on = $2, renewed_at = $3 WHERE id = $1")
            .bind(flag.to_string())
            .bind(expires_on.to_string())
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            by,
            found.person,
            "flag renewed",
            None,
            json!({ "flag": flag, "expires_on": expires_on.to_string(), "was": found.expires_on.to_string() }),
        )
        .await?;
        tx.commit().await?;
        found.expires_on = expires_on;
        Ok(found)
    }

    /// The raising authority clears its flag, with its reason.
    pub async fn clear(&self, flag: Uuid, reason: &str, by: &Raiser) -> Result<(), ExchangeError> {
        check_text("reason", reason)?;
        let mut tx = self.db().begin_write().await?;
        let found = own_in(&mut tx, flag, by).await?;
        if found.cleared_at.is_some() {
            return Err(ExchangeError::Cleared(flag));
        }
        sqlx::query(
            "UPDATE flags SET cleared_at = $2, cleared_by = $3, clear_reason = $4 WHERE id = $1",
        )
        .bind(flag.to_string())
        .bind(now_micros())
        .bind(by.actor.to_string())
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            by,
            found.person,
            "flag cleared",
            None,
            json!({ "flag": flag, "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The flags an authority raised, the newest first, at most `limit`.
    pub async fn flags_of(
        &self,
        authority: Authority,
        limit: i64,
    ) -> Result<Vec<Flag>, ExchangeError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM flags WHERE organisation = $1 ORDER BY raised_at DESC, id DESC LIMIT $2"
        )))
        .bind(authority.code())
        .bind(limit.clamp(1, 500))
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(read).collect()
    }

    /// Hit or no hit: the flags in force today on a person known by any of `ids`, as
    /// another authority may see them. Each read is a disclosure by the flags' authorities
    /// to the reader's, and is in the disclosure log with its purpose — a no hit too,
    /// since it says something.
    pub async fn hits(
        &self,
        ids: &[PersonId],
        reader: &Actor,
        reader_organisation: Option<&str>,
        purpose: &str,
    ) -> Result<Vec<FlagHit>, ExchangeError> {
        let mut conn = self.db().pool().acquire().await?;
        let flags = in_force_in(&mut conn, ids, polku_cases::today_in_finland()).await?;
        drop(conn);
        let person = ids.first().map(ToString::to_string);
        let disclosed: Vec<&str> = flags.iter().map(|f| f.organisation.code()).collect();
        polku_audit::AuditChain::new(self.db().clone())
            .append(&AuditEntry {
                log: AuditLog::Disclosure,
                actor: reader.clone(),
                organisation: reader_organisation.map(str::to_owned),
                person,
                purpose: purpose.to_owned(),
                legal_basis: Some(crate::DISCLOSURE_BASIS.to_owned()),
                detail: json!({ "flags": flags.len(), "from": disclosed }),
                x_road: XRoad::default(),
            })
            .await?;
        Ok(flags
            .into_iter()
            .map(|f| FlagHit {
                kind: f.kind,
                organisation: f.organisation,
                contact_point: f.contact_point,
                expires_on: f.expires_on,
            })
            .collect())
    }
}

/// Flag `flag`, if it is `by`'s authority's.
async fn own_in(tx: &mut Tx, flag: Uuid, by: &Raiser) -> Result<Flag, ExchangeError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM flags WHERE id = $1"
    )))
    .bind(flag.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let found = row
        .as_ref()
        .map(read)
        .transpose()?
        .ok_or(ExchangeError::NoSuchFlag(flag))?;
    // Another authority's flag is not even said to exist.
    if found.organisation != by.authority {
        return Err(ExchangeError::NoSuchFlag(flag));
    }
    Ok(found)
}

async fn audit(
    tx: &mut Tx,
    by: &Raiser,
    person: PersonId,
    purpose: &str,
    legal_basis: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), ExchangeError> {
    append_in(
        tx,
        &AuditEntry {
            log: AuditLog::Exchange,
            actor: by.actor.clone(),
            organisation: Some(by.authority.code().to_owned()),
            person: Some(person.to_string()),
            purpose: purpose.to_owned(),
            legal_basis: legal_basis.map(str::to_owned),
            detail,
            x_road: XRoad::default(),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_back_as_written() {
        for k in FlagKind::ALL {
            assert_eq!(FlagKind::parse(k.code()), Some(k));
        }
        assert_eq!(FlagKind::parse("terrorism"), None);
    }

    #[test]
    fn a_flag_lapses_after_its_last_day_and_when_cleared() {
        let day = jiff::civil::date(2026, 12, 7);
        let flag = Flag {
            id: Uuid::nil(),
            person: PersonId(1),
            kind: FlagKind::PublicOrder,
            organisation: Authority::Police,
            contact_point: "police-permits".into(),
            legal_basis: "UlkL 36 §".into(),
            expires_on: day,
            raised_at: 0,
            cleared_at: None,
        };
        assert!(flag.in_force(day));
        assert!(!flag.in_force(day.tomorrow().unwrap()));
        let cleared = Flag {
            cleared_at: Some(1),
            ..flag
        };
        assert!(!cleared.in_force(day));
        assert!(check_expiry(day, day).is_ok());
        assert!(check_expiry(day.yesterday().unwrap(), day).is_err());
        let too_far = day.checked_add(jiff::Span::new().days(367)).unwrap();
        assert!(check_expiry(too_far, day).is_err());
    }
}
