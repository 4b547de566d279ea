//! The registers as the pipeline meets them: the X-Road client against the served
//! simulators across a real socket, evidence gathered into decisions, flags that stop
//! automation, and silent registers that never turn into a refusal.

use std::sync::Arc;
use std::time::Duration;

use polku_audit::AuditLog;
use polku_cases::testing::TestDb;
use polku_cases::{Actor, CaseState, NewApplication, Pipeline, Processed};
use polku_registers::xroad::POLKU_CLIENT;
use polku_registers::*;
use polku_rules::RuleBook;
use polku_simulators::population::{Matter, Person, person_id};
use polku_simulators::xroad_server::{self, AccessRights, ClientRight};
use polku_simulators::*;

/// The audit chain in the test's database (where the disclosures are logged).
fn audit(store: &polku_cases::Cases) -> polku_audit::AuditChain {
    polku_audit::AuditChain::new(store.db().clone())
}

fn rules() -> Arc<RuleBook> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    Arc::new(RuleBook::load_dir(&dir).unwrap())
}

fn population() -> Arc<Population> {
    Arc::new(Population::generate(2026, 3_000))
}

/// The credential the test registers issue to Polku's client.
const CREDENTIAL: &str = "polku_r_test-credential";

/// Serves the simulators on a free loopback port, as `polku registers serve` does, to
/// Polku's client alone.
async fn serve(sim: Simulator) -> String {
    serve_with(sim, AccessRights::everything_for(POLKU_CLIENT, CREDENTIAL)).await
}

async fn serve_with(sim: Simulator, access: AccessRights) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, xroad_server::router(sim, access))
            .await
            .unwrap();
    });
    format!("http://{addr}")
}

/// Polku's client of the registers at `base`.
fn polku_client(base: String) -> XRoadClient {
    XRoadClient::new(base).with_identity(POLKU_CLIENT, CREDENTIAL)
}

fn ask(key: String) -> Ask {
    Ask {
        key,
        user_id: "test".into(),
        issue: "case-1".into(),
    }
}

#[tokio::test]
async fn every_client_gets_over_the_socket_what_the_simulator_holds() {
    let sim = Simulator::new(population(), Behaviour::default());
    let client = polku_client(serve(sim.clone()).await);
    let pop = sim.population.clone();
    for p in pop.persons.iter().take(25) {
        let a = ask(person_id(p.index));
        // Each system's record must arrive unchanged; provenance is the client's own.
        macro_rules! same {
            ($method:ident) => {{
                let direct = sim.$method(&a).await.unwrap();
                let remote = client.$method(&a).await.unwrap();
                assert_eq!(remote.record, direct.record, "{}", stringify!($method));
                assert_eq!(remote.source, direct.source);
                assert!(!remote.request_id.is_empty());
            }};
        }
        same!(person);
        same!(permits);
        same!(incomes);
        same!(records);
        same!(debts);
        same!(statement);
        same!(hits);
        same!(movements);
        same!(alerts);
        same!(visas);
        same!(results);
        same!(studies);
        if let Some(e) = p.employer {
            let a = ask(pop.employers[e as usize].business_id());
            let direct = sim.company(&a).await.unwrap();
            assert_eq!(client.company(&a).await.unwrap().record, direct.record);
        }
    }
    // No record is a 404, which the client reports as such.
    let missing = client.person(&ask("sim-9999999".into())).await;
    assert!(
        matches!(missing, Err(RegisterError::NotFound { .. })),
        "{missing:?}"
    );
}

/// The population register finds persons by name (any order, the start of each name, in
/// Latin letters or the native script) and by personal identity code, over the socket too.
#[tokio::test]
async fn the_population_register_finds_persons_by_name_and_identity_code() {
    let sim = Simulator::new(population(), Behaviour::default());
    let client = polku_client(serve(sim.clone()).await);
    let pop = sim.population.clone();
    let resident = pop
        .persons
        .iter()
        .find(|p| pop.identity_code(p).is_some())
        .expect("a resident with a whole date of birth");
    let name = sim
        .person(&ask(person_id(resident.index)))
        .await
        .unwrap()
        .record
        .name;
    // Family name first, given name cut short, other case.
    let given_start: String = name
        .given
        .split_whitespace()
        .next()
        .unwrap()
        .chars()
        .take(3)
        .collect();
    let words = format!(
        "{} {}",
        name.family.to_uppercase(),
        given_start.to_lowercase()
    );
    let found = client.find(&ask(words.clone())).await.unwrap().record;
    assert!(
        found
            .persons
            .iter()
            .any(|f| f.person == person_id(resident.index)),
        "{words}: {found:?}"
    );
    assert!(found.persons.len() <= PERSONS_FOUND_MAX);
    for f in &found.persons {
        let all = format!("{} {}", f.name.given, f.name.family).to_lowercase();
        assert!(all.contains(&name.family.to_lowercase()), "{f:?}");
    }
    // The identity code finds exactly its person, whatever the letter case.
    let code = pop.identity_code(resident).unwrap();
    assert_eq!(code.len(), 11);
    let by_code = client.find(&ask(code.to_lowercase())).await.unwrap().record;
    assert_eq!(by_code.persons.len(), 1, "{by_code:?}");
    assert_eq!(by_code.persons[0].person, person_id(resident.index));
    assert_eq!(
        by_code.persons[0].personal_identity_code.as_deref(),
        Some(code.as_str())
    );
    // Codes are unique in the population, and their check characters right.
    let mut codes: Vec<String> = pop
        .persons
        .iter()
        .filter_map(|p| pop.identity_code(p))
        .collect();
    let n = codes.len();
    assert!(n > 1000, "{n}");
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n);
    // A name no one has finds no one.
    let none = client
        .find(&ask("Zzyzx Qwerty".into()))
        .await
        .unwrap()
        .record;
    assert!(none.persons.is_empty() && !none.more);
}

/// A provider answers a client only the services its access rights list for it.
#[tokio::test]
async fn a_client_gets_only_the_services_its_access_rights_list() {
    let access = AccessRights {
        clients: vec![ClientRight {
            id: "FI-SIM/GOV/sim-kela/etuudet".into(),
            token_sha256: xroad_server::sha256_hex("polku_r_kela"),
            services: vec![System::Population.service().into()],
        }],
    };
    let base = serve_with(Simulator::new(population(), Behaviour::default()), access).await;
    let kela = XRoadClient::new(base).with_identity("FI-SIM/GOV/sim-kela/etuudet", "polku_r_kela");
    assert!(kela.person(&ask(person_id(1))).await.is_ok());
    let refused = kela.records(&ask(person_id(1))).await;
    assert!(
        matches!(&refused, Err(RegisterError::Protocol { detail, .. }) if detail.starts_with("403")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_served_registers_demand_the_exchange_headers_and_report_outages() {
    let sim = Simulator::new(population(), Behaviour::default());
    let base = serve(sim).await;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
    let uri = format!("{base}/r1/{}/sim-0000001", System::Population.service());
    let bare = http.get(uri.parse().unwrap()).await.unwrap();
    assert_eq!(bare.status(), 400, "no X-Road-Client");
    // Who asks is proved by the credential, not claimed by a header.
    let ask_as = |client: &str, token: Option<&str>, service: System| {
        let mut req = hyper::Request::get(format!("{base}/r1/{}/sim-0000001", service.service()))
            .header("X-Road-Client", client)
            .header("X-Road-Id", "m-1");
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        http.request(req.body(http_body_util::Empty::new()).unwrap())
    };
    let anyone = ask_as(POLKU_CLIENT, None, System::Population)
        .await
        .unwrap();
    assert_eq!(anyone.status(), 401, "no credential");
    let guess = ask_as(POLKU_CLIENT, Some("polku_r_guess"), System::Population)
        .await
        .unwrap();
    assert_eq!(guess.status(), 401, "a credential no client has");
    let pretender = ask_as(
        "FI-SIM/GOV/sim-poliisi/vitja",
        Some(CREDENTIAL),
        System::Population,
    )
    .await
    .unwrap();
    assert_eq!(
        pretender.status(),
        403,
        "a header that disagrees with the credential"
    );
    let polku = ask_as(POLKU_CLIENT, Some(CREDENTIAL), System::Population)
        .await
        .unwrap();
    assert_eq!(polku.status(), 200);

    let down = Simulator::new(
        population(),
        Behaviour {
            latency: Duration::ZERO,
            failure_rate: 1.0,
        },
    );
    let client = polku_client(serve(down).await);
    let r = client.person(&ask(person_id(1))).await;
    assert!(matches!(r, Err(RegisterError::Unavailable { .. })), "{r:?}");
}

/// Files `p`'s own application (what they would type) and runs the pipeline on it.
async fn file_and_decide<R: Registers>(
    db: &TestDb,
    pop: &Population,
    p: &Person,
    registers: R,
) -> (uuid::Uuid, Option<Processed>) {
    let store = &db.store;
    let rules = rules();
    let new = NewApplication {
        matter: p.matter.id().to_owned(),
        applicant_id: person_id(p.index),
        application_date: jiff::civil::date(2026, 3, 2),
        application: pop.application(p),
        deadline: None,
    };
    let id = store
        .submit(&new, &Actor::Person("applicant".into()))
        .await
        .unwrap();
    let evidence = RegisterEvidence::new(registers, audit(store), &rules);
    let pipeline = Pipeline::new(store.clone(), rules, evidence, "w");
    let mut last = None;
    for _ in 0..polku_cases::EVIDENCE_ATTEMPTS {
        match pipeline.run_once().await {
            Ok(done) => {
                last = done;
                break;
            }
            Err(_) => db.raw("UPDATE jobs SET run_after = 0").await,
        }
    }
    (id, last)
}

async fn decisions_follow_the_registers_and_flags_go_to_a_person(db: &TestDb) {
    let pop = population();
    let sim = Simulator::new(pop.clone(), Behaviour::default());
    let employed: Vec<&Person> = pop
        .persons
        .iter()
        .filter(|p| p.matter == Matter::EmployedExtension)
        .take(60)
        .collect();
    let mut grants = 0;
    for p in &employed {
        let (id, done) = file_and_decide(db, &pop, p, sim.clone()).await;
        assert!(matches!(done, Some(Processed::Decided { .. })), "{done:?}");
        let case = db.store.case(id).await.unwrap();
        let reason = db.store.history(id).await.unwrap().pop().unwrap().reason;
        let flagged = p.security_flag || p.sis_alert || p.entry_ban || p.criminal_disqualifying;
        if flagged {
            assert_eq!(
                case.state,
                CaseState::Referred,
                "a flag goes to a person: {p:?}"
            );
        }
        if p.security_flag {
            assert!(
                reason
                    .as_deref()
                    .unwrap()
                    .contains("no-security-flag not_met")
            );
        }
        if p.sis_alert || p.entry_ban {
            assert!(
                reason
                    .as_deref()
                    .unwrap()
                    .contains("no-entry-ban-or-alert not_met")
            );
        }
        if case.state == CaseState::Decided {
            grants += 1;
            assert!(!flagged);
            // The evidence as used names its register, request and time.
            let d = &db.store.decisions(id).await.unwrap()[0];
            for group in [
                "incomes",
                "criminal_records",
                "security",
                "sis",
                "trade_register",
            ] {
                let e = &d.input["evidence"][group];
                assert!(e["source"].is_string(), "{group}: {e}");
                assert!(e["request_id"].is_string() && e["fetched_at"].is_string());
            }
        }
    }
    assert!(grants > employed.len() / 2, "most are granted: {grants}");
    // Every answer received is in the disclosure log.
    let chain = audit(&db.store).verify().await.unwrap();
    assert_eq!(chain.first_break, None);
    assert!(
        audit(&db.store).count(AuditLog::Disclosure).await.unwrap() >= employed.len() as i64 * 5
    );
}
polku_cases::on_every_database!(
    register_decisions,
    decisions_follow_the_registers_and_flags_go_to_a_person,
    with_db
);

async fn what_the_applicant_types_does_not_outweigh_the_register(db: &TestDb) {
    let pop = population();
    // Someone whose registered pay is below the agreement's minimum…
    let p = pop
        .persons
        .iter()
        .find(|p| {
            p.matter == Matter::EmployedExtension
                && p.agreement_minimum_eur > 0
                && p.monthly_pay_eur[6..].iter().sum::<u32>() / 6 < p.agreement_minimum_eur
        })
        .unwrap();
    // …who claims a high pay in the evidence they send.
    let mut application = pop.application(p);
    application["evidence"] =
        serde_json::json!({"incomes": {"source": "applicant", "monthly_gross_pay_avg_eur": 9000}});
    let store = &db.store;
    let new = NewApplication {
        matter: p.matter.id().to_owned(),
        applicant_id: person_id(p.index),
        application_date: jiff::civil::date(2026, 3, 2),
        application,
        deadline: None,
    };
    let id = store
        .submit(&new, &Actor::Person("applicant".into()))
        .await
        .unwrap();
    let sim = Simulator::new(pop.clone(), Behaviour::default());
    let evidence = RegisterEvidence::new(sim, audit(store), rules());
    Pipeline::new(store.clone(), rules(), evidence, "w")
        .run_once()
        .await
        .unwrap();
    let d = &store.decisions(id).await.unwrap()[0];
    assert_eq!(d.input["evidence"]["incomes"]["source"], "Incomes Register");
    assert_ne!(d.outcome, polku_cases::DecisionOutcome::Grant);
}
polku_cases::on_every_database!(
    typed_evidence,
    what_the_applicant_types_does_not_outweigh_the_register,
    with_db
);

async fn a_register_that_stays_silent_makes_conditions_unknown_never_not_met(db: &TestDb) {
    let pop = population();
    let down = Simulator::new(
        pop.clone(),
        Behaviour {
            latency: Duration::ZERO,
            failure_rate: 1.0,
        },
    );
    for p in pop
        .persons
        .iter()
        .filter(|p| p.matter == Matter::Citizenship)
        .take(5)
    {
        let (id, done) = file_and_decide(db, &pop, p, down.clone()).await;
        assert!(
            matches!(
                done,
                Some(Processed::Decided {
                    outcome: polku_rules::Outcome::Refer,
                    ..
                })
            ),
            "{done:?}"
        );
        let d = &db.store.decisions(id).await.unwrap()[0];
        assert!(!d.unanswered.is_empty());
        // Not one condition is "not met" for want of an answer.
        let conditions = &d.trace.in_lang(polku_rules::Lang::En).unwrap().conditions;
        for c in conditions {
            assert_ne!(c.status, polku_cases::Shown::NotMet, "{c:?}");
        }
        assert!(
            conditions
                .iter()
                .any(|c| c.status == polku_cases::Shown::Unknown)
        );
        let case = db.store.case(id).await.unwrap();
        assert_eq!(case.state, CaseState::Referred, "a person takes it");
        let reason = db
            .store
            .history(id)
            .await
            .unwrap()
            .pop()
            .unwrap()
            .reason
            .unwrap();
        assert!(reason.starts_with("registers did not answer"), "{reason}");
    }
}
polku_cases::on_every_database!(
    silent_registers,
    a_register_that_stays_silent_makes_conditions_unknown_never_not_met,
    with_db
);

#[tokio::test]
async fn the_pipeline_gathers_over_the_exchange_layer_too() {
    let db = TestDb::sqlite().await;
    let pop = population();
    let base = serve(Simulator::new(pop.clone(), Behaviour::default())).await;
    let p = pop
        .persons
        .iter()
        .find(|p| p.matter == Matter::FamilyExtension)
        .unwrap();
    let (id, done) = file_and_decide(&db, &pop, p, polku_client(base)).await;
    assert!(matches!(done, Some(Processed::Decided { .. })), "{done:?}");
    let d = &db.store.decisions(id).await.unwrap()[0];
    assert_eq!(
        d.input["evidence"]["population"]["source"],
        "Population Information System"
    );
    db.finish().await;
}

/// Files `application` for `p` as the store would hold it (past the API's checks, as a
/// tamperer or an old record might) and decides it with every register silent.
async fn typed_facts_with_silent_registers(db: &TestDb) {
    let pop = population();
    let down = Simulator::new(
        pop.clone(),
        Behaviour {
            latency: Duration::ZERO,
            failure_rate: 1.0,
        },
    );
    let p = pop
        .persons
        .iter()
        .find(|p| p.matter == Matter::Citizenship)
        .unwrap();
    let mut application = pop.application(p);
    application["applicant"] =
        serde_json::json!({"nordic_citizen": true, "date_of_birth": "1990-01-01"});
    application["family"] = serde_json::json!({"adults": 1, "children": 0});
    application["evidence"] = serde_json::json!({
        "criminal_records": {"disqualifying_entries": false, "pending_investigation": false},
        "security": {"open_flag": false, "objection": false},
        "population": {"residence_years": 30},
    });
    let new = NewApplication {
        matter: p.matter.id().to_owned(),
        applicant_id: person_id(p.index),
        application_date: jiff::civil::date(2026, 3, 2),
        application,
        deadline: None,
    };
    let id = db
        .store
        .submit(&new, &Actor::Person("applicant".into()))
        .await
        .unwrap();
    let rules = rules();
    let evidence = RegisterEvidence::new(down, audit(&db.store), &rules);
    let pipeline = Pipeline::new(db.store.clone(), rules, evidence, "w");
    for _ in 0..polku_cases::EVIDENCE_ATTEMPTS {
        if pipeline.run_once().await.is_ok() {
            break;
        }
        db.raw("UPDATE jobs SET run_after = 0").await;
    }
    let d = &db.store.decisions(id).await.unwrap()[0];
    // Nothing the applicant typed for a register stands in for the silent registers.
    assert_eq!(d.input.get("evidence"), None, "{}", d.input);
    assert_eq!(d.input.get("applicant"), None, "{}", d.input);
    assert_eq!(d.input.get("family"), None, "{}", d.input);
    assert_ne!(d.outcome, polku_cases::DecisionOutcome::Grant);
}
polku_cases::on_every_database!(
    typed_facts_silent,
    typed_facts_with_silent_registers,
    with_db
);

#[tokio::test]
async fn the_population_register_tells_the_family_nationality_and_municipality() {
    let db = TestDb::sqlite().await;
    let pop = population();
    let base = serve(Simulator::new(pop.clone(), Behaviour::default())).await;
    let p = pop
        .persons
        .iter()
        .find(|p| p.matter == Matter::FamilyExtension && p.permit != population::PermitKind::None)
        .unwrap();
    let (id, _) = file_and_decide(&db, &pop, p, polku_client(base)).await;
    let d = &db.store.decisions(id).await.unwrap()[0];
    assert_eq!(d.input["family"]["adults"], p.adults);
    assert_eq!(d.input["family"]["children"], p.children);
    assert_eq!(d.input["applicant"]["nordic_citizen"], false);
    assert_eq!(
        d.input["applicant"]["family_member_of_finnish_citizen"],
        p.spouse_finnish_citizen
    );
    let code = d.input["evidence"]["population"]["municipality_code"]
        .as_str()
        .unwrap();
    assert!(
        population::MUNICIPALITIES
            .iter()
            .any(|(c, _, _)| *c == code),
        "{code}"
    );
    db.finish().await;
}
