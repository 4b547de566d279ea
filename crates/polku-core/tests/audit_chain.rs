//! The audit chain as an auditor checks it, and as a tamperer attacks it: the documented
//! row hash recomputed from the raw rows with common tools, and a changed row found even
//! when its hash was recomputed. SQLite and, when `POLKU_TEST_DATABASE_URL` is set,
//! PostgreSQL.

use polku_core::testing::TestDb;
use polku_core::{AuditEntry, AuditLog, ChainBreak, XRoad};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The columns a row's hash covers, in the table's order, then the two hashes.
const COLUMNS: &str = "seq, at, log, actor, organisation, person, purpose, legal_basis, detail, \
                       x_road_client, x_road_user_id, x_road_issue, prev_hash, hash";

fn entry(person: &str) -> AuditEntry {
    AuditEntry {
        log: AuditLog::Access,
        actor: "handler-7".to_owned(),
        organisation: Some("Maahanmuuttovirasto".to_owned()),
        person: Some(person.to_owned()),
        purpose: "case handling".to_owned(),
        legal_basis: Some("UlkL 54 §".to_owned()),
        detail: json!({"read": "case", "note": "\"quoted\", ä, 🙂\n"}),
        x_road: XRoad {
            client: Some("FI/GOV/0000000-0/migri".into()),
            user_id: Some("FI123".into()),
            issue: None,
        },
    }
}

/// A decision-log entry with every optional field empty.
fn bare_entry() -> AuditEntry {
    AuditEntry {
        log: AuditLog::Decision,
        actor: "polku-pipeline".to_owned(),
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
            db.store.audit(&bare_entry()).await.unwrap();
        } else {
            db.store
                .audit(&entry(&format!("person-{i}")))
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
polku_core::on_every_database!(
    documented_formula,
    the_row_hash_is_the_documented_formula,
    with_db
);

async fn a_changed_row_is_found_even_with_its_hash_recomputed(db: &TestDb) {
    append(db, 5).await;
    // Row 2 changed and its hash recomputed from its own prev_hash: row 3 no longer
    // follows it.
    rewrite(db, 2, "curiosity", 2).await;
    let report = db.store.verify_audit().await.unwrap();
    assert_eq!(
        report.first_break,
        Some(ChainBreak {
            seq: 3,
            problem: "its previous-hash does not match the row before it".to_owned()
        })
    );
    // And with row 3's prev_hash made to follow (but not its hash): row 3 does not fit.
    let rows = raw_chain(db).await;
    db.raw(&format!(
        "UPDATE audit_log SET prev_hash = '{}' WHERE seq = 3",
        text(&rows[1][13])
    ))
    .await;
    let report = db.store.verify_audit().await.unwrap();
    assert_eq!(report.first_break.map(|b| b.seq), Some(3));
}
polku_core::on_every_database!(
    recomputed_row,
    a_changed_row_is_found_even_with_its_hash_recomputed,
    with_db
);
