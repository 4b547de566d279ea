//! The architecture invariants that the compiler does not hold (docs/ARCHITECTURE.md,
//! ADR 0010), checked from `cargo metadata` and the sources:
//!
//! - dependencies between workspace crates point only the ways the allow-list says, so a
//!   new edge is a decision someone writes down here, not an accident;
//! - no crate but the binary reaches the simulated registers or a serving crate, however
//!   long the chain;
//! - only the serving crates, the X-Road client, the messages service's client, the
//!   simulators' servers and the binary know HTTP; OpenAPI stays with the API; the rule language's crate depends on
//!   nothing that does I/O;
//! - no normal dependency switches on a crate's `testing` feature (test-only evidence never
//!   reaches a binary configuration, ADR 0009);
//! - no module cycle inside any crate (ADR 0010 broke the last ones).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One dependency: its name, its kind (`None` for normal, `build`, `dev`), its features.
type Dependency = (String, Option<String>, Vec<String>);

/// `(package, its dependencies)` for every workspace package.
fn metadata() -> Vec<(String, Vec<Dependency>)> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
            "--locked",
        ])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap().to_owned(),
                        d["kind"].as_str().map(str::to_owned),
                        d["features"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|f| f.as_str().unwrap().to_owned())
                            .collect(),
                    )
                })
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

/// Which workspace crates each may depend on (normal and build dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    // The input schema: what an application and its evidence may hold; pure.
    ("polku-schema", &[]),
    ("polku-rules", &["polku-schema"]),
    ("polku-decide", &["polku-rules"]),
    ("polku-store", &[]),
    // Typesetting a decision: text and fonts in, a PDF out; knows no other part.
    ("polku-pdf", &[]),
    // Identity resolution: records in, persons and their explained links out; pure, and
    // knows no other part (issue 14).
    ("polku-identity", &[]),
    ("polku-audit", &["polku-store"]),
    ("polku-access", &["polku-store"]),
    // Read-only: the key figures read cases and decisions, never write.
    ("polku-figures", &["polku-decide", "polku-store"]),
    // The cases write their audit lines in the transactions that make them.
    (
        "polku-cases",
        &[
            "polku-rules",
            "polku-decide",
            "polku-store",
            "polku-audit",
            // The person id every part names a person by (ADR 0018); a pure crate.
            "polku-identity",
        ],
    ),
    // Rule administration sits on top of the cases (a backtest re-evaluates their past
    // decisions) and is the live rules' source of approved changes (`RuleSource`).
    (
        "polku-rule-admin",
        &[
            "polku-rules",
            "polku-decide",
            "polku-store",
            "polku-audit",
            "polku-access",
            "polku-cases",
        ],
    ),
    // Monitoring meets the rest through the cases crate: it follows the cases' domain
    // events and opens re-examination cases there; its alerts' traces are polku-decide's.
    (
        "polku-monitoring",
        &[
            "polku-rules",
            "polku-decide",
            "polku-store",
            "polku-audit",
            "polku-cases",
        ],
    ),
    // Notifications follow the cases' domain events and read requests through the cases
    // crate; the person's choice of channel is theirs (issue 12).
    (
        "polku-notify",
        &["polku-rules", "polku-store", "polku-cases"],
    ),
    // Fees and their payment: the application is filed through the cases crate once paid.
    (
        "polku-payments",
        &["polku-store", "polku-cases", "polku-audit"],
    ),
    // The identity register: records, links and persons over the cases' database, with the
    // engine of polku-identity; it meets the pipeline as an EvidenceSource of polku-cases.
    (
        "polku-persons",
        &[
            "polku-store",
            "polku-audit",
            "polku-cases",
            "polku-identity",
        ],
    ),
    // Exchange between authorities (issue 15): contact points and flags over the cases'
    // database; it meets the pipeline as an EvidenceSource of polku-cases.
    (
        "polku-exchange",
        &["polku-store", "polku-audit", "polku-cases"],
    ),
    // The evidence source logs each disclosure in the audit chain.
    (
        "polku-registers",
        &["polku-rules", "polku-audit", "polku-cases"],
    ),
    // polku-rules for one function: the synthetic employers' business IDs carry the
    // check digit the schema checks (`schema::business_id_check_digit`).
    // polku-payments for the provider's signature, computed as the client computes it.
    (
        "polku-simulators",
        &["polku-registers", "polku-rules", "polku-payments"],
    ),
    (
        "polku-server",
        &[
            "polku-rules",
            "polku-store",
            "polku-access",
            "polku-audit",
            "polku-cases",
            "polku-monitoring",
            // The person's choice of channel, and the sending log (issue 12).
            "polku-notify",
            // A filing with a fee due waits for it (issue 12).
            "polku-payments",
            // Other authorities' identity records in, a person's identity out (issue 14).
            "polku-persons",
            "polku-identity",
            // Contact points and flags (issue 15).
            "polku-exchange",
        ],
    ),
    (
        "polku-web",
        &[
            "polku-rules",
            "polku-store",
            "polku-access",
            "polku-audit",
            "polku-figures",
            "polku-cases",
            "polku-rule-admin",
            // The handlers' alerts and the holder's side of a re-examination (issue 13).
            "polku-monitoring",
            // The decision as a PDF (issue 12).
            "polku-pdf",
            // The person's choice of channel, and the sending log (issue 12).
            "polku-notify",
            // The fee and its payment before filing (issue 12).
            "polku-payments",
            // The identity queue and a person's identity (issue 14).
            "polku-persons",
            "polku-identity",
            // A person's flags on their case (issue 15).
            "polku-exchange",
        ],
    ),
    (
        "polku",
        &[
            "polku-rules",
            "polku-decide",
            "polku-store",
            "polku-audit",
            "polku-access",
            "polku-figures",
            "polku-cases",
            "polku-rule-admin",
            "polku-monitoring",
            "polku-notify",
            "polku-payments",
            "polku-registers",
            "polku-identity",
            "polku-persons",
            "polku-exchange",
            "polku-simulators",
            "polku-server",
            "polku-web",
        ],
    ),
];

/// External crates only some workspace crates may use directly.
const CONFINED: &[(&str, &[&str])] = &[
    // HTTP: the API, the pages, the simulators' X-Road server, the binary; the X-Road
    // client speaks plain hyper.
    (
        "axum",
        &["polku-server", "polku-web", "polku-simulators", "polku"],
    ),
    (
        "hyper",
        &[
            "polku-registers",
            "polku-notify",
            "polku-payments",
            // The simulated payment provider's callback to the service.
            "polku-simulators",
            "polku",
        ],
    ),
    // Email: the notifications' one mailer (ADR 0014).
    ("lettre", &["polku-notify"]),
    ("askama", &["polku-web"]),
    ("fluent-templates", &["polku-web"]),
    // OpenAPI: the API alone (its views mirror the domain types, ADR 0010 B12).
    ("utoipa", &["polku-server"]),
    ("utoipa-axum", &["polku-server"]),
    // PDF: the one crate that typesets (ADR 0013).
    ("krilla", &["polku-pdf"]),
];

/// The pure crates (no I/O, no clock): the input schema, the rule language and the
/// decisions over it. These are all they may depend on.
const PURE: &[(&str, &[&str])] = &[
    (
        "polku-schema",
        &["jiff", "serde", "serde_json", "thiserror"],
    ),
    (
        "polku-rules",
        &[
            "polku-schema",
            "cel",
            "yaml-rust2",
            "jiff",
            "serde",
            "serde_json",
            "thiserror",
        ],
    ),
    (
        "polku-decide",
        &[
            "polku-rules",
            "jiff",
            "serde",
            "serde_json",
            "uuid",
            "thiserror",
        ],
    ),
    ("polku-pdf", &["krilla", "ttf-parser", "thiserror"]),
    (
        "polku-identity",
        &[
            "serde",
            "serde_json",
            "thiserror",
            "csv",
            "any_ascii",
            "strsim",
            "fastrand",
        ],
    ),
];

#[test]
fn dependencies_point_only_the_allowed_ways() {
    let packages = metadata();
    let members: BTreeSet<&str> = packages.iter().map(|(n, _)| n.as_str()).collect();
    let mut wrong = Vec::new();
    for (name, deps) in &packages {
        let allowed = ALLOWED
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{name} is new: add it to ALLOWED in this test"));
        for (dep, kind, features) in deps {
            let normal = kind.as_deref() != Some("dev");
            if normal && members.contains(dep.as_str()) && !allowed.contains(&dep.as_str()) {
                wrong.push(format!("{name} → {dep} (a new edge: see ADR 0010)"));
            }
            if normal && features.iter().any(|f| f == "testing") {
                wrong.push(format!(
                    "{name} switches on {dep}'s `testing` feature outside its tests"
                ));
            }
            if normal
                && let Some((_, who)) = CONFINED.iter().find(|(c, _)| c == dep)
                && !who.contains(&name.as_str())
            {
                wrong.push(format!("{name} uses {dep}, which only {who:?} may"));
            }
        }
        if let Some((_, only)) = PURE.iter().find(|(p, _)| p == name) {
            for (dep, kind, _) in deps {
                if kind.is_none() && !only.contains(&dep.as_str()) {
                    wrong.push(format!("{name} is pure but depends on {dep}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Crates that only the binary may reach, through any chain of normal or build
/// dependencies (dev-dependencies are free): the simulated registers, so no library
/// links a fake register, and the serving crates, so no library serves.
const ONLY_THE_BINARY: &[&str] = &["polku-simulators", "polku-web", "polku-server"];

/// The binary: it may reach every crate.
const BINARY: &str = "polku";

#[test]
fn only_the_binary_reaches_the_simulators_and_the_serving_crates() {
    let packages = metadata();
    let members: BTreeSet<&str> = packages.iter().map(|(n, _)| n.as_str()).collect();
    for crate_name in ONLY_THE_BINARY.iter().chain([&BINARY]) {
        assert!(
            members.contains(crate_name),
            "{crate_name} is gone: update this test"
        );
    }
    let edges: BTreeMap<&str, BTreeSet<&str>> = packages
        .iter()
        .map(|(name, deps)| {
            let to = deps
                .iter()
                .filter(|(dep, kind, _)| {
                    kind.as_deref() != Some("dev") && members.contains(dep.as_str())
                })
                .map(|(dep, _, _)| dep.as_str())
                .collect();
            (name.as_str(), to)
        })
        .collect();
    let mut wrong = Vec::new();
    for &from in members.iter().filter(|&&m| m != BINARY) {
        // Breadth first, remembering how each crate was reached, to name the path.
        let mut reached_by: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            for &next in edges.get(at).into_iter().flatten() {
                if next != from && !reached_by.contains_key(next) {
                    reached_by.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        for &target in ONLY_THE_BINARY {
            if target == from || !reached_by.contains_key(target) {
                continue;
            }
            let mut path = vec![target];
            while let Some(&before) = reached_by.get(path[path.len() - 1]) {
                path.push(before);
                if before == from {
                    break;
                }
            }
            path.reverse();
            wrong.push(format!(
                "{from} reaches {target}, which only {BINARY} may: {} (see ADR 0010)",
                path.join(" → ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The top-level modules of one crate's `src` and the modules each names through
/// `crate::…` (in `use` lines and paths).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    files(src, &mut all);
    let module_of = |p: &Path| -> Option<String> {
        let rel = p.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        let name = first.strip_suffix(".rs").unwrap_or(first);
        (!matches!(name, "lib" | "main")).then(|| name.to_owned())
    };
    let modules: BTreeSet<String> = all.iter().filter_map(|p| module_of(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let Some(from) = module_of(path) else {
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        // Code before a `#[cfg(test)]` module only (tests may reach anywhere), without
        // comments (a doc link is no dependency).
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let mut names = vec![rest];
            // `use crate::{a, b::c}`
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                names = group[..end].split(',').map(str::trim).collect();
            }
            for n in names {
                let to: String = n
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if to != from && modules.contains(&to) {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// Strongly connected sets of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct T<'g> {
        g: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    impl<'g> T<'g> {
        fn visit(&mut self, v: &'g str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on.insert(v);
            for w in self.g.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let l = self.low[v].min(self.low[w]);
                    self.low.insert(v, l);
                } else if self.on.contains(w) {
                    let l = self.low[v].min(self.index[w]);
                    self.low.insert(v, l);
                }
            }
            if self.low[v] == self.index[v] {
                let mut set = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    set.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if set.len() > 1 {
                    self.out.push(set);
                }
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn no_module_cycle_in_any_crate() {
    let mut wrong = Vec::new();
    let mut crates: Vec<String> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("src").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    assert!(crates.len() >= 6, "{crates:?}");
    for krate in &crates {
        let graph = module_graph(&workspace().join("crates").join(krate).join("src"));
        for cycle in cycles(&graph) {
            wrong.push(format!("{krate}: a module cycle through {cycle:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
