//! What a synthetic person types into an application: only what no register can tell
//! (the employer and work they apply with, their family as they count it, their funds as
//! a bank statement shows). Everything else the pipeline fetches from the registers.

use serde_json::{Value, json};

use super::{Matter, PermitKind, Person, Population};

impl Population {
    /// The application `p` files for their matter, in the input schema's shape.
    pub fn application(&self, p: &Person) -> Value {
        let matter = p.matter.id();
        let employer_id = p
            .employer
            .and_then(|e| self.employers.get(e as usize))
            .map(|e| e.business_id());
        let field = format!("ISCO-{}", p.occupation);
        match p.matter {
            Matter::EmployedExtension => json!({
                "application": {
                    "matter": matter, "kind": "extension", "permit_type": "employed",
                    "employment": {
                        "employer_id": employer_id,
                        "occupational_field": field,
                        "collective_agreement_applies": p.agreement_minimum_eur > 0,
                        "collective_agreement_min_pay_eur":
                            (p.agreement_minimum_eur > 0).then_some(p.agreement_minimum_eur),
                    }
                }
            }),
            Matter::FamilyExtension => json!({
                "application": {"matter": matter, "kind": "extension", "permit_type": "family"},
                "applicant": {"family_member_of_finnish_citizen": p.spouse_finnish_citizen},
                "family": {"adults": p.adults, "children": p.children},
            }),
            Matter::Student => json!({
                "application": {
                    "matter": matter,
                    "kind": if p.permit == PermitKind::B && p.years_in_finland >= 1.0 { "extension" } else { "first" },
                    "permit_type": "student",
                    "study": {"degree_studies": p.degree_studies, "monthly_grant_eur": p.monthly_grant_eur},
                },
                "evidence": {"funds": {"source": "bank statement supplied by the applicant", "available_eur": p.funds_eur}},
            }),
            Matter::SpecialistFirst => {
                let blue_card = p.index.is_multiple_of(3);
                json!({
                    "application": {
                        "matter": matter, "kind": "first",
                        "permit_type": if blue_card { "eu_blue_card" } else { "specialist" },
                        "employment": {
                            "employer_id": employer_id,
                            "occupational_field": field,
                            "monthly_gross_pay_eur": p.monthly_pay_eur[11],
                            "permanent_contract": p.contract_months == 0,
                            "contract_months": (p.contract_months > 0).then_some(p.contract_months),
                        },
                        "qualification": {
                            "higher_education_degree": p.higher_education_degree,
                            "professional_experience_years": p.experience_years,
                        }
                    }
                })
            }
            Matter::Permanent => json!({
                "application": {"matter": matter, "kind": "first", "permit_type": "permanent"},
            }),
            Matter::Citizenship => json!({
                "application": {"matter": matter, "kind": "first", "permit_type": "citizenship"},
                "applicant": {"nordic_citizen": false, "refugee_or_subsidiary_protection": false},
            }),
        }
    }
}
