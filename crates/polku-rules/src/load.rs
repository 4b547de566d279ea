//! Reading rule files and checking them, reporting every problem in a file at once.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use jiff::civil::Date;

use crate::Status;
use crate::explain::Template;
use crate::expr::{ParamKind, ParamRef, Scope, Ty, compile};
use crate::model::Expected;
use crate::model::{
    Automation, Condition, Exception, Expectation, Grants, Lang, Outcome, ParamValue, Parameter,
    ProcessingTime, RuleSet, Segment, TestCase, Text, Version,
};
use crate::schema::{Application, parse_date};
use crate::yaml::{self, Kind, Node};

mod monitors;
use monitors::SetKind;

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct LoadError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Every problem found, in file and line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LoadErrors(pub Vec<LoadError>);

const TOP_KEYS: &[&str] = &[
    "definitions",
    "id",
    "title",
    "law",
    "description",
    "decides",
    "versions",
    "parameters",
    "conditions",
    "automation",
    "grants",
    "processing_time",
    "monitors",
    "test_base",
    "tests",
];

/// The suffix of a sibling file that holds a rule set's tests.
pub const TESTS_SUFFIX: &str = ".tests.yaml";

struct Checker {
    file: PathBuf,
    errors: Vec<LoadError>,
}

impl Checker {
    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(LoadError {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }

    fn str<'n>(&mut self, parent: &'n Node, key: &str, what: &str) -> Option<&'n str> {
        match parent.get(key) {
            None => {
                self.error(parent.line, format!("{what} is missing: add `{key}:`"));
                None
            }
            Some(node) => match node.as_str() {
                Some(s) if !s.trim().is_empty() => Some(s),
                _ => {
                    self.error(node.line, format!("`{key}` must be a non-empty text"));
                    None
                }
            },
        }
    }

    /// Reports every key of `node` that is not in `allowed`.
    fn known_keys(&mut self, node: &Node, allowed: &[&str], what: &str) {
        for (k, _) in node.as_map().unwrap_or_default() {
            let key = k.as_str().unwrap_or("?");
            if !allowed.contains(&key) {
                self.error(
                    k.line,
                    format!(
                        "`{key}` is not a key of {what} (expected one of: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn opt_str(&mut self, parent: &Node, key: &str) -> Option<String> {
        let node = parent.get(key)?;
        match node.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.error(node.line, format!("`{key}` must be a text"));
                None
            }
        }
    }

    fn date(&mut self, node: &Node, what: &str) -> Option<Date> {
        let parsed = node.as_str().and_then(parse_date);
        if parsed.is_none() {
            self.error(node.line, format!("{what} must be a date YYYY-MM-DD"));
        }
        parsed
    }

    /// A `{fi, sv, en}` mapping; each missing language is its own error.
    fn text(&mut self, parent: &Node, key: &str, what: &str) -> Option<Text> {
        let Some(node) = parent.get(key) else {
            self.error(
                parent.line,
                format!("{what} is missing: add `{key}:` with fi, sv and en"),
            );
            return None;
        };
        let raw = self.translations(node, key)?;
        let [fi, sv, en] = raw.map(|(_, s)| s);
        Some(Text { fi, sv, en })
    }

    /// The three translations with their lines, or errors for each one missing.
    fn translations(&mut self, node: &Node, key: &str) -> Option<[(usize, String); 3]> {
        if node.as_map().is_none() {
            self.error(
                node.line,
                format!("`{key}` must have a text for each of fi, sv and en"),
            );
            return None;
        }
        let mut out: [(usize, String); 3] = Default::default();
        let mut complete = true;
        for (i, lang) in Lang::ALL.iter().enumerate() {
            match node
                .get(lang.code())
                .and_then(|n| n.as_str().map(|s| (n.line, s)))
            {
                Some((line, s)) if !s.trim().is_empty() => out[i] = (line, s.trim_end().to_owned()),
                _ => {
                    self.error(
                        node.line,
                        format!("`{key}` has no {} translation", lang_name(*lang)),
                    );
                    complete = false;
                }
            }
        }
        if let Some(map) = node.as_map() {
            for (k, _) in map {
                if !matches!(k.as_str(), Some("fi" | "sv" | "en")) {
                    self.error(
                        k.line,
                        format!(
                            "`{}` is not a language of Polku: use fi, sv and en",
                            k.as_str().unwrap_or("?")
                        ),
                    );
                }
            }
        }
        complete.then_some(out)
    }

    fn template(&mut self, parent: &Node, key: &str, scope: &Scope) -> Option<[Template; 3]> {
        let Some(node) = parent.get(key) else {
            self.error(
                parent.line,
                format!("`{key}` is missing: add an explanation in fi, sv and en"),
            );
            return None;
        };
        let raw = self.translations(node, key)?;
        let mut out = Vec::with_capacity(3);
        for (line, source) in raw {
            match Template::parse(&source, scope) {
                Ok(t) => out.push(t),
                Err(e) => self.error(line + e.line, format!("in `{key}`: {}", e.message)),
            }
        }
        out.try_into().ok()
    }
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "Finnish (fi)",
        Lang::Sv => "Swedish (sv)",
        Lang::En => "English (en)",
    }
}

/// Conditions shared by several rule sets: a file with `library:` instead of `id:`.
/// A rule set takes one with `- use: LIBRARY#CONDITION` in its `conditions`.
#[derive(Debug, Clone)]
pub struct Library {
    pub id: String,
    pub file: PathBuf,
    conditions: Vec<(String, Node)>,
}

const LIBRARY_KEYS: &[&str] = &["library", "law", "description", "conditions"];

/// Whether a parsed file is a condition library rather than a rule set.
pub(crate) fn is_library(source: &str) -> bool {
    yaml::parse(source).is_ok_and(|root| root.get("library").is_some())
}

/// Loads and checks a condition library. Its conditions may not read parameters or
/// name versions: those belong to the rule sets that use them.
pub fn load_library(path: &Path, source: &str) -> Result<Library, LoadErrors> {
    let mut c = Checker {
        file: path.to_owned(),
        errors: Vec::new(),
    };
    let root = match yaml::parse(source) {
        Ok(r) => r,
        Err(e) => {
            c.error(e.line, e.message);
            return Err(LoadErrors(c.errors));
        }
    };
    c.known_keys(&root, LIBRARY_KEYS, "a condition library");
    let id = c
        .str(&root, "library", "the library's id")
        .map(str::to_owned);
    c.str(&root, "law", "the law the library encodes");
    let checked = check_conditions(
        &mut c,
        &root,
        &Scope::new(&[], &[]),
        &[],
        &[],
        SetKind::Library,
    );
    let items = root
        .get("conditions")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for item in items {
        if let Some(v) = item.get("versions") {
            c.error(
                v.line,
                "a library condition cannot name versions; the rule set that uses it decides",
            );
        }
        if let Some(u) = item.get("use") {
            c.error(u.line, "a library condition cannot `use` another");
        }
    }
    match id {
        Some(id) if c.errors.is_empty() => Ok(Library {
            id,
            file: path.to_owned(),
            conditions: checked
                .iter()
                .zip(items)
                .map(|(cond, node)| (cond.id.clone(), node.clone()))
                .collect(),
        }),
        _ => Err(LoadErrors(c.errors)),
    }
}

/// Loads a rule set from text. `tests` is an optional sibling tests file; `libraries`
/// are the condition libraries its `use:` entries may name.
pub fn load_str(
    path: &Path,
    source: &str,
    tests: Option<(&Path, &str)>,
    libraries: &[Library],
) -> Result<RuleSet, LoadErrors> {
    let mut c = Checker {
        file: path.to_owned(),
        errors: Vec::new(),
    };
    let root = match yaml::parse(source) {
        Ok(r) => r,
        Err(e) => {
            c.error(
                e.line,
                e.to_string()
                    .split_once(": ")
                    .map_or(e.message.clone(), |(_, m)| m.to_owned()),
            );
            return Err(LoadErrors(c.errors));
        }
    };
    if root.as_map().is_none() {
        c.error(root.line, "a rule file must be a mapping with id, title, law, versions, conditions and automation");
        return Err(LoadErrors(c.errors));
    }
    let rule_set = check_rule_set(&mut c, &root, tests, libraries);
    match rule_set {
        Some(rs) if c.errors.is_empty() => Ok(rs),
        _ => {
            c.errors
                .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            Err(LoadErrors(c.errors))
        }
    }
}

fn check_rule_set(
    c: &mut Checker,
    root: &Node,
    tests_file: Option<(&Path, &str)>,
    libraries: &[Library],
) -> Option<RuleSet> {
    c.known_keys(root, TOP_KEYS, "a rule set");
    let id = c.str(root, "id", "the rule set's id").map(str::to_owned);
    if let Some(id) = &id
        && !id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-')
    {
        c.error(
            root.get("id").map_or(root.line, |n| n.line),
            format!("the id `{id}` may hold only a-z, 0-9, `.` and `-`"),
        );
    }
    let title = c.text(root, "title", "the title");
    let law = c
        .str(root, "law", "the law the rule set encodes")
        .map(str::to_owned);
    let description = if root.get("description").is_some() {
        c.text(root, "description", "the description")
    } else {
        None
    };
    // `monitors:` makes the file a monitoring rule set: it watches granted permits and
    // decides nothing.
    let monitors = root
        .get("monitors")
        .map(|node| monitors::check_monitors(c, node));
    let kind = if monitors.is_some() {
        monitors::refuse_decision_keys(c, root);
        SetKind::Monitoring
    } else {
        check_decides(c, root);
        SetKind::Decision
    };
    let versions = check_versions(c, root);
    let parameters = check_parameters(c, root);
    let kinds: Vec<(String, ParamKind)> = parameters
        .iter()
        .map(|p| {
            let kind = match p.values.first() {
                Some((_, ParamValue::List(_))) => ParamKind::List,
                _ => ParamKind::Number,
            };
            (p.name.clone(), kind)
        })
        .collect();
    let definitions = check_definitions(c, root, &kinds);
    let scope = Scope::new(&kinds, &definitions);
    let conditions = check_conditions(c, root, &scope, &versions, libraries, kind);
    let (automation, grants, processing_time) = if kind == SetKind::Monitoring {
        (Some(Automation::ALWAYS_REFER), None, None)
    } else {
        let automation = check_automation(c, root);
        let grants = check_grants(c, root, &conditions, automation, &scope);
        (automation, grants, check_processing_time(c, root))
    };
    check_parameters_cover_versions(c, &versions, &parameters, &conditions);

    let mut tests = Vec::new();
    let of = TestsOf {
        conditions: &conditions,
        versions: &versions,
        monitoring: kind == SetKind::Monitoring,
    };
    check_tests(c, root, &of, &mut tests);
    if let Some((path, text)) = tests_file {
        check_tests_file(c, path, text, &of, &mut tests);
    }
    let (monitoring, permits_of_lines) = match monitors {
        None => (None, Vec::new()),
        Some(checked) => {
            let (m, lines) = checked?;
            (Some(m), lines)
        }
    };

    let segments = build_segments(&versions, &parameters);
    Some(RuleSet {
        id: id?,
        title: title?,
        law: law?,
        description,
        file: c.file.clone(),
        versions,
        parameters,
        conditions,
        automation: automation?,
        grants,
        processing_time,
        tests,
        monitoring,
        permits_of_lines,
        segments,
    })
}

/// What a rule set's test cases are checked against.
struct TestsOf<'a> {
    conditions: &'a [Condition],
    versions: &'a [Version],
    /// A monitoring set's tests expect alerts, a decision set's an outcome.
    monitoring: bool,
}

/// The tests in a rule set's sibling file (`TESTS_SUFFIX`); its errors name that file.
fn check_tests_file(
    c: &mut Checker,
    path: &Path,
    text: &str,
    of: &TestsOf,
    tests: &mut Vec<TestCase>,
) {
    let saved = std::mem::replace(&mut c.file, path.to_owned());
    match yaml::parse(text) {
        Ok(node) => {
            for (k, _) in node.as_map().unwrap_or_default() {
                if !matches!(k.as_str(), Some("tests" | "test_base")) {
                    c.error(k.line, "a tests file holds only `test_base` and `tests`");
                }
            }
            check_tests(c, &node, of, tests);
        }
        Err(e) => c.error(e.line, e.message),
    }
    c.file = saved;
}

fn check_decides(c: &mut Checker, root: &Node) {
    let Some(node) = root.get("decides") else {
        return;
    };
    match node.as_str() {
        Some("application") => {}
        Some("rectification_request") => c.error(
            node.line,
            "a request for rectification may never be decided automatically (Administrative Procedure Act 53 e §): \
             it always goes to a person",
        ),
        _ => c.error(node.line, "`decides` must be `application`"),
    }
}

fn check_versions(c: &mut Checker, root: &Node) -> Vec<Version> {
    let Some(node) = root.get("versions") else {
        c.error(
            root.line,
            "the rule set has no `versions`: add at least one with its in-force period",
        );
        return Vec::new();
    };
    let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
        c.error(node.line, "`versions` must be a non-empty list");
        return Vec::new();
    };
    let mut versions = Vec::new();
    for item in items {
        let Some(id) = c.str(item, "version", "the version's name") else {
            continue;
        };
        let Some(period) = item.get("in_force") else {
            c.error(
                item.line,
                format!("version {id} has no `in_force: {{from: …}}`"),
            );
            continue;
        };
        let from = match period.get("from") {
            Some(n) => c.date(n, "`from`"),
            None => {
                c.error(period.line, format!("version {id} has no `from` date"));
                None
            }
        };
        let to = period
            .get("to")
            .filter(|n| !n.is_null())
            .and_then(|n| c.date(n, "`to`"));
        let Some(from) = from else { continue };
        if let Some(to) = to
            && to < from
        {
            c.error(
                period.line,
                format!("version {id} ends ({to}) before it starts ({from})"),
            );
            continue;
        }
        if versions.iter().any(|v: &Version| v.id == id) {
            c.error(item.line, format!("version {id} is defined twice"));
        }
        versions.push(Version {
            id: id.to_owned(),
            from,
            to,
            approved_by: c.opt_str(item, "approved_by"),
            notes: c.opt_str(item, "notes"),
            line: item.line,
        });
    }
    let mut by_start: Vec<&Version> = versions.iter().collect();
    by_start.sort_by_key(|v| v.from);
    for pair in by_start.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.to.is_none_or(|to| to >= b.from) {
            let end = a.to.map_or("open-ended".to_owned(), |t| format!("to {t}"));
            c.error(
                b.line,
                format!(
                    "version {} (from {}) overlaps version {} ({end})",
                    b.id, b.from, a.id
                ),
            );
        }
    }
    versions
}

fn check_parameters(c: &mut Checker, root: &Node) -> Vec<Parameter> {
    let Some(node) = root.get("parameters") else {
        return Vec::new();
    };
    let Some(entries) = node.as_map() else {
        c.error(
            node.line,
            "`parameters` must be a mapping from names to {source, values}",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, p) in entries {
        let name = key.as_str().unwrap_or_default().to_owned();
        c.known_keys(
            p,
            &["title", "source", "unit", "note", "values"],
            "a parameter",
        );
        let title = c.text(p, "title", &format!("parameter `{name}`'s title"));
        let unit = match p.get("unit") {
            Some(_) => c.text(p, "unit", &format!("parameter `{name}`'s unit")),
            None => None,
        };
        let Some(source) = c.str(p, "source", &format!("parameter `{name}`'s source")) else {
            continue;
        };
        // A missing title is its own error; the parameter stays, so the conditions that
        // read it are not reported too (the file does not load either way).
        let title = title.unwrap_or_default();
        let Some(values_node) = p.get("values") else {
            c.error(p.line, format!("parameter `{name}` has no `values`"));
            continue;
        };
        let Some(values_map) = values_node.as_map().filter(|m| !m.is_empty()) else {
            c.error(
                values_node.line,
                format!("parameter `{name}`: `values` must map dates to values"),
            );
            continue;
        };
        let mut values = Vec::new();
        for (date_node, value_node) in values_map {
            let Some(date) = c.date(date_node, &format!("parameter `{name}`: a value's key"))
            else {
                continue;
            };
            let value = match &value_node.kind {
                Kind::Scalar { .. } => value_node.to_json().as_f64().map(ParamValue::Number),
                Kind::Seq(items) => {
                    let nums: Option<Vec<f64>> =
                        items.iter().map(|i| i.to_json().as_f64()).collect();
                    nums.filter(|n| !n.is_empty())
                        .map(|n| ParamValue::List(Arc::from(n)))
                }
                Kind::Map(_) => None,
            };
            match value {
                Some(v) => values.push((date, v)),
                None => c.error(value_node.line, format!("parameter `{name}`: the value for {date} must be a number or a list of numbers")),
            }
        }
        values.sort_by_key(|(d, _)| *d);
        if values.windows(2).any(|w| w[0].0 == w[1].0) {
            c.error(
                values_node.line,
                format!("parameter `{name}` has two values for the same date"),
            );
        }
        let kinds: BTreeSet<bool> = values
            .iter()
            .map(|(_, v)| matches!(v, ParamValue::List(_)))
            .collect();
        if kinds.len() > 1 {
            c.error(
                values_node.line,
                format!("parameter `{name}` mixes numbers and lists"),
            );
        }
        out.push(Parameter {
            name,
            title,
            source: source.to_owned(),
            unit,
            note: c.opt_str(p, "note"),
            values,
        });
    }
    out
}

fn check_conditions(
    c: &mut Checker,
    root: &Node,
    scope: &Scope,
    versions: &[Version],
    libraries: &[Library],
    kind: SetKind,
) -> Vec<Condition> {
    let Some(node) = root.get("conditions") else {
        c.error(root.line, "the rule set has no `conditions`");
        return Vec::new();
    };
    let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
        c.error(node.line, "`conditions` must be a non-empty list");
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for written in items {
        let item = match written.get("use") {
            None => written,
            Some(reference) => {
                // Beside `use:` only what the rule set adds to a library condition.
                c.known_keys(written, &["use", "changed_by"], "a `use:` entry");
                match resolve_use(libraries, reference) {
                    Ok(node) => node,
                    Err(message) => {
                        c.error(reference.line, message);
                        continue;
                    }
                }
            }
        };
        let what = item
            .get("id")
            .and_then(Node::as_str)
            .unwrap_or("a condition")
            .to_owned();
        let changed_by = monitors::check_changed_by(c, kind, written, &what);
        if let Some(mut condition) = check_condition(c, item, scope, versions, &mut seen) {
            condition.changed_by = changed_by;
            out.push(condition);
        }
    }
    out
}

/// One condition, written in the rule set or taken from a library; `seen` holds the ids
/// of those before it.
fn check_condition(
    c: &mut Checker,
    item: &Node,
    scope: &Scope,
    versions: &[Version],
    seen: &mut HashSet<String>,
) -> Option<Condition> {
    const KEYS: &[&str] = &[
        "id",
        "legal_basis",
        "text",
        "when",
        "unless",
        "unless_text",
        "explain",
        "versions",
        "law_text",
        "note",
        "changed_by",
    ];
    c.known_keys(item, KEYS, "a condition");
    let id = c.str(item, "id", "the condition's id").map(str::to_owned);
    if let Some(id) = &id
        && !seen.insert(id.clone())
    {
        c.error(item.line, format!("condition `{id}` is defined twice"));
    }
    let what = id.as_deref().unwrap_or("a condition");
    let legal_basis = match item.get("legal_basis").and_then(|n| n.as_str()) {
        Some(s) if !s.trim().is_empty() => Some(s.to_owned()),
        _ => {
            c.error(item.line, format!("condition `{what}` has no legal basis: every condition must cite the provision it encodes"));
            None
        }
    };
    let text = c.text(item, "text", &format!("condition `{what}`'s text"));
    let law_text = c.opt_str(item, "law_text");
    let when = expression(c, item, "when", scope, what, true);
    let unless = condition_exception(c, item, scope, what);
    let explain = c.template(item, "explain", scope);
    let in_versions = condition_versions(c, item, versions, what);
    let (
        Some(id),
        Some(legal_basis),
        Some(text),
        Some((when, when_source)),
        Some(unless),
        Some(explain),
        Some(versions),
    ) = (id, legal_basis, text, when, unless, explain, in_versions)
    else {
        return None;
    };
    let (fields, params) = condition_reads(&when, unless.as_ref(), &explain);
    Some(Condition {
        id,
        legal_basis,
        law_text,
        text,
        when,
        when_source,
        unless,
        explain,
        versions,
        fields,
        params,
        changed_by: Vec::new(),
        line: item.line,
    })
}

/// A condition's exception: `Some(None)` when it has none, `None` when it is wrong.
fn condition_exception(
    c: &mut Checker,
    item: &Node,
    scope: &Scope,
    what: &str,
) -> Option<Option<Exception>> {
    if item.get("unless").is_none() {
        return Some(None);
    }
    let cond = expression(c, item, "unless", scope, what, true);
    let text = match item.get("unless_text") {
        Some(_) => c.template(item, "unless_text", scope),
        None => {
            c.error(item.line, format!("condition `{what}` has an exception (`unless`) but no `unless_text` saying it in fi, sv and en"));
            None
        }
    };
    match (cond, text) {
        (Some((when, source)), Some(text)) => Some(Some(Exception { when, source, text })),
        _ => None,
    }
}

/// The versions a condition belongs to, by index: `Some(None)` for every version.
fn condition_versions(
    c: &mut Checker,
    item: &Node,
    versions: &[Version],
    what: &str,
) -> Option<Option<Vec<usize>>> {
    let Some(v) = item.get("versions") else {
        return Some(None);
    };
    let names: Vec<&Node> = v.as_seq().map(|s| s.iter().collect()).unwrap_or_default();
    if names.is_empty() {
        c.error(
            v.line,
            format!("condition `{what}`: `versions` must list version names"),
        );
    }
    let mut idx = Vec::new();
    for n in names {
        let name = n.as_str().unwrap_or_default();
        match versions.iter().position(|ver| ver.id == name) {
            Some(i) => idx.push(i),
            None => c.error(
                n.line,
                format!(
                    "condition `{what}` names version `{name}`, which the rule set does not define"
                ),
            ),
        }
    }
    Some(Some(idx))
}

/// The input fields and parameters a condition reads, in order of first use: its `when`,
/// then its exception, then what its explanations show.
fn condition_reads(
    when: &crate::expr::Compiled,
    unless: Option<&Exception>,
    explain: &[Template; 3],
) -> (Vec<usize>, Vec<usize>) {
    let mut fields = when.fields.clone();
    let mut params = when.params.clone();
    let mut add = |f: &[usize], p: &[usize]| {
        fields.extend(f.iter().filter(|x| !when.fields.contains(x)));
        params.extend(p.iter().filter(|x| !when.params.contains(x)));
    };
    if let Some(ex) = unless {
        add(&ex.when.fields, &ex.when.params);
    }
    for t in explain
        .iter()
        .chain(unless.iter().flat_map(|u| u.text.iter()))
    {
        for (f, p) in t.reads() {
            add(f, p);
        }
    }
    dedup_keep_order(&mut fields);
    dedup_keep_order(&mut params);
    (fields, params)
}

fn dedup_keep_order(v: &mut Vec<usize>) {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(*x));
}

fn expression(
    c: &mut Checker,
    item: &Node,
    key: &str,
    scope: &Scope,
    what: &str,
    must_be_bool: bool,
) -> Option<(crate::expr::Compiled, String)> {
    let Some(node) = item.get(key) else {
        c.error(
            item.line,
            format!("condition `{what}` has no `{key}` expression"),
        );
        return None;
    };
    let Some(source) = node.as_str() else {
        c.error(
            node.line,
            format!("condition `{what}`: `{key}` must be an expression text"),
        );
        return None;
    };
    if source.trim().is_empty() {
        c.error(
            node.line,
            format!("condition `{what}`: `{key}` is empty; in YAML an expression that starts with `!` must be quoted"),
        );
        return None;
    }
    // A block scalar (`|`) starts on the line after its indicator.
    let first_line = if source.contains('\n') {
        node.line + 1
    } else {
        node.line
    };
    match compile(source, scope) {
        Ok(compiled) if must_be_bool && compiled.ty != Ty::Bool => {
            c.error(
                node.line,
                format!(
                    "condition `{what}`: `{key}` must be true or false, but it gives a {:?} value",
                    compiled.ty
                )
                .to_lowercase(),
            );
            None
        }
        Ok(compiled) => Some((compiled, source.trim().to_owned())),
        Err(e) => {
            c.error(
                first_line + e.line,
                format!("condition `{what}`: {}", e.message),
            );
            None
        }
    }
}

/// `definitions`: names for expressions, so a condition can say `language_b1` instead of
/// repeating the test. Each may use the definitions above it.
fn check_definitions(
    c: &mut Checker,
    root: &Node,
    params: &[(String, ParamKind)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let Some(node) = root.get("definitions") else {
        return out;
    };
    let Some(entries) = node.as_map() else {
        c.error(node.line, "`definitions` must map names to expressions");
        return out;
    };
    for (key, value) in entries {
        let name = key.as_str().unwrap_or_default();
        if name.is_empty()
            || !name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            c.error(
                key.line,
                format!("the definition name `{name}` may hold only a-z, 0-9 and `_`"),
            );
            continue;
        }
        let Some(source) = value.as_str().filter(|s| !s.trim().is_empty()) else {
            c.error(
                value.line,
                format!("the definition `{name}` must be an expression text"),
            );
            continue;
        };
        let first_line = if source.contains('\n') {
            value.line + 1
        } else {
            value.line
        };
        match compile(source, &Scope::new(params, &out)) {
            Ok(_) => out.push((name.to_owned(), source.to_owned())),
            Err(e) => c.error(
                first_line + e.line,
                format!("definition `{name}`: {}", e.message),
            ),
        }
    }
    out
}

fn check_automation(c: &mut Checker, root: &Node) -> Option<Automation> {
    let Some(node) = root.get("automation") else {
        c.error(
            root.line,
            "the rule set has no `automation` policy (all_met, any_not_met, any_unknown)",
        );
        return None;
    };
    let mut get = |key: &str, allowed: &[Outcome]| -> Option<Outcome> {
        let Some(v) = node.get(key) else {
            c.error(node.line, format!("the automation policy has no `{key}`"));
            return None;
        };
        let text = v.as_str().unwrap_or_default();
        match Outcome::parse(text) {
            Some(o) if allowed.contains(&o) => Some(o),
            _ if matches!(text, "refuse" | "reject" | "deny") => {
                c.error(v.line, format!(
                    "`{key}: {text}` would let a machine refuse: a machine may only grant or ask for evidence; \
                     a refusal is a proposal for a person (`refer`)"
                ));
                None
            }
            // Only when every condition is met or exempt may a machine grant.
            Some(Outcome::Grant) => {
                let when = if key == "any_not_met" {
                    "a condition is not met"
                } else {
                    "a condition is not known to be met"
                };
                c.error(v.line, format!(
                    "`{key}: grant` would let a machine grant when {when}: a machine grants only when \
                     every condition is met or exempt"
                ));
                None
            }
            _ => {
                let names: Vec<&str> = allowed.iter().map(|o| o.code()).collect();
                c.error(
                    v.line,
                    format!("`{key}` must be one of {}, not `{text}`", names.join(", ")),
                );
                None
            }
        }
    };
    let all_met = get("all_met", &[Outcome::Grant, Outcome::Refer]);
    let any_not_met = get("any_not_met", &[Outcome::Refer]);
    let any_unknown = get("any_unknown", &[Outcome::RequestEvidence, Outcome::Refer]);
    for (k, _) in node.as_map().unwrap_or_default() {
        if !matches!(k.as_str(), Some("all_met" | "any_not_met" | "any_unknown")) {
            c.error(
                k.line,
                format!(
                    "`{}` is not part of an automation policy",
                    k.as_str().unwrap_or("?")
                ),
            );
        }
    }
    Some(Automation {
        all_met: all_met?,
        any_not_met: any_not_met?,
        any_unknown: any_unknown?,
    })
}

/// `processing_time`: `{ days: N }` or `{ months: N }` with the `source` that sets it.
fn check_processing_time(c: &mut Checker, root: &Node) -> Option<ProcessingTime> {
    let node = root.get("processing_time")?;
    c.known_keys(node, &["days", "months", "source"], "`processing_time`");
    let source = c.str(node, "source", "the source of the processing time");
    let number = |key: &str| {
        node.get(key).map(|n| {
            n.as_str()
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|n| *n > 0)
        })
    };
    let (days, months) = match (number("days"), number("months")) {
        (Some(Some(d)), None) => (Some(d), None),
        (None, Some(Some(m))) => (None, Some(m)),
        _ => {
            c.error(
                node.line,
                "`processing_time` needs exactly one of `days: N` or `months: N`, N a whole number above 0",
            );
            return None;
        }
    };
    Some(ProcessingTime {
        days,
        months,
        source: source?.to_owned(),
    })
}

/// `grants`: what an automatic grant creates. Required when the policy may grant, so that
/// no permit is ever created without its kind, validity and legal basis.
fn check_grants(
    c: &mut Checker,
    root: &Node,
    conditions: &[Condition],
    automation: Option<Automation>,
    scope: &Scope,
) -> Option<Grants> {
    let Some(node) = root.get("grants") else {
        if automation.is_some_and(|a| a.all_met == Outcome::Grant) {
            c.error(
                root.line,
                "the policy lets the machine grant, but the rule set does not say what a grant creates: \
                 add `grants:` with kind, title, validity and legal_basis",
            );
        }
        return None;
    };
    c.known_keys(
        node,
        &[
            "kind",
            "kind_when",
            "title",
            "validity",
            "not_after",
            "legal_basis",
            "monitored",
        ],
        "`grants`",
    );
    let kind = c.str(node, "kind", "the permit's kind (A, B, P, citizenship)");
    let kind_when = check_kind_when(c, node, scope);
    let not_after = check_not_after(c, node, scope);
    let title = c.text(node, "title", "the permit's title");
    let legal_basis = c.str(
        node,
        "legal_basis",
        "the provision that sets the permit's validity",
    );
    let validity_months = check_validity(c, node);
    let monitored = check_monitored(c, node, conditions);
    Some(Grants {
        kind: kind?.to_owned(),
        kind_when,
        not_after,
        title: title?,
        validity_months: validity_months?,
        legal_basis: legal_basis?.to_owned(),
        monitored,
    })
}

/// `grants.kind_when`: the cases, in order, that give another kind than `kind`.
fn check_kind_when(c: &mut Checker, node: &Node, scope: &Scope) -> Vec<crate::model::KindCase> {
    let mut kind_when = Vec::new();
    if let Some(list) = node.get("kind_when") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    c.known_keys(item, &["when", "kind"], "a case of `kind_when`");
                    let case_kind = c.str(item, "kind", "the kind this case gives");
                    let when = expression(c, item, "when", scope, "grants.kind_when", true);
                    if let (Some(k), Some((when, source))) = (case_kind, when) {
                        kind_when.push(crate::model::KindCase {
                            when,
                            source,
                            kind: k.to_owned(),
                        });
                    }
                }
            }
            None => c.error(
                list.line,
                "`kind_when` must be a list of `{ when: EXPR, kind: K }`",
            ),
        }
    }
    kind_when
}

/// `grants.not_after`: the date expressions a permit may not outlast.
fn check_not_after(c: &mut Checker, node: &Node, scope: &Scope) -> Vec<crate::model::DateLimit> {
    let mut not_after = Vec::new();
    if let Some(list) = node.get("not_after") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    let Some(source) = item.as_str().filter(|s| !s.trim().is_empty()) else {
                        c.error(item.line, "each `not_after` is a date expression");
                        continue;
                    };
                    match compile(source, scope) {
                        Ok(date) if date.ty == Ty::Date => {
                            not_after.push(crate::model::DateLimit {
                                date,
                                source: source.trim().to_owned(),
                            })
                        }
                        Ok(other) => c.error(
                            item.line,
                            format!(
                                "`not_after` needs a date, but `{}` gives a {:?} value",
                                source.trim(),
                                other.ty
                            )
                            .to_lowercase(),
                        ),
                        Err(e) => {
                            c.error(item.line + e.line, format!("`not_after`: {}", e.message))
                        }
                    }
                }
            }
            None => c.error(list.line, "`not_after` must be a list of date expressions"),
        }
    }
    not_after
}

/// `grants.validity` in months: `Some(None)` for `indefinite`, `None` when it is wrong.
fn check_validity(c: &mut Checker, node: &Node) -> Option<Option<u32>> {
    match node.get("validity") {
        None => {
            c.error(
                node.line,
                "`validity` is missing: give `{ months: N }`, `{ years: N }` or `indefinite`",
            );
            None
        }
        Some(v) if v.as_str() == Some("indefinite") => Some(None),
        Some(v) => {
            c.known_keys(v, &["months", "years"], "`validity`");
            let number = |key: &str, per: u32| {
                v.get(key).map(|n| {
                    n.as_str()
                        .and_then(|s| s.parse::<u32>().ok())
                        .map(|x| x * per)
                })
            };
            match (number("months", 1), number("years", 12)) {
                (Some(Some(m)), None) | (None, Some(Some(m))) if m > 0 => Some(Some(m)),
                _ => {
                    c.error(
                        v.line,
                        "`validity` must be `indefinite`, `{ months: N }` or `{ years: N }` with N a whole number above 0",
                    );
                    None
                }
            }
        }
    }
}

/// `grants.monitored`: the conditions re-checked while the permit is valid.
fn check_monitored(c: &mut Checker, node: &Node, conditions: &[Condition]) -> Vec<String> {
    let mut monitored = Vec::new();
    if let Some(list) = node.get("monitored") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    match item.as_str() {
                        Some(id) if conditions.iter().any(|cond| cond.id == id) => {
                            monitored.push(id.to_owned())
                        }
                        _ => c.error(
                            item.line,
                            format!(
                                "`{}` is not a condition of this rule set",
                                item.as_str().unwrap_or("?")
                            ),
                        ),
                    }
                }
            }
            None => c.error(list.line, "`monitored` must be a list of condition ids"),
        }
    }
    monitored
}

/// Every parameter a version's conditions read must have a value on the day the version starts.
fn check_parameters_cover_versions(
    c: &mut Checker,
    versions: &[Version],
    params: &[Parameter],
    conditions: &[Condition],
) {
    for (vi, v) in versions.iter().enumerate() {
        let used: BTreeSet<usize> = conditions
            .iter()
            .filter(|cond| cond.in_version(vi))
            .flat_map(|cond| cond.params.iter().copied())
            .collect();
        for p in used {
            let param = &params[p];
            if param.value_at(v.from).is_none() {
                c.error(
                    v.line,
                    format!(
                        "parameter `{}` has no value on {}, when version {} starts",
                        param.name, v.from, v.id
                    ),
                );
            }
        }
    }
}

fn check_tests(c: &mut Checker, root: &Node, of: &TestsOf, out: &mut Vec<TestCase>) {
    let base = root.get("test_base").map(Node::to_json);
    let Some(node) = root.get("tests") else {
        return;
    };
    let Some(items) = node.as_seq() else {
        c.error(node.line, "`tests` must be a list of test cases");
        return;
    };
    for item in items {
        if let Some(test) = check_test(c, item, base.as_ref(), of) {
            out.push(test);
        }
    }
}

/// One test case; its input is `test_base` changed by its `input`.
fn check_test(
    c: &mut Checker,
    item: &Node,
    base: Option<&serde_json::Value>,
    of: &TestsOf,
) -> Option<TestCase> {
    let name = c.str(item, "name", "the test's name").map(str::to_owned)?;
    let at = match item.get("at") {
        Some(n) => c.date(n, &format!("test `{name}`: `at`")),
        None => {
            c.error(
                item.line,
                format!("test `{name}` has no evaluation date `at`"),
            );
            None
        }
    };
    let input = test_input(c, item, base, &name);
    let Some(expect) = item.get("expect") else {
        c.error(item.line, format!("test `{name}` has no `expect`"));
        return None;
    };
    let result = if of.monitoring {
        expected_alerts(c, expect, of.conditions, &name)
    } else {
        expected_outcome(c, expect, &name).map(Expected::Outcome)
    };
    let version = expect
        .get("version")
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    if let Some(v) = &version
        && !of.versions.iter().any(|x| &x.id == v)
    {
        c.error(
            expect.line,
            format!("test `{name}` expects version `{v}`, which the rule set does not define"),
        );
    }
    let expected = expected_conditions(c, expect, of.conditions, &name);
    let permit = expected_permit(c, expect, &name);
    let (Some(at), Some(input), Some(result)) = (at, input, result) else {
        return None;
    };
    Some(TestCase {
        name,
        at,
        input,
        expect: Expectation {
            result,
            version,
            conditions: expected,
            permit,
        },
        file: c.file.clone(),
        line: item.line,
    })
}

/// A test's application: `test_base` with the test's `input` merged in (RFC 7396).
fn test_input(
    c: &mut Checker,
    item: &Node,
    base: Option<&serde_json::Value>,
    name: &str,
) -> Option<Application> {
    let mut input = base.cloned().unwrap_or_else(|| serde_json::json!({}));
    if let Some(patch) = item.get("input") {
        merge_patch(&mut input, &patch.to_json());
    }
    match Application::from_json(&input) {
        Ok(app) => Some(app),
        Err(e) => {
            c.error(
                item.get("input").map_or(item.line, |n| n.line),
                format!("test `{name}`: the input is not a valid application: {e}"),
            );
            None
        }
    }
}

fn expected_outcome(c: &mut Checker, expect: &Node, name: &str) -> Option<Outcome> {
    if let Some(alerts) = expect.get("alerts") {
        c.error(
            alerts.line,
            format!(
                "test `{name}`: `alerts` belong to the tests of a monitoring rule set; \
                 a decision rule set's test expects an `outcome`"
            ),
        );
    }
    match expect.get("outcome").and_then(|n| n.as_str()) {
        Some(o) => {
            match Outcome::parse(o) {
                Some(o) => Some(o),
                None => {
                    c.error(expect.line, format!("test `{name}`: `{o}` is not an outcome (grant, refer, request_evidence)"));
                    None
                }
            }
        }
        None => {
            c.error(expect.line, format!("test `{name}` expects no `outcome`"));
            None
        }
    }
}

/// A monitoring test's `expect.alerts`: the exact set of conditions found not met (`[]`:
/// no alert), each a condition of the rule set and none twice. A monitoring set decides
/// nothing, so an `outcome` or a `permit` is an error.
fn expected_alerts(
    c: &mut Checker,
    expect: &Node,
    conditions: &[Condition],
    name: &str,
) -> Option<Expected> {
    for key in ["outcome", "permit"] {
        if let Some(node) = expect.get(key) {
            c.error(
                node.line,
                format!(
                    "test `{name}`: a monitoring rule set decides nothing, so its tests expect \
                     `alerts: [condition ids]`, not `{key}`"
                ),
            );
        }
    }
    let Some(node) = expect.get("alerts") else {
        c.error(
            expect.line,
            format!(
                "test `{name}` expects no `alerts`: list the conditions found not met (`[]` for none)"
            ),
        );
        return None;
    };
    let Some(items) = node.as_seq() else {
        c.error(
            node.line,
            format!("test `{name}`: `alerts` must be a list of condition ids (`[]` for none)"),
        );
        return None;
    };
    let mut alerts: Vec<String> = Vec::new();
    let mut complete = true;
    for item in items {
        let id = item.as_str().unwrap_or_default();
        if !conditions.iter().any(|cond| cond.id == id) {
            c.error(
                item.line,
                format!(
                    "test `{name}` expects an alert of `{id}`, which the rule set does not have"
                ),
            );
            complete = false;
        } else if alerts.iter().any(|a| a == id) {
            c.error(
                item.line,
                format!("test `{name}` names the alert `{id}` twice"),
            );
            complete = false;
        } else {
            alerts.push(id.to_owned());
        }
    }
    alerts.sort();
    complete.then_some(Expected::Alerts(alerts))
}

/// `expect.conditions`: each condition's expected status, by id.
fn expected_conditions(
    c: &mut Checker,
    expect: &Node,
    conditions: &[Condition],
    name: &str,
) -> Vec<(String, Status)> {
    let mut expected = Vec::new();
    if let Some(conds) = expect.get("conditions") {
        for (k, v) in conds.as_map().unwrap_or_default() {
            let id = k.as_str().unwrap_or_default();
            if !conditions.iter().any(|cond| cond.id == id) {
                c.error(
                    k.line,
                    format!(
                        "test `{name}` expects condition `{id}`, which the rule set does not have"
                    ),
                );
                continue;
            }
            match v.as_str().and_then(Status::parse) {
                Some(s) => expected.push((id.to_owned(), s)),
                None => c.error(
                    v.line,
                    format!(
                        "test `{name}`: a condition's status is met, not_met, unknown or exempt"
                    ),
                ),
            }
        }
    }
    expected
}

/// What a grant creates, when granted on `at`: `{ kind: K, valid_until: DATE |
/// indefinite }`.
fn expected_permit(
    c: &mut Checker,
    expect: &Node,
    name: &str,
) -> Option<crate::model::ExpectedPermit> {
    let p = expect.get("permit")?;
    c.known_keys(p, &["kind", "valid_until"], "`expect.permit`");
    let kind = p.get("kind").and_then(|k| k.as_str()).map(str::to_owned);
    let until = match p.get("valid_until").and_then(|v| v.as_str()) {
        None => None,
        Some("indefinite") => Some(None),
        Some(d) => match crate::schema::parse_date(d) {
            Some(d) => Some(Some(d)),
            None => {
                c.error(
                    p.line,
                    format!("test `{name}`: `{d}` is not a date YYYY-MM-DD or `indefinite`"),
                );
                None
            }
        },
    };
    Some(crate::model::ExpectedPermit {
        kind,
        valid_until: until,
    })
}

fn resolve_use<'l>(libraries: &'l [Library], reference: &Node) -> Result<&'l Node, String> {
    let text = reference.as_str().unwrap_or_default();
    let Some((library, condition)) = text.split_once('#') else {
        return Err(format!("`use: {text}` must name LIBRARY#CONDITION"));
    };
    let Some(lib) = libraries.iter().find(|l| l.id == library) else {
        let known: Vec<&str> = libraries.iter().map(|l| l.id.as_str()).collect();
        return Err(format!(
            "there is no condition library `{library}` (known: {})",
            known.join(", ")
        ));
    };
    lib.conditions
        .iter()
        .find(|(id, _)| id == condition)
        .map(|(_, node)| node)
        .ok_or_else(|| {
            format!(
                "library `{library}` ({}) has no condition `{condition}`",
                lib.file.display()
            )
        })
}

/// JSON Merge Patch (RFC 7396): a test's input is written as changes to `test_base`;
/// `null` removes a field, which makes it unknown.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Precomputes the parameter values in force between each pair of dates on which
/// something changes, so that evaluation finds them with one binary search.
fn build_segments(versions: &[Version], params: &[Parameter]) -> Vec<Segment> {
    let mut starts: BTreeSet<Date> = versions.iter().map(|v| v.from).collect();
    for p in params {
        starts.extend(p.values.iter().map(|(d, _)| *d));
    }
    starts
        .into_iter()
        .map(|from| Segment {
            from,
            params: params
                .iter()
                .map(|p| {
                    p.value_at(from)
                        .map_or(ParamRef::Missing, |(_, v)| v.as_ref())
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
