//! Ingest: input files → one validated [`Observations`] table (DESIGN §3).
//!
//! ```text
//! bytes ──decode──► text ──csv/calamine──► rows ──layout──► columns' meaning ──shape──► observations
//! ```
//!
//! - [`decode`]: BOM, declared encoding, UTF-8, else Windows-1252; never lossy.
//! - [`csv`] and [`excel`]: cells, with line/row numbers as the user sees them.
//! - [`layout`]: header row and column roles from Swedish/English names, or `[[input]]` hints.
//! - [`shape`]: parses every cell, checks duplicates and frequencies, builds columns.
//! - this module: reads the files in parallel and joins them in input order (the same table as
//!   reading them one after the other), derives `T = K + M` for additive units only (marked in
//!   `source`), and reports per file what was read and how.
//!
//! A file with any problem contributes no rows: the caller gets every problem (capped per file)
//! and decides; `jamfor validate` and `jamfor ingest` exit 2.

pub mod csv;
pub mod decode;
pub mod dictionary;
pub mod error;
pub mod excel;
pub mod kolada;
pub mod layout;
pub mod number;
pub mod options;
pub mod pcaxis;
mod px;
pub mod records;
pub mod shape;
mod split;
pub mod sql;

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::model::observations::{FxBuild, ObservationsBuilder, RowIds};
use crate::model::{Observations, Sex, Status, Unit};
pub use error::IngestError;
use layout::Layout;
pub use options::{ColumnHints, DecimalMark, Format, Input, InputHints, ReadOptions};
use shape::{Frequencies, Locator, Problems, ShapeCounts, Shaper};

/// Problems kept per file; the rest are counted (`validate` prints "… and N more").
pub const PROBLEM_CAP: usize = 50;

/// The suffix on `source` of totals jamfor computed as K + M (additive units only).
pub const DERIVED_TOTAL: &str = "#derived:T=K+M";

/// What reading one file found, for the summary and for error reporting.
#[derive(Debug, Default)]
pub struct FileReport {
    pub source: String,
    pub format: Option<Format>,
    pub encoding: Option<decode::EncodingChoice>,
    pub delimiter: Option<u8>,
    pub decimal: Option<DecimalMark>,
    pub sheet: Option<String>,
    pub header_line: Option<u32>,
    pub shape: Option<&'static str>,
    /// `(role, header)` for each column used.
    pub columns: Vec<(&'static str, String)>,
    pub variable: Option<(String, &'static str)>,
    pub unit: Option<(String, &'static str)>,
    pub ignored: Vec<String>,
    pub notes: Vec<(u32, String)>,
    /// Format-specific lines for the summary (Kolada: what each document held).
    pub details: Vec<String>,
    pub rows: usize,
    pub observations: usize,
    pub empty_values: usize,
    pub derived_totals: usize,
    pub problems: Problems,
    /// What the file itself says about units, applied in [`read_one`] when no hint gives one.
    unit_evidence: UnitEvidence,
}

/// Where a file's unit can come from when `[[input]]` does not say.
#[derive(Debug, Default)]
struct UnitEvidence {
    unit_column: bool,
    /// The value column's name (`Antal` → count).
    header: Option<&'static str>,
    /// Variables written with `%` after their numbers.
    percent_variables: Vec<u32>,
}

impl FileReport {
    /// The source line raw values from this file must carry, when the publisher asks for one.
    pub fn attribution(&self) -> Option<kolada::Attribution> {
        (self.format == Some(Format::Kolada)).then_some(kolada::ATTRIBUTION)
    }

    fn new(source: &str) -> FileReport {
        FileReport { source: source.to_string(), problems: Problems::with_cap(PROBLEM_CAP), ..FileReport::default() }
    }

    /// Takes over what the shaper found and what the layout decided.
    pub(crate) fn absorb(&mut self, problems: Problems, counts: ShapeCounts, layout: &Layout) {
        for p in problems.list {
            self.problems.push(p);
        }
        self.problems.more += problems.more;
        self.rows = counts.rows;
        self.empty_values = counts.empty_values;
        self.notes = counts.notes;
        self.header_line = Some(layout.header_line);
        self.shape = Some(layout.shape);
        self.ignored = layout.ignored.clone();
        self.columns = layout.described_columns();
        if let layout::Origin::Fixed(v) = &layout.variable {
            self.variable = Some((v.clone(), layout.variable_reason));
        }
        self.unit_evidence = UnitEvidence {
            unit_column: layout.unit.is_some(),
            header: layout.header_unit,
            percent_variables: counts.percent_variables,
        };
        if counts.rows == 0 && self.problems.is_empty() {
            let line = layout.header_line;
            self.problems.add(crate::error::Location::at(self.source.clone(), line, None), IngestError::NoData);
        }
    }
}

/// The state shared by all files of one ingest: the table being built and the frequency of each
/// variable (which must agree across files).
#[derive(Default)]
pub struct Session {
    builder: ObservationsBuilder,
    frequencies: Frequencies,
    unit: u32,
    kolada: kolada::KoladaMeta,
    tables: Vec<records::RecordTable>,
}

impl Session {
    /// Joins the session of a file read apart: its rows (unless it breaks a variable's frequency
    /// fixed by an earlier file, which the file's report then says), Kolada metadata (the first
    /// file to name an organisation names it) and record tables.
    fn join(&mut self, part: Session, report: &mut FileReport) {
        let Session { builder, frequencies, kolada, tables, .. } = part;
        for (variable, first) in frequencies.first_seen() {
            let name = builder.variables.get(variable);
            let id = self.builder.variables.intern(name);
            let found = builder.periods.get(first.period);
            let period = self.builder.periods.intern(found);
            let (frequency, at) = (first.frequency, first.at.clone());
            if let Some(expected) = self.frequencies.claim(id, shape::FirstSeen { period, ..first }) {
                report.problems.add(at, shape::mixed_frequency(found, frequency, name, expected));
            }
        }
        if report.problems.is_empty() {
            self.builder.append(builder);
        } else {
            report.observations = 0;
            report.derived_totals = 0;
        }
        for (id, name) in kolada.names {
            self.kolada.names.entry(id).or_insert(name);
        }
        self.kolada.groups.extend(kolada.groups);
        self.kolada.kpis.extend(kolada.kpis);
        self.tables.extend(tables);
    }

    pub(crate) fn reserve(&mut self, rows: usize) {
        self.builder.reserve(rows);
    }

    pub(crate) fn shaper<'s>(
        &'s mut self,
        layout: &'s Layout,
        hints: &'s InputHints,
        decimal: DecimalMark,
        loc: Locator,
    ) -> Shaper<'s> {
        Shaper::new(layout, hints, decimal, loc, self)
    }
}

/// The result of ingesting files: the table of the files that had no problem, and a report per file.
#[derive(Debug)]
pub struct Ingested {
    pub observations: Observations,
    pub reports: Vec<FileReport>,
    /// Kolada metadata among the inputs: names, municipality groups, the KPI catalogue.
    pub kolada: kolada::KoladaMeta,
    /// Record-level tables, for the SQL beside indicators.
    pub tables: Vec<records::RecordTable>,
}

impl Ingested {
    /// Problems over all files (including those past the cap).
    pub fn problem_count(&self) -> usize {
        self.reports.iter().map(|r| r.problems.total()).sum()
    }
}

/// Reads every input in order.
pub fn ingest(inputs: &[Input]) -> Ingested {
    ingest_with(inputs, &[])
}

/// Reads every input in order, then derives variables from the record-level tables with each
/// query (a report per query, named by its file).
pub fn ingest_with(inputs: &[Input], queries: &[sql::Query]) -> Ingested {
    let clock = crate::timings::Stopwatch::start();
    // Files are read in parallel, each into a session of its own, and joined in input order:
    // the result is the same as reading them one after the other.
    let mut parts = inputs
        .par_iter()
        .map(|input| {
            let mut part = Session::default();
            (read_one(input, &mut part), part)
        })
        .collect::<Vec<_>>()
        .into_iter();
    let mut reports = Vec::with_capacity(inputs.len() + queries.len());
    // The first file's session is taken as it is (no copy of a single large file's rows).
    let mut session = match parts.next() {
        Some((report, first)) => {
            reports.push(report);
            first
        }
        None => Session::default(),
    };
    for (mut report, part) in parts {
        session.join(part, &mut report);
        reports.push(report);
    }
    // Queries read the record tables: when one could not be read, they would only fail again.
    let tables_ok = reports.iter().all(|r| r.format != Some(Format::Records) || r.problems.is_empty());
    clock.lap("ingest: files read");
    for q in queries.iter().filter(|_| tables_ok) {
        reports.push(derive_one(q, &mut session));
        clock.lap(&format!("ingest: {} derived", q.source));
    }
    kolada::fill_names(&mut session);
    let observations = session.builder.finish();
    clock.lap("ingest: table built");
    Ingested { observations, reports, kolada: session.kolada, tables: session.tables }
}

fn read_one(input: &Input, session: &mut Session) -> FileReport {
    let mut report = FileReport::new(&input.source);
    let start = session.builder.len();
    let format = input.hints.format.or_else(|| Format::from_path(&input.path)).or_else(|| json_folder(&input.path));
    report.format = format;
    let unit = match &input.hints.unit {
        Some(u) => {
            report.unit = Some((u.name().to_string(), "from round.toml"));
            u.clone()
        }
        None => Unit::Unspecified,
    };
    session.unit = session.builder.units.intern(unit.name());
    let stem = input.path.file_stem().map_or_else(|| input.source.clone(), |s| s.to_string_lossy().into_owned());
    let location = crate::error::Location::file(input.source.clone());
    match format {
        None => report.problems.add(location, IngestError::UnknownFormat),
        Some(Format::Csv) => match std::fs::read(&input.path) {
            Ok(bytes) => csv::read(&bytes, input, &stem, session, &mut report),
            Err(e) => report.problems.add(location, IngestError::Io { message: e.to_string() }),
        },
        Some(f) if f.is_spreadsheet() => excel::read(input, &stem, session, &mut report),
        Some(Format::Px) => px::read(input, session, &mut report),
        Some(Format::Kolada) => kolada::read(input, session, &mut report),
        Some(Format::Records) => {
            records::read(input, &mut session.tables, &mut report);
            report.observations = 0;
            return report;
        }
        Some(f) => report.problems.add(location, IngestError::Unsupported { format: f.name() }),
    }
    if !report.problems.is_empty() {
        session.builder.truncate(start);
        return report;
    }
    apply_unit_evidence(&mut report, &mut session.builder, start);
    let additive = report.unit_evidence.unit_column
        || report.unit.as_ref().is_some_and(|(u, _)| u.parse::<Unit>().is_ok_and(|u| u.is_additive()));
    if additive {
        report.derived_totals = derive_totals(&mut session.builder, start, &input.source);
    }
    report.observations = session.builder.len() - start;
    report
}

/// Runs one query and adds its values as observations (`source` = the query file, `row` = the
/// result row). Totals are derived as K + M for additive units, as for files.
fn derive_one(q: &sql::Query, session: &mut Session) -> FileReport {
    let mut report = FileReport::new(&q.source);
    let derived = match sql::run(q, &session.tables) {
        Ok(d) => d,
        Err(problems) => {
            let tables: Vec<String> =
                session.tables.iter().map(|t| format!("{} (from {})", t.name, t.source)).collect();
            let hint = format!(
                "the tables are those with format = \"records\" in round.toml, named by `table`: {}",
                if tables.is_empty() { "none".to_string() } else { tables.join(", ") }
            );
            for p in problems {
                let missing = matches!(&p.kind, IngestError::Sql { message } if message.contains("not found"));
                report.problems.push(if missing { p.with_hint(Some(hint.clone())) } else { p });
            }
            return report;
        }
    };
    let b = &mut session.builder;
    let start = b.len();
    let source = b.sources.intern(&q.source);
    let unspecified = b.units.intern(Unit::Unspecified.name());
    for (i, d) in derived.iter().enumerate() {
        let ids = RowIds {
            source,
            row: u32::try_from(i + 1).unwrap_or(u32::MAX),
            org: b.orgs.intern(d.org.as_str()),
            name: crate::model::observations::NO_NAME,
            period: b.periods.intern(&d.period.to_string()),
            variable: b.variables.intern(&d.variable),
            sex: d.sex,
            age: b.ages.intern(&d.age_group),
            unit: d.unit.as_deref().map_or(unspecified, |u| b.units.intern(u)),
        };
        let status = d.value.is_none().then_some(Status::Missing);
        b.push(ids, d.value, status);
    }
    report.rows = derived.len();
    report.derived_totals = derive_totals(b, start, &q.source);
    report.observations = b.len() - start;
    let mut variables: Vec<&str> = derived.iter().map(|d| d.variable.as_str()).collect();
    variables.sort_unstable();
    variables.dedup();
    let bands: Vec<&str> = q.bands.iter().map(|b| b.label.as_str()).collect();
    report.details.push(format!(
        "SQL over the record tables: {} values of {}{}",
        derived.len(),
        variables.join(", "),
        if bands.is_empty() { String::new() } else { format!(" by age band {}", bands.join(", ")) }
    ));
    report
}

/// A folder of `.json` files is Kolada pages.
fn json_folder(path: &Path) -> Option<Format> {
    let mut entries = std::fs::read_dir(path).ok()?.filter_map(|e| e.ok().map(|e| e.path()));
    entries.any(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))).then_some(Format::Kolada)
}

/// Without a `unit` hint: a unit column decides per row; else the value column's name (`Antal`);
/// else variables written with `%` are percent; everything else stays `unspecified` (and is
/// never treated as additive).
fn apply_unit_evidence(report: &mut FileReport, b: &mut ObservationsBuilder, start: usize) {
    if report.unit.is_some() {
        return;
    }
    let evidence = &report.unit_evidence;
    report.unit = Some(if evidence.unit_column {
        ("per row".into(), "from the unit column")
    } else if let Some(unit) = evidence.header {
        let id = b.units.intern(unit);
        b.unit[start..].iter_mut().for_each(|u| *u = id);
        (unit.into(), "from the value column's name")
    } else if !evidence.percent_variables.is_empty() {
        let id = b.units.intern("percent");
        for i in start..b.len() {
            if evidence.percent_variables.contains(&b.variable[i]) {
                b.unit[i] = id;
            }
        }
        let n = evidence.percent_variables.len();
        (format!("percent for {n} variable{} written with %", if n == 1 { "" } else { "s" }), "others unspecified")
    } else if report.format == Some(Format::Kolada) {
        // A Kolada response mixes KPIs of different units and names none of them; the
        // indicator reading a KPI declares its unit, and unspecified never adds up.
        ("unspecified".into(), "Kolada gives none; each indicator reading a KPI declares its unit")
    } else {
        ("unspecified".into(), "no unit given; set `unit = …` in [[input]]")
    });
}

/// Adds `T = K + M` where a file has K and M (both with values) and no T, for additive units.
/// The new rows carry the K row's line and `source` + [`DERIVED_TOTAL`]. K and M are never
/// derived from T.
fn derive_totals(b: &mut ObservationsBuilder, start: usize, source: &str) -> usize {
    type Key = (u32, u32, u32, u32, u32);
    let mut index: HashMap<Key, usize, FxBuild> = HashMap::default();
    let mut groups: Vec<[Option<usize>; 3]> = Vec::new();
    for i in start..b.len() {
        let key = (b.org[i], b.period[i], b.variable[i], b.age[i], b.unit[i]);
        let g = *index.entry(key).or_insert_with(|| {
            groups.push([None; 3]);
            groups.len() - 1
        });
        groups[g][b.sex[i] as usize] = Some(i);
    }
    let derived_source = b.sources.intern(&format!("{source}{DERIVED_TOTAL}"));
    let mut added = 0;
    for g in groups {
        let [Some(k), Some(m), None] = g else { continue };
        if !b.units.get(b.unit[k]).parse::<Unit>().is_ok_and(|u| u.is_additive()) {
            continue;
        }
        let (Some(vk), Some(vm)) = (b.value.get(k), b.value.get(m)) else { continue };
        let status = match (b.status[k], b.status[m]) {
            (Some(Status::Zero), Some(Status::Zero)) => Some(Status::Zero),
            (Some(Status::Preliminary), _) | (_, Some(Status::Preliminary)) => Some(Status::Preliminary),
            _ => None,
        };
        let ids = RowIds { source: derived_source, sex: Sex::T, ..b.ids(k) };
        b.push(ids, Some(vk + vm), status);
        added += 1;
    }
    added
}

/// Inputs from file paths given on the command line, taking hints from the round where the
/// round lists the same file.
pub fn inputs_from_paths(paths: &[std::path::PathBuf], round_inputs: &[Input]) -> Vec<Input> {
    paths
        .iter()
        .map(|p| {
            let canonical = std::fs::canonicalize(p).ok();
            round_inputs
                .iter()
                .find(|i| canonical.is_some() && std::fs::canonicalize(&i.path).ok() == canonical)
                .map(|i| Input { source: p.display().to_string(), ..i.clone() })
                .unwrap_or_else(|| Input::from_path(Path::new(p)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObservationRecord;

    fn read(csv: &str, unit: Option<&str>) -> Vec<ObservationRecord> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, csv).unwrap();
        let hints = InputHints { unit: unit.map(|u| u.parse().unwrap()), ..InputHints::default() };
        let got = ingest(&[Input { path, source: "f.csv".into(), hints }]);
        assert_eq!(got.problem_count(), 0, "{:?}", got.reports[0].problems);
        got.observations.records()
    }

    fn sexes(records: &[ObservationRecord]) -> Vec<(String, Sex, Option<f64>)> {
        records.iter().map(|r| (r.source.clone(), r.sex, r.value)).collect()
    }

    #[test]
    fn total_is_derived_for_additive_units_and_marked() {
        let r = read("Kommun;År;Kön;Värde\nX1;2023;K;10,5\nX1;2023;M;2\n", Some("hours"));
        assert_eq!(
            sexes(&r),
            [
                ("f.csv".into(), Sex::K, Some(10.5)),
                ("f.csv".into(), Sex::M, Some(2.0)),
                ("f.csv#derived:T=K+M".into(), Sex::T, Some(12.5)),
            ]
        );
        assert_eq!(r[2].row, 2, "a derived total points at the K row");
    }

    #[test]
    fn nothing_is_derived_for_rates_percentages_or_unknown_units() {
        for unit in [Some("percent"), Some("per_1000"), None] {
            let r = read("Kommun;År;Kön;Värde\nX1;2023;K;10\nX1;2023;M;2\n", unit);
            assert_eq!(r.len(), 2, "{unit:?}");
        }
    }

    #[test]
    fn a_missing_sex_is_never_derived_from_the_total() {
        let r = read("Kommun;År;Kön;Värde\nX1;2023;T;10\nX1;2023;K;4\n", Some("count"));
        assert_eq!(sexes(&r), [("f.csv".into(), Sex::T, Some(10.0)), ("f.csv".into(), Sex::K, Some(4.0))]);
        let r = read("Kommun;År;Kön;Värde\nX1;2023;K;4\nX1;2023;M;..\n", Some("count"));
        assert_eq!(r.len(), 2, "no total from a missing man's value");
    }

    #[test]
    fn percent_signs_set_the_unit_of_their_variable_only() {
        let r = read("Kommun;År;Kön;Mått;Värde\nX1;2023;K;andel;45 %\nX1;2023;K;antal;12\n", None);
        assert_eq!(r[0].unit, "percent");
        assert_eq!(r[1].unit, "unspecified");
    }

    /// Files read in parallel, joined in input order: the same table as one after the other,
    /// and a variable keeps the frequency of the first file that has it.
    #[test]
    fn files_join_in_order_and_a_variable_keeps_one_frequency_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("a.csv", "Kommun;År;Kön;Värde\nX1;2023;K;1\nX1;2023;M;2\n"),
            ("b.json", "not read: the format says csv"),
            ("c.csv", "Kommun;År;Kön;Värde\nX2;2023;K;3\n"),
            ("d.csv", "Kommun;Period;Kön;Värde\nX1;2023-Q1;K;4\nX1;2023-Q2;K;5\n"),
        ];
        let inputs: Vec<Input> = files
            .iter()
            .map(|(name, text)| {
                let path = dir.path().join(name);
                std::fs::write(&path, text).unwrap();
                let hints =
                    InputHints { format: Some(Format::Csv), variable: Some("v".into()), ..InputHints::default() };
                Input { path, source: name.to_string(), hints }
            })
            .collect();
        let got = ingest(&inputs);
        let sources: Vec<&str> = got.reports.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["a.csv", "b.json", "c.csv", "d.csv"]);
        let rows: Vec<(String, String, Option<f64>)> =
            got.observations.records().into_iter().map(|r| (r.source, r.org_id, r.value)).collect();
        let want = [("a.csv", "X1", 1.0), ("a.csv", "X1", 2.0), ("c.csv", "X2", 3.0)];
        assert_eq!(rows, want.map(|(s, o, v)| (s.to_string(), o.to_string(), Some(v))));
        assert!(!got.reports[1].problems.is_empty(), "b.json is not CSV");
        let d = &got.reports[3];
        assert_eq!(d.observations, 0, "d.csv contributes nothing");
        let [p] = &d.problems.list[..] else { panic!("one problem: {:?}", d.problems) };
        assert_eq!((p.location.source.as_str(), p.location.line), ("d.csv", Some(2)));
        let IngestError::MixedFrequency { found, first, .. } = &p.kind else { panic!("{p:?}") };
        assert_eq!((found.as_str(), first.as_str()), ("2023-Q1", "a.csv:2:2"));
    }

    /// Variables that alternate from row to row, and runs of one, keep their own names
    /// (the previous row's variable is remembered, the others looked up).
    #[test]
    fn alternating_and_repeated_variables_keep_their_names() {
        let csv =
            "Kommun;År;Mått;Kön;Värde\nX1;2023;a;K;1\nX1;2023;b;K;2\nX1;2024;a;K;3\nX1;2024;a;M;4\nX1;2024;b;K;5\n";
        let r = read(csv, None);
        let got: Vec<(&str, Option<f64>)> = r.iter().map(|o| (o.variable.as_str(), o.value)).collect();
        let want = [("a", 1.0), ("b", 2.0), ("a", 3.0), ("a", 4.0), ("b", 5.0)];
        assert_eq!(got, want.map(|(v, x)| (v, Some(x))));
    }

    #[test]
    fn value_header_names_the_unit() {
        let r = read("Kommun;År;Kön;Antal\nX1;2023;K;4\nX1;2023;M;5\n", None);
        assert!(r.iter().all(|o| o.unit == "count"));
        assert_eq!(r.len(), 3, "counts add up, so T is derived");
    }
}
