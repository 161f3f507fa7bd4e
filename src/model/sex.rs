//! `Sex`: women/girls (`K`), men/boys (`M`) and the published total (`T`).
//!
//! The letters follow Kolada and SCB (`K` = kvinnor, `M` = män, `T` = totalt). Every spelling of
//! DESIGN §3 is accepted, case-insensitively and trimmed. SCB's numeric codes `1` (men) and `2`
//! (women) are accepted only under [`SexCodes::Scb`], because other systems (ISO 5218's `1` = male
//! aside, many case systems use `1` = woman) code them the other way round: a bare `1` is an error.

use std::fmt;

/// Which sex codes an input uses; `Standard` unless the input declares `sex_codes = "scb"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SexCodes {
    /// Letters and words only (K/M/T, kvinnor/män/totalt, women/men/total …).
    #[default]
    Standard,
    /// Also SCB's numeric codes: `1` = men, `2` = women, `1+2` = total.
    Scb,
}

/// The sex of an observation. Ordered K, M, T as tables show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sex {
    /// Women or girls (`K`, kvinnor/flickor).
    K,
    /// Men or boys (`M`, män/pojkar).
    M,
    /// The total as published (`T`, totalt).
    T,
}

/// A sex code that is none of the accepted spellings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SexError {
    #[error("sex code {found:?} is not one of K, M, T (or kvinnor, män, totalt…)")]
    Unknown { found: String },
    #[error("sex code {found:?} is numeric, expected K, M or T (or kvinnor, män, totalt…)")]
    NumericWithoutScb { found: String },
    #[error("sex is empty, expected K, M or T (or kvinnor, män, totalt…)")]
    Empty,
}

impl SexError {
    /// A hint for the user, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            SexError::NumericWithoutScb { .. } => Some(
                "SCB codes 1 = men and 2 = women; other systems code them the other way round. \
                 If this file uses SCB's codes, add `sex_codes = \"scb\"` to its [[input]] in round.toml"
                    .to_string(),
            ),
            SexError::Unknown { .. } | SexError::Empty => None,
        }
    }
}

impl Sex {
    /// All three, in table order.
    pub const ALL: [Sex; 3] = [Sex::K, Sex::M, Sex::T];

    /// The one-letter code written in every output (`K`, `M`, `T`).
    pub fn code(self) -> &'static str {
        match self {
            Sex::K => "K",
            Sex::M => "M",
            Sex::T => "T",
        }
    }

    /// Parses one cell. Trims whitespace and ignores case.
    pub fn parse(text: &str, codes: SexCodes) -> Result<Sex, SexError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(SexError::Empty);
        }
        if let Some(sex) = Self::from_word(t) {
            return Ok(sex);
        }
        let numeric = matches!(t, "1" | "2" | "1+2" | "1 + 2");
        match (numeric, codes) {
            (true, SexCodes::Scb) => Ok(match t {
                "1" => Sex::M,
                "2" => Sex::K,
                _ => Sex::T,
            }),
            (true, SexCodes::Standard) if t != "1+2" && t != "1 + 2" => {
                Err(SexError::NumericWithoutScb { found: t.to_string() })
            }
            // `1+2` means "both" wherever it appears; only the bare digits are ambiguous.
            (true, SexCodes::Standard) => Ok(Sex::T),
            (false, _) => Err(SexError::Unknown { found: t.to_string() }),
        }
    }

    /// The word spellings (no numeric codes); `None` when `text` is not one of them.
    /// Used to recognise sex in column headers, where digits mean periods instead.
    pub fn from_word(text: &str) -> Option<Sex> {
        let lower = text.trim().to_lowercase();
        Some(match lower.as_str() {
            "k" | "w" | "f" | "kvinna" | "kvinnor" | "flicka" | "flickor" | "woman" | "women" | "female"
            | "females" | "girl" | "girls" => Sex::K,
            "m" | "man" | "män" | "pojke" | "pojkar" | "men" | "male" | "males" | "boy" | "boys" => Sex::M,
            "t" | "totalt" | "total" | "samtliga" | "alla" | "1+2" | "both sexes" | "båda könen"
            | "kvinnor och män" | "women and men" => Sex::T,
            _ => return None,
        })
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_design_spelling_is_accepted() {
        for s in ["K", "k", "W", "F", " kvinna ", "Kvinnor", "flicka", "FLICKOR", "woman", "women", "female", "girls"] {
            assert_eq!(Sex::parse(s, SexCodes::Standard), Ok(Sex::K), "{s}");
        }
        for s in ["M", "man", "Män", "MÄN", "pojke", "pojkar", "men", "male", "boys"] {
            assert_eq!(Sex::parse(s, SexCodes::Standard), Ok(Sex::M), "{s}");
        }
        for s in ["T", "totalt", "Total", "samtliga", "alla", "1+2", "both sexes"] {
            assert_eq!(Sex::parse(s, SexCodes::Standard), Ok(Sex::T), "{s}");
        }
    }

    #[test]
    fn scb_numeric_codes_only_when_declared() {
        assert_eq!(Sex::parse("1", SexCodes::Scb), Ok(Sex::M));
        assert_eq!(Sex::parse("2", SexCodes::Scb), Ok(Sex::K));
        assert_eq!(Sex::parse("1+2", SexCodes::Scb), Ok(Sex::T));
        let err = Sex::parse("1", SexCodes::Standard).unwrap_err();
        assert_eq!(err, SexError::NumericWithoutScb { found: "1".into() });
        assert!(err.hint().unwrap().contains("sex_codes = \"scb\""));
        assert!(Sex::parse("2", SexCodes::Standard).is_err());
    }

    #[test]
    fn unknown_and_empty_codes_are_errors() {
        assert_eq!(Sex::parse("X", SexCodes::Standard), Err(SexError::Unknown { found: "X".into() }));
        assert_eq!(Sex::parse("3", SexCodes::Scb), Err(SexError::Unknown { found: "3".into() }));
        assert_eq!(Sex::parse("  ", SexCodes::Standard), Err(SexError::Empty));
        assert_eq!(
            SexError::Unknown { found: "X".into() }.to_string(),
            "sex code \"X\" is not one of K, M, T (or kvinnor, män, totalt…)"
        );
    }

    #[test]
    fn header_words_exclude_digits() {
        assert_eq!(Sex::from_word("Kvinnor"), Some(Sex::K));
        assert_eq!(Sex::from_word("1"), None);
        assert_eq!(Sex::from_word("2019"), None);
    }
}
