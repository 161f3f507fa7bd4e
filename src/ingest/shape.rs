//! Rows → observations, by a [`Layout`]: one pass, every cell checked, every problem located.
//!
//! The shaper is shared by the CSV and spreadsheet readers: they hand it rows of [`Cell`]s and it
//! parses organisation, period, sex, age and values, checks duplicates and frequencies, and
//! appends to the [`ObservationsBuilder`]. Strings are interned once per distinct run, so a wide
//! file costs a few hash probes per row, not an allocation per cell.

use std::collections::HashMap;

use super::decode::Text;
use super::error::IngestError;
use super::layout::{Layout, Origin, split_code};
use super::number::{self, Parsed};
use super::options::{DecimalMark, InputHints};
use super::{PROBLEM_CAP, Session};
use crate::error::{Location, Problem, column_letters};
use crate::model::observations::{FxBuild, Interner, NO_NAME, ObservationsBuilder, RowIds};
use crate::model::{Frequency, OrgId, Period, Sex, Status, Unit, normalise_age};

/// One cell as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    /// Raw CSV bytes in the file's encoding, decoded only when text is needed: numbers are
    /// parsed from the bytes, and repeated codes and names are recognised by them.
    Bytes(&'a [u8], Text),
    Number(f64),
    /// A spreadsheet error value (`#DIV/0!`).
    Error(&'a str),
}

impl<'a> Cell<'a> {
    /// The cell as owned text (empty for an empty cell), for layout detection.
    pub fn text_owned(&self) -> String {
        self.text().trim().to_string()
    }

    fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The bytes that identify a text cell, for caches (`None` for numbers and errors).
    fn key(&self) -> Option<&'a [u8]> {
        match *self {
            Cell::Empty => Some(b""),
            Cell::Text(t) => Some(t.as_bytes()),
            Cell::Bytes(b, _) => Some(b),
            Cell::Number(_) | Cell::Error(_) => None,
        }
    }

    /// The cell as text; integral numbers lose their `.0` (Excel stores codes and years as numbers).
    pub(crate) fn text(&self) -> std::borrow::Cow<'a, str> {
        match *self {
            Cell::Empty => "".into(),
            Cell::Text(t) | Cell::Error(t) => t.into(),
            Cell::Bytes(b, text) => text.decode(b),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", n as i64).into(),
            Cell::Number(n) => n.to_string().into(),
        }
    }
}

/// A row of cells from any reader.
pub trait Row {
    /// Number of cells.
    fn width(&self) -> usize;
    fn cell(&self, i: usize) -> Cell<'_>;
}

/// Where rows and columns are in the user's terms.
#[derive(Clone, Debug)]
pub struct Locator {
    pub source: String,
    /// Spreadsheets: the sheet, so locations also read `Blad1!D17`.
    pub sheet: Option<String>,
    /// Spreadsheets: the column number of the first cell of each row, minus one.
    pub column_offset: u32,
}

impl Locator {
    pub fn at(&self, line: u32, index: Option<usize>) -> Location {
        let column = index.map(|i| i as u32 + 1 + self.column_offset);
        let loc = Location::at(self.source.clone(), line, column);
        match (&self.sheet, column) {
            (Some(sheet), Some(c)) => loc.with_cell(format!("{sheet}!{}{line}", column_letters(c))),
            _ => loc,
        }
    }
}

/// Problems of one file, capped; the rest are counted.
#[derive(Debug, Default)]
pub struct Problems {
    pub list: Vec<Problem<IngestError>>,
    pub more: usize,
    cap: usize,
}

impl Problems {
    pub fn with_cap(cap: usize) -> Problems {
        Problems { list: Vec::new(), more: 0, cap }
    }

    pub fn push(&mut self, p: Problem<IngestError>) {
        if self.list.len() < self.cap {
            self.list.push(p);
        } else {
            self.more += 1;
        }
    }

    /// Adds a problem with its kind's generic hint.
    pub fn add(&mut self, location: Location, kind: IngestError) {
        let hint = kind.hint();
        self.push(Problem::new(location, kind).with_hint(hint));
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn total(&self) -> usize {
        self.list.len() + self.more
    }
}

/// The frequency of each interned period, and the first period seen for each variable (with
/// where), to refuse mixed frequencies across rows with two array lookups per value. Files are
/// read apart; [`Frequencies::first_seen`] lets the session compare them across files.
#[derive(Debug, Default)]
pub struct Frequencies {
    by_period: Vec<Frequency>,
    by_variable: Vec<Option<FirstSeen>>,
}

/// The first period of a variable in a file, which fixes the variable's frequency.
#[derive(Clone, Debug)]
pub struct FirstSeen {
    pub frequency: Frequency,
    /// The period's interned id.
    pub period: u32,
    pub at: Location,
}

impl Frequencies {
    /// The first period of each variable (by interned id) that has one.
    pub fn first_seen(self) -> impl Iterator<Item = (u32, FirstSeen)> {
        self.by_variable.into_iter().enumerate().filter_map(|(v, f)| Some((v as u32, f?)))
    }

    /// Records `first` for `variable` unless the variable has a period already; returns that
    /// earlier one when its frequency differs.
    pub fn claim(&mut self, variable: u32, first: FirstSeen) -> Option<&FirstSeen> {
        let slots = &mut self.by_variable;
        if slots.len() <= variable as usize {
            slots.resize(variable as usize + 1, None);
        }
        match &slots[variable as usize] {
            Some(_) => slots[variable as usize].as_ref().filter(|e| e.frequency != first.frequency),
            None => {
                slots[variable as usize] = Some(first);
                None
            }
        }
    }

    /// Whether `variable` already has a period of `frequency` (the usual case, decided without
    /// building the location a first sighting records).
    fn agrees(&self, variable: u32, frequency: Frequency) -> bool {
        matches!(self.by_variable.get(variable as usize), Some(Some(e)) if e.frequency == frequency)
    }

    fn of_period(&mut self, period: u32, periods: &Interner) -> Frequency {
        while self.by_period.len() <= period as usize {
            let text = periods.get(self.by_period.len() as u32);
            self.by_period.push(text.parse::<Period>().expect("interned periods are canonical").frequency());
        }
        self.by_period[period as usize]
    }
}

/// Per-file counts for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeCounts {
    pub rows: usize,
    pub empty_values: usize,
    /// Lines with a single non-empty cell (titles and footnotes such as `Källa: SCB`), skipped.
    pub notes: Vec<(u32, String)>,
    /// Variables (interned ids) with a `%` after some value: their unit is percent.
    pub percent_variables: Vec<u32>,
}

/// Organisation, variable, period, age and sex (0 when the sex is in the headers) in one key,
/// in the order exports are usually sorted by.
fn key(org: u32, period: Option<u32>, variable: u32, age: u32, sex: Option<Sex>) -> u128 {
    let sex = sex.map_or(0, |s| s as u128 + 1);
    (u128::from(org) << 96)
        | (u128::from(variable) << 64)
        | (u128::from(period.unwrap_or(u32::MAX)) << 32)
        | (u128::from(age) << 8)
        | sex
}

/// Ids of cells by their raw bytes. A cell of up to 7 bytes (years, quarters, months, short
/// codes) is packed with its length into one integer and found first in a small direct-mapped
/// table, then in a map of such integers; longer cells are looked up by their bytes. Periods
/// change on every row of a typical export, and hashing their bytes was a twelfth of CSV ingest.
#[derive(Debug)]
struct CellIds {
    recent: [(u64, u32); RECENT],
    short: HashMap<u64, u32, FxBuild>,
    long: HashMap<Vec<u8>, u32, FxBuild>,
}

/// Slots of [`CellIds::recent`]: more than the periods of most files.
const RECENT: usize = 64;

impl Default for CellIds {
    fn default() -> CellIds {
        // No packed key is all ones: its top byte is a length of at most 7.
        CellIds { recent: [(u64::MAX, 0); RECENT], short: HashMap::default(), long: HashMap::default() }
    }
}

impl CellIds {
    fn pack(b: &[u8]) -> Option<u64> {
        (b.len() < 8).then(|| b.iter().rev().fold(0u64, |k, &c| (k << 8) | u64::from(c)) | (b.len() as u64) << 56)
    }

    fn slot(key: u64) -> usize {
        // Fibonacci hashing: the top bits of the product mix every byte of the key.
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT.trailing_zeros())) as usize
    }

    fn get(&mut self, b: &[u8]) -> Option<u32> {
        let Some(key) = Self::pack(b) else { return self.long.get(b).copied() };
        let slot = &mut self.recent[Self::slot(key)];
        if slot.0 == key {
            return Some(slot.1);
        }
        let id = self.short.get(&key).copied()?;
        *slot = (key, id);
        Some(id)
    }

    fn insert(&mut self, b: &[u8], id: u32) {
        match Self::pack(b) {
            Some(key) => {
                self.short.insert(key, id);
                self.recent[Self::slot(key)] = (key, id);
            }
            None => {
                self.long.insert(b.to_vec(), id);
            }
        }
    }
}

pub struct Shaper<'a> {
    layout: &'a Layout,
    hints: &'a InputHints,
    decimal: DecimalMark,
    loc: Locator,
    source_id: u32,
    unit_id: u32,
    builder: &'a mut ObservationsBuilder,
    frequencies: &'a mut Frequencies,
    /// (key, line) of every row, checked for duplicates when the file ends: rows usually come
    /// sorted, so that is one pass, and a sort otherwise — cheaper than a hash insert per row.
    seen: Vec<(u128, u32)>,
    fixed_variable: Option<u32>,
    fixed_period: Option<u32>,
    all_ages: u32,
    /// Header periods of the value columns, interned.
    column_periods: Vec<Option<u32>>,
    /// The previous row's organisation cell and name cell, and their ids: consecutive rows of
    /// one organisation (the common order) skip parsing and hashing.
    last_org: Option<(Vec<u8>, Vec<u8>, u32, u32)>,
    /// Variable cells already interned, by their raw bytes.
    variable_ids: CellIds,
    /// The previous row's variable cell and id: files sorted by variable skip the hash.
    last_variable: Option<(Vec<u8>, u32)>,
    /// Period cells already parsed, by their raw bytes.
    period_ids: CellIds,
    /// The last (variable, period) pair whose frequency was checked.
    last_checked: Option<(u32, u32)>,
    pub problems: Problems,
    pub counts: ShapeCounts,
}

impl<'a> Shaper<'a> {
    /// Every row gets the session's current unit (a file-level fact, patched by the caller once
    /// percent signs have been seen) unless the layout has a unit column.
    pub fn new(
        layout: &'a Layout,
        hints: &'a InputHints,
        decimal: DecimalMark,
        loc: Locator,
        session: &'a mut Session,
    ) -> Shaper<'a> {
        let Session { builder, frequencies, unit, .. } = session;
        let (unit_id, cap) = (*unit, PROBLEM_CAP);
        let source_id = builder.sources.intern(&loc.source);
        let fixed_variable = match &layout.variable {
            Origin::Fixed(v) => Some(builder.variables.intern(v)),
            _ => None,
        };
        let fixed_period = match &layout.period {
            Origin::Fixed(p) => Some(builder.periods.intern(&p.to_string())),
            _ => None,
        };
        let column_periods =
            layout.values.iter().map(|v| v.period.map(|p| builder.periods.intern(&p.to_string()))).collect();
        let all_ages = builder.ages.intern("all");
        Shaper {
            layout,
            hints,
            decimal,
            loc,
            source_id,
            unit_id,
            builder,
            frequencies,
            seen: Vec::new(),
            fixed_variable,
            fixed_period,
            all_ages,
            column_periods,
            last_org: None,
            period_ids: CellIds::default(),
            variable_ids: CellIds::default(),
            last_variable: None,
            last_checked: None,
            problems: Problems::with_cap(cap),
            counts: ShapeCounts::default(),
        }
    }

    /// Ends the file: duplicates are found, then what went wrong and what was counted returned.
    pub fn finish(mut self) -> (Problems, ShapeCounts) {
        let sorted = self.seen.windows(2).all(|w| w[0].0 < w[1].0);
        if !sorted {
            // Stable by key, then line: each duplicate is reported against its first line.
            self.seen.sort_unstable();
            let mut dups: Vec<(u32, u32, u128)> = Vec::new();
            let mut i = 0;
            while i < self.seen.len() {
                let mut j = i + 1;
                while j < self.seen.len() && self.seen[j].0 == self.seen[i].0 {
                    dups.push((self.seen[j].1, self.seen[i].1, self.seen[i].0));
                    j += 1;
                }
                i = j;
            }
            dups.sort_unstable();
            for (line, first_line, key) in dups {
                let part = |shift: u32| (key >> shift) as u32;
                let period = part(32);
                let sex = (key & 0xFF) as u8;
                let what = format!(
                    "{} {} {}{}",
                    self.builder.orgs.get(part(96)),
                    if period == u32::MAX { "" } else { self.builder.periods.get(period) },
                    self.builder.variables.get(part(64)),
                    if sex == 0 { String::new() } else { format!(" {}", Sex::ALL[sex as usize - 1]) }
                );
                self.problems.add(self.loc.at(line, None), IngestError::Duplicate { first_line, key: what });
            }
        }
        (self.problems, self.counts)
    }

    /// Parses one data row. Blank rows are skipped; one-cell rows are notes.
    pub fn push_row(&mut self, line: u32, row: &impl Row) {
        // Only "none", "one" or "more" matters: stop counting at two.
        let filled = (0..row.width()).filter(|&i| !row.cell(i).is_empty()).take(2).count();
        if filled == 0 {
            return;
        }
        if filled == 1 {
            let text = (0..row.width()).map(|i| row.cell(i)).find(|c| !c.is_empty()).map(|c| c.text().into_owned());
            self.counts.notes.push((line, text.unwrap_or_default()));
            return;
        }
        self.counts.rows += 1;
        let before = self.problems.total();
        let l = self.layout;
        let org = self.org(line, row);
        let period = match l.period {
            Origin::Column(c) => self.period(line, c, row),
            Origin::Fixed(_) => self.fixed_period,
            Origin::Header => None,
        };
        let variable = match l.variable {
            Origin::Column(c) => {
                let cell = row.cell(c);
                let known = match (cell.key(), &self.last_variable) {
                    (Some(k), Some((last, id))) if k == last.as_slice() => Some(*id),
                    (Some(k), _) => {
                        let id = self.variable_ids.get(k);
                        self.last_variable = id.map(|id| (k.to_vec(), id));
                        id
                    }
                    (None, _) => None,
                };
                match known {
                    Some(id) => Some(id),
                    None => match cell.text().trim() {
                        "" => {
                            self.problems.add(self.loc.at(line, Some(c)), IngestError::EmptyCell { role: "variable" });
                            None
                        }
                        v => {
                            let id = self.builder.variables.intern(v);
                            if let Some(k) = cell.key() {
                                self.variable_ids.insert(k, id);
                            }
                            Some(id)
                        }
                    },
                }
            }
            _ => self.fixed_variable,
        };
        let sex = match l.sex {
            Origin::Column(c) => match Sex::parse(&row.cell(c).text(), self.hints.sex_codes) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.problems.add(self.loc.at(line, Some(c)), e.into());
                    None
                }
            },
            Origin::Fixed(s) => Some(s),
            Origin::Header => None,
        };
        let age = match l.age {
            Some(c) => match normalise_age(&row.cell(c).text()) {
                Ok(a) => Some(self.builder.ages.intern(&a)),
                Err(e) => {
                    self.problems.add(self.loc.at(line, Some(c)), e.into());
                    None
                }
            },
            None => Some(self.all_ages),
        };
        let status = match l.status {
            Some(c) => match row.cell(c).text().trim() {
                "" => Ok(None),
                t => t.parse::<Status>().map(Some).map_err(|e| {
                    self.problems.add(self.loc.at(line, Some(c)), e.into());
                }),
            },
            None => Ok(None),
        };
        if self.problems.total() > before {
            return;
        }
        let (Some((org, name)), Some(variable), Some(age), Ok(status)) = (org, variable, age, status) else {
            return;
        };
        let row_sex = match l.sex {
            Origin::Header => None,
            _ => sex,
        };
        self.seen.push((key(org, period, variable, age, row_sex), line));
        for (k, vc) in l.values.iter().enumerate() {
            let period = period.or(self.column_periods[k]).expect("a period column, a fixed period or header periods");
            let sex = sex.or(vc.sex).expect("a sex column, a fixed sex or header sexes");
            if k == 0 || self.column_periods[k].is_some() {
                self.check_frequency(line, l.period_index(), variable, period);
            }
            let Some((value, status, percent)) = self.value(line, vc.index, row.cell(vc.index), status) else {
                continue;
            };
            if percent && !self.counts.percent_variables.contains(&variable) {
                self.counts.percent_variables.push(variable);
            }
            let unit = match l.unit {
                Some(c) => {
                    let text = row.cell(c).text();
                    let unit: Unit = text.parse().unwrap_or(Unit::Unspecified);
                    self.builder.units.intern(unit.name())
                }
                None => self.unit_id,
            };
            let ids = RowIds { source: self.source_id, row: line, org, name, period, variable, sex, age, unit };
            self.builder.push(ids, value, status);
        }
    }

    fn org(&mut self, line: u32, row: &impl Row) -> Option<(u32, u32)> {
        let l = self.layout;
        let c = l.org.index;
        // Consecutive rows of one organisation are recognised by their raw cells, undecoded.
        let org_key = row.cell(c).key();
        let name_key = l.org_name.map_or(Some(&b""[..]), |n| row.cell(n).key());
        if let (Some((last, last_name, id, name)), Some(ok), Some(nk)) = (&self.last_org, org_key, name_key)
            && last.as_slice() == ok
            && last_name.as_slice() == nk
        {
            return Some((*id, *name));
        }
        let cell = row.cell(c).text();
        let text = cell.trim();
        let name_cell = l.org_name.map(|n| row.cell(n).text());
        let name_text = name_cell.as_deref().map_or("", str::trim);
        let (code, split) = if l.org.split_name {
            match split_code(text) {
                Some((code, name)) => (code, Some(name)),
                None => (text, None),
            }
        } else {
            (text, None)
        };
        let parsed = match l.org.width {
            Some(w) => OrgId::numeric(code, w, self.hints.pad_org_codes),
            None => OrgId::new(code),
        };
        let id = match parsed {
            Ok(org) => self.builder.orgs.intern(org.as_str()),
            Err(e) => {
                self.problems.add(self.loc.at(line, Some(c)), e.into());
                return None;
            }
        };
        let name = match (l.org_name, split) {
            // A name quoted over two lines keeps one line break whatever the file's line ends.
            (Some(_), _) => match name_text {
                "" => NO_NAME,
                t if t.contains('\r') => self.builder.names.intern(&t.replace("\r\n", "\n")),
                t => self.builder.names.intern(t),
            },
            (None, Some(n)) => self.builder.names.intern(n),
            (None, None) => NO_NAME,
        };
        if let (Some(ok), Some(nk)) = (org_key, name_key) {
            self.last_org = Some((ok.to_vec(), nk.to_vec(), id, name));
        }
        Some((id, name))
    }

    fn period(&mut self, line: u32, c: usize, row: &impl Row) -> Option<u32> {
        let cell = row.cell(c);
        if let Some(id) = cell.key().and_then(|k| self.period_ids.get(k)) {
            return Some(id);
        }
        let text = cell.text();
        let text = text.trim();
        if text.is_empty() {
            self.problems.add(self.loc.at(line, Some(c)), IngestError::EmptyCell { role: "period" });
            return None;
        }
        match text.parse::<Period>() {
            Ok(p) => {
                let id = self.builder.periods.intern(&p.to_string());
                if let Some(k) = cell.key() {
                    self.period_ids.insert(k, id);
                }
                Some(id)
            }
            Err(e) => {
                self.problems.add(self.loc.at(line, Some(c)), e.into());
                None
            }
        }
    }

    /// One frequency per variable, across rows and files: the first period seen decides.
    fn check_frequency(&mut self, line: u32, column: Option<usize>, variable: u32, period: u32) {
        if self.last_checked == Some((variable, period)) {
            return;
        }
        let frequency = self.frequencies.of_period(period, &self.builder.periods);
        if self.frequencies.agrees(variable, frequency) {
            self.last_checked = Some((variable, period));
            return;
        }
        let here = FirstSeen { frequency, period, at: self.loc.at(line, column) };
        match self.frequencies.claim(variable, here) {
            Some(expected) => {
                let kind = mixed_frequency(
                    self.builder.periods.get(period),
                    frequency,
                    self.builder.variables.get(variable),
                    expected,
                );
                self.problems.add(self.loc.at(line, column), kind);
            }
            None => self.last_checked = Some((variable, period)),
        }
    }

    /// The value and status of one value cell, checked against the row's status column.
    /// Also says whether the number carried a `%`.
    fn value(
        &mut self,
        line: u32,
        c: usize,
        cell: Cell<'_>,
        row_status: Option<Status>,
    ) -> Option<(Option<f64>, Option<Status>, bool)> {
        let parsed = match cell {
            Cell::Empty => Parsed::Empty,
            Cell::Number(v) => Parsed::Number { value: v, percent: false },
            Cell::Error(e) => {
                self.problems.add(self.loc.at(line, Some(c)), IngestError::CellError { found: e.to_string() });
                return None;
            }
            Cell::Text(_) | Cell::Bytes(..) => match parse_cell(cell, self.decimal) {
                Ok(p) => p,
                Err(e) => {
                    let kind = IngestError::Number {
                        found: cell.text().trim().to_string(),
                        expected: number::expected(self.decimal).to_string(),
                    };
                    let hint = e.other_mark.map(|m| {
                        format!("the value reads as a number with decimal {}; set decimal = \"{}\" in this file's [[input]] in round.toml", if m == DecimalMark::Comma { "comma" } else { "point" }, m.char())
                    });
                    self.problems.push(Problem::new(self.loc.at(line, Some(c)), kind).with_hint(hint));
                    return None;
                }
            },
        };
        let percent = matches!(parsed, Parsed::Number { percent: true, .. });
        if parsed == Parsed::Empty {
            self.counts.empty_values += 1;
        }
        let (value, status) = parsed.value_status();
        match (row_status, value, status) {
            (None, v, s) => Some((v, s, percent)),
            (Some(rs), Some(_), None) if rs.value_absent() => {
                let kind = IngestError::ValueWithAbsentStatus {
                    value: cell.text().trim().to_string(),
                    status: rs.to_string(),
                };
                self.problems.add(self.loc.at(line, Some(c)), kind);
                None
            }
            (Some(Status::Zero), v, _) if v != Some(0.0) => {
                let kind = IngestError::ValueWithZeroStatus { value: cell.text().trim().to_string() };
                self.problems.add(self.loc.at(line, Some(c)), kind);
                None
            }
            (Some(rs), None, _) if !rs.value_absent() => {
                self.problems
                    .add(self.loc.at(line, Some(c)), IngestError::NoValueWithStatus { status: rs.to_string() });
                None
            }
            // The status column refines the cell: `..` under status `confidential` is confidential.
            (Some(rs), v, _) => Some((v, Some(rs), percent)),
        }
    }
}

/// Parses a value cell; bytes that are UTF-8 or ASCII (a number, in any encoding read here)
/// are parsed as they are, without decoding.
fn parse_cell(cell: Cell<'_>, decimal: DecimalMark) -> Result<Parsed, number::NumberError> {
    match cell {
        Cell::Bytes(b, Text::Utf8) => number::parse_value_bytes(b, decimal),
        // A plain number is ASCII: only the other cells need the check before the UTF-8 parser.
        Cell::Bytes(b, _) if let Some(parsed) = number::plain_value(b, decimal) => Ok(parsed),
        Cell::Bytes(b, _) if b.is_ascii() => number::parse_value_bytes(b, decimal),
        _ => number::parse_value(&cell.text(), decimal),
    }
}

/// A period of another frequency than the variable's first.
pub fn mixed_frequency(found: &str, frequency: Frequency, variable: &str, expected: &FirstSeen) -> IngestError {
    IngestError::MixedFrequency {
        found: found.to_string(),
        found_freq: frequency.adjective(),
        variable: variable.to_string(),
        expected_freq: expected.frequency.adjective(),
        first: expected.at.to_string(),
    }
}

impl Layout {
    fn period_index(&self) -> Option<usize> {
        match self.period {
            Origin::Column(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ids_tell_apart_lengths_zero_bytes_and_long_cells() {
        let keys: [&[u8]; 9] = [
            b"",
            b"\0",
            b"\0\0",
            b"1985",
            b"1985\0",
            b"m\xE5tt_000",
            b"123456789012345",
            b"1234567890123456",
            b"12345678901234567",
        ];
        let mut ids = CellIds::default();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(ids.get(k), None, "{k:?} before insert");
            ids.insert(k, i as u32);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(ids.get(k), Some(i as u32), "{k:?}");
        }
        assert_eq!((ids.short.len(), ids.long.len()), (5, 4));
        assert_eq!(ids.get(b"1986"), None);
        // More cells than cache slots: collisions fall back to the map, twice over.
        let mut ids = CellIds::default();
        for y in 1000..1500u32 {
            ids.insert(y.to_string().as_bytes(), y);
        }
        for _ in 0..2 {
            for y in (1000..1500u32).rev() {
                assert_eq!(ids.get(y.to_string().as_bytes()), Some(y));
            }
        }
    }
}
