//! `Unit`: what a value is measured in, and whether totals of it add up.
//!
//! Additivity decides one thing at ingest: a missing total `T` may be computed as `K + M` only for
//! additive units (counts, durations, money, and sums). Percentages, rates and means never add, and an unknown
//! unit is treated as not additive, so nothing is derived from a guess.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Count,
    Hours,
    /// Days (sick days, programme days): a duration, so additive like hours.
    Days,
    Minutes,
    Sek,
    Percent,
    Per1000,
    Per100000,
    /// Any other unit named by the source (kept verbatim, lower-cased); not additive.
    Other(String),
    /// The source did not say; not additive.
    Unspecified,
}

impl Unit {
    /// Whether values of this unit for K and M add up to T. Sums of squares (`hours_squared`,
    /// the spread behind a mean's interval) and explicit sums (`points_sum`: a mean's numerator
    /// in a unit whose values alone would not add) add up too.
    pub fn is_additive(&self) -> bool {
        match self {
            Unit::Count | Unit::Hours | Unit::Days | Unit::Minutes | Unit::Sek => true,
            Unit::Other(s) => s.ends_with("_squared") || s.ends_with("_sum"),
            _ => false,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Unit::Count => "count",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Minutes => "minutes",
            Unit::Sek => "sek",
            Unit::Percent => "percent",
            Unit::Per1000 => "per_1000",
            Unit::Per100000 => "per_100000",
            Unit::Other(s) => s,
            Unit::Unspecified => "unspecified",
        }
    }
}

impl FromStr for Unit {
    type Err = std::convert::Infallible;

    /// Recognises the common names in Swedish and English; anything else is kept as `Other`.
    fn from_str(text: &str) -> Result<Unit, Self::Err> {
        let t = text.trim().to_lowercase();
        Ok(match t.as_str() {
            "count" | "antal" | "number" | "st" | "persons" | "personer" => Unit::Count,
            "hours" | "timmar" | "tim" | "h" => Unit::Hours,
            "days" | "dagar" | "dygn" => Unit::Days,
            "minutes" | "minuter" | "min" => Unit::Minutes,
            "sek" | "kr" | "kronor" => Unit::Sek,
            "percent" | "procent" | "%" | "andel" => Unit::Percent,
            "per_1000" | "per 1000" | "promille" | "‰" => Unit::Per1000,
            "per_100000" | "per 100000" | "per 100 000" => Unit::Per100000,
            "" | "unspecified" => Unit::Unspecified,
            _ => Unit::Other(t),
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(s: &str) -> Unit {
        s.parse().unwrap()
    }

    #[test]
    fn additivity() {
        assert!(unit("antal").is_additive());
        assert!(unit("hours").is_additive());
        assert!(unit("SEK").is_additive());
        assert!(unit("dagar").is_additive() && unit("minuter").is_additive());
        assert!(unit("points_sum").is_additive() && unit("points_squared").is_additive());
        assert!(!unit("points").is_additive(), "a score (a mean merit value) never adds");
        assert!(!unit("procent").is_additive());
        assert!(!unit("per_1000").is_additive());
        assert!(!unit("").is_additive(), "an unknown unit never adds");
        assert!(!unit("tkr").is_additive(), "thousands of kronor are kept apart from kronor");
        assert!(!unit("kvadratmeter").is_additive());
    }

    #[test]
    fn names_round_trip() {
        for s in
            ["count", "hours", "days", "minutes", "sek", "percent", "per_1000", "per_100000", "unspecified", "meter"]
        {
            assert_eq!(unit(s).name(), s);
        }
    }
}
