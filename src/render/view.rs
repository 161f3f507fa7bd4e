//! The published results, regrouped for rendering: one [`Panel`] per indicator × age group,
//! holding each focus organisation's series (participants, then mentors), the partner group,
//! and every reference organisation's published cells.
//!
//! A `View` is built only from the three published tables ([`IndicatorValues`], [`Gaps`],
//! [`Comparison`]), in which a suppressed number is already absent (the indicator stage removes
//! it before the tables are built). Charts, the HTML report, findings and the workbook read
//! nothing else, so nothing they write can rest on a hidden value; [`View::build`] checks that
//! promise again and refuses a table whose suppressed row carries a number.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::compare::Comparison;
use crate::indicators::{Gaps, Indicator, IndicatorValues};
use crate::model::Role;
use crate::round::Round;

/// Why a number is absent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    #[default]
    Published,
    /// Hidden by disclosure control: written `..` everywhere.
    Suppressed,
    /// Absent at source (or the organisation has no row for that period).
    Missing,
    /// Another source status (`not_applicable`, `confidential`, `preliminary`…).
    Other(String),
}

impl Status {
    fn parse(s: Option<&str>) -> Status {
        match s {
            None | Some("") => Status::Published,
            Some("suppressed") => Status::Suppressed,
            Some("missing") => Status::Missing,
            Some(other) => Status::Other(other.to_string()),
        }
    }

    pub fn is_suppressed(&self) -> bool {
        *self == Status::Suppressed
    }
}

/// The comparison's sexes, with the gap (K − M) as a fourth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    K,
    M,
    T,
    Gap,
}

impl Key {
    fn parse(s: &str) -> Option<Key> {
        match s {
            "K" => Some(Key::K),
            "M" => Some(Key::M),
            "T" => Some(Key::T),
            "gap" => Some(Key::Gap),
            _ => None,
        }
    }
}

/// One published (or not) per-sex value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub status: Status,
}

impl Cell {
    fn missing() -> Cell {
        Cell { status: Status::Missing, ..Cell::default() }
    }
}

/// Who favours a gap, by the indicator's polarity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Favours {
    Women,
    Men,
    #[default]
    None,
}

/// One organisation's gender gap in one period (`gaps.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gap {
    /// K − M.
    pub diff: Option<f64>,
    pub diff_ci: Option<(f64, f64)>,
    /// K / M.
    pub ratio: Option<f64>,
    pub ratio_ci: Option<(f64, f64)>,
    pub women_share: Option<f64>,
    pub women_share_ci: Option<(f64, f64)>,
    /// Share indicators: women's share of the base (members) the resource share is set against.
    pub base_share: Option<f64>,
    /// From the interval of the difference; `None` when there is no interval.
    pub significant: Option<bool>,
    pub favours: Favours,
    pub status: Status,
}

/// A trend over the last five periods.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    pub slope: f64,
    pub ci: Option<(f64, f64)>,
    /// Significant at 99.8 % and the direction survives leaving out each point (Fingertips).
    pub marker: bool,
}

/// Where one organisation's value stands (`comparison.csv` and its details).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Position {
    pub rank: Option<usize>,
    pub n: Option<usize>,
    pub percentile: Option<f64>,
    pub quartile: Option<u8>,
    /// Kolada's colour (`green`, `yellow`, `red`; empty for neutral indicators).
    pub colour: String,
    pub vs_mentor: Option<f64>,
    pub vs_mentor_ci: Option<(f64, f64)>,
    pub change: Option<f64>,
    pub change_ci: Option<(f64, f64)>,
    pub first_period: Option<String>,
    pub trend: Option<Trend>,
    /// Funnel limits at this organisation's denominator: 95 % and 99.8 %.
    pub funnel_95: Option<(f64, f64)>,
    pub funnel_998: Option<(f64, f64)>,
}

/// The reference set's five-number summary (type 7 quartiles) for one period and sex.
pub use crate::stats::position::Distribution as Spread;

/// An organisation in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// One organisation in one period: its cells, gap and positions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    pub k: Option<Cell>,
    pub m: Option<Cell>,
    pub t: Option<Cell>,
    pub gap: Option<Gap>,
    /// By sex (K, M, T) and for the gap.
    pub position: BTreeMap<Key, Position>,
}

impl Entry {
    /// The cell of one sex, or a missing one.
    pub fn cell(&self, key: Key) -> Cell {
        let c = match key {
            Key::K => &self.k,
            Key::M => &self.m,
            Key::T => &self.t,
            Key::Gap => &None,
        };
        c.clone().unwrap_or_else(Cell::missing)
    }
}

/// One organisation's entries by period.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub org: Org,
    pub periods: BTreeMap<String, Entry>,
}

/// The partner group's pooled (Σx / Σn) or mean value, one period and sex.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub value: Option<f64>,
    /// `partner_group_pooled`, `partner_group_mean`, or `partner_group` (incomplete).
    pub how: String,
}

/// Everything about one indicator for one age group.
#[derive(Clone, Debug)]
pub struct Panel {
    pub indicator: Indicator,
    pub age_group: String,
    /// Every period with a row, ascending.
    pub periods: Vec<String>,
    /// The latest period in which a focus organisation has a published women's or men's value.
    pub latest: Option<String>,
    /// Participants, then mentors, in the round's order.
    pub focus: Vec<Series>,
    /// Reference organisations (every organisation without a focus role), by id.
    pub reference: Vec<Series>,
    /// The reference set's summary per period and sex (gap: of the size of the gap |K − M|).
    pub spread: BTreeMap<(String, Key), Spread>,
    /// The partner group per period and sex.
    pub partners: BTreeMap<(String, Key), Group>,
}

impl Panel {
    /// File-name stem of the panel's charts (`fall_injuries-80-89` style; `all` is left out).
    pub fn stem(&self) -> String {
        if self.age_group == "all" {
            self.indicator.id.clone()
        } else {
            let age: String = self.age_group.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
            format!("{}_{age}", self.indicator.id)
        }
    }
}

/// The round as the report presents it.
#[derive(Clone, Debug)]
pub struct View {
    pub name: String,
    pub participants: Vec<Org>,
    pub mentors: Vec<Org>,
    /// How many organisations are in the reference set.
    pub reference_n: usize,
    pub min_count: u32,
    pub level: f64,
    pub panels: Vec<Panel>,
}

/// Why a view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("{table}: row {row} ({indicator}, {org}, {period}) is suppressed but carries a number in {column}")]
    Leak { table: &'static str, row: usize, indicator: String, org: String, period: String, column: String },
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// Typed access to one frame's columns.
struct Columns<'a>(&'a DataFrame);

impl<'a> Columns<'a> {
    fn str(&self, name: &str) -> PolarsResult<&'a StringChunked> {
        self.0.column(name)?.str()
    }
    fn f64(&self, name: &str) -> PolarsResult<&'a Float64Chunked> {
        self.0.column(name)?.f64()
    }
    fn u32(&self, name: &str) -> PolarsResult<&'a UInt32Chunked> {
        self.0.column(name)?.u32()
    }
    fn bool(&self, name: &str) -> PolarsResult<&'a BooleanChunked> {
        self.0.column(name)?.bool()
    }
}

fn pair(low: Option<f64>, high: Option<f64>) -> Option<(f64, f64)> {
    low.zip(high)
}

impl View {
    /// Regroups the published tables by indicator × age group. `indicators` fixes the order of
    /// the panels (the catalogue's); organisations keep the round's order.
    pub fn build(
        values: &IndicatorValues,
        gaps: &Gaps,
        comparison: &Comparison,
        indicators: &[Indicator],
        round: &Round,
        level: f64,
    ) -> Result<View, ViewError> {
        let names = org_names(values)?;
        let org = |id: &str| Org {
            id: id.to_string(),
            name: names.get(id).cloned().unwrap_or_else(|| id.to_string()),
            role: round.role_of(id),
        };
        let participants: Vec<Org> = round.participants.iter().map(|o| org(o.as_str())).collect();
        let mentors: Vec<Org> = round.mentors.iter().map(|o| org(o.as_str())).collect();
        let focus: Vec<Org> = participants.iter().chain(&mentors).cloned().collect();

        // (indicator, age) -> org -> period -> entry
        type Entries = BTreeMap<(usize, String), BTreeMap<String, BTreeMap<String, Entry>>>;
        let mut entries: Entries = BTreeMap::new();
        let index: HashMap<&str, usize> = indicators.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        let mut spread: BTreeMap<(usize, String), BTreeMap<(String, Key), Spread>> = BTreeMap::new();
        let mut partners: BTreeMap<(usize, String), BTreeMap<(String, Key), Group>> = BTreeMap::new();

        // Per-sex values.
        let f = values.frame();
        let c = Columns(f);
        let (ids, orgs, periods, ages, sexes) =
            (c.str("indicator_id")?, c.str("org_id")?, c.str("period")?, c.str("age_group")?, c.str("sex")?);
        let (num_, den, value, low, high, status) = (
            c.f64("numerator")?,
            c.f64("denominator")?,
            c.f64("value")?,
            c.f64("ci_low")?,
            c.f64("ci_high")?,
            c.str("status")?,
        );
        for row in 0..f.height() {
            let Some(&i) = ids.get(row).and_then(|id| index.get(id)) else { continue };
            let cell = Cell {
                value: value.get(row),
                ci: pair(low.get(row), high.get(row)),
                numerator: num_.get(row),
                denominator: den.get(row),
                status: Status::parse(status.get(row)),
            };
            if cell.status.is_suppressed() {
                let carried = [
                    ("value", cell.value),
                    ("ci_low", low.get(row)),
                    ("numerator", cell.numerator),
                    ("denominator", cell.denominator),
                ];
                if let Some((column, _)) = carried.iter().find(|(_, v)| v.is_some()) {
                    return Err(leak("indicators", row, ids, orgs, periods, column));
                }
            }
            let entry = entries
                .entry((i, ages.get(row).unwrap_or("all").to_string()))
                .or_default()
                .entry(orgs.get(row).unwrap_or("").to_string())
                .or_default()
                .entry(periods.get(row).unwrap_or("").to_string())
                .or_default();
            match sexes.get(row) {
                Some("K") => entry.k = Some(cell),
                Some("M") => entry.m = Some(cell),
                Some("T") => entry.t = Some(cell),
                _ => {}
            }
        }

        // Gaps.
        let f = gaps.frame();
        let c = Columns(f);
        let (ids, orgs, periods, ages) =
            (c.str("indicator_id")?, c.str("org_id")?, c.str("period")?, c.str("age_group")?);
        let (diff, dlow, dhigh, ratio, rlow, rhigh) = (
            c.f64("diff")?,
            c.f64("diff_ci_low")?,
            c.f64("diff_ci_high")?,
            c.f64("ratio")?,
            c.f64("ratio_ci_low")?,
            c.f64("ratio_ci_high")?,
        );
        let (share, slow, shigh, base) =
            (c.f64("women_share")?, c.f64("women_share_ci_low")?, c.f64("women_share_ci_high")?, c.f64("base_share")?);
        let (significant, favours, status) = (c.bool("significant")?, c.str("favours")?, c.str("status")?);
        for row in 0..f.height() {
            let Some(&i) = ids.get(row).and_then(|id| index.get(id)) else { continue };
            let gap = Gap {
                diff: diff.get(row),
                diff_ci: pair(dlow.get(row), dhigh.get(row)),
                ratio: ratio.get(row),
                ratio_ci: pair(rlow.get(row), rhigh.get(row)),
                women_share: share.get(row),
                women_share_ci: pair(slow.get(row), shigh.get(row)),
                base_share: base.get(row),
                significant: significant.get(row),
                favours: match favours.get(row) {
                    Some("women") => Favours::Women,
                    Some("men") => Favours::Men,
                    _ => Favours::None,
                },
                status: Status::parse(status.get(row)),
            };
            if gap.status.is_suppressed() {
                let carried = [("diff", gap.diff), ("ratio", gap.ratio), ("women_share", gap.women_share)];
                if let Some((column, _)) = carried.iter().find(|(_, v)| v.is_some()) {
                    return Err(leak("gaps", row, ids, orgs, periods, column));
                }
            }
            entries
                .entry((i, ages.get(row).unwrap_or("all").to_string()))
                .or_default()
                .entry(orgs.get(row).unwrap_or("").to_string())
                .or_default()
                .entry(periods.get(row).unwrap_or("").to_string())
                .or_default()
                .gap = Some(gap);
        }

        // Positions, reference spreads and the partner group.
        let f = comparison.frame();
        let c = Columns(f);
        let text = |name: &str| c.str(name);
        let (ids, periods, sexes, ages, orgs, roles) =
            (text("indicator_id")?, text("period")?, text("sex")?, text("age_group")?, text("org_id")?, text("role")?);
        let (num, whole) = (|name: &str| c.f64(name), |name: &str| c.u32(name));
        let (value, rank, n, pct, quart, colour) =
            (num("value")?, whole("rank")?, whole("n")?, num("percentile")?, whole("quartile")?, text("colour")?);
        let (rmin, rq1, rmed, rq3, rmax) =
            (num("ref_min")?, num("ref_q1")?, num("ref_median")?, num("ref_q3")?, num("ref_max")?);
        let (vsm, vsml, vsmh, chg, chgl, chgh, first) = (
            num("vs_mentor")?,
            num("vs_mentor_ci_low")?,
            num("vs_mentor_ci_high")?,
            num("change_since_first")?,
            num("change_ci_low")?,
            num("change_ci_high")?,
            text("first_period")?,
        );
        let (slope, slow, shigh, marker) =
            (num("trend_slope")?, num("trend_slope_ci_low")?, num("trend_slope_ci_high")?, c.bool("trend_marker")?);
        let (f95l, f95h, f998l, f998h, refn) = (
            num("funnel_95_low")?,
            num("funnel_95_high")?,
            num("funnel_998_low")?,
            num("funnel_998_high")?,
            whole("reference_n")?,
        );
        for row in 0..f.height() {
            let Some(&i) = ids.get(row).and_then(|id| index.get(id)) else { continue };
            let Some(key) = sexes.get(row).and_then(Key::parse) else { continue };
            let age = ages.get(row).unwrap_or("all").to_string();
            let period = periods.get(row).unwrap_or("").to_string();
            let org_id = orgs.get(row).unwrap_or("");
            let role = roles.get(row).unwrap_or("");
            if let (Some(min), Some(q1), Some(median), Some(q3), Some(max)) =
                (rmin.get(row), rq1.get(row), rmed.get(row), rq3.get(row), rmax.get(row))
            {
                let n = refn.get(row).map_or(0, |n| n as usize);
                spread.entry((i, age.clone())).or_default().entry((period.clone(), key)).or_insert(Spread {
                    n,
                    min,
                    q1,
                    median,
                    q3,
                    max,
                });
            }
            if role.starts_with("partner_group") {
                partners
                    .entry((i, age))
                    .or_default()
                    .insert((period, key), Group { value: value.get(row), how: role.to_string() });
                continue;
            }
            let trend = slope.get(row).map(|s| Trend {
                slope: s,
                ci: pair(slow.get(row), shigh.get(row)),
                marker: marker.get(row) == Some(true),
            });
            let position = Position {
                rank: rank.get(row).map(|r| r as usize),
                n: n.get(row).map(|n| n as usize),
                percentile: pct.get(row),
                quartile: quart.get(row).and_then(|q| u8::try_from(q).ok()),
                colour: colour.get(row).unwrap_or("").to_string(),
                vs_mentor: vsm.get(row),
                vs_mentor_ci: pair(vsml.get(row), vsmh.get(row)),
                change: chg.get(row),
                change_ci: pair(chgl.get(row), chgh.get(row)),
                first_period: first.get(row).filter(|s| !s.is_empty()).map(str::to_string),
                trend,
                funnel_95: pair(f95l.get(row), f95h.get(row)),
                funnel_998: pair(f998l.get(row), f998h.get(row)),
            };
            entries
                .entry((i, age))
                .or_default()
                .entry(org_id.to_string())
                .or_default()
                .entry(period)
                .or_default()
                .position
                .insert(key, position);
        }

        let is_focus = |id: &str| focus.iter().any(|o| o.id == id);
        let mut panels = Vec::with_capacity(entries.len());
        for ((i, age_group), mut by_org) in entries {
            let mut all_periods: Vec<String> = by_org.values().flat_map(|p| p.keys().cloned()).collect();
            all_periods.sort();
            all_periods.dedup();
            let series: Vec<Series> = focus
                .iter()
                .map(|o| Series { org: o.clone(), periods: by_org.remove(&o.id).unwrap_or_default() })
                .collect();
            let latest = all_periods
                .iter()
                .rev()
                .find(|p| {
                    series.iter().any(|s| {
                        s.periods
                            .get(*p)
                            .is_some_and(|e| e.cell(Key::K).value.is_some() || e.cell(Key::M).value.is_some())
                    })
                })
                .cloned();
            let reference: Vec<Series> = by_org
                .into_iter()
                .filter(|(id, _)| !is_focus(id) && !id.is_empty())
                .map(|(id, periods)| Series { org: org(&id), periods })
                .collect();
            panels.push(Panel {
                indicator: indicators[i].clone(),
                spread: spread.remove(&(i, age_group.clone())).unwrap_or_default(),
                partners: partners.remove(&(i, age_group.clone())).unwrap_or_default(),
                age_group,
                periods: all_periods,
                latest,
                focus: series,
                reference,
            });
        }
        // The reference set's size: the largest reference distribution (organisations outside it,
        // such as regions in a municipal round, have the reference role but are not counted).
        let reference_n = panels.iter().flat_map(|p| p.spread.values().map(|s| s.n)).max().unwrap_or(0);
        Ok(View {
            name: round.name.clone(),
            participants,
            mentors,
            reference_n,
            min_count: round.min_count,
            level,
            panels,
        })
    }

    /// Every focus organisation: participants, then mentors.
    pub fn focus(&self) -> impl Iterator<Item = &Org> {
        self.participants.iter().chain(&self.mentors)
    }
}

fn leak(
    table: &'static str,
    row: usize,
    ids: &StringChunked,
    orgs: &StringChunked,
    periods: &StringChunked,
    column: &str,
) -> ViewError {
    let s = |c: &StringChunked| c.get(row).unwrap_or("").to_string();
    ViewError::Leak {
        table,
        row: row + 1,
        indicator: s(ids),
        org: s(orgs),
        period: s(periods),
        column: column.to_string(),
    }
}

/// Organisation names as the values table gives them.
fn org_names(values: &IndicatorValues) -> PolarsResult<HashMap<String, String>> {
    let f = values.frame();
    let (ids, names) = (f.column("org_id")?.str()?, f.column("org_name")?.str()?);
    let mut out = HashMap::new();
    for (id, name) in ids.iter().zip(names.iter()) {
        if let (Some(id), Some(name)) = (id, name)
            && !out.contains_key(id)
        {
            out.insert(id.to_string(), name.to_string());
        }
    }
    Ok(out)
}
