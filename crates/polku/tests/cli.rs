//! The `polku` command as a user meets it: exit codes, messages, output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn polku(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polku"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("polku runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MATTER: &str = "fi.residence-permit.employed.extension";
const EXAMPLE: &str = "examples/employed-extension.json";
/// What the walk-through's applicant sends.
const SUBMISSION: &str = "examples/employed-extension.submission.json";

fn temp_file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn rules_check_and_test_pass_on_the_bundled_rules() {
    let check = polku(&["rules", "check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let test = polku(&["rules", "test", "rules"]);
    assert!(test.status.success(), "{}", stdout(&test));
    let summary = stdout(&test);
    assert!(
        summary.trim_end().ends_with(" passed, 0 failed"),
        "{summary}"
    );
}

/// A rules directory holding the shared library and one changed copy of the employed
/// extension rule set.
fn rules_dir_with(name: &str, change: impl Fn(String) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("common")).unwrap();
    let library = "rules/fi/common/residence-permit-conditions.yaml";
    std::fs::copy(
        repo().join(library),
        dir.join("common/residence-permit-conditions.yaml"),
    )
    .unwrap();
    let good =
        std::fs::read_to_string(repo().join("rules/fi/residence-permit-employed-extension.yaml"))
            .unwrap();
    let changed = change(good.clone());
    assert_ne!(changed, good, "the change must change something");
    std::fs::write(dir.join(format!("{name}.yaml")), changed).unwrap();
    tmp
}

#[test]
fn rules_check_reports_every_error_with_file_and_line_and_exits_1() {
    let dir = rules_dir_with("bad", |good| {
        good.replacen("any_not_met: refer", "any_not_met: refuse", 1)
            .replacen("    legal_basis: UlkL 39 § 1 mom., 73 § 1 mom.\n", "", 1)
            .replacen(
                "evidence.incomes.monthly_gross_pay_avg_eur >= pay_required",
                "evidence.incomes.monthly_pay >= pay_required",
                1,
            )
            .replacen("#no-security-flag", "#no-security-flags", 1)
    });
    let out = polku(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("bad.yaml:")).collect();
    assert!(lines.len() >= 4, "{err}");
    assert!(err.contains("would let a machine refuse"), "{err}");
    assert!(err.contains("no legal basis"), "{err}");
    assert!(
        err.contains("`evidence.incomes.monthly_pay` is not an input"),
        "{err}"
    );
    assert!(
        err.contains("has no condition `no-security-flags`"),
        "{err}"
    );
}

#[test]
fn rules_test_prints_failures_and_exits_1() {
    // Change a figure and the boundary tests must notice.
    let dir = rules_dir_with("changed", |good| {
        good.replacen("2025-04-01: 1600", "2025-04-01: 1400", 1)
    });
    let out = polku(&["rules", "test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL fi.residence-permit.employed.extension"),
        "{text}"
    );
    assert!(!text.contains(" 0 failed"), "{text}");
}

#[test]
fn decide_gives_the_same_bytes_every_time() {
    let args = [
        "decide",
        "--matter",
        MATTER,
        "--input",
        EXAMPLE,
        "--at",
        "2025-05-01",
    ];
    let a = polku(&args);
    let b = polku(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(json["outcome"], "grant");
    assert_eq!(json["version"], "2025.1");
    // It says that nothing was fetched: the evidence is the input's.
    assert_eq!(json["evidence_fetched"], false);
    assert!(json["notice"].as_str().unwrap().contains("not fetched"));
    assert_eq!(json["rule_set"], MATTER);
    assert!(
        json["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["legal_basis"].as_str().is_some_and(|s| !s.is_empty()))
    );
    let pay = json["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "pay-meets-minimum")
        .unwrap();
    let read = pay["inputs"].as_array().unwrap();
    let income = read
        .iter()
        .find(|i| i["path"] == "evidence.incomes.monthly_gross_pay_avg_eur")
        .unwrap();
    assert_eq!(income["source"], "Incomes Register");
    assert_eq!(income["value"], 2450);
}

#[test]
fn decide_explains_in_finnish_swedish_and_english() {
    for (lang, words) in [
        ("fi", "Kaikki edellytykset täyttyvät"),
        ("sv", "Alla förutsättningar uppfylls"),
        ("en", "All conditions are met"),
    ] {
        let out = polku(&[
            "decide",
            "--matter",
            MATTER,
            "--input",
            EXAMPLE,
            "--at",
            "2025-05-01",
            "--format",
            "text",
            "--lang",
            lang,
        ]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.contains(words), "{lang}: {text}");
        assert!(text.contains("UlkL 39 §"), "{text}");
    }
}

fn decide_error(input: &Path, matter: &str, at: &str) -> (Option<i32>, String) {
    let out = polku(&[
        "decide",
        "--matter",
        matter,
        "--input",
        input.to_str().unwrap(),
        "--at",
        at,
    ]);
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    (out.status.code(), stderr(&out))
}

#[test]
fn decide_refuses_bad_input_with_exit_2_and_one_line() {
    let example = repo().join(EXAMPLE);
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, &str, &str, &str)> = vec![
        (
            temp_file(&tmp, "malformed.json", "{\"applicant\": "),
            MATTER,
            "2025-05-01",
            "not valid JSON",
        ),
        (
            temp_file(&tmp, "types.json", "{\"family\": {\"adults\": \"two\"}}"),
            MATTER,
            "2025-05-01",
            "family.adults: must be a number",
        ),
        (
            temp_file(&tmp, "unknown.json", "{\"applicant\": {\"shoe_size\": 42}}"),
            MATTER,
            "2025-05-01",
            "applicant.shoe_size",
        ),
        (
            example.clone(),
            "fi.no-such-matter",
            "2025-05-01",
            "unknown matter `fi.no-such-matter`",
        ),
        (
            example.clone(),
            "fi.monitoring.residence-permit.employed",
            "2025-05-01",
            "is a monitoring rule set: it watches the permits of fi.residence-permit.employed.extension",
        ),
        (
            example.clone(),
            MATTER,
            "2019-01-01",
            "no version of rule set",
        ),
        (example.clone(), MATTER, "1.5.2025", "not a date"),
        (
            repo().join("examples/missing.json"),
            MATTER,
            "2025-05-01",
            "cannot read",
        ),
    ];
    for (input, matter, at, needle) in cases {
        let (code, err) = decide_error(&input, matter, at);
        assert_eq!(code, Some(2), "{needle}: {err}");
        assert!(err.contains(needle), "expected `{needle}` in: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

#[test]
fn schema_is_json_schema_and_docs_are_in_sync() {
    let out = polku(&["rules", "schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["properties"]["evidence"]["properties"]["incomes"]["properties"]["monthly_gross_pay_avg_eur"].is_object());
    let table = stdout(&polku(&["rules", "schema", "--format", "markdown"]));
    let doc = std::fs::read_to_string(repo().join("docs/input-schema.md")).unwrap();
    assert!(
        doc.contains(&table),
        "docs/input-schema.md is out of date: regenerate its table with `polku rules schema --format markdown`"
    );
}

#[test]
fn describe_publishes_what_is_automated_and_on_which_basis() {
    let out = polku(&["rules", "describe", MATTER, "--lang", "fi"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("# Jatkolupa työntekijälle"), "{text}");
    assert!(text.contains("Oikeusperusta: UlkL 39 § 1 mom."), "{text}");
    assert!(text.contains("53 e §"), "{text}");
    let unknown = polku(&["rules", "describe", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn monitoring_sets_are_listed_checked_and_described_but_decide_nothing() {
    let check = stdout(&polku(&["rules", "check"]));
    assert!(check.contains("(3 of them monitoring)"), "{check}");
    let list = stdout(&polku(&["rules", "list"]));
    let line = list
        .lines()
        .find(|l| l.starts_with("fi.monitoring.residence-permit.student\t"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.ends_with("\tmonitoring: watches fi.residence-permit.student"),
        "{line}"
    );
    let out = polku(&[
        "rules",
        "describe",
        "fi.monitoring.residence-permit.employed",
        "--lang",
        "en",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    for words in [
        "Watches the permits granted in the matters: Extended residence permit for an employed person",
        "raises an alert for a case handler. It decides nothing and never cancels a permit",
        "Checked again on: pay report (Incomes Register)",
        "UlkL 58 §",
    ] {
        assert!(text.contains(words), "`{words}` in {text}");
    }
    assert!(!text.contains("What the machine may do"), "{text}");
}

#[test]
fn submit_work_replay_and_verify_through_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", dir]);
        polku(&all)
    };
    // A synthetic person whose registers support an extension (the walk-through's).
    let submitted = run(&[
        "cases",
        "submit",
        "--input",
        SUBMISSION,
        "--applicant",
        "sim-0000013",
    ]);
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    let case = stdout(&submitted).trim().to_owned();
    let worked = run(&["cases", "work"]);
    let line = stdout(&worked);
    assert!(
        line.starts_with(&format!("{case}\tgrant\tdecision ")),
        "{line}"
    );
    let decision = line
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let replay = run(&["decisions", "replay", &decision]);
    assert!(replay.status.success(), "{}", stdout(&replay));
    assert!(stdout(&replay).contains("identical"));
    let verify = run(&["audit", "verify"]);
    assert!(verify.status.success());
    // The decision, and every register answer in the disclosure log.
    let rows: u32 = stdout(&verify)
        .lines()
        .next()
        .unwrap_or_default()
        .strip_prefix("audit chain intact: ")
        .and_then(|r| r.strip_suffix(" rows"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(rows > 5, "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains("no signed anchors in"),
        "{}",
        stdout(&verify)
    );
    // Signed anchors: the key is made on first use for its owner only, the head signed.
    let anchor = run(&["audit", "anchor"]);
    assert!(anchor.status.success(), "{}", stderr(&anchor));
    assert!(
        stdout(&anchor).starts_with(&format!("anchored row {rows} (hash ")),
        "{}",
        stdout(&anchor)
    );
    assert!(
        stderr(&anchor).contains("made a new key"),
        "{}",
        stderr(&anchor)
    );
    let key = data.path().join("audit-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let verify = run(&["audit", "verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains(&format!(
            "1 of 1 signed anchors verified, the last at row {rows}"
        )),
        "{}",
        stdout(&verify)
    );
    // An anchor changed without the key is refused, naming its line.
    let file = data.path().join("audit-anchors.jsonl");
    let line = std::fs::read_to_string(&file).unwrap();
    let anchored: serde_json::Value = serde_json::from_str(&line).unwrap();
    let hash = anchored["hash"].as_str().unwrap();
    std::fs::write(&file, line.replace(hash, &"0".repeat(64))).unwrap();
    let verify = run(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains(&format!(
            "anchor broken at line 1 of {} (row {rows}): its signature is not valid",
            file.display()
        )),
        "{}",
        stdout(&verify)
    );
    let shown: serde_json::Value =
        serde_json::from_slice(&run(&["cases", "show", &case]).stdout).unwrap();
    assert_eq!(shown["case"]["state"], "decided");
    assert_eq!(shown["history"].as_array().unwrap().len(), 4);
    let bad = run(&[
        "cases",
        "submit",
        "--input",
        SUBMISSION,
        "--received-on",
        "1.5.2025",
        "--reason",
        "paper form",
        "--applicant",
        "sim-0000013",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("is not a date"));
    // What came with the evidence is refused: the registers supply it.
    let typed = run(&[
        "cases",
        "submit",
        "--input",
        "examples/employed-extension.json",
        "--applicant",
        "sim-0000013",
    ]);
    assert_eq!(typed.status.code(), Some(1));
}

#[test]
fn a_configuration_file_sets_the_data_directory_and_a_misspelt_key_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = temp_file(
        &dir,
        "polku.toml",
        &format!("data_dir = {:?}\n", data.display().to_string()),
    );
    let config = config.to_str().unwrap();
    let add = polku(&[
        "users",
        "add",
        "--config",
        config,
        "--name",
        "Admin",
        "--role",
        "administrator",
        "--organisation",
        "Maahanmuuttovirasto",
    ]);
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(
        data.join("polku.db").is_file(),
        "the file's data_dir was not used"
    );
    let verify = polku(&["audit", "verify", "--config", config]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    // The anchors' key and file where the file says.
    let (key, anchors) = (
        dir.path().join("keys/anchor.key"),
        dir.path().join("anchors"),
    );
    std::fs::write(
        config,
        format!(
            "data_dir = {:?}\naudit_key = {:?}\naudit_anchors = {:?}\n",
            data.display().to_string(),
            key.display().to_string(),
            anchors.display().to_string()
        ),
    )
    .unwrap();
    let anchor = polku(&["audit", "anchor", "--config", config]);
    assert!(anchor.status.success(), "{}", stderr(&anchor));
    assert!(key.is_file(), "{}", stderr(&anchor));
    let verify = polku(&["audit", "verify", "--config", config]);
    assert!(
        stdout(&verify).contains(&format!("no signed anchors in {}", anchors.display())),
        "{}",
        stdout(&verify)
    );

    let bad = temp_file(&dir, "bad.toml", "data_dri = \"x\"\n");
    let out = polku(&["audit", "verify", "--config", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("data_dri"), "{}", stderr(&out));
}

/// `polku identity resolve`: records in several scripts and orders linked into persons,
/// written as `record_id,cluster_id` and scored pairs; a bad record is refused with its line.
#[test]
fn identity_resolve_links_records_into_persons() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("records.csv");
    let mut csv = String::from(
        "record_id,source,given_names,family_name,name_native,date_of_birth,sex,nationality,document_type,document_number\n",
    );
    // A crowd for the model to learn from: each person twice, once with the names swapped.
    let given = [
        "Anna", "Olga", "Fatima", "Ali", "Omar", "Pekka", "Ivan", "Leila", "Samir", "Mei",
    ];
    let family = [
        "Virtanen", "Hassan", "Petrov", "Nguyen", "Bekele", "Karimi", "Silva", "Nowak",
    ];
    for i in 0..160 {
        let (g, f) = (
            given[i % given.len()],
            family[(i / given.len()) % family.len()],
        );
        let dob = format!("{}-{:02}-{:02}", 1950 + i % 50, 1 + i % 12, 1 + i % 28);
        csv.push_str(&format!("p{i}a,police,{g},{f},,{dob},,SYR,P,AB{i:07}\n"));
        csv.push_str(&format!("p{i}b,permit-application,{f},{g},,{dob},,SYR,,\n"));
    }
    csv.push_str("ru1,asylum-registration,,,Юрий Гагарин,1988-02-14,M,RUS,,\n");
    csv.push_str("ru2,border-check,Iurii,Gagarin,,1988-02-14,M,RUS,P,XY1234567\n");
    csv.push_str("other,police,Pekka,Korhonen,,1961-09-09,M,FIN,,\n");
    std::fs::write(&input, csv).unwrap();
    let output = dir.path().join("clusters.csv");
    let pairs = dir.path().join("pairs.csv");
    let out = polku(&[
        "identity",
        "resolve",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--pairs",
        pairs.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("323 records read"),
        "{}",
        stderr(&out)
    );
    let clusters = std::fs::read_to_string(&output).unwrap();
    let cluster_of = |id: &str| {
        clusters
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{id},")))
            .unwrap_or_else(|| panic!("{id} not in {clusters}"))
            .to_owned()
    };
    assert!(clusters.starts_with("record_id,cluster_id\n"));
    assert_eq!(
        cluster_of("ru1"),
        cluster_of("ru2"),
        "Cyrillic and its romanisation"
    );
    assert_eq!(cluster_of("p7a"), cluster_of("p7b"), "names swapped");
    assert_ne!(cluster_of("p7a"), cluster_of("p8a"));
    assert_eq!(cluster_of("other"), "other");
    let pairs = std::fs::read_to_string(&pairs).unwrap();
    assert!(pairs.starts_with("record_id_l,record_id_r,probability\n"));
    assert!(
        pairs
            .lines()
            .any(|l| l.starts_with("ru1,ru2,0.9") || l.starts_with("ru1,ru2,1.0")),
        "{pairs}"
    );

    // A record that breaks a rule: nothing written, the line and field said.
    std::fs::write(
        &input,
        "record_id,source,given_names,date_of_birth\nr1,police,Ali,1990-02-30\n",
    )
    .unwrap();
    std::fs::remove_file(&output).unwrap();
    let bad = polku(&[
        "identity",
        "resolve",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("line 2: `date_of_birth` is not a possible date of birth"),
        "{}",
        stderr(&bad)
    );
    assert!(!output.exists());
}
