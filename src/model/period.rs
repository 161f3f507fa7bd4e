//! `Period`: a year, half-year, quarter or month, in the canonical form of DESIGN §3.
//!
//! Accepted spellings (trimmed, case-insensitive):
//!
//! | frequency | accepted | canonical |
//! |---|---|---|
//! | year | `2023` | `2023` |
//! | half-year | `2023-H1`, `2023H1` | `2023-H1` |
//! | quarter | `2023-Q1`, `2023Q1`, `2023K1` (Swedish *kvartal*), `2023-K1` | `2023-Q1` |
//! | month | `2023-01`, `2023M01`, `2023-M01` | `2023-01` |
//!
//! Periods order chronologically within one frequency. A variable holds one frequency only;
//! mixing them is an error raised where observations are collected, because a single value cannot
//! know what else its variable holds.

use std::fmt;
use std::str::FromStr;

/// How often a variable is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Frequency {
    Year,
    Half,
    Quarter,
    Month,
}

impl Frequency {
    /// The word used in messages ("yearly", "quarterly" …).
    pub fn adjective(self) -> &'static str {
        match self {
            Frequency::Year => "yearly",
            Frequency::Half => "half-yearly",
            Frequency::Quarter => "quarterly",
            Frequency::Month => "monthly",
        }
    }
}

/// One period. `sub` is 0 for years, 1–2 for halves, 1–4 for quarters, 1–12 for months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: u16,
    frequency: Frequency,
    sub: u8,
}

/// Years outside this range are typos (a municipality code in the year column, `20233`).
const YEARS: std::ops::RangeInclusive<u16> = 1800..=2200;

/// A period that is none of the accepted spellings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("period {found:?} is not a period, expected {expected}")]
pub struct PeriodError {
    pub found: String,
    pub expected: &'static str,
}

const EXPECTED: &str = "a year (2023), half-year (2023-H1), quarter (2023-Q1, 2023K1) or month (2023-01, 2023M01)";

impl Period {
    pub fn year(self) -> u16 {
        self.year
    }
    pub fn frequency(self) -> Frequency {
        self.frequency
    }
    pub fn sub(self) -> u8 {
        self.sub
    }

    /// Builds a period from its parts; `None` when `sub` is out of range for `frequency`.
    pub fn new(year: u16, frequency: Frequency, sub: u8) -> Option<Period> {
        let max = match frequency {
            Frequency::Year => 0,
            Frequency::Half => 2,
            Frequency::Quarter => 4,
            Frequency::Month => 12,
        };
        let sub_ok = if frequency == Frequency::Year { sub == 0 } else { (1..=max).contains(&sub) };
        (YEARS.contains(&year) && sub_ok).then_some(Period { year, frequency, sub })
    }

    /// Whether a header cell looks like a period; used to find periods in column headers.
    pub fn looks_like(text: &str) -> bool {
        text.parse::<Period>().is_ok()
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError { found: text.trim().to_string(), expected: EXPECTED };
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
            return Err(err());
        }
        let year: u16 = t[..4].parse().map_err(|_| err())?;
        let rest = &t[4..];
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        if rest.is_empty() {
            // A lone "-" after the year ("2023-") is not a period.
            return if t.len() == 4 { Period::new(year, Frequency::Year, 0).ok_or_else(err) } else { Err(err()) };
        }
        let (frequency, digits) = match rest.as_bytes()[0].to_ascii_uppercase() {
            b'H' => (Frequency::Half, &rest[1..]),
            b'Q' | b'K' => (Frequency::Quarter, &rest[1..]),
            b'M' => (Frequency::Month, &rest[1..]),
            b'0'..=b'9' if t.as_bytes()[4] == b'-' => (Frequency::Month, rest),
            _ => return Err(err()),
        };
        let width_ok = match frequency {
            Frequency::Month => digits.len() == 2,
            _ => digits.len() == 1,
        };
        if !width_ok || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let sub: u8 = digits.parse().map_err(|_| err())?;
        Period::new(year, frequency, sub).ok_or_else(err)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.frequency {
            Frequency::Year => write!(f, "{}", self.year),
            Frequency::Half => write!(f, "{}-H{}", self.year, self.sub),
            Frequency::Quarter => write!(f, "{}-Q{}", self.year, self.sub),
            Frequency::Month => write!(f, "{}-{:02}", self.year, self.sub),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        s.parse::<Period>().unwrap_or_else(|e| panic!("{s}: {e}")).to_string()
    }

    #[test]
    fn every_spelling_has_one_canonical_form() {
        assert_eq!(canon("2023"), "2023");
        assert_eq!(canon(" 2023 "), "2023");
        for q in ["2023-Q1", "2023Q1", "2023K1", "2023k1", "2023-K1", "2023q1"] {
            assert_eq!(canon(q), "2023-Q1", "{q}");
        }
        for m in ["2023-01", "2023M01", "2023m01", "2023-M01"] {
            assert_eq!(canon(m), "2023-01", "{m}");
        }
        for h in ["2023-H1", "2023H1", "2023h1"] {
            assert_eq!(canon(h), "2023-H1", "{h}");
        }
        assert_eq!(canon("2024-12"), "2024-12");
    }

    #[test]
    fn frequency_is_known() {
        assert_eq!("2023".parse::<Period>().unwrap().frequency(), Frequency::Year);
        assert_eq!("2023K4".parse::<Period>().unwrap().frequency(), Frequency::Quarter);
        assert_eq!("2023M07".parse::<Period>().unwrap().frequency(), Frequency::Month);
        assert_eq!("2023-H2".parse::<Period>().unwrap().frequency(), Frequency::Half);
    }

    #[test]
    fn out_of_range_and_malformed_are_errors() {
        for bad in [
            "", "23", "20233", "2023-Q5", "2023-Q0", "2023-13", "2023-00", "2023M1", "2023-H3", "2023-", "2023-1",
            "1066", "2023Q12", "abcd", "2023X1", "2023.0", "2023 Q1",
        ] {
            let e = bad.parse::<Period>().unwrap_err();
            assert_eq!(e.found, bad.trim(), "{bad}");
        }
        assert_eq!(
            "2023-Q5".parse::<Period>().unwrap_err().to_string(),
            format!("period \"2023-Q5\" is not a period, expected {EXPECTED}")
        );
    }

    #[test]
    fn order_is_chronological_within_a_frequency() {
        let mut v: Vec<Period> = ["2023-Q2", "2022-Q4", "2023-Q1"].iter().map(|s| s.parse().unwrap()).collect();
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["2022-Q4", "2023-Q1", "2023-Q2"]);
    }
}
