//! A case's states and the transitions between them.
//!
//! ```text
//! received → gathering_evidence → evaluated → decided
//!                  ↑    │                  └→ referred → decided
//!                  │    └→ evidence_requested ─┘ (or back to gathering_evidence)
//! any open state → withdrawn;  decided → rectification_requested → decided
//! ```
//! A transition not in [`CaseState::can_go_to`] is refused with an error naming both states.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Received,
    GatheringEvidence,
    Evaluated,
    EvidenceRequested,
    Referred,
    Decided,
    Withdrawn,
    RectificationRequested,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Received,
        CaseState::GatheringEvidence,
        CaseState::Evaluated,
        CaseState::EvidenceRequested,
        CaseState::Referred,
        CaseState::Decided,
        CaseState::Withdrawn,
        CaseState::RectificationRequested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::GatheringEvidence => "gathering_evidence",
            CaseState::Evaluated => "evaluated",
            CaseState::EvidenceRequested => "evidence_requested",
            CaseState::Referred => "referred",
            CaseState::Decided => "decided",
            CaseState::Withdrawn => "withdrawn",
            CaseState::RectificationRequested => "rectification_requested",
        }
    }

    /// Whether the case still waits for someone to act.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseState::Decided | CaseState::Withdrawn)
    }

    /// The transitions the law and the flow allow.
    pub fn can_go_to(self, to: CaseState) -> bool {
        use CaseState::*;
        match (self, to) {
            (Received, GatheringEvidence) => true,
            (GatheringEvidence, Evaluated) => true,
            (Evaluated, Decided | Referred | EvidenceRequested) => true,
            (EvidenceRequested, GatheringEvidence | Referred) => true,
            (Referred, Decided | EvidenceRequested) => true,
            // A rectification request is only made on a decision, and a person decides it.
            (Decided, RectificationRequested) => true,
            (RectificationRequested, Decided) => true,
            (from, Withdrawn) => from.is_open() && from != RectificationRequested,
            _ => false,
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a case state")]
pub struct UnknownState(pub String);

impl FromStr for CaseState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::CaseState::*;
    use super::*;

    #[test]
    fn the_automatic_path_is_allowed() {
        for (a, b) in [
            (Received, GatheringEvidence),
            (GatheringEvidence, Evaluated),
            (Evaluated, Decided),
        ] {
            assert!(a.can_go_to(b), "{a} → {b}");
        }
    }

    #[test]
    fn shortcuts_and_reopening_are_refused() {
        assert!(!Received.can_go_to(Decided));
        assert!(!Decided.can_go_to(Referred));
        assert!(!Withdrawn.can_go_to(Received));
        assert!(!Decided.can_go_to(Withdrawn));
        assert!(!Received.can_go_to(RectificationRequested));
    }

    #[test]
    fn a_rectification_request_goes_back_to_a_decision() {
        assert!(Decided.can_go_to(RectificationRequested));
        assert!(RectificationRequested.can_go_to(Decided));
        assert!(!RectificationRequested.can_go_to(Withdrawn));
    }

    #[test]
    fn names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(s.as_str().parse::<CaseState>(), Ok(s));
        }
        assert!("open".parse::<CaseState>().is_err());
    }
}
