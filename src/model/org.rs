//! `OrgId`: an organisation code, always text.
//!
//! Municipality codes have four digits and regions two, with leading zeros (`0180`, `01`):
//! reading them as numbers loses the zero, which is the commonest damage an Excel round trip does
//! to a controller's file. jamfor keeps codes as text and refuses a short numeric code unless the
//! input declares `pad_org_codes = true`.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgId(String);

/// An organisation code that cannot be one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrgIdError {
    #[error("organisation code is empty, expected a code such as 0180 or X0101")]
    Empty,
    #[error("organisation code {found:?} contains whitespace, expected a code such as 0180 or X0101")]
    Whitespace { found: String },
    #[error(
        "organisation code {found:?} has {digits} digits, expected {expected} (a {kind} code keeps its leading zero)"
    )]
    ShortNumeric { found: String, digits: usize, expected: usize, kind: &'static str },
}

impl OrgIdError {
    pub fn hint(&self) -> Option<String> {
        match self {
            OrgIdError::ShortNumeric { found, expected, .. } => Some(format!(
                "Excel drops leading zeros when a code column is stored as numbers ({found:?} was probably {:?}); \
                 re-export the column as text, or add `pad_org_codes = true` to this file's [[input]] in round.toml",
                format!("{found:0>expected$}")
            )),
            _ => None,
        }
    }
}

impl OrgId {
    /// Checks a code as written: trimmed, non-empty, no inner whitespace.
    pub fn new(text: &str) -> Result<OrgId, OrgIdError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(OrgIdError::Empty);
        }
        if t.chars().any(char::is_whitespace) {
            return Err(OrgIdError::Whitespace { found: t.to_string() });
        }
        Ok(OrgId(t.to_string()))
    }

    /// Checks a code from a column of numeric codes that should all be `width` digits wide
    /// (4 for municipalities, 2 for regions). Shorter codes are padded only when `pad` is set.
    pub fn numeric(text: &str, width: usize, pad: bool) -> Result<OrgId, OrgIdError> {
        let t = text.trim();
        if t.len() < width && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            if pad {
                return Ok(OrgId(format!("{t:0>width$}")));
            }
            let kind = if width == 4 { "municipality" } else { "region" };
            return Err(OrgIdError::ShortNumeric { found: t.to_string(), digits: t.len(), expected: width, kind });
        }
        OrgId::new(t)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_stay_text() {
        assert_eq!(OrgId::new(" 0180 ").unwrap().as_str(), "0180");
        assert_eq!(OrgId::new("X0101").unwrap().as_str(), "X0101");
        assert_eq!(OrgIdError::Empty, OrgId::new("").unwrap_err());
        assert!(matches!(OrgId::new("01 80"), Err(OrgIdError::Whitespace { .. })));
    }

    #[test]
    fn short_numeric_codes_need_padding_declared() {
        let e = OrgId::numeric("180", 4, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "organisation code \"180\" has 3 digits, expected 4 (a municipality code keeps its leading zero)"
        );
        assert!(e.hint().unwrap().contains("\"0180\""));
        assert!(e.hint().unwrap().contains("pad_org_codes = true"));
        assert_eq!(OrgId::numeric("180", 4, true).unwrap().as_str(), "0180");
        assert_eq!(OrgId::numeric("1", 2, true).unwrap().as_str(), "01");
        assert_eq!(OrgId::numeric("1280", 4, false).unwrap().as_str(), "1280");
        assert_eq!(OrgId::numeric("X01", 4, false).unwrap().as_str(), "X01", "only digit codes are padded");
    }
}
