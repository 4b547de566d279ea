//! What the tests share: the bundled rules, the walk-through's application and variations
//! of it, a pipeline that decides on the evidence the application carries, and the
//! applicant who files.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use polku_cases::{Actor, Cases, NewApplication, Pipeline, SuppliedEvidence};
use polku_rules::RuleBook;
use serde_json::Value;

/// The matter the tests file: an employed person's extended residence permit.
pub(crate) const EXTENSION: &str = "fi.residence-permit.employed.extension";

/// A path relative to the repository's root (`rules`, `examples/…`).
pub(crate) fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// The rules the repository ships (`rules/`), loaded once for all the tests.
pub(crate) fn rules() -> Arc<RuleBook> {
    static BOOK: OnceLock<Arc<RuleBook>> = OnceLock::new();
    BOOK.get_or_init(|| {
        Arc::new(RuleBook::load_dir(&repo_path("rules")).expect("the bundled rules load"))
    })
    .clone()
}

/// The walk-through's application (`examples/employed-extension.json`): with the
/// evidence it carries, the rules grant it.
pub(crate) fn example() -> Value {
    let text = std::fs::read_to_string(repo_path("examples/employed-extension.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The walk-through's application with `patch` merged in (a JSON merge patch), filed by
/// [`applicant`] on 1 May 2025 with a deadline of 1 September 2025.
pub(crate) fn application(patch: Value) -> NewApplication {
    let mut app = example();
    polku_rules::merge_patch(&mut app, &patch);
    NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: "applicant-1".to_owned(),
        application_date: jiff::civil::date(2025, 5, 1),
        application: app,
        deadline: Some(jiff::civil::date(2025, 9, 1)),
    }
}

/// A pipeline named `worker` that decides on the evidence each application carries.
pub(crate) fn pipeline(store: &Cases, worker: &str) -> Pipeline<SuppliedEvidence> {
    Pipeline::new(store.clone(), rules(), SuppliedEvidence, worker)
}

/// The applicant who files [`application`]s.
pub(crate) fn applicant() -> Actor {
    Actor("applicant-1".to_owned())
}
