//! What a decision says: the machine's finding or a person's decision, as stored and sent.

use serde::{Deserialize, Serialize};

/// What a decision record says: the machine grants, refers or asks for evidence (its
/// findings); a person grants, refuses or asks for evidence. Stored and sent as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Grant,
    Refuse,
    Refer,
    RequestEvidence,
}

impl DecisionOutcome {
    pub const ALL: [DecisionOutcome; 4] = [
        DecisionOutcome::Grant,
        DecisionOutcome::Refuse,
        DecisionOutcome::Refer,
        DecisionOutcome::RequestEvidence,
    ];

    /// As stored and as the API sends it.
    pub fn code(self) -> &'static str {
        match self {
            DecisionOutcome::Grant => "grant",
            DecisionOutcome::Refuse => "refuse",
            DecisionOutcome::Refer => "refer",
            DecisionOutcome::RequestEvidence => "request_evidence",
        }
    }

    /// The outcome a stored code names.
    pub fn parse(code: &str) -> Option<DecisionOutcome> {
        DecisionOutcome::ALL.into_iter().find(|o| o.code() == code)
    }
}

impl From<polku_rules::Outcome> for DecisionOutcome {
    fn from(o: polku_rules::Outcome) -> Self {
        match o {
            polku_rules::Outcome::Grant => DecisionOutcome::Grant,
            polku_rules::Outcome::Refer => DecisionOutcome::Refer,
            polku_rules::Outcome::RequestEvidence => DecisionOutcome::RequestEvidence,
        }
    }
}

impl From<HumanOutcome> for DecisionOutcome {
    fn from(o: HumanOutcome) -> Self {
        match o {
            HumanOutcome::Grant => DecisionOutcome::Grant,
            HumanOutcome::Refuse => DecisionOutcome::Refuse,
            HumanOutcome::RequestEvidence => DecisionOutcome::RequestEvidence,
        }
    }
}

impl std::fmt::Display for DecisionOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HumanOutcome {
    Grant,
    Refuse,
    RequestEvidence,
}

impl HumanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            HumanOutcome::Grant => "grant",
            HumanOutcome::Refuse => "refuse",
            HumanOutcome::RequestEvidence => "request_evidence",
        }
    }
}
