//! Texts in Finnish, Swedish and English: Fluent message files under `locales/`, built
//! into the binary. Every key exists in all three (a test walks the templates and the
//! code for every key used).

use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use polku_rules::Lang;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fi",
        // Fluent wraps placeables in Unicode isolation marks by default; in HTML they
        // are invisible noise for screen readers and copy-paste.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FI: LanguageIdentifier = langid!("fi");
static SV: LanguageIdentifier = langid!("sv");
static EN: LanguageIdentifier = langid!("en");

/// The texts of one language, as templates use them (`tr.t(…)` with a message key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    fn id(&self) -> &'static LanguageIdentifier {
        match self.lang {
            Lang::Fi => &FI,
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The text of `key`, if there is one.
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.id(), key)
    }

    /// The text of `key` with one named value filled in.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.t_with(key, &[(name, value)])
    }

    /// The text of `key` with named values filled in.
    pub fn t_with(&self, key: &str, values: &[(&str, &str)]) -> String {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = values
            .iter()
            .map(|(k, v)| ((*k).to_owned().into(), (*v).to_owned().into()))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// The two-letter code, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}
