//! `--scale kolada`: the ≈ 9.4 M-observation set the indicator benchmark runs on, one Parquet
//! file in the observation table's schema (DESIGN §3). Not committed: `cargo bench --bench
//! indicators` writes it to `target/bench-data/` on first use.
//!
//! 312 organisations × 500 variables (250 numerator/denominator count pairs) × 20 years
//! (2005–2024) × K, M and T = K + M: 9 360 000 observations, in Kolada's order (variable,
//! organisation, year, sex). Denominators are spread log-uniformly from 3 to 5 000 per sex (about
//! 7 % below 5) and numerators are binomial within them around a level per pair, a shift per
//! organisation and a sex difference per pair, so that with small numerators and small
//! complements about 11 % of the cells are primary suppressions: disclosure control and its
//! audit have real work.

use std::path::Path;

use polars::prelude::*;

use super::GenerateError;
use super::rng::Rng;
use crate::model::Observations;
use crate::model::observations::{sex_dtype, status_dtype};

pub const ORGS: usize = 312;
pub const PAIRS: usize = 250;
pub const YEARS: usize = 20;
pub const FIRST_YEAR: usize = 2005;
pub const OBSERVATIONS: usize = ORGS * PAIRS * 2 * YEARS * 3;
/// The file name recorded in the `source` column.
pub const FILE: &str = "indicators_9m.parquet";

/// The observation table (checked by [`Observations::new`]).
pub fn observations(seed: u64) -> Result<Observations, GenerateError> {
    let pl = |e: PolarsError| GenerateError::Polars(e.to_string());
    let mut rng = Rng(seed);
    let orgs: Vec<String> = (1..=ORGS).map(|i| format!("X{i:04}")).collect();
    let names: Vec<String> = (1..=ORGS).map(|i| format!("Kommun {i:04}")).collect();
    let years: Vec<String> = (FIRST_YEAR..FIRST_YEAR + YEARS).map(|y| y.to_string()).collect();
    let vars: Vec<[String; 2]> = (1..=PAIRS).map(|i| [format!("p{i:03}_num"), format!("p{i:03}_den")]).collect();
    let level: Vec<f64> = (0..PAIRS).map(|_| 0.05 + 0.9 * rng.unit()).collect();
    let shift: Vec<f64> = (0..ORGS).map(|_| 0.08 * rng.normal()).collect();
    let sex_gap: Vec<f64> = (0..PAIRS).map(|_| 0.15 * (rng.unit() - 0.5)).collect();
    let (lo, hi) = (3f64.ln(), 5000f64.ln());

    let n = OBSERVATIONS;
    let (mut row, mut org, mut name, mut period, mut variable, mut sex, mut value) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut push = |o: usize, y: usize, (i, v): (usize, usize), s: &'static str, x: u64| {
        row.push(row.len() as u32 + 1);
        org.push(orgs[o].as_str());
        name.push(names[o].as_str());
        period.push(years[y].as_str());
        variable.push(vars[i][v].as_str());
        sex.push(s);
        value.push(x as f64);
    };
    for i in 0..PAIRS {
        // Per organisation and year: K and M counts, then T = K + M.
        let mut cells = Vec::with_capacity(ORGS * YEARS);
        for org_shift in &shift {
            for y in 0..YEARS {
                let mut kmt = [(0u64, 0u64); 2];
                for (s, cell) in kmt.iter_mut().enumerate() {
                    let n = (lo + (hi - lo) * rng.unit()).exp().floor() as u64;
                    let drift = 0.002 * (y as f64 - 10.0);
                    let sign = if s == 0 { 0.5 } else { -0.5 };
                    let p = (level[i] + org_shift + sign * sex_gap[i] + drift).clamp(0.01, 0.99);
                    *cell = (rng.binomial(n, p), n);
                }
                cells.push(kmt);
            }
        }
        for pick in [0, 1] {
            for o in 0..ORGS {
                for y in 0..YEARS {
                    let [k, m] = cells[o * YEARS + y];
                    let at = |c: (u64, u64)| if pick == 0 { c.0 } else { c.1 };
                    push(o, y, (i, pick), "K", at(k));
                    push(o, y, (i, pick), "M", at(m));
                    push(o, y, (i, pick), "T", at(k) + at(m));
                }
            }
        }
    }
    let n = row.len();
    let frame = DataFrame::new(
        n,
        vec![
            Column::new_scalar("source".into(), Scalar::from(PlSmallStr::from(FILE)), n),
            Column::new("row".into(), row),
            Column::new("org_id".into(), org),
            Column::new("org_name".into(), name),
            Column::new("period".into(), period),
            Column::new("variable".into(), variable),
            Column::new("sex".into(), sex).cast(&sex_dtype()).map_err(pl)?,
            Column::new_scalar("age_group".into(), Scalar::from(PlSmallStr::from("all")), n),
            Column::new("value".into(), value),
            Column::full_null("status".into(), n, &status_dtype()),
            Column::new_scalar("unit".into(), Scalar::from(PlSmallStr::from("count")), n),
        ],
    )
    .map_err(pl)?;
    Observations::new(frame).map_err(|e| GenerateError::Polars(e.to_string()))
}

/// Writes the set as Parquet to `path` (through a temporary file beside it).
pub fn write(seed: u64, path: &Path) -> Result<usize, GenerateError> {
    let obs = observations(seed)?;
    let mut frame = obs.frame().clone();
    let tmp = path.with_extension("tmp");
    let io = |e| GenerateError::Write { path: path.display().to_string(), source: e };
    let file = std::fs::File::create(&tmp).map_err(io)?;
    ParquetWriter::new(file).finish(&mut frame).map_err(|e| GenerateError::Polars(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(frame.height())
}
