//! The facts a re-check reads, packed: every set field of an [`Application`] as
//! `(slot, value)` in a few hundred bytes, so that re-checking every permit in the country
//! reads a small column instead of parsing each permit's JSON (`docs/monitoring.md`,
//! "Speed"). The JSON (`facts_json`) stays the record; this is derived from it.
//!
//! Slot numbers are the input schema's order, which a release may change: the packed form
//! starts with a fingerprint of the schema, and one packed by another schema does not
//! unpack ([`unpack`] gives `None`) — the caller reads the JSON instead.

use std::sync::OnceLock;

use jiff::civil::Date;
use polku_rules::Application;
use polku_rules::schema::{FIELDS, FieldValue};

const BOOL_FALSE: u8 = 0;
const BOOL_TRUE: u8 = 1;
const NUMBER: u8 = 2;
const DATE: u8 = 3;
const TEXT: u8 = 4;

/// A fingerprint of the input schema's fields and types (FNV-1a over the paths and
/// types, so it is the same in every build of one schema).
pub fn schema_fingerprint() -> u64 {
    static FINGERPRINT: OnceLock<u64> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for field in FIELDS {
            for b in field
                .path
                .bytes()
                .chain(format!("{:?}", field.ty).bytes())
                .chain([0])
            {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    })
}

/// The set fields of `app`, packed.
pub fn pack(app: &Application) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&schema_fingerprint().to_le_bytes());
    for slot in 0..FIELDS.len() {
        let Some(value) = app.get(slot) else { continue };
        let Ok(slot) = u16::try_from(slot) else {
            continue;
        };
        out.extend_from_slice(&slot.to_le_bytes());
        match value {
            FieldValue::Bool(false) => out.push(BOOL_FALSE),
            FieldValue::Bool(true) => out.push(BOOL_TRUE),
            FieldValue::Number(n) => {
                out.push(NUMBER);
                out.extend_from_slice(&n.to_le_bytes());
            }
            FieldValue::Date(d) => {
                out.push(DATE);
                out.extend_from_slice(&d.year().to_le_bytes());
                out.push(d.month() as u8);
                out.push(d.day() as u8);
            }
            FieldValue::Text(t) => {
                // Schema texts are at most 200 characters; longer is not packed (unknown).
                let Ok(len) = u16::try_from(t.len()) else {
                    out.truncate(out.len() - 2);
                    continue;
                };
                out.push(TEXT);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(t.as_bytes());
            }
        }
    }
    out
}

/// The application `pack` made, or `None` when another schema packed it or the bytes are
/// damaged (then read the JSON).
pub fn unpack(bytes: &[u8]) -> Option<Application> {
    let (head, mut rest) = bytes.split_at_checked(8)?;
    if u64::from_le_bytes(head.try_into().ok()?) != schema_fingerprint() {
        return None;
    }
    let mut app = Application::default();
    while !rest.is_empty() {
        let (slot, tail) = rest.split_at_checked(2)?;
        let slot = usize::from(u16::from_le_bytes(slot.try_into().ok()?));
        let (&tag, tail) = tail.split_first()?;
        let (value, tail) = match tag {
            BOOL_FALSE => (FieldValue::Bool(false), tail),
            BOOL_TRUE => (FieldValue::Bool(true), tail),
            NUMBER => {
                let (n, tail) = tail.split_at_checked(8)?;
                (
                    FieldValue::Number(f64::from_le_bytes(n.try_into().ok()?)),
                    tail,
                )
            }
            DATE => {
                let (d, tail) = tail.split_at_checked(4)?;
                let year = i16::from_le_bytes([d[0], d[1]]);
                let date = Date::new(year, d[2] as i8, d[3] as i8).ok()?;
                (FieldValue::Date(date), tail)
            }
            TEXT => {
                let (len, tail) = tail.split_at_checked(2)?;
                let len = usize::from(u16::from_le_bytes(len.try_into().ok()?));
                let (text, tail) = tail.split_at_checked(len)?;
                (
                    FieldValue::Text(std::str::from_utf8(text).ok()?.to_owned()),
                    tail,
                )
            }
            _ => return None,
        };
        if slot >= FIELDS.len() {
            return None;
        }
        app.set(slot, Some(value));
        rest = tail;
    }
    Some(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walkthrough() -> Application {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/employed-extension.json"),
        )
        .unwrap();
        Application::from_json_str(&text).unwrap()
    }

    #[test]
    fn every_set_field_comes_back() {
        let app = walkthrough();
        let packed = pack(&app);
        assert!(packed.len() < 400, "{} bytes", packed.len());
        let back = unpack(&packed).unwrap();
        for slot in 0..FIELDS.len() {
            assert_eq!(back.get(slot), app.get(slot), "{}", FIELDS[slot].path);
        }
    }

    #[test]
    fn another_schema_or_damage_unpacks_to_nothing() {
        let mut packed = pack(&walkthrough());
        let mut other = packed.clone();
        other[0] ^= 1;
        assert!(unpack(&other).is_none(), "another schema's fingerprint");
        packed.truncate(packed.len() - 1);
        assert!(unpack(&packed).is_none(), "cut short");
        assert!(unpack(&[]).is_none());
    }
}
