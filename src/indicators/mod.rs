//! Indicators: observations → per-sex values with intervals, gender gaps, and disclosure
//! control (DESIGN §4–§6, STATISTICS.md).
//!
//! - [`definition`] and [`catalogue`]: what an indicator is, and the checked `queries/` folder.
//! - [`frame`]: one polars plan lines up each indicator's inputs, one wide row per
//!   indicator × organisation × period × age group × sex, with the cell ids they come from.
//! - [`compute`]: values, intervals and gaps, a parallel pass over the wide rows.
//! - [`crate::disclosure`]: cells hidden, propagated and audited; every row resting on a hidden
//!   cell is suppressed here, its numbers removed before the table is built — a suppressed
//!   number never reaches [`IndicatorValues`] or [`Gaps`], so no later stage can leak it.
//! - [`tables`]: the typed output tables and the files written from them.

pub mod catalogue;
pub mod compute;
pub mod definition;
pub mod frame;
pub mod tables;

use polars::prelude::*;

pub use catalogue::{Catalogue, CatalogueError};
use compute::{GapRow, RowStatus, Settings, ValueError, ValueRow, WideRow};
pub use definition::{Binding, Indicator, Kind, Polarity, Population};
use frame::{Conflict, Slot};
pub use tables::{Gaps, IndicatorValues};

use crate::disclosure::{self, DisclosureError, Links, Protection, Triple};
use crate::model::{Observations, Sex};
use crate::round::Round;

/// Why indicators could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("{} observation(s) feed the same indicator cell twice", .0.len())]
    Conflicts(Vec<Conflict>),
    #[error("{} problem(s) in the values indicators read", .0.len())]
    Values(Vec<ValueError>),
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// Settings of an indicator run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Two-sided confidence level (default 0.95).
    pub level: f64,
    /// The round's disclosure threshold (an indicator's own `min_count` overrides it).
    pub min_count: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options { level: 0.95, min_count: 5 }
    }
}

/// The indicator stage's result.
#[derive(Clone, Debug)]
pub struct Computed {
    pub values: IndicatorValues,
    pub gaps: Gaps,
    /// Disclosure control's flags and final audit, over the cells in [`Computed::links`].
    pub protection: Protection,
    pub links: Links,
}

/// Computes every indicator of `catalogue` for the round.
pub fn compute(
    obs: &Observations,
    round: &Round,
    catalogue: &Catalogue,
    options: Options,
) -> Result<Computed, IndicatorError> {
    let indicators = &catalogue.indicators;
    let mut wide = match frame::wide(obs, indicators, round.periods.as_ref())? {
        Ok(wide) => wide,
        Err(conflicts) => return Err(IndicatorError::Conflicts(conflicts)),
    };
    wide.rechunk_mut();
    let cols = Columns::new(&wide)?;
    let row = |i: usize| cols.row(i);
    let bounds = groups(&cols);
    let settings = Settings { level: options.level };
    let (mut values, mut gaps, errors) = compute::all(indicators, &bounds, &row, settings);
    if !errors.is_empty() {
        return Err(IndicatorError::Values(errors));
    }
    let (links, dense) = links(indicators, &bounds, &row, obs.len(), options.min_count);
    let protection = disclosure::protect(&links)?;
    let hidden = |cells: &[u32]| cells.iter().any(|&c| protection.hidden(dense[c as usize] as usize));
    for v in &mut values {
        if hidden(&v.cells) {
            suppress_value(v);
        }
    }
    for g in &mut gaps {
        if hidden(&g.cells) {
            suppress_gap(g);
        }
    }
    fill_names(&mut values, &mut gaps);
    values.sort_by(|a, b| {
        (a.indicator, a.org, a.period, a.age, a.sex).cmp(&(b.indicator, b.org, b.period, b.age, b.sex))
    });
    gaps.sort_by(|a, b| (a.indicator, a.org, a.period, a.age).cmp(&(b.indicator, b.org, b.period, b.age)));
    let values = IndicatorValues::build(&values, indicators, round)?;
    let gaps = Gaps::build(&gaps, indicators, round)?;
    Ok(Computed { values, gaps, protection, links })
}

/// Organisation names from whichever input had them (record extracts carry codes only).
fn fill_names<'a>(values: &mut [ValueRow<'a>], gaps: &mut [GapRow<'a>]) {
    if values.iter().all(|v| v.org_name.is_some()) && gaps.iter().all(|g| g.org_name.is_some()) {
        return;
    }
    let mut names: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for v in values.iter() {
        if let Some(n) = v.org_name {
            names.entry(v.org).or_insert(n);
        }
    }
    for v in values.iter_mut().filter(|v| v.org_name.is_none()) {
        v.org_name = names.get(v.org).copied();
    }
    for g in gaps.iter_mut().filter(|g| g.org_name.is_none()) {
        g.org_name = names.get(g.org).copied();
    }
}

/// Removes every number of a suppressed row (value, interval, numerator, denominator, and the
/// counts a later stage could use).
fn suppress_value(v: &mut ValueRow) {
    v.status = RowStatus::Suppressed;
    v.numerator = None;
    v.denominator = None;
    v.value = None;
    v.ci = None;
    v.note = None;
    v.counts = None;
    v.spread = None;
    v.share_of = None;
    v.base_share = None;
    v.base_counts = None;
}

fn suppress_gap(g: &mut GapRow) {
    *g = GapRow {
        status: RowStatus::Suppressed,
        women: None,
        men: None,
        diff: None,
        diff_ci: None,
        ratio: None,
        ratio_ci: None,
        women_share: None,
        women_share_ci: None,
        base_share: None,
        significant: None,
        favours: "none",
        cells: std::mem::take(&mut g.cells),
        org: g.org,
        org_name: g.org_name,
        period: g.period,
        age: g.age,
        indicator: g.indicator,
    };
}

/// The cells the rows read, as disclosure links: thresholds for counts, K/M/T triples per
/// slot, magnitudes resting on counts, numerators within denominators. Returns the links and
/// the map from observation row to link cell.
fn links<'a>(
    indicators: &[Indicator],
    bounds: &[(usize, usize)],
    row: &dyn Fn(usize) -> WideRow<'a>,
    observations: usize,
    min_count: u32,
) -> (Links, Vec<u32>) {
    let mut dense = vec![u32::MAX; observations];
    let mut links = Links::default();
    let add = |links: &mut Links, dense: &mut [u32], slot: &compute::In<'_>, k: u32| -> Option<usize> {
        let c = slot.cell? as usize;
        let count = slot.unit == Some("count");
        let threshold = if count { k } else { 0 };
        if dense[c] == u32::MAX {
            dense[c] = links.cell(slot.value, threshold, threshold) as u32;
        } else {
            let d = dense[c] as usize;
            links.k[d] = links.k[d].max(threshold);
            links.width[d] = links.width[d].max(threshold);
        }
        Some(dense[c] as usize)
    };
    let mut triples = Vec::new();
    // The additive cells of one indicator × organisation × period, over its age groups:
    // (slot, sex, age, cell), for the relation between the all-ages total and the bands.
    let mut ages: Vec<(Slot, Sex, &'a str, usize)> = Vec::new();
    let mut run: Option<(u32, &'a str, &'a str)> = None;
    // Units repeat from cell to cell: parse each run once.
    let mut last_unit: Option<(&'a str, bool)> = None;
    let mut group: Vec<WideRow<'a>> = Vec::with_capacity(3);
    for &(a, b) in bounds {
        group.clear();
        group.extend((a..b).map(row));
        let key = (group[0].indicator, group[0].org, group[0].period);
        if run != Some(key) {
            age_sums(&mut links, &mut ages);
            run = Some(key);
        }
        let ind = &indicators[group[0].indicator as usize];
        let k = ind.min_count.unwrap_or(min_count);
        for slot in Slot::ALL {
            let mut triple = Triple { k: None, m: None, t: None, additive: false };
            for r in &group {
                let s = slot_of(r, slot);
                let Some(c) = add(&mut links, &mut dense, s, k) else { continue };
                triple.additive = s.unit.is_some_and(|u| match last_unit {
                    Some((l, a)) if l == u => a,
                    _ => {
                        let a = compute::additive(u);
                        last_unit = Some((u, a));
                        a
                    }
                });
                if triple.additive {
                    ages.push((slot, r.sex, r.age, c));
                }
                match r.sex {
                    Sex::K => triple.k = Some(c),
                    Sex::M => triple.m = Some(c),
                    Sex::T => triple.t = Some(c),
                }
            }
            if [triple.k, triple.m, triple.t].iter().flatten().count() > 1 {
                triples.push(triple);
            }
        }
        for r in &group {
            let cell = |s: &compute::In<'_>| s.cell.map(|c| dense[c as usize] as usize);
            match ind.kind {
                Kind::Mean => {
                    if let Some(d) = cell(&r.den) {
                        links.rests_on.extend(cell(&r.num).map(|n| (n, d)));
                        links.rests_on.extend(cell(&r.ssq).map(|n| (n, d)));
                    }
                }
                Kind::Share => {
                    if let (Some(n), Some(b)) = (cell(&r.num), cell(&r.base)) {
                        links.rests_on.push((n, b));
                    }
                }
                Kind::Proportion | Kind::Value => {
                    if let (Some(x), Some(n)) = (cell(&r.num), cell(&r.den)) {
                        links.within.push((x, n, k));
                    }
                }
                Kind::Rate => {}
            }
        }
    }
    age_sums(&mut links, &mut ages);
    links.sums.sort_by(|a, b| (a.total, &a.parts).cmp(&(b.total, &b.parts)));
    links.sums.dedup();
    triples.sort_by_key(|t| (t.k, t.m, t.t));
    triples.dedup_by_key(|t| (t.k, t.m, t.t));
    links.triples = triples;
    links.rests_on.sort_unstable();
    links.rests_on.dedup();
    links.within.sort_unstable();
    links.within.dedup();
    (links, dense)
}

/// The all-ages relations of one indicator × organisation × period (then empties `ages`):
/// per slot and sex, the `all` cell and its disjoint age bands (total = Σ bands when the bands
/// cover every age, Σ bands ≤ total otherwise). Without both, or with overlapping bands, there
/// is no relation an attacker could use.
fn age_sums(links: &mut Links, ages: &mut Vec<(Slot, Sex, &str, usize)>) {
    if ages.iter().all(|a| a.2 == "all") {
        ages.clear();
        return;
    }
    ages.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    for same in ages.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let Some(total) = same.iter().find(|a| a.2 == "all").map(|a| a.3) else { continue };
        let bands: Vec<&(Slot, Sex, &str, usize)> = same.iter().filter(|a| a.2 != "all").collect();
        let names: Vec<&str> = bands.iter().map(|a| a.2).collect();
        if let (false, Some(exact)) = (bands.is_empty(), crate::model::bands_partition(&names)) {
            let parts = bands.iter().map(|a| a.3).collect();
            links.sums.push(disclosure::Sum { total, parts, exact });
        }
    }
    ages.clear();
}

fn slot_of<'a, 'b>(r: &'b WideRow<'a>, slot: Slot) -> &'b compute::In<'a> {
    match slot {
        Slot::Numerator => &r.num,
        Slot::Denominator => &r.den,
        Slot::Base => &r.base,
        Slot::SumOfSquares => &r.ssq,
        Slot::Value => &r.val,
    }
}

/// The groups of the wide frame: runs of rows with the same indicator, organisation, period
/// and age group (K, M, T side by side), as `(start, end)`.
fn groups(c: &Columns<'_>) -> Vec<(usize, usize)> {
    let n = c.indicator.len();
    let mut bounds = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        let same = i < n
            && c.indicator.get(i) == c.indicator.get(i - 1)
            && c.org.get(i) == c.org.get(i - 1)
            && c.period.get(i) == c.period.get(i - 1)
            && c.age.get(i) == c.age.get(i - 1);
        if !same {
            bounds.push((start, i));
            start = i;
        }
    }
    bounds
}

/// Typed access to the collected wide frame (one chunk, so `get` is O(1)).
struct Columns<'a> {
    indicator: &'a UInt32Chunked,
    org: &'a StringChunked,
    org_name: &'a StringChunked,
    period: &'a StringChunked,
    age: &'a StringChunked,
    sex: &'a StringChunked,
    slots: Vec<(&'a Float64Chunked, &'a StringChunked, &'a StringChunked, &'a UInt32Chunked)>,
}

impl<'a> Columns<'a> {
    fn new(f: &'a DataFrame) -> PolarsResult<Columns<'a>> {
        let s = |n: &str| -> PolarsResult<&'a StringChunked> { f.column(n)?.str() };
        let u = |n: &str| -> PolarsResult<&'a UInt32Chunked> { f.column(n)?.u32() };
        let mut slots = Vec::new();
        for slot in Slot::ALL {
            let p = slot.name();
            slots.push((
                f.column(p)?.f64()?,
                s(&format!("{p}_status"))?,
                s(&format!("{p}_unit"))?,
                u(&format!("{p}_cell"))?,
            ));
        }
        Ok(Columns {
            indicator: u("indicator")?,
            org: s("org_id")?,
            org_name: s("org_name")?,
            period: s("period")?,
            age: s("age_group")?,
            sex: s("sex")?,
            slots,
        })
    }

    fn row(&self, i: usize) -> WideRow<'a> {
        let slot = |n: usize| {
            let (v, st, u, c) = self.slots[n];
            compute::In { value: v.get(i), status: st.get(i), unit: u.get(i), cell: c.get(i) }
        };
        WideRow {
            indicator: self.indicator.get(i).unwrap_or_default(),
            org: self.org.get(i).unwrap_or_default(),
            org_name: self.org_name.get(i),
            period: self.period.get(i).unwrap_or_default(),
            age: self.age.get(i).unwrap_or_default(),
            sex: self.sex.get(i).and_then(Sex::from_word).unwrap_or(Sex::T),
            num: slot(0),
            den: slot(1),
            base: slot(2),
            ssq: slot(3),
            val: slot(4),
        }
    }
}
