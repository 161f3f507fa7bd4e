//! Per-sex values with intervals, and gender gaps, from the wide frame.
//!
//! The plan in [`super::frame`] lines every slot up; this pass walks its groups (one indicator ×
//! organisation × period × age group, the K, M and T rows side by side) in parallel chunks and
//! applies the methods of STATISTICS.md through [`crate::stats`]: Wilson for proportions, exact
//! Poisson below 10 events and Byar from 10 for rates, Student t for means with record-level
//! spread, Dobson for age-standardised rates; Newcombe, MOVER or Welch for the difference,
//! Koopman or the exact conditional for the ratio, Wilson for women's share of a count.
//! Nothing here is ever derived from T: a K or M value needs the K or M inputs.

use rayon::prelude::*;
use smallvec::SmallVec;

use super::columns::{GapColumns, ValueColumns};
use super::definition::{Indicator, Kind, Polarity};
use crate::model::{Sex, Status, Unit};
use crate::stats::{Interval, NoInterval, difference, mean, poisson, proportion, ratio, standardise};

/// A row's status before disclosure control, from its inputs (DESIGN §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowStatus {
    Ok,
    Preliminary,
    NotApplicable,
    Missing,
    Confidential,
    Suppressed,
}

impl RowStatus {
    pub fn name(self) -> &'static str {
        match self {
            RowStatus::Ok => "",
            RowStatus::Preliminary => "preliminary",
            RowStatus::NotApplicable => "not_applicable",
            RowStatus::Missing => "missing",
            RowStatus::Confidential => "confidential",
            RowStatus::Suppressed => "suppressed",
        }
    }

    /// Whether the row has no value.
    pub fn absent(self) -> bool {
        self >= RowStatus::NotApplicable
    }

    fn of_source(status: Option<Status>, present: bool) -> RowStatus {
        match status {
            Some(Status::Confidential) => RowStatus::Confidential,
            Some(Status::NotApplicable) => RowStatus::NotApplicable,
            Some(Status::Missing) => RowStatus::Missing,
            _ if !present => RowStatus::Missing,
            Some(Status::Preliminary) => RowStatus::Preliminary,
            Some(Status::Zero) | None => RowStatus::Ok,
        }
    }
}

/// Whether a unit adds up over the sexes (T = K + M): counts, hours, SEK.
pub fn additive(unit: &str) -> bool {
    unit.parse::<Unit>().is_ok_and(|u| u.is_additive())
}

/// One input slot of one row: what the methods read of the observation feeding it.
#[derive(Clone, Copy, Debug, Default)]
pub struct In {
    pub value: Option<f64>,
    pub status: Option<Status>,
    /// Whether the observation's unit is `count` (thresholds and count methods apply).
    pub count: bool,
    pub cell: Option<u32>,
}

impl In {
    fn status(&self) -> RowStatus {
        RowStatus::of_source(self.status, self.value.is_some())
    }

    fn is_count(&self) -> bool {
        self.count
    }
}

/// The cells of the slots that have one, in the order given.
fn cells_of<const N: usize>(slots: [Option<u32>; N]) -> Cells {
    let mut cells = Cells::new();
    for c in slots.into_iter().flatten() {
        cells.push(c);
    }
    cells
}

/// One wide row: the slots of one indicator × org × period × age group × sex.
#[derive(Clone, Debug)]
pub struct WideRow<'a> {
    /// Its position in the wide frame (where the output tables gather their keys).
    pub row: u32,
    pub indicator: u32,
    pub org: &'a str,
    pub period: &'a str,
    pub age: &'a str,
    pub sex: Sex,
    pub num: In,
    pub den: In,
    pub base: In,
    pub ssq: In,
    pub val: In,
}

/// The observation cells a row rests on: at most four for a value, eight for a gap, more
/// only for an age-standardised rate (its bands' cells).
pub type Cells = SmallVec<[u32; 4]>;

/// A computed per-sex value (one line of `indicators.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct ValueRow<'a> {
    /// The wide row its keys come from.
    pub row: u32,
    pub indicator: u32,
    pub org: &'a str,
    pub period: &'a str,
    pub age: &'a str,
    pub sex: Sex,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub ci: Option<Interval>,
    pub status: RowStatus,
    /// Why there is no interval, when the reason is this row's (n = 0, fewer than 10 events…).
    pub note: Option<String>,
    /// The observation cells the row rests on (for disclosure control).
    pub cells: Cells,
    /// Counts behind the value, for the gap methods: (x, n) of a proportion or rate, or a
    /// mean's (n, mean, sd).
    pub counts: Option<(f64, f64)>,
    pub spread: Option<(f64, f64, f64)>,
    /// Women's share inputs: the additive quantity of this sex (count or resource), and whether
    /// it is a count.
    pub share_of: Option<(f64, bool)>,
    /// Share kinds: this sex's share of the base, in `per` units, and the base counts
    /// (this sex, both sexes) when the base is a count.
    pub base_share: Option<f64>,
    pub base_counts: Option<(f64, f64)>,
}

/// A gender gap (one line of `gaps.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct GapRow {
    /// The wide row its keys come from.
    pub row: u32,
    pub indicator: u32,
    pub women: Option<f64>,
    pub men: Option<f64>,
    pub diff: Option<f64>,
    pub diff_ci: Option<Interval>,
    pub ratio: Option<f64>,
    pub ratio_ci: Option<Interval>,
    /// Women's share, in percent.
    pub women_share: Option<f64>,
    pub women_share_ci: Option<Interval>,
    /// Share kinds: women's share of the base, in percent.
    pub base_share: Option<f64>,
    pub significant: Option<bool>,
    pub favours: &'static str,
    pub status: RowStatus,
    pub cells: Cells,
}

/// A problem in the data an indicator reads.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "{indicator}: {org} {period} {age} {sex}: numerator {numerator} is above denominator {denominator}, expected a count of persons within the group"
    )]
    AboveDenominator {
        indicator: String,
        org: String,
        period: String,
        age: String,
        sex: String,
        numerator: f64,
        denominator: f64,
    },
    #[error("{indicator}: {org} {period} {age} {sex}: {what} is {found}, expected a count of 0 or more")]
    Negative {
        indicator: String,
        org: String,
        period: String,
        age: String,
        sex: String,
        what: &'static str,
        found: f64,
    },
}

/// Settings of one computation.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Two-sided confidence level (0.95).
    pub level: f64,
}

/// Computes the values and gaps of one group (the rows of one indicator × org × period × age
/// group, sorted K, M, T): the values into `values` (emptied first; one buffer serves every
/// group of a thread), any problems onto `errors`, and the gap returned.
pub fn group<'a>(
    ind: &Indicator,
    rows: &[WideRow<'a>],
    s: Settings,
    values: &mut Vec<ValueRow<'a>>,
    errors: &mut Vec<ValueError>,
) -> Option<GapRow> {
    values.clear();
    let find = |sex: Sex| rows.iter().find(|r| r.sex == sex);
    for r in rows {
        if ind.kind == Kind::Share && r.sex == Sex::T {
            continue; // the total's share of itself says nothing
        }
        let other = match r.sex {
            Sex::K => find(Sex::M),
            Sex::M => find(Sex::K),
            Sex::T => None,
        };
        values.push(ValueRow::blank(r));
        value(ind, r, other, s, errors, values.last_mut().expect("just pushed"));
    }
    match (values.iter().find(|v| v.sex == Sex::K), values.iter().find(|v| v.sex == Sex::M)) {
        (None, None) => None,
        (k, m) => Some(gap(ind, rows[0].row, rows[0].indicator, k, m, s)),
    }
}

fn row_error(
    ind: &Indicator,
    r: &WideRow<'_>,
    kind: impl FnOnce(String, String, String, String, String) -> ValueError,
) -> ValueError {
    kind(ind.id.clone(), r.org.into(), r.period.into(), r.age.into(), r.sex.code().into())
}

impl<'a> ValueRow<'a> {
    /// The row of `r`'s keys, with nothing computed yet.
    #[inline]
    fn blank(r: &WideRow<'a>) -> ValueRow<'a> {
        ValueRow {
            row: r.row,
            indicator: r.indicator,
            org: r.org,
            period: r.period,
            age: r.age,
            sex: r.sex,
            numerator: None,
            denominator: None,
            value: None,
            ci: None,
            status: RowStatus::Ok,
            note: None,
            cells: Cells::new(),
            counts: None,
            spread: None,
            share_of: None,
            base_share: None,
            base_counts: None,
        }
    }
}

/// One per-sex value, computed into `out` (a [`ValueRow::blank`] of `r`, built in place in the
/// group's buffer: a row is some 300 bytes, and returning it by value copied it twice).
fn value<'a>(
    ind: &Indicator,
    r: &WideRow<'a>,
    other: Option<&WideRow<'a>>,
    s: Settings,
    errors: &mut Vec<ValueError>,
    out: &mut ValueRow<'a>,
) {
    let per = ind.per;
    let scale = |iv: Interval| Interval { low: iv.low * per, high: iv.high * per, ..iv };
    match ind.kind {
        Kind::Proportion | Kind::Rate | Kind::Mean => {
            out.cells = cells_of([r.num.cell, r.den.cell]);
            out.numerator = r.num.value;
            out.denominator = r.den.value;
            out.status = r.num.status().max(r.den.status());
            let (Some(x), Some(n)) = (r.num.value, r.den.value) else { return };
            for (what, v) in [("numerator", x), ("denominator", n)] {
                if v < 0.0 && !(ind.kind == Kind::Mean && what == "numerator") {
                    errors.push(row_error(ind, r, |indicator, org, period, age, sex| ValueError::Negative {
                        indicator,
                        org,
                        period,
                        age,
                        sex,
                        what,
                        found: v,
                    }));
                    return;
                }
            }
            if ind.kind == Kind::Proportion && x > n {
                errors.push(row_error(ind, r, |indicator, org, period, age, sex| ValueError::AboveDenominator {
                    indicator,
                    org,
                    period,
                    age,
                    sex,
                    numerator: x,
                    denominator: n,
                }));
                return;
            }
            if n == 0.0 {
                out.status = out.status.max(RowStatus::NotApplicable);
                out.note = Some(NoInterval::EmptyDenominator.to_string());
                return;
            }
            out.share_of = Some((x, r.num.is_count()));
            match ind.kind {
                Kind::Proportion => {
                    out.value = Some(x / n * per);
                    out.counts = Some((x, n));
                    out.ci = proportion::wilson(x, n, s.level).ok().map(scale);
                }
                Kind::Rate => {
                    out.counts = Some((x, n));
                    match poisson::rate(x, n, per, s.level) {
                        Ok((rate, iv)) => {
                            out.value = Some(rate);
                            out.ci = Some(iv);
                        }
                        Err(e) => {
                            out.value = Some(x / n * per);
                            out.note = Some(e.to_string());
                        }
                    }
                }
                _ => {
                    let m = x / n;
                    out.value = Some(m * per);
                    match r.ssq.value {
                        Some(sq) => {
                            out.cells.extend(r.ssq.cell);
                            let sum = mean::Summary { n, sum: x, sum_sq: sq };
                            let sd = sum.sd();
                            out.spread = Some((n, m, sd));
                            match mean::student_t(n, m, sd, s.level) {
                                Ok(iv) => out.ci = Some(scale(iv)),
                                Err(e) => out.note = Some(e.to_string()),
                            }
                        }
                        None if ind.sum_of_squares.is_some() => out.note = Some(NoInterval::NoSpread.to_string()),
                        None => {}
                    }
                }
            }
        }
        Kind::Share => {
            // A sex's share of the resource: needs both sexes' resource, never the total.
            let mine = r.num;
            let theirs = other.map(|o| o.num).unwrap_or_default();
            out.cells = cells_of([mine.cell, theirs.cell, r.base.cell]);
            out.status = mine.status().max(theirs.status());
            if let (Some(a), Some(b)) = (mine.value, theirs.value) {
                out.numerator = Some(a);
                out.denominator = Some(a + b);
                out.share_of = Some((a, mine.is_count()));
                if a + b > 0.0 {
                    out.value = Some(a / (a + b) * per);
                    if mine.is_count() {
                        out.counts = Some((a, a + b));
                        out.ci = proportion::wilson(a, a + b, s.level).ok().map(scale);
                    }
                } else {
                    out.status = out.status.max(RowStatus::NotApplicable);
                    out.note = Some(NoInterval::EmptyDenominator.to_string());
                }
            }
            let their_base = other.map(|o| o.base).unwrap_or_default();
            if let (Some(a), Some(b)) = (r.base.value, their_base.value) {
                out.cells.extend(their_base.cell);
                if a + b > 0.0 {
                    out.base_share = Some(a / (a + b) * per);
                    if r.base.is_count() {
                        out.base_counts = Some((a, a + b));
                    }
                }
            }
        }
        Kind::Value => {
            out.cells = cells_of([r.val.cell, r.num.cell, r.den.cell]);
            out.status = r.val.status();
            out.value = r.val.value.map(|v| v * per);
            out.numerator = r.num.value;
            out.denominator = r.den.value;
            // Women's share of a published value only for counts: a share of two medians means nothing.
            out.share_of = r.val.value.filter(|_| r.val.count).map(|v| (v, true));
            if let (Some(x), Some(n)) = (r.num.value, r.den.value)
                && n > 0.0
                && (0.0..=n).contains(&x)
            {
                out.counts = Some((x, n));
                out.ci = proportion::wilson(x, n, s.level).ok().map(scale);
            }
        }
    }
}

/// The gap between women's and men's values; its keys are those of wide row `row`.
fn gap(
    ind: &Indicator,
    row: u32,
    indicator: u32,
    k: Option<&ValueRow<'_>>,
    m: Option<&ValueRow<'_>>,
    s: Settings,
) -> GapRow {
    let mut g = GapRow {
        row,
        indicator,
        women: k.and_then(|k| k.value),
        men: m.and_then(|m| m.value),
        diff: None,
        diff_ci: None,
        ratio: None,
        ratio_ci: None,
        women_share: None,
        women_share_ci: None,
        base_share: None,
        significant: None,
        favours: "none",
        status: k.map_or(RowStatus::Missing, |k| k.status).max(m.map_or(RowStatus::Missing, |m| m.status)),
        cells: Cells::new(),
    };
    for r in k.into_iter().chain(m) {
        g.cells.extend_from_slice(&r.cells);
    }
    g.cells.sort_unstable();
    g.cells.dedup();
    let (Some(k), Some(m)) = (k, m) else { return g };
    let (Some(w), Some(mv)) = (k.value, m.value) else { return g };
    let per = ind.per;
    let scale = |iv: Interval| Interval { low: iv.low * per, high: iv.high * per, ..iv };
    g.diff = Some(w - mv);
    g.ratio = (mv != 0.0).then(|| w / mv);
    match ind.kind {
        Kind::Proportion | Kind::Value => {
            if let (Some((x1, n1)), Some((x2, n2))) = (k.counts, m.counts) {
                g.diff_ci = difference::newcombe(x1, n1, x2, n2, s.level).ok().map(|(_, iv)| scale(iv));
                g.ratio_ci = ratio::koopman(x1, n1, x2, n2, s.level).ok().map(|(_, iv)| iv);
            }
        }
        Kind::Rate => {
            if let (Some(a), Some(b)) = (k.ci, m.ci) {
                g.diff_ci = Some(difference::mover(w, (a.low, a.high), mv, (b.low, b.high)));
            }
            if let (Some((x1, n1)), Some((x2, n2))) = (k.counts, m.counts) {
                g.ratio_ci = ratio::rate_ratio(x1, n1, x2, n2, s.level).ok().map(|(_, iv)| iv);
            }
        }
        Kind::Mean => {
            if let (Some(a), Some(b)) = (k.spread, m.spread) {
                g.diff_ci = mean::welch(a, b, s.level).ok().map(|(_, iv, _)| scale(iv));
            }
        }
        Kind::Share => {
            // The resource share against the base share: girls get 38 % of the grants but are
            // 47 % of the members. An interval only when both are counts (Newcombe).
            if let Some(bw) = k.base_share {
                g.base_share = Some(bw);
                g.diff = Some(w - bw);
                g.ratio = (bw != 0.0).then(|| w / bw);
                if let (Some((x1, n1)), Some((xb, nb))) = (k.counts, k.base_counts) {
                    g.diff_ci = difference::newcombe(x1, n1, xb, nb, s.level).ok().map(|(_, iv)| scale(iv));
                }
            } else {
                g.diff = None;
                g.ratio = None;
            }
        }
    }
    if let (Some((a, a_count)), Some((b, b_count))) = (k.share_of, m.share_of)
        && a + b > 0.0
        && ind.kind != Kind::Share
    {
        g.women_share = Some(a / (a + b) * 100.0);
        if a_count && b_count {
            g.women_share_ci = proportion::wilson(a, a + b, s.level).ok().map(|iv| Interval {
                low: iv.low * 100.0,
                high: iv.high * 100.0,
                ..iv
            });
        }
    }
    if ind.kind == Kind::Share {
        g.women_share = g.women;
        g.women_share_ci = k.ci;
    }
    g.significant = g.diff_ci.map(|iv| iv.low > 0.0 || iv.high < 0.0);
    g.favours = match (ind.polarity, g.diff) {
        (Polarity::Neutral, _) | (_, None) => "none",
        (_, Some(0.0)) => "none",
        (Polarity::HigherIsBetter, Some(d)) => {
            if d > 0.0 {
                "women"
            } else {
                "men"
            }
        }
        (Polarity::LowerIsBetter, Some(d)) => {
            if d < 0.0 {
                "women"
            } else {
                "men"
            }
        }
    };
    g
}

/// Directly age-standardised rates (one per org × period × sex) from the band rows of a
/// standardised indicator, with Dobson limits; withheld below 10 events (PHE).
pub fn standardised<'a>(ind: &Indicator, bands: &[ValueRow<'a>], s: Settings) -> Vec<ValueRow<'a>> {
    let Some(std) = &ind.standard else { return Vec::new() };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bands.len() {
        let first = &bands[i];
        let mut j = i;
        while j < bands.len()
            && bands[j].org == first.org
            && bands[j].period == first.period
            && bands[j].sex == first.sex
        {
            j += 1;
        }
        let group = &bands[i..j];
        i = j;
        let mut row = ValueRow {
            age: "all",
            numerator: None,
            denominator: None,
            value: None,
            ci: None,
            note: None,
            counts: None,
            spread: None,
            share_of: None,
            base_share: None,
            base_counts: None,
            cells: group.iter().flat_map(|r| r.cells.iter().copied()).collect(),
            status: group.iter().map(|r| r.status).max().unwrap_or(RowStatus::Missing),
            ..first.clone()
        };
        let mut strata = Vec::with_capacity(std.bands.len());
        for (band, weight) in &std.bands {
            match group.iter().find(|r| r.age == band).and_then(|r| r.counts) {
                Some((x, n)) => strata.push(standardise::Stratum { x, n, standard: *weight }),
                None => row.status = row.status.max(RowStatus::Missing),
            }
        }
        if !row.status.absent() && strata.len() == std.bands.len() {
            row.numerator = Some(strata.iter().map(|s| s.x).sum());
            row.denominator = Some(strata.iter().map(|s| s.n).sum());
            row.share_of = row.numerator.map(|x| (x, true));
            match standardise::dobson(&strata, ind.per, s.level) {
                Ok((dsr, iv)) => {
                    row.value = Some(dsr);
                    row.ci = Some(iv);
                }
                Err(e) => {
                    row.status = row.status.max(RowStatus::NotApplicable);
                    row.note = Some(e.to_string());
                }
            }
        }
        out.push(row);
    }
    out
}

/// What [`all`] computed: the rows in columns, part by part, and any problems in the data
/// they read.
pub(super) struct Computed {
    pub parts: Vec<Part>,
    pub errors: Vec<ValueError>,
    /// Whether the parts, one after the other, are in key order (indicator, organisation,
    /// period, age group, sex) as the wide rows are; age-standardised rates come last.
    pub sorted: bool,
}

/// The values and gaps of a run of groups, computed on one thread. The parts are kept apart,
/// not copied into one set of columns, and become the chunks of the tables: every copy of a
/// gigabyte costs a second of page faults.
pub(super) struct Part {
    pub values: ValueColumns,
    pub gaps: GapColumns,
}

/// Runs [`group`] over every group (`bounds` into the rows `row` gives) on all cores; each
/// value and gap goes into its part's columns as soon as its group is done, in input order.
pub(super) fn all<'a>(
    indicators: &[Indicator],
    bounds: &[(usize, usize)],
    row: impl Fn(usize) -> WideRow<'a> + Sync,
    s: Settings,
) -> Computed {
    let chunk = (bounds.len() / (4 * rayon::current_num_threads())).max(4096);
    let parts: Vec<_> = bounds
        .par_chunks(chunk)
        .map(|chunk| {
            // A group has at most three values (K, M, T) and one gap; most rest on two cells
            // each. Reserved, not touched: unused room costs no memory.
            let n = chunk.len();
            let (mut values, mut gaps) =
                (ValueColumns::with_capacity(3 * n, 6 * n), GapColumns::with_capacity(n, 4 * n));
            let mut errors = Vec::new();
            // The band rows of age-standardised indicators, for their all-ages rate.
            let mut bands: Vec<ValueRow<'a>> = Vec::new();
            let mut rows: Vec<WideRow<'a>> = Vec::with_capacity(3);
            let mut v: Vec<ValueRow<'a>> = Vec::with_capacity(3);
            for &(a, b) in chunk {
                rows.clear();
                rows.extend((a..b).map(&row));
                let ind = &indicators[rows[0].indicator as usize];
                let g = group(ind, &rows, s, &mut v, &mut errors);
                if ind.standard.is_some() {
                    // The standardised rate rests on every row of its organisation, period and
                    // sex, and replaces the crude all-ages row and its gap.
                    bands.extend(v.iter().cloned());
                    if rows[0].age == "all" {
                        continue;
                    }
                }
                for v in &v {
                    values.push(v, false);
                }
                if let Some(g) = g {
                    gaps.push(&g, false);
                }
            }
            (values, gaps, errors, bands)
        })
        .collect();
    let mut out = Computed { parts: Vec::with_capacity(parts.len() + 1), errors: Vec::new(), sorted: true };
    let mut bands = Vec::new();
    for (values, gaps, mut e, mut b) in parts {
        out.parts.push(Part { values, gaps });
        out.errors.append(&mut e);
        bands.append(&mut b);
    }
    let mut dsr_part = Part { values: ValueColumns::default(), gaps: GapColumns::default() };
    // Age-standardised rates: the band rows give the strata; the DSR row (age group `all`)
    // replaces any crude all-ages row, and its gap is MOVER on the two Dobson intervals.
    for (i, ind) in indicators.iter().enumerate() {
        if ind.standard.is_none() {
            continue;
        }
        let i = i as u32;
        let mut mine: Vec<ValueRow<'a>> = bands.iter().filter(|v| v.indicator == i).cloned().collect();
        mine.sort_by(|a, b| (&a.org, &a.period, a.sex, &a.age).cmp(&(&b.org, &b.period, b.sex, &b.age)));
        let dsr = standardised(ind, &mine, s);
        out.sorted &= dsr.is_empty();
        for grp in dsr.chunk_by(|a, b| a.org == b.org && a.period == b.period) {
            let (w, m) = (grp.iter().find(|r| r.sex == Sex::K), grp.iter().find(|r| r.sex == Sex::M));
            if w.is_some() || m.is_some() {
                let mut g = gap(ind, grp[0].row, i, w, m, s);
                let (wv, mv) = (w.and_then(|r| r.value), m.and_then(|r| r.value));
                if let (Some(wv), Some(mv), Some(a), Some(b)) = (wv, mv, w.and_then(|r| r.ci), m.and_then(|r| r.ci)) {
                    g.diff_ci = Some(difference::mover(wv, (a.low, a.high), mv, (b.low, b.high)));
                    g.ratio_ci = None; // no exact ratio method for DSRs
                    g.significant = g.diff_ci.map(|iv| iv.low > 0.0 || iv.high < 0.0);
                }
                dsr_part.gaps.push(&g, true);
            }
        }
        for v in &dsr {
            dsr_part.values.push(v, true);
        }
    }
    if !out.sorted {
        out.parts.push(dsr_part);
    }
    out
}
