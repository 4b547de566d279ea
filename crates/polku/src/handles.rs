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

/// The identity register over `store`, scoring with the shipped model.
pub fn persons(store: &polku_cases::Cases) -> anyhow::Result<polku_persons::Persons> {
    polku_persons::Persons::shipped(store.clone()).context("the identity register's model")
}

/// The runtime a command's async work runs on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
