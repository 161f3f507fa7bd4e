//! One indicator as the catalogue defines it (DESIGN §4): what it measures, from which
//! variables, how its value and interval are computed, and which direction is better.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::model::Sex;

/// What kind of number the indicator is; it decides the value, the interval and the gap method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Persons with an attribute out of a group they belong to (count/count): Wilson.
    Proportion,
    /// Events that can repeat per population × `per`: exact Poisson or Byar.
    Rate,
    /// A sum over a count (hours per recipient): Student t when record-level spread is known.
    Mean,
    /// A resource's women's share against a base's women's share (grants vs members).
    Share,
    /// A value published ready-made (a Kolada KPI): an interval only when counts are known.
    Value,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Proportion, Kind::Rate, Kind::Mean, Kind::Share, Kind::Value];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Proportion => "proportion",
            Kind::Rate => "rate",
            Kind::Mean => "mean",
            Kind::Share => "share",
            Kind::Value => "value",
        }
    }

    /// The multiplier when the file gives none: percent for proportions and shares, per 1000
    /// for rates, as is for means and values.
    pub fn default_per(self) -> f64 {
        match self {
            Kind::Proportion | Kind::Share => 100.0,
            Kind::Rate => 1000.0,
            Kind::Mean | Kind::Value => 1.0,
        }
    }
}

/// Which direction is better for the people the service is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Polarity {
    HigherIsBetter,
    LowerIsBetter,
    /// More is neither better nor worse (hours of home care): gaps favour no one.
    Neutral,
}

impl Polarity {
    pub const ALL: [Polarity; 3] = [Polarity::HigherIsBetter, Polarity::LowerIsBetter, Polarity::Neutral];

    pub fn name(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher_is_better",
            Polarity::LowerIsBetter => "lower_is_better",
            Polarity::Neutral => "neutral",
        }
    }
}

/// Who the indicator is about: it picks the sex labels (flickor/pojkar or kvinnor/män).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Population {
    Children,
    Adults,
    /// No sex labels (a ready-made women-to-men ratio).
    Neutral,
}

impl Population {
    pub const ALL: [Population; 3] = [Population::Children, Population::Adults, Population::Neutral];

    pub fn name(self) -> &'static str {
        match self {
            Population::Children => "children",
            Population::Adults => "adults",
            Population::Neutral => "neutral",
        }
    }

    /// The label of one sex in a language (`sv` or `en`).
    pub fn label(self, sex: Sex, lang: &str) -> &'static str {
        let sv = lang != "en";
        match (self, sex, sv) {
            (Population::Children, Sex::K, true) => "flickor",
            (Population::Children, Sex::M, true) => "pojkar",
            (Population::Children, Sex::K, false) => "girls",
            (Population::Children, Sex::M, false) => "boys",
            (_, Sex::K, true) => "kvinnor",
            (_, Sex::M, true) => "män",
            (_, Sex::K, false) => "women",
            (_, Sex::M, false) => "men",
            (_, Sex::T, true) => "totalt",
            (_, Sex::T, false) => "total",
        }
    }
}

/// Where a quantity comes from in the observations. Sources publish sex in two ways
/// (DESIGN §4), and both must work.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Binding {
    /// One variable split by sex (`N15419` with K, M and T rows).
    Split(String),
    /// One variable per sex (Kolada's paired KPIs: `{ K = "N00950", M = "N00949" }`). Each is
    /// read whatever its own sex column says (Kolada codes an unsplit KPI as T); a total only
    /// when `T` is named too.
    PerSex { k: String, m: String, t: Option<String> },
}

impl Binding {
    /// The variable holding `sex`'s value, and the sex it is stored under in the
    /// observations (`None`: any; the variable is that sex's own).
    pub fn variable(&self, sex: Sex) -> Option<(&str, Option<Sex>)> {
        match (self, sex) {
            (Binding::Split(v), s) => Some((v, Some(s))),
            (Binding::PerSex { k, .. }, Sex::K) => Some((k, None)),
            (Binding::PerSex { m, .. }, Sex::M) => Some((m, None)),
            (Binding::PerSex { t, .. }, Sex::T) => t.as_deref().map(|t| (t, None)),
        }
    }

    /// Every variable named.
    pub fn variables(&self) -> Vec<&str> {
        match self {
            Binding::Split(v) => vec![v],
            Binding::PerSex { k, m, t } => {
                [Some(k.as_str()), Some(m.as_str()), t.as_deref()].into_iter().flatten().collect()
            }
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Binding::Split(v) => f.write_str(v),
            Binding::PerSex { k, m, t: None } => write!(f, "K = {k}, M = {m}"),
            Binding::PerSex { k, m, t: Some(t) } => write!(f, "K = {k}, M = {m}, T = {t}"),
        }
    }
}

/// A text in Swedish and English.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.sv }
    }
}

/// A directly age-standardised rate's standard population: one combined-sex population for
/// both sexes (STATISTICS.md §5), by age band, in the file's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Standard {
    pub bands: Vec<(String, f64)>,
}

/// A checked indicator definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub title: Text,
    /// Why the indicator matters for gender equality, one sentence per language.
    pub why: Option<Text>,
    pub area: String,
    pub population: Population,
    pub kind: Kind,
    /// Proportion/rate/mean numerator; share: the resource.
    pub numerator: Option<Binding>,
    /// Proportion/rate/mean denominator.
    pub denominator: Option<Binding>,
    /// Share: the base whose women's share the resource's is compared with.
    pub base: Option<Binding>,
    /// Mean: Σx² per cell, from record-level data, for a Student t interval.
    pub sum_of_squares: Option<Binding>,
    /// Value: the published value.
    pub value: Option<Binding>,
    pub per: f64,
    pub unit: Option<String>,
    pub polarity: Polarity,
    /// Age groups to report (empty: every age group in the data).
    pub age_bands: Vec<String>,
    /// Rates with `standardise = "age"`.
    pub standard: Option<Standard>,
    /// Disclosure threshold for this indicator (else the round's).
    pub min_count: Option<u32>,
    /// Cross-references (`kolada = "N15419"`).
    pub source: BTreeMap<String, String>,
    /// The TOML file it was read from, and the `.sql` beside it if any.
    pub path: PathBuf,
    pub sql: Option<PathBuf>,
}

impl Indicator {
    /// Every variable the indicator reads, sorted and without repeats.
    pub fn variables(&self) -> Vec<String> {
        let mut out: Vec<String> = [&self.numerator, &self.denominator, &self.base, &self.sum_of_squares, &self.value]
            .into_iter()
            .flatten()
            .flat_map(|b| b.variables())
            .map(str::to_string)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The unit the value is written in (`percent`, `per_1000`, …).
    pub fn value_unit(&self) -> String {
        if let Some(u) = &self.unit {
            return u.clone();
        }
        match (self.kind, self.per) {
            (Kind::Proportion | Kind::Share, 100.0) => "percent".into(),
            (Kind::Proportion | Kind::Share, 1.0) => "proportion".into(),
            (_, 1.0) => "value".into(),
            (_, p) => format!("per_{p}"),
        }
    }

    /// Where the data comes from, for `jamfor catalogue` (`kolada N15419`, `records`, `data`).
    pub fn source_label(&self) -> String {
        let mut parts: Vec<String> = self.source.iter().map(|(k, v)| format!("{k} {v}")).collect();
        if self.sql.is_some() {
            parts.push("records (SQL)".into());
        }
        if parts.is_empty() { "data".into() } else { parts.join(", ") }
    }
}
