//! Who and what is named, and who reads: the accounts a page names (officials and other
//! systems, each looked up once), a matter by its title, and whether a decision is read by
//! its applicant or by an official.

use uuid::Uuid;

use crate::WebState;
use crate::i18n::Tr;

/// Who reads a decision: the applicant sees no finding the law withholds from them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    Applicant,
    Official,
}

/// The accounts among `actors`, each looked up once: officials and other systems.
pub(crate) async fn accounts_named<'a>(
    state: &WebState,
    actors: impl Iterator<Item = &'a polku_audit::Actor>,
) -> Result<std::collections::HashMap<Uuid, polku_access::Principal>, polku_access::AccessError> {
    let mut found = std::collections::HashMap::new();
    for actor in actors {
        if let polku_audit::Actor::User(id) = actor
            && !found.contains_key(id)
            && let Some(p) = state.access().principal_of(*id).await?
        {
            found.insert(*id, p);
        }
    }
    Ok(found)
}

/// A matter by its rule set's title in the reader's language (its id if no rule set has it).
pub(crate) fn matter_title(state: &WebState, matter: &str, tr: Tr) -> String {
    state
        .rules
        .today()
        .get(matter)
        .map_or_else(|| matter.to_owned(), |rs| rs.title.get(tr.lang).to_owned())
}
