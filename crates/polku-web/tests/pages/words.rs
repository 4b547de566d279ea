//! No code reaches a reader: every page a person uses, in Finnish, Swedish and English,
//! shows no status or outcome code, field path, condition id or raw value.

use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::monitoring::visible_text;
use crate::support::{decided_case, official, referred_case, site};

/// The words of a page that look like code, with the page's text around them.
fn code_in(text: &str, rule_ids: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    // A value written as Rust debugs it; "Some" alone is an English word.
    for debug in ["Some(", "None)"] {
        if text.contains(debug) {
            found.push(debug.to_owned());
        }
    }
    for word in text.split(|c: char| c.is_whitespace() || "()[]{},;:“”\"'«»".contains(c)) {
        let w = word.trim_end_matches('.');
        let looks_like_code = (w.contains('_') && w.chars().any(|c| c.is_ascii_lowercase()))
            || w.starts_with("evidence.")
            || w.starts_with("application.")
            || ["null", "true", "false", "refuse", "grant"].contains(&w)
            || rule_ids.iter().any(|id| id == w);
        if looks_like_code {
            found.push(w.to_owned());
        }
    }
    found
}

async fn no_page_shows_code_in_any_language(db: &TestDb) {
    let s = site(db);
    let decided = decided_case(&s, &person_id(40)).await;
    let referred = referred_case(&s, &person_id(41)).await;
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    let anna = official(&s, "anna", Role::Analyst).await;
    let aino = official(&s, "aino", Role::Auditor).await;
    let me = s.sign_in(&person_id(40)).await;
    let rules =
        polku_rules::RuleBook::load_dir(&crate::support::crate_dir().join("../../rules")).unwrap();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for set in rules.iter() {
        rule_ids.extend(set.conditions.iter().map(|c| c.id.clone()));
        // The published descriptions name figures by their titles, not their keys.
        keys.extend(set.parameters.iter().map(|p| p.name.clone()));
        keys.push(set.id.clone());
    }
    rule_ids.extend(keys.iter().cloned());
    let published: Vec<String> = rules
        .iter()
        .map(|set| format!("/rules/{}", set.id))
        .collect();
    let mut leaks = Vec::new();
    for lang in ["fi", "sv", "en"] {
        for (path, who) in [
            ("/".to_owned(), &me),
            ("/my/cases".to_owned(), &me),
            (format!("/my/cases/{decided}"), &me),
            ("/my/apply".to_owned(), &me),
            ("/my/contact".to_owned(), &me),
            ("/work".to_owned(), &hanna),
            (format!("/work/cases/{referred}"), &hanna),
            ("/rules".to_owned(), &hanna),
            ("/dashboard".to_owned(), &anna),
            ("/audit".to_owned(), &aino),
        ]
        .into_iter()
        .chain(published.iter().map(|p| (p.clone(), &me)))
        {
            // The published descriptions are prose: a condition id that is a plain phrase
            // ("means-of-support") may be a phrase there; keys with dots may not.
            let ids: &[String] = if path.starts_with("/rules/") {
                &keys
            } else {
                &rule_ids
            };
            let r = s
                .call("GET", &path, &format!("{who}; polku_lang={lang}"), None)
                .await;
            let text = visible_text(&r.body);
            let code = code_in(&text, ids);
            if !code.is_empty() {
                leaks.push(format!("{path} in {lang}: {code:?}"));
            }
        }
    }
    assert!(leaks.is_empty(), "code on the pages:\n{}", leaks.join("\n"));
}
polku_cases::on_every_database!(no_code, no_page_shows_code_in_any_language, with_db);
