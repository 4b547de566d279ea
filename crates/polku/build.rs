//! Embeds the repository's `rules/` so that `polku` runs on its built-in rule sets
//! anywhere; `--rules DIR` reads another directory instead.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn main() {
    // As crates/polku-store/pg_tests_build.rs: the PostgreSQL process tests are ignored unless
    // POLKU_TEST_DATABASE_URL is set when they are built.
    println!("cargo::rustc-check-cfg=cfg(polku_pg_tests)");
    println!("cargo::rerun-if-env-changed=POLKU_TEST_DATABASE_URL");
    if std::env::var_os("POLKU_TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=polku_pg_tests");
    }
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("../../rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The rule files built into this binary: (path under rules/, text).\npub const EMBEDDED_RULES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&rules).expect("collected under rules/");
        writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            format!("rules/{}", rel.display()),
            f.canonicalize().expect("file exists").display()
        )
        .expect("write to String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_rules.rs");
    std::fs::write(out, code).expect("write embedded_rules.rs");
}
