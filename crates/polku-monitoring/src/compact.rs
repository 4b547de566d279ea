//! A monitored permit's facts, packed: every set field as `(slot, value)`, where each
//! register's facts came from, and the day each field was last set — a few hundred bytes
//! that read back without parsing JSON, so that an event batch and a re-check of every
//! permit in the country cost little per permit (`docs/monitoring.md`, "Speed").
//!
//! Slot numbers are the input schema's order, which a release may change. The packed
//! form starts with a fingerprint of the schema it was packed with; the store keeps each
//! fingerprint's field list (`monitoring_schemas`), and [`unpack_with`] maps an older
//! form's slots to today's by path (a field gone or changed in type is dropped: unknown).

use std::collections::HashMap;
use std::sync::OnceLock;

use jiff::civil::Date;
use polku_rules::Application;
use polku_rules::schema::{FIELDS, FieldType, FieldValue, Provenance, field_index};

use crate::facts::Facts;

const BOOL_FALSE: u8 = 0;
const BOOL_TRUE: u8 = 1;
const NUMBER: u8 = 2;
const DATE: u8 = 3;
const TEXT: u8 = 4;

/// A fingerprint of the input schema's fields and types (FNV-1a over the paths and
/// types, the same in every build of one schema).
pub fn schema_fingerprint() -> u64 {
    static FINGERPRINT: OnceLock<u64> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for field in FIELDS {
            for b in field
                .path
                .bytes()
                .chain(type_code(&field.ty).bytes())
                .chain([0])
            {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    })
}

fn type_code(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Bool => "bool",
        FieldType::Number => "number",
        FieldType::Date => "date",
        FieldType::Text | FieldType::OneOf(_) => "text",
    }
}

/// Today's schema's field paths, in slot order: what the store records beside the
/// fingerprint.
pub fn schema_fields() -> Vec<String> {
    FIELDS.iter().map(|f| f.path.to_owned()).collect()
}

/// Why packed facts did not read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpack {
    /// Packed by another schema: read it with that schema's fields ([`unpack_with`]).
    OtherSchema(u64),
    Damaged,
}

/// `facts`, packed.
pub fn pack(facts: &Facts) -> Vec<u8> {
    let mut out = Vec::with_capacity(384);
    out.extend_from_slice(&schema_fingerprint().to_le_bytes());
    let set: Vec<(u16, &FieldValue)> = (0..FIELDS.len())
        .filter_map(|slot| Some((u16::try_from(slot).ok()?, facts.app.get(slot)?)))
        .filter(|(_, v)| !matches!(v, FieldValue::Text(t) if t.len() > usize::from(u16::MAX)))
        .collect();
    out.extend_from_slice(&(set.len() as u16).to_le_bytes());
    for (slot, value) in set {
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
                put_date(&mut out, *d);
            }
            FieldValue::Text(t) => {
                out.push(TEXT);
                put_text(&mut out, t);
            }
        }
    }
    let provenance: Vec<_> = facts
        .app
        .provenances()
        .filter(|(_, p)| **p != Provenance::default())
        .collect();
    out.push(provenance.len() as u8);
    for (register, p) in provenance {
        put_text(&mut out, register);
        for part in [&p.source, &p.request_id, &p.fetched_at] {
            match part {
                Some(t) => {
                    out.push(1);
                    put_text(&mut out, t);
                }
                None => out.push(0),
            }
        }
    }
    out.extend_from_slice(&(facts.set_on.len() as u16).to_le_bytes());
    for (slot, day) in &facts.set_on {
        out.extend_from_slice(&(*slot as u16).to_le_bytes());
        put_date(&mut out, *day);
    }
    match facts.previous_month {
        Some(m) => {
            out.push(1);
            put_date(&mut out, m);
        }
        None => out.push(0),
    }
    out
}

/// The facts `pack` made with today's schema.
pub fn unpack(bytes: &[u8]) -> Result<Facts, Unpack> {
    let mut r = Reader(bytes);
    let fingerprint = r.u64().ok_or(Unpack::Damaged)?;
    if fingerprint != schema_fingerprint() {
        return Err(Unpack::OtherSchema(fingerprint));
    }
    read(r, &|slot| Some(slot)).ok_or(Unpack::Damaged)
}

/// The facts packed with the schema whose field paths were `fields`, mapped to today's.
pub fn unpack_with(bytes: &[u8], fields: &[String]) -> Result<Facts, Unpack> {
    let mut r = Reader(bytes);
    r.u64().ok_or(Unpack::Damaged)?;
    let today: HashMap<usize, usize> = fields
        .iter()
        .enumerate()
        .filter_map(|(old, path)| Some((old, field_index(path)?)))
        .collect();
    read(r, &|old| today.get(&old).copied()).ok_or(Unpack::Damaged)
}

fn read(mut r: Reader<'_>, slot_of: &dyn Fn(usize) -> Option<usize>) -> Option<Facts> {
    let mut app = Application::default();
    for _ in 0..r.u16()? {
        let old = usize::from(r.u16()?);
        let value = match r.u8()? {
            BOOL_FALSE => FieldValue::Bool(false),
            BOOL_TRUE => FieldValue::Bool(true),
            NUMBER => FieldValue::Number(f64::from_le_bytes(r.take(8)?.try_into().ok()?)),
            DATE => FieldValue::Date(r.date()?),
            TEXT => FieldValue::Text(r.text()?),
            _ => return None,
        };
        if let Some(slot) = slot_of(old).filter(|s| fits(*s, &value)) {
            app.set(slot, Some(value));
        }
    }
    for _ in 0..r.u8()? {
        let register = r.text()?;
        let mut part = || -> Option<Option<String>> {
            match r.u8()? {
                0 => Some(None),
                _ => Some(Some(r.text()?)),
            }
        };
        let provenance = Provenance {
            source: part()?,
            request_id: part()?,
            fetched_at: part()?,
        };
        app.set_provenance(&register, provenance);
    }
    let mut facts = Facts::from_decision(app);
    for _ in 0..r.u16()? {
        let old = usize::from(r.u16()?);
        let day = r.date()?;
        if let Some(slot) = slot_of(old) {
            facts.set_on.insert(slot, day);
        }
    }
    if r.u8()? == 1 {
        facts.previous_month = Some(r.date()?);
    }
    r.0.is_empty().then_some(facts)
}

/// Whether `value` is of the type today's schema gives slot `slot`.
fn fits(slot: usize, value: &FieldValue) -> bool {
    let Some(field) = FIELDS.get(slot) else {
        return false;
    };
    matches!(
        (&field.ty, value),
        (FieldType::Bool, FieldValue::Bool(_))
            | (FieldType::Number, FieldValue::Number(_))
            | (FieldType::Date, FieldValue::Date(_))
            | (FieldType::Text | FieldType::OneOf(_), FieldValue::Text(_))
    )
}

fn put_date(out: &mut Vec<u8>, d: Date) {
    out.extend_from_slice(&d.year().to_le_bytes());
    out.push(d.month() as u8);
    out.push(d.day() as u8);
}

fn put_text(out: &mut Vec<u8>, t: &str) {
    let len = t.len().min(usize::from(u16::MAX));
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&t.as_bytes()[..len]);
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn date(&mut self) -> Option<Date> {
        let d = self.take(4)?;
        Date::new(i16::from_le_bytes([d[0], d[1]]), d[2] as i8, d[3] as i8).ok()
    }
    fn text(&mut self) -> Option<String> {
        let len = usize::from(self.u16()?);
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, RegisterEvent};

    fn walkthrough() -> Facts {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/employed-extension.json"),
        )
        .unwrap();
        let mut facts = Facts::from_decision(Application::from_json_str(&text).unwrap());
        facts.apply(
            &RegisterEvent {
                id: "ir-1".into(),
                occurred_on: jiff::civil::date(2026, 11, 5),
                body: EventBody::PayReport {
                    person: "p".into(),
                    month: jiff::civil::date(2026, 10, 1),
                    gross_pay_eur: 2345.5,
                    employer_id: "1234567-1".into(),
                    occupational_field: Some("ISCO-7".into()),
                },
            },
            "2026-11-05T10:00:00Z",
        );
        facts
    }

    #[test]
    fn facts_come_back_whole() {
        let facts = walkthrough();
        let packed = pack(&facts);
        assert!(packed.len() < 700, "{} bytes", packed.len());
        assert_eq!(unpack(&packed).unwrap(), facts);
    }

    #[test]
    fn another_schemas_form_maps_by_path() {
        let facts = walkthrough();
        let mut packed = pack(&facts);
        packed[0] ^= 1;
        let other = u64::from_le_bytes(packed[..8].try_into().unwrap());
        assert_eq!(unpack(&packed), Err(Unpack::OtherSchema(other)));
        // The same fields in the same order: everything maps back.
        assert_eq!(unpack_with(&packed, &schema_fields()).unwrap(), facts);
        // A schema where every field sat one slot later: mapped by path all the same.
        let mut shifted = vec!["gone.field".to_owned()];
        shifted.extend(schema_fields());
        let repacked = {
            // Pack `facts` as that schema would have: slot + 1.
            let mut p = pack(&facts);
            let n = u16::from_le_bytes([p[8], p[9]]);
            let mut at = 10;
            for _ in 0..n {
                let slot = u16::from_le_bytes([p[at], p[at + 1]]) + 1;
                p[at..at + 2].copy_from_slice(&slot.to_le_bytes());
                let tag = p[at + 2];
                at += 3 + match tag {
                    NUMBER => 8,
                    DATE => 4,
                    TEXT => 2 + usize::from(u16::from_le_bytes([p[at + 3], p[at + 4]])),
                    _ => 0,
                };
            }
            p
        };
        let back = unpack_with(&repacked, &shifted).unwrap();
        assert_eq!(back.app, facts.app);
    }

    #[test]
    fn damage_reads_as_damage() {
        let mut packed = pack(&walkthrough());
        packed.truncate(packed.len() - 1);
        assert_eq!(unpack(&packed), Err(Unpack::Damaged));
        assert_eq!(unpack(&[]), Err(Unpack::Damaged));
    }
}
