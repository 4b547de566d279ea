//! Explanation templates and how values are written for people.
//!
//! A template is text with `{{ expression }}` holes; each hole is a rule expression,
//! checked at load like a condition, so an explanation can only show values the
//! rules can read. Rendering writes numbers and dates the way each language does.

use std::fmt::Write;

use jiff::civil::{Date, DateTime};

use crate::expr::{Compiled, Env, Scope, Ty, V, compile, text_field};
use crate::lang::Lang;

#[derive(Debug)]
enum Part {
    Text(String),
    Hole(Compiled),
}

/// A parsed template.
#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
}

/// A problem in a template: 0-based line within it, and what is wrong.
pub type TemplateError = crate::expr::ExprError;

impl Template {
    pub fn parse(source: &str, scope: &Scope) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = source;
        let mut line = 0;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_owned()));
            }
            line += rest[..start].matches('\n').count();
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(TemplateError {
                    line,
                    message: "a `{{` is not closed by `}}`".to_owned(),
                });
            };
            let hole = after[..end].trim();
            let compiled = compile(hole, scope).map_err(|e| TemplateError {
                line,
                message: e.message,
            })?;
            parts.push(Part::Hole(compiled));
            rest = &after[end + 2..];
        }
        if rest.contains("}}") {
            return Err(TemplateError {
                line,
                message: "a `}}` has no `{{` before it".to_owned(),
            });
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    /// Input slots and parameter slots the holes read.
    pub fn reads(&self) -> impl Iterator<Item = (&[usize], &[usize])> {
        self.parts.iter().filter_map(|p| match p {
            Part::Hole(c) => Some((c.fields.as_slice(), c.params.as_slice())),
            Part::Text(_) => None,
        })
    }

    /// The text without an application: each hole written as "…" (the published
    /// description says what an exception is, not what it is for one person).
    pub fn write_plain(&self, out: &mut String) {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Hole(_) => out.push('…'),
            }
        }
    }

    pub fn render(&self, env: &Env, lang: Lang, out: &mut String) {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Hole(c) => {
                    if c.ty == Ty::Text {
                        match c.text_slot.and_then(|s| text_field(env.app, s)) {
                            Some(s) => out.push_str(s),
                            None => out.push_str(unknown_word(lang)),
                        }
                    } else {
                        write_value(c.eval(env), lang, out);
                    }
                }
            }
        }
    }
}

pub fn unknown_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "(ei tiedossa)",
        Lang::Sv => "(okänt)",
        Lang::En => "(not known)",
    }
}

/// Writes a value as a reader of `lang` expects it.
pub fn write_value(v: V, lang: Lang, out: &mut String) {
    match v {
        V::Unknown => out.push_str(unknown_word(lang)),
        V::Bool(b) => out.push_str(match (lang, b) {
            (Lang::Fi, true) => "kyllä",
            (Lang::Fi, false) => "ei",
            (Lang::Sv, true) => "ja",
            (Lang::Sv, false) => "nej",
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
        }),
        V::Num(x) => write_number(x, lang, out),
        V::Date(d) => write_date(d, lang, out),
    }
}

/// `1600` → fi/sv "1 600", en "1,600"; at most two decimals, trailing zeros dropped.
pub fn write_number(x: f64, lang: Lang, out: &mut String) {
    let (group, decimal) = match lang {
        Lang::Fi | Lang::Sv => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let cents = (x.abs() * 100.0).round() as u64;
    if x < 0.0 && cents > 0 {
        out.push('-');
    }
    let whole = (cents / 100).to_string();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    let frac = cents % 100;
    if frac != 0 {
        out.push(decimal);
        if frac.is_multiple_of(10) {
            let _ = write!(out, "{}", frac / 10);
        } else {
            let _ = write!(out, "{frac:02}");
        }
    }
}

/// fi and sv "1.4.2025" (as the Immigration Service's Swedish pages write it), en
/// "1 April 2025".
pub fn write_date(d: Date, lang: Lang, out: &mut String) {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let _ = match lang {
        Lang::Fi | Lang::Sv => write!(out, "{}.{}.{}", d.day(), d.month(), d.year()),
        Lang::En => write!(
            out,
            "{} {} {}",
            d.day(),
            MONTHS[(d.month() as usize).saturating_sub(1) % 12],
            d.year()
        ),
    };
}

/// A local time of day (already in Finland's time) after its date: fi "1.4.2025 klo 9.05",
/// sv "1.4.2025 kl. 9.05", en "1 April 2025 at 09:05".
pub fn write_moment(t: DateTime, lang: Lang, out: &mut String) {
    write_date(t.date(), lang, out);
    let (h, m) = (t.hour(), t.minute());
    let _ = match lang {
        Lang::Fi => write!(out, " klo {h}.{m:02}"),
        Lang::Sv => write!(out, " kl. {h}.{m:02}"),
        Lang::En => write!(out, " at {h:02}:{m:02}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64, lang: Lang) -> String {
        let mut s = String::new();
        write_number(x, lang, &mut s);
        s
    }

    #[test]
    fn numbers_are_written_per_language() {
        assert_eq!(num(1600.0, Lang::En), "1,600");
        assert_eq!(num(1600.0, Lang::Fi), "1\u{a0}600");
        assert_eq!(num(1399.5, Lang::Sv), "1\u{a0}399,5");
        assert_eq!(num(3827.25, Lang::En), "3,827.25");
        assert_eq!(num(-40.0, Lang::En), "-40");
        assert_eq!(num(40000.0, Lang::En), "40,000");
    }

    #[test]
    fn dates_are_written_per_language() {
        let mut s = String::new();
        write_date(Date::constant(2025, 4, 1), Lang::Fi, &mut s);
        assert_eq!(s, "1.4.2025");
        s.clear();
        write_date(Date::constant(2025, 4, 1), Lang::En, &mut s);
        assert_eq!(s, "1 April 2025");
        // Swedish as the Immigration Service's Swedish pages write it, not ISO.
        s.clear();
        write_date(Date::constant(2025, 4, 1), Lang::Sv, &mut s);
        assert_eq!(s, "1.4.2025");
    }

    #[test]
    fn moments_are_written_per_language() {
        let t = jiff::civil::date(2026, 12, 7).at(9, 5, 0, 0);
        let at = |lang| {
            let mut s = String::new();
            write_moment(t, lang, &mut s);
            s
        };
        assert_eq!(at(Lang::Fi), "7.12.2026 klo 9.05");
        assert_eq!(at(Lang::Sv), "7.12.2026 kl. 9.05");
        assert_eq!(at(Lang::En), "7 December 2026 at 09:05");
    }

    #[test]
    fn templates_reject_unclosed_holes_and_bad_names() {
        let scope = Scope::new(&[], &[]);
        assert!(Template::parse("pay {{ family.adults", &scope).is_err());
        assert!(
            Template::parse("pay {{ family.grownups }}", &scope)
                .unwrap_err()
                .message
                .contains("not an input")
        );
        assert!(Template::parse("adults: {{ family.adults }}", &scope).is_ok());
    }
}
