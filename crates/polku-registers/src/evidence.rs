//! Evidence from the registers: the pipeline's [`EvidenceSource`] in production.
//!
//! For a case, the systems whose evidence the matter's rule set reads are asked in
//! parallel, each with a timeout and retries. Every answer goes into the application
//! under `evidence.<group>` with its source, request id and fetch time, replacing anything
//! the applicant typed for that group: the machine decides on what the registers say. A
//! system that does not answer leaves its groups out — unknown to the rules, never "not
//! met" — and is named in [`Gathered::unanswered`], so the pipeline asks again later and
//! finally hands the case to a person. Every answer received is written to the disclosure
//! log of the asking side (Information Management Act 17 §).

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use polku_audit::{Actor, AuditChain, AuditEntry, AuditLog, XRoad};
use polku_cases::LiveRules;
use polku_cases::{Case, CasePurpose, EvidenceError, EvidenceSource, Gathered, SubjectIdentity};
use polku_rules::RuleSet;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::systems::*;

/// The legal basis on which the Immigration Service obtains register data for a case.
pub const LEGAL_BASIS: &str =
    "Laki henkilötietojen käsittelystä maahanmuuttohallinnossa (615/2020)";

/// The purpose a preview's disclosures are logged with: the person's own request, in the
/// e-service, to see before filing what the registers hold about them.
pub const PREVIEW_PURPOSE: &str = "eligibility preview at the person's own request (e-service)";

/// Who asks: written into every request and the disclosure log.
pub const ASKING_ORGANISATION: &str = "Maahanmuuttovirasto";

/// Which system holds each evidence group of the input schema. `funds` is not here: the
/// applicant shows their own funds.
pub fn system_for(group: &str) -> Option<System> {
    // The inverse of `groups_of`, so the two can never disagree.
    System::ALL
        .into_iter()
        .find(|s| groups_of(*s).contains(&group))
}

/// The application's field `system` is asked by, when not by the person (the schema says).
fn asked_by(system: System) -> Option<&'static str> {
    groups_of(system).iter().find_map(|group| {
        polku_rules::schema::REGISTERS
            .iter()
            .find(|r| r.key == *group)?
            .asked_by
    })
}

/// Gathers a case's evidence from the registers `R`.
pub struct RegisterEvidence<R> {
    registers: R,
    audit: AuditChain,
    /// The rules over time: what a case's rule set reads decides which systems are asked.
    rules: LiveRules,
    pub timeout: Duration,
    /// Tries per system within one gathering (the pipeline retries the whole job later).
    pub tries: u32,
}

/// The systems a rule set reads: those holding the evidence groups its conditions read,
/// the population register when it reads what that register knows of the applicant and
/// their family (date of birth, nationality, a Finnish spouse, the family's size), and
/// the permit register for international protection.
pub fn systems_read_by(rs: &RuleSet) -> BTreeSet<System> {
    let paths: BTreeSet<&'static str> = rs
        .conditions
        .iter()
        .flat_map(|c| c.fields.iter())
        .filter_map(|slot| polku_rules::schema::FIELDS.get(*slot))
        .map(|f| f.path)
        .collect();
    let mut systems: BTreeSet<System> = paths
        .iter()
        .filter_map(|p| p.strip_prefix("evidence.")?.split('.').next())
        .filter_map(system_for)
        .collect();
    // What registers know of the applicant and their family, outside `evidence`.
    for path in &paths {
        if *path == "applicant.refugee_or_subsidiary_protection" {
            systems.insert(System::Permits);
        } else if path.starts_with("applicant.") || path.starts_with("family.") {
            systems.insert(System::Population);
        }
    }
    systems
}

impl<R: Registers> RegisterEvidence<R> {
    pub fn new(
        registers: R,
        audit: AuditChain,
        rules: impl Into<LiveRules>,
    ) -> RegisterEvidence<R> {
        RegisterEvidence {
            registers,
            audit,
            rules: rules.into(),
            timeout: Duration::from_secs(5),
            tries: 2,
        }
    }

    /// The systems to ask for `matter` filed on `date`.
    pub fn systems_for(&self, matter: &str, date: jiff::civil::Date) -> BTreeSet<System> {
        self.rules
            .on(date)
            .get(matter)
            .map(systems_read_by)
            .unwrap_or_default()
    }

    /// Asks one system, with the timeout and retries; the answer as JSON fields.
    async fn ask<T: Serialize, F: Future<Output = Result<Answer<T>, RegisterError>>>(
        &self,
        system: System,
        call: impl Fn() -> F,
    ) -> Result<Answer<Value>, RegisterError> {
        let mut last = RegisterError::Timeout {
            system: system.name(),
        };
        for attempt in 0..self.tries.max(1) {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            match tokio::time::timeout(self.timeout, call()).await {
                Ok(Ok(a)) => {
                    let record =
                        serde_json::to_value(&a.record).map_err(|e| RegisterError::Protocol {
                            system: system.name(),
                            detail: e.to_string(),
                        })?;
                    return Ok(Answer {
                        source: a.source,
                        request_id: a.request_id,
                        fetched_at: a.fetched_at,
                        record,
                    });
                }
                // No record is an answer: asking again will not make one.
                Ok(Err(e @ RegisterError::NotFound { .. })) => return Err(e),
                Ok(Err(e)) => last = e,
                Err(_) => {
                    last = RegisterError::Timeout {
                        system: system.name(),
                    }
                }
            }
        }
        Err(last)
    }

    async fn ask_system(&self, system: System, ask: &Ask) -> Result<Answer<Value>, RegisterError> {
        let r = &self.registers;
        match system {
            System::Population => self.ask(system, || r.person(ask)).await,
            System::Permits => self.ask(system, || r.permits(ask)).await,
            System::Incomes => self.ask(system, || r.incomes(ask)).await,
            System::CriminalRecords => self.ask(system, || r.records(ask)).await,
            System::Tax => self.ask(system, || r.debts(ask)).await,
            System::TradeRegister => self.ask(system, || r.company(ask)).await,
            System::Security => self.ask(system, || r.statement(ask)).await,
            System::Eurodac => self.ask(system, || r.hits(ask)).await,
            System::Ees => self.ask(system, || r.movements(ask)).await,
            System::Sis => self.ask(system, || r.alerts(ask)).await,
            System::Vis => self.ask(system, || r.visas(ask)).await,
            System::LanguageTests => self.ask(system, || r.results(ask)).await,
            System::Studies => self.ask(system, || r.studies(ask)).await,
            System::CollectiveAgreements => self.ask(system, || r.agreement(ask)).await,
            System::EmployerDeclarations => self.ask(system, || r.terms(ask)).await,
        }
    }

    fn disclosure(&self, case: &Case, system: System, answer: &Answer<Value>) -> AuditEntry {
        AuditEntry {
            log: AuditLog::Disclosure,
            actor: Actor::Machine,
            organisation: Some(system.name().to_owned()),
            person: Some(case.applicant_id.clone()),
            purpose: match case.purpose {
                CasePurpose::Preview => format!("{PREVIEW_PURPOSE} ({})", case.matter),
                _ => format!("evidence for case {} ({})", case.id, case.matter),
            },
            legal_basis: Some(LEGAL_BASIS.to_owned()),
            detail: json!({
                "direction": "received",
                "service": system.service(),
                "request_id": answer.request_id,
                "case": case.id,
            }),
            x_road: XRoad {
                client: Some(format!(
                    "FI-SIM/GOV/sim-migri/polku ({ASKING_ORGANISATION})"
                )),
                user_id: Some("polku-pipeline".to_owned()),
                issue: Some(case.id.to_string()),
            },
        }
    }
}

impl<R: Registers> EvidenceSource for RegisterEvidence<R> {
    async fn gather(&self, case: &Case) -> Result<Gathered, EvidenceError> {
        // Only what the applicant could tell stays; every register fact comes from the
        // registers below, or stays unknown when one is silent.
        let mut application = polku_rules::schema::without_register_facts(&case.application);
        let systems = self.systems_for(&case.matter, case.application_date);
        let person_ask = Ask {
            key: case.applicant_id.clone(),
            user_id: "polku-pipeline".to_owned(),
            issue: case.id.to_string(),
        };
        let asks = systems.iter().map(|&system| {
            // Most registers are asked about the person; some by what the application names
            // (the employer, the field of work).
            let key = match asked_by(system) {
                Some(path) => {
                    let pointer = format!("/{}", path.replace('.', "/"));
                    application
                        .pointer(&pointer)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }
                None => Some(person_ask.key.clone()),
            };
            let ask = key.map(|key| Ask {
                key,
                ..person_ask.clone()
            });
            async move {
                let answer = match ask {
                    Some(ask) => self.ask_system(system, &ask).await,
                    None => Err(RegisterError::NotFound {
                        system: system.name(),
                        key: "(not named in the application)".to_owned(),
                    }),
                };
                (system, answer)
            }
        });
        let answers = futures_util::future::join_all(asks).await;

        let mut unanswered = Vec::new();
        let mut disclosures = Vec::new();
        let mut subject = None;
        for (system, answer) in answers {
            match answer {
                Ok(answer) => {
                    disclosures.push(self.disclosure(case, system, &answer));
                    place(&mut application, system, &answer);
                    if system == System::Population {
                        subject = subject_of(system, &answer.record);
                    }
                }
                Err(RegisterError::NotFound { .. }) => {
                    // No record is itself an answer: the groups stay unknown, and asking
                    // again will not help, so it is not "unanswered".
                }
                Err(e) => {
                    tracing::warn!(case = %case.id, error = %e, "a register did not answer");
                    unanswered.push(system.name().to_owned());
                }
            }
        }
        // Logged before the evidence is used: a disclosure the log cannot hold is an
        // error, and the job is tried again.
        self.audit.append_all(&disclosures).await?;
        Ok(Gathered {
            application,
            unanswered,
            subject,
            person_ids: Vec::new(),
        })
    }
}

/// Who the population register says the applicant is, for identity resolution.
fn subject_of(system: System, r: &Value) -> Option<SubjectIdentity> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Some(SubjectIdentity {
        register: system.name().to_owned(),
        given_names: text(&r["name"]["given"])?,
        family_name: text(&r["name"]["family"])?,
        name_native: text(&r["name"]["native"]),
        date_of_birth: text(&r["date_of_birth"])?,
        // No nationality in the register: stateless.
        nationality: text(&r["nationality"]).unwrap_or_else(|| "XXA".to_owned()),
    })
}

/// The application's `evidence` object, made if missing. `None` only for an application
/// that is not an object, which submission never lets in.
fn evidence_object(application: &mut Value) -> Option<&mut Map<String, Value>> {
    let evidence = application
        .as_object_mut()?
        .entry("evidence")
        .or_insert_with(|| Value::Object(Map::new()));
    if !evidence.is_object() {
        *evidence = Value::Object(Map::new());
    }
    evidence.as_object_mut()
}

/// The evidence groups a system fills.
fn groups_of(system: System) -> &'static [&'static str] {
    match system {
        System::Population => &["identity", "population"],
        System::Permits => &["permits"],
        System::Incomes => &["incomes", "benefits"],
        System::CriminalRecords => &["criminal_records"],
        System::Tax => &["tax", "enforcement"],
        System::TradeRegister => &["trade_register"],
        System::Security => &["security"],
        System::Sis => &["sis"],
        System::Studies => &["studies", "education"],
        System::LanguageTests => &["language"],
        System::CollectiveAgreements => &["agreements"],
        System::EmployerDeclarations => &["employer_declaration"],
        System::Eurodac | System::Ees | System::Vis => &[],
    }
}

/// Evidence groups by name, as one system's answer fills them.
type Groups = Vec<(&'static str, Value)>;

/// Puts one answer into the application in the input schema's shape.
fn place(application: &mut Value, system: System, a: &Answer<Value>) {
    let r = &a.record;
    let groups = match system {
        System::Population => from_population(application, r),
        System::Permits => from_permits(application, r),
        System::Incomes => from_incomes(r),
        System::CriminalRecords => from_criminal_records(r),
        System::Tax => from_tax(r),
        System::TradeRegister => from_trade_register(r),
        System::Security => vec![("security", r.clone())],
        System::Sis => vec![("sis", r.clone())],
        System::Studies => from_studies(r),
        System::LanguageTests => from_language_tests(r),
        System::EmployerDeclarations => from_employer_declarations(r),
        System::CollectiveAgreements => from_collective_agreements(r),
        System::Eurodac | System::Ees | System::Vis => vec![],
    };
    if let Some(evidence) = evidence_object(application) {
        for (group, fields) in groups {
            evidence.insert(group.to_owned(), with_provenance(fields, a));
        }
    }
}

/// A group's fields with the answer's source, request id and fetch time.
fn with_provenance(fields: Value, a: &Answer<Value>) -> Value {
    let mut m = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.insert("source".into(), a.source.clone().into());
    m.insert("request_id".into(), a.request_id.clone().into());
    m.insert("fetched_at".into(), a.fetched_at.clone().into());
    Value::Object(m)
}

/// What the population register knows of the applicant and their family.
fn from_population(application: &mut Value, r: &Value) -> Groups {
    use polku_rules::schema::put_path;
    // A partial date (`1990-00-00`) is not a date: unknown.
    if let Some(d) = r["date_of_birth"]
        .as_str()
        .and_then(polku_rules::schema::parse_date)
    {
        put_path(application, "applicant.date_of_birth", d.to_string().into());
    }
    let nationality = r["nationality"].as_str();
    put_path(
        application,
        "applicant.stateless",
        nationality.is_none().into(),
    );
    put_path(
        application,
        "applicant.nordic_citizen",
        matches!(nationality, Some("DNK" | "ISL" | "NOR" | "SWE")).into(),
    );
    put_path(
        application,
        "applicant.spouse_of_finnish_citizen",
        r["spouse_finnish_citizen"].clone(),
    );
    // A Finnish spouse is the family tie to a Finnish citizen the register holds.
    put_path(
        application,
        "applicant.family_member_of_finnish_citizen",
        r["spouse_finnish_citizen"].clone(),
    );
    put_path(application, "family.adults", r["family_adults"].clone());
    put_path(application, "family.children", r["children"].clone());
    let mut population = json!({
        "resident_in_finland": r["resident_in_finland"],
        "residence_years": r["residence_years"],
        "family_relationship_continues": r["family_relationship_continues"],
        "family_tie": r["family_tie"],
    });
    if let Some(code) = r["address"]["municipality_code"].as_str() {
        population["municipality_code"] = code.into();
    }
    vec![
        (
            "identity",
            json!({
                "established": r["identity_established"],
                "unresolved_conflict": r["unresolved_identity_conflict"],
            }),
        ),
        ("population", population),
    ]
}

fn from_permits(application: &mut Value, r: &Value) -> Groups {
    polku_rules::schema::put_path(
        application,
        "applicant.refugee_or_subsidiary_protection",
        r["international_protection"].clone(),
    );
    let mut m = Map::new();
    for k in [
        "current_permit_type",
        "previous_employer_id",
        "previous_occupational_field",
        "sponsor_permit_type",
        "sponsor_permit_valid_until",
    ] {
        if !r[k].is_null() {
            m.insert(k.into(), r[k].clone());
        }
    }
    m.insert(
        "continuous_residence_years_a".into(),
        r["continuous_residence_years_a"].clone(),
    );
    vec![("permits", Value::Object(m))]
}

fn from_incomes(r: &Value) -> Groups {
    let mut incomes = json!({
        "monthly_gross_pay_avg_eur": r["monthly_gross_pay_avg_6m_eur"],
        "household_monthly_net_income_eur": r["household_monthly_net_income_eur"],
        "annual_earned_income_eur": r["annual_earned_income_eur"],
        "employment_years": r["employment_years"],
    });
    for key in ["employer_id", "occupational_field", "employment_ends"] {
        if let Some(v) = r[key].as_str() {
            incomes[key] = v.into();
        }
    }
    vec![
        ("incomes", incomes),
        (
            "benefits",
            json!({
                "unemployment_or_social_assistance_months_24m": r["benefit_months_24m"],
                "unemployment_or_social_assistance_months_36m": r["benefit_months_36m"],
                "household_benefit_months_24m": r["household_benefit_months_24m"],
                "kela_card": r["kela_card"],
            }),
        ),
    ]
}

fn from_criminal_records(r: &Value) -> Groups {
    let mut record = r.clone();
    // None is no sentence: the field is absent, not unknown-by-null.
    if let Some(o) = record.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    vec![("criminal_records", record)]
}

fn from_tax(r: &Value) -> Groups {
    vec![
        (
            "tax",
            json!({"unpaid_taxes": r["unpaid_taxes_eur"].as_u64().unwrap_or(0) > 0}),
        ),
        (
            "enforcement",
            json!({"unpaid_public_payments": r["unpaid_public_payments"]}),
        ),
    ]
}

fn from_trade_register(r: &Value) -> Groups {
    vec![(
        "trade_register",
        json!({"employer_active": r["active"], "employer_bankrupt": r["bankrupt"]}),
    )]
}

fn from_studies(r: &Value) -> Groups {
    let mut studies = json!({
        "enrolled": r["enrolled"],
        "credits_last_year": r["credits_last_year"],
        "degree_programme": r["degree_programme"],
        "scholarship_eur_month": r["scholarship_eur_month"],
        "tuition_fee_unpaid_eur": r["tuition_fee_unpaid_eur"],
    });
    if let Some(end) = r["expected_end"].as_str() {
        studies["expected_end"] = end.into();
    }
    vec![
        ("studies", studies),
        (
            "education",
            json!({
                "finnish_masters_degree": r["finnish_masters_degree"],
                "higher_education_degree": r["higher_education_degree"],
            }),
        ),
    ]
}

fn from_language_tests(r: &Value) -> Groups {
    let mut m = Map::new();
    for lang in ["finnish", "swedish"] {
        for sub in ["speaking", "writing", "reading", "listening"] {
            m.insert(format!("{lang}_{sub}"), r[lang][sub].clone());
        }
    }
    vec![("language", Value::Object(m))]
}

fn from_employer_declarations(r: &Value) -> Groups {
    let mut terms = json!({
        "monthly_gross_pay_eur": r["monthly_gross_pay_eur"],
        "permanent_contract": r["permanent_contract"],
    });
    if !r["contract_months"].is_null() {
        terms["contract_months"] = r["contract_months"].clone();
    }
    vec![("employer_declaration", terms)]
}

fn from_collective_agreements(r: &Value) -> Groups {
    vec![(
        "agreements",
        json!({
            "generally_binding": r["generally_binding"],
            "minimum_monthly_pay_eur": r["minimum_monthly_pay_eur"],
        }),
    )]
}
