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
//! - this module: runs the files in order, derives `T = K + M` for additive units only (marked in
//!   `source`), and reports per file what was read and how.
//!
//! A file with any problem contributes no rows: the caller gets every problem (capped per file)
//! and decides; `jamfor validate` and `jamfor ingest` exit 2.

pub mod csv;
pub mod decode;
pub mod error;
pub mod excel;
pub mod layout;
pub mod number;
pub mod options;
pub mod shape;

use std::collections::HashMap;
use std::path::Path;

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
    pub rows: usize,
    pub observations: usize,
    pub empty_values: usize,
    pub derived_totals: usize,
    pub problems: Problems,
}

impl FileReport {
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
        if counts.percent_seen && self.unit.is_none() {
            self.unit = Some(("percent".into(), "from % signs in the values"));
        }
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
}

impl Session {
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
}

impl Ingested {
    /// Problems over all files (including those past the cap).
    pub fn problem_count(&self) -> usize {
        self.reports.iter().map(|r| r.problems.total()).sum()
    }
}

/// Reads every input in order.
pub fn ingest(inputs: &[Input]) -> Ingested {
    let mut session = Session::default();
    let mut reports = Vec::with_capacity(inputs.len());
    for input in inputs {
        reports.push(read_one(input, &mut session));
    }
    Ingested { observations: session.builder.finish(), reports }
}

fn read_one(input: &Input, session: &mut Session) -> FileReport {
    let mut report = FileReport::new(&input.source);
    let start = session.builder.len();
    let format = input.hints.format.or_else(|| Format::from_path(&input.path));
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
        Some(f) => report.problems.add(location, IngestError::Unsupported { format: f.name() }),
    }
    if !report.problems.is_empty() {
        session.builder.truncate(start);
        return report;
    }
    if report.unit.is_none() {
        report.unit = Some(("unspecified".into(), "no unit given; set `unit = …` in [[input]]"));
    }
    let unit_name = report.unit.as_ref().map(|(u, _)| u.clone()).unwrap_or_default();
    if unit_name == "percent" && input.hints.unit.is_none() {
        let id = session.builder.units.intern("percent");
        session.builder.unit[start..].iter_mut().for_each(|u| *u = id);
    }
    if unit_name.parse::<Unit>().is_ok_and(|u| u.is_additive()) {
        report.derived_totals = derive_totals(&mut session.builder, start, &input.source);
    }
    report.observations = session.builder.len() - start;
    report
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
        let (Some(vk), Some(vm)) = (b.value[k], b.value[m]) else { continue };
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
