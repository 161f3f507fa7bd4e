//! The indicator stage's typed tables, [`IndicatorValues`] and [`Gaps`], and the files written
//! from them (DESIGN §8): `indicators.csv`, `gaps.csv` and the same as Parquet, with `..`
//! where a number is suppressed; `gap_intervals.csv` (ratio and women's-share intervals, the
//! base share of share indicators); `methods.csv` (per indicator: how each number is computed,
//! or why it has no interval); `notes.csv` (rows whose interval is missing for a reason of
//! their own: n = 0, fewer than 10 events…).
//!
//! Numbers are written with at most 6 decimals and no trailing zeros; the same rows give the
//! same bytes. In Parquet the numeric columns are text too, so `..` means the same thing in
//! both files (DESIGN §6: suppressed cells are `..` in every file, never blank or 0).

use std::io::Write;
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::definition::{Indicator, Kind};

/// `indicators.csv` columns (DESIGN §8).
pub const VALUE_COLUMNS: [&str; 13] = [
    "indicator_id",
    "org_id",
    "org_name",
    "role",
    "period",
    "age_group",
    "sex",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "status",
];

/// `gaps.csv` columns (DESIGN §8).
pub const GAP_COLUMNS: [&str; 16] = [
    "indicator_id",
    "org_id",
    "org_name",
    "role",
    "period",
    "age_group",
    "women",
    "men",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "ratio",
    "women_share",
    "significant",
    "favours",
    "status",
];

/// The per-sex values: DESIGN §8's columns, typed (numbers are `f64`, null when absent or
/// suppressed; `status` says which), plus `method` (the interval's) and `note`.
#[derive(Clone, Debug)]
pub struct IndicatorValues {
    frame: DataFrame,
}

/// The gender gaps: DESIGN §8's columns, typed, plus `ratio_ci_low/high`,
/// `women_share_ci_low/high`, `base_share`, `diff_method` and `ratio_method`.
#[derive(Clone, Debug)]
pub struct Gaps {
    frame: DataFrame,
}

impl IndicatorValues {
    /// A table made by hand (tests of later stages).
    #[cfg(test)]
    pub(crate) fn from_frame(frame: DataFrame) -> IndicatorValues {
        IndicatorValues { frame }
    }

    /// The table of a frame with these columns, in key order.
    pub(super) fn new(frame: DataFrame) -> IndicatorValues {
        IndicatorValues { frame }
    }

    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }
}

impl Gaps {
    /// A table made by hand (tests of later stages).
    #[cfg(test)]
    pub(crate) fn from_frame(frame: DataFrame) -> Gaps {
        Gaps { frame }
    }

    /// The table of a frame with these columns, in key order.
    pub(super) fn new(frame: DataFrame) -> Gaps {
        Gaps { frame }
    }

    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }
}

/// A number as written: at most 6 decimals, no trailing zeros, `-0` as `0`, infinity as `inf`.
pub fn number(v: f64) -> String {
    let mut s = String::new();
    push_number(&mut s, v);
    s
}

/// Appends `v` as [`number`] writes it, without allocating: the tables format millions of them.
pub fn push_number(out: &mut String, v: f64) {
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "inf" } else { "-inf" });
        return;
    }
    if !push_micros(out, v) {
        push_exact(out, v);
    }
}

/// [`push_number`] by std's exact formatting (`{:.6}`, which rounds the binary value's exact
/// decimal expansion), trimmed: the definition, and the path for what [`push_micros`] declines.
fn push_exact(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    let start = out.len();
    write!(out, "{v:.6}").expect("writing to a String cannot fail");
    if out[start..].contains('.') {
        let kept = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(kept);
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// The fast path of [`push_number`], about 5× quicker than `{:.6}`: for |v| < 10⁶, `v · 10⁶`
/// is within 2⁻¹² of its exact value (below 2⁴⁰, one rounding), so rounding it gives the
/// exact 6-decimal rounding unless the product lies within 10⁻³ of a tie, which is left to
/// [`push_exact`] (`false`). Then the integer of millionths is written with the point put in.
fn push_micros(out: &mut String, v: f64) -> bool {
    if v.is_nan() || v.abs() >= 1e6 {
        return false;
    }
    let scaled = v * 1e6;
    let frac = (scaled - scaled.trunc()).abs();
    if (frac - 0.5).abs() < 1e-3 {
        return false;
    }
    let micros = scaled.round() as i64;
    let (whole, part) = (micros.unsigned_abs() / 1_000_000, micros.unsigned_abs() % 1_000_000);
    let sign = if micros < 0 { "-" } else { "" };
    use std::fmt::Write as _;
    if part == 0 {
        write!(out, "{sign}{whole}")
    } else {
        // The six decimals without their trailing zeros.
        let (mut part, mut width) = (part, 6);
        while part % 10 == 0 {
            part /= 10;
            width -= 1;
        }
        write!(out, "{sign}{whole}.{part:0width$}")
    }
    .expect("writing to a String cannot fail");
    true
}

/// A column as the text the tables hold: numbers as [`number`] writes them, booleans as
/// `true`/`false`, nothing (empty) where there is no value, and `..` on every row `dots` marks
/// (an empty `dots` marks none).
pub(crate) fn text(col: &Column, dots: &[bool]) -> PolarsResult<StringChunked> {
    let mut out = StringChunkedBuilder::new(col.name().clone(), col.len());
    let mut buf = String::new();
    let dot = |i: usize| dots.get(i).copied().unwrap_or(false);
    let mut push = |i: usize, write: &dyn Fn(&mut String)| {
        if dot(i) {
            out.append_value(SUPPRESSED);
        } else {
            buf.clear();
            write(&mut buf);
            out.append_value(&buf);
        }
    };
    match col.dtype() {
        DataType::Float64 => {
            for (i, v) in col.f64()?.iter().enumerate() {
                push(i, &|b: &mut String| {
                    if let Some(v) = v {
                        push_number(b, v)
                    }
                });
            }
        }
        DataType::UInt32 => {
            for (i, v) in col.u32()?.iter().enumerate() {
                push(i, &|b: &mut String| {
                    if let Some(v) = v {
                        use std::fmt::Write as _;
                        write!(b, "{v}").expect("writing to a String cannot fail");
                    }
                });
            }
        }
        DataType::Boolean => {
            for (i, v) in col.bool()?.iter().enumerate() {
                push(i, &|b: &mut String| b.push_str(v.map_or("", |v| if v { "true" } else { "false" })));
            }
        }
        _ => {
            for (i, v) in col.str()?.iter().enumerate() {
                push(i, &|b: &mut String| b.push_str(v.unwrap_or_default()));
            }
        }
    }
    Ok(out.finish())
}

/// `..`: the mark of a suppressed number in every file (DESIGN §6).
pub const SUPPRESSED: &str = "..";

/// A published table as the text its files hold: every cell formatted once (numbers as
/// [`number`] writes them, `..` where suppressed), then written as CSV, as Parquet and as a
/// workbook sheet from the same strings, so that every file says exactly the same thing.
#[derive(Clone, Debug)]
pub struct TextTable {
    /// The file stem: `indicators` → `indicators.csv`, `indicators.parquet`.
    name: &'static str,
    columns: Vec<StringChunked>,
}

impl TextTable {
    /// A table of `columns`, which must all have the same length.
    pub fn new(name: &'static str, columns: Vec<StringChunked>) -> PolarsResult<TextTable> {
        let height = columns.first().map_or(0, |c| c.len());
        if let Some(c) = columns.iter().find(|c| c.len() != height) {
            polars_bail!(ShapeMismatch: "table {name}: column {} has {} rows, expected {height}", c.name(), c.len());
        }
        Ok(TextTable { name, columns })
    }

    /// The file stem: `indicators` → `indicators.csv`, `indicators.parquet`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn columns(&self) -> &[StringChunked] {
        &self.columns
    }

    /// The named columns of `frame` as text, formatted in parallel; `..` in every numeric
    /// column (and `favours`) of a suppressed row.
    fn from_frame(name: &'static str, frame: &DataFrame, columns: &[&str]) -> PolarsResult<TextTable> {
        let suppressed = suppressed_rows(frame)?;
        let columns = columns
            .par_iter()
            .map(|&name| {
                let col = frame.column(name)?;
                // A suppressed gap favours no one we can name: `..`, not `none`.
                let numeric = matches!(col.dtype(), DataType::Float64 | DataType::Boolean) || name == "favours";
                text(col, if numeric { &suppressed } else { &[] })
            })
            .collect::<PolarsResult<_>>()?;
        TextTable::new(name, columns)
    }

    /// Rows, the header not counted.
    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// The rows where `keep` holds.
    fn filter(&self, keep: &BooleanChunked) -> PolarsResult<TextTable> {
        let columns = self.columns.iter().map(|c| c.filter(keep)).collect::<PolarsResult<_>>()?;
        Ok(TextTable { name: self.name, columns })
    }

    /// Writes the table as CSV (the header is the columns' names), streaming row by row.
    pub fn write_csv(&self, out: impl Write) -> PolarsResult<()> {
        let mut w = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(out);
        let csv_error = |e: csv::Error| io_error(e.into());
        w.write_record(self.columns.iter().map(|c| c.name().as_str())).map_err(csv_error)?;
        let chunks: Vec<_> = self.columns.iter().map(|c| c.rechunk()).collect();
        let arrays: Vec<_> = chunks.iter().map(|c| c.downcast_as_array()).collect();
        for i in 0..self.height() {
            for a in &arrays {
                w.write_field(a.value(i)).map_err(csv_error)?;
            }
            w.write_record(None::<&[u8]>).map_err(csv_error)?;
        }
        w.flush().map_err(io_error)
    }

    /// Writes the table as Parquet (zstd): the same cells as the CSV, `..` included.
    pub fn write_parquet(&self, out: impl Write) -> PolarsResult<()> {
        let cols: Vec<Column> = self.columns.iter().map(|c| c.clone().into_column()).collect();
        let mut frame = DataFrame::new(self.height(), cols)?;
        ParquetWriter::new(out).with_compression(ParquetCompression::Zstd(None)).finish(&mut frame)?;
        Ok(())
    }
}

/// An I/O error as polars reports one.
fn io_error(error: std::io::Error) -> PolarsError {
    PolarsError::IO { error: std::sync::Arc::new(error), msg: None }
}

/// Which rows of a table with a `status` column are suppressed: where [`text`] writes `..`.
pub(crate) fn suppressed_rows(frame: &DataFrame) -> PolarsResult<Vec<bool>> {
    Ok(frame.column("status")?.str()?.iter().map(|s| s == Some("suppressed")).collect())
}

/// One file of a tables folder and what it holds.
#[derive(Clone, Copy, Debug)]
pub enum TableFile<'a> {
    Csv(&'a TextTable),
    Parquet(&'a TextTable),
    /// `README.txt`: the footnote.
    Text(&'a str),
}

impl TableFile<'_> {
    /// The file's name in the folder.
    pub fn name(&self) -> String {
        match self {
            TableFile::Csv(t) => format!("{}.csv", t.name),
            TableFile::Parquet(t) => format!("{}.parquet", t.name),
            TableFile::Text(_) => "README.txt".to_string(),
        }
    }

    pub fn write(&self, mut out: impl Write) -> PolarsResult<()> {
        match self {
            TableFile::Csv(t) => t.write_csv(out),
            TableFile::Parquet(t) => t.write_parquet(out),
            TableFile::Text(text) => writeln!(out, "{text}").and_then(|()| out.flush()).map_err(io_error),
        }
    }
}

/// The indicator stage's tables as text (DESIGN §8): `indicators`, `gaps` (both also as
/// Parquet), `gap_intervals`, `notes` and `methods`.
#[derive(Clone, Debug)]
pub struct Published {
    pub values: TextTable,
    pub gaps: TextTable,
    pub gap_intervals: TextTable,
    pub notes: TextTable,
    pub methods: TextTable,
}

impl Published {
    pub fn new(values: &IndicatorValues, gaps: &Gaps, indicators: &[Indicator]) -> PolarsResult<Published> {
        const EXTRA: [&str; 13] = [
            "indicator_id",
            "org_id",
            "period",
            "age_group",
            "ratio",
            "ratio_ci_low",
            "ratio_ci_high",
            "ratio_method",
            "women_share",
            "women_share_ci_low",
            "women_share_ci_high",
            "base_share",
            "status",
        ];
        const NOTES: [&str; 6] = ["indicator_id", "org_id", "period", "age_group", "sex", "note"];
        let notes = TextTable::from_frame("notes", &values.frame, &NOTES)?;
        let keep: BooleanChunked = notes.columns[5].iter().map(|s| s.is_some_and(|s| !s.is_empty())).collect();
        Ok(Published {
            values: TextTable::from_frame("indicators", &values.frame, &VALUE_COLUMNS)?,
            gaps: TextTable::from_frame("gaps", &gaps.frame, &GAP_COLUMNS)?,
            gap_intervals: TextTable::from_frame("gap_intervals", &gaps.frame, &EXTRA)?,
            notes: notes.filter(&keep)?,
            methods: methods(indicators),
        })
    }

    /// Every file of the folder, `README.txt` with the footnote included.
    pub fn files(&self) -> Vec<TableFile<'_>> {
        vec![
            TableFile::Csv(&self.values),
            TableFile::Parquet(&self.values),
            TableFile::Csv(&self.gaps),
            TableFile::Parquet(&self.gaps),
            TableFile::Csv(&self.gap_intervals),
            TableFile::Csv(&self.notes),
            TableFile::Csv(&self.methods),
            TableFile::Text(FOOTNOTE),
        ]
    }
}

/// `methods.csv`: per indicator, how each of its numbers is computed.
fn methods(indicators: &[Indicator]) -> TextTable {
    const COLUMNS: [&str; 11] = [
        "indicator_id",
        "kind",
        "value",
        "interval",
        "difference",
        "ratio",
        "women_share",
        "per",
        "unit",
        "polarity",
        "source",
    ];
    let mut rows: Vec<[String; 11]> = Vec::with_capacity(indicators.len());
    for ind in indicators {
        let d = describe(ind);
        rows.push([
            ind.id.clone(),
            ind.kind.name().to_string(),
            d[0].to_string(),
            d[1].to_string(),
            d[2].to_string(),
            d[3].to_string(),
            d[4].to_string(),
            number(ind.per),
            ind.value_unit(),
            ind.polarity.name().to_string(),
            ind.source_label(),
        ]);
    }
    let columns = COLUMNS
        .iter()
        .enumerate()
        .map(|(j, name)| StringChunked::from_iter_values((*name).into(), rows.iter().map(|r| r[j].as_str())))
        .collect();
    TextTable::new("methods", columns).expect("one value per indicator in every column")
}

/// Writes the indicator stage's files into `dir` ([`Published::files`]).
pub fn write(dir: &Path, values: &IndicatorValues, gaps: &Gaps, indicators: &[Indicator]) -> PolarsResult<()> {
    let published = Published::new(values, gaps, indicators)?;
    write_files(dir, &published.files())
}

/// Writes `files` into `dir`, side by side on rayon's threads.
pub fn write_files(dir: &Path, files: &[TableFile<'_>]) -> PolarsResult<()> {
    files.par_iter().try_for_each(|f| {
        // Unbuffered: the CSV writer has its own buffer, Parquet writes whole pages.
        f.write(std::fs::File::create(dir.join(f.name())).map_err(io_error)?)
    })
}

/// The footnote every table carries.
pub const FOOTNOTE: &str = "\
.. = suppressed (sekretess): the number rests on fewer than min_count persons, or would let one be recomputed.
Empty = no value: see status (missing, not_applicable, confidential at source) and notes.csv.
Intervals are 95 % two-sided unless the run says otherwise; methods.csv names each method.
Numbers computed from Kolada data: Egen bearbetning av data från Kolada.";

/// How an indicator's numbers are computed: value, interval, difference, ratio, women's share.
fn describe(ind: &Indicator) -> [&'static str; 5] {
    match ind.kind {
        Kind::Proportion => [
            "numerator / denominator × per",
            "Wilson score",
            "Newcombe hybrid score (method 10)",
            "Koopman score",
            "women's share of the numerator, Wilson",
        ],
        Kind::Rate if ind.standard.is_some() => [
            "crude rate per age band; all ages directly age-standardised (combined-sex standard population)",
            "bands: exact Poisson below 10 events, Byar from 10; standardised: Dobson (withheld below 10 events)",
            "MOVER from the two intervals",
            "exact conditional (crude bands); none for standardised rates",
            "women's share of events, Wilson",
        ],
        Kind::Rate => [
            "events / population × per",
            "exact Poisson below 10 events, Byar from 10",
            "MOVER from the two intervals",
            "exact conditional",
            "women's share of events, Wilson",
        ],
        Kind::Mean if ind.sum_of_squares.is_some() => [
            "sum / count",
            "Student t from the record-level spread",
            "Welch",
            "none",
            "women's share of the sum (no interval: a resource, not a count)",
        ],
        Kind::Mean => [
            "sum / count",
            "none: no record-level spread (sum_of_squares) is known, so no interval can be given",
            "none: no spread",
            "none",
            "women's share of the sum (no interval: a resource, not a count)",
        ],
        Kind::Share => [
            "this sex's share of the resource × per",
            "Wilson when the resource is a count; none for amounts (SEK, hours)",
            "women's resource share − women's base share; Newcombe when both are counts",
            "representation index: resource share / base share",
            "women's share of the resource",
        ],
        Kind::Value if ind.numerator.is_some() => [
            "published value × per",
            "Wilson on the published counts",
            "Newcombe on the published counts",
            "Koopman on the published counts",
            "women's share when the value is additive",
        ],
        Kind::Value => [
            "published value × per",
            "none: a published value without its counts has no interval",
            "none: no counts",
            "none",
            "women's share when the value is additive",
        ],
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn exact(v: f64) -> String {
        let mut s = String::new();
        push_exact(&mut s, v);
        s
    }

    #[test]
    fn numbers_have_at_most_six_decimals_and_no_trailing_zeros() {
        for (v, want) in [
            (0.0, "0"),
            (-0.0, "0"),
            (-1e-7, "0"),
            (20.2, "20.2"),
            (62.97577854671, "62.975779"),
            (0.000001, "0.000001"),
            (-3.5, "-3.5"),
            (1234567.0, "1234567"),
            (0.1 + 0.2, "0.3"),
            (999999.9999996, "1000000"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(number(v), want, "{v:e}");
        }
    }

    proptest! {
        /// The fast path writes exactly what `{:.6}` (trimmed) writes: any value, values near
        /// a tie at the seventh decimal, whole and short decimals.
        #[test]
        fn the_fast_path_matches_std_formatting(
            v in prop_oneof![
                any::<f64>(),
                -2e6..2e6f64,
                (-1_000_000_000i64..1_000_000_000).prop_map(|n| n as f64 / 1e6 + 5e-7),
                (-100_000i64..100_000).prop_map(|n| n as f64 / 1e3),
                (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
            ]
        ) {
            prop_assume!(v.is_finite());
            prop_assert_eq!(number(v), exact(v));
        }
    }
}
