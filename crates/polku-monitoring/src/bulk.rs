//! Work on every monitored permit at once: importing permits granted before monitoring
//! existed (or outside Polku), and re-checking them all when a monitoring rule set or one
//! of its figures changes — as a dry run beside a proposal (how many alerts would open and
//! close, by matter) or for real from the change's day.
//!
//! Speed: a re-check reads each permit's packed facts ([`crate::compact`]), not its JSON,
//! in two halves read and evaluated in parallel; only permits whose alerts change are
//! read in full, to write the new alerts' traces.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::TryStreamExt;
use jiff::civil::Date;
use polku_audit::Actor;
use polku_rules::{Application, RuleBook, RuleSet, Status};
use polku_store::now_micros;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use crate::compact;
use crate::facts::Facts;
use crate::monitor::{
    Monitor, MonitorError, OpenAlert, Schemas, Watched, close_held_again, condition_trace, decode,
    insert_alerts, log_batch, read_watched,
};
use crate::sql;

/// Alerts opened or closed per transaction in bulk work.
const ROWS: usize = 500;

/// A permit to watch that Polku did not grant through its pipeline.
#[derive(Debug, Clone)]
pub struct ImportedPermit {
    pub permit: Uuid,
    pub person: String,
    /// The matter it was granted in (a decision rule set's id).
    pub matter: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    /// The facts it was granted on, in the input schema's shape.
    pub facts: Value,
}

/// How far a re-check of every permit has come, for a page to show while it runs: the
/// valid permits re-checked of all watched ones (0 until the count is known).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// Permits re-checked so far.
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// Permits to re-check at most; 0 while not yet known.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    fn add(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    fn finish(&self) {
        self.done.store(self.total(), Ordering::Relaxed);
    }
}

/// Permits read between two updates of a [`Progress`].
const PROGRESS_EVERY: usize = 4096;

/// What a re-check of every permit found, and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecheckReport {
    /// The day whose rules and figures applied.
    pub on: Option<Date>,
    /// Valid permits re-checked.
    pub permits: usize,
    /// By matter: permits, alerts that open, alerts that close.
    pub by_matter: BTreeMap<String, MatterCounts>,
    /// Whether the alerts were written (a dry run writes nothing).
    pub applied: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MatterCounts {
    pub permits: usize,
    pub alerts_open: usize,
    pub alerts_close: usize,
}

impl RecheckReport {
    pub fn alerts_open(&self) -> usize {
        self.by_matter.values().map(|c| c.alerts_open).sum()
    }
    pub fn alerts_close(&self) -> usize {
        self.by_matter.values().map(|c| c.alerts_close).sum()
    }
}

/// What one half of a re-check found.
#[derive(Default)]
struct Found {
    permits: usize,
    by_matter: BTreeMap<String, MatterCounts>,
    /// (permit, condition) to open an alert for.
    open: Vec<(String, String)>,
    /// Open alerts whose condition holds again.
    close: Vec<String>,
    /// Permits whose packed facts did not read back (damaged).
    unreadable: Vec<String>,
}

impl Monitor {
    /// Starts watching permits granted outside the pipeline, with the facts they were
    /// granted on; a permit watched already is left as it is. One line in the use log per
    /// call, naming the holders. Returns how many it began to watch.
    pub async fn import(
        &self,
        permits: &[ImportedPermit],
        by: &Actor,
        purpose: &str,
    ) -> Result<usize, MonitorError> {
        let schemas = self.schemas().await?;
        let mut state = self.state.lock().await;
        let mut tx = self.db.begin_write().await?;
        let claim = state.claim(&mut tx, &schemas).await?;
        let mut started = Vec::new();
        let dialect = self.db.dialect();
        let now = now_micros();
        for chunk in permits.chunks(sql::rows_per_statement(9)) {
            let text = format!(
                "INSERT INTO monitored_permits (permit_id, person, matter, valid_from, valid_until, employer_id, facts, updated_at, facts_seq) VALUES {} ON CONFLICT (permit_id) DO NOTHING RETURNING permit_id",
                sql::groups(dialect, chunk.len(), 9)
            );
            let mut facts_of = HashMap::new();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for p in chunk {
                let app = Application::from_json(&p.facts).map_err(|e| MonitorError::Import {
                    permit: p.permit,
                    problem: e.to_string(),
                })?;
                let facts = Facts::from_decision(app);
                let packed = compact::pack(&facts);
                q = q
                    .bind(p.permit.to_string())
                    .bind(p.person.clone())
                    .bind(p.matter.clone())
                    .bind(p.valid_from.to_string())
                    .bind(p.valid_until.map(|d| d.to_string()))
                    .bind(facts.employer().map(str::to_owned))
                    .bind(packed)
                    .bind(now)
                    .bind(state.seq);
                facts_of.insert(p.permit.to_string(), (p, facts));
            }
            for row in q.fetch_all(&mut *tx).await? {
                let id: String = row.try_get("permit_id")?;
                if let Some((p, facts)) = facts_of.remove(&id) {
                    started.push(Watched {
                        permit: p.permit,
                        person: p.person.clone(),
                        matter: p.matter.clone(),
                        valid_from: p.valid_from,
                        facts,
                    });
                }
            }
        }
        let persons: std::collections::BTreeSet<&str> =
            permits.iter().map(|p| p.person.as_str()).collect();
        log_batch(
            &mut tx,
            by,
            purpose,
            json!({ "imported_permits": permits.len(), "persons": persons }),
        )
        .await?;
        tx.commit().await?;
        state.settle(claim);
        let seq = state.seq;
        for w in &started {
            state.add(w, seq, false);
        }
        Ok(started.len())
    }

    /// Re-checks every permit valid on `on` against the monitoring rule sets in force that
    /// day: a dry run when `apply` is false, otherwise opening and closing the alerts.
    pub async fn recheck_all(&self, on: Date, apply: bool) -> Result<RecheckReport, MonitorError> {
        let book = self.rules.on(on);
        self.recheck_all_with(book, on, apply).await
    }

    /// Re-checks every permit valid on `today`, for real, when the monitoring rules in
    /// force today differ from those of the last such re-check: a change approved for a
    /// day, or a figure dated from it, reaches every watched permit that day (`polku
    /// serve` asks at each turn of its watch). A person's dismissal stands until the
    /// rules change or a register event finds the condition failing again. Returns the
    /// report when it ran.
    pub async fn recheck_when_rules_change(
        &self,
        today: Date,
    ) -> Result<Option<RecheckReport>, MonitorError> {
        let fingerprint = rules_in_force(&self.rules.on(today), today);
        let last: Option<i64> =
            sqlx::query("SELECT tx FROM monitoring_cursor WHERE name = 'rules_rechecked'")
                .fetch_optional(self.db.pool())
                .await?
                .map(|r| r.try_get("tx"))
                .transpose()?;
        if last == Some(fingerprint) {
            return Ok(None);
        }
        let report = self.recheck_all(today, true).await?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO monitoring_cursor (name, tx, n) VALUES ('rules_rechecked', $1, 0)
             ON CONFLICT (name) DO UPDATE SET tx = excluded.tx",
        )
        .bind(fingerprint)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(report))
    }

    /// A dry run of a proposed monitoring rule change (the rules of `book`) over every
    /// permit valid on `on`: how many alerts would open and close, by matter; nothing is
    /// written but one use-log line by `by`, for every holder's facts were read.
    pub async fn dry_run(
        &self,
        book: Arc<RuleBook>,
        on: Date,
        by: &Actor,
        purpose: &str,
        progress: Arc<Progress>,
    ) -> Result<RecheckReport, MonitorError> {
        let report = self.recheck(book, on, false, progress).await?;
        let mut tx = self.db.begin_write().await?;
        log_batch(
            &mut tx,
            by,
            purpose,
            json!({ "dry_run_on": on, "permits_read": report.permits, "persons": "every monitored permit holder" }),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// As [`Monitor::recheck_all`], with the rules of `book` (a proposal's, for its dry run).
    pub async fn recheck_all_with(
        &self,
        book: Arc<RuleBook>,
        on: Date,
        apply: bool,
    ) -> Result<RecheckReport, MonitorError> {
        self.recheck(book, on, apply, Arc::default()).await
    }

    async fn recheck(
        &self,
        book: Arc<RuleBook>,
        on: Date,
        apply: bool,
        progress: Arc<Progress>,
    ) -> Result<RecheckReport, MonitorError> {
        // The table must hold every permit's latest facts: it is read in parallel.
        self.write_back().await?;
        let open = Arc::new(self.open_alerts_by_permit().await?);
        let schemas = self.schemas().await?;
        let (count, halves) = self.halves().await?;
        progress.total.store(count, Ordering::Relaxed);
        let mut tasks = Vec::new();
        for (lo, hi) in halves {
            let pool = self.db.pool().clone();
            let (book, open, schemas) = (book.clone(), open.clone(), schemas.clone());
            let progress = progress.clone();
            tasks.push(tokio::spawn(async move {
                scan(&pool, &book, &open, &schemas, on, (lo, hi), &progress).await
            }));
        }
        let mut found = Found::default();
        for task in tasks {
            let part = task
                .await
                .map_err(|e| MonitorError::Interrupted(e.to_string()))??;
            found.permits += part.permits;
            for (matter, c) in part.by_matter {
                let m = found.by_matter.entry(matter).or_default();
                m.permits += c.permits;
                m.alerts_open += c.alerts_open;
                m.alerts_close += c.alerts_close;
            }
            found.open.extend(part.open);
            found.close.extend(part.close);
            found.unreadable.extend(part.unreadable);
        }
        progress.finish();
        if !found.unreadable.is_empty() {
            tracing::warn!(permits = ?found.unreadable, "packed facts that do not read back: not re-checked");
        }
        if apply {
            // Alerts opened and closed outside a claim: every process loads again.
            let written = self.write(&book, &schemas, on, &found).await;
            self.state.lock().await.forget();
            sqlx::query("UPDATE monitoring_holder SET holder = '' WHERE name = 'monitor'")
                .execute(self.db.pool())
                .await?;
            written?;
        }
        tracing::info!(on = %on, permits = found.permits, open = found.open.len(), close = found.close.len(), apply, "every monitored permit re-checked");
        Ok(RecheckReport {
            on: Some(on),
            permits: found.permits,
            by_matter: found.by_matter,
            applied: apply,
        })
    }

    /// Every open alert, by permit: (condition, alert).
    async fn open_alerts_by_permit(
        &self,
    ) -> Result<HashMap<String, Vec<(String, String)>>, MonitorError> {
        let rows = sqlx::query(
            "SELECT id, permit_id, condition_id FROM monitoring_alerts WHERE state = 'open'",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut open: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for r in rows {
            open.entry(r.try_get("permit_id")?)
                .or_default()
                .push((r.try_get("condition_id")?, r.try_get("id")?));
        }
        Ok(open)
    }

    /// Two ranges of permit ids, about half the permits each.
    async fn halves(&self) -> Result<(usize, Vec<(String, Option<String>)>), MonitorError> {
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM monitored_permits")
            .fetch_one(self.db.pool())
            .await?
            .try_get("n")?;
        let permits = usize::try_from(count).unwrap_or(0);
        if count < 10_000 {
            return Ok((permits, vec![(String::new(), None)]));
        }
        let mid: String = sqlx::query(
            "SELECT permit_id FROM monitored_permits ORDER BY permit_id LIMIT 1 OFFSET $1",
        )
        .bind(count / 2)
        .fetch_one(self.db.pool())
        .await?
        .try_get("permit_id")?;
        Ok((
            permits,
            vec![(String::new(), Some(mid.clone())), (mid, None)],
        ))
    }

    /// The watched permits `ids`, read in full.
    async fn watched(
        &self,
        ids: &[String],
        schemas: &Schemas,
    ) -> Result<Vec<Watched>, MonitorError> {
        let sql = format!(
            "SELECT permit_id, person, matter, valid_from, facts FROM monitored_permits WHERE permit_id IN ({})",
            sql::list(self.db.dialect(), ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.clone());
        }
        q.fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| read_watched(row, schemas))
            .collect()
    }

    /// Opens and closes the alerts a re-check found, a few hundred per transaction.
    async fn write(
        &self,
        book: &RuleBook,
        schemas: &Schemas,
        on: Date,
        found: &Found,
    ) -> Result<(), MonitorError> {
        let close: Vec<Uuid> = found
            .close
            .iter()
            .map(|id| polku_store::codec::uuid("monitoring_alerts", id, "id", id))
            .collect::<Result<_, _>>()?;
        for chunk in close.chunks(ROWS) {
            let mut tx = self.db.begin_write().await?;
            close_held_again(&mut tx, self.db.dialect(), chunk).await?;
            tx.commit().await?;
        }
        let mut by_permit: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (permit, condition) in &found.open {
            by_permit.entry(permit).or_default().push(condition);
        }
        let permits: Vec<String> = by_permit.keys().map(|p| (*p).to_owned()).collect();
        for chunk in permits.chunks(ROWS) {
            let watched = self.watched(chunk, schemas).await?;
            let mut opens = Vec::new();
            for w in &watched {
                let Some(rule_set) = book.monitoring_for(&w.matter) else {
                    continue;
                };
                let app = &w.facts.app;
                let Ok(evaluation) = rule_set.evaluate(app, on) else {
                    continue;
                };
                for condition in by_permit
                    .get(w.permit.to_string().as_str())
                    .into_iter()
                    .flatten()
                {
                    let trace = condition_trace(rule_set, &evaluation, app, condition)?;
                    opens.push(OpenAlert::new(
                        w,
                        rule_set,
                        &evaluation.version.id,
                        condition,
                        on,
                        &trace,
                    )?);
                }
            }
            let mut tx = self.db.begin_write().await?;
            insert_alerts(
                &mut tx,
                self.db.dialect(),
                &opens.iter().collect::<Vec<_>>(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// A fingerprint of the monitoring rules in force on `day`: each set's text, the version
/// in force and the date each figure's value in force took effect (FNV-1a).
fn rules_in_force(book: &RuleBook, day: Date) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |text: &str| {
        for b in text.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for rs in book.monitoring_sets() {
        feed(&rs.id);
        feed(book.text_of(&rs.id).map_or("", |(t, _)| t));
        feed(rs.version_at(day).map_or("", |(_, v)| v.id.as_str()));
        for p in &rs.parameters {
            feed(&p.name);
            feed(
                &p.value_at(day)
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default(),
            );
        }
    }
    hash as i64
}

/// Reads the valid permits with ids in `[lo, hi)` and judges each.
async fn scan(
    pool: &sqlx::AnyPool,
    book: &RuleBook,
    open: &HashMap<String, Vec<(String, String)>>,
    schemas: &Schemas,
    on: Date,
    (lo, hi): (String, Option<String>),
    progress: &Progress,
) -> Result<Found, MonitorError> {
    let on_text = on.to_string();
    let mut rows = match &hi {
        Some(hi) => sqlx::query(
            "SELECT permit_id, matter, facts FROM monitored_permits
             WHERE permit_id >= $1 AND permit_id < $2
               AND valid_from <= $3 AND (valid_until IS NULL OR valid_until >= $3)",
        )
        .bind(lo)
        .bind(hi.clone())
        .bind(on_text)
        .fetch(pool),
        None => sqlx::query(
            "SELECT permit_id, matter, facts FROM monitored_permits
             WHERE permit_id >= $1 AND valid_from <= $2 AND (valid_until IS NULL OR valid_until >= $2)",
        )
        .bind(lo)
        .bind(on_text)
        .fetch(pool),
    };
    let mut found = Found::default();
    let mut read = 0;
    while let Some(row) = rows.try_next().await? {
        read += 1;
        if read % PROGRESS_EVERY == 0 {
            progress.add(PROGRESS_EVERY);
        }
        let id: String = row.try_get("permit_id")?;
        let matter: String = row.try_get("matter")?;
        let facts: Vec<u8> = row.try_get("facts")?;
        match decode(&facts, schemas) {
            Some(facts) => judge(book, open, on, &id, &matter, &facts.app, &mut found),
            None => found.unreadable.push(id),
        }
    }
    Ok(found)
}

/// One permit's findings against its monitoring rule set: the alerts to open and close.
fn judge(
    book: &RuleBook,
    open: &HashMap<String, Vec<(String, String)>>,
    on: Date,
    id: &str,
    matter: &str,
    app: &Application,
    found: &mut Found,
) {
    let Some(rule_set): Option<&RuleSet> = book.monitoring_for(matter) else {
        return;
    };
    let Ok(evaluation) = rule_set.evaluate(app, on) else {
        return;
    };
    found.permits += 1;
    let counts = found.by_matter.entry(matter.to_owned()).or_default();
    counts.permits += 1;
    let alerts = open.get(id);
    for (i, status) in &evaluation.findings {
        let condition = &rule_set.conditions[*i].id;
        let alert = alerts.and_then(|a| a.iter().find(|(c, _)| c == condition));
        match (status, alert) {
            (Status::NotMet, None) => {
                counts.alerts_open += 1;
                found.open.push((id.to_owned(), condition.clone()));
            }
            (Status::Met | Status::Exempt, Some((_, alert))) => {
                counts.alerts_close += 1;
                found.close.push(alert.clone());
            }
            _ => {}
        }
    }
}
