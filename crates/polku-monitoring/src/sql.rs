//! Multi-row statements: their placeholders, in binding order, for each dialect.
//!
//! SQLite looks each numbered parameter (`$n`) up in a list when it is bound, so binding a
//! statement with many of them costs the square of their count; plain `?` parameters are
//! bound by position at no such cost. A statement built here therefore has no other
//! parameter than the ones it makes, bound in order.

use polku_store::Dialect;

/// Rows per statement for rows of `cols` values: about 3,000 parameters (SQLite allows
/// 32,766 and PostgreSQL 65,535).
pub(crate) fn rows_per_statement(cols: usize) -> usize {
    (3000 / cols.max(1)).max(1)
}

/// Rows per statement for rows of `cols` values where few statements matter more than
/// the cost of binding: PostgreSQL's limit of 65,535 parameters; SQLite as
/// [`rows_per_statement`].
pub(crate) fn most_rows_per_statement(dialect: Dialect, cols: usize) -> usize {
    match dialect {
        Dialect::Postgres => (65_535 / cols.max(1)).max(1),
        Dialect::Sqlite => rows_per_statement(cols),
    }
}

/// `rows` groups of `cols` placeholders: `(…), (…)`.
pub(crate) fn groups(dialect: Dialect, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * (cols * 4 + 4));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        out.push_str(&list_from(dialect, r * cols + 1, cols));
        out.push(')');
    }
    out
}

/// `n` placeholders separated by commas, for an `IN (…)`.
pub(crate) fn list(dialect: Dialect, n: usize) -> String {
    list_from(dialect, 1, n)
}

/// The `i`th placeholder (from 1), for a statement whose placeholders are bound in order.
pub(crate) fn placeholder(dialect: Dialect, i: usize) -> String {
    list_from(dialect, i, 1)
}

/// `n` placeholders from the `first`th, separated by commas.
pub(crate) fn list_from(dialect: Dialect, first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| match dialect {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${i}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_in_binding_order() {
        assert_eq!(groups(Dialect::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(groups(Dialect::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(list(Dialect::Postgres, 3), "$1, $2, $3");
        assert_eq!(rows_per_statement(7), 428);
        assert_eq!(most_rows_per_statement(Dialect::Postgres, 8), 8191);
        assert_eq!(most_rows_per_statement(Dialect::Sqlite, 8), 375);
    }
}
