//! A rule set's figure changed from a day, written into its text (pure: text in, text out).
//!
//! The legal officer's form gives a parameter, a value, the day it applies from and where
//! the figure was published; this writes the dated value into the parameter's `values:` in
//! date order (replacing one of the same day) and adds the source to the parameter's
//! `source:`. The result is an ordinary proposed text: checked, tested, backtested and
//! approved by a second person like any other.

use jiff::civil::Date;

/// Why the figure cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FigureError {
    #[error("the rule set has no figure `{0}`")]
    NoSuchFigure(String),
    #[error("the figure `{0}` holds a list of values; change it in the text")]
    NotANumber(String),
    #[error("the value must be a number from 0 to 1,000,000,000")]
    BadValue,
    #[error("say where the figure was published")]
    NoSource,
}

/// The largest figure the form writes.
pub const MAX_FIGURE: f64 = 1_000_000_000.0;

/// `text` with figure `param` set to `value` from `from`, its source extended with
/// `source`.
pub fn with_figure(
    text: &str,
    param: &str,
    from: Date,
    value: f64,
    source: &str,
) -> Result<String, FigureError> {
    if !value.is_finite() || !(0.0..=MAX_FIGURE).contains(&value) {
        return Err(FigureError::BadValue);
    }
    let source = source.trim().replace(['\n', '\r'], " ");
    if source.is_empty() {
        return Err(FigureError::NoSource);
    }
    let lines: Vec<&str> = text.lines().collect();
    let missing = || FigureError::NoSuchFigure(param.to_owned());
    // The `parameters:` block, then the parameter's own block (two spaces in).
    let params = lines
        .iter()
        .position(|l| l.trim_end() == "parameters:")
        .ok_or_else(missing)?;
    let head = format!("  {param}:");
    let start = lines
        .iter()
        .enumerate()
        .skip(params + 1)
        .take_while(|(_, l)| l.is_empty() || l.starts_with(' '))
        .find(|(_, l)| l.trim_end() == head)
        .map(|(i, _)| i)
        .ok_or_else(missing)?;
    // The block ends at the next line indented two spaces or less (not blank).
    let end = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| !l.trim().is_empty() && !l.starts_with("   "))
        .map_or(lines.len(), |(i, _)| i);
    let values_at = (start + 1..end)
        .find(|&i| lines[i].trim_end() == "    values:")
        .ok_or_else(missing)?;
    // The dated values: six spaces in, `YYYY-MM-DD: number`.
    let mut dated: Vec<(usize, Date)> = Vec::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(values_at + 1) {
        let Some(rest) = line.strip_prefix("      ") else {
            break;
        };
        let (day, v) = rest.split_once(':').ok_or_else(missing)?;
        if v.trim().starts_with('[') {
            return Err(FigureError::NotANumber(param.to_owned()));
        }
        dated.push((i, day.trim().parse().map_err(|_| missing())?));
    }
    let shown = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    };
    let new_line = format!("      {from}: {shown}");
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    match dated.iter().find(|(_, d)| *d == from) {
        Some((i, _)) => out[*i] = new_line,
        None => {
            let at = dated.iter().find(|(_, d)| *d > from).map_or(
                dated.last().map_or(values_at + 1, |(i, _)| i + 1),
                |(i, _)| *i,
            );
            out.insert(at, new_line);
        }
    }
    // The source: a quoted or plain line gets "; from <day>: <source>"; a folded block a
    // line of its own.
    let source_at = (start + 1..values_at)
        .find(|&i| out[i].starts_with("    source:"))
        .ok_or_else(missing)?;
    let addition = format!("from {from}: {source}");
    let current = out[source_at]["    source:".len()..].trim().to_owned();
    if current == ">-" || current == ">" || current == "|" {
        let last = (source_at + 1..values_at)
            .take_while(|&i| out[i].starts_with("      "))
            .last()
            .unwrap_or(source_at);
        out.insert(last + 1, format!("      {addition}"));
    } else {
        let old = match current.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
            Some(inner) => inner.to_owned(),
            None => current.replace('\\', "\\\\").replace('"', "\\\""),
        };
        let added = addition.replace('\\', "\\\\").replace('"', "\\\"");
        out[source_at] = format!("    source: \"{old}; {added}\"");
    }
    let mut text_out = out.join("\n");
    if text.ends_with('\n') {
        text_out.push('\n');
    }
    Ok(text_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TEXT: &str = "id: x\nparameters:\n  pay.min:\n    source: \"Migri 2024\"\n    unit: €/month\n    values:\n      2024-01-01: 1399\n      2025-04-01: 1600\n  other:\n    source: >-\n      A long\n      source\n    values:\n      2024-01-01: 5\n\ndefinitions:\n  a: 1\n";

    #[test]
    fn a_figure_is_written_in_date_order_with_its_source() {
        let t = with_figure(TEXT, "pay.min", date(2027, 1, 1), 1700.0, "TEM 2026").unwrap();
        assert!(
            t.contains("      2025-04-01: 1600\n      2027-01-01: 1700\n  other:"),
            "{t}"
        );
        assert!(
            t.contains("    source: \"Migri 2024; from 2027-01-01: TEM 2026\""),
            "{t}"
        );
        let between = with_figure(TEXT, "pay.min", date(2024, 6, 1), 1450.5, "x").unwrap();
        assert!(
            between.contains(
                "      2024-01-01: 1399\n      2024-06-01: 1450.5\n      2025-04-01: 1600"
            ),
            "{between}"
        );
        let same = with_figure(TEXT, "pay.min", date(2025, 4, 1), 1650.0, "x").unwrap();
        assert!(
            same.contains("      2025-04-01: 1650\n") && !same.contains(": 1600"),
            "{same}"
        );
        let folded =
            with_figure(TEXT, "other", date(2026, 1, 1), 6.0, "Decree \"7/2026\"").unwrap();
        assert!(
            folded.contains("      source\n      from 2026-01-01: Decree \"7/2026\"\n    values:"),
            "{folded}"
        );
        assert!(
            folded.contains("      2024-01-01: 5\n      2026-01-01: 6\n\ndefinitions:"),
            "{folded}"
        );
    }

    #[test]
    fn a_wrong_figure_says_what_is_wrong() {
        assert_eq!(
            with_figure(TEXT, "nope", date(2027, 1, 1), 1.0, "x"),
            Err(FigureError::NoSuchFigure("nope".into()))
        );
        assert_eq!(
            with_figure(TEXT, "pay.min", date(2027, 1, 1), -1.0, "x"),
            Err(FigureError::BadValue)
        );
        assert_eq!(
            with_figure(TEXT, "pay.min", date(2027, 1, 1), f64::NAN, "x"),
            Err(FigureError::BadValue)
        );
        assert_eq!(
            with_figure(TEXT, "pay.min", date(2027, 1, 1), 1.0, "  "),
            Err(FigureError::NoSource)
        );
    }

    #[test]
    fn the_shipped_rule_sets_take_a_figure_and_still_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/fi");
        let file = dir.join("residence-permit-employed-extension.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let changed = with_figure(
            &text,
            "pay.general_minimum_eur_month",
            date(2027, 1, 1),
            1650.0,
            "Työ- ja elinkeinoministeriö, example",
        )
        .unwrap();
        assert_ne!(changed, text);
        let mut sources = polku_rules::read_dir_sources(&dir.join("..")).unwrap();
        for (p, t) in &mut sources {
            if p.ends_with("residence-permit-employed-extension.yaml") {
                *t = changed.clone();
            }
        }
        let book = polku_rules::RuleBook::from_sources(&sources).unwrap();
        let rs = book.get("fi.residence-permit.employed.extension").unwrap();
        let p = rs
            .parameters
            .iter()
            .find(|p| p.name == "pay.general_minimum_eur_month")
            .unwrap();
        assert_eq!(
            p.value_at(date(2027, 1, 1)).map(|(d, _)| *d),
            Some(date(2027, 1, 1))
        );
    }
}
