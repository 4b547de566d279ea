//! Commands on the case store: file an application, run the pipeline, show a case,
//! replay a decision, verify the audit chain. `polku serve` (coming) shares the store.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::handles::{access, audit as audit_chain};
use anyhow::{Context, bail};
use clap::Subcommand;
use polku_audit::AnchorFile;
use polku_cases::{Actor, Cases, NewApplication, Pipeline, Processed};
use polku_rule_admin::RuleAdmin;
use std::sync::Arc;
use uuid::Uuid;

pub use crate::config::StoreArgs;

#[derive(Subcommand)]
pub enum CaseCommand {
    /// File an application received today, or register one that arrived through another
    /// channel on an earlier day (`--received-on` with `--reason`, in the audit chain);
    /// prints the new case's id.
    Submit {
        /// The submission as `POST /api/v1/applications` takes it: `{"matter": …,
        /// "application": …}` with only what the applicant alone can tell (the registers
        /// supply the evidence when the case is decided).
        #[arg(long)]
        input: PathBuf,
        /// The person the application is for.
        #[arg(long)]
        applicant: String,
        /// The day a paper or service-point application actually arrived (`YYYY-MM-DD`,
        /// not in the future, at most 365 days ago); default: today in Finland.
        #[arg(long, requires = "reason")]
        received_on: Option<String>,
        /// How it arrived and why it is registered now.
        #[arg(long, requires = "received_on")]
        reason: Option<String>,
    },
    /// Run the decision pipeline until no job is ready, with evidence from the registers.
    Work {
        #[arg(long)]
        rules: Option<PathBuf>,
        #[command(flatten)]
        registers: crate::evidence_registers::RegisterOptions,
    },
    /// A case with its history and decisions, as JSON.
    Show { id: Uuid },
}

#[derive(Subcommand)]
pub enum DecisionCommand {
    /// Re-evaluate a stored decision from its own record and prove the result identical.
    Replay {
        id: Uuid,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; prints the user's id. The first administrator is added this way.
    Add {
        #[arg(long)]
        name: String,
        /// applicant, case_handler, legal_officer, asylum_officer, reception_officer,
        /// return_counsellor, analyst, security_liaison, auditor or administrator.
        #[arg(long)]
        role: polku_access::Role,
        /// Required for every role but applicant.
        #[arg(long)]
        organisation: Option<String>,
        /// Required for an applicant: the person whose cases they may see.
        #[arg(long)]
        person: Option<String>,
        /// For an official: the name they sign in to the web pages with. The password is
        /// read from standard input (one line), never from the command line.
        #[arg(long)]
        username: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it; it is stored hashed and cannot be shown
    /// again. It expires after --days (default 90).
    Create {
        #[arg(long)]
        user: Uuid,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until the token expires, 1–3650 [default: 90].
        #[arg(long)]
        days: Option<i64>,
        /// Issue it to another organisation's system on the exchange layer:
        /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM`. Its calls are identified by the token, and an
        /// X-Road-Client header that disagrees is refused.
        #[arg(long)]
        x_road_client: Option<String>,
    },
    /// A user's tokens: fingerprint, label, when made, expires, revoked, X-Road client.
    List {
        #[arg(long)]
        user: Uuid,
    },
    /// Revoke a user's token by its fingerprint (from `list`), or all of the user's tokens.
    Revoke {
        #[arg(long)]
        user: Uuid,
        /// The token's fingerprint or its first digits; without it, every token of the user.
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole audit chain and every signed anchor of it; exit 1 naming the first
    /// broken row and every anchor that does not hold.
    Verify {
        #[command(flatten)]
        anchors: crate::audit_anchors::AnchorArgs,
    },
    /// Sign the chain's head now and append the anchor to the anchor file (the key is made
    /// on first use).
    Anchor {
        #[command(flatten)]
        anchors: crate::audit_anchors::AnchorArgs,
    },
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    crate::handles::runtime()
}

fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("polku: {e:#}");
        ExitCode::FAILURE
    })
}

pub fn cases(store: StoreArgs, command: CaseCommand) -> ExitCode {
    report(runtime().and_then(|rt| rt.block_on(run_case(store, command))))
}

pub fn decisions(store: StoreArgs, command: DecisionCommand) -> ExitCode {
    report(runtime().and_then(|rt| rt.block_on(run_decision(store, command))))
}

pub fn users(store: StoreArgs, command: UserCommand) -> ExitCode {
    report(runtime().and_then(|rt| {
        rt.block_on(async {
            let UserCommand::Add {
                name,
                role,
                organisation,
                person,
                username,
            } = command;
            // The password is read and checked first: no account is left half made.
            let password = match &username {
                None => None,
                Some(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    let password = line.trim_end_matches(['\r', '\n']).to_owned();
                    if password.chars().count() < polku_access::MIN_PASSWORD_CHARS {
                        bail!(polku_access::AccessError::WeakPassword);
                    }
                    Some(password)
                }
            };
            let store = store.open().await?;
            let id = access(&store)
                .add_user(&name, role, organisation.as_deref(), person.as_deref())
                .await?;
            if let (Some(username), Some(password)) = (username, password) {
                access(&store)
                    .set_password(id, &username, &password)
                    .await?;
            }
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        })
    }))
}

pub fn tokens(store: StoreArgs, command: TokenCommand) -> ExitCode {
    report(runtime().and_then(|rt| {
        rt.block_on(async {
            let store = store.open().await?;
            match command {
                TokenCommand::Create {
                    user,
                    label,
                    days,
                    x_road_client,
                } => {
                    let options = polku_access::TokenOptions {
                        days,
                        x_road_client,
                    };
                    println!(
                        "{}",
                        access(&store)
                            .create_token_with(user, &label, &options)
                            .await?
                    );
                }
                TokenCommand::List { user } => {
                    let time = |t: Option<i64>| {
                        t.and_then(|t| jiff::Timestamp::from_microsecond(t).ok())
                            .map_or_else(|| "—".to_owned(), |t| t.to_string())
                    };
                    println!("fingerprint\tlabel\tcreated\texpires\trevoked\tx-road client");
                    for t in access(&store).tokens_of(user).await? {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            t.fingerprint,
                            t.label,
                            time(Some(t.created_at)),
                            time(t.expires_at),
                            time(t.revoked_at),
                            t.x_road_client.as_deref().unwrap_or("—")
                        );
                    }
                }
                TokenCommand::Revoke { user, fingerprint } => {
                    let n = access(&store)
                        .revoke_tokens(user, fingerprint.as_deref())
                        .await?;
                    println!("{n} token(s) revoked");
                }
            }
            Ok(ExitCode::SUCCESS)
        })
    }))
}

pub fn audit(store: StoreArgs, command: AuditCommand) -> ExitCode {
    report(runtime().and_then(|rt| rt.block_on(run_audit(store, command))))
}

/// The rule sets from `--rules`, else the configuration file's `rules`, else built in:
/// the same ones `polku serve` decides with.
fn rule_book(args: &StoreArgs, dir: Option<&PathBuf>) -> anyhow::Result<polku_rules::RuleBook> {
    let config = args.config()?;
    crate::load_rules(dir.or(config.rules.as_ref()))
        .map_err(|e| anyhow::anyhow!("the rule files have errors:\n{e}"))
}

async fn run_case(args: StoreArgs, command: CaseCommand) -> anyhow::Result<ExitCode> {
    match command {
        CaseCommand::Submit {
            input,
            applicant,
            received_on,
            reason,
        } => submit(&args, &input, applicant, received_on.as_deref(), reason).await?,
        CaseCommand::Work { rules, registers } => work(&args, rules.as_ref(), registers).await?,
        CaseCommand::Show { id } => show(&args, id).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `polku cases submit`: files the application, or registers it on the day it arrived
/// when there is a `reason`, and prints the new case's id.
async fn submit(
    args: &StoreArgs,
    input: &Path,
    applicant: String,
    received_on: Option<&str>,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let today = polku_cases::today_in_finland();
    let application_date = match received_on {
        None => today,
        Some(date) => polku_rules::schema::parse_date(date)
            .with_context(|| format!("--received-on `{date}` is not a date YYYY-MM-DD"))?,
    };
    let (matter, application) = read_submission(input)?;
    polku_rules::Application::from_submission(&application, today)
        .context("the application is not valid")?;
    let store = args.open().await?;
    // The rules that will decide it: the shipped ones with the approved changes.
    let rules = RuleAdmin::new(store.clone()).live_rules(Arc::new(rule_book(args, None)?));
    let book = rules.for_filing_date(application_date).await?;
    let Some(rule_set) = book.decision_set(&matter) else {
        bail!("`{matter}` is not a matter Polku decides (polku rules list)");
    };
    let deadline = rule_set
        .processing_time
        .as_ref()
        .and_then(|p| p.deadline(application_date));
    let new = NewApplication {
        deadline,
        matter,
        applicant_id: applicant,
        application_date,
        application,
    };
    let operator = Actor::Operator(std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()));
    let id = match reason {
        Some(reason) => store.register(&new, &operator, &reason, None).await?.0,
        None => store.submit(&new, &operator).await?,
    };
    println!("{id}");
    Ok(())
}

/// The matter and the application of a submission file, which holds exactly what
/// `POST /api/v1/applications` takes: nothing missing, nothing more.
fn read_submission(input: &Path) -> anyhow::Result<(String, serde_json::Value)> {
    let text = std::fs::read_to_string(input)
        .with_context(|| format!("cannot read {}", input.display()))?;
    let submission: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", input.display()))?;
    let (Some(matter), Some(application), 2) = (
        submission["matter"].as_str().map(str::to_owned),
        submission.get("application").cloned(),
        submission.as_object().map_or(0, |o| o.len()),
    ) else {
        bail!(
            "{} must hold exactly `matter` and `application`, as POST /api/v1/applications takes them",
            input.display()
        );
    };
    Ok((matter, application))
}

/// `polku cases work`: runs the pipeline until no job is ready, a line for each job.
async fn work(
    args: &StoreArgs,
    rules: Option<&PathBuf>,
    registers: crate::evidence_registers::RegisterOptions,
) -> anyhow::Result<()> {
    let config = args.config()?;
    let store = args.open_with(&config).await?;
    let live = RuleAdmin::new(store.clone()).live_rules(Arc::new(rule_book(args, rules)?));
    live.refresh().await?;
    let registers = crate::evidence_registers::Registers::start(
        &registers.with_config(&config),
        crate::evidence_registers::Faults::NONE,
    )
    .await?;
    let pipeline = Pipeline::new(
        store.clone(),
        live.clone(),
        polku_exchange::FlagEvidence::new(
            polku_persons::IdentityEvidence::new(
                registers.evidence(&store, &live),
                crate::handles::persons(&store)?,
            ),
            polku_exchange::Exchange::new(store.clone()),
        ),
        worker_name(),
    );
    let mut n = 0;
    loop {
        match pipeline.run_once().await {
            Ok(Some(Processed::Decided {
                case,
                outcome,
                decision,
            })) => {
                n += 1;
                println!("{case}\t{}\tdecision {decision}", outcome.code());
            }
            Ok(Some(other)) => println!("{other:?}"),
            Ok(None) => break,
            Err(e) => eprintln!("polku: a job failed and will be retried: {e}"),
        }
    }
    let depth = pipeline.store.queue_depth().await?;
    println!(
        "{n} processed; queue: {} queued, {} running, {} dead",
        depth.queued, depth.running, depth.dead
    );
    Ok(())
}

/// `polku cases show`: the case with its history and decisions, as JSON.
async fn show(args: &StoreArgs, id: Uuid) -> anyhow::Result<()> {
    let store = args.open().await?;
    let case = store.case(id).await?;
    let shown = serde_json::json!({
        "case": case,
        "history": store.history(id).await?,
        "decisions": store.decisions(id).await?,
    });
    println!("{}", serde_json::to_string_pretty(&shown)?);
    Ok(())
}

async fn run_decision(args: StoreArgs, command: DecisionCommand) -> anyhow::Result<ExitCode> {
    let DecisionCommand::Replay { id, rules } = command;
    let store = args.open().await?;
    // The shipped rules with every approved change, each from its date: what decided.
    let live =
        RuleAdmin::new(store.clone()).live_rules(Arc::new(rule_book(&args, rules.as_ref())?));
    live.refresh().await?;
    let replay = store.replay(id, &live).await?;
    if replay.identical {
        println!("decision {id}: replayed from its own record, identical");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("decision {id}: the replay differs from the record:");
        for d in &replay.differences {
            println!("  {d}");
        }
        Ok(ExitCode::FAILURE)
    }
}

async fn run_audit(args: StoreArgs, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let store = args.open_with(&config).await?;
    match command {
        AuditCommand::Verify { anchors } => {
            let (key_path, file) = anchors.paths(&args, &config);
            let chain = verify_chain(&store).await?;
            let anchors = verify_anchors(&store, &key_path, &file).await?;
            Ok(if chain && anchors {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Anchor { anchors } => {
            let (key_path, file) = anchors.paths(&args, &config);
            anchor(&store, &key_path, &file).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether every row of the audit chain holds; prints the count or the first break.
async fn verify_chain(store: &Cases) -> anyhow::Result<bool> {
    let report = audit_chain(store).verify().await?;
    Ok(match report.first_break {
        None => {
            println!("audit chain intact: {} rows", report.rows);
            true
        }
        Some(b) => {
            println!("audit chain broken at row {}: {}", b.seq, b.problem);
            false
        }
    })
}

/// Whether every signed anchor in `file` holds; prints each that does not and a summary.
/// A tail rewritten with every hash recomputed fits together: only the signed anchors,
/// outside the database, show it.
async fn verify_anchors(store: &Cases, key_path: &Path, file: &AnchorFile) -> anyhow::Result<bool> {
    let lines = file.read()?;
    if lines.is_empty() {
        println!(
            "no signed anchors in {}: a tail rewritten with its hashes would not show (polku audit anchor)",
            file.path.display()
        );
        return Ok(true);
    }
    let key = polku_audit::AnchorKey::load(key_path)
        .context("the anchors cannot be verified without their key")?;
    let anchors = audit_chain(store)
        .verify_anchors(&lines, &key.verifying_key())
        .await?;
    for p in &anchors.problems {
        println!(
            "anchor broken at line {} of {}{}: {}",
            p.line,
            file.path.display(),
            p.seq.map_or_else(String::new, |s| format!(" (row {s})")),
            p.problem
        );
    }
    println!(
        "{} of {} signed anchors verified{} (key {})",
        anchors.verified,
        anchors.anchors,
        anchors
            .last_verified_seq
            .map_or_else(String::new, |s| format!(", the last at row {s}")),
        key.id()
    );
    Ok(anchors.problems.is_empty())
}

/// `polku audit anchor`: signs the chain's head unless it is anchored already, making the
/// key on first use.
async fn anchor(store: &Cases, key_path: &Path, file: &AnchorFile) -> anyhow::Result<()> {
    let (key, created) = crate::audit_anchors::signing_key(key_path)?;
    if created {
        eprintln!(
            "polku: made a new key {} for signing the audit chain's anchors in {} (readable by its owner only): keep it, and a copy, away from the database",
            key.id(),
            key_path.display()
        );
    }
    match audit_chain(store).anchor(&key, file).await? {
        Some(a) => println!(
            "anchored row {} (hash {}) in {}, signed by key {}",
            a.seq,
            a.hash,
            file.path.display(),
            a.key
        ),
        None => match audit_chain(store).head().await?.0 {
            0 => println!("the audit chain is empty: nothing to anchor"),
            seq => println!("row {seq}, the chain's head, is anchored already"),
        },
    }
    Ok(())
}

/// A name that tells operators which process holds a lease.
fn worker_name() -> String {
    format!("polku-cli-{}", std::process::id())
}
