//! `comparison.csv` and its Parquet twin (DESIGN §8), and `comparison_details.csv` with the
//! intervals, tests and funnel limits behind each row.

use std::path::Path;

use polars::prelude::*;

use super::Row;
use crate::indicators::tables::number;

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
/// organisation, sorted in that order, as text cells ready to write (numbers formatted, `..`
/// for a suppressed value, empty where there is nothing to say).
#[derive(Clone, Debug)]
pub struct Comparison {
    frame: DataFrame,
}

impl Comparison {
    pub(super) fn build(rows: &[Row<'_>]) -> PolarsResult<Comparison> {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let sex_order = |s: &str| match s {
            "K" => 0,
            "M" => 1,
            "T" => 2,
            _ => 3,
        };
        order.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            (a.indicator, a.period, sex_order(a.sex), a.age, a.point.org).cmp(&(
                b.indicator,
                b.period,
                sex_order(b.sex),
                b.age,
                b.point.org,
            ))
        });
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        let mut cells: Vec<Vec<String>> = vec![Vec::with_capacity(rows.len()); COLUMNS.len() + DETAILS.len() - 5];
        for &i in &order {
            let r = &rows[i];
            let d = r.reference;
            let value = if r.point.status == "suppressed" { "..".to_string() } else { opt(r.point.value) };
            let row: [String; 39] = [
                r.indicator.to_string(),
                r.period.to_string(),
                r.sex.to_string(),
                r.age.to_string(),
                r.point.org.to_string(),
                r.point.org_name.unwrap_or("").to_string(),
                r.point.role.to_string(),
                value,
                r.rank.map(|x| x.to_string()).unwrap_or_default(),
                if r.rank.is_some() { r.n.to_string() } else { String::new() },
                opt(r.percentile),
                r.quartile.map(|q| q.to_string()).unwrap_or_default(),
                opt(d.map(|d| d.min)),
                opt(d.map(|d| d.q1)),
                opt(d.map(|d| d.median)),
                opt(d.map(|d| d.q3)),
                opt(d.map(|d| d.max)),
                opt(r.vs_mentor.map(|v| v.0)),
                opt(r.change.map(|v| v.0)),
                opt(r.trend.map(|t| t.slope)),
                opt(r.trend.map(|t| t.ci.0)),
                opt(r.trend.map(|t| t.ci.1)),
                // details
                r.colour.to_string(),
                opt(r.vs_mentor.and_then(|v| v.1).map(|i| i.low)),
                opt(r.vs_mentor.and_then(|v| v.1).map(|i| i.high)),
                opt(r.change.and_then(|v| v.1).map(|i| i.low)),
                opt(r.change.and_then(|v| v.1).map(|i| i.high)),
                r.trend.map(|t| t.method.to_string()).unwrap_or_default(),
                opt(r.trend.map(|t| t.p)),
                r.trend.map(|t| t.marker.to_string()).unwrap_or_default(),
                opt(r.funnel.map(|f| f.0.low)),
                opt(r.funnel.map(|f| f.0.high)),
                opt(r.funnel.map(|f| f.1.low)),
                opt(r.funnel.map(|f| f.1.high)),
                r.point.status.to_string(),
                r.note.clone(),
                d.map(|d| d.n.to_string()).unwrap_or_default(),
                r.first_period.unwrap_or("").to_string(),
                number(r.level),
            ];
            for (c, v) in cells.iter_mut().zip(row) {
                c.push(v);
            }
        }
        let names = COLUMNS.iter().chain(&DETAILS[5..]);
        let columns: Vec<Column> = names.zip(cells).map(|(n, c)| Column::new((*n).into(), c)).collect();
        Ok(Comparison { frame: DataFrame::new(order.len(), columns)? })
    }

    /// The rows: every column of `comparison.csv` and of the details, as text.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// Writes `comparison.csv`, `comparison.parquet` and `comparison_details.csv` into `dir`.
    pub fn write(&self, dir: &Path) -> PolarsResult<()> {
        let mut main = self.frame.select(COLUMNS)?;
        write_csv(&dir.join("comparison.csv"), &main)?;
        let file = std::fs::File::create(dir.join("comparison.parquet"))
            .map_err(|e| PolarsError::IO { error: std::sync::Arc::new(e), msg: None })?;
        ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None)).finish(&mut main)?;
        write_csv(&dir.join("comparison_details.csv"), &self.frame.select(DETAILS)?)
    }
}

fn write_csv(path: &Path, frame: &DataFrame) -> PolarsResult<()> {
    let io = |e: std::io::Error| PolarsError::IO { error: std::sync::Arc::new(e), msg: None };
    let mut w = csv::Writer::from_path(path).map_err(|e| io(e.into()))?;
    let names: Vec<&str> = frame.get_column_names().iter().map(|s| s.as_str()).collect();
    w.write_record(&names).map_err(|e| io(e.into()))?;
    let columns: Vec<&StringChunked> = frame.columns().iter().map(|c| c.str()).collect::<PolarsResult<_>>()?;
    for i in 0..frame.height() {
        w.write_record(columns.iter().map(|c| c.get(i).unwrap_or(""))).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)
}
