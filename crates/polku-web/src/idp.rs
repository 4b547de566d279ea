//! The test identity provider's people: whom `/identify` offers to sign in as, and the
//! name an applicant account is opened under. The pages do not know where these people
//! come from; the binary offers the synthetic population the built-in registers answer
//! from (ADR 0010 B11), and a server without one offers no one.

/// A person the test identity provider offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPerson {
    /// The person id cases are filed under.
    pub id: String,
    /// Given and family name as the population register holds them, in Latin letters.
    pub name: String,
    /// The name in its native script, when that is not Latin.
    pub native: Option<String>,
    /// The language of `native`, for its `lang` attribute.
    pub native_lang: String,
    /// The year of birth, as shown.
    pub born: String,
}

/// Who can be identified on a server that offers test identification.
pub trait TestIdentities: Send + Sync {
    /// The first `n` people, in the same order every time.
    fn offered(&self, n: usize) -> Vec<TestPerson>;

    /// The person with the id `id`, if there is one.
    fn person(&self, id: &str) -> Option<TestPerson>;
}
