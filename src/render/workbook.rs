//! `report.xlsx`: the published tables as one workbook, one sheet per table, and a last sheet
//! of footnotes that says what `..` and an empty cell mean and where the numbers come from.
//!
//! The sheets hold the very strings the CSV files hold ([`TextTable`]); the workbook is the same
//! cells made comfortable in Excel: a bold, frozen header with a filter, readable column widths,
//! and numbers stored as numbers so that a reader can sort, sum and chart them. Numbers are
//! displayed with Excel's locale-neutral codes (`#,##0`, `#,##0.0#####`), which a Swedish Excel
//! shows with a decimal comma.
//!
//! Each table is surveyed first — which columns are numeric, how wide each column is, whether it
//! fits in a sheet at all — and then written row by row. Nothing is written for a table that
//! does not fit, and nothing is truncated.
//!
//! The file is deterministic: the same tables give byte-identical workbooks (the creation date
//! in `docProps/core.xml` is fixed; `rust_xlsxwriter` already fixes the zip entries' dates).

use polars::prelude::StringChunked;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::indicators::tables::TextTable;
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

/// One sheet: its name and the table it holds.
pub struct Sheet<'a> {
    /// The sheet's name as Excel shows it: at most 31 characters, none of `[]:*?/\`.
    pub name: &'a str,
    pub table: &'a TextTable,
}

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(
        "table {table}: {rows} rows and a header do not fit in sheet {sheet:?}: an Excel sheet holds at most {limit} rows"
    )]
    TooManyRows { sheet: String, table: &'static str, rows: usize, limit: u32 },
    #[error(
        "table {table}: {columns} columns do not fit in sheet {sheet:?}: an Excel sheet holds at most {EXCEL_MAX_COLUMNS}"
    )]
    TooManyColumns { sheet: String, table: &'static str, columns: usize },
    #[error("sheet {sheet:?}: {source}")]
    Sheet {
        sheet: String,
        #[source]
        source: XlsxError,
    },
    #[error("cannot assemble the workbook: {0}")]
    Xlsx(#[source] XlsxError),
}

/// A workbook being written sheet by sheet, so that a sheet can go in as soon as its table
/// exists (the report writes the indicator sheets while the comparison is still computed).
pub struct Book {
    workbook: Workbook,
    styles: Styles,
    max_rows: u32,
}

impl Book {
    pub fn new() -> Result<Book, WorkbookError> {
        Book::with_limit(EXCEL_MAX_ROWS)
    }

    /// [`Book::new`] with the row limit as a parameter, so that tests can exceed it cheaply.
    fn with_limit(max_rows: u32) -> Result<Book, WorkbookError> {
        let mut workbook = Workbook::new();
        workbook.set_properties(&fixed_properties().map_err(WorkbookError::Xlsx)?);
        // This workbook holds every table's rows (4.3 M cells for the embedded round), and
        // deflate is most of its time. Measured on it: level 6 (the default) 6.6 s, 19.4 MB;
        // 3 5.0 s, 22.5 MB; 2 4.5 s, 23.4 MB; 1 4.1 s, 32 MB. On a later, faster day level 1 made
        // the whole report no faster (its XML, not deflate, dominates), so level 2 stays.
        workbook.set_zip_compression_level(2);
        Ok(Book { workbook, styles: Styles::new(), max_rows })
    }

    /// Adds a sheet: surveyed first, so that nothing is written for a table that does not fit.
    pub fn add(&mut self, sheet: &Sheet<'_>) -> Result<(), WorkbookError> {
        let survey = survey(sheet, self.max_rows)?;
        let sheet_error = |source| WorkbookError::Sheet { sheet: sheet.name.to_string(), source };
        // Row by row, with one shared-string table: a large table need not be held as cells.
        let worksheet = self.workbook.add_worksheet_with_low_memory().map_err(WorkbookError::Xlsx)?;
        worksheet.set_name(sheet.name).map_err(sheet_error)?;
        write_table(worksheet, sheet.table, &survey, &self.styles).map_err(sheet_error)
    }

    /// Adds the footnote sheet (`Fotnoter` / `Notes`, which explains `..` with the round's
    /// `min_count`) and returns the file's bytes.
    pub fn finish(mut self, lang: Lang, min_count: u32) -> Result<Vec<u8>, WorkbookError> {
        let notes = lang.pick("Fotnoter", "Notes");
        let worksheet = self.workbook.add_worksheet();
        write_notes(worksheet, notes, lang, min_count, &self.styles)
            .map_err(|source| WorkbookError::Sheet { sheet: notes.to_string(), source })?;
        self.workbook.save_to_buffer().map_err(WorkbookError::Xlsx)
    }
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

/// What the survey of a table found.
#[derive(Debug)]
struct Survey {
    kinds: Vec<Kind>,
    /// Widths in characters of the longest header or field in the first rows.
    widths: Vec<usize>,
    /// The numbers of each numeric column, parsed once (NaN where the field is empty or `..`);
    /// empty for text columns.
    numbers: Vec<Vec<f64>>,
    rows: u32,
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

/// Surveys a table: which columns are numeric (every field that is neither empty nor `..`
/// parses as a finite number), the column widths, and the row count, which must fit in a sheet.
fn survey(sheet: &Sheet<'_>, max_rows: u32) -> Result<Survey, WorkbookError> {
    let table = sheet.table;
    let columns = table.columns();
    if columns.len() > EXCEL_MAX_COLUMNS {
        return Err(WorkbookError::TooManyColumns {
            sheet: sheet.name.to_string(),
            table: table.name(),
            columns: columns.len(),
        });
    }
    let rows = table.height();
    let Some(fits) = u32::try_from(rows).ok().filter(|&r| r < max_rows) else {
        return Err(WorkbookError::TooManyRows {
            sheet: sheet.name.to_string(),
            table: table.name(),
            rows,
            limit: max_rows,
        });
    };
    let mut kinds = Vec::with_capacity(columns.len());
    let mut numbers = Vec::with_capacity(columns.len());
    for column in columns {
        let (kind, parsed) = if always_text(column.name()) { (Kind::Text, Vec::new()) } else { numeric(column) };
        kinds.push(kind);
        numbers.push(parsed);
    }
    let widths = columns
        .iter()
        .map(|c| {
            let fields = c.iter().take(WIDTH_SAMPLE_ROWS).map(|f| display_width(f.unwrap_or_default()));
            fields.fold(c.name().chars().count() + FILTER_BUTTON, usize::max)
        })
        .collect();
    Ok(Survey { kinds, widths, numbers, rows: fits })
}

/// A column's kind and, when numeric, its numbers (NaN where empty or `..`).
fn numeric(column: &StringChunked) -> (Kind, Vec<f64>) {
    let mut parsed = Vec::with_capacity(column.len());
    let mut integral = true;
    for field in column.iter().map(Option::unwrap_or_default) {
        if field.is_empty() || field == SUPPRESSED {
            parsed.push(f64::NAN);
            continue;
        }
        match number(field) {
            Some(x) => {
                integral &= x.fract() == 0.0;
                parsed.push(x);
            }
            None => return (Kind::Text, Vec::new()),
        }
    }
    (if integral { Kind::Integer } else { Kind::Decimal }, parsed)
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

/// Writes a table: the header bold and frozen, a filter over the whole table, and each field
/// as its column's kind says.
fn write_table(
    worksheet: &mut Worksheet,
    table: &TextTable,
    survey: &Survey,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let columns = table.columns();
    let Some(last_col) = columns.len().checked_sub(1) else {
        return Ok(());
    };
    for (i, c) in columns.iter().enumerate() {
        worksheet.write_string_with_format(0, column(i), c.name().as_str(), &styles.header)?;
        let width = (survey.widths[i] as f64 + 1.0).clamp(MIN_WIDTH, MAX_WIDTH);
        worksheet.set_column_width(column(i), width)?;
        if let Some(format) = number_format(survey.kinds[i], styles) {
            worksheet.set_column_format(column(i), format)?;
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    worksheet.autofilter(0, 0, survey.rows, column(last_col))?;

    let chunks: Vec<StringChunked> = columns.iter().map(|c| c.rechunk().into_owned()).collect();
    let arrays: Vec<_> = chunks.iter().map(|c| c.downcast_as_array()).collect();
    for i in 0..table.height() {
        let row = u32::try_from(i + 1).expect("survey checked the row count");
        for (j, array) in arrays.iter().enumerate() {
            let col = column(j);
            match survey.numbers[j].get(i) {
                Some(x) if !x.is_nan() => {
                    worksheet.write_number(row, col, *x)?;
                }
                _ => match array.value(i) {
                    "" => {}
                    SUPPRESSED => {
                        worksheet.write_string_with_format(row, col, SUPPRESSED, &styles.suppressed)?;
                    }
                    field => {
                        worksheet.write_string(row, col, field)?;
                    }
                },
            }
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

/// A column index as Excel's; [`survey`] has checked that it fits.
fn column(i: usize) -> u16 {
    u16::try_from(i).expect("survey checked the column count")
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
    use std::path::{Path, PathBuf};

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

    /// A table from CSV text, as the report holds it.
    fn table(name: &'static str, text: &str) -> TextTable {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        use polars::prelude::NewChunkedArray;
        let columns = header
            .iter()
            .enumerate()
            .map(|(j, h)| StringChunked::from_iter_values(h.into(), rows.iter().map(|r| &r[j])))
            .collect();
        TextTable::new(name, columns).unwrap()
    }

    /// The workbook of `sheets`, as the report builds it.
    fn build(sheets: &[Sheet<'_>], lang: Lang, min_count: u32) -> Result<Vec<u8>, WorkbookError> {
        let mut book = Book::new()?;
        for sheet in sheets {
            book.add(sheet)?;
        }
        book.finish(lang, min_count)
    }

    fn save(dir: &Path, name: &str, bytes: Vec<u8>) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
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
        let (values, gaps) = (table("indicators", VALUES), table("gaps", GAPS));
        let sheets = [Sheet { name: "Värden", table: &values }, Sheet { name: "Skillnader", table: &gaps }];
        save(dir, &format!("report-{}.xlsx", lang.code()), build(&sheets, lang, 5).unwrap())
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
        let values = table("t", VALUES);
        let survey = survey(&Sheet { name: "t", table: &values }, EXCEL_MAX_ROWS).unwrap();
        use Kind::*;
        assert_eq!(survey.kinds, [Text, Text, Text, Text, Text, Decimal, Integer, Text, Text]);
        assert_eq!(survey.rows, 3);
        assert!(survey.numbers[5][2].is_nan(), "`..` is no number");
        assert_eq!(survey.numbers[6][..2], [-3.0, 1234567.0]);
        assert!(survey.numbers[6][2].is_nan(), "an empty field is no number");
        assert!(survey.numbers[0].is_empty(), "org_id stays text");
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
    fn a_table_longer_than_a_sheet_is_an_error_naming_it() {
        let values = table("comparison", VALUES);
        let sheets = [Sheet { name: "Jämförelse", table: &values }];
        // A header and 3 rows do not fit in 3 rows, and just fit in 4.
        let err = Book::with_limit(3).unwrap().add(&sheets[0]).unwrap_err();
        match &err {
            WorkbookError::TooManyRows { sheet, rows: 3, limit: 3, .. } => assert_eq!(sheet, "Jämförelse"),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("table comparison: 3 rows"), "{err}");
        Book::with_limit(4).unwrap().add(&sheets[0]).unwrap();
    }

    #[test]
    fn a_sheet_name_excel_refuses_is_an_error() {
        let gaps = table("gaps", GAPS);
        let err = build(&[Sheet { name: "a/b", table: &gaps }], Lang::En, 5).unwrap_err();
        assert!(matches!(err, WorkbookError::Sheet { .. }), "{err:?}");
    }
}
