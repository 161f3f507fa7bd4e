//! `report.xlsx`: the published CSV tables as one workbook, one sheet per table, and a last
//! sheet of footnotes that says what `..` and an empty cell mean and where the numbers come
//! from.
//!
//! The CSVs stay the published record; the workbook is the same cells made comfortable in Excel:
//! a bold, frozen header with a filter, readable column widths, and numbers stored as numbers so
//! that a reader can sort, sum and chart them. Numbers are displayed with Excel's locale-neutral
//! codes (`#,##0`, `#,##0.0#####`), which a Swedish Excel shows with a decimal comma.
//!
//! Each table is read twice: once to decide which columns are numeric, how wide each column is
//! and whether it fits in a sheet at all, and once to write it. Nothing is written for a table
//! that does not fit, and nothing is truncated.
//!
//! The file is deterministic: the same tables give byte-identical workbooks (the creation date
//! in `docProps/core.xml` is fixed; `rust_xlsxwriter` already fixes the zip entries' dates).

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::render::Lang;
use crate::render::lang::SUPPRESSED;

/// Rows in an Excel sheet, the header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// Columns in an Excel sheet.
pub const EXCEL_MAX_COLUMNS: usize = 16_384;

/// Rows read to size the columns: enough to see typical values, few enough to be quick.
const WIDTH_SAMPLE_ROWS: usize = 1000;

/// Column widths in Excel's character units: narrow columns still show their filter button, and
/// long names and notes do not push the rest of the table off screen.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 50.0;

/// Room the header's filter button takes beside the column name.
const FILTER_BUTTON: usize = 3;

/// Number formats: whole numbers with thousands separators; others with up to six decimals (the
/// precision of the CSVs) and no trailing zeros beyond the first.
const INTEGER_FORMAT: &str = "#,##0";
const DECIMAL_FORMAT: &str = "#,##0.0#####";

/// One sheet: its name and the CSV table it holds.
pub struct Sheet<'a> {
    /// The sheet's name as Excel shows it: at most 31 characters, none of `[]:*?/\`.
    pub name: &'a str,
    pub csv: &'a Path,
}

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("{}{}: cannot read the table: {source}", file.display(), at_line(*line))]
    Csv {
        file: PathBuf,
        line: Option<u64>,
        #[source]
        source: csv::Error,
    },
    #[error(
        "{}: {rows} rows and a header do not fit in sheet {sheet:?}: an Excel sheet holds at most {limit} rows",
        file.display()
    )]
    TooManyRows { sheet: String, file: PathBuf, rows: u64, limit: u32 },
    #[error(
        "{}: {columns} columns do not fit in sheet {sheet:?}: an Excel sheet holds at most {EXCEL_MAX_COLUMNS}",
        file.display()
    )]
    TooManyColumns { sheet: String, file: PathBuf, columns: usize },
    #[error("sheet {sheet:?}: {source}")]
    Sheet {
        sheet: String,
        #[source]
        source: XlsxError,
    },
    #[error("{}: cannot write the workbook: {source}", path.display())]
    Xlsx {
        path: PathBuf,
        #[source]
        source: XlsxError,
    },
}

fn at_line(line: Option<u64>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

/// Writes `report.xlsx`: one sheet per table in the order given, then a footnote sheet
/// (`Fotnoter` / `Notes`) that explains `..` with the round's `min_count`.
pub fn write(path: &Path, sheets: &[Sheet<'_>], lang: Lang, min_count: u32) -> Result<(), WorkbookError> {
    write_with_limit(path, sheets, lang, min_count, EXCEL_MAX_ROWS)
}

/// [`write`] with the row limit as a parameter, so that tests can exceed it cheaply.
fn write_with_limit(
    path: &Path,
    sheets: &[Sheet<'_>],
    lang: Lang,
    min_count: u32,
    max_rows: u32,
) -> Result<(), WorkbookError> {
    let xlsx = |source| WorkbookError::Xlsx { path: path.to_path_buf(), source };
    let mut workbook = Workbook::new();
    workbook.set_properties(&fixed_properties().map_err(xlsx)?);
    // Excel's own level: ~30 % faster than the default 6 for a file ~5 % larger
    // (rust_xlsxwriter's performance notes); this workbook holds every table's rows.
    workbook.set_zip_compression_level(3);
    let styles = Styles::new();
    for sheet in sheets {
        let survey = survey(sheet, max_rows)?;
        let sheet_error = |source| WorkbookError::Sheet { sheet: sheet.name.to_string(), source };
        // Row by row, with one shared-string table: a large table need not be held as cells.
        let worksheet = workbook.add_worksheet_with_low_memory().map_err(xlsx)?;
        worksheet.set_name(sheet.name).map_err(sheet_error)?;
        write_table(worksheet, sheet, &survey, &styles)?;
    }
    let notes = lang.pick("Fotnoter", "Notes");
    let worksheet = workbook.add_worksheet();
    write_notes(worksheet, notes, lang, min_count, &styles)
        .map_err(|source| WorkbookError::Sheet { sheet: notes.to_string(), source })?;
    workbook.save(path).map_err(xlsx)
}

/// Document properties with a fixed creation date: `rust_xlsxwriter` would write the current
/// time, and two runs on the same tables must give the same bytes.
fn fixed_properties() -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?))
}

/// The cell formats, made once.
struct Styles {
    header: Format,
    integer: Format,
    decimal: Format,
    /// `..` is text, aligned right like the numbers it stands in for.
    suppressed: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format(INTEGER_FORMAT),
            decimal: Format::new().set_num_format(DECIMAL_FORMAT),
            suppressed: Format::new().set_align(FormatAlign::Right),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// How a column's fields are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// As strings, even when they look like numbers (`0180`, `2024`).
    Text,
    /// As numbers, every one of them whole.
    Integer,
    /// As numbers, some with decimals.
    Decimal,
}

/// What the first read of a table found.
#[derive(Debug)]
struct Survey {
    header: Vec<String>,
    kinds: Vec<Kind>,
    /// Widths in characters of the longest header or field in the first rows.
    widths: Vec<usize>,
    rows: u64,
}

/// Columns of identifiers and codes: text whatever their values look like, so that `0180`
/// keeps its zero and `2024` is a period, not a number to sum.
fn always_text(column: &str) -> bool {
    matches!(column, "org_id" | "period" | "age_group") || column.ends_with("_id") || column.ends_with("_period")
}

/// A field as a number, if it is one Excel can hold.
fn number(field: &str) -> Option<f64> {
    field.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Reads a table once: its header, which columns are numeric (every field that is neither
/// empty nor `..` parses as a finite number), the column widths, and the row count, which must
/// fit in a sheet.
fn survey(sheet: &Sheet<'_>, max_rows: u32) -> Result<Survey, WorkbookError> {
    let mut reader = open(sheet.csv)?;
    let header: Vec<String> =
        reader.headers().map_err(|e| csv_error(sheet.csv, e, None))?.iter().map(str::to_string).collect();
    if header.len() > EXCEL_MAX_COLUMNS {
        return Err(WorkbookError::TooManyColumns {
            sheet: sheet.name.to_string(),
            file: sheet.csv.to_path_buf(),
            columns: header.len(),
        });
    }
    let mut numeric: Vec<bool> = header.iter().map(|c| !always_text(c)).collect();
    let mut integral = vec![true; header.len()];
    let mut widths: Vec<usize> = header.iter().map(|c| c.chars().count() + FILTER_BUTTON).collect();
    let mut rows = 0u64;
    let mut record = csv::StringRecord::new();
    while read(&mut reader, &mut record, sheet.csv)? {
        for (i, field) in record.iter().enumerate() {
            if field.is_empty() || field == SUPPRESSED || !numeric[i] {
                continue;
            }
            match number(field) {
                Some(x) => integral[i] &= x.fract() == 0.0,
                None => numeric[i] = false,
            }
        }
        if rows < WIDTH_SAMPLE_ROWS as u64 {
            for (i, field) in record.iter().enumerate() {
                widths[i] = widths[i].max(display_width(field));
            }
        }
        rows += 1;
    }
    if rows >= u64::from(max_rows) {
        return Err(WorkbookError::TooManyRows {
            sheet: sheet.name.to_string(),
            file: sheet.csv.to_path_buf(),
            rows,
            limit: max_rows,
        });
    }
    let kinds = numeric
        .iter()
        .zip(&integral)
        .map(|(&n, &w)| match (n, w) {
            (false, _) => Kind::Text,
            (true, true) => Kind::Integer,
            (true, false) => Kind::Decimal,
        })
        .collect();
    Ok(Survey { header, kinds, widths, rows })
}

/// About how many characters Excel shows for a field: numbers gain a thousands separator per
/// three digits.
fn display_width(field: &str) -> usize {
    let chars = field.chars().count();
    if number(field).is_none() {
        return chars;
    }
    let digits = field.split('.').next().unwrap_or("").bytes().filter(u8::is_ascii_digit).count();
    chars + digits.saturating_sub(1) / 3
}

/// Reads the table again and writes it: the header bold and frozen, a filter over the whole
/// table, and each field as its column's kind says.
fn write_table(
    worksheet: &mut Worksheet,
    sheet: &Sheet<'_>,
    survey: &Survey,
    styles: &Styles,
) -> Result<(), WorkbookError> {
    let xlsx = |source| WorkbookError::Sheet { sheet: sheet.name.to_string(), source };
    let Some(last_col) = survey.header.len().checked_sub(1) else {
        return Ok(());
    };
    let last_col = column(last_col);
    for (i, name) in survey.header.iter().enumerate() {
        worksheet.write_string_with_format(0, column(i), name, &styles.header).map_err(xlsx)?;
        let width = (survey.widths[i] as f64 + 1.0).clamp(MIN_WIDTH, MAX_WIDTH);
        worksheet.set_column_width(column(i), width).map_err(xlsx)?;
        if let Some(format) = number_format(survey.kinds[i], styles) {
            worksheet.set_column_format(column(i), format).map_err(xlsx)?;
        }
    }
    worksheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    let last_row = u32::try_from(survey.rows).expect("survey checked the row count");
    worksheet.autofilter(0, 0, last_row, last_col).map_err(xlsx)?;

    let mut reader = open(sheet.csv)?;
    let mut record = csv::StringRecord::new();
    let mut row = 0u32;
    while read(&mut reader, &mut record, sheet.csv)? {
        row += 1;
        for (i, field) in record.iter().enumerate() {
            write_cell(worksheet, row, column(i), field, survey.kinds[i], styles).map_err(xlsx)?;
        }
    }
    Ok(())
}

/// The number format of a column's numbers, set on the column rather than on each cell: the
/// cells take it from there, and one format lookup per column instead of one per cell cut the
/// writing of `comparison.csv` from about 25 s to 19 s in a debug build.
fn number_format(kind: Kind, styles: &Styles) -> Option<&Format> {
    match kind {
        Kind::Text => None,
        Kind::Integer => Some(&styles.integer),
        Kind::Decimal => Some(&styles.decimal),
    }
}

/// Writes one field: empty stays an empty cell, `..` stays text, numbers in numeric columns
/// become numbers (in the column's number format), everything else a string.
fn write_cell(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    field: &str,
    kind: Kind,
    styles: &Styles,
) -> Result<(), XlsxError> {
    if field.is_empty() {
        return Ok(());
    }
    if field == SUPPRESSED {
        worksheet.write_string_with_format(row, col, field, &styles.suppressed)?;
        return Ok(());
    }
    match (kind, number(field)) {
        (Kind::Integer | Kind::Decimal, Some(x)) => worksheet.write_number(row, col, x)?,
        _ => worksheet.write_string(row, col, field)?,
    };
    Ok(())
}

/// A column index as Excel's; [`survey`] has checked that it fits.
fn column(i: usize) -> u16 {
    u16::try_from(i).expect("survey checked the column count")
}

fn open(file: &Path) -> Result<csv::Reader<std::fs::File>, WorkbookError> {
    csv::ReaderBuilder::new().has_headers(true).from_path(file).map_err(|e| csv_error(file, e, None))
}

/// Reads the next record; `false` at the end of the table.
fn read(
    reader: &mut csv::Reader<std::fs::File>,
    record: &mut csv::StringRecord,
    file: &Path,
) -> Result<bool, WorkbookError> {
    let line = reader.position().line();
    reader.read_record(record).map_err(|e| csv_error(file, e, Some(line)))
}

/// A csv error with the line it is on: csv's own position when it has one (a ragged or
/// non-UTF-8 record), else the line the reader was at.
fn csv_error(file: &Path, source: csv::Error, fallback: Option<u64>) -> WorkbookError {
    let line = source.position().map(csv::Position::line).or(fallback);
    WorkbookError::Csv { file: file.to_path_buf(), line, source }
}

/// The footnote sheet: what the marks mean and where the numbers come from, as a two-column
/// table (mark, explanation).
fn write_notes(
    worksheet: &mut Worksheet,
    name: &str,
    lang: Lang,
    min_count: u32,
    styles: &Styles,
) -> Result<(), XlsxError> {
    worksheet.set_name(name)?;
    worksheet.write_string_with_format(0, 0, lang.pick("Tecken", "Mark"), &styles.header)?;
    worksheet.write_string_with_format(0, 1, lang.pick("Förklaring", "Explanation"), &styles.header)?;
    worksheet.set_column_width(0, 22)?;
    worksheet.set_column_width(1, 100)?;
    for (i, (mark, text)) in notes(lang, min_count).iter().enumerate() {
        let row = u32::try_from(i).expect("a handful of notes") + 1;
        worksheet.write_string_with_format(row, 0, mark, &styles.wrap)?;
        worksheet.write_string_with_format(row, 1, text, &styles.wrap)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The footnotes, in the report's language.
fn notes(lang: Lang, min_count: u32) -> Vec<(String, String)> {
    let suppressed = match lang {
        Lang::Sv => format!(
            "Värdet är skyddat av röjandekontroll (sekretess): det bygger på färre än {min_count} personer, \
             eller det skulle gå att räkna fram ur andra publicerade tal."
        ),
        Lang::En => format!(
            "The value is suppressed by disclosure control: it rests on fewer than {min_count} persons, \
             or it could be recomputed from other published numbers."
        ),
    };
    let rows = [
        (SUPPRESSED, suppressed.as_str()),
        (
            lang.pick("(tom cell)", "(empty cell)"),
            lang.pick(
                "Inget värde: uppgiften finns inte i källan eller kan inte beräknas (se kolumnen status).",
                "No value: the source has none, or it cannot be computed (see the status column).",
            ),
        ),
        (
            lang.pick("Källa: Kolada", "Source: Kolada"),
            lang.pick("Värden hämtade från Kolada som de publicerats.", "Values taken from Kolada as published."),
        ),
        (
            lang.pick("Egen bearbetning av data från Kolada", "jamfor's own calculation from Kolada data"),
            lang.pick(
                "Värden som jamfor har beräknat ur Kolada-data: andelar, skillnader, kvoter, intervall, \
                 rangordningar och jämförelser.",
                "Values jamfor has computed from Kolada data: shares, differences, ratios, intervals, \
                 ranks and comparisons.",
            ),
        ),
    ];
    rows.iter().map(|(m, t)| (m.to_string(), t.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};

    const VALUES: &str = "\
org_id,org_name,period,age_group,kpi_id,value,n,significant,note
0180,Stockholm,2024,all,N00001,12.5,-3,true,5
X0101,Åbyholm,2023,65-79,N00002,0.000001,1234567,false,abc
0181,Södertälje,2024,80-w,N00003,..,,,
";

    const GAPS: &str = "\
indicator_id,period,diff
a.b,2024,-1.25
";

    fn table(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn expected(column: &str, field: &str) -> Data {
        let numeric = matches!(column, "value" | "n" | "diff");
        match field {
            "" => Data::Empty,
            ".." => Data::String("..".into()),
            _ if numeric => Data::Float(field.parse().unwrap()),
            _ => Data::String(field.into()),
        }
    }

    fn write_sample(dir: &Path, lang: Lang) -> PathBuf {
        let values = table(dir, "indicators.csv", VALUES);
        let gaps = table(dir, "gaps.csv", GAPS);
        let out = dir.join(format!("report-{}.xlsx", lang.code()));
        let sheets = [Sheet { name: "Värden", csv: &values }, Sheet { name: "Skillnader", csv: &gaps }];
        write(&out, &sheets, lang, 5).unwrap();
        out
    }

    fn assert_sheet_matches_csv(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str, csv: &str) {
        let range = book.worksheet_range(sheet).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for (c, name) in header.iter().enumerate() {
            assert_eq!(range.get_value((0, c as u32)), Some(&Data::String((*name).into())));
        }
        let mut rows = 0;
        for (r, line) in lines.enumerate() {
            for (c, field) in line.split(',').enumerate() {
                let cell = range.get_value((r as u32 + 1, c as u32)).cloned().unwrap_or(Data::Empty);
                assert_eq!(cell, expected(header[c], field), "{sheet} row {} column {}", r + 1, header[c]);
            }
            rows += 1;
        }
        assert_eq!(range.height(), rows + 1, "{sheet}: header and every row, nothing more");
    }

    #[test]
    fn cells_read_back_as_the_csv_fields_with_ids_as_text_and_numbers_as_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let out = write_sample(dir.path(), Lang::Sv);
        let mut book: Xlsx<_> = open_workbook(&out).unwrap();
        assert_eq!(book.sheet_names(), ["Värden", "Skillnader", "Fotnoter"]);
        assert_sheet_matches_csv(&mut book, "Värden", VALUES);
        assert_sheet_matches_csv(&mut book, "Skillnader", GAPS);
    }

    #[test]
    fn the_header_is_bold_numbers_have_number_formats_and_suppressed_cells_align_right() {
        let dir = tempfile::tempdir().unwrap();
        let out = write_sample(dir.path(), Lang::Sv);
        let mut book: Xlsx<_> = open_workbook(&out).unwrap();
        let styles = book.worksheet_style("Värden").unwrap();
        let style = |row, col| styles.get((row, col)).cloned().unwrap_or_default();
        assert!(style(0, 5).font.is_some_and(|f| f.is_bold()), "header");
        let format = |row, col| style(row, col).number_format.map(|f| f.format_code);
        assert_eq!(format(1, 5).as_deref(), Some(DECIMAL_FORMAT), "value 12.5");
        assert_eq!(format(2, 6).as_deref(), Some(INTEGER_FORMAT), "n 1234567");
        let align = style(3, 5).alignment.map(|a| a.horizontal);
        assert_eq!(align, Some(calamine::HorizontalAlignment::Right), "..");
    }

    #[test]
    fn the_footnote_sheet_explains_suppression_in_the_requested_language() {
        let dir = tempfile::tempdir().unwrap();
        for (lang, name, words) in
            [(Lang::Sv, "Fotnoter", "röjandekontroll"), (Lang::En, "Notes", "suppressed by disclosure control")]
        {
            let out = write_sample(dir.path(), lang);
            let mut book: Xlsx<_> = open_workbook(&out).unwrap();
            assert_eq!(book.sheet_names().last().map(String::as_str), Some(name));
            let range = book.worksheet_range(name).unwrap();
            let row = range.rows().find(|r| r[0] == Data::String("..".into())).expect("a row for ..");
            let text = row[1].to_string();
            let threshold = lang.pick("färre än 5 personer", "fewer than 5 persons");
            assert!(text.contains(words) && text.contains(threshold), "{text}");
            let all: Vec<String> = range.rows().flat_map(|r| r.iter().map(Data::to_string)).collect();
            let source = lang.pick("Egen bearbetning av data från Kolada", "jamfor's own calculation from Kolada data");
            assert!(all.iter().any(|t| t == source), "{all:?}");
        }
    }

    #[test]
    fn numeric_columns_are_found_by_their_values_and_ids_stay_text() {
        let dir = tempfile::tempdir().unwrap();
        let csv = table(dir.path(), "t.csv", VALUES);
        let survey = survey(&Sheet { name: "t", csv: &csv }, EXCEL_MAX_ROWS).unwrap();
        use Kind::*;
        assert_eq!(survey.kinds, [Text, Text, Text, Text, Text, Decimal, Integer, Text, Text]);
        assert_eq!(survey.rows, 3);
        assert_eq!(display_width("1234567"), 9, "1,234,567");
    }

    #[test]
    fn two_writes_give_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let first = std::fs::read(write_sample(dir.path(), Lang::En)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = std::fs::read(write_sample(dir.path(), Lang::En)).unwrap();
        assert!(first == second, "the workbook depends on when it was written");
    }

    #[test]
    fn a_table_longer_than_a_sheet_is_an_error_naming_it_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let csv = table(dir.path(), "comparison.csv", VALUES);
        let out = dir.path().join("report.xlsx");
        let sheets = [Sheet { name: "Jämförelse", csv: &csv }];
        // A header and 3 rows do not fit in 3 rows, and just fit in 4.
        let err = write_with_limit(&out, &sheets, Lang::Sv, 5, 3).unwrap_err();
        match &err {
            WorkbookError::TooManyRows { sheet, rows: 3, limit: 3, .. } => assert_eq!(sheet, "Jämförelse"),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("comparison.csv"), "{err}");
        assert!(!out.exists());
        write_with_limit(&out, &sheets, Lang::Sv, 5, 4).unwrap();
    }

    #[test]
    fn a_ragged_csv_is_an_error_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let csv = table(dir.path(), "gaps.csv", "a,b\n1,2\n3\n");
        let err = write(&dir.path().join("r.xlsx"), &[Sheet { name: "g", csv: &csv }], Lang::En, 5).unwrap_err();
        assert!(matches!(err, WorkbookError::Csv { line: Some(3), .. }), "{err:?}");
        assert!(err.to_string().starts_with(&format!("{}:3:", csv.display())), "{err}");
    }

    #[test]
    fn a_sheet_name_excel_refuses_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let csv = table(dir.path(), "gaps.csv", GAPS);
        let out = dir.path().join("r.xlsx");
        let err = write(&out, &[Sheet { name: "a/b", csv: &csv }], Lang::En, 5).unwrap_err();
        assert!(matches!(err, WorkbookError::Sheet { .. }), "{err:?}");
    }
}
