//! `Status`: why a value is absent, or what is special about a present one.
//!
//! Statistical offices mark cells with dot symbols rather than numbers. jamfor keeps the meaning
//! as a status and never turns a symbol into a number, except `-`, which means "exactly nil" and
//! so carries the value 0 (DESIGN §3, PCAXIS.md "Missing-value symbols").
//!
//! | symbol | status | value |
//! |---|---|---|
//! | `..` | `missing` | null |
//! | `.` | `not_applicable` | null |
//! | `-` | `zero` | 0 |
//! | `...` … `......` | `confidential` | null |
//! | empty cell | `missing` | null |

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Not available (`..`, or an empty cell).
    Missing,
    /// Cannot occur (`.`).
    NotApplicable,
    /// Suppressed at source (`...` to `......`, or a source's own confidentiality flag).
    Confidential,
    /// Present, but preliminary (`p`).
    Preliminary,
    /// Exactly nil (`-`); the value is 0.
    Zero,
}

impl Status {
    /// Every status, in the order of the polars enum.
    pub const ALL: [Status; 5] =
        [Status::Missing, Status::NotApplicable, Status::Confidential, Status::Preliminary, Status::Zero];

    /// The name written in every output table.
    pub fn name(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::NotApplicable => "not_applicable",
            Status::Confidential => "confidential",
            Status::Preliminary => "preliminary",
            Status::Zero => "zero",
        }
    }

    /// Whether a value must be absent (null) under this status.
    pub fn value_absent(self) -> bool {
        matches!(self, Status::Missing | Status::NotApplicable | Status::Confidential)
    }

    /// The status of a whole-cell source symbol, if `text` is one (`..`, `.`, `-`, `...`…`......`).
    pub fn from_symbol(text: &str) -> Option<Status> {
        match text {
            ".." => Some(Status::Missing),
            "." => Some(Status::NotApplicable),
            "-" => Some(Status::Zero),
            s if (3..=6).contains(&s.len()) && s.bytes().all(|b| b == b'.') => Some(Status::Confidential),
            _ => None,
        }
    }
}

/// A status-column entry that is none of the accepted spellings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "status {found:?} is not a status, expected one of .. . - ... p, or missing, not_applicable, confidential, preliminary, zero"
)]
pub struct StatusError {
    pub found: String,
}

impl FromStr for Status {
    type Err = StatusError;

    /// Parses a status column entry: a symbol, a status name, or a Swedish/English word.
    fn from_str(text: &str) -> Result<Status, StatusError> {
        let t = text.trim();
        if let Some(s) = Status::from_symbol(t) {
            return Ok(s);
        }
        Ok(match t.to_lowercase().as_str() {
            "missing" | "saknas" | "uppgift saknas" => Status::Missing,
            "not_applicable" | "not applicable" | "ej tillämplig" | "kan inte förekomma" => Status::NotApplicable,
            "confidential" | "sekretess" | "röjandekontroll" | "suppressed" => Status::Confidential,
            "p" | "prel" | "preliminary" | "preliminär" | "preliminärt" => Status::Preliminary,
            "zero" | "noll" => Status::Zero,
            _ => return Err(StatusError { found: t.to_string() }),
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_map_to_statuses() {
        assert_eq!(Status::from_symbol(".."), Some(Status::Missing));
        assert_eq!(Status::from_symbol("."), Some(Status::NotApplicable));
        assert_eq!(Status::from_symbol("-"), Some(Status::Zero));
        for dots in ["...", "....", ".....", "......"] {
            assert_eq!(Status::from_symbol(dots), Some(Status::Confidential), "{dots}");
        }
        assert_eq!(Status::from_symbol("......."), None, "seven dots is PX's sum symbol, not a cell status");
        assert_eq!(Status::from_symbol("-1"), None);
        assert_eq!(Status::from_symbol(""), None);
    }

    #[test]
    fn absent_statuses_forbid_a_value() {
        assert!(Status::Missing.value_absent());
        assert!(Status::Confidential.value_absent());
        assert!(!Status::Zero.value_absent());
        assert!(!Status::Preliminary.value_absent());
    }

    #[test]
    fn status_words_parse_and_unknown_is_an_error() {
        assert_eq!("p".parse::<Status>(), Ok(Status::Preliminary));
        assert_eq!("Prel".parse::<Status>(), Ok(Status::Preliminary));
        assert_eq!("..".parse::<Status>(), Ok(Status::Missing));
        assert_eq!("sekretess".parse::<Status>(), Ok(Status::Confidential));
        assert_eq!("x".parse::<Status>(), Err(StatusError { found: "x".into() }));
    }
}
