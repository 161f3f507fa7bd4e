//! `comparison.csv` and its Parquet twin (DESIGN §8), and `comparison_details.csv` with the
//! intervals, tests and funnel limits behind each row.

use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::Row;
use crate::indicators::tables::{self, TableFile, TextTable};

/// `comparison.csv` columns: DESIGN §8's, with `age_group` after `sex` (indicators limited to
/// age bands are compared band by band, so the band is part of the key).
pub const COLUMNS: [&str; 22] = [
    "indicator_id",
    "period",
    "sex",
    "age_group",
    "org_id",
    "org_name",
    "role",
    "value",
    "rank",
    "n",
    "percentile",
    "quartile",
    "ref_min",
    "ref_q1",
    "ref_median",
    "ref_q3",
    "ref_max",
    "vs_mentor",
    "change_since_first",
    "trend_slope",
    "trend_slope_ci_low",
    "trend_slope_ci_high",
];

/// The details beside each row, keyed like it.
const DETAILS: [&str; 22] = [
    "indicator_id",
    "period",
    "sex",
    "age_group",
    "org_id",
    "colour",
    "vs_mentor_ci_low",
    "vs_mentor_ci_high",
    "change_ci_low",
    "change_ci_high",
    "trend_method",
    "trend_p",
    "trend_marker",
    "funnel_95_low",
    "funnel_95_high",
    "funnel_998_low",
    "funnel_998_high",
    "status",
    "note",
    "reference_n",
    "first_period",
    "level",
];

/// The comparison, one row per indicator × period × sex (K, M, T, `gap`) × age group ×
/// organisation, sorted in that order. Typed: numbers are `f64` (ranks and counts `u32`), null
/// where there is nothing to say; a suppressed value is null with `status = suppressed`, and
/// becomes `..` only when written.
#[derive(Clone, Debug)]
pub struct Comparison {
    frame: DataFrame,
}

impl Comparison {
    pub(super) fn build(rows: &[Row<'_>]) -> PolarsResult<Comparison> {
        let mut order: Vec<&Row<'_>> = rows.iter().collect();
        let sex_order = |s: &str| match s {
            "K" => 0,
            "M" => 1,
            "T" => 2,
            _ => 3,
        };
        order.sort_by(|a, b| {
            (a.indicator, a.period, sex_order(a.sex), a.age, a.point.org).cmp(&(
                b.indicator,
                b.period,
                sex_order(b.sex),
                b.age,
                b.point.org,
            ))
        });
        let text = |name: &str, f: &dyn for<'r> Fn(&'r Row<'r>) -> &'r str| {
            Column::new(name.into(), order.iter().map(|r| f(r)).collect::<Vec<&str>>())
        };
        let num = |name: &str, f: &dyn Fn(&Row<'_>) -> Option<f64>| {
            Column::new(name.into(), order.iter().map(|r| f(r)).collect::<Vec<Option<f64>>>())
        };
        let whole = |name: &str, f: &dyn Fn(&Row<'_>) -> Option<u32>| {
            Column::new(name.into(), order.iter().map(|r| f(r)).collect::<Vec<Option<u32>>>())
        };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let d = |r: &Row<'_>| r.reference;
        let vs = |r: &Row<'_>| r.vs_mentor.and_then(|v| v.1);
        let ch = |r: &Row<'_>| r.change.and_then(|v| v.1);
        let columns = vec![
            text("indicator_id", &|r| r.indicator),
            text("period", &|r| r.period),
            text("sex", &|r| r.sex),
            text("age_group", &|r| r.age),
            text("org_id", &|r| r.point.org),
            text("org_name", &|r| r.point.org_name.unwrap_or("")),
            text("role", &|r| r.point.role),
            num("value", &|r| r.point.value.filter(|_| r.point.status != "suppressed")),
            whole("rank", &|r| r.rank.map(count)),
            whole("n", &|r| r.rank.map(|_| count(r.n))),
            num("percentile", &|r| r.percentile),
            whole("quartile", &|r| r.quartile.map(u32::from)),
            num("ref_min", &|r| d(r).map(|d| d.min)),
            num("ref_q1", &|r| d(r).map(|d| d.q1)),
            num("ref_median", &|r| d(r).map(|d| d.median)),
            num("ref_q3", &|r| d(r).map(|d| d.q3)),
            num("ref_max", &|r| d(r).map(|d| d.max)),
            num("vs_mentor", &|r| r.vs_mentor.map(|v| v.0)),
            num("change_since_first", &|r| r.change.map(|v| v.0)),
            num("trend_slope", &|r| r.trend.map(|t| t.slope)),
            num("trend_slope_ci_low", &|r| r.trend.map(|t| t.ci.0)),
            num("trend_slope_ci_high", &|r| r.trend.map(|t| t.ci.1)),
            // details
            text("colour", &|r| r.colour),
            num("vs_mentor_ci_low", &|r| vs(r).map(|i| i.low)),
            num("vs_mentor_ci_high", &|r| vs(r).map(|i| i.high)),
            num("change_ci_low", &|r| ch(r).map(|i| i.low)),
            num("change_ci_high", &|r| ch(r).map(|i| i.high)),
            text("trend_method", &|r| r.trend.map_or("", |t| t.method)),
            num("trend_p", &|r| r.trend.map(|t| t.p)),
            Column::new("trend_marker".into(), order.iter().map(|r| r.trend.map(|t| t.marker)).collect::<Vec<_>>()),
            num("funnel_95_low", &|r| r.funnel.map(|f| f.0.low)),
            num("funnel_95_high", &|r| r.funnel.map(|f| f.0.high)),
            num("funnel_998_low", &|r| r.funnel.map(|f| f.1.low)),
            num("funnel_998_high", &|r| r.funnel.map(|f| f.1.high)),
            text("status", &|r| r.point.status),
            text("note", &|r| r.note.as_str()),
            whole("reference_n", &|r| d(r).map(|d| count(d.n))),
            text("first_period", &|r| r.first_period.unwrap_or("")),
            num("level", &|r| Some(r.level)),
        ];
        Ok(Comparison { frame: DataFrame::new(order.len(), columns)? })
    }

    /// The rows, typed: every column of `comparison.csv` and of the details.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// The named columns as the text written: `value` is `..` where it is suppressed.
    pub fn text(&self, columns: &[&str]) -> PolarsResult<Vec<StringChunked>> {
        let suppressed = tables::suppressed_rows(&self.frame)?;
        columns
            .par_iter()
            .map(|&name| tables::text(self.frame.column(name)?, if name == "value" { &suppressed } else { &[] }))
            .collect()
    }

    /// `comparison` (written as CSV and Parquet, and the workbook's sheet) as text.
    pub fn main_text(&self) -> PolarsResult<TextTable> {
        TextTable::new("comparison", self.text(&COLUMNS)?)
    }

    /// `comparison_details` (CSV) as text.
    pub fn details_text(&self) -> PolarsResult<TextTable> {
        TextTable::new("comparison_details", self.text(&DETAILS)?)
    }

    /// Both tables as text.
    pub fn published(&self) -> PolarsResult<Published> {
        Ok(Published { main: self.main_text()?, details: self.details_text()? })
    }

    /// Writes `comparison.csv`, `comparison.parquet` and `comparison_details.csv` into `dir`.
    pub fn write(&self, dir: &Path) -> PolarsResult<()> {
        tables::write_files(dir, &self.published()?.files())
    }
}

/// The comparison's tables as text.
#[derive(Clone, Debug)]
pub struct Published {
    pub main: TextTable,
    pub details: TextTable,
}

impl Published {
    pub fn files(&self) -> Vec<TableFile<'_>> {
        vec![TableFile::Csv(&self.main), TableFile::Parquet(&self.main), TableFile::Csv(&self.details)]
    }
}
