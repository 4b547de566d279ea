//! The identity register in the pipeline: the registers' evidence, then the applicant's
//! identity record registered and their standing read. An open yellow link or a red one
//! makes `evidence.identity.unresolved_conflict` true (a red one also makes `established`
//! false), so "identity established" is not met and the case goes to a person: never met
//! while a person has still to look, or has found a multiple identity.

use polku_audit::Actor;
use polku_cases::{Case, CasePurpose, EvidenceError, EvidenceSource, Gathered, SubjectIdentity};
use polku_identity::{IdentityRecord, RawRecord};
use serde_json::json;

use crate::register::{Acting, NewRecord};
use crate::{Persons, PersonsError};

/// The purpose the pipeline's registrations record.
pub const PIPELINE_PURPOSE: &str = "identity resolution of an applicant's record";

/// The source identity records of applicants carry.
pub const APPLICANT_SOURCE: &str = "permit-application";

/// An evidence source with the identity register's answer laid over it.
pub struct IdentityEvidence<E> {
    inner: E,
    persons: Persons,
}

impl<E> IdentityEvidence<E> {
    pub fn new(inner: E, persons: Persons) -> IdentityEvidence<E> {
        IdentityEvidence { inner, persons }
    }
}

/// The identity record the registers' data about `case`'s applicant make: one per
/// applicant (`permit-application` its source, the applicant's id its subject), the first
/// the registers gave; a later change of name stays with the register.
pub fn subject_record(case: &Case, s: &SubjectIdentity) -> Result<IdentityRecord, PersonsError> {
    let id: String = format!("{APPLICANT_SOURCE}-{}", case.applicant_id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    RawRecord {
        record_id: id,
        source: APPLICANT_SOURCE.to_owned(),
        given_names: s.given_names.clone(),
        family_name: s.family_name.clone(),
        name_native: s.name_native.clone().unwrap_or_default(),
        date_of_birth: s.date_of_birth.clone(),
        nationality: s.nationality.clone(),
        ..RawRecord::default()
    }
    .checked()
    .map_err(|(field, problem)| PersonsError::BadSubject(format!("{field} {problem}")))
}

fn unavailable(e: PersonsError) -> EvidenceError {
    EvidenceError::Unavailable(format!("the identity register: {e}"))
}

impl<E: EvidenceSource> EvidenceSource for IdentityEvidence<E> {
    async fn gather(&self, case: &Case) -> Result<Gathered, EvidenceError> {
        let mut gathered = self.inner.gather(case).await?;
        // A preview stores nothing: its applicant's record is registered when they file.
        if case.purpose != CasePurpose::Preview
            && let Some(subject) = &gathered.subject
        {
            match subject_record(case, subject) {
                Ok(record) => {
                    let new = NewRecord {
                        record,
                        subject: Some(case.applicant_id.clone()),
                    };
                    let acting = Acting {
                        actor: Actor::Machine,
                        purpose: PIPELINE_PURPOSE.to_owned(),
                    };
                    match self.persons.register(&new, &acting).await {
                        Ok(_) => {}
                        // The register's data changed since: the earlier record stands.
                        Err(PersonsError::RecordIdTaken(_)) => {}
                        Err(e) => return Err(unavailable(e)),
                    }
                }
                // The register's data do not make a record (no name): nothing to compare.
                Err(e) => tracing::warn!(case = %case.id, error = %e, "no identity record"),
            }
        }
        let standing = self
            .persons
            .standing_of_subject(&case.applicant_id)
            .await
            .map_err(unavailable)?;
        // The case is this person's from now on, under every id they have had.
        gathered.person_ids = match &standing {
            Some(s) => self.persons.ids_of(s.person).await.map_err(unavailable)?,
            None => Vec::new(),
        };
        if let Some(standing) = standing.filter(|s| s.conflict())
            && let Some(application) = gathered.application.as_object_mut()
        {
            let evidence = application.entry("evidence").or_insert_with(|| json!({}));
            if !evidence.is_object() {
                *evidence = json!({});
            }
            let identity = &mut evidence["identity"];
            if !identity.is_object() {
                // The registers were silent about it: the register's answer is all there is.
                *identity = json!({});
            }
            if let Some(identity) = identity.as_object_mut() {
                identity.insert("unresolved_conflict".into(), true.into());
                if standing.red > 0 {
                    identity.insert("established".into(), false.into());
                }
                identity.insert("source".into(), "identity".into());
                identity.insert("request_id".into(), standing.person.to_string().into());
                identity.insert(
                    "fetched_at".into(),
                    jiff::Timestamp::now().to_string().into(),
                );
            }
        }
        Ok(gathered)
    }

    fn still_holds(
        &self,
        tx: &mut polku_cases::Tx,
        case: &Case,
        gathered: &Gathered,
    ) -> impl Future<Output = Result<bool, EvidenceError>> + Send {
        self.inner.still_holds(tx, case, gathered)
    }
}
