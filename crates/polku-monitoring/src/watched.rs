//! A watched permit's facts as the monitor works on them, and how they are read back.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use uuid::Uuid;

use crate::compact;
use crate::facts::Facts;

/// The field paths of each schema facts were packed with, by fingerprint.
pub(crate) type Schemas = Arc<HashMap<u64, Vec<String>>>;

/// A monitored permit as loaded for a re-check.
pub(crate) struct Watched {
    pub(crate) permit: Uuid,
    pub(crate) person: String,
    pub(crate) matter: String,
    pub(crate) valid_from: Date,
    pub(crate) facts: Facts,
}

/// Packed facts, read with the schema they were packed with.
pub(crate) fn decode(bytes: &[u8], schemas: &Schemas) -> Option<Facts> {
    match compact::unpack(bytes) {
        Ok(facts) => Some(facts),
        Err(compact::Unpack::OtherSchema(fp)) => {
            compact::unpack_with(bytes, schemas.get(&fp)?).ok()
        }
        Err(compact::Unpack::Damaged) => None,
    }
}
