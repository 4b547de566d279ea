//! Flags where a handler meets them (issue 15): on a case, the flags in force on its
//! person — kind, authority, contact point, last day — and nothing of what lies behind
//! them. Each read is in the disclosure log.

use polku_exchange::{Authority, Exchange, ExchangeError, FlagKind};
use polku_persons::{PersonId, Persons};

use crate::WebState;
use crate::i18n::Tr;

/// The purpose a handler's read of a case's flags records.
pub(crate) const CASE_FLAGS_PURPOSE: &str = "a person's flags read (hit / no hit)";

fn kind_label(tr: Tr, k: FlagKind) -> String {
    tr.t(&format!("flag-kind-{}", k.code()))
}

fn authority_label(tr: Tr, a: Authority) -> String {
    tr.t(&format!("authority-{}", a.code()))
}

/// Why a case's flags could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FlagsError {
    #[error(transparent)]
    Persons(#[from] polku_persons::PersonsError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
}

/// The flags in force on `person` (under every id they have had), one line each, in the
/// reader's language.
pub(crate) async fn flag_lines(
    state: &WebState,
    persons: &Persons,
    person: PersonId,
    reader: uuid::Uuid,
    tr: Tr,
) -> Result<Vec<String>, FlagsError> {
    let ids = persons.ids_of(person).await?;
    let exchange = Exchange::new(state.store.clone());
    let hits = exchange
        .hits(
            &ids,
            &polku_audit::Actor::User(reader),
            Some(Authority::ImmigrationService.code()),
            CASE_FLAGS_PURPOSE,
        )
        .await?;
    let mut lines = Vec::with_capacity(hits.len());
    for h in hits {
        let point = exchange.contact_point(&h.contact_point).await?;
        let (contact, email) = match &point {
            Some(p) => (p.name(tr.lang.code()).to_owned(), p.email.clone()),
            None => (h.contact_point.clone(), String::new()),
        };
        lines.push(tr.t_with(
            "flags-line",
            &[
                ("kind", &kind_label(tr, h.kind)),
                ("authority", &authority_label(tr, h.organisation)),
                ("contact", &contact),
                ("email", &email),
                ("until", &crate::plain::date(h.expires_on, tr.lang)),
            ],
        ));
    }
    Ok(lines)
}
