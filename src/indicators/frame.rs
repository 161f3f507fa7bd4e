//! From observations to one wide row per indicator × organisation × period × age group × sex:
//! a binding table says which variable (and stored sex) feeds which slot of which indicator; one
//! columnar pass packs every feeding observation into a sortable key, and one sort (by
//! indicator, then within each) lines the slots of a row up side by side. A row holds the row
//! numbers of its observations; its numbers and keys are read from the observation columns (and
//! the dictionaries of its key columns) when needed. No loop over
//! organisations, and no pivot (polars' pivot fills absent cells with 0, and a missing value
//! must stay missing).
//!
//! This was a polars plan (joins with the binding table and age bands, a duplicate check, one
//! full join per slot); at Kolada scale (9.4 M observations, `benches/indicators.rs`) it took
//! 60 s, then 9 s as a frame of gathered columns, and 2 s as row numbers.
//!
//! Every slot keeps its cell id (the observation's row number), so disclosure control can flag
//! the underlying cells once and every indicator that reads a cell sees the same flag.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::compute::{self, In, WideRow};
use super::definition::{Binding, Indicator};
use crate::model::observations::string_scalar;
use crate::model::{Observations, Period, Sex, Status};
use crate::round::Round;

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

/// One way an observation feeds an indicator row.
#[derive(Clone, Copy, Debug)]
struct Feed {
    indicator: u32,
    slot: Slot,
    /// The sex of the row it feeds.
    sex: Sex,
    /// 0 wins over 1 when a one-variable-per-sex binding finds its variable stored both under
    /// its own sex and as T.
    priority: u8,
}

/// The binding table: which observations (variable, stored sex) feed which slots.
fn feeds(indicators: &[Indicator]) -> BTreeMap<(&str, Sex), Vec<Feed>> {
    let mut feeds: BTreeMap<(&str, Sex), Vec<Feed>> = BTreeMap::new();
    for (i, ind) in indicators.iter().enumerate() {
        for slot in Slot::ALL {
            let Some(b) = slot.binding(ind) else { continue };
            for sex in Sex::ALL {
                let Some((var, stored)) = b.variable(sex) else { continue };
                // A variable of its own sex may also be stored as T; the own sex wins.
                let stored = match stored {
                    Some(st) => [Some((st, 0)), None],
                    None if sex == Sex::T => [Some((Sex::T, 0)), None],
                    None => [Some((sex, 0)), Some((Sex::T, 1))],
                };
                for (st, priority) in stored.into_iter().flatten() {
                    feeds.entry((var, st)).or_default().push(Feed { indicator: i as u32, slot, sex, priority });
                }
            }
        }
    }
    feeds
}

/// The age groups an indicator reports, empty for all.
pub fn bands_of(ind: &Indicator) -> Vec<String> {
    match &ind.standard {
        Some(std) => std.bands.iter().map(|(b, _)| b.clone()).collect(),
        None => ind.age_bands.clone(),
    }
}

/// The wide rows: one per indicator × organisation × period × age group × sex where the
/// numerator or value is observed (a denominator shared with another indicator does not make
/// rows of this one), in the order of [`KEYS`], each slot holding the observation that feeds it.
///
/// Rows hold observation row numbers (cells), not copies: [`Wide::rows`] reads a row's keys
/// and slots from the observation columns, and the output tables gather their key columns by
/// cell. At Kolada scale (9.4 M observations, 4.7 M wide rows) a frame of copied columns took
/// 3.5 s to gather and 1.5 GB to hold.
pub struct Wide {
    cells: Cells,
    indicator: Vec<u32>,
    /// Per slot, per row: the observation feeding it, [`NONE`] where absent.
    slots: [Vec<IdxSize>; 5],
    /// Runs of rows with the same indicator, organisation, period and age group (K, M and T
    /// side by side), as `(start, end)`.
    groups: Vec<(usize, usize)>,
    keys: RowKeys,
}

/// What a row reads of the observations that feed its slots, by row number: the value and
/// status columns in one chunk each (cheap copies of a table read in pieces, such as a Parquet
/// file's row groups), and each feeding observation's unit as a code. The table's text columns
/// are not copied into one chunk: at Kolada scale that copy took 0.15–0.4 s, mostly in faults
/// on fresh pages.
struct Cells {
    value: Float64Chunked,
    /// The observations' status as its enum codes (indexes into [`Status::ALL`]).
    status: UInt8Chunked,
    /// Per observation, its code in `kinds` ([`NO_UNIT`] for observations that feed no slot).
    unit: Vec<u16>,
    /// What each unit code's unit says about its numbers.
    kinds: Vec<UnitKind>,
}

/// What an observation's unit says about its numbers, decided once per distinct unit.
#[derive(Clone, Copy, Debug)]
pub struct UnitKind {
    /// A count of persons or events (`count`): thresholds and the count methods apply.
    pub count: bool,
    /// It adds up over the sexes (T = K + M): counts, hours, SEK.
    pub additive: bool,
}

/// The unit code of an observation that feeds no slot (never read).
const NO_UNIT: u16 = u16::MAX;

/// Where each wide row's keys come from: what the output tables need of [`Wide`] once the
/// values are computed ([`Wide::into_keys`]), so that the slots are freed before disclosure
/// control (at Kolada scale 150 MB of the stage's peak).
pub struct RowKeys {
    /// The distinct organisations, periods and age groups in string order, each a column of
    /// one chunk: rows read them by code, and the tables gather their key columns from them.
    dictionaries: [StringChunked; 3],
    /// The distinct organisation names, as the dictionaries. Gathering the names from the
    /// observations' own column (in the chunks of the file it was read from) took 0.13 s of
    /// CPU at Kolada scale: a gather from several chunks looks up each row's chunk and copies
    /// its string.
    names: StringChunked,
    /// Per row, its codes in `orgs`, `periods` and `ages`.
    place: Vec<[u32; 3]>,
    sex: Vec<Sex>,
    /// Per row, its organisation name's code in `names`: the name of the first slot's
    /// observation that has one ([`NO_NAME`] if none has: record extracts carry codes only).
    name: Vec<u32>,
    /// Whether some row has no name.
    nameless: bool,
}

/// No name (the observation's `org_name` is null).
const NO_NAME: u32 = u32::MAX;

/// No observation feeds the slot.
const NONE: IdxSize = IdxSize::MAX;

/// The wide rows of `indicators` over `obs`, or every pair of observations that feed the same
/// slot of the same row.
///
/// [`sort_keys`] picks the observations that feed a slot (binding table, allowed age bands,
/// period range) and sorts them by one packed `u64` key ([`Packing`]): the key columns as dense
/// codes in sort order, then slot, sex and priority. [`line_up`] then lines the slots up side
/// by side. That is a pivot without polars' zero-fill (an absent slot stays absent), and the
/// pass sees duplicates for free: two observations feeding one slot are a [`Conflict`],
/// reported with every `source:row`.
pub fn wide(
    obs: &Observations,
    indicators: &[Indicator],
    periods: Option<&(Period, Period)>,
) -> PolarsResult<Result<Wide, Vec<Conflict>>> {
    let frame = obs.frame();
    let clock = crate::timings::Stopwatch::start();
    let sorted = sort_keys(obs, indicators, periods, &clock)?;
    clock.lap("wide: sorted");
    let lined = line_up(&sorted.rows);
    clock.lap("wide: lined up");
    if !lined.doubled.is_empty() {
        let at = |row: usize| {
            let (key, cell) = sorted.rows[row];
            let place = sorted.packing.place(key);
            (place.indicator, place.sex.code().to_string(), cell as usize)
        };
        return Ok(Err(conflicts(frame, indicators, &lined.doubled, at)?));
    }
    let Sorted { rows, packing, orgs, periods, ages, names, unit, name_of, kinds } = sorted;
    let n = lined.first.len();
    let (mut indicator, mut sex, mut place) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for &r in &lined.first {
        let p = packing.place(rows[r as usize].0);
        indicator.push(p.indicator);
        sex.push(p.sex);
        place.push([p.org, p.period, p.age]);
    }
    drop(rows);

    let (value, status) = (
        frame.column("value")?.f64()?.rechunk().into_owned(),
        frame.column("status")?.cat8()?.physical().rechunk().into_owned(),
    );
    // A row's name comes from the first slot whose observation has one.
    let name: Vec<u32> = (0..n)
        .map(|r| {
            let mut fed = lined.slots.iter().map(|s| s[r]).filter(|&c| c != NONE);
            fed.find_map(|c| Some(name_of[c as usize]).filter(|&code| code != NO_NAME)).unwrap_or(NO_NAME)
        })
        .collect();
    drop(name_of);
    let nameless = name.contains(&NO_NAME);
    let column = |name: &str, d: Dictionary<'_>| StringChunked::from_iter_values(name.into(), d.values.into_iter());
    let dictionaries = [column("org_id", orgs), column("period", periods), column("age_group", ages)];
    let keys = RowKeys { dictionaries, names: column("org_name", names), place, sex, name, nameless };
    let cells = Cells { value, status, unit, kinds };
    Ok(Ok(Wide { cells, indicator, slots: lined.slots, groups: lined.groups, keys }))
}

impl Wide {
    /// The number of wide rows.
    pub fn len(&self) -> usize {
        self.keys.place.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.place.is_empty()
    }

    /// Runs of rows with the same indicator, organisation, period and age group, as
    /// `(start, end)`.
    pub fn groups(&self) -> &[(usize, usize)] {
        &self.groups
    }

    /// Typed access to the rows.
    pub fn rows(&self) -> Rows<'_> {
        let [orgs, periods, ages] = &self.keys.dictionaries;
        Rows {
            wide: self,
            orgs: orgs.downcast_as_array(),
            periods: periods.downcast_as_array(),
            ages: ages.downcast_as_array(),
            value: self.cells.value.downcast_as_array(),
            status: self.cells.status.downcast_as_array(),
        }
    }

    /// Where the rows' keys come from; the rest (slots, groups) is freed.
    pub fn into_keys(self) -> RowKeys {
        self.keys
    }
}

impl RowKeys {
    /// The key columns of `rows` (wide row numbers): `org_id`, `org_name`, `role` (in
    /// `round`), `period`, `age_group` and `sex`. The codes gather from small dictionary
    /// columns, so the strings are shared, not copied (building them value by value took three
    /// times longer).
    pub fn keys(&self, rows: &[u32], round: &Round) -> PolarsResult<[Column; 6]> {
        let codes =
            |at: usize| IdxCa::from_vec("code".into(), rows.iter().map(|&r| self.place[r as usize][at]).collect());
        // A key with one value in the whole table (the age group `all`, a single year) is a
        // scalar column: nothing to gather, and a consumer that needs it repeated repeats it.
        let text = |at: usize, codes: &IdxCa| match self.dictionaries[at].len() {
            1 => {
                let dictionary = &self.dictionaries[at];
                Ok(string_scalar(dictionary.name().as_str(), dictionary.get(0), codes.len()))
            }
            _ => self.dictionaries[at].take(codes).map(IntoColumn::into_column),
        };
        let orgs = codes(0);
        // Roles and sexes gather from small dictionaries too.
        let roles: StringChunked = self.dictionaries[0]
            .iter()
            .map(|o| Some(round.role_of(o.unwrap_or_default()).name()))
            .collect::<StringChunked>()
            .with_name("role".into());
        let sexes = StringChunked::from_iter_values("sex".into(), Sex::ALL.iter().map(|s| s.code()));
        let sex = IdxCa::from_vec("code".into(), rows.iter().map(|&r| self.sex[r as usize] as IdxSize).collect());
        let name: IdxCa = if self.nameless {
            rows.iter().map(|&r| Some(self.name[r as usize]).filter(|&c| c != NO_NAME)).collect()
        } else {
            IdxCa::from_vec("code".into(), rows.iter().map(|&r| self.name[r as usize]).collect())
        };
        Ok([
            text(0, &orgs)?,
            self.names.take(&name)?.into_column(),
            roles.take(&orgs)?.into_column(),
            text(1, &codes(1))?,
            text(2, &codes(2))?,
            sexes.take(&sex)?.into_column(),
        ])
    }
}

type Strings = <StringType as PolarsDataType>::Array;
type Numbers<T> = <T as PolarsDataType>::Array;

/// Row-by-row access to [`Wide`]: each row's keys from the dictionaries, its slots from the
/// observations' value and status (one chunk each, so a read is an index, not a chunk lookup).
pub struct Rows<'a> {
    wide: &'a Wide,
    orgs: &'a Strings,
    periods: &'a Strings,
    ages: &'a Strings,
    value: &'a Numbers<Float64Type>,
    status: &'a Numbers<UInt8Type>,
}

impl<'a> Rows<'a> {
    pub fn row(&self, i: usize) -> WideRow<'a> {
        let LinkRow { indicator, place: [org, period, age], sex, cells } = self.link_row(i);
        let slot = |n: usize| match cells[n] {
            None => In::default(),
            Some(c) => In {
                value: self.value(c),
                status: self.status.get(c as usize).map(|s| Status::ALL[s as usize]),
                count: self.kind(c).count,
                cell: Some(c),
            },
        };
        WideRow {
            row: i as u32,
            indicator,
            org: self.orgs.value(org as usize),
            period: self.periods.value(period as usize),
            age: self.age(age),
            sex,
            num: slot(0),
            den: slot(1),
            base: slot(2),
            ssq: slot(3),
            val: slot(4),
        }
    }

    /// Row `i`'s keys as codes and its slots' observations (what [`Rows::row`] reads the rest from).
    pub fn link_row(&self, i: usize) -> LinkRow {
        let w = self.wide;
        let cell = |n: usize| match w.slots[n][i] {
            NONE => None,
            c => Some(c),
        };
        LinkRow {
            indicator: w.indicator[i],
            place: w.keys.place[i],
            sex: w.keys.sex[i],
            cells: [cell(0), cell(1), cell(2), cell(3), cell(4)],
        }
    }

    /// An observation's value.
    pub fn value(&self, cell: u32) -> Option<f64> {
        self.value.get(cell as usize)
    }

    /// What the unit of an observation that feeds a slot says about its numbers.
    pub fn kind(&self, cell: u32) -> UnitKind {
        let cells = &self.wide.cells;
        cells.kinds[usize::from(cells.unit[cell as usize])]
    }

    /// The text of an age group code.
    pub fn age(&self, code: u32) -> &'a str {
        self.ages.value(code as usize)
    }
}

/// What the disclosure links read of a wide row: its keys as dictionary codes and, per slot
/// (in [`Slot::ALL`] order), the observation feeding it. Building a full [`WideRow`] for this
/// (strings, statuses) was a third of the links pass.
#[derive(Clone, Copy, Debug)]
pub struct LinkRow {
    pub indicator: u32,
    /// Organisation, period and age group codes ([`Rows::age`] gives the age group's text).
    pub place: [u32; 3],
    pub sex: Sex,
    pub cells: [Option<u32>; 5],
}

impl LinkRow {
    pub fn cell(&self, slot: Slot) -> Option<u32> {
        self.cells[slot as usize]
    }
}

/// How a wide row and a slot pack into one sortable `u64`: the indicator's code in the high bits
/// (from [`Packing::shift`] up), below it a mixed radix over the dense codes of organisation,
/// period and age group (codes in string order), then `slot × 6 + sex × 2 + priority` in the
/// last 32. One group's keys (indicator × organisation × period × age group) are adjacent, by
/// slot, then sex (K, M, T), then priority.
///
/// Observations usually come by organisation and period, with each variable's sexes together
/// and a numerator before its denominator, which is exactly this order within one indicator:
/// the sort is then a counting pass by indicator and a check that each indicator's keys are in
/// order ([`sort_by_key`]).
struct Packing {
    periods: u64,
    ages: u64,
    /// Where the indicator's code starts.
    shift: u32,
}

impl Packing {
    /// The packing for these many distinct codes, if the keys fit in a `u64`.
    fn new(indicators: u64, orgs: u64, periods: u64, ages: u64) -> Option<Packing> {
        let below = [orgs, periods, ages, 32].iter().try_fold(1u64, |acc, &r| acc.checked_mul(r))?;
        let shift = 64 - (below - 1).leading_zeros();
        let needed = 64 - (indicators.max(1) - 1).leading_zeros();
        (shift < 64 && shift + needed <= 64).then_some(Packing { periods, ages, shift })
    }

    fn key(&self, f: &Feed, org: u32, period: u32, age: u32) -> u64 {
        let group = (u64::from(org) * self.periods + u64::from(period)) * self.ages + u64::from(age);
        let low = (f.slot as u64) * 6 + (f.sex as u64) * 2 + u64::from(f.priority);
        (u64::from(f.indicator) << self.shift) | (group * 32 + low)
    }

    /// A key's indicator code.
    fn indicator(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    /// A key's group (same indicator, organisation, period and age group: the same value).
    fn group(key: u64) -> u64 {
        key / 32
    }

    /// A key's slot, sex and priority.
    fn slot(key: u64) -> (usize, usize, u64) {
        let low = key % 32;
        ((low / 6) as usize, (low / 2 % 3) as usize, low % 2)
    }

    /// The indicator, organisation, period, age group and sex of a key.
    fn place(&self, key: u64) -> Place {
        let sex = Sex::ALL[Self::slot(key).1];
        let row = (key & ((1u64 << self.shift) - 1)) / 32;
        let (age, row) = (row % self.ages, row / self.ages);
        let (period, org) = (row % self.periods, row / self.periods);
        Place { indicator: self.indicator(key) as u32, org: org as u32, period: period as u32, age: age as u32, sex }
    }
}

/// A wide row's keys as codes (see [`Packing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    indicator: u32,
    org: u32,
    period: u32,
    age: u32,
    sex: Sex,
}

/// The observations that feed a slot, as `(packed key, cell)` sorted by key and cell, with the
/// dictionaries the keys' codes point into and each feeding observation's unit code.
struct Sorted<'a> {
    rows: Vec<(u64, IdxSize)>,
    packing: Packing,
    orgs: Dictionary<'a>,
    periods: Dictionary<'a>,
    ages: Dictionary<'a>,
    names: Dictionary<'a>,
    unit: Vec<u16>,
    /// Per observation, its organisation name's code in `names` ([`NO_NAME`] for none).
    name_of: Vec<u32>,
    /// What each unit code's unit says.
    kinds: Vec<UnitKind>,
}

/// One pass over the observations: for each row, the slots it feeds (a lookup of its variable
/// and stored sex, its age band and period checked), packed into sort keys; then
/// [`sort_by_key`]. Consecutive rows mostly share their strings, so each lookup first compares
/// with the previous row's. The pass runs on the pool, a range of rows per task (the lookups only read
/// shared tables; a range reads the columns whatever their chunks), and the ranges' keys meet
/// in the sort. Five string joins in polars did this in 9 s for 9.4 M observations
/// (`benches/indicators.rs`); one sequential pass took 0.85 s.
fn sort_keys<'a>(
    obs: &'a Observations,
    indicators: &[Indicator],
    periods: Option<&(Period, Period)>,
    clock: &crate::timings::Stopwatch,
) -> PolarsResult<Sorted<'a>> {
    use rayon::prelude::*;
    let frame = obs.frame();
    let text = |name: &str| frame.column(name).and_then(|c| c.str());
    let (variable, org, period, age, unit, name) =
        (text("variable")?, text("org_id")?, text("period")?, text("age_group")?, text("unit")?, text("org_name")?);
    // The sex column is an enum over `Sex::ALL`: its codes index that array.
    let sex = frame.column("sex")?.cat8()?.physical();
    let ((orgs, periods_all), ((ages, units), names)) = rayon::join(
        || rayon::join(|| Dictionary::new(org), || Dictionary::new(period)),
        || rayon::join(|| rayon::join(|| Dictionary::new(age), || Dictionary::new(unit)), || Dictionary::new(name)),
    );
    clock.lap("wide: dictionaries");
    if units.values.len() >= usize::from(NO_UNIT) {
        polars_bail!(ComputeError: "{} distinct units, expected fewer than {NO_UNIT}", units.values.len());
    }
    let Some(packing) = Packing::new(indicators.len() as u64, orgs.len(), periods_all.len(), ages.len()) else {
        polars_bail!(ComputeError: "too many distinct keys to pack into one sort key");
    };
    let period_ok: Vec<bool> = match periods {
        Some((from, to)) => periods_all.values.iter().map(|p| in_range(p, from, to)).collect(),
        None => vec![true; periods_all.values.len()],
    };
    // Per indicator, the age codes it reads (None: all).
    let age_ok: Vec<Option<Vec<bool>>> = indicators
        .iter()
        .map(|ind| {
            let bands = bands_of(ind);
            (!bands.is_empty()).then(|| ages.values.iter().map(|a| bands.iter().any(|b| b == a)).collect())
        })
        .collect();
    let feeds = Feeds::new(indicators);

    // Every key column is non-null (`Observations::new` checks it); names may be null.
    let pack = |start: usize, units_out: &mut [u16], names_out: &mut [u32]| {
        let len = units_out.len();
        let slice = |c: &StringChunked| c.slice(start as i64, len);
        let (variable, org, period, age, unit) = (slice(variable), slice(org), slice(period), slice(age), slice(unit));
        code_names(&names, &slice(name), names_out);
        let sex = sex.slice(start as i64, len);
        let mut rows = Vec::with_capacity(len);
        let mut fed_by = feeds.cache();
        let (mut org_code, mut period_code, mut age_code, mut unit_code) =
            (orgs.cache(), periods_all.cache(), ages.cache(), units.cache());
        let columns = texts(&variable)
            .zip(sex.downcast_iter().flat_map(|a| a.values_iter().copied()))
            .zip(texts(&org).zip(texts(&period)))
            .zip(texts(&age).zip(texts(&unit)));
        for (i, (((v, s), (o, p)), (a, u))) in columns.enumerate() {
            let fed = fed_by(v, s);
            if fed.is_empty() {
                continue;
            }
            let pc = period_code(p);
            if !period_ok[pc as usize] {
                continue;
            }
            let (oc, ac) = (org_code(o), age_code(a));
            let cell = (start + i) as IdxSize;
            for f in fed {
                if age_ok[f.indicator as usize].as_ref().is_some_and(|ok| !ok[ac as usize]) {
                    continue;
                }
                rows.push((packing.key(f, oc, pc, ac), cell));
            }
            units_out[i] = unit_code(u) as u16;
        }
        rows
    };
    const RANGE: usize = 1 << 18;
    let (mut unit_of, mut name_of) = (vec![NO_UNIT; frame.height()], vec![NO_NAME; frame.height()]);
    let parts: Vec<Vec<(u64, IdxSize)>> = unit_of
        .par_chunks_mut(RANGE)
        .zip(name_of.par_chunks_mut(RANGE))
        .enumerate()
        .map(|(i, (units, names))| pack(i * RANGE, units, names))
        .collect();
    clock.lap("wide: keys packed");
    let rows = sort_by_key(&parts, indicators.len(), &packing);
    drop(parts);
    let kinds =
        units.values.iter().map(|&u| UnitKind { count: u == "count", additive: compute::additive(u) }).collect();
    Ok(Sorted { rows, packing, orgs, periods: periods_all, ages, names, unit: unit_of, name_of, kinds })
}

/// Each row's organisation name as its code in `names` ([`NO_NAME`] for null) into `out`.
/// Names repeat row after row, and two equal views of one chunk are one string, so a run of
/// one name costs one lookup.
fn code_names(names: &Dictionary<'_>, column: &StringChunked, out: &mut [u32]) {
    let mut code_of = names.cache();
    if column.null_count() > 0 {
        for (out, name) in out.iter_mut().zip(column.iter()) {
            *out = name.map_or(NO_NAME, &mut code_of);
        }
        return;
    }
    let mut out = out.iter_mut();
    for chunk in column.downcast_iter() {
        let mut last = None;
        for (view, text) in chunk.views().iter().zip(chunk.values_iter()) {
            let code = match last {
                Some((v, code)) if v == view.as_u128() => code,
                _ => code_of(text),
            };
            last = Some((view.as_u128(), code));
            *out.next().expect("one code per row") = code;
        }
    }
}

/// The packed keys of all `parts`, sorted by key and cell: a counting pass by indicator puts
/// each indicator's keys together (in the parts' order, so cells ascend within equal keys), and
/// each indicator's run is then sorted on the pool. Observations in the usual order (see
/// [`Packing`]) leave the runs sorted already, which the sort sees in one pass: at Kolada scale
/// (9.4 M keys) 0.085–0.10 s against 0.12 s for one parallel sort of all keys on both cores.
fn sort_by_key(parts: &[Vec<(u64, IdxSize)>], indicators: usize, packing: &Packing) -> Vec<(u64, IdxSize)> {
    use rayon::prelude::*;
    let mut start = vec![0usize; indicators.max(1) + 1];
    for &(key, _) in parts.iter().flatten() {
        start[packing.indicator(key) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut sorted = vec![(0u64, 0 as IdxSize); start[start.len() - 1]];
    let mut next = start.clone();
    for &(key, cell) in parts.iter().flatten() {
        let at = &mut next[packing.indicator(key)];
        sorted[*at] = (key, cell);
        *at += 1;
    }
    let mut runs: Vec<&mut [(u64, IdxSize)]> = Vec::with_capacity(indicators);
    let mut rest = sorted.as_mut_slice();
    for w in start.windows(2) {
        let (run, tail) = rest.split_at_mut(w[1] - w[0]);
        runs.push(run);
        rest = tail;
    }
    runs.par_iter_mut().for_each(|run| run.sort_unstable());
    sorted
}

/// A non-null text column's values, whatever its chunks.
fn texts(c: &StringChunked) -> impl Iterator<Item = &str> {
    c.downcast_iter().flat_map(|a| a.values_iter())
}

/// A non-null text column's values with their views, whatever its chunks.
fn viewed(c: &StringChunked) -> impl Iterator<Item = Text<'_>> {
    c.downcast_iter()
        .flat_map(|a| a.views().iter().zip(a.values_iter()).map(|(v, text)| Text { view: v.as_u128(), text }))
}

/// A text cell and its 16-byte view. A string of at most 12 bytes is held in the view itself
/// (length and bytes, zero-padded), so two such strings are equal exactly when their views
/// are: consecutive equal keys are recognised by one integer comparison, not a call to
/// `memcmp` (the dictionaries' scans 54 → 39 ms at Kolada scale). In the key-packing pass,
/// where the strings are read anyway, the views made it slower (120 → 190 ms), so it
/// compares strings.
#[derive(Clone, Copy)]
struct Text<'a> {
    view: u128,
    text: &'a str,
}

/// The longest string a view holds inline (Arrow's string view layout).
const INLINE: usize = 12;

impl Text<'_> {
    fn same(&self, other: &Text<'_>) -> bool {
        if self.text.len() <= INLINE && other.text.len() <= INLINE {
            self.view == other.view
        } else {
            self.text == other.text
        }
    }
}

/// The binding table as a lookup: which slots an observation (variable, stored sex) feeds.
struct Feeds<'a> {
    /// Each bound variable's position in `feeds`.
    variable: PlHashMap<&'a str, usize>,
    /// Per bound variable, per stored sex (K, M, T), the slots it feeds.
    feeds: Vec<[Vec<Feed>; 3]>,
}

impl<'a> Feeds<'a> {
    fn new(indicators: &'a [Indicator]) -> Self {
        let mut out = Feeds { variable: PlHashMap::default(), feeds: Vec::new() };
        for ((var, stored), fed) in feeds(indicators) {
            let next = out.feeds.len();
            let at = *out.variable.entry(var).or_insert(next);
            if at == next {
                out.feeds.push(Default::default());
            }
            out.feeds[at][stored as usize] = fed;
        }
        out
    }

    /// A lookup by variable and sex code that remembers the previous variable (observations
    /// come in runs of one variable's K, M and T).
    fn cache<'b>(&'b self) -> impl FnMut(&'b str, u8) -> &'b [Feed] + 'b {
        let mut last: Option<(&'b str, Option<usize>)> = None;
        move |v, sex| {
            let at = match last {
                Some((l, at)) if l == v => at,
                _ => {
                    let at = self.variable.get(v).copied();
                    last = Some((v, at));
                    at
                }
            };
            at.map_or(&[][..], |at| &self.feeds[at][sex as usize])
        }
    }
}

/// The distinct values of a key column in string order, with their codes.
struct Dictionary<'a> {
    values: Vec<&'a str>,
    code: PlHashMap<&'a str, u32>,
}

impl<'a> Dictionary<'a> {
    /// Nulls have no code (key columns have none: `Observations::new` checks; organisation
    /// names may).
    fn new(column: &'a StringChunked) -> Self {
        let mut seen: PlHashSet<&str> = PlHashSet::default();
        if column.null_count() == 0 {
            let mut last: Option<Text<'a>> = None;
            for v in viewed(column) {
                if !last.is_some_and(|l| l.same(&v)) {
                    seen.insert(v.text);
                    last = Some(v);
                }
            }
        } else {
            seen.extend(column.iter().flatten());
        }
        let mut values: Vec<&str> = seen.into_iter().collect();
        values.sort_unstable();
        let code = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
        Dictionary { values, code }
    }

    fn len(&self) -> u64 {
        self.values.len().max(1) as u64
    }

    /// A lookup that remembers the previous value.
    fn cache(&self) -> impl FnMut(&str) -> u32 + '_ {
        let mut last: Option<(&str, u32)> = None;
        move |v| match last {
            Some((l, c)) if l == v => c,
            _ => {
                let c = self.code[v];
                last = Some((self.values[c as usize], c));
                c
            }
        }
    }
}

/// What [`line_up`] finds in the sorted keys.
#[derive(Debug, Default)]
struct LinedUp {
    /// The first sorted row of each wide row.
    first: Vec<IdxSize>,
    /// Per slot, each wide row's cell ([`NONE`] where absent).
    slots: [Vec<IdxSize>; 5],
    /// The wide rows' groups (same indicator, organisation, period and age group).
    groups: Vec<(usize, usize)>,
    /// Sorted rows that feed one slot twice.
    doubled: Vec<Vec<usize>>,
}

/// The slots of [`wide`] from the sorted packed keys: the first sorted row of each wide row,
/// each slot's cell, the groups, and the sorted rows that feed a slot twice.
///
/// A group's keys are adjacent (see [`Packing`]), by slot, sex and priority, so a per-sex
/// variable found under its own sex (priority 0) comes before the same variable stored as T
/// (priority 1), which it then replaces. Each sex with a numerator or value is a wide row.
fn line_up(sorted: &[(u64, IdxSize)]) -> LinedUp {
    let key = |i: usize| sorted[i].0;
    let mut out = LinedUp::default();
    // At most one row per sorted entry (each row has a fed slot), usually one per two (numerator
    // and denominator): room for all of them is reserved at once, as growing by doubling copies
    // each column into fresh pages at every step. Room never written costs no memory.
    out.first.reserve(sorted.len());
    for column in &mut out.slots {
        column.reserve(sorted.len());
    }
    out.groups.reserve(sorted.len() / 2);
    let mut start = 0;
    while start < sorted.len() {
        let group = Packing::group(key(start));
        // Per sex, per slot: the sorted row feeding it ([`NONE`] for none) and its priority.
        let mut taken = [[NONE; 5]; 3];
        let mut priorities = [[0u8; 5]; 3];
        let mut end = start;
        while end < sorted.len() && Packing::group(key(end)) == group {
            let (slot, sex, priority) = Packing::slot(key(end));
            let at = taken[sex][slot];
            if at == NONE {
                (taken[sex][slot], priorities[sex][slot]) = (end as IdxSize, priority as u8);
            } else if u64::from(priorities[sex][slot]) == priority {
                // The same slot twice: gather every row of this slot and priority.
                let at = at as usize;
                if out.doubled.last().is_some_and(|rows| rows[0] == at) {
                    out.doubled.last_mut().expect("checked").push(end);
                } else if out.doubled.len() < 10_000 {
                    // Beyond 10 000 the report has enough; more only costs memory.
                    out.doubled.push(vec![at, end]);
                }
            } // else stored as T, but the own sex is there
            end += 1;
        }
        let first_row = out.first.len();
        for slots in taken {
            if slots[Slot::Numerator as usize] == NONE && slots[Slot::Value as usize] == NONE {
                continue;
            }
            out.first.push(slots.iter().copied().min().expect("five slots"));
            for (column, at) in out.slots.iter_mut().zip(slots) {
                column.push(if at == NONE { NONE } else { sorted[at as usize].1 });
            }
        }
        if out.first.len() > first_row {
            out.groups.push((first_row, out.first.len()));
        }
        start = end;
    }
    out
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
        (&a.variable, &a.org_id, &a.period, &a.age_group, &a.sex, &a.indicator).cmp(&(
            &b.variable,
            &b.org_id,
            &b.period,
            &b.age_group,
            &b.sex,
            &b.indicator,
        ))
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
fn in_range(p: &str, from: &Period, to: &Period) -> bool {
    let (fy, ty) = (from.to_string()[..4].to_string(), to.to_string()[..4].to_string());
    match p.parse::<Period>() {
        Ok(p) if p.frequency() == from.frequency() => from <= &p && &p <= to,
        _ => p.get(..4).is_some_and(|y| fy.as_str() <= y && y <= ty.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key of `group` (the bits above the last 32) for `sex` (0 K, 1 M, 2 T) and `slot`.
    fn key(group: u64, sex: u64, slot: Slot, priority: u64) -> u64 {
        group * 32 + slot as u64 * 6 + sex * 2 + priority
    }

    /// Equal texts are the same whether they sit in a view (≤ 12 bytes) or in a buffer, in one
    /// chunk or two; the dictionary and its cached lookup agree with the strings.
    #[test]
    fn texts_compare_by_view_or_by_string() {
        let long = "Organisation med ett långt namn";
        let mut column = StringChunked::from_slice("org".into(), &["X0001", "X0001", "X0002", long, long, "X0001"]);
        column.append(&StringChunked::from_slice("org".into(), &[long, "X0001", "X00010", "X0001"])).unwrap();
        assert_eq!(column.chunks().len(), 2);
        let all: Vec<Text<'_>> = viewed(&column).collect();
        let values: Vec<&str> = all.iter().map(|t| t.text).collect();
        assert_eq!(values, column.iter().flatten().collect::<Vec<_>>());
        for a in &all {
            for b in &all {
                assert_eq!(a.same(b), a.text == b.text, "{:?} and {:?}", a.text, b.text);
            }
        }
        let dictionary = Dictionary::new(&column);
        assert_eq!(dictionary.values, ["Organisation med ett långt namn", "X0001", "X00010", "X0002"]);
        let mut code = dictionary.cache();
        let codes: Vec<u32> = all.iter().map(|t| code(t.text)).collect();
        assert_eq!(codes, [1, 1, 3, 0, 0, 1, 0, 1, 2, 1]);
    }

    /// Names are coded by their text: a run of equal views in one chunk is one name, but the
    /// same view in the next chunk (the same place in that chunk's buffer, the same length and
    /// first bytes) may hold another name; a null has no code.
    #[test]
    fn names_are_coded_by_text_across_chunks() {
        let (a, b) = ("Kommunen med långt namn A", "Kommunen med långt namn B");
        let mut column = StringChunked::from_slice("org_name".into(), &["Kort", a]);
        column.append(&StringChunked::from_slice("org_name".into(), &[b, b, a])).unwrap();
        let views: Vec<u128> = column.downcast_iter().flat_map(|c| c.views().iter().map(|v| v.as_u128())).collect();
        assert_eq!(views[1], views[2], "the case needs one view for two names, one after the other");
        let names = Dictionary::new(&column);
        let code = |text: &str| names.values.iter().position(|v| *v == text).unwrap() as u32;
        let mut out = vec![0; 5];
        code_names(&names, &column, &mut out);
        assert_eq!(out, [code("Kort"), code(a), code(b), code(b), code(a)]);

        let gaps = StringChunked::from_iter_options("org_name".into(), [Some(a), None, Some("Kort")].into_iter());
        let names = Dictionary::new(&gaps);
        assert_eq!(names.values, [a, "Kort"]);
        let mut out = vec![0; 3];
        code_names(&names, &gaps, &mut out);
        assert_eq!(out, [0, NO_NAME, 1]);
    }

    /// The own sex's variable wins over the same variable stored as T, which serves a sex
    /// without its own; a slot fed twice is a conflict naming both rows; a row with a
    /// denominator only is no row of the indicator.
    #[test]
    fn line_up_prefers_the_own_sex_and_finds_doubles() {
        let sorted = [
            (key(1, 0, Slot::Numerator, 0), 5),
            (key(1, 0, Slot::Numerator, 1), 7),
            (key(1, 1, Slot::Numerator, 1), 12),
            (key(1, 0, Slot::Denominator, 0), 8),
            (key(2, 0, Slot::Denominator, 0), 9),
            (key(3, 2, Slot::Value, 1), 10),
        ];
        let lined = line_up(&sorted);
        assert_eq!(lined.first, [0, 2, 5]);
        assert_eq!(lined.slots[Slot::Numerator as usize], [5, 12, NONE]);
        assert_eq!(lined.slots[Slot::Denominator as usize], [8, NONE, NONE]);
        assert_eq!(lined.slots[Slot::Value as usize], [NONE, NONE, 10]);
        assert!(lined.doubled.is_empty());
        // K and M of group 1 side by side; group 2 has no row; group 3's T is a group of its own.
        assert_eq!(lined.groups, [(0, 2), (2, 3)]);
        let sexes =
            [(key(3, 0, Slot::Numerator, 0), 1), (key(3, 1, Slot::Numerator, 0), 2), (key(3, 2, Slot::Value, 0), 3)];
        assert_eq!(line_up(&sexes).groups, [(0, 3)], "K, M and T of one group");

        let twice = [
            (key(1, 0, Slot::Numerator, 0), 5),
            (key(1, 0, Slot::Denominator, 0), 8),
            (key(1, 0, Slot::Denominator, 0), 9),
            (key(1, 0, Slot::Denominator, 0), 11),
        ];
        assert_eq!(line_up(&twice).doubled, [vec![1, 2, 3]]);
    }

    /// Packed keys sort like the key columns, give back their codes, and refuse to overflow.
    #[test]
    fn packing_round_trips_and_orders() {
        let p = Packing::new(10, 300, 20, 7).unwrap();
        let feed = |indicator, sex, slot| Feed { indicator, slot, sex, priority: 0 };
        let a = p.key(&feed(2, Sex::M, Slot::Numerator), 299, 19, 6);
        let b = p.key(&feed(3, Sex::K, Slot::Numerator), 0, 0, 0);
        assert!(a < b);
        assert_eq!(p.place(a), Place { indicator: 2, org: 299, period: 19, age: 6, sex: Sex::M });
        assert_eq!(p.place(b), Place { indicator: 3, org: 0, period: 0, age: 0, sex: Sex::K });
        let c = p.key(&feed(9, Sex::T, Slot::Value), 5, 7, 1);
        assert_eq!(p.place(c), Place { indicator: 9, org: 5, period: 7, age: 1, sex: Sex::T });
        let d = p.key(&feed(9, Sex::K, Slot::Numerator), 5, 7, 1);
        assert_eq!(Packing::group(c), Packing::group(d), "one group, whatever the sex and slot");
        assert!(d < c);
        assert_eq!(Packing::slot(c), (Slot::Value as usize, 2, 0));
        assert!(Packing::new(1 << 40, 1 << 10, 1 << 10, 1).is_none(), "65 bits");
        assert!(Packing::new(1 << 39, 1 << 10, 1 << 10, 1).is_some(), "64 bits");
    }

    /// The counting pass by indicator and the runs' sort give what one sort of everything gives,
    /// for keys in the usual order and in any order, with equal keys in several parts.
    #[test]
    fn sort_by_key_equals_one_sort() {
        let p = Packing::new(4, 3, 2, 1).unwrap();
        let feed = |indicator, sex, slot| Feed { indicator, slot, sex, priority: 0 };
        let mut all = Vec::new();
        for org in 0..3 {
            for period in 0..2 {
                for ind in 0..4 {
                    for slot in [Slot::Numerator, Slot::Denominator] {
                        for sex in Sex::ALL {
                            all.push(p.key(&feed(ind, sex, slot), org, period, 0));
                        }
                    }
                }
            }
        }
        let usual: Vec<(u64, IdxSize)> = all.iter().enumerate().map(|(c, &k)| (k, c as IdxSize)).collect();
        let mut shuffled = usual.clone();
        shuffled.reverse();
        shuffled.rotate_left(7);
        shuffled.push(usual[3]); // a key twice, in another part
        for rows in [usual, shuffled] {
            let parts: Vec<Vec<(u64, IdxSize)>> = rows.chunks(10).map(<[_]>::to_vec).collect();
            let mut expected = rows.clone();
            expected.sort_unstable();
            assert_eq!(sort_by_key(&parts, 4, &p), expected);
        }
    }
}
