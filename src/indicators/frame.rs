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
    let (mut variable, mut data_sex, mut indicator, mut slot, mut sex, mut sex_ord, mut priority, mut banded) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
                    sex_ord.push(out as u32);
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
        "sex_ord" => sex_ord,
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

/// The wide frame: one row per indicator × organisation × period × age group × sex where the
/// numerator or value is observed (a denominator shared with another indicator does not make
/// rows of this one), sorted by [`KEYS`], with `{slot}`, `{slot}_status`, `{slot}_unit` and
/// `{slot}_cell` columns (null where the slot has no observation) and `org_name`.
///
/// One polars plan picks the observations that feed a slot (a join with the binding table and
/// the allowed age bands) and sorts them by one packed `u64` key: the key columns as dense codes
/// in sort order, then slot and priority. A linear pass over that sorted key then lines the
/// slots up side by side, and every column is gathered from the observations by cell in one
/// `take`. That is a pivot without polars' zero-fill (an absent slot stays null), and the pass
/// sees duplicates for free: two observations feeding one slot are a [`Conflict`], reported
/// with every `source:row`.
pub fn wide(
    obs: &Observations,
    indicators: &[Indicator],
    periods: Option<&(Period, Period)>,
) -> PolarsResult<Result<DataFrame, Vec<Conflict>>> {
    let frame = obs.frame();
    let mut lf = frame
        .clone()
        .lazy()
        .select([col("variable"), col("sex").cast(DataType::String).alias("data_sex"), col("org_id"), col("period"), col("age_group")])
        .with_row_index("cell", None);
    if let Some((from, to)) = periods {
        let chosen = in_range(obs, from, to)?;
        lf = lf.join(chosen.lazy(), [col("period")], [col("period")], JoinArgs::new(JoinType::Inner));
    }
    // Dense codes in sort order, so the packed key sorts like the strings.
    let (orgs, org_code) = codes(frame, "org_id")?;
    let (periods_n, period_code) = codes(frame, "period")?;
    let (ages, age_code) = codes(frame, "age_group")?;
    let radix = [indicators.len().max(1) as u64, orgs, periods_n, ages, 3, 8, 2];
    if radix.iter().try_fold(1u64, |acc, &r| acc.checked_mul(r)).is_none() {
        polars_bail!(ComputeError: "too many distinct keys to pack into one sort key");
    }
    let [_, orgs, periods_n, ages, ..] = radix.map(lit);
    let key = ((((col("indicator").cast(DataType::UInt64) * orgs + col("org_code").cast(DataType::UInt64)) * periods_n
        + col("period_code").cast(DataType::UInt64))
        * ages
        + col("age_code").cast(DataType::UInt64))
        * lit(3u64)
        + col("sex_ord").cast(DataType::UInt64))
        * lit(16u64)
        + col("slot").cast(DataType::UInt64) * lit(2u64)
        + col("priority").cast(DataType::UInt64);
    let inner = || JoinArgs::new(JoinType::Inner);
    let sorted = lf
        .join(bindings(indicators)?.lazy(), [col("variable"), col("data_sex")], [col("variable"), col("data_sex")], inner())
        .join(
            allowed_ages(indicators)?.lazy(),
            [col("indicator"), col("age_group")],
            [col("indicator"), col("age_group")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("age_ok").is_not_null().or(col("banded").not()))
        .join(org_code.lazy(), [col("org_id")], [col("org_id")], inner())
        .join(period_code.lazy(), [col("period")], [col("period")], inner())
        .join(age_code.lazy(), [col("age_group")], [col("age_group")], inner())
        .select([key.alias("key"), col("cell"), col("indicator"), col("sex")])
        .sort(["key"], SortMultipleOptions::default())
        .collect()?;
    let mut sorted = sorted;
    sorted.rechunk_mut();

    let keys = sorted.column("key")?.u64()?;
    let cells = sorted.column("cell")?.idx()?;
    let (keys, cells) = (keys.cont_slice().unwrap_or_default(), cells.cont_slice().unwrap_or_default());
    let (first, slots, doubled) = line_up(keys, cells);
    if !doubled.is_empty() {
        let out_sex = sorted.column("sex")?.str()?;
        let ind = sorted.column("indicator")?.u32()?;
        return Ok(Err(conflicts(frame, indicators, &doubled, |row| {
            (ind.get(row).unwrap_or_default(), out_sex.get(row).unwrap_or_default().to_string(), cells[row] as usize)
        })?));
    }

    let first = IdxCa::from_vec("first".into(), first);
    let mut out = sorted.select(["indicator", "sex"])?.take(&first)?;
    let first_cells = sorted.column("cell")?.take(&first)?;
    for name in ["org_id", "period", "age_group"] {
        let c = frame.column(name)?.take(first_cells.idx()?)?;
        out.with_column(c)?;
    }
    let mut names = Vec::new();
    for (s, cells) in Slot::ALL.into_iter().zip(slots) {
        let p = s.name();
        let cells = IdxCa::from_iter_options(format!("{p}_cell").into(), cells.into_iter());
        let take = |name: &str| frame.column(name).and_then(|c| c.take(&cells));
        out.with_column(take("value")?.with_name(p.into()))?;
        out.with_column(take("status")?.cast(&DataType::String)?.with_name(format!("{p}_status").into()))?;
        out.with_column(take("unit")?.with_name(format!("{p}_unit").into()))?;
        names.push(take("org_name")?.as_materialized_series().clone());
        out.with_column(cells.into_column().cast(&DataType::UInt32)?)?;
    }
    // Record extracts carry codes only: the name comes from whichever slot has one.
    let mut name = names[0].clone();
    for other in &names[1..] {
        name = name.zip_with(&name.is_not_null(), other)?;
    }
    out.with_column(name.with_name("org_name".into()).into_column())?;
    Ok(Ok(out))
}

/// The distinct values of a string column in sort order, and a frame mapping each to its code.
fn codes(frame: &DataFrame, name: &str) -> PolarsResult<(u64, DataFrame)> {
    let unique = frame.column(name)?.str()?.unique()?;
    let mut values: Vec<String> = unique.iter().flatten().map(str::to_string).collect();
    values.sort_unstable();
    let code: Vec<u32> = (0..values.len() as u32).collect();
    let n = values.len().max(1) as u64;
    Ok((n, df!(name => values, format!("{}_code", name.split('_').next().unwrap_or(name)) => code)?))
}

/// The slot columns of [`wide`] from the sorted packed keys: the first sorted row of each wide
/// row, each slot's cell (None where absent), and the sorted rows that feed a slot twice.
///
/// Key layout (low digits last): `… × 16 + slot × 2 + priority`, so one wide row's keys are
/// adjacent, slots in order, and a per-sex variable found under its own sex (priority 0) comes
/// before the same variable stored as T (priority 1), which it then replaces.
#[allow(clippy::type_complexity)]
fn line_up(keys: &[u64], cells: &[IdxSize]) -> (Vec<IdxSize>, [Vec<Option<IdxSize>>; 5], Vec<Vec<usize>>) {
    let mut first = Vec::new();
    let mut slots: [Vec<Option<IdxSize>>; 5] = Default::default();
    let mut doubled: Vec<Vec<usize>> = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let row = keys[start] / 16;
        let mut end = start;
        let mut taken: [Option<(u64, usize)>; 5] = [None; 5]; // (priority, sorted row)
        while end < keys.len() && keys[end] / 16 == row {
            let (slot, priority) = ((keys[end] % 16 / 2) as usize, keys[end] % 2);
            match taken[slot] {
                None => taken[slot] = Some((priority, end)),
                Some((p, at)) if p == priority => {
                    // The same slot twice: gather every row of this slot and priority.
                    let same = |i: usize| keys[i] % 16 == keys[at] % 16;
                    if doubled.last().is_some_and(|rows| rows[0] == at) {
                        doubled.last_mut().expect("checked").push(end);
                    } else if doubled.len() < 10_000 {
                        // Beyond 10 000 the report has enough; more only costs memory.
                        doubled.push((at..=end).filter(|&i| same(i)).collect());
                    }
                }
                Some(_) => {} // stored as T, but the own sex is there
            }
            end += 1;
        }
        if taken[Slot::Numerator as usize].is_some() || taken[Slot::Value as usize].is_some() {
            first.push(start as IdxSize);
            for (column, t) in slots.iter_mut().zip(taken) {
                column.push(t.map(|(_, at)| cells[at]));
            }
        }
        start = end;
    }
    (first, slots, doubled)
}

/// One [`Conflict`] per doubled observation (however many indicators read it), at most 20, in
/// the order of variable, organisation, period, age group and sex. `at(sorted row)` gives the
/// indicator, the sex it feeds and the observation's cell.
fn conflicts(
    frame: &DataFrame,
    indicators: &[Indicator],
    doubled: &[Vec<usize>],
    at: impl Fn(usize) -> (u32, String, usize),
) -> PolarsResult<Vec<Conflict>> {
    let s = |n: &str| frame.column(n).and_then(|c| c.str().cloned());
    let (org, period, age, var, source) = (s("org_id")?, s("period")?, s("age_group")?, s("variable")?, s("source")?);
    let row = frame.column("row")?.u32()?.clone();
    let mut out = Vec::new();
    for rows in doubled {
        let (ind, sex, c0) = at(rows[0]);
        let mut sources: Vec<(String, u32)> = rows
            .iter()
            .map(|&r| {
                let c = at(r).2;
                (source.get(c).unwrap_or_default().to_string(), row.get(c).unwrap_or_default())
            })
            .collect();
        sources.sort();
        out.push(Conflict {
            indicator: indicators[ind as usize].id.clone(),
            variable: var.get(c0).unwrap_or_default().into(),
            org_id: org.get(c0).unwrap_or_default().into(),
            period: period.get(c0).unwrap_or_default().into(),
            age_group: age.get(c0).unwrap_or_default().into(),
            sex,
            sources: sources.into_iter().map(|(s, r)| format!("{s}:{r}")).collect(),
        });
    }
    out.sort_by(|a, b| {
        (&a.variable, &a.org_id, &a.period, &a.age_group, &a.sex, &a.indicator)
            .cmp(&(&b.variable, &b.org_id, &b.period, &b.age_group, &b.sex, &b.indicator))
    });
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

