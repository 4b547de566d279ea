//! Values as a reader of the page's language reads them: numbers and dates in its format,
//! times in Finland's time, yes and no in words, a register's field by its name in plain
//! words, and the legal provisions with the law's name in the language (UlkL, UtlL, the
//! Aliens Act). No field path, code or raw JSON reaches a page through here.

use jiff::civil::Date;
use polku_rules::Lang;
use serde_json::Value;

use crate::i18n::Tr;

/// "(not known)" in the reader's language.
pub(crate) fn unknown(tr: Tr) -> String {
    tr.t("mon-value-unknown")
}

/// `1600` → fi/sv "1 600", en "1,600"; at most two decimals, trailing zeros dropped (as
/// the rules' explanations write it).
pub(crate) fn number(x: f64, lang: Lang) -> String {
    let mut out = String::new();
    polku_rules::write_number(x, lang, &mut out);
    out
}

/// A day as the rules' explanations write it: fi and sv "1.4.2025", en "1 April 2025".
pub(crate) fn date(d: Date, lang: Lang) -> String {
    let mut out = String::new();
    polku_rules::write_date(d, lang, &mut out);
    out
}

/// A moment in Finland's time: fi "12.5.2025 klo 9.05", sv "12.5.2025 kl. 9.05", en
/// "12 May 2025 at 09:05".
pub(crate) fn moment(t: jiff::Timestamp, lang: Lang) -> String {
    let mut out = String::new();
    polku_rules::write_moment(
        t.to_zoned(polku_cases::finland()).datetime(),
        lang,
        &mut out,
    );
    out
}

/// Microseconds since the Unix epoch, as [`moment`]; empty when out of range.
pub(crate) fn micros(at: i64, lang: Lang) -> String {
    jiff::Timestamp::from_microsecond(at)
        .map(|t| moment(t, lang))
        .unwrap_or_default()
}

/// A time as a register stamped it (RFC 3339), in Finland's time; as it is when it does
/// not read as one.
pub(crate) fn stamped(text: &str, lang: Lang) -> String {
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => moment(t, lang),
        Err(_) => match text.parse::<Date>() {
            Ok(d) => date(d, lang),
            Err(_) => text.to_owned(),
        },
    }
}

/// A value a condition read, in words.
pub(crate) fn value(v: &Value, tr: Tr) -> String {
    match v {
        Value::Null => unknown(tr),
        Value::Bool(true) => tr.t("mon-value-yes"),
        Value::Bool(false) => tr.t("mon-value-no"),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |x| number(x, tr.lang)),
        Value::String(s) => match s.parse::<Date>() {
            Ok(d) if s.len() == 10 => date(d, tr.lang),
            _ => s.clone(),
        },
        // A register answers with plain values; anything else is not shown as code.
        Value::Array(_) | Value::Object(_) => unknown(tr),
    }
}

/// The message key naming the register field at `path` in plain words.
pub(crate) fn field_key(path: &str) -> String {
    format!("mon-field-{}", path.replace('.', "-"))
}

/// The register field at `path` in plain words; a field without a name of its own is "a
/// value from the register", never its path.
pub(crate) fn field(path: &str, tr: Tr) -> String {
    tr.try_t(&field_key(path))
        .unwrap_or_else(|| tr.t("mon-field-other"))
}

/// A field of the input schema in words: its name where it has one, else as the input
/// schema describes it, never its path.
pub(crate) fn field_label(path: &str, tr: Tr) -> String {
    tr.try_t(&field_key(path)).unwrap_or_else(|| {
        polku_rules::schema::field_index(path)
            .map(|i| {
                polku_rules::schema::FIELDS[i]
                    .doc
                    .trim_end_matches('.')
                    .to_owned()
            })
            .unwrap_or_else(|| tr.t("mon-field-other"))
    })
}

/// A condition's explanation as the rules wrote it, with the fields its closing "missing
/// information" list names by path (`evidence.incomes.…`) named in words instead.
pub(crate) fn explanation(text: &str, tr: Tr) -> String {
    let marker = match tr.lang {
        Lang::Fi => "Puuttuvat tiedot: ",
        Lang::Sv => "Uppgifter som saknas: ",
        Lang::En => "Missing information: ",
    };
    let Some(at) = text.rfind(marker) else {
        return text.to_owned();
    };
    let list = text[at + marker.len()..].trim_end_matches('.');
    let named: Vec<String> = list
        .split(", ")
        .map(|path| {
            let path = path.trim();
            if polku_rules::schema::field_index(path).is_some() {
                field_label(path, tr)
            } else {
                path.to_owned()
            }
        })
        .collect();
    format!("{}{marker}{}.", &text[..at], named.join(", "))
}

/// A legal provision as the rules cite it (in Finnish abbreviations), with the law's name
/// in the reader's language: sv "UtlL 58 § 5 mom.", en "Aliens Act section 58(5)". Words
/// of the rule file's own (a parenthesised gloss) stay as written.
pub(crate) fn legal_basis(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fi => text.to_owned(),
        Lang::Sv => swedish(text),
        Lang::En => english(text),
    }
}

/// A word without the punctuation that follows it (`,` `;` `:`).
fn split_tail(word: &str) -> (&str, &str) {
    let core = word.trim_end_matches([',', ';', ':']);
    (core, &word[core.len()..])
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn law_name(core: &str, lang: Lang) -> Option<&'static str> {
    match (core, lang) {
        ("UlkL", Lang::Sv) => Some("UtlL"),
        ("UlkL", Lang::En) => Some("Aliens Act"),
        ("HL", Lang::Sv) => Some("FL"),
        ("HL", Lang::En) => Some("Administrative Procedure Act"),
        ("JulkL", Lang::Sv) => Some("OffentlighetsL"),
        ("JulkL", Lang::En) => Some("Act on the Openness of Government Activities"),
        ("L", Lang::En) => Some("Act"),
        ("tiedonhallintalaki", Lang::Sv) => Some("informationshanteringslagen"),
        ("tiedonhallintalaki", Lang::En) => Some("Information Management Act"),
        _ => None,
    }
}

fn swedish(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let (core, tail) = split_tail(w);
            match (law_name(core, Lang::Sv), core) {
                (Some(name), _) => format!("{name}{tail}"),
                (None, "k.") => format!("punkten{tail}"),
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn english(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let core = |i: usize| words.get(i).map(|w| split_tail(w).0);
    let tail = |i: usize| words.get(i).map_or("", |w| split_tail(w).1);
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let (c, t) = split_tail(words[i]);
        if is_number(c) && matches!(core(i + 1), Some("§" | "art." | "mom.")) {
            let unit = match core(i + 1) {
                Some("§") => "section",
                Some("art.") => "article",
                _ => "subsection",
            };
            let mut s = format!("{unit} {c}");
            let mut last = i + 1;
            // Subsection and paragraph right after, while no punctuation came between.
            for (next, word) in [("mom.", "mom."), ("k.", "k.")] {
                if tail(last).is_empty()
                    && core(last + 1).is_some_and(is_number)
                    && core(last + 2) == Some(word)
                    && !(unit == "subsection" && next == "mom.")
                {
                    s.push_str(&format!("({})", core(last + 1).unwrap_or_default()));
                    last += 2;
                }
            }
            s.push_str(tail(last));
            out.push(s);
            i = last + 1;
            continue;
        }
        out.push(match law_name(c, Lang::En) {
            Some(name) => format!("{name}{t}"),
            None => words[i].to_owned(),
        });
        i += 1;
    }
    out.join(" ")
}

/// A purpose the use log records (in English), in the reader's language where it is one
/// Polku records; another (a command's own) as recorded.
pub(crate) fn purpose(recorded: &str, tr: Tr) -> String {
    let mut key = String::from("purpose-");
    let mut dash = false;
    for c in recorded.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
            dash = false;
        } else if !dash && !key.ends_with('-') {
            key.push('-');
            dash = true;
        }
    }
    let key = key.trim_end_matches('-');
    tr.try_t(key).unwrap_or_else(|| recorded.to_owned())
}

/// `s` encoded as a value in a link's query string.
pub(crate) fn query_value(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_schema_has_a_name_in_each_language() {
        for lang in [Lang::Fi, Lang::Sv, Lang::En] {
            let tr = Tr { lang };
            let unnamed: Vec<&str> = polku_rules::schema::FIELDS
                .iter()
                .map(|f| f.path)
                .filter(|p| tr.try_t(&field_key(p)).is_none())
                .collect();
            assert!(unnamed.is_empty(), "{lang:?}: {unnamed:?}");
        }
    }

    #[test]
    fn missing_information_is_named_in_words() {
        let tr = Tr { lang: Lang::Fi };
        let text = "Keskimääräinen bruttopalkka (ei tiedossa) €/kk. Puuttuvat tiedot: evidence.incomes.monthly_gross_pay_avg_eur.";
        let shown = explanation(text, tr);
        assert!(!shown.contains("evidence."), "{shown}");
        assert!(
            shown.starts_with("Keskimääräinen bruttopalkka (ei tiedossa) €/kk. Puuttuvat tiedot: ")
        );
        assert!(shown.ends_with('.'));
        assert_eq!(explanation("Ei puutteita.", tr), "Ei puutteita.");
    }

    #[test]
    fn provisions_read_in_each_language() {
        let basis = "UlkL 58 § 5 mom.; 39 § 1 mom., 73 § 1 mom.";
        assert_eq!(legal_basis(basis, Lang::Fi), basis);
        assert_eq!(
            legal_basis(basis, Lang::Sv),
            "UtlL 58 § 5 mom.; 39 § 1 mom., 73 § 1 mom."
        );
        assert_eq!(
            legal_basis(basis, Lang::En),
            "Aliens Act section 58(5); section 39(1), section 73(1)"
        );
        assert_eq!(
            legal_basis("UlkL 36 § 1 mom., 11 § 1 mom. 4 k.", Lang::En),
            "Aliens Act section 36(1), section 11(1)(4)"
        );
        assert_eq!(
            legal_basis("UlkL 36 § 1 mom., 11 § 1 mom. 4 k.", Lang::Sv),
            "UtlL 36 § 1 mom., 11 § 1 mom. 4 punkten"
        );
        assert_eq!(
            legal_basis(
                "UlkL 58 § (oleskeluluvan peruuttaminen): 1 mom. (muutto), 5 mom.; asianosaisen kuuleminen HL 34 §",
                Lang::En
            ),
            "Aliens Act section 58 (oleskeluluvan peruuttaminen): subsection 1 (muutto), subsection 5; asianosaisen kuuleminen Administrative Procedure Act section 34"
        );
        assert_eq!(
            legal_basis("UlkL 58 § 5 mom.; L 719/2018", Lang::En),
            "Aliens Act section 58(5); Act 719/2018"
        );
    }

    #[test]
    fn numbers_dates_and_times_in_each_language() {
        assert_eq!(number(1980.0, Lang::Fi), "1\u{a0}980");
        assert_eq!(number(1980.5, Lang::En), "1,980.5");
        assert_eq!(number(-0.25, Lang::Sv), "-0,25");
        let d = jiff::civil::date(2025, 4, 1);
        assert_eq!(date(d, Lang::Fi), "1.4.2025");
        assert_eq!(date(d, Lang::Sv), "1.4.2025");
        assert_eq!(date(d, Lang::En), "1 April 2025");
        // 06:00 UTC in May is 09:00 in Helsinki (summer time).
        assert_eq!(
            stamped("2025-05-12T06:00:00Z", Lang::Fi),
            "12.5.2025 klo 9.00"
        );
        assert_eq!(
            stamped("2025-05-12T06:00:00Z", Lang::Sv),
            "12.5.2025 kl. 9.00"
        );
        assert_eq!(
            stamped("2025-01-12T06:05:00Z", Lang::En),
            "12 January 2025 at 08:05"
        );
    }
}
