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
}

/// A register whose answer is evidence: `evidence.<key>` holds its fields plus the
/// provenance every answer carries (`source`, `request_id`, `fetched_at`).
pub struct Register {
    pub key: &'static str,
    pub name: &'static str,
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
    },
    Register {
        key: "population",
        name: "Population Information System (VTJ)",
    },
    Register {
        key: "permits",
        name: "Immigration Service case register (earlier permits)",
    },
    Register {
        key: "incomes",
        name: "Incomes Register",
    },
    Register {
        key: "benefits",
        name: "Kela and municipal social assistance (benefit periods)",
    },
    Register {
        key: "criminal_records",
        name: "Criminal records and police information systems",
    },
    Register {
        key: "security",
        name: "Finnish Security and Intelligence Service statement",
    },
    Register {
        key: "sis",
        name: "Schengen Information System",
    },
    Register {
        key: "tax",
        name: "Tax Administration",
    },
    Register {
        key: "enforcement",
        name: "Enforcement Authority (public payments and maintenance in arrears)",
    },
    Register {
        key: "trade_register",
        name: "Trade Register (YTJ)",
    },
    Register {
        key: "studies",
        name: "Higher-education study register",
    },
    Register {
        key: "education",
        name: "Degree register",
    },
    Register {
        key: "funds",
        name: "Bank statement submitted and verified",
    },
    Register {
        key: "language",
        name: "Language test register (YKI) and accepted certificates",
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
    ($( $path:literal : $ty:expr => $doc:literal ),* $(,)?) => {
        &[ $( Field { path: $path, ty: $ty, doc: $doc } ),* ]
    };
}

use FieldType::{Bool, Date as D, Number, OneOf, Text};

/// The catalogue, in the order of the docs table. A field's slot is its index here; slots
/// live only in memory (applications travel as JSON by path), so the order may change.
pub const FIELDS: &[Field] = fields![
    "application.matter": Text => "The rule-set id of the matter applied for, e.g. `fi.residence-permit.employed.extension`.",
    "application.kind": OneOf(KINDS) => "`first` permit or `extension`.",
    "application.permit_type": OneOf(PERMIT_TYPES) => "The permit applied for.",
    "application.submitted_on": D => "The day the application was filed.",
    "application.employment.employer_id": Text => "Business ID of the employer named in the application.",
    "application.employment.occupational_field": Text => "Occupational field of the work (ISCO-08 major group or a field code).",
    "application.employment.monthly_gross_pay_eur": Number => "Gross monthly pay under the employment contract, €.",
    "application.employment.collective_agreement_applies": Bool => "A generally binding or otherwise applicable collective agreement covers the work.",
    "application.employment.collective_agreement_min_pay_eur": Number => "The minimum gross monthly pay of that collective agreement for this work, €.",
    "application.employment.contract_months": Number => "Length of a fixed-term employment contract in months.",
    "application.employment.permanent_contract": Bool => "The employment contract is for an indefinite period.",
    "application.qualification.higher_education_degree": Bool => "The applicant holds a higher-education degree (at least three years of study).",
    "application.qualification.professional_experience_years": Number => "Years of relevant professional experience.",
    "application.study.monthly_grant_eur": Number => "A grant or scholarship paid to the student per month, €.",
    "application.study.degree_studies": Bool => "The studies lead to a degree in Finland.",
    "applicant.date_of_birth": D => "Date of birth as registered.",
    "applicant.family_member_of_finnish_citizen": Bool => "The applicant is a family member of a Finnish citizen (spouse, minor child, guardian of a minor).",
    "applicant.nordic_citizen": Bool => "The applicant is a citizen of Denmark, Iceland, Norway or Sweden.",
    "applicant.spouse_of_finnish_citizen": Bool => "The applicant is married to (or in a registered partnership with) a Finnish citizen and they live together.",
    "applicant.stateless": Bool => "The applicant has no nationality.",
    "applicant.refugee_or_subsidiary_protection": Bool => "The applicant has refugee status or subsidiary protection in Finland.",
    "family.adults": Number => "Adults in the family whose support the income must cover (sponsor and applicant included).",
    "family.children": Number => "Minor children in that family.",
    "evidence.identity.established": Bool => "The applicant's identity is established (verified document, enrolled biometrics, no open identity conflict).",
    "evidence.identity.unresolved_conflict": Bool => "Identity resolution found records that may be another identity of the same person.",
    "evidence.population.resident_in_finland": Bool => "The population information system has the person as resident in Finland.",
    "evidence.permits.current_permit_type": OneOf(&["A", "B", "P"]) => "Kind of the permit now held: continuous (A), temporary (B) or permanent (P).",
    "evidence.permits.previous_employer_id": Text => "Business ID of the employer on the permit now held.",
    "evidence.permits.previous_occupational_field": Text => "Occupational field on the permit now held.",
    "evidence.permits.continuous_residence_years_a": Number => "Years of continuous residence in Finland on A permits, counted as the law counts them.",
    "evidence.population.family_relationship_continues": Bool => "The family relationship the permit rests on is still registered (marriage, registered or cohabiting partnership, custody) and the family lives together.",
    "evidence.population.residence_years": Number => "Years of residence in Finland counted for citizenship (permitted absences deducted).",
    "evidence.incomes.monthly_gross_pay_avg_eur": Number => "Average gross monthly pay reported in the last six months, €.",
    "evidence.incomes.household_monthly_net_income_eur": Number => "The family's average net monthly income available in Finland, €.",
    "evidence.incomes.annual_earned_income_eur": Number => "Earned income in the previous calendar year, €.",
    "evidence.incomes.employment_years": Number => "Years in employment or self-employment during residence in Finland.",
    "evidence.incomes.employer_id": Text => "Business ID of the employer in the latest pay report.",
    "evidence.benefits.unemployment_or_social_assistance_months_24m": Number => "Months in the last 24 on unemployment benefit, labour-market subsidy or social assistance.",
    "evidence.criminal_records.disqualifying_entries": Bool => "Entries that are grounds for refusal (UlkL 36 §) or stand in the way of integrity.",
    "evidence.criminal_records.pending_investigation": Bool => "A pending criminal investigation or charge.",
    "evidence.security.objection": Bool => "The security service's statement objects (reasons withheld).",
    "evidence.security.open_flag": Bool => "A security authority has an open flag on the person.",
    "evidence.sis.alert": Bool => "A Schengen alert for refusal of entry, return or arrest.",
    "evidence.sis.entry_ban": Bool => "A national or Schengen entry ban in force.",
    "evidence.tax.unpaid_taxes": Bool => "Taxes in arrears.",
    "evidence.enforcement.unpaid_public_payments": Bool => "Public payments or maintenance in arrears with enforcement.",
    "evidence.trade_register.employer_active": Bool => "The employer is registered and active.",
    "evidence.trade_register.employer_bankrupt": Bool => "The employer is in bankruptcy or liquidation.",
    "evidence.studies.enrolled": Bool => "Registered as attending for the coming term.",
    "evidence.studies.credits_last_year": Number => "ECTS credits completed in the last twelve months.",
    "evidence.education.finnish_masters_degree": Bool => "A master's or doctoral degree completed or recognised in Finland.",
    "evidence.funds.available_eur": Number => "Funds at the applicant's disposal, €.",
    "evidence.language.finnish_speaking": OneOf(CEFR_LEVELS) => "Best Finnish speaking subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_writing": OneOf(CEFR_LEVELS) => "Best Finnish writing subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_reading": OneOf(CEFR_LEVELS) => "Best Finnish reading subtest result: a CEFR level, or `none`.",
    "evidence.language.finnish_listening": OneOf(CEFR_LEVELS) => "Best Finnish listening subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_speaking": OneOf(CEFR_LEVELS) => "Best Swedish speaking subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_writing": OneOf(CEFR_LEVELS) => "Best Swedish writing subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_reading": OneOf(CEFR_LEVELS) => "Best Swedish reading subtest result: a CEFR level, or `none`.",
    "evidence.language.swedish_listening": OneOf(CEFR_LEVELS) => "Best Swedish listening subtest result: a CEFR level, or `none`.",
];

/// The slot of a field, by its dotted path.
pub fn field_index(path: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.path == path)
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
                self.slots[slot] = Some(read_value(&path, FIELDS[slot].ty, value)?);
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

fn read_value(path: &str, ty: FieldType, value: &Value) -> Result<FieldValue, InputError> {
    let wrong = |expected: &str| InputError {
        path: path.to_owned(),
        problem: format!("must be {expected}, found {}", json_kind(value)),
    };
    match ty {
        FieldType::Bool => value
            .as_bool()
            .map(FieldValue::Bool)
            .ok_or_else(|| wrong("true or false")),
        FieldType::Number => match value.as_f64() {
            Some(n) if n.is_finite() => Ok(FieldValue::Number(n)),
            _ => Err(wrong("a number")),
        },
        FieldType::Date => {
            let text = value.as_str().ok_or_else(|| wrong("a date YYYY-MM-DD"))?;
            parse_date(text)
                .map(FieldValue::Date)
                .ok_or_else(|| InputError {
                    path: path.to_owned(),
                    problem: format!("`{text}` is not a calendar date YYYY-MM-DD"),
                })
        }
        FieldType::Text => value
            .as_str()
            .map(|s| FieldValue::Text(s.to_owned()))
            .ok_or_else(|| wrong("a text")),
        FieldType::OneOf(allowed) => {
            let text = value.as_str().ok_or_else(|| wrong("a text"))?;
            if allowed.contains(&text) {
                Ok(FieldValue::Text(text.to_owned()))
            } else {
                Err(InputError {
                    path: path.to_owned(),
                    problem: format!("`{text}` is not one of {}", allowed.join(", ")),
                })
            }
        }
    }
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

/// The input schema as JSON Schema (draft 2020-12).
pub fn json_schema() -> Value {
    let mut root = Group::default();
    for field in FIELDS {
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
        json!("https://polku.example/schemas/application.json"),
    );
    schema.insert("title".into(), json!("Polku application with its evidence"));
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
                properties.insert(
                    (*name).to_owned(),
                    json!({"type": ["string", "null"], "description": doc}),
                );
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
    s["description"] = json!(field.doc);
    s
}

/// The catalogue as a Markdown table, for `docs/input-schema.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| field | type | meaning |\n|---|---|---|\n");
    for f in FIELDS {
        let ty = match f.ty {
            FieldType::OneOf(values) => format!("one of {}", values.join(", ")),
            other => other.name().to_owned(),
        };
        out.push_str(&format!("| `{}` | {} | {} |\n", f.path, ty, f.doc));
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
