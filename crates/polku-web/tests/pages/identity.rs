//! The identity pages as a handler meets them: the queue names what waits, the oldest
//! first; a link shows the two records side by side and the evidence field by field in
//! words; a verdict needs a choice and reasons, is saved once and then stands; a person's
//! page tells their records, links and history — in three languages, with no code on any
//! of them, every read in the use log, and no page for a role that has no business there.

use axum::http::StatusCode;
use polku_access::Role;
use polku_audit::Actor;
use polku_cases::testing::TestDb;
use polku_identity::RawRecord;
use polku_persons::{Acting, NewRecord, Persons};

use crate::monitoring::{no_code, use_log_purposes};
use crate::support::{Site, form_csrf, official, site};

fn register(s: &mut Site) -> Persons {
    let persons = Persons::shipped(s.state.store.clone()).unwrap();
    s.state.persons = Some(persons.clone());
    s.app = polku_web::router(s.state.clone());
    persons
}

fn record(id: &str, source: &str, given: &str, dob: &str, doc: &str, native: &str) -> NewRecord {
    NewRecord {
        record: RawRecord {
            record_id: id.to_owned(),
            source: source.to_owned(),
            given_names: given.to_owned(),
            family_name: "Karimi".to_owned(),
            name_native: native.to_owned(),
            date_of_birth: dob.to_owned(),
            sex: "M".to_owned(),
            nationality: "AFG".to_owned(),
            document_type: if doc.is_empty() { "" } else { "P" }.to_owned(),
            document_number: doc.to_owned(),
            ..RawRecord::default()
        }
        .checked()
        .unwrap(),
        subject: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_compares_two_records_and_gives_a_verdict_that_stands() {
    let db = TestDb::sqlite().await;
    let mut s = site(&db);
    let persons = register(&mut s);
    let machine = Acting {
        actor: Actor::Machine,
        purpose: "page tests".to_owned(),
    };
    let first = persons
        .register(
            &record(
                "as-1",
                "asylum-registration",
                "Ahmad Shah",
                "1990-03-14",
                "P1234567",
                "احمد شاه کریمی",
            ),
            &machine,
        )
        .await
        .unwrap();
    // The same passport under another date of birth: yellow.
    let second = persons
        .register(
            &record("po-1", "police", "Ahmad Shah", "1992-11-02", "P1234567", ""),
            &machine,
        )
        .await
        .unwrap();
    assert_eq!(second.links.len(), 1);

    let handler = official(&s, "hanna", Role::CaseHandler).await;
    let fi = format!("{handler}; polku_lang=fi");
    let work = s.call("GET", "/work", &fi, None).await;
    assert!(
        work.body
            .contains("Henkilöllisyysjono (1 tarkistettavaa linkkiä)"),
        "{}",
        work.body
    );
    let queue = s.call("GET", "/work/identity", &fi, None).await;
    no_code("the identity queue (fi)", &queue);
    assert!(queue.body.contains("Tarkistettavia linkkejä: 1."));
    assert!(queue.body.contains("Ahmad Shah Karimi (احمد شاه کریمی), syntynyt 14.3.1990 (Turvapaikkahakemuksen rekisteröinti)"), "{}", queue.body);
    let uri = format!("/work/identity/links/{}/{}", first.seq, second.seq);
    assert!(queue.body.contains(&uri));

    for (lang, words) in [
        (
            "fi",
            [
                "Ovatko nämä tietueet sama henkilö?",
                "Keltainen: henkilön tarkistettava",
                "eroaa",
                "vastaan, ",
            ],
        ),
        (
            "sv",
            [
                "Är de här posterna samma person?",
                "Gul: ska kontrolleras av en person",
                "skiljer sig",
                "emot, ",
            ],
        ),
        (
            "en",
            [
                "Are these records one person?",
                "Yellow: to be checked by a person",
                "differs",
                "against, ",
            ],
        ),
    ] {
        let page = s
            .call("GET", &uri, &format!("{handler}; polku_lang={lang}"), None)
            .await;
        no_code(&format!("a link ({lang})"), &page);
        for w in words {
            assert!(page.body.contains(w), "{lang}: no `{w}`: {}", page.body);
        }
    }
    let en = format!("{handler}; polku_lang=en");
    let page = s.call("GET", &uri, &en, None).await;
    assert!(page.body.contains("14 March 1990") && page.body.contains("2 November 1992"));
    assert!(page.body.contains("P1234567 (passport)"));
    assert!(page.body.contains("the same names, in any order"));

    // No choice, or no reasons: refused with what to do, nothing saved.
    let csrf = form_csrf(&page.body);
    let action = format!("{uri}/verdict");
    let none = s
        .call(
            "POST",
            &action,
            &en,
            Some(&format!("csrf={csrf}&reasons=seen")),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Choose white, green or red."));
    let bare = s
        .call(
            "POST",
            &action,
            &en,
            Some(&format!("csrf={csrf}&verdict=red&reasons=+")),
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.body.contains("Write the reasons for your verdict."));
    let forged = s
        .call(
            "POST",
            &action,
            &en,
            Some("csrf=forged&verdict=red&reasons=x"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(persons.open_links(10).await.unwrap().1, 1);

    // Red, with reasons: saved, and it stands.
    let done = s
        .call(
            "POST",
            &action,
            &en,
            Some(&format!(
                "csrf={csrf}&verdict=red&reasons=The+same+fingerprints+under+two+dates+of+birth"
            )),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = s
        .call("GET", done.location.as_deref().unwrap(), &en, None)
        .await;
    no_code("a judged link", &after);
    assert!(after.body.contains("Your verdict is saved: Red"));
    assert!(
        after
            .body
            .contains("This link has been judged. The verdict stands.")
    );
    assert!(!after.body.contains("name=\"verdict\""));
    let again = s
        .call(
            "POST",
            &action,
            &en,
            Some(&format!("csrf={csrf}&verdict=green&reasons=no")),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("their verdict stands"));

    // The person's page: the red link stops automatic decisions, and the history says why.
    let person = s
        .call(
            "GET",
            &format!("/work/identity/persons/{}", first.person),
            &en,
            None,
        )
        .await;
    no_code("a person's identity", &person);
    assert!(person.body.contains("Red links: 1."), "{}", person.body);
    assert!(person.body.contains("hanna") || person.body.contains("judged a link"));
    let sv = s
        .call(
            "GET",
            &format!("/work/identity/persons/{}", first.person),
            &format!("{handler}; polku_lang=sv"),
            None,
        )
        .await;
    no_code("a person's identity (sv)", &sv);
    assert!(sv.body.contains("Röda länkar: 1."));
    let missing = s
        .call("GET", "/work/identity/persons/PID-9999999", &en, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Every read is in the use log, with its purpose.
    let purposes = use_log_purposes(&s).await;
    for p in [
        "identity links listed for checking",
        "identity link read for checking",
        "a person's identity read",
    ] {
        assert!(purposes.iter().any(|x| x == p), "no `{p}` in {purposes:?}");
    }

    // The case page of the applicant the red link concerns leads to their identity.
    let mut own = record(
        "pa-1",
        "permit-application",
        "Ahmad Shah",
        "1990-03-14",
        "",
        "",
    );
    own.subject = Some("sim-0000007".to_owned());
    let applicant = persons.register(&own, &machine).await.unwrap();
    assert_eq!(applicant.person, first.person, "{:?}", applicant.links);
    let case = crate::support::referred_case(&s, "sim-0000007").await;
    let case_page = s
        .call("GET", &format!("/work/cases/{case}"), &en, None)
        .await;
    assert!(
        case_page
            .body
            .contains(&format!("href=\"/work/identity/persons/{}\"", first.person)),
        "{}",
        case_page.body
    );
    assert!(case_page.body.contains("Red links: 1."));
    // The case is the person's: their page lists it, under the applicant id it was filed.
    assert_eq!(
        s.state.store.case(case).await.unwrap().person_id,
        Some(first.person)
    );
    let person = s
        .call(
            "GET",
            &format!("/work/identity/persons/{}", first.person),
            &en,
            None,
        )
        .await;
    assert!(
        person
            .body
            .contains(&format!("href=\"/work/cases/{case}\"")),
        "{}",
        person.body
    );
    assert!(
        person.body.contains(
            "residence permit for an employed person, filed 1 May 2025: With a case handler"
        ),
        "{}",
        person.body
    );
    no_code("a person's identity with their cases", &person);

    // A security authority flags the person: the case shows that a flag exists, its kind,
    // whose it is and whom to ask, until when — and no flag before it.
    assert!(
        case_page
            .body
            .contains("No security authority has a flag in force on the person.")
    );
    let exchange = polku_exchange::Exchange::new(s.state.store.clone());
    let supo = polku_exchange::Raiser {
        actor: Actor::Person("supo-liaison".into()),
        authority: polku_exchange::Authority::SecurityIntelligenceService,
    };
    exchange
        .keep_contact_point(
            &polku_exchange::ContactPoint {
                id: "supo-permits".into(),
                organisation: polku_exchange::Authority::SecurityIntelligenceService,
                name_fi: "Lupa-asioiden yhteyspiste".into(),
                name_sv: "Kontaktpunkten för tillstånd".into(),
                name_en: "Permit matters contact point".into(),
                email: "permits@supo.example.invalid".into(),
                languages: vec!["fi".into(), "en".into()],
                hours: "Mon–Fri 8–16".into(),
            },
            &supo.actor,
        )
        .await
        .unwrap();
    let until = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(60))
        .unwrap();
    exchange
        .raise(
            &polku_exchange::NewFlag {
                person: first.person,
                kind: polku_exchange::FlagKind::NationalSecurity,
                contact_point: "supo-permits".into(),
                legal_basis: "UlkL 36 §".into(),
                expires_on: until,
            },
            &supo,
        )
        .await
        .unwrap();
    let flagged = s
        .call("GET", &format!("/work/cases/{case}"), &en, None)
        .await;
    assert!(
        flagged.body.contains(&format!(
            "National security, the Finnish Security and Intelligence Service: contact Permit matters contact point (permits@supo.example.invalid), in force until {}",
            until.strftime("%-d %B %Y")
        )),
        "{}",
        flagged.body
    );
    assert!(
        !flagged.body.contains("UlkL 36"),
        "the basis is the flagging authority's"
    );
    // The flags' lines carry no code: no kind's or authority's code, no contact point's id.
    let section = |body: &str| {
        let from = body.find("id=\"case-flags\"").unwrap();
        let to = from + body[from..].find("</dd>").unwrap();
        body[from..to].to_owned()
    };
    for code in ["national_security", "supo-permits", ">supo", "PID-"] {
        assert!(
            !section(&flagged.body).contains(code),
            "`{code}` on the page"
        );
    }
    let fi = s
        .call(
            "GET",
            &format!("/work/cases/{case}"),
            &format!("{handler}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(
        fi.body.contains(
            "Kansallinen turvallisuus, suojelupoliisi: yhteyspiste Lupa-asioiden yhteyspiste"
        ),
        "{}",
        fi.body
    );
    assert!(!section(&fi.body).contains("national_security"));

    // An analyst has no business here.
    let analyst = official(&s, "aino", Role::Analyst).await;
    let denied = s.call("GET", "/work/identity", &analyst, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_register_the_pages_say_so() {
    let db = TestDb::sqlite().await;
    let s = site(&db);
    let handler = official(&s, "hanna", Role::CaseHandler).await;
    let page = s
        .call(
            "GET",
            "/work/identity",
            &format!("{handler}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body
            .contains("The identity register is not in use on this server.")
    );
    db.finish().await;
}
