//! Writing: a record registered and linked, a verdict given, the persons regrouped by the
//! survivor rule — each in one transaction with its audit lines.

use std::collections::{BTreeSet, HashMap, HashSet};

use polku_audit::{Actor, AuditEntry, AuditLog, XRoad, append_in};
use polku_identity::index::Matcher;
use polku_identity::links::Colour;
use polku_identity::persons::{Assignment, Change, PersonId, reassign};
use polku_identity::{IdentityRecord, Table, identity_row};
use polku_store::{Tx, now_micros};
use serde_json::json;
use uuid::Uuid;

use crate::views::{IdentityChange, LINK_COLUMNS, Link, LinkRow, link_of, record_of};
use crate::{Persons, PersonsError, Verdict};

/// The engine's state: every record's prepared values and blocking keys.
pub(crate) struct State {
    matcher: Matcher,
    /// Matcher index → record seq.
    seqs: Vec<u64>,
    /// The highest record seq loaded.
    loaded: u64,
}

/// The purpose a verdict's audit lines record.
pub const VERDICT_PURPOSE: &str = "verdict on an identity link";

/// A record to register.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    pub record: IdentityRecord,
    /// The source's own key of the person (an applicant's id), where it has one.
    pub subject: Option<String>,
}

/// What registering a record did.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub seq: u64,
    pub person: PersonId,
    /// The links made, to which record and in what colour.
    pub links: Vec<(u64, Colour)>,
    /// `false`: the record was there already, with the same contents.
    pub new: bool,
}

/// Who acts on the register, and why (each write and each read of a person's data is
/// logged with it).
#[derive(Debug, Clone, PartialEq)]
pub struct Acting {
    pub actor: Actor,
    pub purpose: String,
}

impl Persons {
    /// Registers `new`, links it to the records it may be the same person as, and gives it
    /// its person. A record id registered before answers with what it became, if its
    /// contents are the same.
    pub async fn register(
        &self,
        new: &NewRecord,
        acting: &Acting,
    ) -> Result<Registered, PersonsError> {
        let mut state = self.state.lock().await;
        let done = self.register_locked(&mut state, new, acting).await;
        if done.is_err() {
            // The matcher may hold what the database did not keep: load it afresh.
            *state = None;
        }
        done
    }

    /// Loads every record into the matcher now, in a read transaction, rather than on the
    /// first registration after a start (inside its transaction, holding the other
    /// writers): `serve` calls it in the background as it starts. Returns how many records
    /// the matcher holds. A registration meanwhile waits for it, then catches up as ever.
    pub async fn warm(&self) -> Result<usize, PersonsError> {
        let mut state = self.state.lock().await;
        let mut tx = self.cases.db().pool().begin().await?;
        let loaded = match self.catch_up(&mut state, &mut tx).await {
            Ok(s) => Ok(s.matcher.len()),
            Err(e) => Err(e),
        };
        tx.rollback().await?;
        if loaded.is_err() {
            *state = None;
        }
        loaded
    }

    async fn register_locked(
        &self,
        state: &mut Option<State>,
        new: &NewRecord,
        acting: &Acting,
    ) -> Result<Registered, PersonsError> {
        let mut tx = self.cases.db().begin_write().await?;
        let (seq, last_person) = advance_head(&mut tx, 1).await?;
        let raw = new.record.raw();
        let earlier: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT seq, record, person_id FROM identity_records WHERE record_id = $1",
        )
        .bind(&new.record.record_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((old_seq, old_raw, person)) = earlier {
            tx.rollback().await?;
            let same =
                serde_json::from_str::<polku_identity::RawRecord>(&old_raw).is_ok_and(|r| r == raw);
            if !same {
                return Err(PersonsError::RecordIdTaken(new.record.record_id.clone()));
            }
            return Ok(Registered {
                seq: old_seq as u64,
                person: PersonId(person as u64),
                links: Vec::new(),
                new: false,
            });
        }
        let s = self.catch_up(state, &mut tx).await?;
        let now = now_micros();
        // Plain strings: serialising cannot fail.
        let raw_json = serde_json::to_string(&raw).unwrap_or_default();
        sqlx::query(
            "INSERT INTO identity_records (seq, record_id, source, subject, record, person_id, registered_at)
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(seq)
        .bind(&new.record.record_id)
        .bind(&new.record.source)
        .bind(new.subject.as_deref())
        .bind(&raw_json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let i = s
            .matcher
            .add(new.record.record_id.clone(), identity_row(&new.record));
        s.seqs.push(seq as u64);
        s.loaded = seq as u64;

        let mut links = Vec::new();
        for m in s.matcher.matches_of(i, self.policy.review) {
            let explanation = s.matcher.explain(i, m.record);
            let Some(colour) = self.policy.propose(&explanation) else {
                continue;
            };
            let other = s.seqs[m.record as usize];
            let (l, r) = ordered(other, seq as u64);
            sqlx::query(
                "INSERT INTO identity_links (left_seq, right_seq, colour, explanation, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(l as i64)
            .bind(r as i64)
            .bind(colour.code())
            .bind(serde_json::to_string(&explanation).unwrap_or_default())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            links.push((other, colour));
        }

        // The new record with every person a white link joins it to.
        let mut previous: HashMap<u64, PersonId> = HashMap::new();
        for &(other, colour) in &links {
            if colour.same_person() {
                let person = person_of(&mut tx, other).await?;
                for r in records_of(&mut tx, person).await? {
                    previous.insert(r, person);
                }
            }
        }
        let mut group: Vec<u64> = previous.keys().copied().collect();
        group.push(seq as u64);
        let mut next = last_person as u64;
        let assignment = reassign(&[group], &previous, &mut || {
            next += 1;
            PersonId(next)
        });
        let person = assignment
            .persons
            .first()
            .map(|(p, _)| *p)
            .unwrap_or(PersonId(0));
        let mut history = vec![(
            person,
            IdentityChange::Registered {
                record: seq as u64,
                source: new.record.source.clone(),
            },
        )];
        for &(other, colour) in &links {
            let (left, right) = ordered(other, seq as u64);
            let change = IdentityChange::Linked {
                left,
                right,
                colour,
            };
            history.push((person, change.clone()));
            if !colour.same_person() {
                // The other side's person hears of it too: their queue item.
                let theirs = person_of(&mut tx, other).await?;
                history.push((theirs, change));
            }
        }
        self.apply(&mut tx, &assignment, next, history, acting, now)
            .await?;
        tx.commit().await?;
        Ok(Registered {
            seq: seq as u64,
            person,
            links,
            new: true,
        })
    }

    /// Loads the records other actings (or an earlier run) added since the state was
    /// last caught up, inside `tx` (which holds the head, so no acting adds one meanwhile).
    async fn catch_up<'s>(
        &self,
        state: &'s mut Option<State>,
        tx: &mut Tx,
    ) -> Result<&'s mut State, PersonsError> {
        let s = state.get_or_insert_with(|| State {
            matcher: Matcher::with_model(
                Table::of_identity_records(&[]),
                (*self.model).clone(),
                self.trained_on,
                self.max_block,
            ),
            seqs: Vec::new(),
            loaded: 0,
        });
        let rows: Vec<(i64, String, Option<String>, i64, i64)> = sqlx::query_as(
            "SELECT seq, record, subject, person_id, registered_at FROM identity_records
             WHERE seq > $1 ORDER BY seq",
        )
        .bind(s.loaded as i64)
        .fetch_all(&mut **tx)
        .await?;
        for (seq, raw, subject, person, at) in rows {
            let r = record_of(seq, &raw, subject, person, at)?;
            s.matcher
                .add(r.record.record_id.clone(), identity_row(&r.record));
            s.seqs.push(r.seq);
            s.loaded = r.seq;
        }
        Ok(s)
    }

    /// An official's verdict on a yellow link. The persons of its two records are drawn
    /// anew: joined for white or red; for green, kept apart — and where links the machine
    /// made white still join them, those links are opened for a person to check again.
    pub async fn decide(
        &self,
        left: u64,
        right: u64,
        verdict: Verdict,
        official: Uuid,
        reason: &str,
    ) -> Result<Vec<PersonId>, PersonsError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(PersonsError::NoReason);
        }
        let (left, right) = ordered(left, right);
        // The head's row queues this with every other write; the matcher is not touched.
        let mut tx = self.cases.db().begin_write().await?;
        let (_, last_person) = advance_head(&mut tx, 0).await?;
        let link: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT colour, decided_by FROM identity_links WHERE left_seq = $1 AND right_seq = $2",
        )
        .bind(left as i64)
        .bind(right as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((colour, decided_by)) = link else {
            return Err(PersonsError::NoSuchLink(left, right));
        };
        // A person's verdict stands; the machine's white link a person may overrule.
        if decided_by.is_some() {
            let judged = Colour::parse(&colour).map_or("?", Colour::code);
            return Err(PersonsError::AlreadyDecided(left, right, judged));
        }
        let now = now_micros();
        sqlx::query(
            "UPDATE identity_links SET colour = $1, decided_by = $2, decided_at = $3, reason = $4
             WHERE left_seq = $5 AND right_seq = $6",
        )
        .bind(verdict.colour().code())
        .bind(official.to_string())
        .bind(now)
        .bind(reason)
        .bind(left as i64)
        .bind(right as i64)
        .execute(&mut *tx)
        .await?;

        let persons: BTreeSet<PersonId> = [
            person_of(&mut tx, left).await?,
            person_of(&mut tx, right).await?,
        ]
        .into();
        let mut previous: HashMap<u64, PersonId> = HashMap::new();
        for &p in &persons {
            for r in records_of(&mut tx, p).await? {
                previous.insert(r, p);
            }
        }
        let records: Vec<u64> = previous.keys().copied().collect();
        let mut among = links_among(&mut tx, &records).await?;
        let mut history: Vec<(PersonId, IdentityChange)> = persons
            .iter()
            .map(|&p| {
                (
                    p,
                    IdentityChange::Judged {
                        left,
                        right,
                        colour: verdict.colour(),
                        by: official,
                    },
                )
            })
            .collect();
        let mut groups = components(&records, &among);
        if verdict == Verdict::Green && same_group(&groups, left, right) {
            // Reopen the machine's white links in the group: a person checks them.
            for link in among.iter_mut().filter(|l| {
                l.colour == Colour::White
                    && l.decided_by.is_none()
                    && same_group(&groups, l.left, left)
            }) {
                link.colour = Colour::Yellow;
                sqlx::query(
                    "UPDATE identity_links SET colour = 'yellow' WHERE left_seq = $1 AND right_seq = $2",
                )
                .bind(link.left as i64)
                .bind(link.right as i64)
                .execute(&mut *tx)
                .await?;
                let person = previous.get(&link.left).copied().unwrap_or(PersonId(0));
                history.push((
                    person,
                    IdentityChange::Reopened {
                        left: link.left,
                        right: link.right,
                    },
                ));
            }
            groups = components(&records, &among);
            if same_group(&groups, left, right) {
                tx.rollback().await?;
                return Err(PersonsError::Contradicts(left, right));
            }
        }
        // No group may hold two records a person found to be different people.
        if let Some(green) = among.iter().find(|l| {
            l.colour == Colour::Green
                && l.decided_by.is_some()
                && same_group(&groups, l.left, l.right)
        }) {
            tracing::info!(
                left,
                right,
                green.left,
                green.right,
                "a verdict contradicts another"
            );
            tx.rollback().await?;
            return Err(PersonsError::Contradicts(green.left, green.right));
        }
        let mut next = last_person as u64;
        let assignment = reassign(&groups, &previous, &mut || {
            next += 1;
            PersonId(next)
        });
        let acting = Acting {
            actor: Actor::User(official),
            purpose: VERDICT_PURPOSE.to_owned(),
        };
        self.apply(&mut tx, &assignment, next, history, &acting, now)
            .await?;
        tx.commit().await?;
        Ok(assignment.persons.iter().map(|(p, _)| *p).collect())
    }

    /// Writes an assignment: each record's person, new persons, aliases, the head's last
    /// person, and the history with its audit lines.
    async fn apply(
        &self,
        tx: &mut Tx,
        assignment: &Assignment,
        last_person: u64,
        mut history: Vec<(PersonId, IdentityChange)>,
        acting: &Acting,
        now: i64,
    ) -> Result<(), PersonsError> {
        for (person, records) in &assignment.persons {
            for &r in records {
                sqlx::query("UPDATE identity_records SET person_id = $1 WHERE seq = $2")
                    .bind(person.0 as i64)
                    .bind(r as i64)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        for change in &assignment.changes {
            match change {
                Change::Created { person, records } => {
                    sqlx::query(
                        "INSERT INTO identity_persons (person_id, created_at) VALUES ($1, $2)",
                    )
                    .bind(person.0 as i64)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                    history.push((
                        *person,
                        IdentityChange::Created {
                            records: records.clone(),
                        },
                    ));
                }
                Change::Added { .. } => {}
                Change::Moved { from, to, records } => {
                    history.push((
                        *from,
                        IdentityChange::MovedOut {
                            to: *to,
                            records: records.clone(),
                        },
                    ));
                    history.push((
                        *to,
                        IdentityChange::MovedIn {
                            from: *from,
                            records: records.clone(),
                        },
                    ));
                }
                Change::Merged { absorbed, into } => {
                    sqlx::query(
                        "UPDATE identity_persons SET merged_into = $1 WHERE person_id = $2 OR merged_into = $2",
                    )
                    .bind(into.0 as i64)
                    .bind(absorbed.0 as i64)
                    .execute(&mut **tx)
                    .await?;
                    history.push((*absorbed, IdentityChange::MergedInto { person: *into }));
                    history.push((*into, IdentityChange::Absorbed { alias: *absorbed }));
                }
            }
        }
        sqlx::query("UPDATE identity_head SET last_person = $1 WHERE id = 1")
            .bind(last_person as i64)
            .execute(&mut **tx)
            .await?;
        for (person, change) in history {
            let detail = serde_json::to_value(&change).unwrap_or_default();
            let entry = AuditEntry {
                log: AuditLog::Identity,
                actor: acting.actor.clone(),
                organisation: None,
                person: Some(person.to_string()),
                purpose: acting.purpose.clone(),
                legal_basis: None,
                detail: json!({ "change": detail }),
                x_road: XRoad::default(),
            };
            let audit_seq = append_in(tx, &entry).await?;
            sqlx::query(
                "INSERT INTO identity_changes (person_id, at, kind, detail, audit_seq)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(person.0 as i64)
            .bind(now)
            .bind(change.kind())
            .bind(detail.to_string())
            .bind(audit_seq)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

fn ordered(a: u64, b: u64) -> (u64, u64) {
    if a < b { (a, b) } else { (b, a) }
}

/// Queues on the head's row (actings go one at a time) and issues `records` record
/// numbers: the last one issued, and the last person number.
async fn advance_head(tx: &mut Tx, records: i64) -> Result<(i64, i64), PersonsError> {
    sqlx::query("UPDATE identity_head SET last_record = last_record + $1 WHERE id = 1")
        .bind(records)
        .execute(&mut **tx)
        .await?;
    let head: (i64, i64) =
        sqlx::query_as("SELECT last_record, last_person FROM identity_head WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
    Ok(head)
}

pub(crate) async fn person_of(tx: &mut Tx, record: u64) -> Result<PersonId, PersonsError> {
    let (p,): (i64,) = sqlx::query_as("SELECT person_id FROM identity_records WHERE seq = $1")
        .bind(record as i64)
        .fetch_one(&mut **tx)
        .await?;
    Ok(PersonId(p as u64))
}

async fn records_of(tx: &mut Tx, person: PersonId) -> Result<Vec<u64>, PersonsError> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT seq FROM identity_records WHERE person_id = $1 ORDER BY seq")
            .bind(person.0 as i64)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(s,)| s as u64).collect())
}

/// Every link with both records among `records`.
async fn links_among(tx: &mut Tx, records: &[u64]) -> Result<Vec<Link>, PersonsError> {
    let set: HashSet<u64> = records.iter().copied().collect();
    let mut out = Vec::new();
    for &r in records {
        let rows: Vec<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM identity_links WHERE left_seq = $1"
        )))
        .bind(r as i64)
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            let link = link_of(row)?;
            if set.contains(&link.right) {
                out.push(link);
            }
        }
    }
    Ok(out)
}

/// The groups of `records` that white and red links join.
fn components(records: &[u64], links: &[Link]) -> Vec<Vec<u64>> {
    let index: HashMap<u64, usize> = records.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut parent: Vec<usize> = (0..records.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for l in links.iter().filter(|l| l.colour.same_person()) {
        if let (Some(&a), Some(&b)) = (index.get(&l.left), index.get(&l.right)) {
            let (a, b) = (root(&mut parent, a), root(&mut parent, b));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: HashMap<usize, Vec<u64>> = HashMap::new();
    for (i, &r) in records.iter().enumerate() {
        groups.entry(root(&mut parent, i)).or_default().push(r);
    }
    groups.into_values().collect()
}

fn same_group(groups: &[Vec<u64>], a: u64, b: u64) -> bool {
    groups.iter().any(|g| g.contains(&a) && g.contains(&b))
}
