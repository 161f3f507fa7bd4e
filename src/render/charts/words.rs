//! The words charts write: titles, legend labels, source lines and alt texts, in the report's
//! language, and [`Ctx`], one panel's latest period as every panel chart reads it.

use crate::indicators::{Indicator, Kind};
use crate::model::{Role, Sex};
use crate::render::lang::{self, Lang, decimals};
use crate::render::view::{Entry, Panel, Series, View};

use super::style::Domain;

/// One panel in its latest period, with the words and number formats its charts share.
pub(super) struct Ctx<'a> {
    pub view: &'a View,
    pub panel: &'a Panel,
    pub lang: Lang,
    /// The panel's latest period: the one every chart but the trend shows.
    pub period: &'a str,
}

impl Ctx<'_> {
    pub fn indicator(&self) -> &Indicator {
        &self.panel.indicator
    }

    /// The indicator's title with the age group when it is not `all`.
    pub fn subject(&self) -> String {
        with_age(self.lang, self.indicator().title.get(self.lang.code()), &self.panel.age_group)
    }

    /// The chart title: the subject and the period.
    pub fn title(&self) -> String {
        format!("{}, {}", self.subject(), self.period)
    }

    /// `Kvinnor`, `Flickor`, `Women`… by the indicator's population.
    pub fn sex(&self, sex: Sex) -> String {
        self.lang.sex_title(self.indicator().population, sex)
    }

    /// `kvinnor`, `flickor`, `women`…
    pub fn sex_word(&self, sex: Sex) -> &'static str {
        self.lang.sex(self.indicator().population, sex)
    }

    pub fn value(&self, x: f64) -> String {
        self.lang.value(self.indicator(), x)
    }

    pub fn signed(&self, x: f64) -> String {
        self.lang.signed(x, decimals(self.indicator()))
    }

    pub fn is_percent(&self) -> bool {
        self.indicator().value_unit() == "percent"
    }

    /// How the value axis may be padded.
    pub fn domain(&self) -> Domain {
        if self.is_percent() { Domain::Percent } else { Domain::Values }
    }

    /// The value axis title: the unit in words (`Procent`, `Per 1 000 invånare`).
    pub fn axis(&self) -> String {
        let unit = self.lang.unit(self.indicator());
        if unit.is_empty() { self.lang.pick("Värde", "Value").to_string() } else { capitalise(&unit) }
    }

    /// The unit of a difference (`procentenheter` for percentages).
    pub fn difference_unit(&self) -> String {
        if self.is_percent() {
            self.lang.pick("procentenheter", "percentage points").to_string()
        } else {
            self.lang.unit(self.indicator())
        }
    }

    /// `95 % konfidensintervall`.
    pub fn ci(&self) -> String {
        format!(
            "{} {}",
            percent(self.lang, self.view.level),
            self.lang.pick("konfidensintervall", "confidence interval")
        )
    }

    /// A focus or reference organisation's entry in the latest period.
    pub fn entry<'s>(&self, series: &'s Series) -> Option<&'s Entry> {
        series.periods.get(self.period)
    }

    /// The legend's explanation of `..`.
    pub fn suppressed_note(&self) -> String {
        suppressed_note(self.lang, self.view.min_count)
    }

    /// The source line; `derived`: the chart shows numbers jamfor computed (gaps, limits).
    pub fn source(&self, derived: bool) -> String {
        source_line(self.lang, &[self.indicator()], derived)
    }

    /// The focus organisations' names as one list (`A, B och C`).
    pub fn focus_names(&self) -> String {
        let names: Vec<&str> = self.panel.focus.iter().map(|s| s.org.name.as_str()).collect();
        join(self.lang, &names)
    }

    /// The indicator's title as it reads inside a sentence.
    pub fn subject_in_sentence(&self) -> String {
        lower_first(&self.subject())
    }
}

/// `95 %` (sv) or `95%` (en) for a level such as 0.95 or 0.998.
pub(super) fn percent(lang: Lang, level: f64) -> String {
    let x = level * 100.0;
    let n = lang.number(x, if (x - x.round()).abs() < 1e-9 { 0 } else { 1 });
    match lang {
        Lang::Sv => format!("{n}\u{a0}%"),
        Lang::En => format!("{n}%"),
    }
}

/// `.. = dolt av sekretesskäl (färre än 5)`.
pub(super) fn suppressed_note(lang: Lang, min_count: u32) -> String {
    match lang {
        Lang::Sv => format!("{} = dolt av sekretesskäl (färre än {min_count})", crate::render::lang::SUPPRESSED),
        Lang::En => format!("{} = suppressed (fewer than {min_count})", crate::render::lang::SUPPRESSED),
    }
}

/// The row label of a focus organisation: its name, marked when it is the mentor.
pub(super) fn org_label(series: &Series) -> String {
    match series.org.role {
        Role::Mentor => format!("{} (mentor)", series.org.name),
        Role::Participant | Role::Reference => series.org.name.clone(),
    }
}

/// The age group as words (`80–89 år`, `90 år och äldre`), or `None` for `all`.
pub(super) fn age(lang: Lang, age_group: &str) -> Option<String> {
    if age_group == "all" || age_group.is_empty() {
        return None;
    }
    // `90-w` is the open band "90 and over" (Kolada's and SCB's `w`).
    if let Some(from) = age_group.strip_suffix("-w").or_else(|| age_group.strip_suffix('+')) {
        return Some(match lang {
            Lang::Sv => format!("{from} år och äldre"),
            Lang::En => format!("aged {from} and over"),
        });
    }
    let band = age_group.replace('-', "–");
    Some(match lang {
        Lang::Sv => format!("{band} år"),
        Lang::En => format!("aged {band}"),
    })
}

/// A title with its age group, unless the title already names the band (`…, 13–17 år`).
pub(super) fn with_age(lang: Lang, title: &str, age_group: &str) -> String {
    let band = age_group.replace('-', "–");
    match age(lang, age_group) {
        Some(age) if !title.contains(&band) && !title.contains(age_group) => format!("{title}, {age}"),
        _ => title.to_string(),
    }
}

/// `A`, `A och B`, `A, B och C` (`and` in English).
pub(super) fn join(lang: Lang, items: &[&str]) -> String {
    let and = lang.pick("och", "and");
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

pub(super) use crate::render::lang::capitalise;

/// The first letter in lower case, unless the first word is an abbreviation (`KPI`).
pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if b.is_uppercase() => format!("{a}{b}{}", chars.as_str()),
        (Some(a), _) => a.to_lowercase().chain(s.chars().skip(1)).collect(),
        (None, _) => String::new(),
    }
}

/// Where an indicator's data comes from, in the words of [`lang::source_line`].
fn origin(lang: Lang, indicator: &Indicator) -> &'static str {
    if indicator.source.contains_key("kolada") {
        "Kolada"
    } else if indicator.source.contains_key("records") || indicator.sql.is_some() {
        lang.pick("registerutdrag från verksamhetssystem", "record-level extracts")
    } else {
        lang.pick("omgångens indata", "the round's input files")
    }
}

/// The source line of a chart. Kolada's terms want a published value shown as it is marked
/// `Källa: Kolada`, and anything computed from it "Egen bearbetning av data från Kolada"; a
/// chart that shows gaps, limits or positions (`derived`) is computed even for a ready-made
/// KPI. Other indicators carry the report's own line ([`lang::source_line`]), so a chart and
/// the table beside it never name different sources.
pub(super) fn source_line(lang: Lang, indicators: &[&Indicator], derived: bool) -> String {
    if let [indicator] = indicators {
        return match (indicator.kind, indicator.source.get("kolada")) {
            (Kind::Value, Some(kpi)) if !derived => {
                format!("{} (KPI {kpi}).", lang.pick("Källa: Kolada", "Source: Kolada"))
            }
            (Kind::Value, Some(kpi)) => match lang {
                Lang::Sv => format!("Egen bearbetning av data från Kolada (KPI {kpi})."),
                Lang::En => format!("jamfor's own calculation from Kolada data (KPI {kpi})."),
            },
            _ => lang::source_line(indicator, lang),
        };
    }
    let mut names: Vec<&str> = Vec::new();
    for indicator in indicators {
        let name = origin(lang, indicator);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("{} {}.", lang.pick("Egen bearbetning av data från", "jamfor's own calculation from"), join(lang, &names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_titles_and_levels_read_naturally() {
        assert_eq!(join(Lang::Sv, &["A", "B", "C"]), "A, B och C");
        assert_eq!(join(Lang::En, &["A", "B"]), "A and B");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(lower_first("Andel elever"), "andel elever");
        assert_eq!(lower_first("KPI-värde"), "KPI-värde");
        assert_eq!(percent(Lang::Sv, 0.95), "95\u{a0}%");
        assert_eq!(percent(Lang::En, 0.998), "99.8%");
        assert_eq!(age(Lang::Sv, "80-89").as_deref(), Some("80–89 år"));
        assert_eq!(age(Lang::En, "all"), None);
        assert_eq!(age(Lang::Sv, "90-w").as_deref(), Some("90 år och äldre"));
        assert_eq!(with_age(Lang::Sv, "Besök, 13–17 år", "13-17"), "Besök, 13–17 år");
        assert_eq!(with_age(Lang::En, "Falls", "65-79"), "Falls, aged 65–79");
    }
}
