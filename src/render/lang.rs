//! The report's two languages: words, sex labels by population, units, and numbers written the
//! way a reader of that language expects (`12,5 %` and `1 234` in Swedish, `12.5%` and
//! `1,234` in English).
//!
//! Every number a renderer writes as text goes through [`Lang::number`] or [`Lang::value`],
//! and every absent one through [`Lang::absent`], so `..` is written the same way in every
//! chart, table and sentence.

use crate::indicators::{Indicator, Kind, Population};
use crate::model::Sex;
use crate::render::view::{Cell, Gap, Status};
use crate::round::Language;

/// The suppression marker, in every file (DESIGN §6).
pub const SUPPRESSED: &str = "..";

/// A report language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::Sv => Lang::Sv,
            Language::En => Lang::En,
        }
    }
}

impl Lang {
    /// `sv` or `en`, as the catalogue's texts are keyed.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Picks the Swedish or the English text.
    pub fn pick<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    /// A number with `decimals` decimals: decimal comma and a no-break space between thousands
    /// in Swedish, decimal point and commas in English; a true minus sign (U+2212) in both, as
    /// typography in both languages asks; `-0` written `0`.
    pub fn number(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "∞".to_string();
        }
        let text = format!("{:.*}", decimals, x.abs());
        let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
        let negative = x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
        let (group, point) = match self {
            Lang::Sv => ('\u{a0}', ','),
            Lang::En => (',', '.'),
        };
        let mut out = String::with_capacity(text.len() + 4);
        if negative {
            out.push('−');
        }
        for (i, c) in int.chars().enumerate() {
            // Swedish style leaves four-digit numbers whole (2 024, not 2 024 for years).
            if i > 0 && (int.len() - i).is_multiple_of(3) && int.len() > 4 {
                out.push(group);
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push(point);
            out.push_str(f);
        }
        out
    }

    /// A signed number (`+2,5`, `−1,0`, `0,0`) for differences and changes.
    pub fn signed(self, x: f64, decimals: usize) -> String {
        let s = self.number(x, decimals);
        if x > 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') { format!("+{s}") } else { s }
    }

    /// An indicator's value with its unit sign where it has a short one (`12,5 %`).
    pub fn value(self, indicator: &Indicator, x: f64) -> String {
        let n = self.number(x, decimals(indicator));
        match indicator.value_unit().as_str() {
            "percent" => match self {
                Lang::Sv => format!("{n}\u{a0}%"),
                Lang::En => format!("{n}%"),
            },
            _ => n,
        }
    }

    /// A difference between two values of an indicator: percentage points for percentages.
    pub fn difference(self, indicator: &Indicator, x: f64) -> String {
        let n = self.signed(x, decimals(indicator));
        match indicator.value_unit().as_str() {
            "percent" => format!("{n}\u{a0}{}", self.pick("procentenheter", "percentage points")),
            _ => n,
        }
    }

    /// A cell as text: its value, or `..` when suppressed, or a dash-free word when absent.
    pub fn cell(self, indicator: &Indicator, cell: &Cell) -> String {
        match (&cell.status, cell.value) {
            (Status::Suppressed, _) => SUPPRESSED.to_string(),
            (_, Some(v)) => self.value(indicator, v),
            (status, None) => self.absent(status).to_string(),
        }
    }

    /// A gap's difference K − M as text: signed, `..` when suppressed.
    pub fn gap(self, indicator: &Indicator, gap: &Gap) -> String {
        match (&gap.status, gap.diff) {
            (Status::Suppressed, _) => SUPPRESSED.to_string(),
            (_, Some(d)) => self.signed(d, decimals(indicator)),
            (status, None) => self.absent(status).to_string(),
        }
    }

    /// What an absent value is written as.
    pub fn absent(self, status: &Status) -> &'static str {
        match status {
            Status::Suppressed => SUPPRESSED,
            _ => "–",
        }
    }

    /// The label of a sex for the indicator's population (flickor/pojkar, kvinnor/män…).
    pub fn sex(self, population: Population, sex: Sex) -> &'static str {
        let population = if population == Population::Neutral { Population::Adults } else { population };
        population.label(sex, self.code())
    }

    /// The same label with a capital first letter.
    pub fn sex_title(self, population: Population, sex: Sex) -> String {
        capitalise(self.sex(population, sex))
    }

    /// The unit as words for axis titles and tables (`procent`, `per 1 000 invånare`…).
    pub fn unit(self, indicator: &Indicator) -> String {
        let unit = indicator.value_unit();
        let words = match unit.as_str() {
            "percent" => self.pick("procent", "percent"),
            "per_1000" => self.pick("per 1 000 invånare", "per 1,000 inhabitants"),
            "per_100000" => self.pick("per 100 000 invånare", "per 100,000 inhabitants"),
            "sek" => self.pick("kronor", "SEK"),
            "days" => self.pick("dagar", "days"),
            "years" => self.pick("år", "years"),
            "hours" => self.pick("timmar", "hours"),
            "points" | "points_sum" => self.pick("poäng", "points"),
            "proportion" => self.pick("andel", "proportion"),
            "value" => "",
            other => return other.replace('_', " "),
        };
        words.to_string()
    }
}

/// The source line under an indicator (DESIGN §6 attribution): Kolada's terms want raw values
/// marked "Källa: Kolada" and anything computed from them "Egen bearbetning av data från
/// Kolada"; a published value (`kind = "value"`) is raw, while its gaps, positions and trends
/// are computed.
pub fn source_line(indicator: &Indicator, lang: Lang) -> String {
    let kolada = indicator.source.get("kolada");
    let records = indicator.sql.is_some() || indicator.source.contains_key("records");
    match (kolada, indicator.kind, lang) {
        (Some(kpi), Kind::Value, Lang::Sv) => format!(
            "Källa: Kolada (KPI {kpi}). Skillnader, positioner och trender: egen bearbetning av data från Kolada."
        ),
        (Some(kpi), Kind::Value, Lang::En) => format!(
            "Source: Kolada (KPI {kpi}). Gaps, positions and trends: jamfor's own calculation from Kolada data."
        ),
        (Some(kpi), _, Lang::Sv) => format!("Egen bearbetning av data från Kolada (KPI {kpi})."),
        (Some(kpi), _, Lang::En) => format!("jamfor's own calculation from Kolada data (KPI {kpi})."),
        (None, _, Lang::Sv) if records => "Egen bearbetning av registerutdrag från verksamhetssystem.".into(),
        (None, _, Lang::En) if records => "jamfor's own calculation from record-level extracts.".into(),
        (None, _, Lang::Sv) => "Egen bearbetning av omgångens indata.".into(),
        (None, _, Lang::En) => "jamfor's own calculation from the round's input files.".into(),
    }
}

/// How many decimals an indicator's values are written with: one for percentages and rates,
/// none for money, otherwise enough for about three significant figures.
pub fn decimals(indicator: &Indicator) -> usize {
    if indicator.value_unit() == "sek" { 0 } else { 1 }
}

/// The text with its first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers_have_a_decimal_comma_and_spaced_thousands() {
        assert_eq!(Lang::Sv.number(12.345, 1), "12,3");
        assert_eq!(Lang::Sv.number(1234567.0, 0), "1\u{a0}234\u{a0}567");
        assert_eq!(Lang::Sv.number(2024.0, 0), "2024", "four digits stay whole");
        assert_eq!(Lang::Sv.number(-0.04, 1), "0,0", "no negative zero");
        assert_eq!(Lang::Sv.number(-3.25, 1), "−3,2");
        assert_eq!(Lang::En.number(12345.678, 2), "12,345.68");
        assert_eq!(Lang::En.signed(2.5, 1), "+2.5");
        assert_eq!(Lang::Sv.signed(0.0, 1), "0,0");
    }
}
