//! The binary's handles on the parts that share the cases' database: each part is a crate
//! with a handle of its own over the same `Db` (ADR 0010).

use polku_access::Access;
use polku_audit::AuditChain;
use polku_cases::Cases;
use polku_figures::Figures;

use anyhow::Context;

/// Users, roles, tokens and passwords in `cases`' database.
pub fn access(cases: &Cases) -> Access {
    Access::new(cases.db().clone())
}

/// The audit chain in `cases`' database.
pub fn audit(cases: &Cases) -> AuditChain {
    AuditChain::new(cases.db().clone())
}

/// The key figures over `cases`' database (read-only).
pub fn figures(cases: &Cases) -> Figures {
    Figures::new(cases.db().clone())
}

/// The model the identity register scores with, built in: trained by `polku identity
/// train` on the synthetic population's identity records (the file says on which).
pub const EMBEDDED_IDENTITY_MODEL: &str = include_str!("../../../identity/model.json");

/// The identity register over `store`, scoring with the embedded model.
pub fn persons(store: &polku_cases::Cases) -> anyhow::Result<polku_persons::Persons> {
    let trained = polku_identity::TrainedModel::for_identity_records(EMBEDDED_IDENTITY_MODEL)
        .context("the embedded identity model")?;
    Ok(polku_persons::Persons::new(
        store.clone(),
        trained.model,
        polku_identity::links::LinkPolicy::default(),
    )?)
}

/// The runtime a command's async work runs on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
