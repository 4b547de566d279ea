//! What a synthetic person types into an application: only what no register can tell
//! (what they apply for, the employer and work they apply with, their studies). Everything
//! else — their family, their nationality, their funds — the registers hold or a person
//! assesses; the pipeline fetches it, never takes it from the applicant.

use serde_json::{Value, json};

use super::{Matter, PermitKind, Person, Population};

impl Population {
    /// The application `p` files for their matter, in the input schema's shape.
    pub fn application(&self, p: &Person) -> Value {
        let employer_id = p
            .employer
            .and_then(|e| self.employers.get(e as usize))
            .map(|e| e.business_id());
        let field = format!("ISCO-{}", p.occupation);
        match p.matter {
            Matter::EmployedExtension => json!({
                "application": {
                    "kind": "extension", "permit_type": "employed",
                    "employment": {
                        "employer_id": employer_id,
                        "occupational_field": field,
                    }
                }
            }),
            Matter::FamilyExtension => json!({
                "application": {"kind": "extension", "permit_type": "family"},
            }),
            Matter::Student => json!({
                "application": {
                    "kind": if p.permit == PermitKind::B && p.years_in_finland >= 1.0 { "extension" } else { "first" },
                    "permit_type": "student",
                },
            }),
            Matter::SpecialistFirst => {
                let blue_card = p.index.is_multiple_of(3);
                json!({
                    "application": {
                        "kind": "first",
                        "permit_type": if blue_card { "eu_blue_card" } else { "specialist" },
                        "employment": {
                            "employer_id": employer_id,
                            "occupational_field": field,
                        }
                    }
                })
            }
            Matter::Permanent => json!({
                "application": {"kind": "first", "permit_type": "permanent"},
            }),
            Matter::Citizenship => json!({
                "application": {"kind": "first", "permit_type": "citizenship"},
            }),
        }
    }
}
