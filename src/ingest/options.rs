//! How to read an input (bytes → cells) kept apart from what its columns mean (cells →
//! observations), as polars-io keeps `CsvParseOptions` apart from `CsvReadOptions`.
//!
//! Everything here is optional: detection fills what a hint leaves open, and the summary of
//! `jamfor ingest` reports what was detected so that a user can pin it in `round.toml`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use encoding_rs::Encoding;

use crate::model::{Period, Sex, SexCodes, Unit};

/// The kinds of input jamfor reads (`format = …` in `[[input]]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
    Ods,
    Px,
    Kolada,
    Records,
    Parquet,
}

impl Format {
    pub const NAMES: &'static str = "csv, xlsx, xls, ods, px, kolada, records, parquet";

    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.trim().to_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Format::Csv,
            "xlsx" | "xlsm" | "xlsb" => Format::Xlsx,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "px" => Format::Px,
            "kolada" | "json" => Format::Kolada,
            "records" => Format::Records,
            "parquet" => Format::Parquet,
            _ => return None,
        })
    }

    /// The format implied by a file's extension, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::parse(path.extension()?.to_str()?)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Px => "px",
            Format::Kolada => "kolada",
            Format::Records => "records",
            Format::Parquet => "parquet",
        }
    }

    pub fn is_spreadsheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xls | Format::Ods)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The decimal mark of numbers written as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalMark {
    /// `1 234,5` — Swedish exports; `.` is then also allowed as a thousands separator.
    Comma,
    /// `1234.5`.
    Point,
}

impl DecimalMark {
    pub fn char(self) -> char {
        match self {
            DecimalMark::Comma => ',',
            DecimalMark::Point => '.',
        }
    }
}

/// How to turn bytes into cells. `None` means "detect".
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Any WHATWG label (`windows-1252`, `utf-8`, `latin1` …). Default: BOM, else valid UTF-8,
    /// else Windows-1252.
    pub encoding: Option<&'static Encoding>,
    /// `;`, `,` or tab. Default: the one that splits the first lines most consistently.
    pub delimiter: Option<u8>,
    /// Default: comma when any value cell has a digit-comma-digit, else point.
    pub decimal: Option<DecimalMark>,
    /// Spreadsheets: the sheet to read. Default: the only sheet, else the first.
    pub sheet: Option<String>,
}

/// Column names (as in the header, case-insensitive) that fix a role, overriding detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnHints {
    pub org: Option<String>,
    pub org_name: Option<String>,
    pub period: Option<String>,
    pub sex: Option<String>,
    pub variable: Option<String>,
    pub value: Option<String>,
    pub age: Option<String>,
}

impl ColumnHints {
    /// `(role name in round.toml, header name)` for every hint given.
    pub fn given(&self) -> Vec<(&'static str, &str)> {
        [
            ("org", &self.org),
            ("org_name", &self.org_name),
            ("period", &self.period),
            ("sex", &self.sex),
            ("variable", &self.variable),
            ("value", &self.value),
            ("age", &self.age),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

/// Everything an `[[input]]` entry in `round.toml` may say about one file.
#[derive(Clone, Debug, Default)]
pub struct InputHints {
    pub format: Option<Format>,
    pub read: ReadOptions,
    pub columns: ColumnHints,
    pub sex_codes: SexCodes,
    pub pad_org_codes: bool,
    /// A one-measure file: the variable all its values measure.
    pub variable: Option<String>,
    pub unit: Option<Unit>,
    /// A file with no sex column: the sex of all its values (usually `T`).
    pub sex: Option<Sex>,
    /// A file with no period column: the period of all its values.
    pub period: Option<Period>,
    /// PX: dimensions fixed to one value (used by the PX reader).
    pub select: BTreeMap<String, String>,
    /// Record-level extracts: the table name SQL refers to.
    pub table: Option<String>,
    /// Record-level extracts: columns that together identify a record (`["person_id", "period"]`).
    pub unique: Vec<String>,
    /// Record-level extracts: numeric columns that may be negative (all others may not).
    pub signed: Vec<String>,
}

/// One input to read: where it is, the name observations carry as `source`, and its hints.
#[derive(Clone, Debug)]
pub struct Input {
    pub path: std::path::PathBuf,
    /// The path as the user gave it (relative to the round file or the working directory).
    pub source: String,
    pub hints: InputHints,
}

impl Input {
    /// An input with no hints, named as given on the command line.
    pub fn from_path(path: &Path) -> Input {
        Input { path: path.to_path_buf(), source: path.display().to_string(), hints: InputHints::default() }
    }
}
