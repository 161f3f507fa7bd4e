//! From observations to one wide row per indicator × organisation × period × age group × sex,
//! in one polars plan: a small binding table says which variable (and stored sex) feeds which
//! slot of which indicator; one join picks those observations, and one full join per slot
//! lines the slots up side by side. No loop over organisations, and no pivot (polars' pivot fills
//! absent cells with 0, and a missing value must stay missing).
//!
//! Every slot keeps its cell id (the observation's row number), so disclosure control can flag
//! the underlying cells once and every indicator that reads a cell sees the same flag.

use polars::prelude::*;

use super::definition::{Binding, Indicator};
use crate::model::{Observations, Period, Sex};

/// The variable slots of an indicator, in column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Numerator,
    Denominator,
    Base,
    SumOfSquares,
    Value,
}

impl Slot {
    pub const ALL: [Slot; 5] = [Slot::Numerator, Slot::Denominator, Slot::Base, Slot::SumOfSquares, Slot::Value];

    /// The column prefix in the wide frame.
    pub fn name(self) -> &'static str {
        match self {
            Slot::Numerator => "num",
            Slot::Denominator => "den",
            Slot::Base => "base",
            Slot::SumOfSquares => "ssq",
            Slot::Value => "val",
        }
    }

    pub fn binding(self, ind: &Indicator) -> Option<&Binding> {
        match self {
            Slot::Numerator => ind.numerator.as_ref(),
            Slot::Denominator => ind.denominator.as_ref(),
            Slot::Base => ind.base.as_ref(),
            Slot::SumOfSquares => ind.sum_of_squares.as_ref(),
            Slot::Value => ind.value.as_ref(),
        }
    }
}

/// The key columns of the wide frame, in sort order.
pub const KEYS: [&str; 5] = ["indicator", "org_id", "period", "age_group", "sex"];

/// Two observations feed the same slot of the same indicator row.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub indicator: String,
    pub variable: String,
    pub org_id: String,
    pub period: String,
    pub age_group: String,
    pub sex: String,
    /// `source:row` of each observation.
    pub sources: Vec<String>,
}

/// The binding table: which observations feed which slot (`priority` 0 wins over 1 when a
/// one-variable-per-sex binding finds the variable stored both under its own sex and as T).
fn bindings(indicators: &[Indicator]) -> PolarsResult<DataFrame> {
    let (mut variable, mut data_sex, mut indicator, mut slot, mut sex, mut priority, mut banded) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, ind) in indicators.iter().enumerate() {
        let limited = !bands_of(ind).is_empty();
        for s in Slot::ALL {
            let Some(b) = s.binding(ind) else { continue };
            for out in Sex::ALL {
                let Some((var, stored)) = b.variable(out) else { continue };
                let stored: Vec<(Sex, u32)> = match stored {
                    Some(st) => vec![(st, 0)],
                    None if out == Sex::T => vec![(Sex::T, 0)],
                    None => vec![(out, 0), (Sex::T, 1)],
                };
                for (st, p) in stored {
                    variable.push(var.to_string());
                    data_sex.push(st.code());
                    indicator.push(i as u32);
                    slot.push(s as u32);
                    sex.push(out.code());
                    priority.push(p);
                    banded.push(limited);
                }
            }
        }
    }
    df!(
        "variable" => variable,
        "data_sex" => data_sex,
        "indicator" => indicator,
        "slot" => slot,
        "sex" => sex,
        "priority" => priority,
        "banded" => banded,
    )
}

/// Age groups an indicator is limited to (its `age_bands`, or its standard population's).
fn allowed_ages(indicators: &[Indicator]) -> PolarsResult<DataFrame> {
    let (mut indicator, mut age) = (Vec::new(), Vec::new());
    for (i, ind) in indicators.iter().enumerate() {
        for band in bands_of(ind) {
            indicator.push(i as u32);
            age.push(band);
        }
    }
    let ok = vec![true; indicator.len()];
    df!("indicator" => indicator, "age_group" => age, "age_ok" => ok)
}

/// The age groups an indicator reports, empty for all.
pub fn bands_of(ind: &Indicator) -> Vec<String> {
    match &ind.standard {
        Some(std) => std.bands.iter().map(|(b, _)| b.clone()).collect(),
        None => ind.age_bands.clone(),
    }
}

/// The observations feeding each indicator slot, one row per (indicator, slot, key), with
/// `cell` = the observation's row. Fails with every conflict when two observations feed one slot.
pub fn inputs(
    obs: &Observations,
    indicators: &[Indicator],
    periods: Option<&(Period, Period)>,
) -> PolarsResult<Result<LazyFrame, Vec<Conflict>>> {
    let mut lf = obs
        .lazy()
        .with_row_index("cell", None)
        .with_column(col("sex").cast(DataType::String).alias("data_sex"))
        .drop(cols(["sex"]));
    if let Some((from, to)) = periods {
        let chosen = in_range(obs, from, to)?;
        lf = lf.join(chosen.lazy(), [col("period")], [col("period")], JoinArgs::new(JoinType::Inner));
    }
    let joined = lf
        .join(
            bindings(indicators)?.lazy(),
            [col("variable"), col("data_sex")],
            [col("variable"), col("data_sex")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            allowed_ages(indicators)?.lazy(),
            [col("indicator"), col("age_group")],
            [col("indicator"), col("age_group")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("age_ok").is_not_null().or(col("banded").not()))
        .drop(cols(["age_ok", "banded"]));
    let key: Vec<Expr> = ["indicator", "slot", "org_id", "period", "age_group", "sex", "priority"].map(col).to_vec();
    let dups = joined
        .clone()
        .group_by(key.clone())
        .agg([len().alias("n"), col("source").alias("sources"), col("row").alias("rows"), col("variable").first()])
        .filter(col("n").gt(lit(1u32)))
        .sort(
            ["variable", "org_id", "period", "age_group", "sex", "indicator", "slot"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .limit(100)
        .collect()?;
    if dups.height() > 0 {
        return Ok(Err(conflicts(&dups, indicators)?));
    }
    // A per-sex variable stored both under its own sex and as T: the own sex wins.
    let inputs = joined
        .sort(["indicator", "slot", "org_id", "period", "age_group", "sex", "priority"], SortMultipleOptions::default())
        .unique_stable_generic(
            Some(["indicator", "slot", "org_id", "period", "age_group", "sex"].map(col).to_vec()),
            UniqueKeepStrategy::First,
        );
    Ok(Ok(inputs))
}

fn conflicts(dups: &DataFrame, indicators: &[Indicator]) -> PolarsResult<Vec<Conflict>> {
    let s = |n: &str| dups.column(n).and_then(|c| c.str().cloned());
    let (org, period, age, sex, var) = (s("org_id")?, s("period")?, s("age_group")?, s("sex")?, s("variable")?);
    let ind = dups.column("indicator")?.u32()?.clone();
    let sources = dups.column("sources")?.list()?.clone();
    let rows = dups.column("rows")?.list()?.clone();
    let mut out = Vec::new();
    for i in 0..dups.height() {
        let src = sources.get_as_series(i).unwrap_or_default();
        let row = rows.get_as_series(i).unwrap_or_default();
        let (src, row) = (src.str()?.clone(), row.u32()?.clone());
        out.push(Conflict {
            indicator: indicators[ind.get(i).unwrap_or(0) as usize].id.clone(),
            variable: var.get(i).unwrap_or_default().into(),
            org_id: org.get(i).unwrap_or_default().into(),
            period: period.get(i).unwrap_or_default().into(),
            age_group: age.get(i).unwrap_or_default().into(),
            sex: sex.get(i).unwrap_or_default().into(),
            sources: {
                let mut v: Vec<(String, u32)> = src
                    .iter()
                    .zip(row.iter())
                    .map(|(s, r)| (s.unwrap_or_default().to_string(), r.unwrap_or_default()))
                    .collect();
                v.sort();
                v.into_iter().map(|(s, r)| format!("{s}:{r}")).collect()
            },
        });
    }
    // One message per doubled observation, however many indicators read it.
    out.dedup_by(|a, b| {
        (&a.variable, &a.org_id, &a.period, &a.age_group, &a.sex)
            == (&b.variable, &b.org_id, &b.period, &b.age_group, &b.sex)
    });
    out.truncate(20);
    Ok(out)
}

/// The periods of the data in `from ..= to`. Periods of another frequency than the range
/// (monthly data in a yearly round) are kept when their year is in range.
fn in_range(obs: &Observations, from: &Period, to: &Period) -> PolarsResult<DataFrame> {
    let all = obs.frame().column("period")?.unique_stable()?;
    let (fy, ty) = (from.to_string()[..4].to_string(), to.to_string()[..4].to_string());
    let keep: Vec<&str> = all
        .str()?
        .iter()
        .flatten()
        .filter(|p| match p.parse::<Period>() {
            Ok(p) if p.frequency() == from.frequency() => from <= &p && &p <= to,
            _ => p.get(..4).is_some_and(|y| fy.as_str() <= y && y <= ty.as_str()),
        })
        .collect();
    df!("period" => keep)
}

/// The wide frame: one row per key, with `{slot}`, `{slot}_status`, `{slot}_unit` and
/// `{slot}_cell` columns (null where the slot has no observation), `org_name`, sorted by
/// [`KEYS`]; only keys where the numerator or value is observed.
pub fn wide(inputs: LazyFrame) -> LazyFrame {
    let keys: Vec<Expr> = KEYS.map(col).to_vec();
    let mut frame: Option<LazyFrame> = None;
    for s in Slot::ALL {
        let p = s.name();
        let part = inputs.clone().filter(col("slot").eq(lit(s as u32))).select([
            col("indicator"),
            col("org_id"),
            col("period"),
            col("age_group"),
            col("sex"),
            col("org_name").alias(format!("{p}_org_name")),
            col("value").alias(p),
            col("status").cast(DataType::String).alias(format!("{p}_status")),
            col("unit").alias(format!("{p}_unit")),
            col("cell").alias(format!("{p}_cell")),
        ]);
        frame = Some(match frame {
            None => part,
            Some(f) => f.join(
                part,
                keys.clone(),
                keys.clone(),
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            ),
        });
    }
    let names: Vec<Expr> = Slot::ALL.iter().map(|s| col(format!("{}_org_name", s.name()))).collect();
    // A row exists where the indicator's own quantity does (its numerator, resource or value):
    // a denominator shared with another indicator does not make rows of this one.
    frame
        .expect("five slots")
        .filter(col("num_cell").is_not_null().or(col("val_cell").is_not_null()))
        .with_column(coalesce(&names).alias("org_name"))
        .drop(cols(Slot::ALL.map(|s| format!("{}_org_name", s.name()))))
        .sort(KEYS, SortMultipleOptions::default())
}
