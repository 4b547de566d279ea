//! The audit chain as an auditor checks it, and as a tamperer attacks it: the chain
//! verifies and names its first broken row, notices rows removed from its end, and stays
//! one unbroken chain under concurrent appends; the documented row hash recomputed from
//! the raw rows with common tools; a changed row found even when its hash was recomputed;
//! and signed anchors outside the database that find a tail rewritten consistently, and
//! refuse a forged anchor.

use std::time::Duration;

use polku_audit::{
    AnchorFile, AnchorKey, AnchorSchedule, Anchorer, AuditEntry, AuditLog, ChainBreak, ChainReport,
    XRoad,
};
use polku_store::testing::TestDb;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The columns a row's hash covers, in the table's order, then the two hashes.
const COLUMNS: &str = "seq, at, log, actor, organisation, person, purpose, legal_basis, detail, \
                       x_road_client, x_road_user_id, x_road_issue, prev_hash, hash";

/// A handler's read of `person`'s case in the access log, every field filled; the detail
/// holds quotes, non-ASCII and a newline, as the documented hash must survive them.
fn entry(person: &str) -> AuditEntry {
    AuditEntry {
        log: AuditLog::Access,
        actor: polku_audit::Actor::User(uuid::Uuid::from_u128(7)),
        organisation: Some("Maahanmuuttovirasto".to_owned()),
        person: Some(person.to_owned()),
        purpose: "case handling".to_owned(),
        legal_basis: Some("UlkL 54 §".to_owned()),
        detail: json!({"read": "case", "note": "\"quoted\", ä, 🙂\n"}),
        x_road: XRoad {
            client: Some("FI/GOV/0000000-0/migri".into()),
            user_id: Some("FI123".into()),
            issue: Some("case-1".into()),
        },
    }
}

/// A decision-log entry with every optional field empty.
fn bare_entry() -> AuditEntry {
    AuditEntry {
        log: AuditLog::Decision,
        actor: polku_audit::Actor::Machine,
        organisation: None,
        person: None,
        purpose: "automated processing of an application".to_owned(),
        legal_basis: None,
        detail: json!({}),
        x_road: XRoad::default(),
    }
}

async fn append(db: &TestDb, n: usize) {
    for i in 0..n {
        if i % 3 == 2 {
            audit(db).append(&bare_entry()).await.unwrap();
        } else {
            audit(db)
                .append(&entry(&format!("person-{i}")))
                .await
                .unwrap();
        }
    }
}

/// `sha256(prev_hash + "\n" + JSON array of the fields in column order)`, hex: the
/// formula the documentation gives auditors, written here from the text.
fn documented_hash(prev: &str, fields: &[Value]) -> String {
    let text = format!("{prev}\n{}", Value::Array(fields.to_vec()));
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn raw_chain(db: &TestDb) -> Vec<Vec<Value>> {
    db.rows(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))
        .await
}

fn text(v: &Value) -> &str {
    v.as_str().expect("a text column")
}

fn sql(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_owned(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => other.to_string(),
    }
}

/// What a tamperer with the database and the formula does: changes row `seq`'s purpose,
/// recomputes its hash and, through `rehash_until`, every later row's prev_hash and hash
/// and the head, so that each row fits the one before it.
async fn rewrite(db: &TestDb, seq: i64, purpose: &str, rehash_until: i64) {
    let rows = raw_chain(db).await;
    let mut prev = None::<String>;
    for row in rows {
        let row_seq = row[0].as_i64().unwrap();
        if row_seq < seq || row_seq > rehash_until.max(seq) {
            prev = None;
            continue;
        }
        let mut fields = row[..12].to_vec();
        if row_seq == seq {
            fields[6] = Value::from(purpose);
        }
        let prev_hash = prev.clone().unwrap_or_else(|| text(&row[12]).to_owned());
        let hash = documented_hash(&prev_hash, &fields);
        db.raw(&format!(
            "UPDATE audit_log SET purpose = {}, prev_hash = '{prev_hash}', hash = '{hash}' WHERE seq = {row_seq}",
            sql(&fields[6])
        ))
        .await;
        if row_seq == rehash_until {
            db.raw(&format!(
                "UPDATE audit_head SET hash = '{hash}' WHERE seq = {row_seq}"
            ))
            .await;
        }
        prev = Some(hash);
    }
}

async fn the_audit_chain_verifies_and_names_the_first_broken_row(db: &TestDb) {
    assert_eq!(
        audit(db).verify().await.unwrap(),
        ChainReport {
            rows: 0,
            first_break: None
        }
    );
    // A decision's line (the machine's), then four reads.
    audit(db).append(&bare_entry()).await.unwrap();
    for i in 0..4 {
        audit(db)
            .append(&entry(&format!("person-{i}")))
            .await
            .unwrap();
    }
    let clean = audit(db).verify().await.unwrap();
    assert_eq!(
        clean,
        ChainReport {
            rows: 5,
            first_break: None
        },
        "1 decision + 4 reads"
    );

    db.raw("UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 3")
        .await;
    let report = audit(db).verify().await.unwrap();
    assert_eq!(
        report.first_break.as_ref().map(|b| b.seq),
        Some(3),
        "{report:?}"
    );
    assert_eq!(
        report.first_break.unwrap().problem,
        polku_audit::ChainProblem::Changed
    );
    db.raw("UPDATE audit_log SET purpose = 'case handling' WHERE seq = 3")
        .await;
    assert_eq!(
        audit(db).verify().await.unwrap().first_break,
        None,
        "restored"
    );

    db.raw("DELETE FROM audit_log WHERE seq = 2").await;
    let report = audit(db).verify().await.unwrap();
    assert_eq!(
        report.first_break.map(|b| (b.seq, b.problem.to_string())),
        Some((3, "row 2 is missing (the next row is 3)".to_owned()))
    );
}
polku_store::on_every_database!(
    first_broken_row,
    the_audit_chain_verifies_and_names_the_first_broken_row
);

async fn removing_the_last_rows_is_noticed(db: &TestDb) {
    for i in 0..3 {
        audit(db)
            .append(&entry(&format!("person-{i}")))
            .await
            .unwrap();
    }
    db.raw("DELETE FROM audit_log WHERE seq = 3").await;
    let report = audit(db).verify().await.unwrap();
    assert!(
        report
            .first_break
            .unwrap()
            .problem
            .to_string()
            .contains("rows were removed from the end")
    );
}
polku_store::on_every_database!(truncation, removing_the_last_rows_is_noticed);

async fn a_long_chain_is_verified_in_batches_with_its_progress(db: &TestDb) {
    for i in 0..7 {
        audit(db)
            .append(&entry(&format!("person-{i}")))
            .await
            .unwrap();
    }
    let progress = polku_audit::ChainProgress::default();
    let report = audit(db).verify_in_batches(&progress, 2).await.unwrap();
    assert_eq!(report, audit(db).verify().await.unwrap());
    assert_eq!(report.rows, 7);
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(
        (progress.total.load(Relaxed), progress.checked.load(Relaxed)),
        (7, 7)
    );
    // A row missing at a batch's edge, and a row changed inside the next batch.
    db.raw("DELETE FROM audit_log WHERE seq = 3").await;
    let gap = audit(db)
        .verify_in_batches(&polku_audit::ChainProgress::default(), 2)
        .await
        .unwrap();
    assert_eq!(gap.first_break.map(|b| b.seq), Some(4));
}
polku_store::on_every_database!(
    in_batches,
    a_long_chain_is_verified_in_batches_with_its_progress
);

async fn concurrent_appends_keep_one_unbroken_chain(db: &TestDb) {
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let chain = audit(db);
            tokio::spawn(async move {
                for i in 0..10 {
                    chain.append(&entry(&format!("p-{t}-{i}"))).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        audit(db).verify().await.unwrap(),
        ChainReport {
            rows: 80,
            first_break: None
        }
    );
}
polku_store::on_every_database!(
    concurrent_appends,
    concurrent_appends_keep_one_unbroken_chain
);

async fn the_row_hash_is_the_documented_formula(db: &TestDb) {
    append(db, 6).await;
    let rows = raw_chain(db).await;
    assert_eq!(rows.len(), 6);
    let mut prev = GENESIS.to_owned();
    for row in &rows {
        assert_eq!(text(&row[12]), prev, "row {}: prev_hash", row[0]);
        let hash = documented_hash(&prev, &row[..12]);
        assert_eq!(text(&row[13]), hash, "row {}: hash", row[0]);
        prev = hash;
    }
    let head = db.rows("SELECT seq, hash FROM audit_head").await;
    assert_eq!(head, [[json!(6), json!(prev)]]);
    // The fields as stored: the detail as its JSON text, absent values as null.
    assert_eq!(rows[2][4], Value::Null);
    assert!(text(&rows[0][8]).contains("\\\"quoted\\\""));
}
polku_store::on_every_database!(documented_formula, the_row_hash_is_the_documented_formula);

async fn a_changed_row_is_found_even_with_its_hash_recomputed(db: &TestDb) {
    append(db, 5).await;
    // Row 2 changed and its hash recomputed from its own prev_hash: row 3 no longer
    // follows it.
    rewrite(db, 2, "curiosity", 2).await;
    let report = audit(db).verify().await.unwrap();
    assert_eq!(
        report.first_break,
        Some(ChainBreak {
            seq: 3,
            problem: polku_audit::ChainProblem::PreviousHash
        })
    );
    // And with row 3's prev_hash made to follow (but not its hash): row 3 does not fit.
    let rows = raw_chain(db).await;
    db.raw(&format!(
        "UPDATE audit_log SET prev_hash = '{}' WHERE seq = 3",
        text(&rows[1][13])
    ))
    .await;
    let report = audit(db).verify().await.unwrap();
    assert_eq!(report.first_break.map(|b| b.seq), Some(3));
}
polku_store::on_every_database!(
    recomputed_row,
    a_changed_row_is_found_even_with_its_hash_recomputed
);

struct Anchors {
    _dir: tempfile::TempDir,
    key: AnchorKey,
    file: AnchorFile,
}

fn anchors() -> Anchors {
    let dir = tempfile::tempdir().unwrap();
    let (key, created) = AnchorKey::load_or_create(&dir.path().join("audit-key")).unwrap();
    assert!(created);
    let file = AnchorFile::new(dir.path().join("audit-anchors.jsonl"));
    Anchors {
        _dir: dir,
        key,
        file,
    }
}

async fn problems(db: &TestDb, a: &Anchors) -> Vec<String> {
    let report = audit(db)
        .verify_anchors(&a.file.read().unwrap(), &a.key.verifying_key())
        .await
        .unwrap();
    report
        .problems
        .iter()
        .map(|p| format!("line {}: {}", p.line, p.problem))
        .collect()
}

async fn a_tail_rewritten_consistently_is_found_by_an_anchor(db: &TestDb) {
    let a = anchors();
    append(db, 5).await;
    let anchor = audit(db).anchor(&a.key, &a.file).await.unwrap().unwrap();
    assert_eq!(anchor.seq, 5);
    assert_eq!(
        audit(db).anchor(&a.key, &a.file).await.unwrap(),
        None,
        "the head is anchored already"
    );
    append(db, 3).await;
    audit(db).anchor(&a.key, &a.file).await.unwrap();
    let report = audit(db)
        .verify_anchors(&a.file.read().unwrap(), &a.key.verifying_key())
        .await
        .unwrap();
    assert_eq!(
        (report.anchors, report.verified, report.last_verified_seq),
        (2, 2, Some(8))
    );
    assert!(report.problems.is_empty());

    // Row 3 rewritten, and every hash after it, and the head: the chain fits together.
    rewrite(db, 3, "curiosity", 8).await;
    assert_eq!(
        audit(db).verify().await.unwrap().first_break,
        None,
        "the chain alone cannot tell"
    );
    let found = problems(db, &a).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("line 1: row 5 has hash ")
            && found[0].contains("the chain was rewritten"),
        "{found:?}"
    );
    assert!(found[1].starts_with("line 2: row 8 has hash "), "{found:?}");

    // Rows removed from the end, the head set back: the anchor names a row that is gone.
    db.raw("DELETE FROM audit_log WHERE seq > 6").await;
    let head = raw_chain(db).await.pop().unwrap();
    db.raw(&format!(
        "UPDATE audit_head SET seq = 6, hash = '{}'",
        text(&head[13])
    ))
    .await;
    assert_eq!(audit(db).verify().await.unwrap().first_break, None);
    let found = problems(db, &a).await;
    assert!(
        found[1].contains("row 8 is not in the chain (6 rows): rows were removed"),
        "{found:?}"
    );
}
polku_store::on_every_database!(
    anchored_tail,
    a_tail_rewritten_consistently_is_found_by_an_anchor
);

async fn a_forged_anchor_is_found(db: &TestDb) {
    let a = anchors();
    append(db, 4).await;
    let real = audit(db).anchor(&a.key, &a.file).await.unwrap().unwrap();
    assert!(problems(db, &a).await.is_empty());
    // A tamperer rewrites the chain and writes an anchor to match, without the key:
    // the signature of the real anchor over the new hash, and a signature of their own
    // key under this key's name.
    rewrite(db, 2, "curiosity", 4).await;
    let (_, new_hash) = audit(db).head().await.unwrap();
    let moved = polku_audit::Anchor {
        hash: new_hash.clone(),
        ..real.clone()
    };
    let mut theirs = AnchorKey::from_secret([9; 32]).sign(4, &new_hash, jiff::Timestamp::now());
    theirs.key = a.key.id();
    let other_key = AnchorKey::from_secret([9; 32]).sign(4, &new_hash, jiff::Timestamp::now());
    std::fs::write(
        &a.file.path,
        [&real, &moved, &theirs, &other_key]
            .iter()
            .map(|x| serde_json::to_string(x).unwrap() + "\n")
            .collect::<String>()
            + "{\"seq\": 4}\n",
    )
    .unwrap();
    let found = problems(db, &a).await;
    assert_eq!(
        found,
        [
            format!(
                "line 1: row 4 has hash {new_hash}, but {} when it was anchored at {}: the chain was rewritten",
                real.hash, real.at
            ),
            "line 2: its signature is not valid: the anchor was forged or changed".to_owned(),
            "line 3: its signature is not valid: the anchor was forged or changed".to_owned(),
            format!(
                "line 4: signed by key {}, not by this key {}: it cannot be verified",
                other_key.key,
                a.key.id()
            ),
            "line 5: not an anchor: missing field `hash` at line 1 column 10".to_owned(),
        ]
    );
}
polku_store::on_every_database!(forged_anchor, a_forged_anchor_is_found);

/// The anchorer signs once the chain has grown by `every_rows`, and once more when it
/// stops; never per row.
async fn the_anchorer_signs_on_its_schedule_and_when_it_stops(db: &TestDb) {
    let a = anchors();
    append(db, 4).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let anchorer = Anchorer {
        chain: audit(db),
        key: AnchorKey::load(&a.file.path.with_file_name("audit-key")).unwrap(),
        file: a.file.clone(),
        schedule: AnchorSchedule {
            every_rows: 3,
            every: Duration::from_secs(3600),
        },
    };
    let running = tokio::spawn(anchorer.run(stopped));
    // It reads the head about once a second.
    let mut seqs = Vec::new();
    for _ in 0..1000 {
        seqs = a
            .file
            .read()
            .unwrap()
            .into_iter()
            .map(|(_, x)| x.unwrap().seq)
            .collect();
        if !seqs.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seqs, [4]);
    append(db, 2).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let seqs: Vec<i64> = a
        .file
        .read()
        .unwrap()
        .into_iter()
        .map(|(_, x)| x.unwrap().seq)
        .collect();
    assert_eq!(seqs, [4, 6], "two rows are not due; stopping anchors them");
    assert!(problems(db, &a).await.is_empty());
}
polku_store::on_every_database!(
    anchorer,
    the_anchorer_signs_on_its_schedule_and_when_it_stops
);

/// The audit handle on the test's database.
fn audit(db: &TestDb) -> polku_audit::AuditChain {
    polku_audit::AuditChain::new(db.db.clone())
}
