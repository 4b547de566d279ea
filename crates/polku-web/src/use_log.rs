//! The use log (käyttöloki) of the monitoring pages: every read of a permit holder's data
//! there — the alerts listed, an alert, the holder's answers — with its purpose and the
//! legal basis for processing.

use polku_audit::{Actor, AuditEntry, AuditLog};

use crate::WebState;
use crate::visitor::Session;

/// A read of permit holders' data on a monitoring page, in the use log.
pub(crate) async fn holders_read(
    state: &WebState,
    session: &Session,
    person: Option<&str>,
    purpose: &str,
    detail: serde_json::Value,
) -> Result<(), polku_cases::StoreError> {
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: Actor::User(session.principal.user_id),
            organisation: session.principal.organisation.clone(),
            person: person.map(str::to_owned),
            purpose: purpose.to_owned(),
            legal_basis: Some(polku_monitoring::PROCESSING_BASIS.to_owned()),
            detail,
            x_road: Default::default(),
        })
        .await
        .map(|_| ())
}
