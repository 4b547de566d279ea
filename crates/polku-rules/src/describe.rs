//! The published description of an automated process, generated from the rule file:
//! what the machine decides, on which legal basis, under which conditions (the
//! Immigration Service's "käyttöönottopäätös").

use std::fmt::Write;

use crate::eval::outcome_text;
use crate::explain::{write_date, write_number};
use crate::lang::Lang;
use crate::model::{Outcome, ParamValue, RuleSet};
use crate::monitoring::Monitoring;

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
    monitoring: &'static str,
    watches: &'static str,
    alerts: &'static str,
    processing_basis: &'static str,
    reexamination_basis: &'static str,
    changed_by: &'static str,
    monitoring_safeguards: &'static str,
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
            monitoring: "Jälkivalvonta: mitä kone tekee",
            watches: "Valvoo lupia, jotka on myönnetty asioissa",
            alerts: "Kun jokin edellytys ei enää täyty, kone tekee hälytyksen virkailijalle. Kone ei päätä mitään \
                     eikä koskaan peruuta lupaa. Kun tieto puuttuu, hälytystä ei tehdä: puuttuva tieto ei ole \
                     täyttymätön edellytys.",
            processing_basis: "Peruste luvanhaltijan tietojen käsittelylle valvonnassa",
            reexamination_basis: "Peruste luvan uudelleenarvioinnille",
            changed_by: "Tarkistetaan uudelleen, kun tulee",
            monitoring_safeguards: "Hälytys ei ole päätös. Virkailija arvioi, aloitetaanko luvan peruuttamisen \
                                    harkinta, ja luvanhaltijaa kuullaan ennen kuin asiassa päätetään (hallintolaki 34 §).",
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
            monitoring: "Efterhandskontroll: vad maskinen gör",
            watches: "Övervakar tillstånd som beviljats i ärendena",
            alerts: "När en förutsättning inte längre uppfylls larmar maskinen en handläggare. Maskinen beslutar \
                     ingenting och återkallar aldrig ett tillstånd. När en uppgift saknas larmar den inte: en \
                     uppgift som saknas är inte en förutsättning som inte uppfylls.",
            processing_basis: "Grund för att behandla tillståndshavarens uppgifter under kontrollen",
            reexamination_basis: "Grund för att pröva tillståndet på nytt",
            changed_by: "Kontrolleras på nytt vid",
            monitoring_safeguards: "Ett larm är inte ett beslut. En handläggare bedömer om återkallelse av tillståndet \
                                    ska prövas, och tillståndshavaren hörs innan ärendet avgörs (förvaltningslagen 34 §).",
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
            monitoring: "Monitoring: what the machine does",
            watches: "Watches the permits granted in the matters",
            alerts: "When a condition no longer holds, the machine raises an alert for a case handler. It decides \
                     nothing and never cancels a permit. When information is missing it raises no alert: missing \
                     information is not a condition that fails.",
            processing_basis: "Legal basis for processing the permit holder's data while monitoring",
            reexamination_basis: "Legal basis for re-examining the permit",
            changed_by: "Checked again on",
            monitoring_safeguards: "An alert is not a decision. A case handler assesses whether to consider cancelling \
                                    the permit, and the permit holder is heard before anything is decided \
                                    (Administrative Procedure Act 34 §).",
        },
    }
}

/// Fills a phrase such as "from {}" or "{} alkaen" with a date.
fn dated(phrase: &str, date: &str) -> String {
    phrase.replacen("{}", date, 1)
}

/// The description as Markdown, in words a reader of `lang` understands: no rule set id,
/// field or parameter name in it. `title_of` gives another rule set's title in `lang` (the
/// matters a monitoring rule set watches); an id it does not know is left out.
pub fn describe(rs: &RuleSet, lang: Lang, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let w = words(lang);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", rs.title.get(lang));
    let _ = writeln!(out, "{}: {}\n", w.law, rs.law);
    if let Some(d) = &rs.description {
        let _ = writeln!(out, "{}\n", d.get(lang));
    }
    match &rs.monitoring {
        Some(m) => write_monitoring(&mut out, m, &w, title_of),
        None => write_policy(&mut out, rs, lang, &w),
    }
    write_versions(&mut out, rs, lang, &w);
    write_conditions(&mut out, rs, lang, &w);
    write_parameters(&mut out, rs, lang, &w);
    debug_assert!(rs.automation.any_not_met != Outcome::Grant);
    out
}

/// What a decision rule set lets the machine do, and the safeguards of automated decisions.
fn write_policy(out: &mut String, rs: &RuleSet, lang: Lang, w: &Words) {
    let _ = writeln!(out, "## {}\n", w.policy);
    for (label, outcome) in [
        (w.all_met, rs.automation.all_met),
        (w.any_not_met, rs.automation.any_not_met),
        (w.any_unknown, rs.automation.any_unknown),
    ] {
        let _ = writeln!(out, "- {label}: {}", outcome_text(outcome, lang));
    }
    let _ = writeln!(out, "\n{}\n", w.safeguards);
}

/// What a monitoring rule set watches and on which bases; that it raises alerts for a
/// person and never decides.
fn write_monitoring(
    out: &mut String,
    m: &Monitoring,
    w: &Words,
    title_of: &dyn Fn(&str) -> Option<String>,
) {
    let _ = writeln!(out, "## {}\n", w.monitoring);
    let matters: Vec<String> = m.permits_of.iter().filter_map(|p| title_of(p)).collect();
    let _ = writeln!(out, "- {}: {}", w.watches, matters.join(", "));
    let _ = writeln!(out, "- {}: {}", w.processing_basis, m.processing_basis);
    let _ = writeln!(
        out,
        "- {}: {}",
        w.reexamination_basis, m.reexamination_basis
    );
    let _ = writeln!(out, "\n{}\n\n{}\n", w.alerts, w.monitoring_safeguards);
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
            let mut text = String::new();
            u.text[lang.index()].write_plain(&mut text);
            let _ = writeln!(out, "   {}: {}", w.exception, text.trim());
        }
        if !c.changed_by.is_empty() {
            let events: Vec<&str> = c.changed_by.iter().map(|e| e.text(lang)).collect();
            let _ = writeln!(out, "   {}: {}", w.changed_by, events.join(", "));
        }
    }
}

/// The parameters with their source and their values over time.
fn write_parameters(out: &mut String, rs: &RuleSet, lang: Lang, w: &Words) {
    if !rs.parameters.is_empty() {
        let _ = writeln!(out, "\n## {}\n", w.parameters);
        for p in &rs.parameters {
            let _ = writeln!(
                out,
                "- **{}** ({} {})",
                p.title.get(lang),
                w.source,
                p.source
            );
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
                    line.push_str(u.get(lang));
                }
                let _ = writeln!(out, "  - {line}");
            }
        }
    }
}
