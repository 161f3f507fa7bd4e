//! Indicators: observations → per-sex values with intervals, gender gaps, and disclosure
//! control (DESIGN §4–§6, STATISTICS.md).
//!
//! - [`definition`] and [`catalogue`]: what an indicator is, and the checked `queries/` folder.
//! - [`frame`]: one sort lines up each indicator's inputs, one wide row per indicator ×
//!   organisation × period × age group × sex, holding the cell ids (observation rows) it reads.
//! - [`compute`]: values, intervals and gaps, a parallel pass over the wide rows, each row
//!   going straight into the columns of [`columns`].
//! - [`crate::disclosure`]: cells hidden, propagated and audited; every row resting on a hidden
//!   cell is suppressed here, its numbers removed before the table is built — a suppressed
//!   number never reaches [`IndicatorValues`] or [`Gaps`], so no later stage can leak it.
//! - [`tables`]: the typed output tables and the files written from them.

pub mod catalogue;
mod columns;
pub mod compute;
pub mod definition;
pub mod frame;
pub mod tables;

use polars::prelude::*;
use rayon::prelude::*;

pub use catalogue::{Catalogue, CatalogueError};
use compute::{Settings, ValueError};
pub use definition::{Binding, Indicator, Kind, Polarity, Population};
use frame::{Conflict, LinkRow, Rows, Slot, UnitKind};
pub use tables::{Gaps, IndicatorValues};

use crate::disclosure::{self, DisclosureError, Links, Protection, Triple, Within};
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
    /// Disclosure control's flags and final audit, over the link cells of
    /// [`disclosure_links`].
    pub protection: Protection,
}

/// Computes every indicator of `catalogue` for the round.
pub fn compute(
    obs: &Observations,
    round: &Round,
    catalogue: &Catalogue,
    options: Options,
) -> Result<Computed, IndicatorError> {
    let indicators = &catalogue.indicators;
    let clock = crate::timings::Stopwatch::start();
    let wide = wide(obs, catalogue, round)?;
    clock.lap("indicators: wide rows");
    let (computed, (links, dense)) = {
        let rows = wide.rows();
        let row = |i: usize| rows.row(i);
        let bounds = wide.groups();
        let settings = Settings { level: options.level };
        // The values and the disclosure links read the same rows; the links are one
        // sequential pass, so they are built beside the parallel computation of the values.
        rayon::join(
            || compute::all(indicators, bounds, row, settings),
            || links(indicators, bounds, &rows, obs.len(), options.min_count),
        )
    };
    let compute::Computed { parts, errors, sorted } = computed;
    if !errors.is_empty() {
        return Err(IndicatorError::Values(errors));
    }
    // Every number is computed: of the wide rows only their keys are needed from here on.
    let keys = wide.into_keys();
    clock.lap("indicators: values, gaps and disclosure links");
    let protection = disclosure::protect(&links)?;
    drop(links);
    clock.lap("indicators: disclosure control and audit");
    let hidden = |cells: &[u32]| cells.iter().any(|&c| protection.hidden(dense[c as usize] as usize));
    // Each part becomes a chunk of the tables, suppressed and built on its own thread.
    let (tables, notes): (Vec<_>, Vec<_>) = parts
        .into_par_iter()
        .map(|mut part| {
            part.values.suppress(hidden);
            part.gaps.suppress(hidden);
            let notes = part.values.notes().to_vec();
            let tables = (part.values.frame(&keys, indicators, round)?, part.gaps.frame(&keys, indicators, round)?);
            Ok((tables, notes))
        })
        .collect::<PolarsResult<Vec<_>>>()?
        .into_iter()
        .unzip();
    let (mut values, mut gaps) = (stack(tables.iter().map(|t| &t.0))?, stack(tables.iter().map(|t| &t.1))?);
    // The notes, at their positions in the stacked table.
    let mut at = 0;
    let mut all = Vec::new();
    for (t, n) in tables.iter().zip(&notes) {
        all.extend(n.iter().map(|(p, text)| (at + *p as usize, text.as_str())));
        at += t.0.height();
    }
    values.with_column(columns::notes(values.height(), &all))?;
    drop(tables);
    if !sorted {
        values = columns::sort(values, indicators, true)?;
        gaps = columns::sort(gaps, indicators, false)?;
    }
    fill_names(&mut values, &mut gaps)?;
    clock.lap("indicators: suppressed and tabled");
    Ok(Computed { values: IndicatorValues::new(values), gaps: Gaps::new(gaps), protection })
}

/// The disclosure links [`compute`] audits (for benchmarks and tools that study the audit
/// alone).
pub fn disclosure_links(
    obs: &Observations,
    round: &Round,
    catalogue: &Catalogue,
    options: Options,
) -> Result<Links, IndicatorError> {
    let wide = wide(obs, catalogue, round)?;
    Ok(links(&catalogue.indicators, wide.groups(), &wide.rows(), obs.len(), options.min_count).0)
}

fn wide(obs: &Observations, catalogue: &Catalogue, round: &Round) -> Result<frame::Wide, IndicatorError> {
    match frame::wide(obs, &catalogue.indicators, round.periods.as_ref())? {
        Ok(wide) => Ok(wide),
        Err(conflicts) => Err(IndicatorError::Conflicts(conflicts)),
    }
}

/// The frames one under the other (their chunks kept, not copied).
fn stack<'f>(mut frames: impl Iterator<Item = &'f DataFrame>) -> PolarsResult<DataFrame> {
    let mut out = frames.next().cloned().unwrap_or_default();
    for f in frames {
        out.vstack_mut(f)?;
    }
    Ok(out)
}

/// Organisation names from whichever row had them (record extracts carry codes only): a
/// row without a name takes the first name its organisation has in the values.
fn fill_names(values: &mut DataFrame, gaps: &mut DataFrame) -> PolarsResult<()> {
    let nameless = |f: &DataFrame| f.column("org_name").map(|c| c.null_count() > 0);
    if !nameless(values)? && !nameless(gaps)? {
        return Ok(());
    }
    let mut names: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let (org, name) = (values.column("org_id")?.str()?, values.column("org_name")?.str()?);
    for (o, n) in org.iter().zip(name.iter()) {
        if let (Some(o), Some(n)) = (o, n) {
            names.entry(o.to_string()).or_insert_with(|| n.to_string());
        }
    }
    for frame in [values, gaps] {
        let (org, name) = (frame.column("org_id")?.str()?, frame.column("org_name")?.str()?);
        let filled: StringChunked = org
            .iter()
            .zip(name.iter())
            .map(|(o, n)| n.or_else(|| o.and_then(|o| names.get(o)).map(String::as_str)))
            .collect();
        frame.with_column(filled.with_name("org_name".into()).into_column())?;
    }
    Ok(())
}

/// The cells the rows read, as disclosure links: thresholds for counts, K/M/T triples per
/// slot, magnitudes resting on counts, numerators within denominators. Returns the links and
/// the map from observation row to link cell.
fn links<'a>(
    indicators: &[Indicator],
    bounds: &[(usize, usize)],
    rows: &Rows<'a>,
    observations: usize,
    min_count: u32,
) -> (Links, Vec<u32>) {
    let mut dense = vec![u32::MAX; observations];
    let mut links = Links::default();
    // Room reserved at once (at most one cell per observation, a `within` pair per wide row,
    // a triple per group and slot): growing by doubling copies into fresh pages at each step.
    let wide_rows = bounds.last().map_or(0, |b| b.1);
    links.values.reserve(observations);
    links.k.reserve(observations);
    links.width.reserve(observations);
    links.within.reserve(wide_rows);
    // The link cell of observation `c`, made on first sight; a count's threshold is the
    // largest among the indicators reading it. Returns the cell and whether it adds up.
    let mut add = |links: &mut Links, c: u32, k: u32| -> (usize, bool) {
        let UnitKind { count, additive } = rows.kind(c);
        let threshold = if count { k } else { 0 };
        let c = c as usize;
        if dense[c] == u32::MAX {
            dense[c] = links.cell(rows.value(c as u32), threshold, threshold) as u32;
        } else {
            let d = dense[c] as usize;
            links.k[d] = links.k[d].max(threshold);
            links.width[d] = links.width[d].max(threshold);
        }
        (dense[c] as usize, additive)
    };
    let mut triples = Vec::with_capacity(2 * bounds.len());
    // The additive cells of one indicator × organisation × period, over its age groups:
    // (slot, sex, age, cell), for the relation between the all-ages total and the bands.
    let mut ages: Vec<(Slot, Sex, &'a str, usize)> = Vec::new();
    let mut run: Option<(u32, u32, u32)> = None;
    let mut group: Vec<LinkRow> = Vec::with_capacity(3);
    let mut cells: Vec<[Option<usize>; 5]> = Vec::with_capacity(3);
    for &(a, b) in bounds {
        group.clear();
        group.extend((a..b).map(|i| rows.link_row(i)));
        let first = group[0];
        let key = (first.indicator, first.place[0], first.place[1]);
        if run != Some(key) {
            age_sums(&mut links, &mut ages);
            run = Some(key);
        }
        let ind = &indicators[first.indicator as usize];
        let k = ind.min_count.unwrap_or(min_count);
        cells.clear();
        cells.resize(group.len(), [None; 5]);
        for slot in Slot::ALL {
            let (mut sexes, mut additive) = ([None; 3], false);
            for (r, at) in group.iter().zip(cells.iter_mut()) {
                let Some(c) = r.cell(slot) else { continue };
                let (d, adds) = add(&mut links, c, k);
                additive = adds;
                if additive {
                    ages.push((slot, r.sex, rows.age(r.place[2]), d));
                }
                sexes[r.sex as usize] = Some(d);
                at[slot as usize] = Some(d);
            }
            if sexes.iter().flatten().count() > 1 {
                triples.push(Triple::new(sexes[0], sexes[1], sexes[2], additive));
            }
        }
        for at in &cells {
            let cell = |slot: Slot| at[slot as usize];
            match ind.kind {
                Kind::Mean => {
                    if let Some(d) = cell(Slot::Denominator) {
                        links.rests_on.extend(cell(Slot::Numerator).map(|n| (n, d)));
                        links.rests_on.extend(cell(Slot::SumOfSquares).map(|n| (n, d)));
                    }
                }
                Kind::Share => {
                    if let (Some(n), Some(b)) = (cell(Slot::Numerator), cell(Slot::Base)) {
                        links.rests_on.push((n, b));
                    }
                }
                Kind::Proportion | Kind::Value => {
                    if let (Some(x), Some(n)) = (cell(Slot::Numerator), cell(Slot::Denominator)) {
                        links.within.push(Within::new(x, n, k));
                    }
                }
                Kind::Rate => {}
            }
        }
    }
    age_sums(&mut links, &mut ages);
    links.sums.sort_by(|a, b| (a.total, &a.parts).cmp(&(b.total, &b.parts)));
    links.sums.dedup();
    triples.sort_by_key(|t| (t.k(), t.m(), t.t()));
    triples.dedup_by_key(|t| (t.k(), t.m(), t.t()));
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
