//! `polku`: the command line of Polku.

/// mimalloc instead of the system's allocator: the monitor and the pipeline allocate and
/// free many short-lived facts, where glibc's malloc spent a third of an event batch's
/// time (docs/benchmarks.md, "Monitoring").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit_anchors;
mod bench;
mod bench_identity;
mod bench_monitoring;
mod bench_pages;
mod bench_pipeline;
mod config;
mod decide;
mod demo;
mod demo_events;
mod documents;
mod evidence_registers;
mod handles;
mod identity;
mod monitor_cmds;
mod notifications;
mod payments;
mod registers;
mod serve;
mod store_cmds;
mod test_identities;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use polku_rules::{Lang, RuleBook, run_tests};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

#[derive(Parser)]
#[command(
    name = "polku",
    version,
    about = "Polku: case processing and decision automation for an immigration authority"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and run the decision pipeline (data in ./polku-data unless told otherwise).
    Serve(serve::ServeArgs),
    /// A living system: a synthetic population applying through the real pipeline, with
    /// simulated registers; prints the programme's key figures.
    Demo(demo::DemoArgs),
    /// The external registers, simulated.
    Registers {
        #[command(subcommand)]
        command: registers::RegistersCommand,
    },
    /// Work with rule sets: check, test, describe, export the input schema.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Evaluate one application against the rule set of its matter.
    Decide(decide::DecideArgs),
    /// Measure performance; figures go to docs/benchmarks.md.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// File applications, run the decision pipeline, show cases.
    Cases {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: store_cmds::CaseCommand,
    },
    /// Replay stored decisions.
    Decisions {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: store_cmds::DecisionCommand,
    },
    /// Users and their roles.
    Users {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: store_cmds::UserCommand,
    },
    /// API tokens.
    Tokens {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: store_cmds::TokenCommand,
    },
    /// Monitoring of granted permits: register events in, alerts out.
    Monitor {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: monitor_cmds::MonitorCommand,
    },
    /// Identity resolution: records from many registers linked into persons.
    Identity {
        #[command(subcommand)]
        command: identity::IdentityCommand,
    },
    /// The audit chain (use, disclosure and decision logs).
    Audit {
        #[command(flatten)]
        store: store_cmds::StoreArgs,
        #[command(subcommand)]
        command: store_cmds::AuditCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load and check every rule set; exit 1 with all errors if any.
    Check {
        /// Rules directory (default: the rule sets built into polku).
        dir: Option<PathBuf>,
    },
    /// Run every rule set's test cases and print `N passed, N failed`.
    Test { dir: Option<PathBuf> },
    /// Print the input schema (an application with its evidence) as JSON Schema.
    Schema {
        /// `markdown` prints the field table of docs/input-schema.md instead.
        #[arg(long, default_value = "json-schema")]
        format: String,
    },
    /// Print the published description of a rule set's automated processing.
    Describe {
        id: String,
        #[arg(long, default_value = "en")]
        lang: Lang,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// List the rule sets and their versions; a monitoring set with the matters it watches.
    List {
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Rule-set evaluations per second per core, with and without traces.
    Rules(bench::BenchArgs),
    /// Submissions over HTTP to decisions recorded: throughput, p50/p99 latency.
    Pipeline(bench_pipeline::PipelineBenchArgs),
    /// Server time of every web page with demo data: p50/p95.
    Pages(bench_pages::PagesBenchArgs),
    /// Register events taken in per second, and a re-check of every permit after a rule
    /// change (monitoring).
    Monitoring(bench_monitoring::MonitoringBenchArgs),
    /// Identity resolution at scale: a batch run (time, memory, F1 against the truth) and
    /// single records matched one at a time against all the others (p50/p99).
    Identity(bench_identity::IdentityBenchArgs),
}

/// Structured logs to stdout: `POLKU_LOG` (e.g. `info`, `polku_cases=debug`), else
/// `configured`, else `info`; one JSON object per line when `POLKU_LOG_FORMAT=json`
/// (for a log collector), readable text otherwise.
pub fn init_logs(configured: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("POLKU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(configured.unwrap_or("info")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("POLKU_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init();
    }
}

/// Loads the rule sets from `dir`, or the ones built into the binary.
pub fn load_rules(dir: Option<&PathBuf>) -> Result<RuleBook, polku_rules::LoadErrors> {
    match dir {
        Some(dir) => RuleBook::load_dir(dir),
        None => {
            let sources: Vec<(PathBuf, String)> = embedded::EMBEDDED_RULES
                .iter()
                .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
                .collect();
            RuleBook::from_sources(&sources)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Registers { command } => registers::run(command),
        Command::Identity { command } => identity::run(command),
        Command::Rules { command } => rules(command),
        Command::Decide(args) => decide::run(args),
        Command::Bench {
            command: BenchCommand::Rules(args),
        } => bench::run(args),
        Command::Bench {
            command: BenchCommand::Pipeline(args),
        } => bench_pipeline::run(args),
        Command::Bench {
            command: BenchCommand::Monitoring(args),
        } => {
            init_logs(Some("warn"));
            bench_monitoring::run(args)
        }
        Command::Bench {
            command: BenchCommand::Pages(args),
        } => bench_pages::run(args),
        Command::Bench {
            command: BenchCommand::Identity(args),
        } => bench_identity::run(args),
        Command::Cases { store, command } => store_cmds::cases(store, command),
        Command::Decisions { store, command } => store_cmds::decisions(store, command),
        Command::Audit { store, command } => store_cmds::audit(store, command),
        Command::Monitor { store, command } => monitor_cmds::run(store, command),
        Command::Users { store, command } => store_cmds::users(store, command),
        Command::Tokens { store, command } => store_cmds::tokens(store, command),
    }
}

fn rules(command: RulesCommand) -> ExitCode {
    match command {
        RulesCommand::Schema { format } => rules_schema(&format),
        RulesCommand::Check { dir } => rules_check(dir.as_ref()),
        RulesCommand::Test { dir } => rules_test(dir.as_ref()),
        RulesCommand::Describe { id, lang, rules } => rules_describe(&id, lang, rules.as_ref()),
        RulesCommand::List { rules } => rules_list(rules.as_ref()),
    }
}

/// `polku rules schema`: JSON Schema, or the markdown field table; any other format is a
/// usage error (exit 2).
fn rules_schema(format: &str) -> ExitCode {
    match format {
        "markdown" => {
            print!("{}", polku_rules::schema::markdown_table());
            ExitCode::SUCCESS
        }
        "json-schema" => match serde_json::to_string_pretty(&polku_rules::json_schema()) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("polku: cannot write the schema: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("polku: --format is json-schema or markdown, not `{format}`");
            ExitCode::from(2)
        }
    }
}

fn rules_check(dir: Option<&PathBuf>) -> ExitCode {
    match load_rules(dir) {
        Ok(book) => {
            let tests: usize = book.iter().map(|r| r.tests.len()).sum();
            println!(
                "{} rule sets checked ({} of them monitoring), {} test cases, no errors",
                book.iter().count(),
                book.monitoring_sets().count(),
                tests
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} error(s)", errors.0.len());
            ExitCode::FAILURE
        }
    }
}

fn rules_test(dir: Option<&PathBuf>) -> ExitCode {
    let book = match load_rules(dir) {
        Ok(b) => b,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for rs in book.iter() {
        for result in run_tests(rs) {
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
                println!(
                    "FAIL {} — {} ({})",
                    result.rule_set, result.name, result.location
                );
                for f in &result.failures {
                    println!("     {f}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn rules_describe(id: &str, lang: Lang, dir: Option<&PathBuf>) -> ExitCode {
    let book = match load_rules(dir) {
        Ok(b) => b,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    match book.get(id) {
        Some(rs) => {
            let title_of = |other: &str| book.get(other).map(|r| r.title.get(lang).to_owned());
            print!("{}", polku_rules::describe(rs, lang, &title_of));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "polku: no rule set `{id}`; there are: {}",
                book.ids().join(", ")
            );
            ExitCode::from(2)
        }
    }
}

fn rules_list(dir: Option<&PathBuf>) -> ExitCode {
    match load_rules(dir) {
        Ok(book) => {
            for rs in book.iter() {
                let versions: Vec<String> = rs
                    .versions
                    .iter()
                    .map(|v| match v.to {
                        Some(to) => format!("{} ({}–{})", v.id, v.from, to),
                        None => format!("{} (from {})", v.id, v.from),
                    })
                    .collect();
                match &rs.monitoring {
                    None => println!("{}\t{}\t{}", rs.id, rs.title.en, versions.join(", ")),
                    // Never a matter one files: it watches the permits of the matters named.
                    Some(m) => println!(
                        "{}\t{}\t{}\tmonitoring: watches {}",
                        rs.id,
                        rs.title.en,
                        versions.join(", "),
                        m.permits_of.join(", ")
                    ),
                }
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
