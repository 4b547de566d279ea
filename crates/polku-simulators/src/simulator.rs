//! Every register, simulated from the synthetic population, with a configurable latency
//! and failure rate so that the pipeline meets slow and failing registers too.

use std::sync::Arc;
use std::time::Duration;

use crate::population::{MUNICIPALITIES, PermitKind, Person, Population, person_index};
use polku_registers::systems::*;

/// How the simulated registers behave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Behaviour {
    /// Mean time to answer; each answer takes between half and one and a half times it.
    pub latency: Duration,
    /// Share of requests that fail as unavailable, 0.0–1.0.
    pub failure_rate: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            latency: Duration::ZERO,
            failure_rate: 0.0,
        }
    }
}

/// All registers, answering from one population.
#[derive(Debug, Clone)]
pub struct Simulator {
    pub population: Arc<Population>,
    pub behaviour: Behaviour,
}

const CEFR: [&str; 7] = ["none", "A1", "A2", "B1", "B2", "C1", "C2"];

impl Simulator {
    pub fn new(population: Arc<Population>, behaviour: Behaviour) -> Simulator {
        Simulator {
            population,
            behaviour,
        }
    }

    /// Waits the latency, fails at the failure rate, finds the person, and wraps the
    /// record `make` renders with its provenance.
    async fn answer<T>(
        &self,
        system: System,
        ask: &Ask,
        make: impl FnOnce(&Population, &Person) -> T,
    ) -> Result<Answer<T>, RegisterError> {
        self.behave(system).await?;
        let person = person_index(&ask.key)
            .and_then(|i| self.population.persons.get(i as usize))
            .ok_or_else(|| RegisterError::NotFound {
                system: system.name(),
                key: ask.key.clone(),
            })?;
        Ok(provenance(system, make(&self.population, person)))
    }

    async fn behave(&self, system: System) -> Result<(), RegisterError> {
        let b = self.behaviour;
        if !b.latency.is_zero() {
            tokio::time::sleep(b.latency.mul_f64(0.5 + fastrand::f64())).await;
        }
        if b.failure_rate > 0.0 && fastrand::f64() < b.failure_rate {
            return Err(RegisterError::Unavailable {
                system: system.name(),
                detail: "simulated outage".to_owned(),
            });
        }
        Ok(())
    }
}

pub(crate) fn provenance<T>(system: System, record: T) -> Answer<T> {
    Answer {
        source: system.name().to_owned(),
        request_id: uuid::Uuid::now_v7().to_string(),
        fetched_at: jiff::Timestamp::now().to_string(),
        record,
    }
}

/// The name as `system` holds it: registers romanise differently, and some swap the given
/// and family names — what identity resolution has to see through.
pub fn registered_name(pop: &Population, p: &Person, system: System) -> RegisteredName {
    let origin = pop.origin(p);
    let given_pool = match p.sex {
        crate::population::Sex::Female => origin.given_female,
        crate::population::Sex::Male => origin.given_male,
    };
    let given = &given_pool[p.given as usize];
    let family = &origin.family[p.family as usize];
    // Which variant a register holds depends on the register and the person, never on chance.
    let pick = |n: &crate::population::names::Name, salt: u32| -> String {
        let h = p
            .index
            .wrapping_mul(2_654_435_761)
            .wrapping_add(salt.wrapping_mul(40_503));
        let variants = n.romanised;
        // Most registers hold the standard form.
        let i = if h % 10 < 7 {
            0
        } else {
            (h as usize / 10) % variants.len()
        };
        variants[i].to_owned()
    };
    let salt = system as u32;
    let (mut g, mut f) = (pick(given, salt), pick(family, salt + 101));
    if (p.index ^ salt).is_multiple_of(37) {
        std::mem::swap(&mut g, &mut f);
    }
    let native = (origin.script != crate::population::names::Script::Latin
        && matches!(system, System::Population | System::Permits))
    .then(|| {
        if origin.family_name_first {
            format!("{} {}", family.native, given.native)
        } else {
            format!("{} {}", given.native, family.native)
        }
    });
    RegisteredName {
        given: g,
        family: f,
        native,
    }
}

fn population_record(pop: &Population, p: &Person) -> PopulationRecord {
    let origin = pop.origin(p);
    PopulationRecord {
        name: registered_name(pop, p, System::Population),
        date_of_birth: p.birth.register_form(),
        nationality: p
            .nationality
            .and_then(|n| origin.nationalities.get(n as usize))
            .map(|s| (*s).to_owned()),
        address: (p.permit != PermitKind::None).then(|| {
            let (code, name, postal) =
                MUNICIPALITIES[p.municipality as usize % MUNICIPALITIES.len()];
            Address {
                street: format!("Testikatu {}", p.house),
                postal_code: postal.to_owned(),
                municipality: name.to_owned(),
                municipality_code: code.to_owned(),
            }
        }),
        resident_in_finland: p.permit != PermitKind::None,
        residence_years: round1(p.years_in_finland),
        family_relationship_continues: p.family_tie_continues,
        // A few family-based permits rest on a tie as a child (now an adult: a person decides).
        family_tie: if p.index.is_multiple_of(41) {
            "child"
        } else {
            "spouse"
        }
        .to_owned(),
        spouse_finnish_citizen: p.spouse_finnish_citizen,
        family_adults: p.adults,
        children: p.children,
        identity_established: p.birth.date().is_some() || p.years_in_finland > 0.0,
        unresolved_identity_conflict: p.identity_conflict,
    }
}

/// The kind of a family member's sponsor's permit: mostly continuous, some temporary
/// (a student's family), some permanent.
fn sponsor_kind(p: &Person) -> &'static str {
    match p.index % 10 {
        0 | 1 => "B",
        2 => "P",
        _ => "A",
    }
}

fn round1(x: f32) -> f64 {
    (f64::from(x) * 10.0).round() / 10.0
}

fn permit_record(pop: &Population, p: &Person) -> PermitRecord {
    let kind = match p.permit {
        PermitKind::A => Some("A"),
        PermitKind::B => Some("B"),
        PermitKind::P => Some("P"),
        PermitKind::None => None,
    };
    PermitRecord {
        current_permit_type: kind.map(str::to_owned),
        continuous_residence_years_a: round1(p.years_on_a_permits),
        previous_employer_id: p
            .previous_employer
            .and_then(|e| pop.employers.get(e as usize))
            .map(|e| e.business_id()),
        previous_occupational_field: (p.permit != PermitKind::None)
            .then(|| format!("ISCO-{}", p.previous_occupation)),
        // The synthetic population holds no one under international protection yet.
        international_protection: false,
        sponsor_permit_type: (p.matter == crate::population::Matter::FamilyExtension)
            .then(|| sponsor_kind(p).to_owned()),
        sponsor_permit_valid_until: (p.matter == crate::population::Matter::FamilyExtension
            && sponsor_kind(p) != "P")
            .then(|| format!("{}-06-01", 2027 + p.index % 4)),
        history: permit_history(p),
    }
}

/// The permits behind a person's years in Finland: a first permit on arrival, then
/// extensions (a year first, then up to four), the current kind last. Dates count back
/// from 1 January 2026 so that the same person always has the same history.
fn permit_history(p: &Person) -> Vec<PermitPeriod> {
    let Some(current) = (match p.permit {
        PermitKind::A => Some("A"),
        PermitKind::B => Some("B"),
        PermitKind::P => Some("P"),
        PermitKind::None => None,
    }) else {
        return Vec::new();
    };
    let epoch = jiff::civil::date(2026, 1, 1);
    let days_ago = |years: f32| jiff::Span::new().days(i64::from((years * 365.25) as i32));
    let mut periods = Vec::new();
    let mut start = f64::from(p.years_in_finland);
    let mut first = true;
    while start > 0.05 {
        let length = if first { 1.0 } else { (p.index % 4 + 1) as f64 }.min(start);
        let from = epoch.checked_sub(days_ago(start as f32)).unwrap_or(epoch);
        let last = start - length <= 0.05;
        // The permit held now runs out within the coming three months: why one applies.
        let until = if last {
            epoch
                .checked_add(jiff::Span::new().days(i64::from(p.index % 90)))
                .ok()
        } else {
            epoch
                .checked_sub(days_ago((start - length) as f32))
                .ok()
                .and_then(|d| d.yesterday().ok())
        };
        let kind = if last {
            current
        } else if first && p.years_on_a_permits + 0.5 < p.years_in_finland {
            "B"
        } else {
            "A"
        };
        periods.push(PermitPeriod {
            kind: kind.to_owned(),
            valid_from: from.to_string(),
            valid_until: if kind == "P" {
                None
            } else {
                until.map(|d| d.to_string())
            },
        });
        start -= length;
        first = false;
    }
    periods
}

fn incomes_record(pop: &Population, p: &Person) -> IncomesRecord {
    let last6: u32 = p.monthly_pay_eur[6..].iter().sum();
    IncomesRecord {
        employer_id: p
            .employer
            .and_then(|e| pop.employers.get(e as usize))
            .map(|e| e.business_id()),
        occupational_field: p.employer.map(|_| format!("ISCO-{}", p.occupation)),
        // Fixed-term work ends the given number of months after the start of 2027.
        employment_ends: (p.employer.is_some() && p.contract_months > 0).then(|| {
            jiff::civil::date(2027, 1, 1)
                .checked_add(jiff::Span::new().months(i64::from(p.contract_months)))
                .map_or_else(|_| "2027-01-01".to_owned(), |d| d.to_string())
        }),
        monthly_gross_pay_eur: p.monthly_pay_eur.to_vec(),
        monthly_gross_pay_avg_6m_eur: (f64::from(last6) / 6.0 * 100.0).round() / 100.0,
        household_monthly_net_income_eur: p.household_net_income_eur,
        annual_earned_income_eur: p.monthly_pay_eur.iter().sum(),
        employment_years: round1(p.employment_years),
        benefit_months_24m: p.benefit_months_24m,
        // Residents who have worked here two years or more are in Finnish social security.
        kela_card: p.employer.is_some() && p.years_in_finland >= 2.0,
        // A year further back adds a little for some; a spouse's or a county's assistance
        // counts for a few more households (derived from the person, so the same each time).
        benefit_months_36m: p.benefit_months_24m + u8::from(p.index.is_multiple_of(7)) * 2,
        household_benefit_months_24m: p.benefit_months_24m
            + u8::from(p.index.is_multiple_of(23)) * 2,
    }
}

fn subtests(levels: [u8; 4]) -> Subtests {
    let l = |i: usize| CEFR[levels[i].min(6) as usize].to_owned();
    Subtests {
        speaking: l(0),
        writing: l(1),
        reading: l(2),
        listening: l(3),
    }
}

/// Implements one register trait for the simulator from a record-making function.
macro_rules! simulated {
    ($trait:ident, $method:ident, $record:ty, $system:expr, $make:expr) => {
        impl $trait for Simulator {
            async fn $method(&self, ask: &Ask) -> Result<Answer<$record>, RegisterError> {
                self.answer($system, ask, $make).await
            }
        }
    };
}

simulated!(
    PopulationRegister,
    person,
    PopulationRecord,
    System::Population,
    population_record
);
simulated!(
    PermitRegister,
    permits,
    PermitRecord,
    System::Permits,
    permit_record
);
simulated!(
    IncomesRegister,
    incomes,
    IncomesRecord,
    System::Incomes,
    incomes_record
);
simulated!(
    CriminalRecords,
    records,
    CriminalRecord,
    System::CriminalRecords,
    |_, p| {
        // Besides the disqualifying entries, a few people have an old fine or sentence.
        let old = p.index.is_multiple_of(29);
        CriminalRecord {
            disqualifying_entries: p.criminal_disqualifying,
            pending_investigation: p.criminal_pending,
            any_sentence: p.criminal_disqualifying || old,
            years_since_last_sentence: if p.criminal_disqualifying {
                Some(2)
            } else if old {
                Some(3 + p.index % 9)
            } else {
                None
            },
        }
    }
);
simulated!(TaxAdministration, debts, TaxRecord, System::Tax, |_, p| {
    TaxRecord {
        unpaid_taxes_eur: p.tax_debt_eur,
        unpaid_public_payments: p.enforcement,
    }
});
simulated!(
    SecurityService,
    statement,
    SecurityStatement,
    System::Security,
    |_, p| {
        SecurityStatement {
            objection: p.security_objection,
            open_flag: p.security_flag,
        }
    }
);
simulated!(Eurodac, hits, EurodacRecord, System::Eurodac, |_, p| {
    EurodacRecord {
        hit: p.eurodac_hit,
        member_state: p
            .eurodac_hit
            .then(|| ["DEU", "ITA", "GRC", "SWE"][p.index as usize % 4].to_owned()),
    }
});
simulated!(
    EntryExitSystem,
    movements,
    EesRecord,
    System::Ees,
    |_, p| EesRecord {
        entries_last_year: (p.index % 5) as u8,
        overstay: p.ees_overstay,
    }
);
simulated!(
    SchengenInformationSystem,
    alerts,
    SisRecord,
    System::Sis,
    |_, p| SisRecord {
        alert: p.sis_alert,
        entry_ban: p.entry_ban,
    }
);
simulated!(
    VisaInformationSystem,
    visas,
    VisRecord,
    System::Vis,
    |_, p| VisRecord {
        visas_issued: (p.index % 4) as u8,
        refusals: u8::from(p.index.is_multiple_of(41)),
    }
);
simulated!(
    LanguageTests,
    results,
    LanguageRecord,
    System::LanguageTests,
    |_, p| {
        LanguageRecord {
            finnish: subtests(p.finnish),
            swedish: subtests(p.swedish),
        }
    }
);
simulated!(
    StudiesRegister,
    studies,
    StudiesRecord,
    System::Studies,
    |_, p| {
        StudiesRecord {
            enrolled: p.enrolled,
            credits_last_year: p.credits_last_year,
            finnish_masters_degree: p.finnish_masters_degree,
            higher_education_degree: p.higher_education_degree || p.finnish_masters_degree,
            degree_programme: p.degree_studies,
            scholarship_eur_month: p.monthly_grant_eur,
            // Degree students from outside the EU pay a fee unless a scholarship waives it;
            // some have paid it already.
            tuition_fee_unpaid_eur: if p.degree_studies
                && p.monthly_grant_eur == 0
                && p.index.is_multiple_of(3)
            {
                12_000
            } else {
                0
            },
            expected_end: p.enrolled.then(|| format!("{}-07-31", 2027 + p.index % 4)),
        }
    }
);

/// The trade register is asked by business ID, not by person.
impl TradeRegister for Simulator {
    async fn company(&self, ask: &Ask) -> Result<Answer<CompanyRecord>, RegisterError> {
        let system = System::TradeRegister;
        self.behave(system).await?;
        let e = self
            .population
            .employer(&ask.key)
            .ok_or_else(|| RegisterError::NotFound {
                system: system.name(),
                key: ask.key.clone(),
            })?;
        Ok(provenance(
            system,
            CompanyRecord {
                business_id: ask.key.clone(),
                active: e.active,
                bankrupt: e.bankrupt,
            },
        ))
    }
}

/// The employer's declaration for a person who works or is to work for one.
impl EmployerDeclarations for Simulator {
    async fn terms(&self, ask: &Ask) -> Result<Answer<EmploymentTerms>, RegisterError> {
        let system = System::EmployerDeclarations;
        self.behave(system).await?;
        let not_found = || RegisterError::NotFound {
            system: system.name(),
            key: ask.key.clone(),
        };
        let p = crate::population::person_index(&ask.key)
            .and_then(|i| self.population.persons.get(i as usize))
            .ok_or_else(not_found)?;
        let employer = p
            .employer
            .and_then(|e| self.population.employers.get(e as usize))
            .ok_or_else(not_found)?;
        Ok(provenance(
            system,
            EmploymentTerms {
                employer_id: employer.business_id(),
                monthly_gross_pay_eur: p.monthly_pay_eur[11],
                permanent_contract: p.contract_months == 0,
                contract_months: (p.contract_months > 0).then_some(u32::from(p.contract_months)),
            },
        ))
    }
}

/// The population register's search: a personal identity code finds its person; words
/// find the persons each of whose words begins one of their names (as the population
/// register writes them, in Latin letters or the native script), in the population's order.
impl PersonSearch for Simulator {
    async fn find(&self, ask: &Ask) -> Result<Answer<PersonsFound>, RegisterError> {
        let system = System::Population;
        self.behave(system).await?;
        let pop = &self.population;
        let found = |p: &Person| PersonFound {
            person: crate::population::person_id(p.index),
            name: registered_name(pop, p, system),
            date_of_birth: p.birth.register_form(),
            personal_identity_code: pop.identity_code(p),
        };
        if let Some(p) = pop.by_identity_code(&ask.key) {
            return Ok(provenance(
                system,
                PersonsFound {
                    persons: vec![found(p)],
                    more: false,
                },
            ));
        }
        let words: Vec<String> = ask
            .key
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let mut persons = Vec::new();
        let mut more = false;
        if !words.is_empty() {
            for p in &pop.persons {
                let name = registered_name(pop, p, system);
                let names: Vec<String> =
                    [Some(&name.given), Some(&name.family), name.native.as_ref()]
                        .into_iter()
                        .flatten()
                        .flat_map(|n| n.split(|c: char| c.is_whitespace() || c == '-'))
                        .map(str::to_lowercase)
                        .collect();
                if words
                    .iter()
                    .all(|w| names.iter().any(|n| n.starts_with(w.as_str())))
                {
                    if persons.len() == PERSONS_FOUND_MAX {
                        more = true;
                        break;
                    }
                    persons.push(found(p));
                }
            }
        }
        Ok(provenance(system, PersonsFound { persons, more }))
    }
}

/// The agreements register is asked by occupational field (`ISCO-N`), not by person.
impl AgreementsRegister for Simulator {
    async fn agreement(&self, ask: &Ask) -> Result<Answer<AgreementRecord>, RegisterError> {
        let system = System::CollectiveAgreements;
        self.behave(system).await?;
        let group = ask
            .key
            .strip_prefix("ISCO-")
            .and_then(|g| g.get(..1))
            .and_then(|g| g.parse::<u8>().ok())
            .ok_or_else(|| RegisterError::NotFound {
                system: system.name(),
                key: ask.key.clone(),
            })?;
        let minimum = crate::population::agreement_minimum_eur(group);
        Ok(provenance(
            system,
            AgreementRecord {
                generally_binding: minimum > 0,
                minimum_monthly_pay_eur: (minimum > 0).then_some(minimum),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_has_a_permit_history_that_ends_in_the_permit_held_now() {
        let pop = Population::generate(3, 500);
        for p in pop.persons.iter().filter(|p| p.permit != PermitKind::None) {
            let h = permit_history(p);
            assert!(!h.is_empty(), "{p:?}");
            assert!(h.windows(2).all(|w| w[0].valid_from < w[1].valid_from));
            let now = h.last().unwrap();
            assert_eq!(
                now.kind,
                permit_record(&pop, p).current_permit_type.unwrap()
            );
            if now.kind != "P" {
                assert!(now.valid_until.as_deref().unwrap() >= "2026-01-01");
            }
        }
        let abroad = pop
            .persons
            .iter()
            .find(|p| p.permit == PermitKind::None)
            .unwrap();
        assert!(permit_history(abroad).is_empty());
    }
}
