//! The processing rules, published for anyone: every rule set's description, in three
//! languages, linking only to the web.

use std::sync::Arc;

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use polku_rules::RuleBook;
use polku_web::{WebState, router};

use crate::support::{EXTENSION, Site, crate_dir, site};

async fn the_processing_rules_are_published_for_anyone(db: &TestDb) {
    let s = site(db);
    let list = s.call("GET", "/rules", "polku_lang=en", None).await;
    assert_eq!(list.status, StatusCode::OK);
    // The six matters decided automatically, then the three monitoring sets apart.
    assert_eq!(
        list.body.matches("<a href=\"/rules/").count(),
        9,
        "{}",
        list.body
    );
    let (decided, monitoring) = list
        .body
        .split_once("Monitoring of granted permits</h2>")
        .expect("a section for the monitoring sets");
    assert!(!decided.contains("/rules/fi.monitoring."), "{decided}");
    assert_eq!(
        monitoring
            .matches("<a href=\"/rules/fi.monitoring.")
            .count(),
        3
    );
    assert!(monitoring.contains("Extended residence permit for an employed person"));
    for (lang, words) in [
        ("fi", "eikä koskaan peruuta lupaa"),
        ("en", "never cancels a permit"),
    ] {
        let page = s
            .call(
                "GET",
                "/rules/fi.monitoring.residence-permit.employed",
                &format!("polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.body.contains(words), "{lang}: {}", page.body);
        assert!(page.body.contains("UlkL 58 §"), "{}", page.body);
    }
    for (lang, word) in [("fi", "UlkL"), ("sv", "UlkL"), ("en", "UlkL")] {
        let page = s
            .call(
                "GET",
                "/rules/fi.residence-permit.employed.extension",
                &format!("polku_lang={lang}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.body.contains(&format!("lang=\"{lang}\"")));
        assert!(
            page.body.contains("<h1>"),
            "the description is rendered: {}",
            page.body
        );
        assert!(page.body.contains(word), "legal bases are cited");
    }
    let missing = s.call("GET", "/rules/fi.no-such-matter", "", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
polku_cases::on_every_database!(
    published_rules,
    the_processing_rules_are_published_for_anyone,
    with_db
);

/// A rule set's description may only link to the web, by mail or to this site: any
/// other link or image (`javascript:`, `data:` …) is its plain text on the page.
async fn a_description_links_only_to_the_web(db: &TestDb) {
    let links = "[Finlex](https://www.finlex.fi/fi/laki/ajantasa/2004/20040301) \
[the rules](/rules) [mail](mailto:kirjaamo@migri.fi) \
[steal](javascript:alert(1)) [tabbed](java&#9;script:alert(2)) [shouted](JAVASCRIPT:alert(3)) \
[spaced]( javascript:alert(4)) [page](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:x) \
<javascript:alert(5)> ![picture](javascript:alert(6)) ![logo](https://migri.fi/logo.png) \
[ref][evil]\\n\\n[evil]: javascript:alert(7)";
    let dir = crate_dir().join("../../rules");
    let mut sources = polku_rules::read_dir_sources(&dir).unwrap();
    let (_, text) = sources
        .iter_mut()
        .find(|(p, _)| p.ends_with("residence-permit-employed-extension.yaml"))
        .unwrap();
    let at = text.find("  en: The extended permit").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    text.replace_range(at..end, &format!("  en: \"See {links}\""));
    let rules = Arc::new(RuleBook::from_sources(&sources).unwrap());
    let state = WebState::new(db.store.clone(), rules.into(), None);
    let s = Site {
        app: router(state.clone()),
        state,
    };
    let page = s
        .call("GET", &format!("/rules/{EXTENSION}"), "polku_lang=en", None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for live in [
        "<a href=\"https://www.finlex.fi/fi/laki/ajantasa/2004/20040301\">Finlex</a>",
        "<a href=\"/rules\">the rules</a>",
        "<a href=\"mailto:kirjaamo@migri.fi\">mail</a>",
        "<img src=\"https://migri.fi/logo.png\" alt=\"logo\" />",
    ] {
        assert!(body.contains(live), "{live} is missing: {body}");
    }
    for text in [
        "steal", "tabbed", "shouted", "spaced", "page", "vb", "picture", "ref",
    ] {
        assert!(body.contains(text), "{text} is missing: {body}");
    }
    for dead in [
        "javascript",
        "JAVASCRIPT",
        "java\tscript",
        "data:",
        "vbscript",
    ] {
        assert!(
            !body.contains(&format!("href=\"{dead}"))
                && !body.contains(&format!("href=\" {dead}"))
                && !body.contains(&format!("src=\"{dead}")),
            "a live {dead} link: {body}"
        );
    }
    assert_eq!(
        body.matches("<a href=").count() - body.matches("<a href=\"/").count(),
        2,
        "{body}"
    );
}
polku_cases::on_every_database!(
    description_links,
    a_description_links_only_to_the_web,
    with_db
);
