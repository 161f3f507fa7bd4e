//! `Role`: what an organisation is in a benchmarking round (DESIGN §2).

use std::fmt;

/// Every organisation in a round's output has exactly one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// One of the 2–4 organisations benchmarking each other.
    Participant,
    /// An organisation that has done it before and guides the participants.
    Mentor,
    /// Everything else in the data: all municipalities, all regions, or a named group.
    Reference,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Mentor => "mentor",
            Role::Reference => "reference",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
