//! What the tests share: the bundled rules, the walk-through's application and variations
//! of it, a pipeline that decides on the evidence the application carries, and the
//! applicant who files.

use std::sync::Arc;

use polku_cases::{Actor, Cases, NewApplication, Pipeline, SuppliedEvidence};
use polku_rules::RuleBook;
use serde_json::Value;

pub(crate) use polku_cases::testing::{EXTENSION, repo_path};

/// The rules the repository ships (`rules/`).
pub(crate) fn rules() -> Arc<RuleBook> {
    polku_cases::testing::bundled_rules()
}

/// The walk-through's application: with the evidence it carries, the rules grant it.
pub(crate) fn example() -> Value {
    polku_cases::testing::walkthrough_application()
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
    Actor::Person("applicant-1".to_owned())
}

/// The audit chain in the test's database.
pub(crate) fn audit(store: &Cases) -> polku_audit::AuditChain {
    polku_audit::AuditChain::new(store.db().clone())
}
