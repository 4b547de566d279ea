//! Who did something: the one vocabulary of the audit chain, a case's history and a
//! decision's record. Stored as text (`polku-pipeline`, `user:<id>`, `person:<id>`,
//! `operator:<name>`, `client:<address>`) and read back as an [`Actor`]; a stored text that is none
//! of these is a corrupt row, never a guess.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The decision pipeline: the machine.
    Machine,
    /// A user account: an official, an applicant signed in, or another organisation's
    /// system, by its id (`polku_access` knows who it is).
    User(Uuid),
    /// A person acting for themselves without an account, by their person id (the
    /// synthetic population's applicants in the demo; an applicant's own request).
    Person(String),
    /// Someone at the command line of the server, by their operating-system user name.
    Operator(String),
    /// Someone not signed in, by the network address they came from (a failed sign-in).
    Client(String),
}

/// What the machine is called in what is stored.
const MACHINE: &str = "polku-pipeline";

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Machine => f.write_str(MACHINE),
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Person(id) => write!(f, "person:{id}"),
            Actor::Operator(name) => write!(f, "operator:{name}"),
            Actor::Client(address) => write!(f, "client:{address}"),
        }
    }
}

/// A stored actor that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` names no actor (polku-pipeline, user:<id>, person:<id>, operator:<name>, client:<address>)"
)]
pub struct NotAnActor(pub String);

impl FromStr for Actor {
    type Err = NotAnActor;

    fn from_str(s: &str) -> Result<Actor, NotAnActor> {
        let bad = || NotAnActor(s.to_owned());
        if s == MACHINE {
            return Ok(Actor::Machine);
        }
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        if rest.is_empty() {
            return Err(bad());
        }
        match kind {
            "user" => rest.parse().map(Actor::User).map_err(|_| bad()),
            "person" => Ok(Actor::Person(rest.to_owned())),
            "operator" => Ok(Actor::Operator(rest.to_owned())),
            "client" => Ok(Actor::Client(rest.to_owned())),
            _ => Err(bad()),
        }
    }
}

impl Actor {
    /// Whether the machine did it.
    pub fn is_machine(&self) -> bool {
        *self == Actor::Machine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_actor_reads_back_as_written_and_nothing_else_reads() {
        let id = Uuid::now_v7();
        for a in [
            Actor::Machine,
            Actor::User(id),
            Actor::Person("sim-0000001".into()),
            Actor::Operator("ville".into()),
            Actor::Client("2001:db8::1".into()),
        ] {
            assert_eq!(a.to_string().parse::<Actor>(), Ok(a));
        }
        assert_eq!(Actor::User(id).to_string(), format!("user:{id}"));
        for bad in [
            "",
            "bench",
            "user:hanna",
            "person:",
            "handler:ville",
            "polku",
        ] {
            assert!(bad.parse::<Actor>().is_err(), "{bad}");
        }
    }
}
