//! Random applications for the property tests: any value each field of the schema can
//! hold, or nothing (unknown).

use jiff::civil::Date;
use polku_rules::schema::{FIELDS, FieldType, FieldValue};
use proptest::prelude::*;

/// The texts a free-text field takes in the tests (and the literals rules compare with).
pub const TEXTS: &[&str] = &["1234567-1", "7654321-2", "ISCO-2", "ISCO-7", ""];

/// Any value a field can hold, or nothing.
pub fn field_value(ty: FieldType) -> BoxedStrategy<Option<FieldValue>> {
    let value: BoxedStrategy<FieldValue> = match ty {
        FieldType::Bool => any::<bool>().prop_map(FieldValue::Bool).boxed(),
        FieldType::Number => prop_oneof![
            (-10.0f64..100_000.0).prop_map(FieldValue::Number),
            (0u32..20).prop_map(|n| FieldValue::Number(n as f64)),
        ]
        .boxed(),
        FieldType::Date => (1900i16..2030, 1i8..=12, 1i8..=28)
            .prop_map(|(y, m, d)| FieldValue::Date(Date::constant(y, m, d)))
            .boxed(),
        FieldType::Text => prop::sample::select(TEXTS.to_vec())
            .prop_map(|s| FieldValue::Text(s.to_owned()))
            .boxed(),
        FieldType::OneOf(values) => prop::sample::select(values.to_vec())
            .prop_map(|s| FieldValue::Text(s.to_owned()))
            .boxed(),
    };
    prop_oneof![1 => Just(None), 3 => value.prop_map(Some)].boxed()
}

/// A value (or nothing) for every field of the schema, in slot order.
pub fn values() -> impl Strategy<Value = Vec<Option<FieldValue>>> {
    FIELDS.iter().map(|f| field_value(f.ty)).collect::<Vec<_>>()
}
