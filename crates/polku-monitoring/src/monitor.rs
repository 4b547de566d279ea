//! The monitor: takes register events in, keeps each monitored permit's facts, re-checks
//! the permits an event touches against the monitoring rule set in force on the event's
//! day, and keeps the alerts. A person confirms or dismisses an alert; nothing here
//! changes a permit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use polku_audit::{Actor, AuditEntry, AuditLog, XRoad};
use polku_cases::{Cases, EventCursor, LiveRules, NewReexamination, RecordedEvent};
use polku_decide::{Explained, StoredTrace};
use polku_rules::{Application, Lang, RuleSet, Status};
use polku_store::{CorruptRow, Db, Dialect, Tx, codec, now_micros};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::alert::{Alert, AlertState, HOLDS_AGAIN, IngestReport};
use crate::compact;
pub use crate::error::MonitorError;
use crate::event::{EventError, RegisterEvent, Subject};
use crate::facts::Facts;
use crate::sql;
use crate::state::{State, received_text};
pub(crate) use crate::watched::{Schemas, Watched, decode};

/// A granted permit about to be watched.
struct Grant {
    case: Uuid,
    valid_until: Option<String>,
    watched: Watched,
}

/// The monitor's handle; cheap to clone.
#[derive(Clone)]
pub struct Monitor {
    pub(crate) db: Db,
    pub(crate) cases: Cases,
    pub(crate) rules: LiveRules,
    /// The watched permits' facts, in memory ([`crate::state`]); shared by the clones.
    pub(crate) state: Arc<tokio::sync::Mutex<State>>,
}

impl Monitor {
    pub fn new(cases: Cases, rules: LiveRules) -> Monitor {
        Monitor {
            db: cases.db().clone(),
            cases,
            rules,
            state: Arc::new(tokio::sync::Mutex::new(State::new())),
        }
    }

    /// Takes a batch of checked events in, in one transaction: stores the new ones
    /// (a replayed id changes nothing), re-checks every monitored permit they touch,
    /// opens and closes alerts, and writes one line to the use log naming every person
    /// the batch is about, with `purpose`.
    pub async fn ingest(
        &self,
        events: &[RegisterEvent],
        by: &Actor,
        purpose: &str,
    ) -> Result<IngestReport, MonitorError> {
        let mut stages = Stages::start();
        let events = Arc::new(distinct(events)?);
        let batch = Uuid::now_v7();
        let received_at = now_micros();
        let received = received_text(received_at);
        // Read before the write transaction: on SQLite it holds the only write lock.
        let schemas = self.schemas().await?;
        stages.lap("schemas");
        let mut state = self.state.lock().await;
        let mut tx = self.db.begin_write().await?;
        let claim = state.claim(&mut tx, &schemas).await?;
        stages.lap("claim");
        let seq = state.seq + 1;
        let dialect = self.db.dialect();
        // The open alerts of the permits reached (only those with an alert opened on
        // them since the load can have one).
        let reached = state.reached_raw(&events);
        let flagged: Vec<String> = reached
            .iter()
            .filter(|r| r.alerted)
            .map(|r| r.permit.to_string())
            .collect();
        // The work on the facts runs on a thread of its own while the events are stored,
        // as if every event were new; it is done again below for those that are when
        // some were replays. On PostgreSQL the open alerts are read on another
        // connection meanwhile (this process holds the claim: no other ingest writes
        // alerts until it commits); SQLite has one connection to write with.
        let spawn_work = |open: Arc<HashMap<Uuid, HashMap<String, Uuid>>>| {
            let (events, received) = (events.clone(), received.clone());
            let (schemas, rules) = (schemas.clone(), self.rules.clone());
            tokio::task::spawn_blocking(move || {
                work_on(reached, &events, &received, &schemas, &rules, &open)
            })
        };
        let (new, open, work) = match dialect {
            Dialect::Postgres => {
                let pool = self.db.pool().clone();
                let read = async {
                    let mut conn = pool.acquire().await?;
                    let open = Arc::new(open_alerts(&mut conn, dialect, &flagged).await?);
                    Ok::<_, MonitorError>((open.clone(), spawn_work(open)))
                };
                let (new, read) = tokio::join!(
                    insert_events(&mut tx, dialect, &events, batch, seq, received_at),
                    read
                );
                let (open, work) = read?;
                (new?, open, work)
            }
            Dialect::Sqlite => {
                let open = Arc::new(open_alerts(&mut tx, dialect, &flagged).await?);
                let work = spawn_work(open.clone());
                let new = insert_events(&mut tx, dialect, &events, batch, seq, received_at).await?;
                (new, open, work)
            }
        };
        stages.lap("store_events");
        let mut done = work
            .await
            .map_err(|e| MonitorError::Interrupted(e.to_string()))??;
        if new.len() != events.len() {
            let reached = state.reached_raw(&new);
            done = work_on(reached, &new, &received, &schemas, &self.rules, &open)?;
        }
        stages.lap("facts");
        let (opened, closed, alerted) = write_intents(&mut tx, dialect, &done.intents).await?;
        stages.lap("alerts");
        let report = IngestReport {
            batch,
            received: events.len(),
            new: new.len(),
            permits_checked: done.checked.len(),
            alerts_opened: opened,
            alerts_closed: closed,
            kept_for_later: done.kept,
        };
        let persons: BTreeSet<String> = events
            .iter()
            .filter_map(|e| match e.subject() {
                Subject::Person(p) => Some(p),
                Subject::Employer(_) => None,
            })
            .collect();
        log_batch(
            &mut tx,
            by,
            purpose,
            json!({
                "register_events": report.received,
                "new": report.new,
                "batch": batch,
                "persons": persons,
            }),
        )
        .await?;
        if !new.is_empty() {
            sqlx::query("UPDATE monitoring_holder SET last_seq = $1 WHERE name = 'monitor'")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        // The memory takes the batch's facts while the commit runs: it counts as unsure
        // until settled, so a commit that fails makes the next claim load again.
        let keep = async {
            if !new.is_empty() {
                state.seq = seq;
            }
            for (w, packed) in done.checked {
                let alerted = alerted.contains(&w.permit);
                state.update_packed(&w, packed, alerted);
            }
        };
        let (committed, ()) = tokio::join!(tx.commit(), keep);
        committed?;
        state.settle(claim);
        stages.lap("commit_and_keep");
        if state.dirty() >= WRITE_BACK_AT {
            self.write_back_locked(&mut state).await?;
        }
        tracing::debug!(batch = %batch, stages = %stages, "ingest stages");
        tracing::info!(batch = %batch, received = report.received, new = report.new, checked = report.permits_checked, opened = report.alerts_opened, closed = report.alerts_closed, "register events ingested");
        Ok(report)
    }

    /// Writes the facts that changed in memory since the last write-back to the table, in
    /// key order (see [`crate::state`]); a process that stops without it loses nothing:
    /// the next load applies the stored events again. Returns how many permits it wrote.
    pub async fn write_back(&self) -> Result<usize, MonitorError> {
        let mut state = self.state.lock().await;
        self.write_back_locked(&mut state).await
    }

    pub(crate) async fn write_back_locked(&self, state: &mut State) -> Result<usize, MonitorError> {
        let schemas = self.schemas().await?;
        let started = std::time::Instant::now();
        let mut tx = self.db.begin_write().await?;
        let claim = state.claim(&mut tx, &schemas).await?;
        if state.dirty() == 0 {
            tx.commit().await?;
            state.settle(claim);
            return Ok(0);
        }
        let written = state.write_back(&mut tx, self.db.dialect()).await?;
        tx.commit().await?;
        state.settle(claim);
        state.written();
        tracing::info!(
            permits = written,
            seconds = started.elapsed().as_secs_f64(),
            "monitored facts written back"
        );
        Ok(written)
    }

    /// How many permits this process holds in memory, and how many of those have facts
    /// newer than the table's (loading first if another process held the monitoring).
    pub async fn held(&self) -> Result<(usize, usize), MonitorError> {
        let schemas = self.schemas().await?;
        let mut state = self.state.lock().await;
        let mut tx = self.db.begin_write().await?;
        let claim = state.claim(&mut tx, &schemas).await?;
        tx.commit().await?;
        state.settle(claim);
        Ok((state.len(), state.dirty()))
    }

    /// Starts watching the permits granted since the last call, from the cases' domain
    /// events: a permit of a matter some monitoring rule set watches gets its facts from
    /// the evidence it was granted on, then every event kept for its holder (or its
    /// employer) since its first day. Returns how many permits it began to watch.
    pub async fn follow_grants(&self) -> Result<usize, MonitorError> {
        let mut started = 0;
        loop {
            let cursor = self.cursor().await?;
            let events = self
                .cases
                .events_after(cursor, polku_cases::MAX_EVENTS_PER_READ)
                .await?;
            let Some(last) = events.last().map(|e| e.cursor) else {
                return Ok(started);
            };
            // Read what the grants need before the write transaction: on SQLite it holds
            // the only write lock, and a read waiting for a pooled connection behind
            // writers waiting for that lock would wait for ever.
            let mut grants = Vec::new();
            for e in &events {
                if let Some(grant) = self.grant(e).await? {
                    grants.push(grant);
                }
            }
            let schemas = self.schemas().await?;
            let mut state = self.state.lock().await;
            let mut tx = self.db.begin_write().await?;
            let claim = state.claim(&mut tx, &schemas).await?;
            let mut watching = Vec::new();
            for grant in grants {
                if let Some(w) = self.watch(&mut tx, &state, grant).await? {
                    watching.push(w);
                }
            }
            sqlx::query(
                "INSERT INTO monitoring_cursor (name, tx, n) VALUES ('grants', $1, $2)
                 ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, n = excluded.n",
            )
            .bind(last.tx)
            .bind(last.n)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            state.settle(claim);
            let seq = state.seq;
            for (w, alerted) in &watching {
                state.add(w, seq, *alerted);
            }
            started += watching.len();
        }
    }

    async fn cursor(&self) -> Result<EventCursor, MonitorError> {
        let row = sqlx::query("SELECT tx, n FROM monitoring_cursor WHERE name = 'grants'")
            .fetch_optional(self.db.pool())
            .await?;
        Ok(match row {
            Some(r) => EventCursor {
                tx: r.try_get("tx")?,
                n: r.try_get("n")?,
            },
            None => EventCursor::START,
        })
    }

    /// The permit a `PermitGranted` event created, with the facts it was granted on, if a
    /// monitoring rule set watches its matter.
    async fn grant(&self, recorded: &RecordedEvent) -> Result<Option<Grant>, MonitorError> {
        let polku_cases::DomainEvent::PermitGranted { case, person, .. } = &recorded.event else {
            return Ok(None);
        };
        let Some(permit) = self.cases.permit(*case).await? else {
            return Ok(None);
        };
        let valid_from: Date = permit
            .valid_from
            .parse()
            .map_err(|e: jiff::Error| CorruptRow::new("permits", permit.id, "valid_from", e))?;
        if self
            .rules
            .on(valid_from)
            .monitoring_for(&permit.matter)
            .is_none()
        {
            return Ok(None);
        }
        let Some(decision) = self.cases.decision(permit.decision_id).await? else {
            return Ok(None);
        };
        let app = match Application::from_json(&decision.input) {
            Ok(app) => app,
            Err(e) => {
                tracing::warn!(permit = %permit.id, error = %e, "the grant's evidence does not fit the input schema; not watched");
                return Ok(None);
            }
        };
        Ok(Some(Grant {
            case: *case,
            valid_until: permit.valid_until.clone(),
            watched: Watched {
                permit: permit.id,
                person: person.clone(),
                matter: permit.matter.clone(),
                valid_from,
                facts: Facts::from_decision(app),
            },
        }))
    }

    /// Starts watching a granted permit inside `tx`, with the events kept for its holder
    /// (and employer) applied.
    async fn watch(
        &self,
        tx: &mut Tx,
        state: &State,
        grant: Grant,
    ) -> Result<Option<(Watched, bool)>, MonitorError> {
        let Grant {
            case,
            valid_until,
            watched: mut w,
        } = grant;
        let (person, valid_from) = (w.person.clone(), w.valid_from);
        // What the registers reported before the monitor knew the permit.
        let mut kept = kept_events(tx, &Subject::Person(person.clone()), valid_from).await?;
        if let Some(employer) = w.facts.employer().map(str::to_owned) {
            kept.extend(kept_events(tx, &Subject::Employer(employer), valid_from).await?);
        }
        kept.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
        let received = jiff::Timestamp::now().to_string();
        for e in &kept {
            w.facts.apply(e, &received);
        }
        let inserted = sqlx::query(
            "INSERT INTO monitored_permits (permit_id, case_id, person, matter, valid_from, valid_until, employer_id, facts, checked_on, updated_at, facts_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10) ON CONFLICT (permit_id) DO NOTHING",
        )
        .bind(w.permit.to_string())
        .bind(case.to_string())
        .bind(&person)
        .bind(&w.matter)
        .bind(valid_from.to_string())
        .bind(valid_until)
        .bind(w.facts.employer().map(str::to_owned))
        .bind(compact::pack(&w.facts))
        .bind(now_micros())
        .bind(state.seq)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        let mut alerted = false;
        if let Some(on) = kept.iter().map(|e| e.occurred_on).max() {
            let (opened, _, _) = self.recheck_many(tx, state, &[(&w, on)]).await?;
            alerted = opened > 0;
        }
        Ok(Some((w, alerted)))
    }

    /// Evaluates each permit's facts against the monitoring rule set in force on its day,
    /// opens an alert for each watched condition not met that has none open, and closes
    /// the open alerts whose condition holds again. Returns the alerts opened and closed,
    /// and the permits an alert opened on.
    pub(crate) async fn recheck_many(
        &self,
        tx: &mut Tx,
        state: &State,
        permits: &[(&Watched, Date)],
    ) -> Result<(usize, usize, BTreeSet<Uuid>), MonitorError> {
        let dialect = self.db.dialect();
        // Only permits with an alert opened on them since the load can have one open.
        let ids: Vec<String> = permits
            .iter()
            .filter(|(w, _)| state.alerted(&w.permit))
            .map(|(w, _)| w.permit.to_string())
            .collect();
        let open = open_alerts(tx, dialect, &ids).await?;
        let intents = judge(&self.rules, permits, &open)?;
        write_intents(tx, dialect, &intents).await
    }

    /// The field lists of every schema facts were packed with (today's recorded first).
    pub(crate) async fn schemas(&self) -> Result<Schemas, MonitorError> {
        let today = format!("{:016x}", compact::schema_fingerprint());
        let fields = serde_json::to_string(&compact::schema_fields())
            .map_err(|e| CorruptRow::new("monitoring_schemas", &today, "fields_json", e))?;
        sqlx::query(
            "INSERT INTO monitoring_schemas (fingerprint, fields_json) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING",
        )
        .bind(&today)
        .bind(fields)
        .execute(self.db.pool())
        .await?;
        let mut schemas = HashMap::new();
        for row in sqlx::query("SELECT fingerprint, fields_json FROM monitoring_schemas")
            .fetch_all(self.db.pool())
            .await?
        {
            let fp: String = row.try_get("fingerprint")?;
            let fields: String = row.try_get("fields_json")?;
            let corrupt = |e: String| CorruptRow::new("monitoring_schemas", &fp, "fields_json", e);
            let key = u64::from_str_radix(&fp, 16).map_err(|e| corrupt(e.to_string()))?;
            let fields: Vec<String> =
                serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))?;
            schemas.insert(key, fields);
        }
        Ok(Arc::new(schemas))
    }

    /// The alerts in `state` (all when `None`), oldest first, at most `limit`.
    pub async fn alerts(
        &self,
        state: Option<AlertState>,
        limit: i64,
    ) -> Result<Vec<Alert>, MonitorError> {
        let rows = sqlx::query(
            "SELECT * FROM monitoring_alerts WHERE ($1 IS NULL OR state = $1) ORDER BY opened_at, id LIMIT $2",
        )
        .bind(state.map(AlertState::code))
        .bind(limit.clamp(1, 10_000))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(read_alert).collect()
    }

    pub async fn alert(&self, id: Uuid) -> Result<Alert, MonitorError> {
        let row = sqlx::query("SELECT * FROM monitoring_alerts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(MonitorError::NoSuchAlert(id))?;
        read_alert(&row)
    }

    /// A person confirms an open alert: a re-examination case of the permit opens in the
    /// handlers' queue (once: confirming again returns the same case).
    pub async fn confirm(&self, id: Uuid, by: &Actor, reasons: &str) -> Result<Uuid, MonitorError> {
        if reasons.trim().is_empty() {
            return Err(MonitorError::NoReasons);
        }
        let alert = self.alert(id).await?;
        match (alert.state, alert.reexamination_case) {
            (AlertState::Confirmed, Some(case)) => return Ok(case),
            (AlertState::Open, _) => {}
            (state, _) => return Err(MonitorError::NotOpen { alert: id, state }),
        }
        let grounds = serde_json::to_value(&alert.trace.en.conditions)
            .map_err(|e| CorruptRow::new("monitoring_alerts", id, "trace_json", e))?;
        let (case, _) = self
            .cases
            .open_reexamination(
                &NewReexamination {
                    permit: alert.permit,
                    opened_for: alert.id,
                    reason: reasons.trim(),
                    grounds,
                    deadline: None,
                },
                by,
            )
            .await?;
        sqlx::query(
            "UPDATE monitoring_alerts SET state = 'confirmed', closed_at = $1, closed_by = $2, close_reason = $3, reexamination_case = $4
             WHERE id = $5 AND state = 'open'",
        )
        .bind(now_micros())
        .bind(by.to_string())
        .bind(reasons.trim())
        .bind(case.to_string())
        .bind(id.to_string())
        .execute(self.db.pool())
        .await?;
        Ok(case)
    }

    /// A person dismisses an open alert, with reasons.
    pub async fn dismiss(&self, id: Uuid, by: &Actor, reasons: &str) -> Result<(), MonitorError> {
        if reasons.trim().is_empty() {
            return Err(MonitorError::NoReasons);
        }
        let mut tx = self.db.begin_write().await?;
        let closed = close_alert(&mut tx, id, by, AlertState::Dismissed, reasons.trim()).await?;
        tx.commit().await?;
        if closed == 0 {
            // Read after the transaction: on SQLite it holds the only write lock.
            let state = self.alert(id).await?.state;
            return Err(MonitorError::NotOpen { alert: id, state });
        }
        Ok(())
    }
}

/// Applies the new events to the watched permits they reach (the holder's, and those of the
/// employer's workers). Returns the permits changed, with the day of the latest event that
/// changed each, and how many events reached no watched permit (kept for later).
fn apply_events(
    new: &[&RegisterEvent],
    watched: &mut BTreeMap<Uuid, Watched>,
    received: &str,
) -> (BTreeMap<Uuid, Date>, usize) {
    let mut kept = 0;
    // Which watched permits each subject's events reach: the holder's, and those of
    // the employer's workers.
    let mut reach: HashMap<Subject, Vec<Uuid>> = HashMap::new();
    for w in watched.values() {
        reach
            .entry(Subject::Person(w.person.clone()))
            .or_default()
            .push(w.permit);
        if let Some(e) = w.facts.employer() {
            reach
                .entry(Subject::Employer(e.to_owned()))
                .or_default()
                .push(w.permit);
        }
    }
    // The permits changed, with the day of the latest event that changed each.
    let mut touched: BTreeMap<Uuid, Date> = BTreeMap::new();
    for event in new {
        let mut matched = false;
        for permit in reach.get(&event.subject()).into_iter().flatten() {
            let Some(w) = watched.get_mut(permit) else {
                continue;
            };
            if event.occurred_on < w.valid_from {
                continue;
            }
            matched = true;
            if w.facts.apply(event, received) {
                let day = touched.entry(w.permit).or_insert(event.occurred_on);
                *day = (*day).max(event.occurred_on);
            }
        }
        if !matched {
            kept += 1;
        }
    }
    (touched, kept)
}

/// One line in the use log for a batch of work on permit holders' data: who, why, and
/// (in `detail`) every person it concerned.
pub(crate) async fn log_batch(
    tx: &mut Tx,
    by: &Actor,
    purpose: &str,
    detail: serde_json::Value,
) -> Result<(), MonitorError> {
    polku_audit::append_in(
        tx,
        &AuditEntry {
            log: AuditLog::Access,
            actor: by.clone(),
            organisation: None,
            person: None,
            purpose: purpose.to_owned(),
            legal_basis: Some(PROCESSING_BASIS.to_owned()),
            detail,
            x_road: XRoad::default(),
        },
    )
    .await?;
    Ok(())
}

/// The legal basis for processing a permit holder's data while the permit is valid.
/// Permits with facts newer in memory than in the table at which an event batch writes
/// them back itself (otherwise the server does, every minute; see [`Monitor::write_back`]).
pub const WRITE_BACK_AT: usize = 2_000_000;

pub const PROCESSING_BASIS: &str = "UlkL 58 §; laki ulkomaalaishallinnon henkilörekisteristä";

/// The batch without repeats; the same id with other contents refuses the batch.
fn distinct(events: &[RegisterEvent]) -> Result<Vec<RegisterEvent>, EventError> {
    let mut seen: HashMap<&str, &RegisterEvent> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        match seen.get(e.id.as_str()) {
            Some(first) if *first != e => return Err(EventError::Conflicting(e.id.clone())),
            Some(_) => {}
            None => {
                seen.insert(&e.id, e);
                out.push(e.clone());
            }
        }
    }
    if out.len() > crate::event::MAX_BATCH {
        return Err(EventError::TooMany(out.len()));
    }
    Ok(out)
}

/// Stores the events not seen before; returns them, in the order to apply them.
async fn insert_events(
    tx: &mut Tx,
    dialect: Dialect,
    events: &[RegisterEvent],
    batch: Uuid,
    seq: i64,
    now: i64,
) -> Result<Vec<RegisterEvent>, MonitorError> {
    let batch = batch.to_string();
    let mut new_ids = BTreeSet::new();
    for chunk in events.chunks(sql::most_rows_per_statement(dialect, 8)) {
        let text = format!(
            "INSERT INTO register_events (id, kind, subject, occurred_on, received_at, batch_id, payload_json, seq) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            sql::groups(dialect, chunk.len(), 8)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for e in chunk {
            let payload = serde_json::to_string(e)
                .map_err(|err| CorruptRow::new("register_events", &e.id, "payload_json", err))?;
            q = q
                .bind(e.id.clone())
                .bind(e.kind().code())
                .bind(e.subject().key())
                .bind(e.occurred_on.to_string())
                .bind(now)
                .bind(batch.clone())
                .bind(payload)
                .bind(seq);
        }
        for row in q.fetch_all(&mut **tx).await? {
            new_ids.insert(row.try_get::<String, _>("id")?);
        }
    }
    let mut new: Vec<RegisterEvent> = events
        .iter()
        .filter(|e| new_ids.contains(&e.id))
        .cloned()
        .collect();
    new.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
    Ok(new)
}

pub(crate) fn read_watched(
    row: &sqlx::any::AnyRow,
    schemas: &Schemas,
) -> Result<Watched, MonitorError> {
    let id: String = row.try_get("permit_id")?;
    let permit = codec::uuid("monitored_permits", &id, "permit_id", &id)?;
    let valid_from: String = row.try_get("valid_from")?;
    let facts: Vec<u8> = row.try_get("facts")?;
    Ok(Watched {
        permit,
        person: row.try_get("person")?,
        matter: row.try_get("matter")?,
        valid_from: valid_from
            .parse()
            .map_err(|e: jiff::Error| CorruptRow::new("monitored_permits", &id, "valid_from", e))?,
        facts: decode(&facts, schemas)
            .ok_or_else(|| CorruptRow::new("monitored_permits", &id, "facts", "unreadable"))?,
    })
}

/// The events stored about `subject` from `from` on.
async fn kept_events(
    tx: &mut Tx,
    subject: &Subject,
    from: Date,
) -> Result<Vec<RegisterEvent>, MonitorError> {
    let rows = sqlx::query(
        "SELECT id, payload_json FROM register_events WHERE subject = $1 AND occurred_on >= $2",
    )
    .bind(subject.key())
    .bind(from.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let payload: String = r.try_get("payload_json")?;
            serde_json::from_str(&payload)
                .map_err(|e| CorruptRow::new("register_events", &id, "payload_json", e).into())
        })
        .collect()
}

/// The open alerts of `permits`, by permit and condition.
async fn open_alerts(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    permits: &[String],
) -> Result<HashMap<Uuid, HashMap<String, Uuid>>, MonitorError> {
    let mut open: HashMap<Uuid, HashMap<String, Uuid>> = HashMap::new();
    for chunk in permits.chunks(sql::rows_per_statement(1)) {
        let text = format!(
            "SELECT id, permit_id, condition_id FROM monitoring_alerts WHERE state = 'open' AND permit_id IN ({})",
            sql::list(dialect, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for p in chunk {
            q = q.bind(p.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.try_get("id")?;
            let permit: String = r.try_get("permit_id")?;
            open.entry(codec::uuid("monitoring_alerts", &id, "permit_id", &permit)?)
                .or_default()
                .insert(
                    r.try_get("condition_id")?,
                    codec::uuid("monitoring_alerts", &id, "id", &id)?,
                );
        }
    }
    Ok(open)
}

/// The condition's finding in the three languages, the other conditions left out.
pub(crate) fn condition_trace(
    rule_set: &RuleSet,
    evaluation: &polku_rules::Evaluation<'_>,
    app: &Application,
    condition: &str,
) -> Result<Explained, MonitorError> {
    let one = |lang: Lang| -> Result<StoredTrace, MonitorError> {
        let value = serde_json::to_value(evaluation.trace(app, lang))
            .map_err(|e| CorruptRow::new("monitoring_alerts", &rule_set.id, "trace_json", e))?;
        let mut trace: StoredTrace = serde_json::from_value(value)
            .map_err(|e| CorruptRow::new("monitoring_alerts", &rule_set.id, "trace_json", e))?;
        trace.conditions.retain(|c| c.id == condition);
        Ok(trace)
    };
    Ok(Explained {
        fi: one(Lang::Fi)?,
        sv: one(Lang::Sv)?,
        en: one(Lang::En)?,
    })
}

/// Opens the alerts (one statement per few hundred; an alert open already for the same
/// permit and condition is left as it is). Returns the permits an alert opened on.
pub(crate) async fn insert_alerts(
    tx: &mut Tx,
    dialect: Dialect,
    alerts: &[&OpenAlert],
) -> Result<Vec<Uuid>, MonitorError> {
    let now = now_micros();
    let mut opened = Vec::new();
    for chunk in alerts.chunks(sql::rows_per_statement(11)) {
        let text = format!(
            "INSERT INTO monitoring_alerts (id, permit_id, person, matter, condition_id, rule_set, version, state, opened_at, checked_on, trace_json)
             VALUES {} ON CONFLICT DO NOTHING RETURNING permit_id",
            sql::groups(dialect, chunk.len(), 11)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for a in chunk {
            q = q
                .bind(Uuid::now_v7().to_string())
                .bind(a.permit.to_string())
                .bind(a.person.clone())
                .bind(a.matter.clone())
                .bind(a.condition.clone())
                .bind(a.rule_set.clone())
                .bind(a.version.clone())
                .bind("open")
                .bind(now)
                .bind(a.on.to_string())
                .bind(a.trace_json.clone());
        }
        for row in q.fetch_all(&mut **tx).await? {
            let id: String = row.try_get("permit_id")?;
            opened.push(codec::uuid("monitoring_alerts", &id, "permit_id", &id)?);
        }
    }
    Ok(opened)
}

/// Closes the open alerts `ids` as the machine, their condition holding again (one
/// statement per few thousand). Returns how many it closed.
pub(crate) async fn close_held_again(
    tx: &mut Tx,
    dialect: Dialect,
    ids: &[Uuid],
) -> Result<usize, MonitorError> {
    let mut closed = 0;
    let by = Actor::Machine.to_string();
    for chunk in ids.chunks(sql::rows_per_statement(1)) {
        let text = format!(
            "UPDATE monitoring_alerts SET state = {}, closed_at = {}, closed_by = {}, close_reason = {}
             WHERE state = 'open' AND id IN ({})",
            sql::placeholder(dialect, 1),
            sql::placeholder(dialect, 2),
            sql::placeholder(dialect, 3),
            sql::placeholder(dialect, 4),
            sql::list_from(dialect, 5, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text))
            .bind(AlertState::Closed.code())
            .bind(now_micros())
            .bind(by.clone())
            .bind(HOLDS_AGAIN);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        closed += q.execute(&mut **tx).await?.rows_affected() as usize;
    }
    Ok(closed)
}

/// What a re-check decided about alerts, before anything is written.
pub(crate) enum Intent {
    Open(Box<OpenAlert>),
    /// An open alert whose condition holds again.
    Close(Uuid),
}

/// An alert to open: a watched condition of a permit not met on `on`.
pub(crate) struct OpenAlert {
    pub(crate) permit: Uuid,
    pub(crate) person: String,
    pub(crate) matter: String,
    pub(crate) rule_set: String,
    pub(crate) version: String,
    pub(crate) condition: String,
    pub(crate) on: Date,
    /// The finding's trace in fi/sv/en ([`Explained`]), as stored.
    pub(crate) trace_json: String,
}

impl OpenAlert {
    pub(crate) fn new(
        w: &Watched,
        rule_set: &RuleSet,
        version: &str,
        condition: &str,
        on: Date,
        trace: &Explained,
    ) -> Result<OpenAlert, MonitorError> {
        Ok(OpenAlert {
            permit: w.permit,
            person: w.person.clone(),
            matter: w.matter.clone(),
            rule_set: rule_set.id.clone(),
            version: version.to_owned(),
            condition: condition.to_owned(),
            on,
            trace_json: serde_json::to_string(trace)
                .map_err(|e| CorruptRow::new("monitoring_alerts", w.permit, "trace_json", e))?,
        })
    }
}

/// Evaluates each permit's facts against the monitoring rule set in force on its day:
/// an alert to open for each watched condition not met that has none open, and the open
/// alerts whose condition holds again to close. Pure.
pub(crate) fn judge(
    rules: &LiveRules,
    permits: &[(&Watched, Date)],
    open: &HashMap<Uuid, HashMap<String, Uuid>>,
) -> Result<Vec<Intent>, MonitorError> {
    let mut intents = Vec::new();
    for (w, on) in permits {
        let book = rules.on(*on);
        let Some(rule_set) = book.monitoring_for(&w.matter) else {
            continue;
        };
        let app = &w.facts.app;
        let evaluation = match rule_set.evaluate(app, *on) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(permit = %w.permit, error = %e, "monitoring rules could not run");
                continue;
            }
        };
        let alerts = open.get(&w.permit);
        for (i, status) in &evaluation.findings {
            let condition = &rule_set.conditions[*i];
            match (status, alerts.and_then(|a| a.get(&condition.id))) {
                (Status::NotMet, None) => {
                    let trace = condition_trace(rule_set, &evaluation, app, &condition.id)?;
                    intents.push(Intent::Open(Box::new(OpenAlert::new(
                        w,
                        rule_set,
                        &evaluation.version.id,
                        &condition.id,
                        *on,
                        &trace,
                    )?)));
                }
                (Status::Met | Status::Exempt, Some(alert)) => intents.push(Intent::Close(*alert)),
                _ => {}
            }
        }
    }
    Ok(intents)
}

/// Opens and closes the alerts `intents` name. Returns how many opened and closed, and
/// the permits an alert opened on.
pub(crate) async fn write_intents(
    tx: &mut Tx,
    dialect: Dialect,
    intents: &[Intent],
) -> Result<(usize, usize, BTreeSet<Uuid>), MonitorError> {
    let mut opens = Vec::new();
    let mut closes = Vec::new();
    for intent in intents {
        match intent {
            Intent::Open(alert) => opens.push(alert.as_ref()),
            Intent::Close(alert) => closes.push(*alert),
        }
    }
    let opened = insert_alerts(tx, dialect, &opens).await?;
    let closed = close_held_again(tx, dialect, &closes).await?;
    Ok((opened.len(), closed, opened.into_iter().collect()))
}

/// A batch's work on the facts, done apart from the database.
pub(crate) struct Done {
    /// The permits whose facts the events changed, with their new facts packed.
    checked: Vec<(Watched, Vec<u8>)>,
    /// Events that reached no watched permit.
    kept: usize,
    intents: Vec<Intent>,
}

/// Unpacks the permits the events reach, applies the events (in the order they are
/// stored in), judges the permits they changed and packs their new facts. Pure.
fn work_on(
    reached: Vec<crate::state::Reached>,
    events: &[RegisterEvent],
    received: &str,
    schemas: &Schemas,
    rules: &LiveRules,
    open: &HashMap<Uuid, HashMap<String, Uuid>>,
) -> Result<Done, MonitorError> {
    let mut watched = BTreeMap::new();
    for r in reached {
        let w = r.unpack(schemas)?;
        watched.insert(w.permit, w);
    }
    let mut ordered: Vec<&RegisterEvent> = events.iter().collect();
    ordered.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
    let (touched, kept) = apply_events(&ordered, &mut watched, received);
    let changed: Vec<(&Watched, Date)> = touched
        .iter()
        .filter_map(|(permit, on)| watched.get(permit).map(|w| (w, *on)))
        .collect();
    let intents = judge(rules, &changed, open)?;
    let checked = touched
        .keys()
        .filter_map(|p| watched.remove(p))
        .map(|w| {
            let packed = compact::pack(&w.facts);
            (w, packed)
        })
        .collect();
    Ok(Done {
        checked,
        kept,
        intents,
    })
}

pub(crate) async fn close_alert(
    tx: &mut Tx,
    id: Uuid,
    by: &Actor,
    to: AlertState,
    reason: &str,
) -> Result<usize, MonitorError> {
    let done = sqlx::query(
        "UPDATE monitoring_alerts SET state = $1, closed_at = $2, closed_by = $3, close_reason = $4 WHERE id = $5 AND state = 'open'",
    )
    .bind(to.code())
    .bind(now_micros())
    .bind(by.to_string())
    .bind(reason)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() as usize)
}

pub(crate) fn read_alert(row: &sqlx::any::AnyRow) -> Result<Alert, MonitorError> {
    let id: String = row.try_get("id")?;
    let corrupt =
        |column: &'static str, e: String| CorruptRow::new("monitoring_alerts", &id, column, e);
    let uuid =
        |column: &'static str, text: &str| codec::uuid("monitoring_alerts", &id, column, text);
    let state: String = row.try_get("state")?;
    let trace: String = row.try_get("trace_json")?;
    let closed_by: Option<String> = row.try_get("closed_by")?;
    let case: Option<String> = row.try_get("reexamination_case")?;
    Ok(Alert {
        id: uuid("id", &id)?,
        permit: uuid("permit_id", &row.try_get::<String, _>("permit_id")?)?,
        person: row.try_get("person")?,
        matter: row.try_get("matter")?,
        condition: row.try_get("condition_id")?,
        rule_set: row.try_get("rule_set")?,
        version: row.try_get("version")?,
        state: AlertState::parse(&state).ok_or_else(|| corrupt("state", state.clone()))?,
        opened_at: row.try_get("opened_at")?,
        checked_on: row.try_get("checked_on")?,
        trace: serde_json::from_str(&trace).map_err(|e| corrupt("trace_json", e.to_string()))?,
        closed_at: row.try_get("closed_at")?,
        closed_by: closed_by
            .map(|a| {
                a.parse()
                    .map_err(|e: polku_audit::NotAnActor| corrupt("closed_by", e.to_string()))
            })
            .transpose()?,
        close_reason: row.try_get("close_reason")?,
        reexamination_case: case.map(|c| uuid("reexamination_case", &c)).transpose()?,
    })
}

/// How long each stage of a batch took, for the debug log (`POLKU_LOG=polku_monitoring=debug`).
pub(crate) struct Stages {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Stages {
    pub(crate) fn start() -> Stages {
        Stages {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    pub(crate) fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, took)) in self.laps.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{name}={:.1}ms", took.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}
