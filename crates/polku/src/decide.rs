//! `polku decide`: evaluate one application from a file.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use polku_rules::{Application, Lang, Status, Trace, status_text};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

#[derive(Args)]
pub struct DecideArgs {
    /// The matter: a rule-set id such as fi.residence-permit.employed.extension.
    #[arg(long)]
    matter: String,
    /// The application with its evidence, as JSON (see `polku rules schema`); `-` reads stdin.
    #[arg(long)]
    input: PathBuf,
    /// The evaluation date, YYYY-MM-DD: the rule-set version and figures in force that day apply.
    #[arg(long)]
    at: String,
    #[arg(long, default_value = "en")]
    lang: Lang,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Rules directory (default: the rule sets built into polku).
    #[arg(long)]
    rules: Option<PathBuf>,
}

/// Bad input is exit 2 with one line on stderr; a broken rules directory is exit 1.
pub fn run(args: DecideArgs) -> ExitCode {
    let bad_input = |msg: String| {
        eprintln!("polku decide: {msg}");
        ExitCode::from(2)
    };
    let Some(at) = polku_rules::schema::parse_date(&args.at) else {
        return bad_input(format!("--at `{}` is not a date YYYY-MM-DD", args.at));
    };
    let book = match crate::load_rules(args.rules.as_ref()) {
        Ok(b) => b,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let Some(rule_set) = book.decision_set(&args.matter) else {
        let known = book.matter_ids().join(", ");
        return bad_input(
            match book.get(&args.matter).and_then(|r| r.monitoring.as_ref()) {
                Some(m) => format!(
                    "`{}` is a monitoring rule set: it watches the permits of {} and raises alerts for a \
                 person, it decides nothing (polku rules test runs its cases); known matters: {known}",
                    args.matter,
                    m.permits_of.join(", ")
                ),
                None => format!("unknown matter `{}`; known matters: {known}", args.matter),
            },
        );
    };
    let text = if args.input.as_os_str() == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => return bad_input(format!("cannot read stdin: {e}")),
        }
    } else {
        match std::fs::read_to_string(&args.input) {
            Ok(s) => s,
            Err(e) => return bad_input(format!("cannot read {}: {e}", args.input.display())),
        }
    };
    let app = match Application::from_json_str(&text) {
        Ok(a) => a,
        Err(e) => return bad_input(format!("the application is not valid: {e}")),
    };
    let evaluation = match rule_set.evaluate(&app, at) {
        Ok(e) => e,
        Err(e) => return bad_input(e.to_string()),
    };
    let trace = evaluation.trace(&app, args.lang);
    match args.format {
        Format::Json => match serde_json::to_value(&trace).and_then(|mut v| {
            // Said in the output itself, so that it travels with the result.
            v["evidence_fetched"] = false.into();
            v["notice"] = not_fetched(args.lang).into();
            serde_json::to_string_pretty(&v)
        }) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("polku decide: cannot write the result: {e}");
                return ExitCode::FAILURE;
            }
        },
        Format::Text => print!("{}\n\n{}", not_fetched(args.lang), text_report(&trace)),
    }
    ExitCode::SUCCESS
}

/// What `polku decide` is and is not: an evaluation of evidence as given, not a decision.
fn not_fetched(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => {
            "Huom.: näyttö on syötteestä, sitä ei ole haettu rekistereistä. Tämä on sääntöjen arvio, ei päätös."
        }
        Lang::Sv => {
            "Obs.: uppgifterna kommer ur indata och har inte hämtats ur registren. Detta är en bedömning enligt reglerna, inte ett beslut."
        }
        Lang::En => {
            "Note: the evidence is as given in the input, not fetched from the registers. This is the rules' evaluation, not a decision."
        }
    }
}

/// The explanation a person reads.
pub fn text_report(t: &Trace) -> String {
    let lang = t.language;
    let (version, on, basis, figures) = match lang {
        Lang::Fi => ("versio", "Arvioitu", "peruste", "Käytetyt määrät"),
        Lang::Sv => ("version", "Bedömd", "grund", "Belopp som använts"),
        Lang::En => ("version", "Evaluated on", "basis", "Figures used"),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}, {version} {})", t.title, t.rule_set, t.version);
    let _ = writeln!(out, "{on} {} — {}", t.evaluated_on, t.law);
    let _ = writeln!(out, "\n{}\n", t.outcome_text);
    for c in &t.conditions {
        let mark = match c.status {
            Status::Met | Status::Exempt => "✓",
            Status::NotMet => "✗",
            Status::Unknown => "?",
        };
        let _ = writeln!(
            out,
            "{mark} {} [{}] ({basis}: {})",
            c.text,
            status_text(c.status, lang),
            c.legal_basis
        );
        let _ = writeln!(out, "  {}", c.explanation);
    }
    if !t.parameters.is_empty() {
        let _ = writeln!(out, "\n{figures}:");
        for p in &t.parameters {
            let _ = writeln!(
                out,
                "  {} = {} ({}; {})",
                p.name, p.value, p.in_force_from, p.source
            );
        }
    }
    out
}
