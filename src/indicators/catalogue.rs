//! The indicator catalogue: `queries/*.toml` (+ optional `.sql`) → checked [`Indicator`]s.
//!
//! Like the round file, each TOML is read into a raw struct (serde, unknown keys refused, so a
//! typo never silently does nothing) and then checked field by field; every problem in every
//! file is returned at once, with its line and column. Folders are searched in order (the
//! round's `queries/`, then the project's): an id found in an earlier folder hides the same id
//! later, so a round can replace a shipped indicator. The same id twice in one folder is an
//! error, as is a `.sql` without its `.toml`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::definition::{Binding, Indicator, Kind, Polarity, Population, Standard, Text};
use crate::error::{Location, Problem, text_location};
use crate::ingest::sql::{Band, glob_match};

/// A problem in an indicator file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the file: {message}")]
    Io { message: String },
    #[error("{message}")]
    Toml { message: String },
    #[error("{key} {found:?} is unknown, expected one of {expected}")]
    Unknown { key: &'static str, found: String, expected: String },
    #[error("found no {key}, expected {expected}")]
    Missing { key: &'static str, expected: String },
    #[error("{key} is not used by a {kind} indicator, expected only {expected}")]
    NotForKind { key: &'static str, kind: &'static str, expected: &'static str },
    #[error("{key} = {found} is not allowed, expected {expected}")]
    BadValue { key: &'static str, found: String, expected: &'static str },
    #[error("indicator id {id:?} is defined twice, in {first} and {second}, expected one file per indicator")]
    Duplicate { id: String, first: String, second: String },
    #[error(
        "found {found} without an indicator file {expected}, expected the .toml that says what the query's variables mean"
    )]
    SqlWithoutToml { found: String, expected: String },
    #[error("the round asks for indicators {pattern:?}, but no indicator id matches it")]
    NoMatch { pattern: String },
}

type Problems = Vec<Problem<CatalogueError>>;

/// The indicators of a round, sorted by id.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub indicators: Vec<Indicator>,
}

impl Catalogue {
    /// Reads every indicator in `folders` (earlier folders win on the same id).
    pub fn load(folders: &[PathBuf]) -> Result<Catalogue, Problems> {
        let mut chosen: BTreeMap<String, Indicator> = BTreeMap::new();
        let mut problems = Vec::new();
        for dir in folders {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            let mut here: BTreeMap<String, PathBuf> = BTreeMap::new();
            for path in &paths {
                match path.extension().and_then(|e| e.to_str()) {
                    Some("toml") => match read(path) {
                        Ok(ind) => {
                            if let Some(first) = here.get(&ind.id) {
                                problems.push(Problem::new(
                                    Location::file(path.display().to_string()).with_keyword("id"),
                                    CatalogueError::Duplicate {
                                        id: ind.id.clone(),
                                        first: first.display().to_string(),
                                        second: path.display().to_string(),
                                    },
                                ));
                                continue;
                            }
                            here.insert(ind.id.clone(), path.clone());
                            chosen.entry(ind.id.clone()).or_insert(ind);
                        }
                        Err(mut p) => problems.append(&mut p),
                    },
                    Some("sql") if !path.with_extension("toml").exists() => problems.push(Problem::new(
                        Location::file(path.display().to_string()),
                        CatalogueError::SqlWithoutToml {
                            found: file_name(path),
                            expected: file_name(&path.with_extension("toml")),
                        },
                    )),
                    _ => {}
                }
            }
        }
        if problems.is_empty() { Ok(Catalogue { indicators: chosen.into_values().collect() }) } else { Err(problems) }
    }

    /// The indicators whose ids match any of `patterns` (`*` globs). A pattern matching
    /// nothing is a problem of the round file (`round` names it in the message).
    pub fn select(&self, patterns: &[String], round: &str) -> Result<Catalogue, Problems> {
        let problems: Problems = patterns
            .iter()
            .filter(|p| !self.indicators.iter().any(|i| glob_match(p, &i.id)))
            .map(|p| {
                Problem::new(
                    Location::file(round).with_keyword("indicators"),
                    CatalogueError::NoMatch { pattern: p.clone() },
                )
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let indicators =
            self.indicators.iter().filter(|i| patterns.iter().any(|p| glob_match(p, &i.id))).cloned().collect();
        Ok(Catalogue { indicators })
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    id: Option<Spanned<String>>,
    title: Option<Spanned<TextFile>>,
    why: Option<Spanned<TextFile>>,
    area: Option<Spanned<String>>,
    population: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    numerator: Option<Spanned<BindingFile>>,
    denominator: Option<Spanned<BindingFile>>,
    base: Option<Spanned<BindingFile>>,
    sum_of_squares: Option<Spanned<BindingFile>>,
    value: Option<Spanned<BindingFile>>,
    per: Option<Spanned<f64>>,
    unit: Option<Spanned<String>>,
    polarity: Option<Spanned<String>>,
    age_bands: Option<Vec<Spanned<String>>>,
    standardise: Option<Spanned<String>>,
    standard_population: Option<Spanned<BTreeMap<String, f64>>>,
    min_count: Option<Spanned<i64>>,
    source: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFile {
    sv: Option<String>,
    en: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(untagged)]
enum BindingFile {
    Split(String),
    PerSex {
        #[serde(rename = "K")]
        k: String,
        #[serde(rename = "M")]
        m: String,
        #[serde(rename = "T")]
        t: Option<String>,
    },
}

impl From<BindingFile> for Binding {
    fn from(b: BindingFile) -> Binding {
        match b {
            BindingFile::Split(v) => Binding::Split(v),
            BindingFile::PerSex { k, m, t } => Binding::PerSex { k, m, t },
        }
    }
}

/// Reads and checks one indicator file.
pub fn read(path: &Path) -> Result<Indicator, Problems> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem::new(Location::file(source.clone()), CatalogueError::Io { message: e.to_string() })]
    })?;
    parse(&text, path)
}

/// Checks the text of an indicator file; `path` names it in messages.
pub fn parse(text: &str, path: &Path) -> Result<Indicator, Problems> {
    let source = path.display().to_string();
    let at = |span: Range<usize>| text_location(source.clone(), text, span.start);
    let file: IndicatorFile = toml::from_str(text).map_err(|e| {
        let loc = e.span().map_or_else(|| Location::file(source.clone()), at);
        vec![Problem::new(loc, CatalogueError::Toml { message: e.message().trim().to_string() })]
    })?;
    let whole = || Location::file(source.clone());
    let mut problems = Vec::new();
    let missing = |key: &'static str, expected: &str, problems: &mut Problems| {
        problems
            .push(Problem::new(whole().with_keyword(key), CatalogueError::Missing { key, expected: expected.into() }));
    };

    let id = match &file.id {
        Some(id) if !id.get_ref().trim().is_empty() => id.get_ref().trim().to_string(),
        _ => {
            missing("id", "an id such as \"education.eligible_vocational\"", &mut problems);
            String::new()
        }
    };
    let text_of = |key: &'static str, t: &Option<Spanned<TextFile>>, required: bool, problems: &mut Problems| {
        let Some(t) = t else {
            if required {
                missing(key, "{ sv = \"…\", en = \"…\" }", problems);
            }
            return None;
        };
        let (sv, en) = (t.get_ref().sv.clone().unwrap_or_default(), t.get_ref().en.clone().unwrap_or_default());
        for (lang, s) in [("sv", &sv), ("en", &en)] {
            if s.trim().is_empty() {
                let expected = format!(
                    "{} text in {key} = {{ sv = \"…\", en = \"…\" }}",
                    if lang == "sv" { "a Swedish" } else { "an English" }
                );
                problems.push(Problem::new(
                    at(t.span()),
                    CatalogueError::Missing { key: if lang == "sv" { "sv" } else { "en" }, expected },
                ));
            }
        }
        Some(Text { sv, en })
    };
    let title = text_of("title", &file.title, true, &mut problems).unwrap_or_default();
    let why = text_of("why", &file.why, false, &mut problems);
    let area = match &file.area {
        Some(a) => a.get_ref().clone(),
        None => {
            missing("area", "an area such as \"education\" or \"elderly_care\"", &mut problems);
            String::new()
        }
    };

    fn choose<T: Copy>(
        key: &'static str,
        found: &Option<Spanned<String>>,
        all: &[T],
        name: fn(T) -> &'static str,
        at: &dyn Fn(Range<usize>) -> Location,
        problems: &mut Problems,
    ) -> Option<T> {
        let expected = all.iter().map(|t| name(*t)).collect::<Vec<_>>().join(", ");
        let Some(found) = found else {
            problems.push(Problem::new(at(0..0).with_keyword(key), CatalogueError::Missing { key, expected }));
            return None;
        };
        let hit = all.iter().copied().find(|t| name(*t) == found.get_ref().trim());
        if hit.is_none() {
            problems.push(Problem::new(
                at(found.span()),
                CatalogueError::Unknown { key, found: found.get_ref().clone(), expected },
            ));
        }
        hit
    }
    let whole_at = |span: Range<usize>| if span == (0..0) { whole() } else { at(span) };
    let kind = choose("kind", &file.kind, &Kind::ALL, Kind::name, &whole_at, &mut problems);
    let population =
        choose("population", &file.population, &Population::ALL, Population::name, &whole_at, &mut problems);
    let polarity = choose("polarity", &file.polarity, &Polarity::ALL, Polarity::name, &whole_at, &mut problems);

    // Which variable keys each kind needs and allows.
    let slots: [(&'static str, &Option<Spanned<BindingFile>>); 5] = [
        ("numerator", &file.numerator),
        ("denominator", &file.denominator),
        ("base", &file.base),
        ("sum_of_squares", &file.sum_of_squares),
        ("value", &file.value),
    ];
    if let Some(kind) = kind {
        let (required, allowed): (&[&str], &'static str) = match kind {
            Kind::Proportion | Kind::Rate => (&["numerator", "denominator"], "numerator and denominator"),
            Kind::Mean => (&["numerator", "denominator"], "numerator, denominator and sum_of_squares"),
            Kind::Share => (&["numerator", "base"], "numerator (the resource) and base"),
            Kind::Value => (&["value"], "value, and numerator and denominator when counts are known"),
        };
        let allows = |key: &str| match kind {
            Kind::Proportion | Kind::Rate => matches!(key, "numerator" | "denominator"),
            Kind::Mean => matches!(key, "numerator" | "denominator" | "sum_of_squares"),
            Kind::Share => matches!(key, "numerator" | "base"),
            Kind::Value => matches!(key, "value" | "numerator" | "denominator"),
        };
        for (key, slot) in slots {
            match slot {
                None if required.contains(&key) => {
                    let expected = format!("{key} = \"variable\" for a {} indicator", kind.name());
                    problems.push(Problem::new(whole().with_keyword(key), CatalogueError::Missing { key, expected }));
                }
                Some(s) if !allows(key) => problems.push(Problem::new(
                    at(s.span()),
                    CatalogueError::NotForKind { key, kind: kind.name(), expected: allowed },
                )),
                _ => {}
            }
        }
        if kind == Kind::Value && file.numerator.is_some() != file.denominator.is_some() {
            let key = if file.numerator.is_some() { "denominator" } else { "numerator" };
            let expected = "both numerator and denominator (the counts behind the value), or neither".into();
            problems.push(Problem::new(whole().with_keyword(key), CatalogueError::Missing { key, expected }));
        }
    }
    let binding = |b: &Option<Spanned<BindingFile>>| b.as_ref().map(|b| Binding::from(b.get_ref().clone()));

    let per = match &file.per {
        Some(p) if !(p.get_ref().is_finite() && *p.get_ref() > 0.0) => {
            problems.push(Problem::new(
                at(p.span()),
                CatalogueError::BadValue {
                    key: "per",
                    found: p.get_ref().to_string(),
                    expected: "a positive multiplier such as 100 or 1000",
                },
            ));
            1.0
        }
        Some(p) => *p.get_ref(),
        None => kind.map_or(1.0, Kind::default_per),
    };

    let mut age_bands = Vec::new();
    for b in file.age_bands.iter().flatten() {
        match Band::parse(b.get_ref()) {
            _ if b.get_ref().trim() == "all" => age_bands.push("all".into()),
            Some(band) => age_bands.push(band.label),
            None => problems.push(Problem::new(
                at(b.span()),
                CatalogueError::BadValue {
                    key: "age_bands",
                    found: format!("{:?}", b.get_ref()),
                    expected: "an age band such as \"65-79\" or \"80-w\"",
                },
            )),
        }
    }

    let standard = match (&file.standardise, &file.standard_population) {
        (None, None) => None,
        (None, Some(p)) => {
            problems.push(Problem::new(
                at(p.span()),
                CatalogueError::Missing {
                    key: "standardise",
                    expected: "standardise = \"age\" beside a standard_population".into(),
                },
            ));
            None
        }
        (Some(s), pop) => {
            if s.get_ref() != "age" {
                problems.push(Problem::new(
                    at(s.span()),
                    CatalogueError::Unknown { key: "standardise", found: s.get_ref().clone(), expected: "age".into() },
                ));
            }
            if kind.is_some_and(|k| k != Kind::Rate) {
                problems.push(Problem::new(
                    at(s.span()),
                    CatalogueError::NotForKind {
                        key: "standardise",
                        kind: kind.map_or("", Kind::name),
                        expected: "standardise on rates",
                    },
                ));
            }
            match pop {
                None => {
                    problems.push(Problem::new(
                        at(s.span()),
                        CatalogueError::Missing {
                            key: "standard_population",
                            expected: "standard_population = { \"65-79\" = …, \"80-w\" = … }: one combined-sex population by age band".into(),
                        },
                    ));
                    None
                }
                Some(p) => {
                    let mut bands = Vec::new();
                    for (band, n) in p.get_ref() {
                        match Band::parse(band) {
                            Some(b) if n.is_finite() && *n > 0.0 => bands.push((b.label, *n)),
                            _ => problems.push(Problem::new(
                                at(p.span()),
                                CatalogueError::BadValue {
                                    key: "standard_population",
                                    found: format!("{band:?} = {n}"),
                                    expected: "an age band with a positive population",
                                },
                            )),
                        }
                    }
                    (bands.len() >= 2 || bands.len() == p.get_ref().len()).then_some(Standard { bands })
                }
            }
        }
    };

    let min_count = match &file.min_count {
        None => None,
        Some(m) => match u32::try_from(*m.get_ref()) {
            Ok(v) if v >= 1 => Some(v),
            _ => {
                problems.push(Problem::new(
                    at(m.span()),
                    CatalogueError::BadValue {
                        key: "min_count",
                        found: m.get_ref().to_string(),
                        expected: "a whole number of at least 1",
                    },
                ));
                None
            }
        },
    };

    let (Some(kind), Some(population), Some(polarity), true) = (kind, population, polarity, problems.is_empty()) else {
        return Err(problems);
    };
    let sql = Some(path.with_extension("sql")).filter(|p| p.exists());
    Ok(Indicator {
        id,
        title,
        why,
        area,
        population,
        kind,
        numerator: binding(&file.numerator),
        denominator: binding(&file.denominator),
        base: binding(&file.base),
        sum_of_squares: binding(&file.sum_of_squares),
        value: binding(&file.value),
        per,
        unit: file.unit.map(Spanned::into_inner),
        polarity,
        age_bands,
        standard,
        min_count,
        source: file.source.unwrap_or_default(),
        path: path.to_path_buf(),
        sql,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, Path::new("queries/x.toml")) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(|p| p.to_string()).collect(),
        }
    }

    const GOOD: &str = r#"
id = "education.eligible"
title = { sv = "Behöriga", en = "Eligible" }
why = { sv = "Därför.", en = "Because." }
area = "education"
population = "children"
kind = "proportion"
numerator = "eligible"
denominator = "pupils"
polarity = "higher_is_better"
source = { kolada = "N15419" }
"#;

    #[test]
    fn a_good_file_reads_with_defaults() {
        let ind = parse(GOOD, Path::new("queries/education.eligible.toml")).unwrap();
        assert_eq!(ind.kind, Kind::Proportion);
        assert_eq!(ind.per, 100.0);
        assert_eq!(ind.numerator, Some(Binding::Split("eligible".into())));
        assert_eq!(ind.source_label(), "kolada N15419");
        assert_eq!(ind.value_unit(), "percent");
    }

    #[test]
    fn every_problem_in_a_file_is_reported_with_its_position() {
        let text = r#"
id = "x.y"
title = { sv = "Titel" }
area = "education"
population = "kids"
kind = "proportion"
numerator = "a"
polarity = "up"
"#;
        assert_eq!(
            problems(text),
            [
                "queries/x.toml:3:9: found no en, expected an English text in title = { sv = \"…\", en = \"…\" }",
                "queries/x.toml:5:14: population \"kids\" is unknown, expected one of children, adults, neutral",
                "queries/x.toml:8:12: polarity \"up\" is unknown, expected one of higher_is_better, lower_is_better, neutral",
                "queries/x.toml [denominator]: found no denominator, expected denominator = \"variable\" for a proportion indicator",
            ]
        );
    }

    #[test]
    fn unknown_kind_and_keys_are_refused() {
        assert_eq!(
            problems(&GOOD.replace("\"proportion\"", "\"ratio\"")),
            ["queries/x.toml:7:8: kind \"ratio\" is unknown, expected one of proportion, rate, mean, share, value"]
        );
        let typo = problems(&GOOD.replace("denominator =", "denominater ="));
        assert_eq!(typo.len(), 1);
        assert!(typo[0].starts_with("queries/x.toml:9:1: unknown field `denominater`"), "{typo:?}");
    }

    #[test]
    fn keys_that_do_not_fit_the_kind_are_refused() {
        let share = GOOD.replace("\"proportion\"", "\"share\"");
        assert_eq!(
            problems(&share),
            [
                "queries/x.toml:9:15: denominator is not used by a share indicator, expected only numerator (the resource) and base",
                "queries/x.toml [base]: found no base, expected base = \"variable\" for a share indicator",
            ]
        );
        let value = GOOD
            .replace("\"proportion\"", "\"value\"")
            .replace("denominator = \"pupils\"\n", "value = { K = \"N1\", M = \"N2\" }\n");
        assert_eq!(
            problems(&value),
            [
                "queries/x.toml [denominator]: found no denominator, expected both numerator and denominator (the counts behind the value), or neither"
            ]
        );
    }

    #[test]
    fn standardisation_needs_a_standard_population() {
        let rate = GOOD.replace("\"proportion\"", "\"rate\"");
        assert_eq!(
            problems(&format!("{rate}standardise = \"age\"\n")),
            [
                "queries/x.toml:12:15: found no standard_population, expected standard_population = { \"65-79\" = …, \"80-w\" = … }: one combined-sex population by age band"
            ]
        );
        let ok = parse(
            &format!("{rate}standardise = \"age\"\nstandard_population = {{ \"65-79\" = 7000, \"80-89\" = 2500, \"90+\" = 500 }}\n"),
            Path::new("x.toml"),
        )
        .unwrap();
        let standard = ok.standard.unwrap();
        let bands: Vec<&str> = standard.bands.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(bands, ["65-79", "80-89", "90-w"]);
    }

    #[test]
    fn duplicates_and_lone_sql_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("b.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("c.sql"), "SELECT 1").unwrap();
        let err = Catalogue::load(&[dir.path().to_path_buf()]).unwrap_err();
        let msgs: Vec<String> = err.iter().map(|p| p.kind.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("indicator id \"education.eligible\" is defined twice"), "{msgs:?}");
        assert_eq!(
            msgs[1],
            "found c.sql without an indicator file c.toml, expected the .toml that says what the query's variables mean"
        );
    }

    #[test]
    fn an_earlier_folder_replaces_a_shipped_indicator() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(a.path().join("mine.toml"), GOOD.replace("\"Eligible\"", "\"Mine\"")).unwrap();
        std::fs::write(b.path().join("shipped.toml"), GOOD).unwrap();
        let cat = Catalogue::load(&[a.path().to_path_buf(), b.path().to_path_buf()]).unwrap();
        assert_eq!(cat.indicators.len(), 1);
        assert_eq!(cat.indicators[0].title.en, "Mine");
        let err = cat.select(&["education.*".into(), "safety.*".into()], "round.toml").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "round.toml [indicators]: the round asks for indicators \"safety.*\", but no indicator id matches it"
        );
    }
}
