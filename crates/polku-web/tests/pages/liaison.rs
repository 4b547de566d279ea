//! The security liaison's page as they meet it: their authority's flags, a form to raise
//! one naming their own contact point, renewal and clearing — in three languages, with no
//! code on the page; a form that does not fit says what to do and writes nothing; no
//! other role sees the page, and the authority is the signed-in official's.

use axum::http::StatusCode;
use polku_access::Role;
use polku_audit::Actor;
use polku_cases::testing::TestDb;
use polku_exchange::{Authority, ContactPoint, Exchange};
use polku_identity::RawRecord;
use polku_persons::{Acting, NewRecord, Persons};

use crate::monitoring::no_code;
use crate::support::{form_csrf, official, official_of, site};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_raises_renews_and_clears_a_flag() {
    let db = TestDb::sqlite().await;
    let mut s = site(&db);
    let persons = Persons::shipped(s.state.store.clone()).unwrap();
    s.state.persons = Some(persons.clone());
    s.app = polku_web::router(s.state.clone());
    let record = RawRecord {
        record_id: "as-1".into(),
        source: "asylum-registration".into(),
        given_names: "Ahmad Shah".into(),
        family_name: "Karimi".into(),
        date_of_birth: "1990-03-14".into(),
        nationality: "AFG".into(),
        ..RawRecord::default()
    }
    .checked()
    .unwrap();
    let machine = Acting {
        actor: Actor::Machine,
        purpose: "page tests".into(),
    };
    let person = persons
        .register(
            &NewRecord {
                record,
                subject: None,
            },
            &machine,
        )
        .await
        .unwrap()
        .person;
    let exchange = Exchange::new(s.state.store.clone());
    exchange
        .keep_contact_point(
            &ContactPoint {
                id: "supo-permits".into(),
                organisation: Authority::SecurityIntelligenceService,
                name_fi: "Lupa-asioiden yhteyspiste".into(),
                name_sv: "Kontaktpunkten för tillstånd".into(),
                name_en: "Permit matters contact point".into(),
                email: "permits@supo.example.invalid".into(),
                languages: vec!["fi".into(), "en".into()],
                hours: "Mon–Fri 8–16".into(),
            },
            &Actor::Machine,
        )
        .await
        .unwrap();
    let liaison = official_of(&s, "sanna", Role::SecurityLiaison, "Suojelupoliisi").await;
    let en = format!("{liaison}; polku_lang=en");
    let page = s.call("GET", "/liaison/flags", &en, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("the Finnish Security and Intelligence Service has raised")
    );
    assert!(page.body.contains("Your authority has raised no flags."));
    assert!(
        page.body
            .contains("<option value=\"national_security\">National security</option>")
    );
    assert!(page.body.contains(">Permit matters contact point</option>"));
    no_code("the liaison's flags", &page);
    let csrf = form_csrf(&page.body);
    let until = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(30))
        .unwrap();
    let raise = |person: &str, until: &str| {
        format!(
            "csrf={csrf}&person={person}&kind=national_security&contact_point=supo-permits&legal_basis=UlkL+36+%C2%A7&expires_on={until}"
        )
    };

    // What does not fit is said, and nothing is written.
    for (body, says) in [
        (
            raise("PID-9999999", &until.to_string()),
            "There is no such person in the identity register.",
        ),
        (
            raise("Ahmad", &until.to_string()),
            "There is no such person in the identity register.",
        ),
        (
            raise(&person.to_string(), "2020-01-01"),
            "Give the last day as a date from today to a year ahead.",
        ),
        (
            raise(&person.to_string(), "soon"),
            "Give the last day as a date from today to a year ahead.",
        ),
        (
            raise(&person.to_string(), &until.to_string())
                .replace("supo-permits", "police-immigration"),
            "Choose one of your authority&#39;s contact points.",
        ),
    ] {
        let refused = s.call("POST", "/liaison/flags", &en, Some(&body)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(refused.body.contains(says), "{body}: {}", refused.body);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM flags").await, 0);
    let forged = s
        .call(
            "POST",
            "/liaison/flags",
            &en,
            Some(&raise(&person.to_string(), &until.to_string()).replace(&csrf, "forged")),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let raised = s
        .call(
            "POST",
            "/liaison/flags",
            &en,
            Some(&raise(&person.to_string(), &until.to_string())),
        )
        .await;
    assert_eq!(
        raised.location.as_deref(),
        Some("/liaison/flags?done=raised"),
        "{}",
        raised.body
    );
    let page = s.call("GET", "/liaison/flags?done=raised", &en, None).await;
    assert!(page.body.contains("The flag is raised."));
    assert!(page.body.contains(&format!("National security: {person}")));
    assert!(page.body.contains(&until.strftime("%-d %B %Y").to_string()));
    assert!(page.body.contains("In force"));
    no_code("the liaison's flags with one", &page);
    let flag = exchange
        .flags_of(Authority::SecurityIntelligenceService, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(flag.person, person);

    // Renewed, then cleared.
    let later = until.checked_add(jiff::Span::new().days(30)).unwrap();
    let renewed = s
        .call(
            "POST",
            &format!("/liaison/flags/{}/renew", flag.id),
            &en,
            Some(&format!("csrf={csrf}&expires_on={later}")),
        )
        .await;
    assert_eq!(
        renewed.location.as_deref(),
        Some("/liaison/flags?done=renewed")
    );
    let clear = format!("/liaison/flags/{}/clear", flag.id);
    let empty = s
        .call("POST", &clear, &en, Some(&format!("csrf={csrf}&reason=+")))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Give the reason"), "{}", empty.body);
    let cleared = s
        .call(
            "POST",
            &clear,
            &en,
            Some(&format!("csrf={csrf}&reason=closed")),
        )
        .await;
    assert_eq!(
        cleared.location.as_deref(),
        Some("/liaison/flags?done=cleared")
    );
    let again = s
        .call(
            "POST",
            &clear,
            &en,
            Some(&format!("csrf={csrf}&reason=again")),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("The flag was cleared already."));

    // Finnish and Swedish.
    let fi = s
        .call(
            "GET",
            "/liaison/flags",
            &format!("{liaison}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(fi.body.contains("Kansallinen turvallisuus"));
    assert!(fi.body.contains("Poistettu"));
    no_code("the liaison's flags (fi)", &fi);
    let sv = s
        .call(
            "GET",
            "/liaison/flags",
            &format!("{liaison}; polku_lang=sv"),
            None,
        )
        .await;
    assert!(sv.body.contains("Borttagen"));
    no_code("the liaison's flags (sv)", &sv);

    // The liaison keeps a contact point of their own; another authority's id is refused,
    // and a field that does not fit is named in words.
    let keep = |id: &str, email: &str| {
        format!(
            "csrf={csrf}&id={id}&name_fi=Vastatiedustelu&name_sv=Kontraspionage&name_en=Counter-intelligence&email={email}&fi=yes&en=yes&hours=Mon%E2%80%93Fri+9%E2%80%9315"
        )
    };
    let bad = s
        .call(
            "POST",
            "/liaison/contact-points",
            &en,
            Some(&keep("supo-ci", "not-an-address")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Give an e-mail address."), "{}", bad.body);
    let kept = s
        .call(
            "POST",
            "/liaison/contact-points",
            &en,
            Some(&keep("supo-ci", "ci%40supo.example.invalid")),
        )
        .await;
    assert_eq!(
        kept.location.as_deref(),
        Some("/liaison/flags?done=kept"),
        "{}",
        kept.body
    );
    exchange
        .keep_contact_point(
            &ContactPoint {
                id: "police-immigration".into(),
                organisation: Authority::Police,
                name_fi: "Ulkomaalaisvalvonta".into(),
                name_sv: "Utlänningsövervakning".into(),
                name_en: "Aliens control".into(),
                email: "aliens@police.example.invalid".into(),
                languages: vec!["fi".into()],
                hours: "24/7".into(),
            },
            &Actor::Machine,
        )
        .await
        .unwrap();
    let taken = s
        .call(
            "POST",
            "/liaison/contact-points",
            &en,
            Some(&keep("police-immigration", "x%40supo.example.invalid")),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken
            .body
            .contains("Another authority has a contact point with this id.")
    );

    // Every official finds the contact points, and can search them.
    let handler = official(&s, "hanna", Role::CaseHandler).await;
    let all = s
        .call(
            "GET",
            "/contact-points",
            &format!("{handler}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("Contact points: 3"), "{}", all.body);
    assert!(all.body.contains("Counter-intelligence"));
    assert!(all.body.contains("Finnish, English"));
    no_code("the contact points", &all);
    let found = s
        .call(
            "GET",
            "/contact-points?q=aliens",
            &format!("{handler}; polku_lang=en"),
            None,
        )
        .await;
    assert!(found.body.contains("Contact points: 1"), "{}", found.body);
    assert!(found.body.contains("the Police"));
    let fi = s
        .call(
            "GET",
            "/contact-points",
            &format!("{handler}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(fi.body.contains("Vastatiedustelu") && fi.body.contains("suomi, englanti"));
    no_code("the contact points (fi)", &fi);
    let applicant = s.sign_in(&polku_simulators::population::person_id(3)).await;
    assert_eq!(
        s.call("GET", "/contact-points", &applicant, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A handler has no business here; nor has a liaison of an authority that flags no one.
    assert_eq!(
        s.call("GET", "/liaison/flags", &handler, None).await.status,
        StatusCode::FORBIDDEN
    );
    let migri = official_of(&s, "mikko", Role::SecurityLiaison, "Maahanmuuttovirasto").await;
    assert_eq!(
        s.call("GET", "/liaison/flags", &migri, None).await.status,
        StatusCode::FORBIDDEN
    );
    db.finish().await;
}
