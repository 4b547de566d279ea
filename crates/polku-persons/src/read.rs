//! Reading: a person's standing for the pipeline, the identity queue, a link with its two
//! records, a person with their history. A read of a person's data is use-logged with its
//! purpose in the same transaction as the read's log line.

use polku_audit::{AuditEntry, AuditLog, XRoad, append_in};
use polku_identity::links::Colour;
use polku_identity::persons::PersonId;
use serde_json::json;

use crate::register::Acting;
use crate::views::{
    HistoryEntry, IdentityChange, LINK_COLUMNS, Link, LinkRow, LinkedRecord, PersonView, Standing,
    link_of, record_of,
};
use crate::{Persons, PersonsError};

/// Record columns as [`record_of`] reads them.
const RECORD_COLUMNS: &str = "seq, record, subject, person_id, registered_at";
type RecordRow = (i64, String, Option<String>, i64, i64);

fn read_record(row: RecordRow) -> Result<LinkedRecord, PersonsError> {
    let (seq, raw, subject, person, at) = row;
    Ok(record_of(seq, &raw, subject, person, at)?)
}

impl Persons {
    /// The person the register holds `subject`'s records under, if any.
    pub async fn person_of_subject(&self, subject: &str) -> Result<Option<PersonId>, PersonsError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT person_id FROM identity_records WHERE subject = $1 ORDER BY seq LIMIT 1",
        )
        .bind(subject)
        .fetch_optional(self.cases.db().pool())
        .await?;
        Ok(row.map(|(p,)| PersonId(p as u64)))
    }

    /// Where the person with `subject`'s records stands; `None`: the register holds none.
    pub async fn standing_of_subject(
        &self,
        subject: &str,
    ) -> Result<Option<Standing>, PersonsError> {
        match self.person_of_subject(subject).await? {
            Some(p) => Ok(Some(self.standing(p).await?)),
            None => Ok(None),
        }
    }

    /// The open and the red links touching `person`'s records.
    pub async fn standing(&self, person: PersonId) -> Result<Standing, PersonsError> {
        let person = self.current(person).await?;
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT l.left_seq, l.right_seq, l.colour FROM identity_links l
             WHERE l.colour IN ('yellow', 'red')
               AND (l.left_seq IN (SELECT seq FROM identity_records WHERE person_id = $1)
                 OR l.right_seq IN (SELECT seq FROM identity_records WHERE person_id = $1))",
        )
        .bind(person.0 as i64)
        .fetch_all(self.cases.db().pool())
        .await?;
        let count = |c: Colour| rows.iter().filter(|r| r.2 == c.code()).count() as u32;
        Ok(Standing {
            person,
            open: count(Colour::Yellow),
            red: count(Colour::Red),
        })
    }

    /// The person `id` is now: itself, or the person it was merged into.
    pub async fn current(&self, id: PersonId) -> Result<PersonId, PersonsError> {
        let mut at = id;
        for _ in 0..64 {
            let row: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT merged_into FROM identity_persons WHERE person_id = $1")
                    .bind(at.0 as i64)
                    .fetch_optional(self.cases.db().pool())
                    .await?;
            match row {
                None => return Err(PersonsError::NoSuchPerson(id)),
                Some((None,)) => return Ok(at),
                Some((Some(into),)) => at = PersonId(into as u64),
            }
        }
        Err(PersonsError::NoSuchPerson(id))
    }

    /// Every id the person `id` is now has had: their id first, then the ids merged into
    /// it (aliases), oldest first — what a case or a permit may carry.
    pub async fn ids_of(&self, id: PersonId) -> Result<Vec<PersonId>, PersonsError> {
        let person = self.current(id).await?;
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT person_id FROM identity_persons WHERE merged_into = $1 ORDER BY person_id",
        )
        .bind(person.0 as i64)
        .fetch_all(self.cases.db().pool())
        .await?;
        Ok(std::iter::once(person)
            .chain(rows.into_iter().map(|(p,)| PersonId(p as u64)))
            .collect())
    }

    /// The identity queue: open (yellow) links, the oldest first, at most `limit`; and how
    /// many are open in all.
    pub async fn open_links(&self, limit: u32) -> Result<(Vec<Link>, u64), PersonsError> {
        let rows: Vec<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM identity_links WHERE colour = 'yellow'
             ORDER BY created_at, left_seq, right_seq LIMIT $1"
        )))
        .bind(i64::from(limit))
        .fetch_all(self.cases.db().pool())
        .await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM identity_links WHERE colour = 'yellow'")
                .fetch_one(self.cases.db().pool())
                .await?;
        let links = rows
            .into_iter()
            .map(link_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((links, total as u64))
    }

    /// The identity queue with each link's two records, the oldest first, at most
    /// `limit`, and how many are open in all; the read is use-logged once, naming every
    /// person shown.
    pub async fn queue(
        &self,
        limit: u32,
        reader: &Acting,
    ) -> Result<(Vec<(Link, LinkedRecord, LinkedRecord)>, u64), PersonsError> {
        let (links, total) = self.open_links(limit).await?;
        if links.is_empty() {
            return Ok((Vec::new(), total));
        }
        let mut tx = self.cases.db().begin_write().await?;
        let mut out = Vec::with_capacity(links.len());
        let mut persons: Vec<String> = Vec::new();
        for link in links {
            let mut pair = Vec::with_capacity(2);
            for seq in [link.left, link.right] {
                let row: RecordRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {RECORD_COLUMNS} FROM identity_records WHERE seq = $1"
                )))
                .bind(seq as i64)
                .fetch_one(&mut *tx)
                .await?;
                let r = read_record(row)?;
                let p = r.person.to_string();
                if !persons.contains(&p) {
                    persons.push(p);
                }
                pair.push(r);
            }
            let (b, a) = (pair.pop(), pair.pop());
            if let (Some(a), Some(b)) = (a, b) {
                out.push((link, a, b));
            }
        }
        let entry = AuditEntry {
            log: AuditLog::Access,
            actor: reader.actor.clone(),
            organisation: None,
            person: None,
            purpose: reader.purpose.clone(),
            legal_basis: None,
            detail: json!({ "identity register": { "queue": out.len(), "persons": persons } }),
            x_road: XRoad::default(),
        };
        append_in(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok((out, total))
    }

    /// A link with its two records, for a person to judge; the read is use-logged for
    /// both records' persons.
    pub async fn link(
        &self,
        left: u64,
        right: u64,
        reader: &Acting,
    ) -> Result<(Link, LinkedRecord, LinkedRecord), PersonsError> {
        let (left, right) = if left < right {
            (left, right)
        } else {
            (right, left)
        };
        let mut tx = self.cases.db().begin_write().await?;
        let row: Option<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM identity_links WHERE left_seq = $1 AND right_seq = $2"
        )))
        .bind(left as i64)
        .bind(right as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let link = link_of(row.ok_or(PersonsError::NoSuchLink(left, right))?)?;
        let mut records = Vec::with_capacity(2);
        for seq in [left, right] {
            let row: RecordRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {RECORD_COLUMNS} FROM identity_records WHERE seq = $1"
            )))
            .bind(seq as i64)
            .fetch_one(&mut *tx)
            .await?;
            records.push(read_record(row)?);
        }
        let (b, a) = (records.pop(), records.pop());
        let (Some(a), Some(b)) = (a, b) else {
            return Err(PersonsError::NoSuchLink(left, right));
        };
        let mut persons = vec![a.person];
        if b.person != a.person {
            persons.push(b.person);
        }
        for p in persons {
            log_read(&mut tx, reader, p, json!({ "link": [left, right] })).await?;
        }
        tx.commit().await?;
        Ok((link, a, b))
    }

    /// A person with their records, links and history; an alias answers with the person
    /// it became. The read is use-logged.
    pub async fn person(&self, id: PersonId, reader: &Acting) -> Result<PersonView, PersonsError> {
        let person = self.current(id).await?;
        let standing = self.standing(person).await?;
        let mut tx = self.cases.db().begin_write().await?;
        let rows: Vec<RecordRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM identity_records WHERE person_id = $1 ORDER BY seq"
        )))
        .bind(person.0 as i64)
        .fetch_all(&mut *tx)
        .await?;
        let records = rows
            .into_iter()
            .map(read_record)
            .collect::<Result<Vec<_>, _>>()?;
        let links: Vec<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM identity_links
             WHERE left_seq IN (SELECT seq FROM identity_records WHERE person_id = $1)
                OR right_seq IN (SELECT seq FROM identity_records WHERE person_id = $1)
             ORDER BY left_seq, right_seq"
        )))
        .bind(person.0 as i64)
        .fetch_all(&mut *tx)
        .await?;
        let links = links
            .into_iter()
            .map(link_of)
            .collect::<Result<Vec<_>, _>>()?;
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT at, kind, detail, audit_seq FROM identity_changes
             WHERE person_id = $1 ORDER BY at, audit_seq",
        )
        .bind(person.0 as i64)
        .fetch_all(&mut *tx)
        .await?;
        let mut history = Vec::with_capacity(rows.len());
        for (at, kind, detail, audit_seq) in rows {
            let change: IdentityChange = serde_json::from_str(&detail).map_err(|e| {
                polku_store::CorruptRow::new("identity_changes", audit_seq, "detail", e)
            })?;
            if change.kind() != kind {
                return Err(polku_store::CorruptRow::new(
                    "identity_changes",
                    audit_seq,
                    "kind",
                    kind,
                )
                .into());
            }
            history.push(HistoryEntry {
                at,
                change,
                audit_seq,
            });
        }
        // The records at the other ends of the links: another person's data, read too.
        let mut others: Vec<LinkedRecord> = Vec::new();
        for link in &links {
            for seq in [link.left, link.right] {
                if records.iter().any(|r| r.seq == seq) || others.iter().any(|r| r.seq == seq) {
                    continue;
                }
                let row: RecordRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {RECORD_COLUMNS} FROM identity_records WHERE seq = $1"
                )))
                .bind(seq as i64)
                .fetch_one(&mut *tx)
                .await?;
                others.push(read_record(row)?);
            }
        }
        log_read(&mut tx, reader, person, json!({ "person": person })).await?;
        let mut seen = vec![person];
        for o in &others {
            if !seen.contains(&o.person) {
                seen.push(o.person);
                log_read(&mut tx, reader, o.person, json!({ "linked to": person })).await?;
            }
        }
        tx.commit().await?;
        Ok(PersonView {
            person,
            asked_as: (id != person).then_some(id),
            records,
            others,
            links,
            history,
            standing,
        })
    }
}

async fn log_read(
    tx: &mut polku_store::Tx,
    reader: &Acting,
    person: PersonId,
    what: serde_json::Value,
) -> Result<(), PersonsError> {
    let entry = AuditEntry {
        log: AuditLog::Access,
        actor: reader.actor.clone(),
        organisation: None,
        person: Some(person.to_string()),
        purpose: reader.purpose.clone(),
        legal_basis: None,
        detail: json!({ "identity register": what }),
        x_road: XRoad::default(),
    };
    append_in(tx, &entry).await?;
    Ok(())
}
