//! Delimited text as controllers export it: `;` and decimal comma from Swedish Excel, `,` from
//! English tools, tab from "Unicode text"; title lines above the header; quoted fields holding
//! delimiters and newlines (split by [`super::split`], which reads them as BurntSushi's `csv` does).

use std::borrow::Cow;

use super::decode::{EncodingChoice, Text, prepare};
use super::error::IngestError;
use super::layout::{self, Layout, SampleRow};
use super::options::{DecimalMark, Input};
use super::shape::{Cell, Locator, Row, Shaper};
use super::split::{Record, Splitter};
use crate::error::{Location, Problem};

use super::{FileReport, Session};

/// Records read before the layout is fixed.
const SAMPLE_ROWS: usize = 50;
/// Bytes looked at to choose the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

/// What the reader chose, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvChoices {
    pub encoding: EncodingChoice,
    pub delimiter: u8,
    pub decimal: DecimalMark,
}

/// A record whose cells stay bytes until the shaper needs their text.
struct CsvRow<'r> {
    rec: &'r Record<'r>,
    text: Text,
}

impl<'r> CsvRow<'r> {
    fn new(rec: &'r Record<'r>, text: Text) -> CsvRow<'r> {
        CsvRow { rec, text }
    }
}

impl Row for CsvRow<'_> {
    fn width(&self) -> usize {
        self.rec.len()
    }

    // Inlined into the shaper, which calls it about ten times a row: as a call, its prologue
    // and the returned enum's trip through memory were a third of its cost.
    #[inline(always)]
    fn cell(&self, i: usize) -> Cell<'_> {
        let blank = |c: &u8| matches!(c, b' ' | b'\t' | 0xA0 | 0xC2 | 0xE2 | 0x80 | 0xAF);
        match self.rec.get(i).map(<[u8]>::trim_ascii) {
            None | Some(b"") => Cell::Empty,
            // Only a cell made of spaces and no-break spaces (0xA0; C2 A0 or E2 80 AF in UTF-8)
            // can still be blank: anything else is text without decoding it. The first byte
            // nearly always decides.
            Some(b) if !blank(&b[0]) || b.iter().any(|c| !blank(c)) => Cell::Bytes(b, self.text),
            Some(b) => match Cell::Bytes(b, self.text).text().trim() {
                // A cell of only (non-ASCII) spaces such as U+00A0 is empty too.
                "" => Cell::Empty,
                _ => Cell::Bytes(b, self.text),
            },
        }
    }
}

/// Every record of `text`, in order (for small reads: sniffing, record tables' headers).
pub(crate) fn records(text: &[u8], delimiter: u8) -> impl Iterator<Item = Record<'_>> {
    let mut splitter = Splitter::new(text, delimiter);
    std::iter::from_fn(move || {
        let mut rec = Record::default();
        splitter.read(&mut rec).then_some(rec)
    })
}

/// Picks the delimiter that splits the first lines most consistently into the most fields:
/// the score is (rows of the commonest width) × (that width − 1), so one field scores nothing.
/// Weighting by width matters for Swedish files: when every value has a decimal comma, `,` also
/// splits every line alike, but into fewer fields than `;`. Ties go to `;`, then tab, then `,`.
pub fn sniff_delimiter(text: &[u8]) -> Option<u8> {
    let end = if text.len() > SNIFF_BYTES {
        text[..SNIFF_BYTES].iter().rposition(|&b| b == b'\n').unwrap_or(SNIFF_BYTES)
    } else {
        text.len()
    };
    let head = &text[..end];
    let mut best: Option<(usize, u8)> = None;
    for d in [b';', b'\t', b','] {
        let mut widths = Vec::new();
        for rec in records(head, d).take(SAMPLE_ROWS) {
            if rec.iter().any(|f| !f.trim_ascii().is_empty()) {
                widths.push(rec.len());
            }
        }
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for w in widths.iter().copied().filter(|&w| w >= 2) {
            match counts.iter_mut().find(|(x, _)| *x == w) {
                Some((_, n)) => *n += 1,
                None => counts.push((w, 1)),
            }
        }
        let score = counts.iter().map(|(w, n)| n * (w - 1)).max().unwrap_or(0);
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, d));
        }
    }
    best.map(|(_, d)| d)
}

/// Reads one CSV input into the session, reporting into `report`.
pub fn read(bytes: &[u8], input: &Input, stem: &str, session: &mut Session, report: &mut FileReport) {
    let source = input.source.as_str();
    let hints = &input.hints;
    let (bytes, text, encoding) = match prepare(bytes, hints.read.encoding, source) {
        Ok(p) => (p.bytes, p.text, p.choice),
        Err(p) => return report.problems.push(p),
    };
    report.encoding = Some(encoding);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return report.problems.add(Location::file(source), IngestError::EmptyFile);
    }
    let Some(delimiter) = hints.read.delimiter.or_else(|| sniff_delimiter(&bytes)) else {
        return report.problems.add(Location::at(source, 1, None), IngestError::NoDelimiter);
    };
    report.delimiter = Some(delimiter);
    let mut splitter = Splitter::new(&bytes, delimiter);
    let mut rec = Record::default();
    let mut sample: Vec<Record<'_>> = Vec::new();
    while sample.len() < SAMPLE_ROWS && splitter.read(&mut rec) {
        sample.push(rec.clone());
    }
    let rows: Vec<SampleRow> = sample
        .iter()
        .map(|r| {
            let row = CsvRow::new(r, text);
            SampleRow { line: r.line(), cells: (0..row.width()).map(|i| row.cell(i).text_owned()).collect() }
        })
        .collect();
    let layout = match layout::detect(&rows, hints, source, stem) {
        Ok(l) => l,
        Err(p) => return report.problems.push(p),
    };
    let decimal = hints.read.decimal.unwrap_or_else(|| layout.decimal_mark(&rows));
    report.decimal = Some(decimal);
    // Estimate the rows from the sample's bytes per line, so the columns grow once.
    if let (Some(first), Some(last)) = (sample.get(layout.header_row + 1), sample.last())
        && last.line() > first.line()
    {
        let per_line = splitter.position() / (last.line() as usize).max(1);
        let lines = bytes.len() / per_line.max(1);
        session.reserve(lines * layout.values.len());
    }
    let loc = Locator { source: source.to_string(), sheet: None, column_offset: 0 };
    let mut shaper = session.shaper(&layout, hints, decimal, loc);
    let check = |rec: &Record<'_>, shaper: &mut Shaper<'_>| {
        let row = CsvRow::new(rec, text);
        if let Some(p) = field_count(rec.line(), &row, &layout, delimiter, source) {
            shaper.problems.push(p);
        } else {
            shaper.push_row(rec.line(), &row);
        }
    };
    for r in &sample[layout.header_row + 1..] {
        check(r, &mut shaper);
    }
    if sample.len() == SAMPLE_ROWS {
        while splitter.read(&mut rec) {
            check(&rec, &mut shaper);
        }
    }
    let (problems, counts) = shaper.finish();
    report.absorb(problems, counts, &layout);
}

/// A data row must have as many fields as the header (trailing empty fields aside). Rows with
/// fewer than two filled cells are notes or blank and are left to the shaper.
fn field_count(
    line: u32,
    row: &CsvRow<'_>,
    layout: &Layout,
    delimiter: u8,
    source: &str,
) -> Option<Problem<IngestError>> {
    let width = layout.width;
    if row.width() == width {
        return None;
    }
    let rec: Vec<Cow<'_, str>> = row.rec.iter().map(|b| row.text.decode(b)).collect();
    let filled = rec.iter().filter(|f| !f.trim().is_empty()).count();
    let trailing_empty = rec.len() > width && rec.iter().skip(width).all(|f| f.trim().is_empty());
    if filled < 2 || trailing_empty {
        return None;
    }
    let column = rec.len().min(width) as u32 + 1;
    let kind = IngestError::FieldCount { found: rec.len(), expected: width, header_line: layout.header_line };
    let spans = rec.iter().any(|f| f.contains('\n'));
    let split_number = delimiter == b','
        && rec.len() > width
        && rec.iter().zip(rec.iter().skip(1)).any(|(a, b)| {
            a.trim().bytes().last().is_some_and(|c| c.is_ascii_digit())
                && !b.trim().is_empty()
                && b.trim().bytes().all(|c| c.is_ascii_digit())
        });
    let hint = if spans {
        Some(format!(
            "a quoted field starting on line {line} runs over several lines; check for a missing closing quote (\")"
        ))
    } else if split_number {
        Some(
            "a decimal comma inside an unquoted number splits it in two in a ,-separated file: quote such numbers, \
              export with ; as separator, or set delimiter = \";\" in this file's [[input]]"
                .to_string(),
        )
    } else {
        None
    };
    Some(Problem::new(Location::at(source, line, Some(column)), kind).with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_blank_lines_crlf_and_quoted_newlines() {
        for (text, want) in [
            (&b"T\n\nK;A\n\n\nX1;2023\n"[..], vec![1, 3, 6]),
            (&b"T\r\n\r\nK;A\r\nX1;2023\r\n"[..], vec![1, 3, 4]),
            (&b"\"a\nb\";c\r\nX;Y\r\n"[..], vec![1, 3]),
        ] {
            let lines: Vec<u32> = records(text, b';').map(|r| r.line()).collect();
            assert_eq!(lines, want, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn delimiters_are_sniffed() {
        let sniff_delimiter = |s: &str| sniff_delimiter(s.as_bytes());
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2,5;3\n4;5;6\n"), Some(b';'));
        assert_eq!(sniff_delimiter("a,b,c\n1.5,2.5,3\n"), Some(b','));
        assert_eq!(sniff_delimiter("a\tb\n1,5\t2\n"), Some(b'\t'));
        assert_eq!(
            sniff_delimiter("Titel, med komma\n\nKommun;År;Kön;Antal\nX1;2023;K;1,5\nX2;2023;K;2,5\n"),
            Some(b';')
        );
        assert_eq!(sniff_delimiter("one\ncolumn\n"), None);
        // Every value with a decimal comma: `,` splits alike too, but `;` gives more fields.
        assert_eq!(sniff_delimiter("K;N;V\nX1;A;1,5\nX2;B;2,5\nX3;C;3,5\n"), Some(b';'));
        assert_eq!(sniff_delimiter("\"a;b\",c\n\"d;e\",f\n"), Some(b','), "delimiters inside quotes do not count");
    }
}
