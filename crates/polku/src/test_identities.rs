//! The test identity provider's people over the synthetic population (polku-web's
//! `TestIdentities`, ADR 0010 B11): each shown by the name the population register holds,
//! and, for a name written in another script, natively too.

use std::sync::Arc;

use polku_registers::System;
use polku_simulators::Population;
use polku_simulators::population::{Person, person_id};
use polku_simulators::simulator::registered_name;
use polku_web::{TestIdentities, TestPerson};

/// The population's people, as the pages offer them.
struct PopulationIdentities(Arc<Population>);

/// The test identities over `population`, for the pages' `WebState`.
pub fn over(population: Arc<Population>) -> Arc<dyn TestIdentities> {
    Arc::new(PopulationIdentities(population))
}

impl PopulationIdentities {
    fn shown(&self, p: &Person) -> TestPerson {
        let pop = &self.0;
        let name = registered_name(pop, p, System::Population);
        TestPerson {
            id: person_id(p.index),
            name: format!("{} {}", name.given, name.family),
            native: name.native,
            native_lang: pop
                .origin(p)
                .code
                .split('-')
                .next()
                .unwrap_or("")
                .to_owned(),
            born: p.birth.year.to_string(),
        }
    }
}

impl TestIdentities for PopulationIdentities {
    fn offered(&self, n: usize) -> Vec<TestPerson> {
        self.0
            .persons
            .iter()
            .take(n)
            .map(|p| self.shown(p))
            .collect()
    }

    fn person(&self, id: &str) -> Option<TestPerson> {
        self.0.person(id).map(|p| self.shown(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages offered and named people so before the trait: the first forty, by the
    /// population register's romanised name, the native one with its language.
    #[test]
    fn people_are_offered_in_order_by_their_registered_names() {
        let pop = Arc::new(Population::generate(2026, 200));
        let people = over(pop.clone());
        let offered = people.offered(40);
        assert_eq!(offered.len(), 40);
        for (p, shown) in pop.persons.iter().zip(&offered) {
            let name = registered_name(&pop, p, System::Population);
            assert_eq!(shown.id, person_id(p.index));
            assert_eq!(shown.name, format!("{} {}", name.given, name.family));
            assert_eq!(shown.native, name.native);
            assert_eq!(shown.born, p.birth.year.to_string());
            assert_eq!(people.person(&shown.id).as_ref(), Some(shown));
        }
        let native = offered.iter().find(|p| p.native.is_some()).unwrap();
        assert!(!native.native_lang.is_empty() && !native.native_lang.contains('-'));
        assert_eq!(people.person("sim-9999999"), None);
        assert_eq!(people.offered(1_000).len(), 200);
    }
}
