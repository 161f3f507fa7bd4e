//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) through `calamine`.
//!
//! Rows are numbered as Excel shows them (the used range may start below row 1), numbers stored
//! as text are parsed like CSV text with the file's decimal mark, and codes or years stored as
//! numbers are read back as text without `.0` — so a municipality code that lost its leading zero
//! is caught like in CSV.

use calamine::{Data, Reader, open_workbook_auto};

use super::error::IngestError;
use super::layout::{self, SampleRow};
use super::options::Input;
use super::shape::{Cell, Locator, Row};
use super::{FileReport, Session};
use crate::error::Location;

const SAMPLE_ROWS: usize = 50;

struct SheetRow<'a>(&'a [Data]);

impl Row for SheetRow<'_> {
    fn width(&self) -> usize {
        self.0.len()
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        match self.0.get(i) {
            None | Some(Data::Empty) => Cell::Empty,
            Some(Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s)) => match s.trim() {
                "" => Cell::Empty,
                t => Cell::Text(t),
            },
            Some(Data::Float(f)) => Cell::Number(*f),
            Some(Data::Int(i)) => Cell::Number(*i as f64),
            Some(Data::Bool(b)) => Cell::Text(if *b { "TRUE" } else { "FALSE" }),
            Some(Data::DateTime(d)) => Cell::Number(d.as_f64()),
            Some(Data::Error(e)) => Cell::Error(error_text(e)),
        }
    }
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType::*;
    match e {
        Div0 => "#DIV/0!",
        NA => "#N/A",
        Name => "#NAME?",
        Null => "#NULL!",
        Num => "#NUM!",
        Ref => "#REF!",
        Value => "#VALUE!",
        GettingData => "#DATA!",
    }
}

/// Reads one spreadsheet input.
pub fn read(input: &Input, stem: &str, session: &mut Session, report: &mut FileReport) {
    let source = input.source.as_str();
    let hints = &input.hints;
    let io = |e: &dyn std::fmt::Display| IngestError::Io { message: e.to_string() };
    let mut wb = match open_workbook_auto(&input.path) {
        Ok(wb) => wb,
        Err(e) => return report.problems.add(Location::file(source), io(&e)),
    };
    let names = wb.sheet_names();
    let chosen = match &hints.read.sheet {
        Some(wanted) => match names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
            Some(n) => n.clone(),
            None => {
                let available = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
                let kind = IngestError::SheetNotFound { found: wanted.clone(), available };
                return report.problems.add(Location::file(source), kind);
            }
        },
        // The only sheet, else the first that holds anything (a leading "Info" sheet is common).
        None => {
            let mut first_filled = None;
            for n in &names {
                if wb.worksheet_range(n).is_ok_and(|r| r.used_cells().next().is_some()) {
                    first_filled = Some(n.clone());
                    break;
                }
            }
            match first_filled {
                Some(n) => n,
                None => return report.problems.add(Location::file(source), IngestError::NoSheet),
            }
        }
    };
    let range = match wb.worksheet_range(&chosen) {
        Ok(r) => r,
        Err(e) => return report.problems.add(Location::file(source), io(&e)),
    };
    report.sheet = Some(chosen.clone());
    let Some((row0, col0)) = range.start() else {
        let kind = IngestError::EmptyFile;
        return report.problems.add(Location::file(source).with_keyword(chosen), kind);
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let line = |i: usize| row0 + i as u32 + 1;
    let sample: Vec<SampleRow> = rows
        .iter()
        .take(SAMPLE_ROWS)
        .enumerate()
        .map(|(i, r)| {
            let row = SheetRow(r);
            SampleRow { line: line(i), cells: (0..r.len()).map(|c| row.cell(c).text_owned()).collect() }
        })
        .collect();
    let layout = match layout::detect(&sample, hints, source, stem) {
        Ok(l) => l,
        Err(mut p) => {
            // Layout columns are counted from the range start; shift to sheet columns.
            p.location.column = p.location.column.map(|c| c + col0);
            return report.problems.push(p);
        }
    };
    // Numbers stored as numbers need no mark; numbers stored as text follow the CSV rule.
    let decimal = hints.read.decimal.unwrap_or_else(|| layout.decimal_mark(&sample));
    report.decimal = Some(decimal);
    let loc = Locator { source: source.to_string(), sheet: Some(chosen), column_offset: col0 };
    let mut shaper = session.shaper(&layout, hints, decimal, loc);
    for (i, r) in rows.iter().enumerate().skip(layout.header_row + 1) {
        shaper.push_row(line(i), &SheetRow(r));
    }
    let (problems, counts) = shaper.finish();
    report.absorb(problems, counts, &layout);
}
