//! Record-level extracts (`format = "records"`): one row per person, case or decision, from a
//! case system's CSV export or a Parquet file, registered as a table (`table = "home_care"` in
//! `[[input]]`) for the SQL beside an indicator ([`super::sql`]).
//!
//! Columns are typed on read. The organisation, period, sex and age columns are found by name
//! (as in aggregate files) or `columns = { … }` hints and take canonical names and forms —
//! `org_id` (text, zeros kept), `period` (`2024`, `2024-03`), `sex` (`K`/`M`/`T` through the
//! same parser as everywhere), `age` (whole years, 0–120) — so SQL reads the same whatever the
//! export called them. Other columns keep their header in snake case (`Beviljade timmar` →
//! `beviljade_timmar`) and become integers, decimals (Swedish or English locale) or text.
//!
//! A bad record is an error with file, line and column, never dropped: an unknown sex code, an
//! age outside 0–120, a negative count, hours or amount (unless `signed = ["col"]`), the same
//! key twice where `unique = ["person_id", "period"]` says it is unique.

use std::collections::HashMap;

use polars::prelude::*;

use super::decode::{Text, prepare};
use super::dictionary;
use super::error::IngestError;
use super::layout::{Role as HeaderRole, role_of};
use super::number::parse_number;
use super::options::{DecimalMark, Input};
use super::{FileReport, Format};
use crate::error::Location;
use crate::model::{OrgId, Period, Sex};

/// A record-level table, ready to register for SQL.
#[derive(Clone, Debug)]
pub struct RecordTable {
    /// The name SQL uses.
    pub name: String,
    pub source: String,
    /// The checked records; text columns are held as dictionary codes ([`super::dictionary`]).
    pub frame: DataFrame,
}

/// What a column is, once read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Org,
    Period,
    Sex,
    Age,
    Int,
    Float,
    Text,
}

impl Kind {
    /// A key cell in canonical form: `0180`, `2024-03`, `K`.
    fn canonical(self, t: &str, codes: crate::model::SexCodes) -> Result<String, IngestError> {
        match self {
            Kind::Org => OrgId::new(t).map(|o| o.to_string()).map_err(IngestError::from),
            Kind::Period => t.parse::<Period>().map(|p| p.to_string()).map_err(IngestError::from),
            _ => Sex::parse(t, codes).map(|s| s.code().to_string()).map_err(IngestError::from),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Org => "organisation",
            Kind::Period => "period",
            Kind::Sex => "sex",
            Kind::Age => "age",
            Kind::Int => "integer",
            Kind::Float => "decimal",
            Kind::Text => "text",
        }
    }
}

/// A header as a SQL-friendly column name: lower case, å ä → a, ö → o, anything else → `_`.
pub fn snake(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        };
        if c != '_' || !out.ends_with('_') {
            out.push(c);
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) { format!("c_{out}") } else { out }
}

/// The canonical name and kind of a column, from hints or its header.
fn column_kind(header: &str, input: &Input) -> (String, Option<Kind>) {
    let c = &input.hints.columns;
    let hinted = |h: &Option<String>| h.as_deref().is_some_and(|h| h.trim().eq_ignore_ascii_case(header.trim()));
    let role = if hinted(&c.org) {
        Some(Kind::Org)
    } else if hinted(&c.period) {
        Some(Kind::Period)
    } else if hinted(&c.sex) {
        Some(Kind::Sex)
    } else if hinted(&c.age) {
        Some(Kind::Age)
    } else {
        match role_of(header) {
            Some(HeaderRole::OrgCode | HeaderRole::OrgEither) => Some(Kind::Org),
            Some(HeaderRole::Period) => Some(Kind::Period),
            Some(HeaderRole::Sex) => Some(Kind::Sex),
            Some(HeaderRole::Age) => Some(Kind::Age),
            _ => None,
        }
    };
    let name = match role {
        Some(Kind::Org) => "org_id".to_string(),
        Some(Kind::Period) => "period".to_string(),
        Some(Kind::Sex) => "sex".to_string(),
        Some(Kind::Age) => "age".to_string(),
        _ => snake(header),
    };
    (name, role)
}

/// Reads one records input; the table goes to `tables`.
pub fn read(input: &Input, tables: &mut Vec<RecordTable>, report: &mut FileReport) {
    let source = input.source.clone();
    let name = input.hints.table.clone().unwrap_or_else(|| {
        snake(&input.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
    });
    if let Some(other) = tables.iter().find(|t| t.name == name) {
        let kind = IngestError::Invalid {
            found: format!("table {name:?} a second time (first from {})", other.source),
            expected: "one input per table name".into(),
        };
        return report.problems.add(Location::file(source), kind);
    }
    let parquet = input.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let frame = if parquet { read_parquet(input, report) } else { read_csv(input, report) };
    let Some(frame) = frame else { return };
    report.rows = frame.height();
    report.details.push(format!(
        "table {name}: {} records; columns {}",
        frame.height(),
        frame.schema().iter().map(|(n, t)| format!("{n} ({t})")).collect::<Vec<_>>().join(", ")
    ));
    // Text columns as dictionary codes: a quarter of the memory, and grouping on integers
    // (`dictionary` says why and when a query sees them as text).
    match super::dictionary::encode(frame) {
        Ok(frame) => tables.push(RecordTable { name, source, frame }),
        Err(e) => report.problems.add(Location::file(source), IngestError::Io { message: e.to_string() }),
    }
}

/// One cell's problem, located, with the problem's usual hint.
fn bad(report: &mut FileReport, source: &str, line: u32, column: usize, kind: IngestError) {
    let hint = kind.hint();
    let loc = Location::at(source.to_string(), line, Some(column as u32 + 1));
    report.problems.push(crate::error::Problem::new(loc, kind).with_hint(hint));
}

fn read_csv(input: &Input, report: &mut FileReport) -> Option<DataFrame> {
    let source = input.source.as_str();
    let raw = match std::fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => {
            report.problems.add(Location::file(source), IngestError::Io { message: e.to_string() });
            return None;
        }
    };
    let prepared = match prepare(&raw, input.hints.read.encoding, source) {
        Ok(p) => p,
        Err(p) => {
            report.problems.push(p);
            return None;
        }
    };
    report.encoding = Some(prepared.choice.clone());
    let (bytes, text) = (prepared.bytes, prepared.text);
    let Some(delimiter) = input.hints.read.delimiter.or_else(|| super::csv::sniff_delimiter(&bytes)) else {
        report.problems.add(Location::at(source, 1, None), IngestError::NoDelimiter);
        return None;
    };
    report.delimiter = Some(delimiter);
    let cell = |b: &[u8], text: Text| text.decode(b.trim_ascii()).trim().to_string();
    // The header: the first record with two or more filled cells (title lines above are skipped).
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    for rec in super::csv::records(&bytes, delimiter) {
        let line = rec.line();
        let cells: Vec<String> = rec.iter().map(|b| cell(b, text)).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        match &header {
            None if cells.iter().filter(|c| !c.is_empty()).count() >= 2 => header = Some((line, cells)),
            None => {}
            Some((header_line, h)) => {
                if cells.len() != h.len() && !(cells.len() > h.len() && cells[h.len()..].iter().all(String::is_empty)) {
                    let kind =
                        IngestError::FieldCount { found: cells.len(), expected: h.len(), header_line: *header_line };
                    bad(report, source, line, cells.len().min(h.len()), kind);
                    continue;
                }
                rows.push((line, cells));
            }
        }
    }
    let Some((header_line, header)) = header else {
        report.problems.add(Location::file(source), IngestError::EmptyFile);
        return None;
    };
    report.header_line = Some(header_line);
    if rows.is_empty() {
        report.problems.add(Location::at(source, header_line, None), IngestError::NoData);
        return None;
    }
    let decimal = input.hints.read.decimal.unwrap_or_else(|| {
        let comma = rows.iter().flat_map(|(_, r)| r).any(|c| {
            let b = c.as_bytes();
            b.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit()) && !c.contains('.')
        });
        if comma { DecimalMark::Comma } else { DecimalMark::Point }
    });
    report.decimal = Some(decimal);
    let mut columns: Vec<Column> = Vec::with_capacity(header.len());
    for (j, h) in header.iter().enumerate() {
        let (name, role) = column_kind(h, input);
        if let Some(first) = columns.iter().find(|c| c.name == name) {
            let kind = IngestError::AmbiguousColumns { role: "same", first: first.header.clone(), second: h.clone() };
            bad(report, source, header_line, j, kind);
            return None;
        }
        let values: Vec<&str> = rows.iter().map(|(_, r)| r[j].as_str()).collect();
        let kind = role.unwrap_or_else(|| classify(&values, decimal));
        columns.push(Column { header: h.clone(), name, kind });
    }
    report.columns = columns.iter().map(|c| (c.kind.name(), format!("{} → {}", c.header, c.name))).collect();
    let mut out: Vec<polars::prelude::Column> = Vec::with_capacity(columns.len());
    for (j, c) in columns.iter().enumerate() {
        let signed = input.hints.signed.iter().any(|s| s.eq_ignore_ascii_case(&c.header) || *s == c.name);
        let cells = rows.iter().map(|(line, r)| (*line, r[j].as_str()));
        if let Some(col) = c.build(cells, j, decimal, signed, input, report) {
            out.push(col);
        }
    }
    if !report.problems.is_empty() {
        return None;
    }
    let frame = DataFrame::new_infer_height(out).ok()?;
    check_unique(&frame, input, report, |i| rows[i].0);
    report.problems.is_empty().then_some(frame)
}

/// A column's header, SQL name and kind.
struct Column {
    header: String,
    name: String,
    kind: Kind,
}

/// Text columns stay text; numbers with a leading zero (`0123`) are codes, so text too.
fn classify(values: &[&str], decimal: DecimalMark) -> Kind {
    let mut integral = true;
    for v in values.iter().filter(|v| !v.is_empty()) {
        let code = v.len() > 1 && v.starts_with('0') && v.as_bytes()[1].is_ascii_digit();
        match parse_number(v, decimal) {
            Some((x, false)) if !code => integral &= x.fract() == 0.0 && x.abs() < 9.0e15,
            _ => return Kind::Text,
        }
    }
    if integral { Kind::Int } else { Kind::Float }
}

impl Column {
    /// Parses every cell; problems go to the report.
    fn build<'a>(
        &self,
        cells: impl Iterator<Item = (u32, &'a str)>,
        j: usize,
        decimal: DecimalMark,
        signed: bool,
        input: &Input,
        report: &mut FileReport,
    ) -> Option<polars::prelude::Column> {
        let source = input.source.as_str();
        let name = PlSmallStr::from(self.name.as_str());
        match self.kind {
            Kind::Org | Kind::Period | Kind::Sex => {
                let mut v: Vec<String> = Vec::new();
                for (line, t) in cells {
                    if t.is_empty() {
                        bad(report, source, line, j, IngestError::EmptyCell { role: self.kind.name() });
                        continue;
                    }
                    match self.kind.canonical(t, input.hints.sex_codes) {
                        Ok(x) => v.push(x),
                        Err(kind) => bad(report, source, line, j, kind),
                    }
                }
                Some(polars::prelude::Column::new(name, v))
            }
            Kind::Age => {
                let mut v: Vec<i64> = Vec::new();
                for (line, t) in cells {
                    match t.parse::<i64>() {
                        Ok(a) if (0..=120).contains(&a) => v.push(a),
                        _ => {
                            let kind = IngestError::Invalid {
                                found: format!("age {t:?}"),
                                expected: "an age in whole years, 0 to 120".into(),
                            };
                            bad(report, source, line, j, kind);
                        }
                    }
                }
                Some(polars::prelude::Column::new(name, v))
            }
            Kind::Int | Kind::Float => {
                let mut v: Vec<Option<f64>> = Vec::new();
                for (line, t) in cells {
                    let x = if t.is_empty() { None } else { parse_number(t, decimal).map(|(x, _)| x) };
                    if let Some(x) = x.filter(|x| *x < 0.0 && !signed) {
                        let kind = IngestError::Invalid {
                            found: format!("{x} in column {:?}", self.header),
                            expected: "0 or more (records hold counts, hours and amounts)".into(),
                        };
                        let loc = Location::at(source.to_string(), line, Some(j as u32 + 1));
                        let hint = format!(
                            "if {:?} may be negative (a repayment, a correction), list it in this file's [[input]]: signed = [{:?}]",
                            self.header, self.header
                        );
                        report.problems.push(crate::error::Problem::new(loc, kind).with_hint(Some(hint)));
                    }
                    v.push(x);
                }
                let col = polars::prelude::Column::new(name, v);
                if self.kind == Kind::Int { col.cast(&DataType::Int64).ok() } else { Some(col) }
            }
            Kind::Text => {
                let v: Vec<Option<&str>> = cells.map(|(_, t)| (!t.is_empty()).then_some(t)).collect();
                Some(polars::prelude::Column::new(name, v))
            }
        }
    }
}

/// `unique = ["person_id", "period"]`: the same key twice is an error naming both lines.
fn check_unique(frame: &DataFrame, input: &Input, report: &mut FileReport, line: impl Fn(usize) -> u32) {
    let keys = &input.hints.unique;
    if keys.is_empty() {
        return;
    }
    let mut cols = Vec::new();
    for k in keys {
        let found = frame
            .get_column_names()
            .into_iter()
            .find(|n| n.as_str() == snake(k) || n.as_str() == k.as_str())
            .and_then(|n| frame.column(n).ok())
            .and_then(|c| c.cast(&DataType::String).ok());
        match found {
            Some(c) => cols.push(c),
            None => {
                let kind = IngestError::Invalid {
                    found: format!("unique = [… {k:?} …]"),
                    expected: format!(
                        "a column of the file: {}",
                        frame.get_column_names().iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                };
                return report.problems.add(Location::file(input.source.clone()), kind);
            }
        }
    }
    let strs: Vec<&StringChunked> = cols.iter().filter_map(|c| c.str().ok()).collect();
    let mut seen: HashMap<Vec<Option<&str>>, usize> = HashMap::with_capacity(frame.height());
    for i in 0..frame.height() {
        let key: Vec<Option<&str>> = strs.iter().map(|s| s.get(i)).collect();
        if let Some(&first) = seen.get(&key) {
            let shown: Vec<String> = keys.iter().zip(&key).map(|(k, v)| format!("{k} = {}", v.unwrap_or(""))).collect();
            let kind = IngestError::Invalid {
                found: format!("{} a second time (first on line {})", shown.join(", "), line(first)),
                expected: format!("each {} once, as `unique` in round.toml says", keys.join(" and ")),
            };
            report.problems.add(Location::at(input.source.clone(), line(i), None), kind);
        } else {
            seen.insert(key, i);
        }
    }
}

/// A Parquet column whose type cannot hold what its role needs (a list where an organisation
/// code belongs).
fn unreadable(header: &str, dtype: &DataType, expected: &str) -> IngestError {
    IngestError::Invalid { found: format!("column {header:?} of type {dtype}"), expected: expected.to_string() }
}

fn read_parquet(input: &Input, report: &mut FileReport) -> Option<DataFrame> {
    let source = input.source.as_str();
    let reader = || std::fs::File::open(&input.path).map(ParquetReader::new).map_err(|e| e.to_string());
    let schema = reader().and_then(|mut r| r.schema().map_err(|e| e.to_string()));
    let schema = match schema {
        Ok(s) => s,
        Err(message) => {
            report.problems.add(Location::file(source), IngestError::Io { message });
            return None;
        }
    };
    report.format = Some(Format::Records);
    let headers: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let kinds: Vec<(String, Option<Kind>)> = headers.iter().map(|h| column_kind(h, input)).collect();
    let is_key = |role: &Option<Kind>| matches!(role, Some(Kind::Org | Kind::Period | Kind::Sex));
    // The key columns (organisation, period, sex) are read one at a time, each checked and made
    // dictionary codes before the next is read, so that their text, 16 bytes a record, is held
    // for one column at a time, and the memory it took serves the next (read whole, the text of
    // all three stayed with the process and added 0.35 GB to the peak of the query after).
    let read = |columns: Vec<String>| -> Result<DataFrame, String> {
        reader()?.with_columns(Some(columns)).finish().map_err(|e| e.to_string())
    };
    let rest: Vec<String> =
        headers.iter().zip(&kinds).filter(|(_, (_, role))| !is_key(role)).map(|(h, _)| h.clone()).collect();
    let rest = match if rest.is_empty() { Ok(DataFrame::empty()) } else { read(rest) } {
        Ok(f) => f,
        Err(message) => {
            report.problems.add(Location::file(source), IngestError::Io { message });
            return None;
        }
    };
    let mut out = Vec::with_capacity(headers.len());
    for (j, (header, (name, role))) in headers.iter().zip(kinds).enumerate() {
        let row = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
        let col = match role {
            Some(kind @ (Kind::Org | Kind::Period | Kind::Sex)) => {
                let c = match read(vec![header.clone()]) {
                    Ok(f) => f.column(header).cloned().ok()?,
                    Err(message) => {
                        report.problems.add(Location::file(source), IngestError::Io { message });
                        return None;
                    }
                };
                // As codes first: the distinct values are then those of 4-byte codes, not of
                // every record's text.
                let Some((text, codes, distinct)) = c.cast(&DataType::String).ok().and_then(|text| {
                    let codes = dictionary::to_codes(&text).ok()?;
                    let distinct = codes.unique().ok()?.cast(&DataType::String).ok()?.str().ok()?.clone();
                    Some((text.str().ok()?.clone(), codes, distinct))
                }) else {
                    report.problems.add(Location::file(source), unreadable(header, c.dtype(), "text"));
                    continue;
                };
                drop(c);
                // Few distinct values: parse each once, and rewrite the column only when some
                // value is not in canonical form already (`kvinna` → `K`, `2024M03` → `2024-03`).
                let cache: HashMap<String, Result<String, IngestError>> = distinct
                    .iter()
                    .flatten()
                    .map(|t| (t.to_string(), kind.canonical(t, input.hints.sex_codes)))
                    .collect();
                let canonical = cache.iter().all(|(t, r)| r.as_ref().is_ok_and(|x| x == t));
                if text.null_count() > 0 || cache.values().any(Result::is_err) {
                    // Only now look for the rows, to say where.
                    for (i, t) in text.iter().enumerate() {
                        match t.map(|t| &cache[t]) {
                            None => bad(report, source, row(i), j, IngestError::EmptyCell { role: kind.name() }),
                            Some(Err(kind)) => bad(report, source, row(i), j, kind.clone()),
                            Some(Ok(_)) => {}
                        }
                    }
                    continue;
                }
                let codes = if canonical {
                    Ok(codes)
                } else {
                    let mapped: StringChunked =
                        text.iter().map(|t| t.and_then(|t| cache.get(t)).and_then(|r| r.as_deref().ok())).collect();
                    dictionary::to_codes(&mapped.into_column())
                };
                match codes {
                    Ok(codes) => codes.with_name(name.as_str().into()),
                    Err(e) => {
                        report.problems.add(Location::file(source), IngestError::Io { message: e.to_string() });
                        continue;
                    }
                }
            }
            Some(_) => {
                let Ok(c) = rest.column(header) else { continue };
                let Some(ages) = c.cast(&DataType::Int64).ok().and_then(|a| a.i64().ok().cloned()) else {
                    report.problems.add(Location::file(source), unreadable(header, c.dtype(), "whole years"));
                    continue;
                };
                for (i, a) in ages.iter().enumerate() {
                    if !a.is_some_and(|a| (0..=120).contains(&a)) {
                        let found = format!("age {}", a.map_or("(empty)".to_string(), |a| a.to_string()));
                        let kind = IngestError::Invalid { found, expected: "an age in whole years, 0 to 120".into() };
                        bad(report, source, row(i), j, kind);
                    }
                }
                ages.into_column().with_name(name.as_str().into())
            }
            None => {
                let Ok(c) = rest.column(header) else { continue };
                let signed = input.hints.signed.iter().any(|s| s == header || *s == name);
                if c.dtype().is_primitive_numeric()
                    && !signed
                    && let Ok(f) = c.cast(&DataType::Float64)
                    && let Ok(f) = f.f64()
                    && let Some(i) = f.iter().position(|x| x.is_some_and(|x| x < 0.0))
                {
                    let kind = IngestError::Invalid {
                        found: format!("{} in column {header:?}", f.get(i).unwrap_or_default()),
                        expected: "0 or more (records hold counts, hours and amounts)".into(),
                    };
                    bad(report, source, row(i), j, kind);
                }
                c.clone().with_name(name.as_str().into())
            }
        };
        out.push(col);
    }
    if !report.problems.is_empty() {
        return None;
    }
    let frame = DataFrame::new_infer_height(out).ok()?;
    check_unique(&frame, input, report, |i| u32::try_from(i + 1).unwrap_or(u32::MAX));
    report.problems.is_empty().then_some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_become_sql_names() {
        assert_eq!(snake("Beviljade timmar/mån"), "beviljade_timmar_man");
        assert_eq!(snake("  Förening  "), "forening");
        assert_eq!(snake("2024"), "c_2024");
        assert_eq!(snake("Bidrag (SEK)"), "bidrag_sek");
    }

    #[test]
    fn columns_are_typed_by_their_values() {
        assert_eq!(classify(&["12", "", "3"], DecimalMark::Comma), Kind::Int);
        assert_eq!(classify(&["12,5", "3"], DecimalMark::Comma), Kind::Float);
        assert_eq!(classify(&["0123", "3"], DecimalMark::Comma), Kind::Text, "a leading zero is a code");
        assert_eq!(classify(&["fotboll", "3"], DecimalMark::Comma), Kind::Text);
        assert_eq!(classify(&["45 %"], DecimalMark::Comma), Kind::Text);
    }
}
