//! Computed rows gathered column by column, then built into the typed tables.
//!
//! [`super::compute`] works on one group at a time (the K, M and T rows of one indicator ×
//! organisation × period × age group) and hands each value and gap here at once, so the run
//! never holds millions of row structs: a row keeps its numbers, its status, the cells it rests
//! on, and the wide row its keys come from. The key columns (organisation, name, period, age
//! group, name) are gathered by that wide row's codes from the key columns' dictionaries
//! ([`RowKeys::keys`]), sharing string buffers instead of copying millions of short strings.
//! At Kolada scale (4.7 M values, 1.6 M gaps, `benches/indicators.rs`) the row structs held
//! 3.7 GB.

use polars::prelude::*;

use super::compute::{GapRow, RowStatus, ValueRow};
use super::definition::Indicator;
use super::frame::RowKeys;
use crate::model::Floats;
use crate::round::Round;
use crate::stats::{Interval, Method};

/// The observation cells each row rests on (for disclosure control), flattened.
#[derive(Clone, Debug, Default)]
struct Cells {
    flat: Vec<u32>,
    /// Where each row's cells end in `flat`.
    ends: Vec<usize>,
}

impl Cells {
    fn with_capacity(rows: usize, cells: usize) -> Cells {
        Cells { flat: Vec::with_capacity(cells), ends: Vec::with_capacity(rows) }
    }

    fn push(&mut self, cells: &[u32]) {
        self.flat.extend_from_slice(cells);
        self.ends.push(self.flat.len());
    }

    fn of(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.flat[start..self.ends[i]]
    }

    /// The rows that rest on a cell `hidden` says is hidden.
    fn resting_on<'a>(&'a self, hidden: &'a impl Fn(&[u32]) -> bool) -> impl Iterator<Item = usize> + 'a {
        (0..self.ends.len()).filter(move |&i| hidden(self.of(i)))
    }
}

/// Where a row's keys come from: the wide row, and whether its age group is `all` although
/// the wide row's is a band (a directly standardised rate, computed from its bands).
#[derive(Clone, Debug, Default)]
struct Keys {
    row: Vec<u32>,
    indicator: Vec<u32>,
    /// Positions whose age group is `all`.
    all_ages: Vec<u32>,
}

impl Keys {
    fn with_capacity(rows: usize) -> Keys {
        Keys { row: Vec::with_capacity(rows), indicator: Vec::with_capacity(rows), all_ages: Vec::new() }
    }

    fn push(&mut self, row: u32, indicator: u32, all_ages: bool) {
        if all_ages {
            self.all_ages.push(self.row.len() as u32);
        }
        self.row.push(row);
        self.indicator.push(indicator);
    }

    fn len(&self) -> usize {
        self.row.len()
    }

    /// The key columns: `indicator_id`, `org_id`, `org_name`, `role`, `period`, `age_group`
    /// and (`with_sex`) `sex`, gathered from the observations by wide row.
    fn columns(
        &self,
        source: &RowKeys,
        indicators: &[Indicator],
        round: &Round,
        with_sex: bool,
    ) -> PolarsResult<Vec<Column>> {
        let ids = StringChunked::from_iter_values("indicator_id".into(), indicators.iter().map(|i| i.id.as_str()))
            .take(&IdxCa::from_vec("code".into(), self.indicator.clone()))?;
        let [org, name, role, period, mut age, sex] = source.keys(&self.row, round)?;
        if !self.all_ages.is_empty() {
            let mut all = vec![false; self.len()];
            for &p in &self.all_ages {
                all[p as usize] = true;
            }
            let ages: StringChunked =
                age.str()?.iter().zip(all).map(|(a, all)| if all { Some("all") } else { a }).collect();
            age = ages.with_name("age_group".into()).into_column();
        }
        let mut out = vec![ids.into_column(), org, name, role, period, age];
        if with_sex {
            out.push(sex);
        }
        Ok(out)
    }
}

/// `frame` (a values or gaps table) in key order: indicator (catalogue order), organisation,
/// period, age group and (`with_sex`) sex; rows with equal keys keep their order.
pub(super) fn sort(frame: DataFrame, indicators: &[Indicator], with_sex: bool) -> PolarsResult<DataFrame> {
    let order: std::collections::HashMap<&str, usize> =
        indicators.iter().enumerate().map(|(i, ind)| (ind.id.as_str(), i)).collect();
    let s = |n: &str| frame.column(n).and_then(|c| c.str().cloned());
    let (id, org, period, age) = (s("indicator_id")?, s("org_id")?, s("period")?, s("age_group")?);
    let sex = if with_sex { Some(s("sex")?) } else { None };
    let key = |i: usize| {
        let indicator = id.get(i).and_then(|id| order.get(id).copied());
        (indicator, org.get(i), period.get(i), age.get(i), sex.as_ref().and_then(|c| c.get(i)))
    };
    let mut rows: Vec<IdxSize> = (0..frame.height() as IdxSize).collect();
    rows.sort_by(|&a, &b| key(a as usize).cmp(&key(b as usize)));
    frame.take(&IdxCa::from_vec("order".into(), rows))
}

fn status(s: RowStatus) -> Option<&'static str> {
    (s != RowStatus::Ok).then(|| s.name())
}

/// Optional intervals: the limits as [`Floats`] values and the method (1 byte) saying whether
/// there is one; 17 bytes a row instead of 24.
#[derive(Clone, Debug, Default)]
struct Intervals {
    low: Vec<f64>,
    high: Vec<f64>,
    method: Vec<Option<Method>>,
}

impl Intervals {
    fn with_capacity(rows: usize) -> Intervals {
        Intervals { low: Vec::with_capacity(rows), high: Vec::with_capacity(rows), method: Vec::with_capacity(rows) }
    }

    fn push(&mut self, iv: Option<Interval>) {
        self.low.push(iv.map_or(0.0, |iv| iv.low));
        self.high.push(iv.map_or(0.0, |iv| iv.high));
        self.method.push(iv.map(|iv| iv.method));
    }

    fn clear(&mut self, i: usize) {
        (self.low[i], self.high[i], self.method[i]) = (0.0, 0.0, None);
    }

    /// The limits' columns `{prefix}_low` and `{prefix}_high`, null where there is no interval
    /// (the limits taken as they are, as [`Floats::column`] does).
    fn bounds(self, prefix: &str) -> [Column; 2] {
        let all = self.method.iter().all(Option::is_some);
        let low = Float64Chunked::from_vec_validity(
            format!("{prefix}_low").into(),
            self.low,
            (!all).then(|| self.method.iter().map(Option::is_some).collect()),
        );
        // The same validity, shared.
        let validity = low.downcast_iter().next().and_then(|a| a.validity().cloned());
        let high = Float64Chunked::from_vec_validity(format!("{prefix}_high").into(), self.high, validity);
        [low.into_column(), high.into_column()]
    }

    fn methods(&self, name: &str) -> Column {
        StringChunked::from_iter_options(name.into(), self.method.iter().map(|m| m.map(Method::label))).into_column()
    }
}

/// Per-sex values in columns: one entry per row of `indicators.csv`.
#[derive(Clone, Debug, Default)]
pub(super) struct ValueColumns {
    keys: Keys,
    numerator: Floats,
    denominator: Floats,
    value: Floats,
    ci: Intervals,
    status: Vec<RowStatus>,
    /// (position, note): rare, so kept apart.
    notes: Vec<(u32, String)>,
    cells: Cells,
}

impl ValueColumns {
    /// Room for `rows` rows resting on `cells` cells in all, reserved at once: growing by
    /// doubling copies every column into fresh pages at each step.
    pub fn with_capacity(rows: usize, cells: usize) -> ValueColumns {
        ValueColumns {
            keys: Keys::with_capacity(rows),
            numerator: Floats::with_capacity(rows),
            denominator: Floats::with_capacity(rows),
            value: Floats::with_capacity(rows),
            ci: Intervals::with_capacity(rows),
            status: Vec::with_capacity(rows),
            notes: Vec::new(),
            cells: Cells::with_capacity(rows, cells),
        }
    }

    pub fn push(&mut self, v: &ValueRow<'_>, all_ages: bool) {
        if let Some(n) = &v.note {
            self.notes.push((self.keys.len() as u32, n.clone()));
        }
        self.keys.push(v.row, v.indicator, all_ages);
        self.numerator.push(v.numerator);
        self.denominator.push(v.denominator);
        self.value.push(v.value);
        self.ci.push(v.ci);
        self.status.push(v.status);
        self.cells.push(&v.cells);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The notes, at their positions in this part.
    pub fn notes(&self) -> &[(u32, String)] {
        &self.notes
    }

    /// Removes every number of each row that rests on a hidden cell: value, interval,
    /// numerator, denominator and note; the row says `suppressed`.
    pub fn suppress(&mut self, hidden: impl Fn(&[u32]) -> bool) {
        for i in self.cells.resting_on(&hidden) {
            self.status[i] = RowStatus::Suppressed;
            self.numerator.clear(i);
            self.denominator.clear(i);
            self.value.clear(i);
            self.ci.clear(i);
        }
        let status = &self.status;
        self.notes.retain(|(p, _)| status[*p as usize] != RowStatus::Suppressed);
    }

    /// DESIGN §8's columns plus `method`, rows in the order they were pushed; the `note`
    /// column is [`notes`]'s, once the parts are stacked.
    pub fn frame(self, keys: &RowKeys, indicators: &[Indicator], round: &Round) -> PolarsResult<DataFrame> {
        let len = self.len();
        let mut columns = self.keys.columns(keys, indicators, round, true)?;
        columns.extend([self.numerator.column("numerator"), self.denominator.column("denominator")]);
        columns.push(self.value.column("value"));
        let method = self.ci.methods("method");
        let [low, high] = self.ci.bounds("ci");
        columns.extend([
            low,
            high,
            StringChunked::from_iter_options("status".into(), self.status.iter().map(|&s| status(s))).into_column(),
            method,
        ]);
        DataFrame::new(len, columns)
    }
}

/// The `note` column of `len` rows from the sparse notes (position, text); a column of nulls
/// that holds no rows when there are none, as at Kolada scale.
pub(super) fn notes(len: usize, notes: &[(usize, &str)]) -> Column {
    if notes.is_empty() {
        return Column::full_null("note".into(), len, &DataType::String);
    }
    let mut all: Vec<Option<&str>> = vec![None; len];
    for &(p, n) in notes {
        all[p] = Some(n);
    }
    StringChunked::from_slice_options("note".into(), &all).into_column()
}

/// Gender gaps in columns: one entry per row of `gaps.csv`.
#[derive(Clone, Debug, Default)]
pub(super) struct GapColumns {
    keys: Keys,
    women: Floats,
    men: Floats,
    diff: Floats,
    diff_ci: Intervals,
    ratio: Floats,
    ratio_ci: Intervals,
    women_share: Floats,
    women_share_ci: Intervals,
    base_share: Floats,
    significant: Vec<Option<bool>>,
    favours: Vec<&'static str>,
    status: Vec<RowStatus>,
    cells: Cells,
}

impl GapColumns {
    /// Room for `rows` rows resting on `cells` cells in all, reserved at once.
    pub fn with_capacity(rows: usize, cells: usize) -> GapColumns {
        let floats = || Floats::with_capacity(rows);
        let intervals = || Intervals::with_capacity(rows);
        GapColumns {
            keys: Keys::with_capacity(rows),
            women: floats(),
            men: floats(),
            diff: floats(),
            diff_ci: intervals(),
            ratio: floats(),
            ratio_ci: intervals(),
            women_share: floats(),
            women_share_ci: intervals(),
            base_share: floats(),
            significant: Vec::with_capacity(rows),
            favours: Vec::with_capacity(rows),
            status: Vec::with_capacity(rows),
            cells: Cells::with_capacity(rows, cells),
        }
    }

    pub fn push(&mut self, g: &GapRow, all_ages: bool) {
        self.keys.push(g.row, g.indicator, all_ages);
        self.women.push(g.women);
        self.men.push(g.men);
        self.diff.push(g.diff);
        self.diff_ci.push(g.diff_ci);
        self.ratio.push(g.ratio);
        self.ratio_ci.push(g.ratio_ci);
        self.women_share.push(g.women_share);
        self.women_share_ci.push(g.women_share_ci);
        self.base_share.push(g.base_share);
        self.significant.push(g.significant);
        self.favours.push(g.favours);
        self.status.push(g.status);
        self.cells.push(&g.cells);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Removes every number of each gap that rests on a hidden cell; the row says
    /// `suppressed` and favours no one.
    pub fn suppress(&mut self, hidden: impl Fn(&[u32]) -> bool) {
        for i in self.cells.resting_on(&hidden) {
            self.status[i] = RowStatus::Suppressed;
            for f in [&mut self.women, &mut self.men, &mut self.diff, &mut self.ratio, &mut self.women_share] {
                f.clear(i);
            }
            self.base_share.clear(i);
            for iv in [&mut self.diff_ci, &mut self.ratio_ci, &mut self.women_share_ci] {
                iv.clear(i);
            }
            self.significant[i] = None;
            self.favours[i] = "none";
        }
    }

    /// DESIGN §8's columns plus the ratio's and women's share's intervals, the base share and
    /// the methods, rows in the order they were pushed.
    pub fn frame(self, keys: &RowKeys, indicators: &[Indicator], round: &Round) -> PolarsResult<DataFrame> {
        let len = self.len();
        let mut columns = self.keys.columns(keys, indicators, round, false)?;
        columns.extend([self.women.column("women"), self.men.column("men"), self.diff.column("diff")]);
        let (diff_method, ratio_method) = (self.diff_ci.methods("diff_method"), self.ratio_ci.methods("ratio_method"));
        let [diff_low, diff_high] = self.diff_ci.bounds("diff_ci");
        let [ratio_low, ratio_high] = self.ratio_ci.bounds("ratio_ci");
        let [share_low, share_high] = self.women_share_ci.bounds("women_share_ci");
        columns.extend([
            diff_low,
            diff_high,
            self.ratio.column("ratio"),
            self.women_share.column("women_share"),
            BooleanChunked::from_slice_options("significant".into(), &self.significant).into_column(),
            StringChunked::from_iter_values("favours".into(), self.favours.iter().copied()).into_column(),
            StringChunked::from_iter_options("status".into(), self.status.iter().map(|&s| status(s))).into_column(),
            ratio_low,
            ratio_high,
            share_low,
            share_high,
            self.base_share.column("base_share"),
            diff_method,
            ratio_method,
        ]);
        DataFrame::new(len, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sex;

    fn value(row: u32, cells: &[u32], note: Option<&str>) -> ValueRow<'static> {
        ValueRow {
            row,
            indicator: 0,
            org: "X0001",
            period: "2024",
            age: "all",
            sex: Sex::K,
            numerator: Some(f64::from(row)),
            denominator: Some(10.0),
            value: Some(f64::from(row) / 10.0),
            ci: None,
            status: RowStatus::Ok,
            note: note.map(String::from),
            cells: cells.iter().copied().collect(),
            counts: None,
            spread: None,
            share_of: None,
            base_share: None,
            base_counts: None,
        }
    }

    /// Each row keeps its own cells, note and all-ages mark, and suppression finds the rows
    /// that rest on a hidden cell.
    #[test]
    fn rows_keep_their_cells_notes_and_ages_and_suppression_finds_them() {
        let mut a = ValueColumns::with_capacity(1, 1);
        a.push(&value(0, &[1, 2], None), false);
        a.push(&value(1, &[3], Some("first note")), false);
        a.push(&value(2, &[4, 5, 6], Some("second note")), true);
        a.push(&value(3, &[], None), false);
        assert_eq!(a.len(), 4);
        let cells: Vec<&[u32]> = (0..4).map(|i| a.cells.of(i)).collect();
        assert_eq!(cells, [&[1, 2][..], &[3], &[4, 5, 6], &[]]);
        assert_eq!(a.notes, [(1, "first note".to_string()), (2, "second note".to_string())]);
        assert_eq!(a.keys.all_ages, [2]);
        assert_eq!(a.keys.row, [0, 1, 2, 3]);

        // Cell 5 hidden: only the third row rests on it.
        a.suppress(|cells| cells.contains(&5));
        assert_eq!(a.status, [RowStatus::Ok, RowStatus::Ok, RowStatus::Suppressed, RowStatus::Ok]);
        assert_eq!(a.value.get(2), None);
        assert_eq!(a.numerator.get(2), None);
        assert_eq!((a.numerator.number(2), a.ci.method[2]), (0.0, None), "the numbers themselves are gone");
        assert_eq!(a.value.get(1), Some(0.1));
        assert_eq!(a.notes, [(1, "first note".to_string())], "a suppressed row's note goes too");
    }

    /// Presence bits across word boundaries (rows 63, 64, 127, 128), a number that is 0, a
    /// cleared row, and the polars columns built from them.
    #[test]
    fn floats_and_intervals_keep_what_is_present() {
        let number = |i: usize| (!i.is_multiple_of(3)).then_some(i as f64 - 2.0);
        let mut f = Floats::with_capacity(0);
        let mut iv = Intervals::with_capacity(0);
        for i in 0..130 {
            f.push(number(i));
            iv.push(number(i).map(|v| Interval { low: v - 1.0, high: v + 1.0, method: Method::Wilson }));
        }
        assert_eq!(f.get(2), Some(0.0), "a present 0 is not a missing value");
        assert!((0..130).all(|i| f.get(i) == number(i)));
        f.clear(64);
        iv.clear(64);
        assert_eq!((f.get(64), f.get(63), f.get(65)), (None, None, Some(63.0)));
        let column = f.column("value");
        let column = column.f64().unwrap();
        assert_eq!(column.len(), 130);
        assert_eq!(column.null_count(), 44 + 1);
        assert_eq!((column.get(127), column.get(128), column.get(129)), (Some(125.0), Some(126.0), None));
        let methods = iv.methods("method");
        let [low, high] = iv.bounds("ci");
        assert_eq!((low.name().as_str(), high.name().as_str()), ("ci_low", "ci_high"));
        let (low, high) = (low.f64().unwrap(), high.f64().unwrap());
        assert_eq!((low.get(65), high.get(65), low.get(64), high.get(66)), (Some(62.0), Some(64.0), None, None));
        assert_eq!((low.null_count(), high.null_count()), (45, 45));
        assert_eq!(methods.str().unwrap().get(65), Some(Method::Wilson.label()));
        assert_eq!(methods.null_count(), 45);
        // With every number present, the columns have no nulls.
        let mut f = Floats::with_capacity(0);
        let mut iv = Intervals::with_capacity(0);
        for i in 0..70 {
            f.push(Some(i as f64));
            iv.push(Some(Interval { low: 0.0, high: 1.0, method: Method::Wilson }));
        }
        assert_eq!(f.column("value").null_count(), 0);
        assert_eq!(iv.methods("method").null_count(), 0);
        assert!(iv.bounds("ci").iter().all(|c| c.null_count() == 0 && c.len() == 70));
    }
}
