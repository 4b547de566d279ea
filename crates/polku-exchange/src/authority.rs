//! The authorities that exchange information about persons (`../shared/domain.md` §1, the
//! security cooperation findings): who they are, how a credential's organisation names
//! them, and which of them may raise a flag.

use std::fmt;
use std::str::FromStr;

/// An authority taking part in the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Authority {
    /// Maahanmuuttovirasto, the Immigration Service: decides; sees flags as hit / no hit.
    ImmigrationService,
    /// Poliisi, the police.
    Police,
    /// Keskusrikospoliisi, the National Bureau of Investigation.
    NationalBureauOfInvestigation,
    /// Rajavartiolaitos, the Border Guard.
    BorderGuard,
    /// Suojelupoliisi, the Finnish Security and Intelligence Service.
    SecurityIntelligenceService,
    /// Ulkoministeriö, the Ministry for Foreign Affairs and its missions abroad.
    ForeignAffairs,
    /// The reception centres.
    Reception,
    /// The occupational safety and health authority's labour inspection.
    LabourInspection,
}

impl Authority {
    pub const ALL: [Authority; 8] = [
        Authority::ImmigrationService,
        Authority::Police,
        Authority::NationalBureauOfInvestigation,
        Authority::BorderGuard,
        Authority::SecurityIntelligenceService,
        Authority::ForeignAffairs,
        Authority::Reception,
        Authority::LabourInspection,
    ];

    /// As stored and as the API writes it.
    pub fn code(self) -> &'static str {
        match self {
            Authority::ImmigrationService => "migri",
            Authority::Police => "police",
            Authority::NationalBureauOfInvestigation => "nbi",
            Authority::BorderGuard => "border_guard",
            Authority::SecurityIntelligenceService => "supo",
            Authority::ForeignAffairs => "foreign_affairs",
            Authority::Reception => "reception",
            Authority::LabourInspection => "labour_inspection",
        }
    }

    /// Its name in Finnish, as a credential's organisation carries it.
    pub fn finnish_name(self) -> &'static str {
        match self {
            Authority::ImmigrationService => "Maahanmuuttovirasto",
            Authority::Police => "Poliisi",
            Authority::NationalBureauOfInvestigation => "Keskusrikospoliisi",
            Authority::BorderGuard => "Rajavartiolaitos",
            Authority::SecurityIntelligenceService => "Suojelupoliisi",
            Authority::ForeignAffairs => "Ulkoministeriö",
            Authority::Reception => "Vastaanottokeskus",
            Authority::LabourInspection => "Aluehallintovirasto",
        }
    }

    /// The authority a credential's organisation names (its Finnish name or its code,
    /// in any case); `None`: not an authority of the exchange.
    pub fn of_organisation(organisation: &str) -> Option<Authority> {
        let o = organisation.trim();
        Authority::ALL.into_iter().find(|a| {
            a.finnish_name().eq_ignore_ascii_case(o)
                || a.finnish_name().to_lowercase() == o.to_lowercase()
                || a.code().eq_ignore_ascii_case(o)
        })
    }

    /// Whether it may raise a flag on a person: the security authorities (the police,
    /// the National Bureau of Investigation, the Border Guard, the Security and
    /// Intelligence Service).
    pub fn raises_flags(self) -> bool {
        matches!(
            self,
            Authority::Police
                | Authority::NationalBureauOfInvestigation
                | Authority::BorderGuard
                | Authority::SecurityIntelligenceService
        )
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Written as its code.
impl serde::Serialize for Authority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Not an authority's code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an authority of the exchange")]
pub struct NotAnAuthority(pub String);

impl FromStr for Authority {
    type Err = NotAnAuthority;

    fn from_str(s: &str) -> Result<Authority, NotAnAuthority> {
        Authority::ALL
            .into_iter()
            .find(|a| a.code() == s)
            .ok_or_else(|| NotAnAuthority(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authority_is_read_back_as_written_and_known_by_its_name() {
        for a in Authority::ALL {
            assert_eq!(a.code().parse::<Authority>(), Ok(a));
            assert_eq!(Authority::of_organisation(a.finnish_name()), Some(a));
        }
        assert_eq!(
            Authority::of_organisation("suojelupoliisi"),
            Some(Authority::SecurityIntelligenceService)
        );
        assert_eq!(Authority::of_organisation("Kela"), None);
        assert!("cia".parse::<Authority>().is_err());
        assert!(!Authority::ImmigrationService.raises_flags());
        assert!(Authority::SecurityIntelligenceService.raises_flags());
    }
}
