//! The input schema: the one JSON shape of an application with its evidence.
//!
//! Every name a rule may read is a field of this catalogue. The loader checks rule
//! expressions against it, [`Application::from_json`] reads an application into one slot
//! per field (so a compiled rule reads a slot, never looks a name up), and
//! [`json_schema`] exports it as JSON Schema. `docs/input-schema.md` describes it for people.

use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// The type of one input field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Bool,
    /// Amounts, counts and durations; euros are gross or net as the field says.
    Number,
    /// An ISO 8601 calendar date, `YYYY-MM-DD`.
    Date,
    Text,
    /// A text from a closed list.
    OneOf(&'static [&'static str]),
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Bool => "boolean",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Text => "text",
            FieldType::OneOf(_) => "one of a list",
        }
    }
}

pub struct Field {
    pub path: &'static str,
    pub ty: FieldType,
    pub doc: &'static str,
    /// Who supplies it: the applicant, a register, or the service itself.
    pub origin: Origin,
    /// The values that are plausible beyond the type; anything else is refused.
    pub check: Check,
}

/// Who supplies a field. An applicant chooses nothing the law decides: a submission may
/// carry only [`Origin::Applicant`] fields (see [`Application::from_submission`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Only the applicant can tell it: the e-service asks it, the API takes it.
    Applicant,
    /// A register holds it: the pipeline fetches it, never takes it from the applicant.
    Register,
    /// The service sets it: the matter applied for and the day the application arrived.
    Service,
}

/// The plausible values of a field beyond its type. Every text, whatever its check, is
/// at most [`MAX_TEXT`] characters with no control characters; every date lies within
/// [`EARLIEST_DATE`]..=[`LATEST_DATE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// Any value of the type.
    Free,
    /// A number within `min..=max`.
    Range { min: f64, max: f64 },
    /// A date in the past: not after the day of reference (a date of birth).
    Past,
    /// A Finnish business ID, `NNNNNNN-C` with its check digit.
    BusinessId,
    /// An ISCO-08 occupation code: `ISCO-` and one to four digits.
    OccupationalField,
    /// A municipality: Statistics Finland's three-digit code.
    Municipality,
    /// A month, written as its first day (`2025-04-01` for April 2025).
    FirstOfMonth,
    /// A dwelling in the population information system: see [`is_dwelling`].
    Dwelling,
}

/// Euros: never negative; the ceiling is far above any real pay or income.
pub const EUROS: Check = Check::Range {
    min: 0.0,
    max: 10_000_000.0,
};
/// Years of residence, work or experience: a human lifetime at most.
pub const YEARS: Check = Check::Range {
    min: 0.0,
    max: 120.0,
};
/// Months (a contract's length, benefit months): a working life at most.
pub const MONTHS: Check = Check::Range {
    min: 0.0,
    max: 1200.0,
};
/// The longest text any field takes, in characters.
pub const MAX_TEXT: usize = 200;
/// No date before this is plausible in an application (dates of birth included).
pub const EARLIEST_DATE: Date = Date::constant(1900, 1, 1);
/// No date after this is plausible in an application.
pub const LATEST_DATE: Date = Date::constant(2100, 12, 31);

/// A register whose answer is evidence: `evidence.<key>` holds its fields plus the
/// provenance every answer carries (`source`, `request_id`, `fetched_at`).
pub struct Register {
    pub key: &'static str,
    pub name: &'static str,
    /// The application's field the register is asked by, where it is not asked about the
    /// person: the trade register by the employer named, the agreements register by the
    /// occupational field applied for. The e-service asks it whenever a rule reads the
    /// register.
    pub asked_by: Option<&'static str>,
}

/// A language subtest result: `none` when the register holds no passed result (a known
/// fact, unlike an absent field), otherwise the CEFR level reached.
pub const CEFR_LEVELS: &[&str] = &["none", "A1", "A2", "B1", "B2", "C1", "C2"];
const KINDS: &[&str] = &["first", "extension"];
const PERMIT_TYPES: &[&str] = &[
    "employed",
    "specialist",
    "eu_blue_card",
    "family",
    "student",
    "permanent",
    "citizenship",
];

pub const REGISTERS: &[Register] = &[
    Register {
        key: "identity",
        name: "Identity verification (passport check, biometrics, identity resolution)",
        asked_by: None,
    },
    Register {
        key: "population",
        name: "Population Information System (VTJ)",
        asked_by: None,
    },
    Register {
        key: "permits",
        name: "Immigration Service case register (earlier permits)",
        asked_by: None,
    },
    Register {
        key: "incomes",
        name: "Incomes Register",
        asked_by: None,
    },
    Register {
        key: "benefits",
        name: "Kela and municipal social assistance (benefit periods)",
        asked_by: None,
    },
    Register {
        key: "criminal_records",
        name: "Criminal records and police information systems",
        asked_by: None,
    },
    Register {
        key: "security",
        name: "Finnish Security and Intelligence Service statement",
        asked_by: None,
    },
    Register {
        key: "sis",
        name: "Schengen Information System",
        asked_by: None,
    },
    Register {
        key: "tax",
        name: "Tax Administration",
        asked_by: None,
    },
    Register {
        key: "enforcement",
        name: "Enforcement Authority (public payments and maintenance in arrears)",
        asked_by: None,
    },
    Register {
        key: "trade_register",
        name: "Trade Register (YTJ)",
        asked_by: Some("application.employment.employer_id"),
    },
    Register {
        key: "studies",
        name: "Higher-education study register",
        asked_by: None,
    },
    Register {
        key: "education",
        name: "Degree register",
        asked_by: None,
    },
    Register {
        key: "funds",
        name: "Funds verified by a case handler from the bank statement (never taken from the applicant)",
        asked_by: None,
    },
    Register {
        key: "employer_declaration",
        name: "Terms of employment declared by the employer (the employers' e-service)",
        asked_by: None,
    },
    Register {
        key: "insurance",
        name: "Health insurance verified by a case handler from the certificate (never taken from the applicant)",
        asked_by: None,
    },
    Register {
        key: "civic",
        name: "Citizenship test results (no register answers yet: a case handler records them)",
        asked_by: None,
    },
    Register {
        key: "agreements",
        name: "Register of generally binding collective agreements (minimum pay by field)",
        asked_by: Some("application.employment.occupational_field"),
    },
    Register {
        key: "language",
        name: "Language test register (YKI) and accepted certificates",
        asked_by: None,
    },
];

/// Provenance every register answer carries.
pub const PROVENANCE: &[(&str, &str)] = &[
    ("source", "the register or system that answered"),
    (
        "request_id",
        "the exchange layer's id of the request (X-Road-Id)",
    ),
    ("fetched_at", "when the answer was fetched, RFC 3339"),
];

macro_rules! fields {
    ($( $path:literal : $ty:expr, $origin:ident, $check:expr => $doc:literal ),* $(,)?) => {
        &[ $( Field { path: $path, ty: $ty, doc: $doc, origin: Origin::$origin, check: $check } ),* ]
    };
}

use FieldType::{Bool, Date as D, Number, OneOf, Text};

/// The catalogue, in the order of the docs table. A field's slot is its index here; slots
/// live only in memory (applications travel as JSON by path), so the order may change.
pub const FIELDS: &[Field] = fields![
    "application.matter": Text, Service, Check::Free => "The rule-set id of the matter applied for, e.g. `fi.residence-permit.employed.extension`.",
    "application.kind": OneOf(KINDS), Applicant, Check::Free => "`first` permit or `extension`.",
    "application.permit_type": OneOf(PERMIT_TYPES), Applicant, Check::Free => "The permit applied for.",
    "application.submitted_on": D, Service, Check::Free => "The day the application was filed.",
    "application.employment.employer_id": Text, Applicant, Check::BusinessId => "Business ID of the employer named in the application.",
    "application.employment.occupational_field": Text, Applicant, Check::OccupationalField => "Occupational field of the work (ISCO-08 major group or a field code).",
    "applicant.date_of_birth": D, Register, Check::Past => "Date of birth as registered.",
    "applicant.family_member_of_finnish_citizen": Bool, Register, Check::Free => "The applicant is a family member of a Finnish citizen (spouse, minor child, guardian of a minor).",
    "applicant.nordic_citizen": Bool, Register, Check::Free => "The applicant is a citizen of Denmark, Iceland, Norway or Sweden.",
    "applicant.spouse_of_finnish_citizen": Bool, Register, Check::Free => "The applicant is married to (or in a registered partnership with) a Finnish citizen and they live together.",
    "applicant.stateless": Bool, Register, Check::Free => "The applicant has no nationality.",
    "applicant.refugee_or_subsidiary_protection": Bool, Register, Check::Free => "The applicant has refugee status or subsidiary protection in Finland.",
    "family.adults": Number, Register, Check::Range { min: 1.0, max: 20.0 } => "Adults in the family whose support the income must cover (sponsor and applicant included).",
    "family.children": Number, Register, Check::Range { min: 0.0, max: 30.0 } => "Minor children in that family.",
    "evidence.identity.established": Bool, Register, Check::Free => "The applicant's identity is established (verified document, enrolled biometrics, no open identity conflict).",
    "evidence.identity.unresolved_conflict": Bool, Register, Check::Free => "Identity resolution found records that may be another identity of the same person.",
    "evidence.population.municipality_code": Text, Register, Check::Municipality => "The municipality of residence: Statistics Finland's three-digit code (091 Helsinki).",
    "evidence.population.resident_in_finland": Bool, Register, Check::Free => "The population information system has the person as resident in Finland.",
    "evidence.population.dwelling": Text, Register, Check::Dwelling => "The dwelling the person is registered at: the building's permanent identifier (VTJ-PRT) and, in a block of flats, the apartment (`A 12`). Read only to count an employer's workers at one address (a labour-exploitation indicator).",
    "evidence.permits.current_permit_type": OneOf(&["A", "B", "P"]), Register, Check::Free => "Kind of the permit now held: continuous (A), temporary (B) or permanent (P).",
    "evidence.permits.previous_employer_id": Text, Register, Check::BusinessId => "Business ID of the employer on the permit now held.",
    "evidence.permits.previous_occupational_field": Text, Register, Check::OccupationalField => "Occupational field on the permit now held.",
    "evidence.permits.sponsor_permit_type": OneOf(&["A", "B", "P"]), Register, Check::Free => "Kind of the permit held by the family member the applicant's family-based permit rests on (the sponsor).",
    "evidence.permits.sponsor_permit_valid_until": D, Register, Check::Free => "Last day of the sponsor's permit (absent for a permanent one).",
    "evidence.permits.continuous_residence_years_a": Number, Register, YEARS => "Years of continuous residence in Finland on A permits, counted as the law counts them.",
    "evidence.population.family_tie": OneOf(&["spouse", "child"]), Register, Check::Free => "The family tie the applicant's family-based permit rests on: to a spouse or partner, or as a child to a parent.",
    "evidence.population.family_relationship_continues": Bool, Register, Check::Free => "The family relationship the permit rests on is still registered (marriage, registered or cohabiting partnership, custody) and the family lives together.",
    "evidence.population.residence_years": Number, Register, YEARS => "Years of residence in Finland counted for citizenship (permitted absences deducted).",
    "evidence.incomes.monthly_gross_pay_avg_eur": Number, Register, EUROS => "Average gross monthly pay reported in the last six months, €.",
    "evidence.incomes.latest_month_gross_pay_eur": Number, Register, EUROS => "Gross pay in the latest monthly pay report, € (monitoring reads it when a pay report arrives).",
    "evidence.incomes.previous_month_gross_pay_eur": Number, Register, EUROS => "Gross pay in the pay report for the month before the latest one, €.",
    "evidence.incomes.latest_report_month": D, Register, Check::FirstOfMonth => "The month of the latest pay report, as its first day (2025-04-01 for April 2025).",
    "evidence.incomes.household_monthly_net_income_eur": Number, Register, EUROS => "The family's average net monthly income available in Finland, €.",
    "evidence.incomes.annual_earned_income_eur": Number, Register, EUROS => "Earned income in the previous calendar year, €.",
    "evidence.incomes.employment_years": Number, Register, YEARS => "Years in employment or self-employment during residence in Finland.",
    "evidence.incomes.employer_id": Text, Register, Check::BusinessId => "Business ID of the employer in the latest pay report.",
    "evidence.incomes.employment_ends": D, Register, Check::Free => "Last day of a fixed-term employment in the latest pay report's employment data (absent when indefinite).",
    "evidence.incomes.occupational_field": Text, Register, Check::OccupationalField => "The occupation in the latest pay report (ISCO-08 major group).",
    "evidence.agreements.generally_binding": Bool, Register, Check::Free => "A generally binding collective agreement covers work in the occupational field applied for.",
    "evidence.agreements.minimum_monthly_pay_eur": Number, Register, EUROS => "That agreement's lowest monthly pay for full-time work, € gross.",
    "evidence.benefits.household_benefit_months_24m": Number, Register, MONTHS => "Months in the last 24 in which the applicant received unemployment benefit or social assistance, or their spouse or partner basic social assistance from Kela, or either of them social assistance from a wellbeing services county.",
    "evidence.benefits.unemployment_or_social_assistance_months_36m": Number, Register, MONTHS => "Months in the last 36 on unemployment benefit, labour-market subsidy or social assistance.",
    "evidence.benefits.unemployment_or_social_assistance_months_24m": Number, Register, MONTHS => "Months in the last 24 on unemployment benefit, labour-market subsidy or social assistance.",
    "evidence.criminal_records.disqualifying_entries": Bool, Register, Check::Free => "Entries that are grounds for refusal (UlkL 36 §) or stand in the way of integrity.",
    "evidence.criminal_records.pending_investigation": Bool, Register, Check::Free => "A pending criminal investigation or charge.",
    "evidence.criminal_records.any_sentence": Bool, Register, Check::Free => "The criminal records hold a sentence or a fine of the person, however old.",
    "evidence.criminal_records.years_since_last_sentence": Number, Register, YEARS => "Whole years since the latest sentence or fine became final (absent when there is none).",
    "evidence.security.objection": Bool, Register, Check::Free => "The security service's statement objects (reasons withheld).",
    "evidence.security.open_flag": Bool, Register, Check::Free => "A security authority has an open flag on the person.",
    "evidence.sis.alert": Bool, Register, Check::Free => "A Schengen alert for refusal of entry, return or arrest.",
    "evidence.sis.entry_ban": Bool, Register, Check::Free => "A national or Schengen entry ban in force.",
    "evidence.tax.unpaid_taxes": Bool, Register, Check::Free => "Taxes in arrears.",
    "evidence.enforcement.unpaid_public_payments": Bool, Register, Check::Free => "Public payments or maintenance in arrears with enforcement.",
    "evidence.trade_register.employer_active": Bool, Register, Check::Free => "The employer is registered and active.",
    "evidence.trade_register.employer_bankrupt": Bool, Register, Check::Free => "The employer is in bankruptcy or liquidation.",
    "evidence.studies.enrolled": Bool, Register, Check::Free => "Registered as attending for the coming term.",
    "evidence.studies.degree_programme": Bool, Register, Check::Free => "Studying in a programme that leads to a higher-education degree in Finland.",
    "evidence.studies.scholarship_eur_month": Number, Register, EUROS => "A scholarship the institution pays the student, € a month (0 when none).",
    "evidence.studies.tuition_fee_unpaid_eur": Number, Register, EUROS => "The tuition fee due for the academic year and not yet paid or waived, € (0 when none).",
    "evidence.studies.expected_end": D, Register, Check::Free => "The day the studies are expected to end, as the institution registers it.",
    "evidence.studies.credits_last_year": Number, Register, Check::Range { min: 0.0, max: 400.0 } => "ECTS credits completed in the last twelve months.",
    "evidence.education.higher_education_degree": Bool, Register, Check::Free => "A higher-education degree completed in Finland or recognised by the Finnish National Agency for Education.",
    "evidence.employer_declaration.monthly_gross_pay_eur": Number, Register, EUROS => "Gross monthly pay in the terms of employment the employer declared, €.",
    "evidence.employer_declaration.permanent_contract": Bool, Register, Check::Free => "The employer declared the employment to be for an indefinite period.",
    "evidence.employer_declaration.contract_months": Number, Register, MONTHS => "Length of the fixed-term employment the employer declared, months.",
    "evidence.education.finnish_masters_degree": Bool, Register, Check::Free => "A master's or doctoral degree completed or recognised in Finland.",
    "evidence.civic.citizenship_test_passed": Bool, Register, Check::Free => "The applicant has passed the citizenship test (from 2027), or shown civic knowledge otherwise as the law allows.",
    "evidence.benefits.kela_card": Bool, Register, Check::Free => "Covered by Finnish social security (a Kela card).",
    "evidence.insurance.adequate": Bool, Register, Check::Free => "A health insurance that meets the requirements for the studies' length, verified by a case handler from the certificate (or a European Health Insurance Card).",
    "evidence.funds.available_eur": Number, Register, EUROS => "Funds at the applicant's disposal, €.",
    "evidence.language.finnish_speaking": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Finnish speaking subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_writing": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Finnish writing subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_reading": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Finnish reading subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_listening": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Finnish listening subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_speaking": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Swedish speaking subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_writing": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Swedish writing subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_reading": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Swedish reading subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_listening": OneOf(CEFR_LEVELS), Register, Check::Free => "Best Swedish listening subtest result: a CEFR level, or `none`.",
];

/// The slot of a field, by its dotted path.
pub fn field_index(path: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.path == path)
}

/// The fields an application must carry for the evidence `slots` read to be asked for:
/// the keys of registers asked by something other than the person.
pub fn asking_fields(slots: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = slots
        .into_iter()
        .filter_map(|slot| register_of(FIELDS.get(slot)?.path)?.asked_by)
        .filter_map(field_index)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The register a field belongs to, when it is evidence.
pub fn register_of(path: &str) -> Option<&'static Register> {
    let key = path.strip_prefix("evidence.")?.split('.').next()?;
    REGISTERS.iter().find(|r| r.key == key)
}

/// The catalogue field whose path is closest to `path`, for "did you mean".
pub fn closest_field(path: &str) -> Option<&'static str> {
    let last = path.rsplit('.').next().unwrap_or(path);
    FIELDS
        .iter()
        .find(|f| f.path.rsplit('.').next() == Some(last))
        .or_else(|| {
            FIELDS
                .iter()
                .find(|f| f.path.contains(last) || path.contains(f.path))
        })
        .map(|f| f.path)
}

/// A value read from an application.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Bool(bool),
    Number(f64),
    Date(Date),
    Text(String),
}

/// Written as the JSON it was read from, without building a `serde_json::Value`.
impl serde::Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Bool(b) => serializer.serialize_bool(*b),
            FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                serializer.serialize_i64(*n as i64)
            }
            FieldValue::Number(n) => serializer.serialize_f64(*n),
            FieldValue::Date(d) => serializer.collect_str(d),
            FieldValue::Text(s) => serializer.serialize_str(s),
        }
    }
}

/// Numbers print as integers where they are whole, so output does not depend on how
/// the input spelled them (`1600` and `1600.0` give the same bytes).
pub fn number_json(n: f64) -> Value {
    as_whole(n).map_or_else(|| Value::from(n), Value::from)
}

/// The integer a whole number is, within f64's exact range.
fn as_whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// Where a register's answer came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    pub source: Option<String>,
    pub request_id: Option<String>,
    pub fetched_at: Option<String>,
}

/// An application with its evidence, one slot per catalogue field.
/// A missing slot is an unknown, never a false.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    slots: Vec<Option<FieldValue>>,
    provenance: Vec<Provenance>,
}

impl Default for Application {
    fn default() -> Self {
        Application {
            slots: vec![None; FIELDS.len()],
            provenance: vec![Provenance::default(); REGISTERS.len()],
        }
    }
}

/// Why an application document was refused. The path names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct InputError {
    pub path: String,
    pub problem: String,
}

impl Application {
    pub fn get(&self, slot: usize) -> Option<&FieldValue> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    pub fn set(&mut self, slot: usize, value: Option<FieldValue>) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = value;
        }
    }

    pub fn provenance(&self, register: &str) -> Option<&Provenance> {
        let i = REGISTERS.iter().position(|r| r.key == register)?;
        self.provenance.get(i)
    }

    /// Records where register `register`'s facts came from; `false` when there is no
    /// such register.
    pub fn set_provenance(&mut self, register: &str, provenance: Provenance) -> bool {
        let Some(i) = REGISTERS.iter().position(|r| r.key == register) else {
            return false;
        };
        match self.provenance.get_mut(i) {
            Some(p) => {
                *p = provenance;
                true
            }
            None => false,
        }
    }

    /// Each register with what is recorded of where its facts came from.
    pub fn provenances(&self) -> impl Iterator<Item = (&'static str, &Provenance)> {
        REGISTERS.iter().map(|r| r.key).zip(&self.provenance)
    }

    pub fn from_json_str(text: &str) -> Result<Application, InputError> {
        let value: Value = serde_json::from_str(text).map_err(|e| InputError {
            path: "(document)".to_owned(),
            problem: format!("not valid JSON: {e}"),
        })?;
        Application::from_json(&value)
    }

    /// Reads an application document. Unknown names and wrong types are refused,
    /// naming the field; `null` and absence both mean "not known".
    pub fn from_json(value: &Value) -> Result<Application, InputError> {
        let mut app = Application::default();
        let Value::Object(root) = value else {
            return Err(InputError {
                path: "(document)".to_owned(),
                problem: "an application must be a JSON object".to_owned(),
            });
        };
        app.read_object(root, "")?;
        Ok(app)
    }

    /// Reads what an applicant submits: only what the applicant alone can tell
    /// ([`Origin::Applicant`] fields). Evidence, the facts registers hold and what the
    /// service sets (the matter, the filing date) are refused, naming the field: the
    /// pipeline fetches them. `today` is the day the service received it.
    pub fn from_submission(value: &Value, today: Date) -> Result<Application, InputError> {
        if let Value::Object(root) = value
            && root.contains_key("evidence")
        {
            return Err(InputError {
                path: "evidence".to_owned(),
                problem:
                    "evidence comes from the registers, never from the applicant: leave it out"
                        .to_owned(),
            });
        }
        let app = Application::from_json(value)?;
        if let Some((field, _)) = FIELDS
            .iter()
            .zip(&app.slots)
            .find(|(f, v)| v.is_some() && f.origin != Origin::Applicant)
        {
            let who = match field.origin {
                Origin::Register => "a register holds it and the service fetches it",
                _ => "the service sets it",
            };
            return Err(InputError {
                path: field.path.to_owned(),
                problem: format!("is not the applicant's to give: {who}"),
            });
        }
        app.check_at(today)?;
        Ok(app)
    }

    /// The checks that need the day of reference: dates in the past not after `today`,
    /// and no register answer fetched after it.
    pub fn check_at(&self, today: Date) -> Result<(), InputError> {
        for (field, value) in FIELDS.iter().zip(&self.slots) {
            if let (Check::Past, Some(FieldValue::Date(d))) = (field.check, value)
                && *d > today
            {
                return Err(InputError {
                    path: field.path.to_owned(),
                    problem: format!("{d} is in the future; it must be {today} or earlier"),
                });
            }
        }
        let end_of_today = today
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp());
        for (register, p) in REGISTERS.iter().zip(&self.provenance) {
            let fetched = p
                .fetched_at
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok());
            if let (Some(at), Some(end)) = (fetched, end_of_today)
                && at >= end
            {
                return Err(InputError {
                    path: format!("evidence.{}.fetched_at", register.key),
                    problem: format!("{at} is in the future"),
                });
            }
        }
        Ok(())
    }

    fn read_object(&mut self, object: &Map<String, Value>, prefix: &str) -> Result<(), InputError> {
        for (key, value) in object {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if value.is_null() {
                continue;
            }
            if let Some(slot) = field_index(&path) {
                self.slots[slot] = Some(read_value(&path, &FIELDS[slot], value)?);
                continue;
            }
            if let Some(register) = prefix
                .strip_prefix("evidence.")
                .filter(|r| !r.contains('.'))
                .and_then(|r| REGISTERS.iter().position(|g| g.key == r))
                && let Some(meta) = PROVENANCE.iter().find(|(name, _)| name == key)
            {
                let Value::String(text) = value else {
                    return Err(InputError {
                        path,
                        problem: "must be a text".to_owned(),
                    });
                };
                check_text(&path, text)?;
                if meta.0 == "fetched_at" && text.parse::<jiff::Timestamp>().is_err() {
                    return Err(InputError {
                        path,
                        problem: format!("`{text}` is not an RFC 3339 time stamp"),
                    });
                }
                let p = &mut self.provenance[register];
                match meta.0 {
                    "source" => p.source = Some(text.clone()),
                    "request_id" => p.request_id = Some(text.clone()),
                    _ => p.fetched_at = Some(text.clone()),
                }
                continue;
            }
            let is_group = FIELDS.iter().any(|f| {
                f.path.len() > path.len()
                    && f.path.starts_with(path.as_str())
                    && f.path.as_bytes()[path.len()] == b'.'
            });
            match value {
                Value::Object(inner) if is_group => self.read_object(inner, &path)?,
                _ if is_group => {
                    return Err(InputError {
                        path,
                        problem: "must be an object".to_owned(),
                    });
                }
                _ => {
                    let hint = closest_field(&path)
                        .map(|f| format!("; did you mean `{f}`?"))
                        .unwrap_or_default();
                    return Err(InputError {
                        path,
                        problem: format!("is not a field of the application schema{hint}"),
                    });
                }
            }
        }
        Ok(())
    }
}

fn read_value(path: &str, field: &Field, value: &Value) -> Result<FieldValue, InputError> {
    let wrong = |expected: &str| InputError {
        path: path.to_owned(),
        problem: format!("must be {expected}, found {}", json_kind(value)),
    };
    let out_of = |problem: String| InputError {
        path: path.to_owned(),
        problem,
    };
    let read = match field.ty {
        FieldType::Bool => value
            .as_bool()
            .map(FieldValue::Bool)
            .ok_or_else(|| wrong("true or false"))?,
        FieldType::Number => match value.as_f64() {
            Some(n) if n.is_finite() => FieldValue::Number(n),
            _ => return Err(wrong("a number")),
        },
        FieldType::Date => {
            let text = value.as_str().ok_or_else(|| wrong("a date YYYY-MM-DD"))?;
            let date = parse_date(text)
                .ok_or_else(|| out_of(format!("`{text}` is not a calendar date YYYY-MM-DD")))?;
            if !(EARLIEST_DATE..=LATEST_DATE).contains(&date) {
                return Err(out_of(format!(
                    "{date} is not a plausible date: it must lie between {EARLIEST_DATE} and {LATEST_DATE}"
                )));
            }
            FieldValue::Date(date)
        }
        FieldType::Text => {
            let text = value.as_str().ok_or_else(|| wrong("a text"))?;
            check_text(path, text)?;
            FieldValue::Text(text.to_owned())
        }
        FieldType::OneOf(allowed) => {
            let text = value.as_str().ok_or_else(|| wrong("a text"))?;
            if !allowed.contains(&text) {
                return Err(out_of(format!(
                    "`{}` is not one of {}",
                    text.escape_debug(),
                    allowed.join(", ")
                )));
            }
            FieldValue::Text(text.to_owned())
        }
    };
    match (field.check, &read) {
        (Check::Range { min, max }, FieldValue::Number(n)) if !(min..=max).contains(n) => {
            Err(out_of(format!(
                "{n} is outside the plausible range {} to {}",
                number_json(min),
                number_json(max)
            )))
        }
        (Check::BusinessId, FieldValue::Text(t)) if !is_business_id(t) => Err(out_of(format!(
            "`{}` is not a business ID: seven digits, a hyphen and the check digit (e.g. 9000004-6)",
            t.escape_debug()
        ))),
        (Check::Municipality, FieldValue::Text(t))
            if t.len() != 3 || !t.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Err(out_of(format!(
                "`{}` is not a municipality code: three digits (e.g. 091)",
                t.escape_debug()
            )))
        }
        (Check::FirstOfMonth, FieldValue::Date(d)) if d.day() != 1 => Err(out_of(format!(
            "{d} is not the first day of a month: a month is written as its first day (e.g. {})",
            d.first_of_month()
        ))),
        (Check::OccupationalField, FieldValue::Text(t)) if !is_isco_code(t) => {
            Err(out_of(format!(
                "`{}` is not an ISCO-08 occupation code: `ISCO-` and one to four digits (e.g. ISCO-2)",
                t.escape_debug()
            )))
        }
        (Check::Dwelling, FieldValue::Text(t)) if !is_dwelling(t) => Err(out_of(format!(
            "`{}` is not a dwelling: the building's permanent identifier (a 1, eight more digits and a check character) and, in a block of flats, the apartment (e.g. 100012345A A 12)",
            t.escape_debug()
        ))),
        _ => Ok(read),
    }
}

/// A dwelling as the population information system identifies it: the building's
/// permanent identifier (VTJ-PRT, in use since 10 November 2014: ten characters, a 1 and
/// eight more digits, then a check letter or digit; its check is not verified here), and
/// in a block of flats a space and the apartment — a staircase letter and the apartment's
/// number, with an optional division letter (`A 12`, `B 3 a`), at most eight characters.
pub fn is_dwelling(text: &str) -> bool {
    let (building, apartment) = match text.split_once(' ') {
        Some((b, a)) => (b, Some(a)),
        None => (text, None),
    };
    let b = building.as_bytes();
    let building_ok = b.len() == 10
        && b[0] == b'1'
        && b[1..9].iter().all(u8::is_ascii_digit)
        && (b[9].is_ascii_digit() || b[9].is_ascii_uppercase());
    let apartment_ok = apartment.is_none_or(|a| {
        !a.is_empty()
            && a.len() <= 8
            && !a.starts_with(' ')
            && !a.ends_with(' ')
            && !a.contains("  ")
            && a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b' ')
    });
    building_ok && apartment_ok
}

/// Every text: at most [`MAX_TEXT`] characters, no control characters (a NUL, a line break
/// or an escape sequence has no place in a field and would forge logs or break storage).
fn check_text(path: &str, text: &str) -> Result<(), InputError> {
    if text.chars().count() > MAX_TEXT {
        return Err(InputError {
            path: path.to_owned(),
            problem: format!("is longer than {MAX_TEXT} characters"),
        });
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(InputError {
            path: path.to_owned(),
            problem: format!(
                "contains a control character (U+{:04X}); texts may not",
                c as u32
            ),
        });
    }
    Ok(())
}

/// A Finnish business ID (Y-tunnus): `NNNNNNN-C`, where C is 0 when the digits weighted by
/// 7, 9, 10, 5, 8, 4, 2 sum to a multiple of 11, otherwise 11 minus the remainder; a
/// remainder of 1 is never issued.
pub fn is_business_id(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 9
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 7 || c.is_ascii_digit())
    {
        return false;
    }
    business_id_check_digit(&b[..7]) == Some(b[8] - b'0')
}

/// The check digit of a business ID's seven digits (ASCII): the digits weighted by
/// 7, 9, 10, 5, 8, 4, 2, summed modulo 11; 0 stays 0, otherwise 11 minus the remainder;
/// `None` for a remainder of 1, which is never issued.
pub fn business_id_check_digit(digits: &[u8]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip([7u32, 9, 10, 5, 8, 4, 2])
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match sum % 11 {
        0 => Some(0),
        1 => None,
        r => Some(11 - r as u8),
    }
}

/// An ISCO-08 code as Polku writes it: `ISCO-` and one to four digits.
pub fn is_isco_code(text: &str) -> bool {
    text.strip_prefix("ISCO-")
        .is_some_and(|d| (1..=4).contains(&d.len()) && d.bytes().all(|c| c.is_ascii_digit()))
}

/// Parses `YYYY-MM-DD` strictly (no times, no other shapes).
pub fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 || text.as_bytes()[4] != b'-' || text.as_bytes()[7] != b'-' {
        return None;
    }
    text.parse().ok()
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The part of an application document that is not the registers': every field whose
/// origin is not [`Origin::Register`], and nothing else (no `evidence`, no provenance).
/// The pipeline starts from this, so whatever a register did not answer stays unknown.
pub fn without_register_facts(value: &Value) -> Value {
    fields_from(value, |o| o != Origin::Register)
}

/// The fields of `value` whose origin `keep` accepts, in the input schema's shape; nothing
/// else (no provenance, no unknown names).
pub fn fields_from(value: &Value, keep: impl Fn(Origin) -> bool) -> Value {
    let mut out = Value::Object(Map::new());
    for field in FIELDS.iter().filter(|f| keep(f.origin)) {
        let mut at = value;
        let mut found = true;
        for part in field.path.split('.') {
            match at.get(part) {
                Some(v) => at = v,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found && !at.is_null() {
            put_path(&mut out, field.path, at.clone());
        }
    }
    out
}

/// Sets `value` at a dotted `path`, making the objects on the way.
pub fn put_path(root: &mut Value, path: &str, value: Value) {
    let mut at = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Some(object) = at.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            object.insert(part.to_owned(), value);
            return;
        }
        at = object
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
    }
}

/// The input schema as JSON Schema (draft 2020-12): an application with its evidence, as
/// the rules read it.
pub fn json_schema() -> Value {
    schema_of(
        |_| true,
        "Polku application with its evidence",
        "application.json",
    )
}

/// What an applicant may submit as JSON Schema: only the fields an applicant alone can
/// tell ([`Origin::Applicant`]); the registers supply the rest.
pub fn submission_schema() -> Value {
    schema_of(
        |f| f.origin == Origin::Applicant,
        "What an applicant submits",
        "submission.json",
    )
}

fn schema_of(keep: impl Fn(&Field) -> bool, title: &str, id: &str) -> Value {
    let mut root = Group::default();
    for field in FIELDS.iter().filter(|f| keep(f)) {
        let parts: Vec<&str> = field.path.split('.').collect();
        root.insert(&parts, field_schema(field));
    }
    let Value::Object(mut schema) = root.to_json("") else {
        return Value::Null;
    };
    schema.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    schema.insert(
        "$id".into(),
        json!(format!("https://polku.example/schemas/{id}")),
    );
    schema.insert("title".into(), json!(title));
    schema.insert(
        "description".into(),
        json!(
            "Every field may be absent or null: the rules then treat it as unknown, never as false."
        ),
    );
    Value::Object(schema)
}

/// One object level of the schema while it is being built.
#[derive(Default)]
struct Group {
    fields: Map<String, Value>,
    groups: std::collections::BTreeMap<String, Group>,
}

impl Group {
    fn insert(&mut self, parts: &[&str], schema: Value) {
        match parts {
            [] => {}
            [name] => {
                self.fields.insert((*name).to_owned(), schema);
            }
            [group, rest @ ..] => self
                .groups
                .entry((*group).to_owned())
                .or_default()
                .insert(rest, schema),
        }
    }

    fn to_json(&self, path: &str) -> Value {
        let mut properties = self.fields.clone();
        for (name, group) in &self.groups {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            properties.insert(name.clone(), group.to_json(&child));
        }
        let mut object = json!({"type": "object", "additionalProperties": false});
        if let Some(register) = path
            .strip_prefix("evidence.")
            .and_then(|k| REGISTERS.iter().find(|r| r.key == k))
        {
            object["description"] = json!(register.name);
            for (name, doc) in PROVENANCE {
                let mut p =
                    json!({"type": ["string", "null"], "description": doc, "maxLength": MAX_TEXT});
                if *name == "fetched_at" {
                    p["format"] = json!("date-time");
                }
                properties.insert((*name).to_owned(), p);
            }
        }
        object["properties"] = Value::Object(properties);
        object
    }
}

fn field_schema(field: &Field) -> Value {
    let mut s = match field.ty {
        FieldType::Bool => json!({"type": ["boolean", "null"]}),
        FieldType::Number => json!({"type": ["number", "null"]}),
        FieldType::Date => json!({"type": ["string", "null"], "format": "date"}),
        FieldType::Text => json!({"type": ["string", "null"]}),
        FieldType::OneOf(values) => {
            let mut all: Vec<Value> = values.iter().map(|v| json!(v)).collect();
            all.push(Value::Null);
            json!({ "enum": all })
        }
    };
    match (field.ty, field.check) {
        (_, Check::Range { min, max }) => {
            s["minimum"] = number_json(min);
            s["maximum"] = number_json(max);
        }
        (_, Check::BusinessId) => s["pattern"] = json!("^[0-9]{7}-[0-9]$"),
        (_, Check::OccupationalField) => s["pattern"] = json!("^ISCO-[0-9]{1,4}$"),
        (_, Check::Municipality) => s["pattern"] = json!("^[0-9]{3}$"),
        (_, Check::Dwelling) => {
            s["pattern"] = json!("^1[0-9]{8}[0-9A-Z]( [A-Za-z0-9]+( [A-Za-z0-9]+)*)?$")
        }
        (_, Check::FirstOfMonth) => s["pattern"] = json!("^[0-9]{4}-[0-9]{2}-01$"),
        (FieldType::Text, Check::Free) => {
            s["maxLength"] = json!(MAX_TEXT);
            s["pattern"] = json!("^[^\\u0000-\\u001F\\u007F-\\u009F]*$");
        }
        _ => {}
    }
    if field.ty == FieldType::Date {
        s["formatMinimum"] = json!(EARLIEST_DATE.to_string());
        s["formatMaximum"] = json!(LATEST_DATE.to_string());
    }
    let origin = match field.origin {
        Origin::Applicant => "",
        Origin::Register => " Fetched from a register; never taken from the applicant.",
        Origin::Service => " Set by the service.",
    };
    s["description"] = json!(format!("{}{origin}", field.doc));
    s
}

/// The catalogue as a Markdown table, for `docs/input-schema.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| field | type | supplied by | meaning |\n|---|---|---|---|\n");
    for f in FIELDS {
        let mut ty = match f.ty {
            FieldType::OneOf(values) => format!("one of {}", values.join(", ")),
            other => other.name().to_owned(),
        };
        match f.check {
            Check::Range { min, max } => {
                ty.push_str(&format!(", {} to {}", number_json(min), number_json(max)))
            }
            Check::Past => ty.push_str(", not in the future"),
            Check::BusinessId => ty.push_str(", a business ID with its check digit"),
            Check::OccupationalField => ty.push_str(", `ISCO-` and 1–4 digits"),
            Check::Municipality => ty.push_str(", three digits"),
            Check::Dwelling => ty.push_str(", a building's VTJ-PRT and the apartment"),
            Check::FirstOfMonth => ty.push_str(", the first day of a month"),
            Check::Free => {}
        }
        let origin = match f.origin {
            Origin::Applicant => "applicant",
            Origin::Register => "register",
            Origin::Service => "service",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            f.path, ty, origin, f.doc
        ));
    }
    out.push_str("\nEvery `evidence.<register>` object may also carry its provenance:\n\n| field | meaning |\n|---|---|\n");
    for (name, doc) in PROVENANCE {
        out.push_str(&format!("| `{name}` | {doc} |\n"));
    }
    out.push_str("\n| register key | register |\n|---|---|\n");
    for r in REGISTERS {
        out.push_str(&format!("| `{}` | {} |\n", r.key, r.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_provenance() {
        let app = Application::from_json(&json!({
            "applicant": {"date_of_birth": "1990-02-03"},
            "evidence": {"incomes": {"source": "Incomes Register", "fetched_at": "2025-05-01T10:00:00Z",
                                     "monthly_gross_pay_avg_eur": 1700}}
        }))
        .unwrap();
        let slot = field_index("evidence.incomes.monthly_gross_pay_avg_eur").unwrap();
        assert_eq!(app.get(slot), Some(&FieldValue::Number(1700.0)));
        assert_eq!(
            app.provenance("incomes").unwrap().source.as_deref(),
            Some("Incomes Register")
        );
    }

    #[test]
    fn refuses_unknown_names_and_wrong_types_naming_the_field() {
        let err =
            Application::from_json(&json!({"applicant": {"birthday": "1990-01-01"}})).unwrap_err();
        assert_eq!(err.path, "applicant.birthday");
        let err = Application::from_json(&json!({"family": {"adults": "two"}})).unwrap_err();
        assert_eq!(err.path, "family.adults");
        assert!(err.problem.contains("number"));
        let err = Application::from_json(&json!({"applicant": {"date_of_birth": "1.2.1990"}}))
            .unwrap_err();
        assert!(err.problem.contains("calendar date"));
        let err = Application::from_json(&json!({"application": {"kind": "renewal"}})).unwrap_err();
        assert!(err.problem.contains("first, extension"));
    }

    #[test]
    fn refuses_implausible_values_naming_the_field() {
        let refused = |doc: Value| Application::from_json(&doc).unwrap_err();
        let e = refused(json!({"evidence": {"agreements": {"minimum_monthly_pay_eur": -1}}}));
        assert_eq!(e.path, "evidence.agreements.minimum_monthly_pay_eur");
        assert!(e.problem.contains("outside the plausible range"), "{e}");
        let e = refused(json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1e308}}}));
        assert_eq!(e.path, "evidence.incomes.monthly_gross_pay_avg_eur");
        let e = refused(json!({"applicant": {"date_of_birth": "1899-12-31"}}));
        assert!(e.problem.contains("plausible date"), "{e}");
        let e = refused(json!({"evidence": {"incomes": {"fetched_at": "9999-99-99T99:99:99Z"}}}));
        assert_eq!(e.path, "evidence.incomes.fetched_at");
        let e = refused(json!({"application": {"employment": {"employer_id": "9000004-6\u{0}"}}}));
        assert_eq!(e.path, "application.employment.employer_id");
        let e = refused(json!({"application": {"employment": {"employer_id": "Nokia"}}}));
        assert!(e.problem.contains("business ID"), "{e}");
        // A wrong check digit.
        assert!(!is_business_id("9000004-7"));
        let e = refused(json!({"application": {"employment": {"occupational_field": "siivooja"}}}));
        assert!(e.problem.contains("ISCO-08"), "{e}");
        let e = refused(json!({"evidence": {"security": {"source": "x\ny"}}}));
        assert!(e.problem.contains("control character"), "{e}");
        let e = refused(json!({"application": {"kind": "a".repeat(MAX_TEXT + 1)}}));
        assert_eq!(e.path, "application.kind");
        // What is plausible still reads.
        let ok = Application::from_json(&json!({"application": {"employment": {
            "employer_id": "9000004-6", "occupational_field": "ISCO-2"}}}));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn monthly_pay_reports_read_with_their_month_as_its_first_day() {
        let app = Application::from_json(&json!({"evidence": {"incomes": {
            "latest_month_gross_pay_eur": 1580.5,
            "previous_month_gross_pay_eur": 1620,
            "latest_report_month": "2025-04-01"}}}))
        .unwrap();
        let slot = field_index("evidence.incomes.latest_report_month").unwrap();
        assert_eq!(
            app.get(slot),
            Some(&FieldValue::Date(Date::constant(2025, 4, 1)))
        );
        let e = Application::from_json(
            &json!({"evidence": {"incomes": {"latest_report_month": "2025-04-15"}}}),
        )
        .unwrap_err();
        assert_eq!(e.path, "evidence.incomes.latest_report_month");
        assert!(e.problem.contains("2025-04-01"), "{e}");
        let e = Application::from_json(
            &json!({"evidence": {"incomes": {"previous_month_gross_pay_eur": -1}}}),
        )
        .unwrap_err();
        assert_eq!(e.path, "evidence.incomes.previous_month_gross_pay_eur");
        let schema = json_schema();
        let month = &schema["properties"]["evidence"]["properties"]["incomes"]["properties"]["latest_report_month"];
        assert_eq!(month["pattern"], "^[0-9]{4}-[0-9]{2}-01$");
        // Register-supplied: never the applicant's to give.
        let e = Application::from_submission(
            &json!({"evidence": {"incomes": {"latest_month_gross_pay_eur": 2000}}}),
            Date::constant(2025, 5, 1),
        )
        .unwrap_err();
        assert_eq!(e.path, "evidence");
    }

    #[test]
    fn dwellings_are_a_building_identifier_and_an_apartment() {
        for good in [
            "100012345A",
            "100012345A A 12",
            "123456789Z B 3 a",
            "1000123459",
        ] {
            assert!(is_dwelling(good), "{good}");
        }
        for bad in [
            "",
            "200012345A",
            "10001234A",
            "100012345a",
            "100012345A ",
            "100012345A  A 12",
            "100012345A A 123456789",
            "100012345A A-12",
            "Mannerheimintie 1",
        ] {
            assert!(!is_dwelling(bad), "{bad}");
        }
    }

    #[test]
    fn business_ids_follow_the_check_digit_rule() {
        // Weights 7 9 10 5 8 4 2 over 0737546: 0+63+30+35+40+16+12 = 196; 196 % 11 = 9; 11 - 9 = 2.
        assert!(is_business_id("0737546-2"));
        assert!(!is_business_id("0737546-3"));
        assert!(!is_business_id("0737546 2"));
        assert!(!is_business_id("737546-2"));
    }

    #[test]
    fn a_submission_carries_only_what_the_applicant_alone_can_tell() {
        let today = Date::constant(2026, 11, 29);
        let e = Application::from_submission(
            &json!({"evidence": {"criminal_records": {"disqualifying_entries": false}}}),
            today,
        )
        .unwrap_err();
        assert_eq!(e.path, "evidence");
        for (doc, path) in [
            (
                json!({"applicant": {"nordic_citizen": true}}),
                "applicant.nordic_citizen",
            ),
            (
                json!({"applicant": {"family_member_of_finnish_citizen": true}}),
                "applicant.family_member_of_finnish_citizen",
            ),
            (json!({"family": {"adults": 1}}), "family.adults"),
            (
                json!({"application": {"submitted_on": "2024-06-01"}}),
                "application.submitted_on",
            ),
        ] {
            let e = Application::from_submission(&doc, today).unwrap_err();
            assert_eq!(e.path, path, "{e}");
            assert!(e.problem.contains("not the applicant's"), "{e}");
        }
        let ok = Application::from_submission(
            &json!({"application": {"kind": "extension", "employment": {"employer_id": "9000004-6"}}}),
            today,
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn dates_in_the_past_and_fetch_times_are_checked_against_the_day() {
        let today = Date::constant(2026, 11, 29);
        let app =
            Application::from_json(&json!({"applicant": {"date_of_birth": "2026-11-30"}})).unwrap();
        assert_eq!(
            app.check_at(today).unwrap_err().path,
            "applicant.date_of_birth"
        );
        let app =
            Application::from_json(&json!({"applicant": {"date_of_birth": "2026-11-29"}})).unwrap();
        assert!(app.check_at(today).is_ok());
        let app = Application::from_json(
            &json!({"evidence": {"sis": {"fetched_at": "2026-12-01T00:00:00Z"}}}),
        )
        .unwrap();
        assert_eq!(
            app.check_at(today).unwrap_err().path,
            "evidence.sis.fetched_at"
        );
    }

    #[test]
    fn null_means_unknown() {
        let app = Application::from_json(&json!({"family": {"adults": null}})).unwrap();
        assert_eq!(app.get(field_index("family.adults").unwrap()), None);
    }

    #[test]
    fn schema_lists_every_field() {
        let schema = json_schema();
        let text = schema.to_string();
        for f in FIELDS {
            assert!(
                text.contains(f.path.rsplit('.').next().unwrap()),
                "{}",
                f.path
            );
        }
        assert_eq!(
            schema["properties"]["evidence"]["properties"]["incomes"]["properties"]["fetched_at"]["type"]
                [0],
            "string"
        );
    }
}
