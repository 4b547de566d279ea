//! The published description of an automated process, generated from the rule file:
//! what the machine decides, on which legal basis, under which conditions (the
//! Immigration Service's "käyttöönottopäätös").

use std::fmt::Write;

use crate::eval::outcome_text;
use crate::explain::{write_date, write_number};
use crate::lang::Lang;
use crate::model::{Outcome, ParamValue, RuleSet};

struct Words {
    law: &'static str,
    versions: &'static str,
    from: &'static str,
    to: &'static str,
    conditions: &'static str,
    basis: &'static str,
    exception: &'static str,
    parameters: &'static str,
    source: &'static str,
    policy: &'static str,
    all_met: &'static str,
    any_not_met: &'static str,
    any_unknown: &'static str,
    safeguards: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Fi => Words {
            law: "Laki",
            versions: "Versiot",
            from: "{} alkaen",
            to: "{} asti",
            conditions: "Edellytykset",
            basis: "Oikeusperusta",
            exception: "Poikkeus",
            parameters: "Määrät",
            source: "lähde",
            policy: "Mitä kone saa tehdä",
            all_met: "Kun kaikki edellytykset täyttyvät",
            any_not_met: "Kun jokin edellytys ei täyty",
            any_unknown: "Kun jokin tieto puuttuu",
            safeguards: "Kone ei koskaan tee kielteistä päätöstä: kielteinen tai osittainen ratkaisu on ehdotus virkailijalle. \
                         Oikaisuvaatimusta ei ratkaista automaattisesti (hallintolaki 53 e §), sen voi tehdä maksutta (53 f §), \
                         ja päätöksessä kerrotaan, että se on tehty automaattisesti (53 g §).",
        },
        Lang::Sv => Words {
            law: "Lag",
            versions: "Versioner",
            from: "från {}",
            to: "till {}",
            conditions: "Förutsättningar",
            basis: "Rättslig grund",
            exception: "Undantag",
            parameters: "Belopp",
            source: "källa",
            policy: "Vad maskinen får göra",
            all_met: "När alla förutsättningar uppfylls",
            any_not_met: "När någon förutsättning inte uppfylls",
            any_unknown: "När någon uppgift saknas",
            safeguards: "Maskinen fattar aldrig ett negativt beslut: ett negativt eller delvis negativt avgörande är ett förslag till en handläggare. \
                         Begäran om omprövning avgörs aldrig automatiskt (förvaltningslagen 53 e §), den är avgiftsfri (53 f §), \
                         och beslutet anger att det fattats automatiskt (53 g §).",
        },
        Lang::En => Words {
            law: "Law",
            versions: "Versions",
            from: "from {}",
            to: "until {}",
            conditions: "Conditions",
            basis: "Legal basis",
            exception: "Exception",
            parameters: "Figures",
            source: "source",
            policy: "What the machine may do",
            all_met: "When every condition is met",
            any_not_met: "When a condition is not met",
            any_unknown: "When information is missing",
            safeguards: "The machine never refuses: a negative or partial outcome is a proposal for a case handler. \
                         A request for rectification is never decided automatically (Administrative Procedure Act 53 e §), \
                         it is free of charge (53 f §), and the decision states that it was made automatically (53 g §).",
        },
    }
}

/// Fills a phrase such as "from {}" or "{} alkaen" with a date.
fn dated(phrase: &str, date: &str) -> String {
    phrase.replacen("{}", date, 1)
}

/// The description as Markdown.
pub fn describe(rs: &RuleSet, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", rs.title.get(lang));
    let _ = writeln!(out, "`{}` · {}: {}\n", rs.id, w.law, rs.law);
    if let Some(d) = &rs.description {
        let _ = writeln!(out, "{}\n", d.get(lang));
    }
    let _ = writeln!(out, "## {}\n", w.policy);
    for (label, outcome) in [
        (w.all_met, rs.automation.all_met),
        (w.any_not_met, rs.automation.any_not_met),
        (w.any_unknown, rs.automation.any_unknown),
    ] {
        let _ = writeln!(out, "- {label}: {}", outcome_text(outcome, lang));
    }
    let _ = writeln!(out, "\n{}\n", w.safeguards);
    write_versions(&mut out, rs, lang, &w);
    write_conditions(&mut out, rs, lang, &w);
    write_parameters(&mut out, rs, lang, &w);
    debug_assert!(rs.automation.any_not_met != Outcome::Grant);
    out
}

/// The versions with their in-force periods.
fn write_versions(out: &mut String, rs: &RuleSet, lang: Lang, w: &Words) {
    let _ = writeln!(out, "## {}\n", w.versions);
    for v in &rs.versions {
        let mut from = String::new();
        write_date(v.from, lang, &mut from);
        let _ = write!(out, "- {}: {}", v.id, dated(w.from, &from));
        if let Some(to) = v.to {
            let mut t = String::new();
            write_date(to, lang, &mut t);
            let _ = write!(out, ", {}", dated(w.to, &t));
        }
        if let Some(n) = &v.notes {
            let _ = write!(out, " — {n}");
        }
        out.push('\n');
    }
}

/// The conditions, numbered, with their legal basis, versions, law text and exception.
fn write_conditions(out: &mut String, rs: &RuleSet, lang: Lang, w: &Words) {
    let _ = writeln!(out, "\n## {}\n", w.conditions);
    for (i, c) in rs.conditions.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}** ({}: {})",
            i + 1,
            c.text.get(lang),
            w.basis,
            c.legal_basis
        );
        if let Some(vs) = &c.versions {
            let names: Vec<&str> = vs.iter().map(|v| rs.versions[*v].id.as_str()).collect();
            let _ = writeln!(out, "   [{}: {}]", w.versions, names.join(", "));
        }
        if let Some(t) = &c.law_text {
            for line in t.lines() {
                let _ = writeln!(out, "   > {line}");
            }
        }
        if let Some(u) = &c.unless {
            let _ = writeln!(out, "   {}: `{}`", w.exception, u.source);
        }
    }
}

/// The parameters with their source and their values over time.
fn write_parameters(out: &mut String, rs: &RuleSet, lang: Lang, w: &Words) {
    if !rs.parameters.is_empty() {
        let _ = writeln!(out, "\n## {}\n", w.parameters);
        for p in &rs.parameters {
            let _ = writeln!(out, "- `{}` ({} {})", p.name, w.source, p.source);
            for (d, v) in &p.values {
                let mut date = String::new();
                write_date(*d, lang, &mut date);
                let mut line = format!("{}: ", dated(w.from, &date));
                match v {
                    ParamValue::Number(x) => write_number(*x, lang, &mut line),
                    ParamValue::List(l) => {
                        for (j, x) in l.iter().enumerate() {
                            if j > 0 {
                                line.push_str(" / ");
                            }
                            write_number(*x, lang, &mut line);
                        }
                    }
                }
                if let Some(u) = &p.unit {
                    line.push(' ');
                    line.push_str(u);
                }
                let _ = writeln!(out, "  - {line}");
            }
        }
    }
}
