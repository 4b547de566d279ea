//! `polku identity resolve`: records in, persons out — each record's cluster, and the
//! scored pairs — with a progress bar on long runs; `train`, the model the identity
//! register scores with; and the register itself as `serve` and `cases work` open it.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use polku_identity::{FieldSpec, Kind, Options, Resolution, Stage, Table};

#[derive(Subcommand)]
pub enum IdentityCommand {
    /// Link identity records into persons (Fellegi–Sunter, m/u estimated by EM from the
    /// records themselves). Writes `record_id,cluster_id` for every record; a cluster is
    /// named by its first record's id.
    Resolve(ResolveArgs),
    /// Write identity records about the synthetic population, with the truth of who is
    /// who: a test set in every script the population has, with namesakes and siblings as
    /// hard negatives (see `polku_simulators::identities`).
    Sample(SampleArgs),
    /// Train the model the identity register scores with: m and u of each identity
    /// field's comparison levels, estimated by EM from identity records (no labels), and
    /// written as JSON with what it was trained on.
    Train(TrainArgs),
    /// Register identity records in the identity register (the database `serve` uses):
    /// each is linked to the records it may be the same person as — white where the
    /// evidence is overwhelming and nothing speaks against it, yellow for the handlers'
    /// identity queue — and joins its person. A record already registered is skipped.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// Identity records (CSV with a header row, as `resolve` reads them).
    #[arg(long)]
    input: PathBuf,
    #[command(flatten)]
    store: crate::config::StoreArgs,
}

#[derive(Args)]
pub struct TrainArgs {
    /// Identity records (CSV with a header row, as `resolve` reads them).
    #[arg(long)]
    input: PathBuf,
    /// Where the model goes (JSON).
    #[arg(long)]
    output: PathBuf,
    /// What the records are, as a command that makes them again (kept in the file).
    #[arg(long)]
    trained_on: String,
}

#[derive(Args)]
pub struct SampleArgs {
    /// People whose records are written (the first of the population).
    #[arg(long, default_value_t = 10_000)]
    persons: u32,
    /// The population's seed.
    #[arg(long, default_value_t = crate::evidence_registers::DEFAULT_SEED)]
    seed: u64,
    /// Where the records go (identity records' CSV).
    #[arg(long)]
    output: PathBuf,
    /// Where `record_id,person` goes: the truth.
    #[arg(long)]
    truth: PathBuf,
}

#[derive(Args)]
pub struct ResolveArgs {
    /// The records: CSV with a header row. Without --fields, identity records: record_id,
    /// source, given_names, family_name, name_native, date_of_birth (YYYY-MM-DD, 00 for an
    /// unknown part), sex, nationality (ISO 3166 alpha-3, XXA stateless, XXX unknown),
    /// document_type, document_number, place_of_birth.
    #[arg(long)]
    input: PathBuf,
    /// Where `record_id,cluster_id` goes.
    #[arg(long)]
    output: PathBuf,
    /// Also write the scored candidate pairs here: `record_id_l,record_id_r,probability`.
    #[arg(long)]
    pairs: Option<PathBuf>,
    /// Compare other columns: `column=kind,…` with kinds person_name, name, date, code,
    /// category, text (e.g. a data set of another shape).
    #[arg(long)]
    fields: Option<String>,
    /// The record id's column, with --fields.
    #[arg(long, default_value = "record_id")]
    id: String,
    /// Pairs at or above this probability join one person.
    #[arg(long, default_value_t = 0.9)]
    threshold: f64,
    /// --pairs writes the pairs from this probability.
    #[arg(long, default_value_t = 0.01)]
    pairs_from: f64,
    /// Print the model learned: per field and level, m, u and the weight in bits.
    #[arg(long)]
    show_model: bool,
}

pub fn run(command: IdentityCommand) -> ExitCode {
    let (name, outcome) = match command {
        IdentityCommand::Resolve(args) => ("resolve", resolve(&args)),
        IdentityCommand::Sample(args) => ("sample", sample(&args)),
        IdentityCommand::Train(args) => ("train", train(&args)),
        IdentityCommand::Import(args) => ("import", import(&args)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("polku identity {name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn sample(args: &SampleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=2_000_000).contains(&args.persons),
        "--persons is from 1 to 2,000,000"
    );
    let pop = polku_simulators::Population::generate(args.seed, args.persons);
    let records = polku_simulators::identities::identity_records(&pop, args.persons);
    let create = |path: &PathBuf| {
        File::create(path)
            .map(BufWriter::new)
            .with_context(|| format!("cannot write {}", path.display()))
    };
    let (mut out, mut truth) = (create(&args.output)?, create(&args.truth)?);
    writeln!(out, "{}", polku_simulators::identities::HEADER)?;
    writeln!(truth, "record_id,person")?;
    for r in &records {
        writeln!(out, "{}", r.csv_line())?;
        writeln!(truth, "{},{}", r.record_id, r.person)?;
    }
    out.flush()?;
    truth.flush()?;
    eprintln!(
        "{} records about {} persons (and their siblings) written to {}",
        records.len(),
        args.persons,
        args.output.display()
    );
    Ok(())
}

fn import(args: &ImportArgs) -> anyhow::Result<()> {
    let input = BufReader::new(
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?,
    );
    let records =
        polku_identity::read_records(input).with_context(|| format!("{}", args.input.display()))?;
    let operator = polku_audit::Actor::Operator(
        std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()),
    );
    crate::handles::runtime()?.block_on(async {
        let store = args.store.open().await?;
        let persons = crate::handles::persons(&store)?;
        let acting = polku_persons::Acting {
            actor: operator,
            purpose: IMPORT_PURPOSE.to_owned(),
        };
        let bar = ProgressBar::new(records.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("registering [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let (mut new, mut white, mut yellow) = (0u64, 0u64, 0u64);
        for record in records {
            let id = record.record_id.clone();
            let done = persons
                .register(
                    &polku_persons::NewRecord {
                        record,
                        subject: None,
                    },
                    &acting,
                )
                .await
                .with_context(|| format!("record {id}"))?;
            if done.new {
                new += 1;
            }
            for (_, colour) in &done.links {
                match colour {
                    polku_identity::links::Colour::White => white += 1,
                    _ => yellow += 1,
                }
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        eprintln!(
            "{new} records registered ({} already were); links made: {white} white, {yellow} yellow (in the identity queue)",
            bar.length().unwrap_or(0).saturating_sub(new)
        );
        Ok(())
    })
}

/// The purpose an import's audit lines record.
pub const IMPORT_PURPOSE: &str = "identity records imported from other authorities";

fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let input = BufReader::new(
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?,
    );
    let records =
        polku_identity::read_records(input).with_context(|| format!("{}", args.input.display()))?;
    anyhow::ensure!(
        records.len() >= 1000,
        "{} records are too few to learn from: give at least 1,000",
        records.len()
    );
    let started = Instant::now();
    let table = Table::of_identity_records(&records);
    let fields = table.fields.clone();
    let matcher = polku_identity::index::Matcher::train(table, &Options::default());
    let trained = polku_identity::TrainedModel {
        about: "m and u of each identity field's comparison levels and the prior λ, \
                estimated by EM from identity records without labels (polku identity train)"
            .to_owned(),
        trained_on: args.trained_on.clone(),
        records: records.len() as u64,
        fields,
        model: matcher.model().clone(),
    };
    let out = File::create(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    serde_json::to_writer_pretty(BufWriter::new(out), &trained)?;
    eprintln!(
        "model trained on {} records in {:.1} s ({} rounds of EM{}), written to {}",
        records.len(),
        started.elapsed().as_secs_f64(),
        trained.model.iterations,
        if trained.model.converged {
            ""
        } else {
            ", not settled"
        },
        args.output.display()
    );
    Ok(())
}

/// `column=kind,…` as field specs.
fn parse_fields(spec: &str) -> anyhow::Result<Vec<FieldSpec>> {
    spec.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|part| {
            let (name, kind) = part
                .split_once('=')
                .with_context(|| format!("`{part}` is not column=kind (e.g. surname=name)"))?;
            let kind = Kind::parse(kind.trim()).with_context(|| {
                format!("`{kind}` is not a kind: person_name, name, date, code, category or text")
            })?;
            Ok(FieldSpec {
                name: name.trim().to_owned(),
                kind,
            })
        })
        .collect()
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Blocking => "finding candidate pairs",
        Stage::Comparing => "comparing pairs",
        Stage::Training => "estimating m and u (EM)",
        Stage::Scoring => "scoring pairs",
        Stage::Clustering => "linking persons",
    }
}

fn resolve(args: &ResolveArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.threshold) && (0.0..=1.0).contains(&args.pairs_from),
        "--threshold and --pairs-from are probabilities between 0 and 1"
    );
    let started = Instant::now();
    let input = BufReader::new(
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?,
    );
    let table = match &args.fields {
        None => {
            let records = polku_identity::read_records(input)
                .with_context(|| format!("{}", args.input.display()))?;
            Table::of_identity_records(&records)
        }
        Some(spec) => Table::from_csv(input, &args.id, parse_fields(spec)?)
            .with_context(|| format!("{}", args.input.display()))?,
    };
    eprintln!("{} records read from {}", table.len(), args.input.display());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:32} [{bar:30}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let options = Options {
        threshold: args.threshold,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ..Options::default()
    };
    let mut current = None;
    let resolution = polku_identity::resolve(&table, &options, &mut |stage, done, of| {
        if current != Some(stage) {
            current = Some(stage);
            bar.set_message(stage_name(stage));
            bar.reset();
        }
        bar.set_length(of);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    if args.show_model {
        eprintln!(
            "λ {:.6} (prior {:+.2} bits)",
            resolution.model.lambda,
            resolution.model.prior_weight()
        );
        for (spec, field) in table.fields.iter().zip(&resolution.model.fields) {
            for (l, level) in spec.kind.levels().iter().enumerate() {
                eprintln!(
                    "{:16} {:44} m {:.5}  u {:.5}  {:+6.2} bits",
                    spec.name,
                    level.describe(),
                    field.m[l],
                    field.u[l],
                    field.weight(l as u8)
                );
            }
        }
    }
    write_clusters(args, &table, &resolution)?;
    if let Some(path) = &args.pairs {
        write_pairs(path, args.pairs_from, &table, &resolution)?;
    }
    let persons = {
        let mut roots = resolution.clusters.clone();
        roots.sort_unstable();
        roots.dedup();
        roots.len()
    };
    let links = resolution
        .pairs
        .iter()
        .filter(|p| p.probability >= args.threshold)
        .count();
    eprintln!(
        "{} candidate pairs, {links} linked at {} or more: {persons} persons; EM: λ {:.4} after {} rounds{}; {:.1} s",
        resolution.pairs.len(),
        args.threshold,
        resolution.model.lambda,
        resolution.model.iterations,
        if resolution.model.converged {
            ""
        } else {
            " (not settled)"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write_clusters(args: &ResolveArgs, table: &Table, r: &Resolution) -> anyhow::Result<()> {
    let mut out = BufWriter::new(
        File::create(&args.output)
            .with_context(|| format!("cannot write {}", args.output.display()))?,
    );
    writeln!(out, "record_id,cluster_id")?;
    for (i, cluster) in r.clusters.iter().enumerate() {
        writeln!(
            out,
            "{},{}",
            csv_field(&table.ids[i]),
            csv_field(&table.ids[*cluster as usize])
        )?;
    }
    out.flush()?;
    Ok(())
}

fn write_pairs(path: &PathBuf, from: f64, table: &Table, r: &Resolution) -> anyhow::Result<()> {
    let mut out = BufWriter::new(
        File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    writeln!(out, "record_id_l,record_id_r,probability")?;
    for p in r.pairs.iter().filter(|p| p.probability >= from) {
        writeln!(
            out,
            "{},{},{:.6}",
            csv_field(&table.ids[p.left as usize]),
            csv_field(&table.ids[p.right as usize]),
            p.probability
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A value as a CSV field: quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The demo registers no other authority's records about the first this many people.
pub const DEMO_CLEAR: u32 = 40;

/// In demo mode: the identity records other authorities would hold about the population
/// (`polku_simulators::identities`), people `from`..`to`, registered one by one in the
/// background until `stop` — the identity queue gets the links a person must check.
pub fn seed_demo(
    persons: polku_persons::Persons,
    exchange: polku_exchange::Exchange,
    population: std::sync::Arc<polku_simulators::Population>,
    (from, to): (u32, u32),
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let sample = polku_simulators::identities::identity_records(&population, to);
        let acting = polku_persons::Acting {
            actor: polku_audit::Actor::Machine,
            purpose: IMPORT_PURPOSE.to_owned(),
        };
        let (mut registered, mut yellow) = (0u32, 0u32);
        let mut flagged: Vec<polku_persons::PersonId> = Vec::new();
        for s in sample {
            if *stop.borrow_and_update() {
                break;
            }
            // `r{i}-{k}` and `sibling-{i}`: person i's, or their sibling's.
            let i: u32 = s
                .record_id
                .trim_start_matches("sibling-")
                .trim_start_matches('r')
                .split('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if i < from {
                continue;
            }
            let id = s.record_id.clone();
            let record = match raw_of_sample(s).checked() {
                Ok(r) => r,
                Err((field, problem)) => {
                    tracing::warn!(record = %id, field, %problem, "a demo identity record does not read");
                    continue;
                }
            };
            let own = id.starts_with('r');
            match persons
                .register(
                    &polku_persons::NewRecord {
                        record,
                        subject: None,
                    },
                    &acting,
                )
                .await
            {
                Ok(done) => {
                    registered += 1;
                    yellow += done.links.iter().filter(|(_, c)| c.is_open()).count() as u32;
                    if own
                        && i.is_multiple_of(DEMO_FLAG_EVERY)
                        && flagged.last() != Some(&done.person)
                    {
                        flagged.push(done.person);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the demo's identity records stopped");
                    break;
                }
            }
        }
        tracing::info!(registered, yellow, "demo identity records registered");
        if let Err(e) = seed_flags(&exchange, &flagged).await {
            tracing::warn!(error = %e, "the demo's flags were not raised");
        }
    })
}

/// In demo mode every this many people (of those with other authorities' records) get a
/// security authority's flag, so the handlers' pages show what one does.
pub const DEMO_FLAG_EVERY: u32 = 50;

/// The demo's contact points of the security authorities, and a flag on each of `persons`
/// (Supo's and the police's in turn), in force for 90 days.
async fn seed_flags(
    exchange: &polku_exchange::Exchange,
    persons: &[polku_persons::PersonId],
) -> Result<(), polku_exchange::ExchangeError> {
    use polku_exchange::{Authority, ContactPoint, FlagKind, NewFlag, Raiser};
    let points = [
        (
            Authority::SecurityIntelligenceService,
            "supo-permits",
            "Lupa-asioiden yhteyspiste",
            "Kontaktpunkten för tillståndsärenden",
            "Permit matters contact point",
        ),
        (
            Authority::Police,
            "police-immigration",
            "Ulkomaalaisvalvonnan yhteyspiste",
            "Kontaktpunkten för utlänningsövervakning",
            "Aliens control contact point",
        ),
        (
            Authority::BorderGuard,
            "border-guard-returns",
            "Palautusasioiden yhteyspiste",
            "Kontaktpunkten för återsändanden",
            "Returns contact point",
        ),
        (
            Authority::NationalBureauOfInvestigation,
            "nbi-investigations",
            "Tutkinnan yhteyspiste",
            "Kontaktpunkten för utredningar",
            "Investigations contact point",
        ),
    ];
    for (authority, id, fi, sv, en) in points {
        exchange
            .keep_contact_point(
                &ContactPoint {
                    id: id.to_owned(),
                    organisation: authority,
                    name_fi: fi.to_owned(),
                    name_sv: sv.to_owned(),
                    name_en: en.to_owned(),
                    email: format!("{id}@example.invalid"),
                    languages: vec!["fi".into(), "sv".into(), "en".into()],
                    hours: "ma–pe 8–16 / må–fre 8–16 / Mon–Fri 8–16".to_owned(),
                },
                &polku_audit::Actor::Machine,
            )
            .await?;
    }
    // Once: a demo started again over the same database keeps the flags it raised.
    if !exchange
        .flags_of(Authority::SecurityIntelligenceService, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let expires_on = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(90))
        .unwrap_or_else(|_| polku_cases::today_in_finland());
    for (k, person) in persons.iter().enumerate() {
        let (authority, point, kind) = if k % 2 == 0 {
            (
                Authority::SecurityIntelligenceService,
                "supo-permits",
                FlagKind::NationalSecurity,
            )
        } else {
            (
                Authority::Police,
                "police-immigration",
                FlagKind::PublicOrder,
            )
        };
        exchange
            .raise(
                &NewFlag {
                    person: *person,
                    kind,
                    contact_point: point.to_owned(),
                    legal_basis: "UlkL 36 § (demo)".to_owned(),
                    expires_on,
                },
                &Raiser {
                    actor: polku_audit::Actor::Machine,
                    authority,
                },
            )
            .await?;
    }
    tracing::info!(flags = persons.len(), "demo flags raised");
    Ok(())
}

/// A synthetic sample record as the identity register reads records.
pub fn raw_of_sample(s: polku_simulators::identities::SampleRecord) -> polku_identity::RawRecord {
    polku_identity::RawRecord {
        record_id: s.record_id,
        source: s.source.to_owned(),
        given_names: s.given_names,
        family_name: s.family_name,
        name_native: s.name_native,
        date_of_birth: s.date_of_birth,
        sex: s.sex.to_owned(),
        nationality: s.nationality,
        document_type: s.document_type.to_owned(),
        document_number: s.document_number,
        place_of_birth: String::new(),
    }
}
