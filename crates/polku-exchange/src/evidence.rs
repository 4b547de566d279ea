//! Flags in the pipeline: the evidence gathered, then the flags in force on the person the
//! identity register resolved the applicant to. A flag makes `evidence.security.open_flag`
//! true, so every shipped rule set's security condition is not met and the case goes to
//! a person (who sees the flag's kind and contact point on the case).
//!
//! A flag raised while the case is being decided is never missed: inside the transaction
//! that records the decision, after the decision's line in the audit chain (which holds
//! the chain's head, as raising a flag must too), the flags are read again
//! ([`EvidenceSource::still_holds`]); one the gathering did not see sends the case back to
//! gathering. So the decision either saw the flag, or its line precedes the flag's in the
//! audit chain's order.

use polku_audit::Actor;
use polku_cases::{Case, CasePurpose, EvidenceError, EvidenceSource, Gathered, Tx};
use serde_json::json;

use crate::Exchange;
use crate::flags::in_force_in;

/// The purpose the pipeline's reads of flags record.
pub const PIPELINE_PURPOSE: &str = "flags read for an automatic decision";

/// An evidence source with the flags laid over it. Put it outside the identity register's
/// (`IdentityEvidence`): it reads the person ids that one resolves.
pub struct FlagEvidence<E> {
    inner: E,
    exchange: Exchange,
}

impl<E> FlagEvidence<E> {
    pub fn new(inner: E, exchange: Exchange) -> FlagEvidence<E> {
        FlagEvidence { inner, exchange }
    }
}

fn unavailable(e: crate::ExchangeError) -> EvidenceError {
    EvidenceError::Unavailable(format!("the flags: {e}"))
}

/// Whether the gathered evidence already says a flag is open.
fn saw_flag(gathered: &Gathered) -> bool {
    gathered.application["evidence"]["security"]["open_flag"] == json!(true)
}

impl<E: EvidenceSource> EvidenceSource for FlagEvidence<E> {
    async fn gather(&self, case: &Case) -> Result<Gathered, EvidenceError> {
        let mut gathered = self.inner.gather(case).await?;
        if gathered.person_ids.is_empty() || case.purpose == CasePurpose::Preview {
            // No person resolved: no flag can be found. A preview decides nothing, and must
            // never tell an applicant that a flag exists: it reads none.
            return Ok(gathered);
        }
        let hits = self
            .exchange
            .hits(
                &gathered.person_ids,
                &Actor::Machine,
                None,
                PIPELINE_PURPOSE,
            )
            .await
            .map_err(unavailable)?;
        if !hits.is_empty()
            && let Some(application) = gathered.application.as_object_mut()
        {
            let evidence = application.entry("evidence").or_insert_with(|| json!({}));
            if !evidence.is_object() {
                *evidence = json!({});
            }
            let security = &mut evidence["security"];
            if !security.is_object() {
                *security = json!({});
            }
            if let Some(security) = security.as_object_mut() {
                security.insert("open_flag".into(), true.into());
                security.insert("source".into(), "flags".into());
                security.insert(
                    "fetched_at".into(),
                    jiff::Timestamp::now().to_string().into(),
                );
            }
        }
        Ok(gathered)
    }

    async fn still_holds(
        &self,
        tx: &mut Tx,
        case: &Case,
        gathered: &Gathered,
    ) -> Result<bool, EvidenceError> {
        if !self.inner.still_holds(tx, case, gathered).await? {
            return Ok(false);
        }
        if saw_flag(gathered) || gathered.person_ids.is_empty() {
            return Ok(true);
        }
        let now = in_force_in(
            &mut *tx,
            &gathered.person_ids,
            polku_cases::today_in_finland(),
        )
        .await
        .map_err(unavailable)?;
        Ok(now.is_empty())
    }
}
