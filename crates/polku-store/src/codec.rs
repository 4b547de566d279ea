//! Reading stored values back as the types they were written from. A value that does not
//! read is a [`CorruptRow`] that names where it is — the table, the row's key as stored,
//! the column — so an operator can find it, never a made-up id standing in for it.

use std::fmt::Display;

use uuid::Uuid;

/// A stored row that does not read back as what was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} row `{key}` holds an unreadable {column}: {detail}")]
pub struct CorruptRow {
    pub table: &'static str,
    /// The row's key as stored (an id that may itself be what does not read).
    pub key: String,
    pub column: &'static str,
    pub detail: String,
}

impl CorruptRow {
    pub fn new(
        table: &'static str,
        key: impl Display,
        column: &'static str,
        detail: impl Display,
    ) -> CorruptRow {
        CorruptRow {
            table,
            key: key.to_string(),
            column,
            detail: detail.to_string(),
        }
    }
}

/// Reads the id in `column` of the `table` row keyed `key`.
pub fn uuid(
    table: &'static str,
    key: &str,
    column: &'static str,
    text: &str,
) -> Result<Uuid, CorruptRow> {
    Uuid::parse_str(text).map_err(|e| CorruptRow::new(table, key, column, e))
}

/// Reads a row's own id (the key is the text that does not read).
pub fn id(table: &'static str, text: &str) -> Result<Uuid, CorruptRow> {
    uuid(table, text, "id", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_id_names_its_table_row_and_column() {
        let e = id("cases", "not-a-uuid").unwrap_err();
        assert_eq!(e.table, "cases");
        assert_eq!(e.key, "not-a-uuid");
        assert_eq!(e.column, "id");
        assert!(
            e.to_string()
                .starts_with("cases row `not-a-uuid` holds an unreadable id: "),
            "{e}"
        );
        let ok = Uuid::now_v7();
        assert_eq!(uuid("decisions", "k", "case_id", &ok.to_string()), Ok(ok));
    }
}
