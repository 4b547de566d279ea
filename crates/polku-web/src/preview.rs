//! The eligibility preview: before sending, an applicant may ask to see what the registers
//! hold about them now and how each condition looks on it — met, not met or unknown — in
//! their language, without what the law withholds from them (a security authority's flag or
//! objection, a pending investigation: such a condition says only that a person assesses
//! it). Nothing is filed or decided; every register's disclosure is logged with the
//! preview's purpose, and the reading is in the use log.

use std::future::Future;
use std::pin::Pin;

use polku_audit::{Actor, AuditEntry, AuditLog};
use polku_cases::{Case, CasePurpose, CaseState, EvidenceError, EvidenceSource, Gathered};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::WebState;
use crate::i18n::Tr;
use crate::pages::ConditionRow;
use crate::visitor::Session;

/// Where a preview's evidence comes from: the registers the pipeline asks (the binary hands
/// in the same source). Object-safe, so the pages can hold any.
pub trait RegisterPreview: Send + Sync {
    fn gather<'a>(
        &'a self,
        case: &'a Case,
    ) -> Pin<Box<dyn Future<Output = Result<Gathered, EvidenceError>> + Send + 'a>>;
}

impl<E: EvidenceSource> RegisterPreview for E {
    fn gather<'a>(
        &'a self,
        case: &'a Case,
    ) -> Pin<Box<dyn Future<Output = Result<Gathered, EvidenceError>> + Send + 'a>> {
        Box::pin(EvidenceSource::gather(self, case))
    }
}

/// A preview as the review page shows it.
pub(crate) struct PreviewView {
    /// What it amounts to, in a sentence.
    pub(crate) summary: String,
    pub(crate) rows: Vec<ConditionRow>,
    /// Registers that did not answer, in words.
    pub(crate) silent: Vec<String>,
}

/// Asks the registers about `person` for `matter` with the `application`'s answers, and
/// evaluates the rules in force today; `None` when this server offers no preview.
pub(crate) async fn run(
    state: &WebState,
    tr: Tr,
    session: &Session,
    person: &str,
    matter: &str,
    application: &Value,
) -> Result<Option<PreviewView>, String> {
    let Some(source) = state.preview.clone() else {
        return Ok(None);
    };
    let today = polku_cases::today_in_finland();
    let now = polku_store::now_micros();
    let case = Case {
        id: Uuid::now_v7(),
        matter: matter.to_owned(),
        purpose: CasePurpose::Preview,
        applicant_id: person.to_owned(),
        person_id: None,
        state: CaseState::Received,
        application_date: today,
        application: application.clone(),
        created_at: now,
        updated_at: now,
    };
    state
        .audit()
        .append(&AuditEntry {
            log: AuditLog::Access,
            actor: Actor::User(session.principal.user_id),
            organisation: session.principal.organisation.clone(),
            person: Some(person.to_owned()),
            purpose: polku_registers_purpose().to_owned(),
            legal_basis: None,
            detail: json!({"read": "eligibility preview", "matter": matter, "preview": case.id}),
            x_road: Default::default(),
        })
        .await
        .map_err(|e| e.to_string())?;
    let gathered = source.gather(&case).await.map_err(|e| e.to_string())?;
    let found = polku_cases::preview(&state.rules, matter, gathered, today)
        .await
        .map_err(|e| e.to_string())?;
    let trace = found
        .trace
        .as_ref()
        .and_then(|t| t.in_lang(tr.lang))
        .map(|t| t.for_applicant());
    let rows = trace
        .as_ref()
        .map(|t| crate::pages::condition_rows(tr, t))
        .unwrap_or_default();
    let silent: Vec<String> = found
        .unanswered
        .iter()
        .map(|r| crate::reasons::register_name(tr, r))
        .collect();
    // Said from the conditions shown alone: the outcome would tell what a withheld
    // condition found (a flag turns it into a referral), so it is never read here.
    let summary = tr.t(if !silent.is_empty() {
        "preview-silent"
    } else if rows.iter().any(|r| r.status == "not_met") {
        "preview-not-met"
    } else if rows.iter().any(|r| r.status == "unknown") {
        "preview-unknown"
    } else {
        "preview-looks-met"
    });
    Ok(Some(PreviewView {
        summary,
        rows,
        silent,
    }))
}

/// The use log's purpose for a preview (the same words as the registers' disclosures).
fn polku_registers_purpose() -> &'static str {
    "eligibility preview at the person's own request (e-service)"
}
