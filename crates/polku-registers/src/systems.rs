//! The external systems Polku asks (domain.md §5): one adapter trait each, and the
//! records they answer with.
//!
//! Each trait has two implementations: [`crate::XRoadClient`], which asks over the
//! national exchange layer's REST protocol (and so asks `polku registers serve` in tests
//! and demos), and `polku_simulators::Simulator`, which answers from the synthetic
//! population. The pipeline sees only the traits.

use std::future::Future;

use serde::{Deserialize, Serialize};

/// Who asks, for which person, and why: what every request carries and the disclosure
/// log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The person asked about (`sim-0000042`), or for the trade register a business ID.
    pub key: String,
    /// The official or process on whose behalf (`X-Road-UserId`).
    pub user_id: String,
    /// The case the answer is for (`X-Road-Issue`).
    pub issue: String,
}

/// An answer and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer<T> {
    /// The register that answered, by name.
    pub source: String,
    /// The message id of the exchange (`X-Road-Id`), for tracing a decision's evidence
    /// back to the request that fetched it.
    pub request_id: String,
    /// RFC 3339.
    pub fetched_at: String,
    pub record: T,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("{system} did not answer in time")]
    Timeout { system: &'static str },
    #[error("{system} is unavailable: {detail}")]
    Unavailable {
        system: &'static str,
        detail: String,
    },
    #[error("{system} has no record of {key}")]
    NotFound { system: &'static str, key: String },
    #[error("{system} answered something unreadable: {detail}")]
    Protocol {
        system: &'static str,
        detail: String,
    },
}

/// Every system, with what the exchange layer calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    Population,
    Permits,
    Incomes,
    CriminalRecords,
    Tax,
    TradeRegister,
    Security,
    Eurodac,
    Ees,
    Sis,
    Vis,
    LanguageTests,
    Studies,
    CollectiveAgreements,
    EmployerDeclarations,
}

impl System {
    pub const ALL: [System; 15] = [
        System::Population,
        System::Permits,
        System::Incomes,
        System::CriminalRecords,
        System::Tax,
        System::TradeRegister,
        System::Security,
        System::Eurodac,
        System::Ees,
        System::Sis,
        System::Vis,
        System::LanguageTests,
        System::Studies,
        System::CollectiveAgreements,
        System::EmployerDeclarations,
    ];

    /// The register's name, as evidence records its source.
    pub fn name(self) -> &'static str {
        match self {
            System::Population => "Population Information System",
            System::Permits => "Immigration Service case register",
            System::Incomes => "Incomes Register",
            System::CriminalRecords => "Criminal Records",
            System::Tax => "Tax Administration",
            System::TradeRegister => "Trade Register",
            System::Security => "Finnish Security and Intelligence Service",
            System::Eurodac => "Eurodac",
            System::Ees => "Entry/Exit System",
            System::Sis => "Schengen Information System",
            System::Vis => "Visa Information System",
            System::LanguageTests => "National Certificates of Language Proficiency",
            System::Studies => "Studies register",
            System::CollectiveAgreements => "Register of generally binding collective agreements",
            System::EmployerDeclarations => "Employers' e-service (terms of employment)",
        }
    }

    /// The service's identifier on the exchange layer: `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    /// The instance `FI-SIM` and the member codes are synthetic: no real service is named.
    pub fn service(self) -> &'static str {
        match self {
            System::Population => "FI-SIM/GOV/sim-dvv/vtj/person",
            System::Permits => "FI-SIM/GOV/sim-migri/uma/permits",
            System::Incomes => "FI-SIM/GOV/sim-vero/tulorekisteri/incomes",
            System::CriminalRecords => "FI-SIM/GOV/sim-oikeusrekisteri/rikosrekisteri/records",
            System::Tax => "FI-SIM/GOV/sim-vero/verotili/debts",
            System::TradeRegister => "FI-SIM/GOV/sim-prh/ytj/company",
            System::Security => "FI-SIM/GOV/sim-supo/lausunto/statement",
            System::Eurodac => "FI-SIM/EU/sim-eulisa/eurodac/hits",
            System::Ees => "FI-SIM/EU/sim-eulisa/ees/movements",
            System::Sis => "FI-SIM/EU/sim-eulisa/sis/alerts",
            System::Vis => "FI-SIM/EU/sim-eulisa/vis/visas",
            System::LanguageTests => "FI-SIM/GOV/sim-oph/yki/results",
            System::Studies => "FI-SIM/GOV/sim-csc/virta/studies",
            System::CollectiveAgreements => "FI-SIM/GOV/sim-tem/tes/minimum-pay",
            System::EmployerDeclarations => "FI-SIM/GOV/sim-migri/enterfinland-employers/terms",
        }
    }

    /// The system a service path names.
    pub fn by_service(service: &str) -> Option<System> {
        System::ALL.into_iter().find(|s| s.service() == service)
    }
}

/// A name as one register holds it: each register its own romanisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredName {
    pub given: String,
    pub family: String,
    /// In the native script, where the register keeps it.
    pub native: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationRecord {
    pub name: RegisteredName,
    /// `YYYY-MM-DD`, with `00` for an unknown month or day.
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3; `None`: stateless.
    pub nationality: Option<String>,
    /// The permanent address in Finland, for residents.
    pub address: Option<Address>,
    pub resident_in_finland: bool,
    pub residence_years: f64,
    pub family_relationship_continues: bool,
    /// The tie a family-based permit rests on: `spouse` or `child`.
    pub family_tie: String,
    pub spouse_finnish_citizen: bool,
    /// Adults in the family whose support counts: the person and a spouse or partner
    /// living with them.
    pub family_adults: u8,
    /// Minor children living in the family.
    pub children: u8,
    /// Identity verified from a document, biometrics enrolled.
    pub identity_established: bool,
    /// Another record may be the same person under another identity.
    pub unresolved_identity_conflict: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub municipality: String,
    /// Statistics Finland's three-digit municipality code.
    pub municipality_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitRecord {
    /// `A`, `B` or `P`; `None`: no permit held.
    pub current_permit_type: Option<String>,
    pub continuous_residence_years_a: f64,
    pub previous_employer_id: Option<String>,
    /// ISCO-08 major group, as `ISCO-N`.
    pub previous_occupational_field: Option<String>,
    /// Refugee status or subsidiary protection granted in Finland.
    pub international_protection: bool,
    /// For a family-based permit: the kind of the sponsor's permit (`A`, `B`, `P`).
    pub sponsor_permit_type: Option<String>,
    /// Its last day, `YYYY-MM-DD` (none for `P`).
    pub sponsor_permit_valid_until: Option<String>,
    /// The permits held in Finland, oldest first.
    pub history: Vec<PermitPeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitPeriod {
    /// `A`, `B` or `P`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day; `None` for a permanent permit.
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomesRecord {
    pub employer_id: Option<String>,
    /// The occupation in the latest earnings payment report, as `ISCO-N`.
    pub occupational_field: Option<String>,
    /// Last day of a fixed-term employment, `YYYY-MM-DD`; `None` when indefinite.
    pub employment_ends: Option<String>,
    /// Gross pay reported per month, the last twelve, oldest first.
    pub monthly_gross_pay_eur: Vec<u32>,
    pub monthly_gross_pay_avg_6m_eur: f64,
    pub household_monthly_net_income_eur: u32,
    pub annual_earned_income_eur: u32,
    pub employment_years: f64,
    pub benefit_months_24m: u8,
    /// Covered by Finnish social security (a Kela card).
    pub kela_card: bool,
    /// Months on unemployment benefit or social assistance in the last 36.
    pub benefit_months_36m: u8,
    /// Months in the last 24 with the person's own benefits, a spouse's basic social
    /// assistance or social assistance from a wellbeing services county.
    pub household_benefit_months_24m: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriminalRecord {
    pub disqualifying_entries: bool,
    pub pending_investigation: bool,
    /// A sentence or fine of the person is recorded, however old.
    pub any_sentence: bool,
    /// Whole years since the latest one became final; `None` when there is none.
    pub years_since_last_sentence: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxRecord {
    pub unpaid_taxes_eur: u32,
    /// Public payments in enforcement (the enforcement register's answer, relayed).
    pub unpaid_public_payments: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyRecord {
    pub business_id: String,
    pub active: bool,
    pub bankrupt: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityStatement {
    /// The service objects; its reasons are withheld.
    pub objection: bool,
    /// A security authority has an open flag on the person.
    pub open_flag: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EurodacRecord {
    pub hit: bool,
    pub member_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EesRecord {
    pub entries_last_year: u8,
    pub overstay: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SisRecord {
    pub alert: bool,
    pub entry_ban: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisRecord {
    pub visas_issued: u8,
    pub refusals: u8,
}

/// Best subtest results as CEFR levels (`none`, `A1` … `C2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageRecord {
    pub finnish: Subtests,
    pub swedish: Subtests,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subtests {
    pub speaking: String,
    pub writing: String,
    pub reading: String,
    pub listening: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudiesRecord {
    pub enrolled: bool,
    pub credits_last_year: u8,
    pub finnish_masters_degree: bool,
    /// A higher-education degree completed in Finland or recognised by the Finnish National
    /// Agency for Education.
    pub higher_education_degree: bool,
    /// In a programme leading to a higher-education degree in Finland.
    pub degree_programme: bool,
    /// A scholarship the institution pays, € a month.
    pub scholarship_eur_month: u32,
    /// The year's tuition fee not yet paid or waived, €.
    pub tuition_fee_unpaid_eur: u32,
    /// When the studies are expected to end, `YYYY-MM-DD`.
    pub expected_end: Option<String>,
}

/// The terms of employment an employer declared for a person (for a first permit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentTerms {
    pub employer_id: String,
    pub monthly_gross_pay_eur: u32,
    pub permanent_contract: bool,
    /// Months of a fixed-term employment; `None` when permanent.
    pub contract_months: Option<u32>,
}

/// What the generally binding collective agreement of an occupational field says of pay.
/// Asked by occupational field (`ISCO-N`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementRecord {
    /// A generally binding collective agreement covers work in the field.
    pub generally_binding: bool,
    /// Its lowest monthly pay for full-time work, € gross; `None` where none applies.
    pub minimum_monthly_pay_eur: Option<u32>,
}

/// One person the population register finds for a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonFound {
    /// The person id every part of Polku uses.
    pub person: String,
    pub name: RegisteredName,
    /// `YYYY-MM-DD`, with `00` for an unknown month or day.
    pub date_of_birth: String,
    /// The Finnish personal identity code, for a person who has one.
    pub personal_identity_code: Option<String>,
}

/// What a search found: at most [`PERSONS_FOUND_MAX`] persons, and whether there were more
/// (the searcher narrows the words, never pages through a population).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonsFound {
    pub persons: Vec<PersonFound>,
    pub more: bool,
}

/// The most persons one search answers with.
pub const PERSONS_FOUND_MAX: usize = 20;

/// The population register's service that finds persons by name or personal identity code.
pub const PERSON_SEARCH_SERVICE: &str = "FI-SIM/GOV/sim-dvv/vtj/search";

type Reply<T> = Result<Answer<T>, RegisterError>;

/// Population Information System (VTJ): the person, address, family, identity.
pub trait PopulationRegister: Send + Sync {
    fn person(&self, ask: &Ask) -> impl Future<Output = Reply<PopulationRecord>> + Send;
}

/// The population register's search: who is known by these words — a personal identity
/// code, or names (each word the start of one of the person's names, in any order, in Latin
/// letters or the native script). `ask.key` holds the words. Every search is a disclosure of
/// the persons found, and the asker logs it so.
pub trait PersonSearch: Send + Sync {
    fn find(&self, ask: &Ask) -> impl Future<Output = Reply<PersonsFound>> + Send;
}

/// The Immigration Service's own case register: the permits a person holds and held.
pub trait PermitRegister: Send + Sync {
    fn permits(&self, ask: &Ask) -> impl Future<Output = Reply<PermitRecord>> + Send;
}

/// Incomes Register: pay reports per month and employer, benefits paid.
pub trait IncomesRegister: Send + Sync {
    fn incomes(&self, ask: &Ask) -> impl Future<Output = Reply<IncomesRecord>> + Send;
}

/// Criminal records: disqualifying entries, pending investigations.
pub trait CriminalRecords: Send + Sync {
    fn records(&self, ask: &Ask) -> impl Future<Output = Reply<CriminalRecord>> + Send;
}

/// Tax Administration: tax debts; public payments in enforcement.
pub trait TaxAdministration: Send + Sync {
    fn debts(&self, ask: &Ask) -> impl Future<Output = Reply<TaxRecord>> + Send;
}

/// Trade register (YTJ): whether an employer exists, is active, is bankrupt. Asked by
/// business ID.
pub trait TradeRegister: Send + Sync {
    fn company(&self, ask: &Ask) -> impl Future<Output = Reply<CompanyRecord>> + Send;
}

/// The security service's statement in a permit or citizenship case.
pub trait SecurityService: Send + Sync {
    fn statement(&self, ask: &Ask) -> impl Future<Output = Reply<SecurityStatement>> + Send;
}

/// Eurodac: fingerprint hits of earlier asylum applications or irregular crossings.
pub trait Eurodac: Send + Sync {
    fn hits(&self, ask: &Ask) -> impl Future<Output = Reply<EurodacRecord>> + Send;
}

/// Entry/Exit System: entries, exits, overstays.
pub trait EntryExitSystem: Send + Sync {
    fn movements(&self, ask: &Ask) -> impl Future<Output = Reply<EesRecord>> + Send;
}

/// Schengen Information System: alerts for refusal of entry, return, arrest.
pub trait SchengenInformationSystem: Send + Sync {
    fn alerts(&self, ask: &Ask) -> impl Future<Output = Reply<SisRecord>> + Send;
}

/// Visa Information System: visa history.
pub trait VisaInformationSystem: Send + Sync {
    fn visas(&self, ask: &Ask) -> impl Future<Output = Reply<VisRecord>> + Send;
}

/// National Certificates of Language Proficiency (YKI): results by subtest.
pub trait LanguageTests: Send + Sync {
    fn results(&self, ask: &Ask) -> impl Future<Output = Reply<LanguageRecord>> + Send;
}

/// Studies register: enrolment, credits, degrees completed in Finland.
pub trait StudiesRegister: Send + Sync {
    fn studies(&self, ask: &Ask) -> impl Future<Output = Reply<StudiesRecord>> + Send;
}

/// The confirmed generally binding collective agreements and their minimum pay by field
/// (the labour ministry's commission decides which agreements are generally binding).
pub trait AgreementsRegister: Send + Sync {
    fn agreement(&self, ask: &Ask) -> impl Future<Output = Reply<AgreementRecord>> + Send;
}

/// The employers' e-service: the terms of employment an employer declared for a person.
pub trait EmployerDeclarations: Send + Sync {
    fn terms(&self, ask: &Ask) -> impl Future<Output = Reply<EmploymentTerms>> + Send;
}

/// Every register at once: what evidence gathering needs.
pub trait Registers:
    PopulationRegister
    + PermitRegister
    + IncomesRegister
    + CriminalRecords
    + TaxAdministration
    + TradeRegister
    + SecurityService
    + Eurodac
    + EntryExitSystem
    + SchengenInformationSystem
    + VisaInformationSystem
    + LanguageTests
    + StudiesRegister
    + AgreementsRegister
    + EmployerDeclarations
{
}

impl<T> Registers for T where
    T: PopulationRegister
        + PermitRegister
        + IncomesRegister
        + CriminalRecords
        + TaxAdministration
        + TradeRegister
        + SecurityService
        + Eurodac
        + EntryExitSystem
        + SchengenInformationSystem
        + VisaInformationSystem
        + LanguageTests
        + StudiesRegister
        + AgreementsRegister
        + EmployerDeclarations
{
}
