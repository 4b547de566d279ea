//! A case's states and the transitions between them.
//!
//! ```text
//! received → gathering_evidence → evaluated → decided
//!                  ↑    │                  └→ referred → decided
//!                  │    └→ evidence_requested ─┘ (or back to gathering_evidence)
//! any open state → withdrawn;  decided → rectification_requested → decided
//! referred → hearing → referred (answered) or decided (no answer by the deadline)
//! evidence_requested → decided (no answer by the deadline)
//! ```
//! A transition not in [`CaseState::can_go_to`] is refused with an error naming both states.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    /// A person means to refuse and has sent the applicant the draft grounds to answer
    /// (Administrative Procedure Act 34 §).
    Hearing,
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        CaseState::Received,
        CaseState::GatheringEvidence,
        CaseState::Evaluated,
        CaseState::EvidenceRequested,
        CaseState::Referred,
        CaseState::Decided,
        CaseState::Withdrawn,
        CaseState::RectificationRequested,
        CaseState::Hearing,
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
            CaseState::Hearing => "hearing",
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
            // The applicant answered (to a person), or, with no answer by the deadline, a
            // person decides on what there is.
            (EvidenceRequested, GatheringEvidence | Referred | Decided) => true,
            (Referred, Decided | EvidenceRequested | Hearing) => true,
            (Hearing, Referred | Decided) => true,
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

/// What happened to a case, as its history records it; stored and sent as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Filed through the e-service or the API, today.
    Submitted,
    /// Registered by an official from another channel, with the day it arrived.
    Registered,
    /// A move an official made directly (`Cases::transition`).
    Transition,
    GatheringEvidence,
    Evaluated,
    DecidedAutomatically,
    Referred,
    EvidenceRequested,
    DecidedByPerson,
    Withdrawn,
    RectificationRequested,
    /// A person opened a re-examination of a granted permit (after a monitoring alert).
    ReexaminationOpened,
    /// A person sent the applicant the draft grounds of a refusal to answer.
    HearingRequested,
    /// The applicant answered a request for evidence or a hearing.
    Answered,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Submitted,
        EventKind::Registered,
        EventKind::Transition,
        EventKind::GatheringEvidence,
        EventKind::Evaluated,
        EventKind::DecidedAutomatically,
        EventKind::Referred,
        EventKind::EvidenceRequested,
        EventKind::DecidedByPerson,
        EventKind::Withdrawn,
        EventKind::RectificationRequested,
        EventKind::ReexaminationOpened,
        EventKind::HearingRequested,
        EventKind::Answered,
    ];

    /// As stored in `case_events.kind`, and as the API sends it.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Registered => "registered",
            EventKind::Transition => "transition",
            EventKind::GatheringEvidence => "gathering_evidence",
            EventKind::Evaluated => "evaluated",
            EventKind::DecidedAutomatically => "decided_automatically",
            EventKind::Referred => "referred",
            EventKind::EvidenceRequested => "evidence_requested",
            EventKind::DecidedByPerson => "decided_by_person",
            EventKind::Withdrawn => "withdrawn",
            EventKind::RectificationRequested => "rectification_requested",
            EventKind::ReexaminationOpened => "reexamination_opened",
            EventKind::HearingRequested => "hearing_requested",
            EventKind::Answered => "answered",
        }
    }

    /// The kind a stored code names.
    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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
    fn a_hearing_returns_to_a_person_or_ends_in_a_decision() {
        assert!(Referred.can_go_to(Hearing));
        assert!(Hearing.can_go_to(Referred));
        assert!(Hearing.can_go_to(Decided));
        assert!(Hearing.can_go_to(Withdrawn));
        assert!(!Hearing.can_go_to(GatheringEvidence));
        assert!(!Received.can_go_to(Hearing));
    }

    #[test]
    fn names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(s.as_str().parse::<CaseState>(), Ok(s));
        }
        assert!("open".parse::<CaseState>().is_err());
    }
}

#[cfg(test)]
mod event_kind_tests {
    use super::EventKind;

    /// The history and the queries over it (the queue's reason, the key figures) read the
    /// stored codes: each kind reads back as itself, and no two share a code.
    #[test]
    fn every_event_kind_reads_back_from_its_code() {
        let mut codes = std::collections::BTreeSet::new();
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.code()), Some(kind));
            assert!(codes.insert(kind.code()), "{kind} twice");
        }
        assert_eq!(EventKind::parse("decided"), None);
        // Codes the queue's SQL names literally.
        assert_eq!(EventKind::Referred.code(), "referred");
        assert_eq!(
            EventKind::RectificationRequested.code(),
            "rectification_requested"
        );
    }
}
