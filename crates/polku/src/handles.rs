//! The binary's handles on the parts that share the cases' database: each part is a crate
//! with a handle of its own over the same `Db` (ADR 0010).

use polku_access::Access;
use polku_audit::AuditChain;
use polku_cases::Cases;
use polku_figures::Figures;

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
