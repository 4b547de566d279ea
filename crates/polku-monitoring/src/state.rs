//! The watched permits' facts, held in memory by the monitor that holds the monitoring
//! (ADR 0011, "Facts in memory").
//!
//! The register events are the durable record: each batch is stored with a sequence
//! number (`register_events.seq`), and a permit's facts are its grant's evidence with
//! every event about its holder and employer applied. So a batch writes its events and
//! its alerts, not the facts of every permit it touched: those change here, in memory,
//! and are written back later, all at once and in key order ([`State::write_back`]),
//! which touches each page of the table once instead of once per event.
//!
//! One process at a time holds the monitoring: every transaction that changes it first
//! claims the row in `monitoring_holder` (on PostgreSQL the row lock also makes those
//! transactions wait for each other). A claim that finds another holder since this
//! process's last one — or this process's memory lost through an error — loads every
//! permit from the table and applies the events stored since the last complete write-back
//! (`checkpoint_seq`) to the permits whose stored facts (`facts_seq`) predate them. So
//! a crash loses nothing, and several processes on one database stay right; they only
//! pay a load when they take turns.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::TryStreamExt;
use jiff::civil::Date;
use polku_store::{CorruptRow, Dialect, Tx, codec, now_micros};
use sqlx::Row;
use uuid::Uuid;

use crate::compact;
use crate::error::MonitorError;
use crate::event::{RegisterEvent, Subject};
use crate::sql;
use crate::watched::{Schemas, Watched, decode};

/// A watched permit as held in memory: its facts packed.
pub(crate) struct Held {
    person: String,
    matter: Arc<str>,
    valid_from: Date,
    employer: Option<String>,
    facts: Vec<u8>,
    /// The last batch its stored facts include.
    facts_seq: i64,
    /// Whether an alert may be open on it (false: certainly none, for only the holder
    /// of the monitoring opens alerts).
    alerted: bool,
    /// Whether its employer changed since its facts were stored.
    employer_changed: bool,
}

/// A watched permit an event batch reaches, copied out to be worked on apart.
pub(crate) struct Reached {
    pub(crate) permit: Uuid,
    person: String,
    matter: String,
    valid_from: Date,
    facts: Vec<u8>,
    pub(crate) alerted: bool,
}

impl Reached {
    pub(crate) fn unpack(self, schemas: &Schemas) -> Result<Watched, MonitorError> {
        Ok(Watched {
            permit: self.permit,
            facts: decode(&self.facts, schemas).ok_or_else(|| {
                CorruptRow::new("monitored_permits", self.permit, "facts", "unreadable")
            })?,
            person: self.person,
            matter: self.matter,
            valid_from: self.valid_from,
        })
    }
}

/// The monitoring as this process holds it.
pub(crate) struct State {
    /// This process's name in `monitoring_holder`.
    me: String,
    /// The holder row's generation when this memory was last known right; `None`: load
    /// before use.
    generation: Option<i64>,
    /// The last batch of register events taken in.
    pub(crate) seq: i64,
    permits: HashMap<Uuid, Held>,
    by_person: HashMap<String, Vec<Uuid>>,
    by_employer: HashMap<String, Vec<Uuid>>,
    matters: HashMap<String, Arc<str>>,
    /// Permits whose facts here are newer than the stored ones.
    dirty: BTreeSet<Uuid>,
}

/// A claim on the monitoring, made inside a write transaction: settle it once that
/// transaction has committed.
#[must_use]
pub(crate) struct Claim {
    generation: i64,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            me: Uuid::now_v7().to_string(),
            generation: None,
            seq: 0,
            permits: HashMap::new(),
            by_person: HashMap::new(),
            by_employer: HashMap::new(),
            matters: HashMap::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// Claims the monitoring inside `tx`, loading it first when another process held it
    /// since (or this memory is unsure). Until [`State::settle`] the memory counts as
    /// unsure, so an error anywhere before the commit makes the next claim load again.
    pub(crate) async fn claim(
        &mut self,
        tx: &mut Tx,
        schemas: &Schemas,
    ) -> Result<Claim, MonitorError> {
        let row = sqlx::query(
            "UPDATE monitoring_holder
             SET generation = CASE WHEN holder = $1 THEN generation ELSE generation + 1 END, holder = $1
             WHERE name = 'monitor' RETURNING generation, last_seq, checkpoint_seq",
        )
        .bind(&self.me)
        .fetch_one(&mut **tx)
        .await?;
        let generation: i64 = row.try_get("generation")?;
        let last_seq: i64 = row.try_get("last_seq")?;
        let checkpoint: i64 = row.try_get("checkpoint_seq")?;
        if self.generation != Some(generation) {
            self.load(tx, schemas, checkpoint).await?;
        }
        self.generation = None;
        self.seq = last_seq;
        Ok(Claim { generation })
    }

    /// The claim's transaction committed: this memory is right again.
    pub(crate) fn settle(&mut self, claim: Claim) {
        self.generation = Some(claim.generation);
    }

    /// Forgets everything, so that the next claim loads (after work that changed the
    /// stored permits or alerts without a claim).
    pub(crate) fn forget(&mut self) {
        self.generation = None;
    }

    /// How many permits are watched.
    pub(crate) fn len(&self) -> usize {
        self.permits.len()
    }

    /// How many permits' facts are newer here than in the table.
    pub(crate) fn dirty(&self) -> usize {
        self.dirty.len()
    }

    async fn load(
        &mut self,
        tx: &mut Tx,
        schemas: &Schemas,
        checkpoint: i64,
    ) -> Result<(), MonitorError> {
        let started = std::time::Instant::now();
        self.permits.clear();
        self.by_person.clear();
        self.by_employer.clear();
        self.dirty.clear();
        {
            let mut rows = sqlx::query(
                "SELECT permit_id, person, matter, valid_from, employer_id, facts, facts_seq FROM monitored_permits",
            )
            .fetch(&mut **tx);
            while let Some(row) = rows.try_next().await? {
                let id: String = row.try_get("permit_id")?;
                let permit = codec::uuid("monitored_permits", &id, "permit_id", &id)?;
                let valid_from: String = row.try_get("valid_from")?;
                let matter: String = row.try_get("matter")?;
                let held = Held {
                    person: row.try_get("person")?,
                    matter: self.matter(&matter),
                    valid_from: valid_from.parse().map_err(|e: jiff::Error| {
                        CorruptRow::new("monitored_permits", &id, "valid_from", e)
                    })?,
                    employer: row.try_get("employer_id")?,
                    facts: row.try_get("facts")?,
                    facts_seq: row.try_get("facts_seq")?,
                    alerted: false,
                    employer_changed: false,
                };
                self.insert(permit, held);
            }
        }
        let open =
            sqlx::query("SELECT DISTINCT permit_id FROM monitoring_alerts WHERE state = 'open'")
                .fetch_all(&mut **tx)
                .await?;
        for row in open {
            let id: String = row.try_get("permit_id")?;
            let permit = codec::uuid("monitoring_alerts", &id, "permit_id", &id)?;
            if let Some(held) = self.permits.get_mut(&permit) {
                held.alerted = true;
            }
        }
        let replayed = self.replay(tx, schemas, checkpoint).await?;
        tracing::info!(
            permits = self.permits.len(),
            replayed,
            seconds = started.elapsed().as_secs_f64(),
            "monitoring loaded"
        );
        Ok(())
    }

    /// Applies the events stored after the last complete write-back to the permits whose
    /// stored facts predate them. Returns how many events it read.
    async fn replay(
        &mut self,
        tx: &mut Tx,
        schemas: &Schemas,
        checkpoint: i64,
    ) -> Result<usize, MonitorError> {
        let rows = sqlx::query(
            "SELECT id, seq, received_at, payload_json FROM register_events WHERE seq > $1 ORDER BY seq, occurred_on, id",
        )
        .bind(checkpoint)
        .fetch_all(&mut **tx)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let payload: String = r.try_get("payload_json")?;
            let event: RegisterEvent = serde_json::from_str(&payload)
                .map_err(|e| CorruptRow::new("register_events", &id, "payload_json", e))?;
            let received: i64 = r.try_get("received_at")?;
            events.push((r.try_get::<i64, _>("seq")?, received, event));
        }
        let mut watched: BTreeMap<Uuid, Watched> = BTreeMap::new();
        for (seq, received, event) in &events {
            let received = received_text(*received);
            for permit in self.reach(&event.subject()).to_vec() {
                let Some(held) = self.permits.get(&permit) else {
                    continue;
                };
                if held.facts_seq >= *seq || event.occurred_on < held.valid_from {
                    continue;
                }
                let w = match watched.entry(permit) {
                    std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(self.watched(permit, held, schemas)?)
                    }
                };
                w.facts.apply(event, &received);
            }
        }
        for w in watched.values() {
            self.update(w, false);
        }
        Ok(events.len())
    }

    fn matter(&mut self, matter: &str) -> Arc<str> {
        self.matters
            .entry(matter.to_owned())
            .or_insert_with(|| Arc::from(matter))
            .clone()
    }

    fn insert(&mut self, permit: Uuid, held: Held) {
        self.by_person
            .entry(held.person.clone())
            .or_default()
            .push(permit);
        if let Some(e) = &held.employer {
            self.by_employer.entry(e.clone()).or_default().push(permit);
        }
        self.permits.insert(permit, held);
    }

    /// The permits a subject's events reach: the holder's, or those of the employer's
    /// workers.
    pub(crate) fn reach(&self, subject: &Subject) -> &[Uuid] {
        let found = match subject {
            Subject::Person(p) => self.by_person.get(p.as_str()),
            Subject::Employer(e) => self.by_employer.get(e.as_str()),
        };
        found.map(Vec::as_slice).unwrap_or(&[])
    }

    fn watched(
        &self,
        permit: Uuid,
        held: &Held,
        schemas: &Schemas,
    ) -> Result<Watched, MonitorError> {
        Ok(Watched {
            permit,
            person: held.person.clone(),
            matter: held.matter.to_string(),
            valid_from: held.valid_from,
            facts: decode(&held.facts, schemas).ok_or_else(|| {
                CorruptRow::new("monitored_permits", permit, "facts", "unreadable")
            })?,
        })
    }

    /// The watched permits the events reach, packed, to be unpacked elsewhere.
    pub(crate) fn reached_raw(&self, events: &[RegisterEvent]) -> Vec<Reached> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for e in events {
            for permit in self.reach(&e.subject()) {
                if !seen.insert(*permit) {
                    continue;
                }
                if let Some(held) = self.permits.get(permit) {
                    out.push(Reached {
                        permit: *permit,
                        person: held.person.clone(),
                        matter: held.matter.to_string(),
                        valid_from: held.valid_from,
                        facts: held.facts.clone(),
                        alerted: held.alerted,
                    });
                }
            }
        }
        out
    }

    /// (permit, employer, person, the facts the indicators read) of the permits tied to
    /// an employer (to `only`, when given).
    pub(crate) fn workers(
        &self,
        only: Option<&str>,
        schemas: &Schemas,
    ) -> Result<Vec<(Uuid, String, String, crate::indicators::WorkerFacts)>, MonitorError> {
        let mut out = Vec::new();
        for (employer, permits) in &self.by_employer {
            if only.is_some_and(|o| o != employer) {
                continue;
            }
            for permit in permits {
                let Some(held) = self.permits.get(permit) else {
                    continue;
                };
                let w = self.watched(*permit, held, schemas)?;
                out.push((
                    *permit,
                    employer.clone(),
                    held.person.clone(),
                    crate::indicators::WorkerFacts::of(&w.facts.app),
                ));
            }
        }
        Ok(out)
    }

    /// Whether an alert may be open on `permit`.
    pub(crate) fn alerted(&self, permit: &Uuid) -> bool {
        self.permits.get(permit).is_some_and(|h| h.alerted)
    }

    /// Keeps `w`'s new facts (to be written back), and notes an alert opened on it.
    pub(crate) fn update(&mut self, w: &Watched, alerted: bool) {
        self.update_packed(w, compact::pack(&w.facts), alerted);
    }

    /// As [`State::update`], with `w`'s facts packed already.
    pub(crate) fn update_packed(&mut self, w: &Watched, packed: Vec<u8>, alerted: bool) {
        let employer = w.facts.employer().map(str::to_owned);
        let Some(held) = self.permits.get_mut(&w.permit) else {
            return;
        };
        held.facts = packed;
        held.alerted |= alerted;
        if held.employer != employer {
            if let Some(old) = held.employer.take()
                && let Some(list) = self.by_employer.get_mut(&old)
            {
                list.retain(|p| *p != w.permit);
            }
            if let Some(new) = &employer {
                self.by_employer
                    .entry(new.clone())
                    .or_default()
                    .push(w.permit);
            }
            held.employer = employer;
            held.employer_changed = true;
        }
        self.dirty.insert(w.permit);
    }

    /// Starts holding a permit just stored with facts that include batch `facts_seq`.
    pub(crate) fn add(&mut self, w: &Watched, facts_seq: i64, alerted: bool) {
        let matter = self.matter(&w.matter);
        self.insert(
            w.permit,
            Held {
                person: w.person.clone(),
                matter,
                valid_from: w.valid_from,
                employer: w.facts.employer().map(str::to_owned),
                facts: compact::pack(&w.facts),
                facts_seq,
                alerted,
                employer_changed: false,
            },
        );
    }

    /// Writes every permit's facts that are newer here than in the table, in key order and
    /// a few hundred per statement, and records that the table now includes every batch
    /// up to this one. Returns how many it wrote; call [`State::written`] after the commit.
    pub(crate) async fn write_back(
        &self,
        tx: &mut Tx,
        dialect: Dialect,
    ) -> Result<usize, MonitorError> {
        let now = now_micros();
        let dirty: Vec<(&Uuid, &Held)> = self
            .dirty
            .iter()
            .filter_map(|p| Some((p, self.permits.get(p)?)))
            .collect();
        for chunk in dirty.chunks(sql::rows_per_statement(4)) {
            let text = format!(
                "WITH v (id, facts, facts_seq, updated_at) AS (VALUES {})
                 UPDATE monitored_permits SET facts = v.facts, facts_seq = v.facts_seq, updated_at = v.updated_at
                 FROM v WHERE monitored_permits.permit_id = v.id",
                sql::groups(dialect, chunk.len(), 4)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for (permit, held) in chunk {
                q = q
                    .bind(permit.to_string())
                    .bind(held.facts.clone())
                    .bind(self.seq)
                    .bind(now);
            }
            q.execute(&mut **tx).await?;
        }
        // The employer, indexed, only where it changed.
        for (permit, held) in dirty.iter().filter(|(_, h)| h.employer_changed) {
            sqlx::query("UPDATE monitored_permits SET employer_id = $1 WHERE permit_id = $2")
                .bind(held.employer.clone())
                .bind(permit.to_string())
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("UPDATE monitoring_holder SET checkpoint_seq = $1 WHERE name = 'monitor'")
            .bind(self.seq)
            .execute(&mut **tx)
            .await?;
        Ok(dirty.len())
    }

    /// The write-back committed.
    pub(crate) fn written(&mut self) {
        let seq = self.seq;
        for permit in std::mem::take(&mut self.dirty) {
            if let Some(held) = self.permits.get_mut(&permit) {
                held.facts_seq = seq;
                held.employer_changed = false;
            }
        }
    }
}

/// When Polku learnt of a batch, as the provenance of the facts its events set: the same
/// text from the stored microseconds when the batch is applied again after a load.
pub(crate) fn received_text(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
