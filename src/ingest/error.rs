//! Everything a user's input file can get wrong, with what was found and what was expected as
//! fields. Positions live in the surrounding [`Problem`](crate::error::Problem).

use crate::model::{AgeError, OrgIdError, PeriodError, SexError, StatusError};

/// A problem in one input file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read the file: {message}")]
    Io { message: String },
    #[error("the file is empty, expected a header row and data")]
    EmptyFile,
    #[error("found {found}, which is not valid {expected}")]
    Encoding { found: String, expected: String },
    #[error("found {found}, which is not a character in Windows-1252 (or valid UTF-8)")]
    UndefinedByte { found: String },
    #[error("found no delimiter: every line has one field, expected fields separated by ; , or tab")]
    NoDelimiter,
    #[error(
        "found no header row in the first {searched} rows, expected a row naming the columns (kommun, år, kön, värde …)"
    )]
    NoHeader { searched: usize },
    #[error("found no {role} column, expected a column named {expected}")]
    MissingColumn { role: &'static str, expected: &'static str },
    #[error("column {found:?} named in [[input]] columns.{role} is not in the header row, expected one of {header}")]
    HintedColumnNotFound { role: &'static str, found: String, header: String },
    #[error("columns {first} and {second} both look like the {role} column, expected one")]
    AmbiguousColumns { role: &'static str, first: String, second: String },
    #[error("found the header row and no data rows below it")]
    NoData,
    #[error("found {found} fields, expected {expected} as in the header row (line {header_line})")]
    FieldCount { found: usize, expected: usize, header_line: u32 },
    #[error(transparent)]
    Sex(#[from] SexError),
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error(transparent)]
    Org(#[from] OrgIdError),
    #[error(transparent)]
    Age(#[from] AgeError),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error("value {found:?} is not a number, expected {expected}")]
    Number { found: String, expected: String },
    #[error("found the spreadsheet error {found}, expected a number or a symbol (.. . -)")]
    CellError { found: String },
    #[error("found value {value:?} with status {status:?}, which says the value is absent")]
    ValueWithAbsentStatus { value: String, status: String },
    #[error("found value {value:?} with status \"-\" (zero), expected 0")]
    ValueWithZeroStatus { value: String },
    #[error("status {status:?} says a value is present, but the value cell is empty")]
    NoValueWithStatus { status: String },
    #[error("the {role} cell is empty, expected a value")]
    EmptyCell { role: &'static str },
    #[error("the same organisation, period, variable, sex and age as line {first_line} ({key}), expected each once")]
    Duplicate { first_line: u32, key: String },
    #[error(
        "period {found:?} is {found_freq} but variable {variable:?} has {expected_freq} periods (first at {first}), expected one frequency per variable"
    )]
    MixedFrequency {
        found: String,
        found_freq: &'static str,
        variable: String,
        expected_freq: &'static str,
        first: String,
    },
    #[error("{message}")]
    Px { message: String },
    #[error("the SQL failed: {message}")]
    Sql { message: String },
    #[error("the file is not valid JSON: {message}")]
    Json { message: String },
    #[error("{path}: found {found}, expected {expected}")]
    JsonValue { path: String, found: String, expected: String },
    #[error("found {found}, expected {expected}")]
    Invalid { found: String, expected: String },
    #[error("sheet {found:?} is not in the workbook, expected one of {available}")]
    SheetNotFound { found: String, available: String },
    #[error("the workbook has no sheet with data")]
    NoSheet,
    #[error("{format} input is not supported by this version of jamfor, expected csv, xlsx, xls, ods, px or kolada")]
    Unsupported { format: &'static str },
    #[error(
        "cannot tell the format from the file name, expected an extension (.csv .xlsx .xls .ods .px .json .parquet)"
    )]
    UnknownFormat,
}

impl IngestError {
    /// The generic hint for this kind of problem; call sites add context-specific ones.
    pub fn hint(&self) -> Option<String> {
        match self {
            IngestError::Sex(e) => e.hint(),
            IngestError::Org(e) => e.hint(),
            IngestError::NoHeader { .. } | IngestError::MissingColumn { .. } => Some(
                "name the columns in this file's [[input]] in round.toml, e.g. \
                 columns = { org = \"Kommun\", period = \"År\", sex = \"Kön\", value = \"Antal\" }"
                    .into(),
            ),
            IngestError::Duplicate { .. } => {
                Some("a value is published once per organisation, period, variable, sex and age group; remove one of the rows".into())
            }
            IngestError::MixedFrequency { .. } => {
                Some("split yearly and quarterly data into separate variables (a `variable` hint per file)".into())
            }
            IngestError::Unsupported { .. } => {
                Some("export the table as CSV or xlsx, or use a jamfor version that reads this format".into())
            }
            _ => None,
        }
    }
}
