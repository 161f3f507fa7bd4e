//! The compare stage: how does each organisation stand against its partners, its mentor and the
//! reference set, for women and men, girls and boys, and for the gap between them — and is it
//! getting better? (DESIGN §8 `comparison.csv`, STATISTICS.md §4.)
//!
//! For every indicator × age group × sex (K, M, T, and `gap` for K − M) × period:
//! - the **reference distribution**: n, min, Q1, median, Q3, max (Hyndman–Fan type 7) of the
//!   reference organisations' published values;
//! - per organisation: its **competition rank** among the reference values (1 = best by the
//!   indicator's polarity; an organisation outside the reference set is placed among them), the
//!   **percentile** from its average rank, the **quartile** (inclusive upper bounds) and Kolada's
//!   **colour** (neutral indicators get none);
//! - the difference **against the mentor**, and the **change since the first period**, each with
//!   the MOVER interval from the two published intervals (for Wilson intervals that is exactly
//!   Newcombe's, STATISTICS.md §1.2);
//! - the **trend** over the last five consecutive periods: the weighted slope per period with its
//!   interval, and the χ² test (Cochran–Armitage for proportions, the weighted slope's otherwise)
//!   with Fingertips' leave-one-out direction check;
//! - **funnel limits** (95 % and 99.8 %, exact binomial or Poisson with interpolation) around the
//!   reference set's pooled value, for proportions and rates.
//!
//! The partner group is one more row per indicator × period × sex (`org_id = partners`): pooled
//! Σx / Σn with its interval for proportions and rates (`role = partner_group_pooled`), the
//! unweighted mean of the partners' values otherwise (`partner_group_mean`), and only when
//! every partner's value is published (else `incomplete`).
//!
//! For the `gap` rows every position (rank, quartile, colour, reference distribution) is of the
//! size of the gap |K − M|: rank 1 is the smallest gap, whatever the polarity.
//!
//! Disclosure: only published values take part. A suppressed or missing value is not ranked and
//! says so in `note`; it is left out of the reference distribution, the pooled value, every
//! difference and every trend, so nothing written here rests on a hidden number.

mod table;

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::indicators::definition::{Indicator, Kind, Polarity};
use crate::indicators::{Gaps, IndicatorValues};
use crate::model::Role;
use crate::round::{Language, Reference, Round};
use crate::stats::position::{Better, Colour, Distribution, Ranking, percentile};
use crate::stats::{Interval, difference, funnel, trend};

pub use table::{COLUMNS, Comparison, Published};

/// Settings of the compare stage.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Two-sided level of the intervals of differences, changes and slopes (0.95).
    pub level: f64,
}

/// Why the compare stage could not run.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{path}:{line}: {found:?} is not an organisation code, expected one code per line")]
    ReferenceFile { path: String, line: usize, found: String },
    #[error("reading reference file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(
        "reference group {0} is not resolved: no Kolada metadata among the inputs lists it (expected a Kolada group file among the inputs)"
    )]
    UnresolvedGroup(String),
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// One published (or not) point of a series.
#[derive(Clone, Debug, Default)]
struct Point<'a> {
    org: &'a str,
    org_name: Option<&'a str>,
    role: &'a str,
    value: Option<f64>,
    ci: Option<(f64, f64)>,
    /// The raw counts (x, n) of a proportion or rate.
    counts: Option<(f64, f64)>,
    /// Why there is no value: the row's status (suppressed, missing…).
    status: &'a str,
}

/// One comparison row before it becomes a column.
#[derive(Clone, Debug, Default)]
struct Row<'a> {
    indicator: &'a str,
    period: &'a str,
    sex: &'a str,
    age: &'a str,
    point: Point<'a>,
    rank: Option<usize>,
    n: usize,
    percentile: Option<f64>,
    quartile: Option<u8>,
    colour: &'static str,
    reference: Option<Distribution>,
    vs_mentor: Option<(f64, Option<Interval>)>,
    change: Option<(f64, Option<Interval>)>,
    trend: Option<Slope>,
    funnel: Option<(funnel::Limits, funnel::Limits)>,
    note: String,
    /// The period `change` is measured from.
    first_period: Option<&'a str>,
    /// The level of every interval in the row.
    level: f64,
}

/// A trend over the last five periods.
#[derive(Clone, Copy, Debug)]
struct Slope {
    slope: f64,
    ci: (f64, f64),
    p: f64,
    method: &'static str,
    /// Fingertips' marker: significant at 99.8 % and the direction survives leaving out each point.
    marker: bool,
}

/// The reference set: who the partners are compared with.
enum Members {
    /// Every organisation without another role.
    AllOthers,
    /// These codes.
    Listed(Vec<String>),
}

impl Members {
    fn of(round: &Round) -> Result<Members, CompareError> {
        Ok(match &round.reference {
            Reference::All => Members::AllOthers,
            Reference::List(list) => Members::Listed(list.iter().map(|o| o.as_str().to_string()).collect()),
            Reference::Group(id) => return Err(CompareError::UnresolvedGroup(id.clone())),
            Reference::File(path) => {
                let path = round.path.parent().unwrap_or(std::path::Path::new(".")).join(path);
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| CompareError::Io { path: shown.clone(), source })?;
                let mut codes = Vec::new();
                for (i, line) in text.lines().enumerate() {
                    let code = line.split('#').next().unwrap_or("").trim();
                    if code.is_empty() {
                        continue;
                    }
                    if crate::model::OrgId::new(code).is_err() {
                        return Err(CompareError::ReferenceFile { path: shown, line: i + 1, found: code.into() });
                    }
                    codes.push(code.to_string());
                }
                Members::Listed(codes)
            }
        })
    }

    fn contains(&self, org: &str, role: &str) -> bool {
        match self {
            Members::AllOthers => role == Role::Reference.name(),
            Members::Listed(codes) => codes.iter().any(|c| c == org),
        }
    }
}

/// Compares every organisation's values and gaps (see the module documentation).
///
/// # Errors
/// A reference file that cannot be read or lists a non-code; a Kolada reference group that was
/// never resolved.
pub fn compare(
    values: &IndicatorValues,
    gaps: &Gaps,
    indicators: &[Indicator],
    round: &Round,
    options: Options,
) -> Result<Comparison, CompareError> {
    let members = Members::of(round)?;
    let mentor = round.mentors.first().map(|m| m.as_str().to_string());
    let by_id: BTreeMap<&str, &Indicator> = indicators.iter().map(|i| (i.id.as_str(), i)).collect();

    // Series: (indicator, age, sex) → period → points; the gap is the series of sex `gap`.
    let mut series: Series<'_> = BTreeMap::new();
    add_points(&mut series, values.frame(), Columns { value: "value", low: "ci_low", high: "ci_high", counts: true })?;
    add_points(
        &mut series,
        gaps.frame(),
        Columns { value: "diff", low: "diff_ci_low", high: "diff_ci_high", counts: false },
    )?;
    let label = match round.language {
        Language::Sv => "Partnergruppen",
        Language::En => "Partner group",
    };
    for ((indicator, _, sex), periods) in series.iter_mut() {
        let Some(ind) = by_id.get(indicator.as_str()) else { continue };
        for points in periods.values_mut() {
            let gap = sex == "gap";
            if let Some(group) = partner_group(ind, gap, points, round.participants.len(), label, options.level) {
                points.push(group);
            }
        }
    }

    let mut rows: Vec<Row<'_>> = Vec::new();
    for ((indicator, age, sex), periods) in &series {
        let Some(ind) = by_id.get(indicator.as_str()) else { continue };
        let gap = sex == "gap";
        let better = if gap {
            Better::Lower
        } else {
            match ind.polarity {
                Polarity::HigherIsBetter => Better::Higher,
                Polarity::LowerIsBetter => Better::Lower,
                Polarity::Neutral => Better::Neither,
            }
        };
        // What positions are computed on: the value, or the size of the gap.
        let position = |p: &Point<'_>| p.value.map(|v| if gap { v.abs() } else { v });
        // Each organisation's points by period index, for changes and trends.
        let mut history: HashMap<&str, Vec<Option<&Point<'_>>>> = HashMap::new();
        for (pi, points) in periods.values().enumerate() {
            for p in points.iter().filter(|p| p.value.is_some()) {
                history.entry(p.org).or_insert_with(|| vec![None; periods.len()])[pi] = Some(p);
            }
        }
        let period_names: Vec<&String> = periods.keys().collect();
        for (pi, (period, points)) in periods.iter().enumerate() {
            let reference: Vec<&Point<'_>> =
                points.iter().filter(|p| members.contains(p.org, p.role) && p.value.is_some()).collect();
            let ref_values: Vec<f64> = reference.iter().filter_map(|p| position(p)).collect();
            let distribution = Distribution::of(&ref_values);
            let ranking = Ranking::new(&ref_values, better);
            // θ₀: the reference set's pooled value, from published counts only.
            let pooled = pooled(ind, &reference);
            let mentor_point = mentor.as_deref().and_then(|m| points.iter().find(|p| p.org == m));
            for p in points {
                let mut row = Row {
                    indicator: indicator.as_str(),
                    period: period.as_str(),
                    sex: sex.as_str(),
                    age: age.as_str(),
                    point: p.clone(),
                    reference: distribution,
                    colour: Colour::of(None, better).name(),
                    level: options.level,
                    ..Row::default()
                };
                let Some(x) = position(p) else {
                    row.note = match p.status {
                        "" | "preliminary" => "no value: not ranked".into(),
                        s => format!("{s}: not ranked"),
                    };
                    rows.push(row);
                    continue;
                };
                // Ranked among the reference values; a member's own value counts once.
                let place = ranking.place(x, members.contains(p.org, p.role));
                if place.n < 2 {
                    row.note = "no reference values to rank against".into();
                } else {
                    row.rank = Some(place.rank);
                    row.n = place.n;
                    row.percentile = Some(percentile(place.average, place.n));
                    row.quartile = distribution.and_then(|d| d.quartile(x));
                    row.colour = Colour::of(row.quartile, better).name();
                }
                row.vs_mentor = mentor_point.filter(|m| m.org != p.org).and_then(|m| difference_of(p, m));
                let past = &history[p.org];
                if let Some(first) = past[..pi].iter().position(Option::is_some) {
                    row.change = difference_of(p, past[first].expect("found"));
                    row.first_period = Some(period_names[first].as_str());
                }
                row.trend = last_five(&period_names[..=pi], &past[..=pi])
                    .and_then(|points| slope(ind, gap, &points, options.level));
                row.funnel = if gap { None } else { pooled.and_then(|theta| limits(ind, theta, p)) };
                rows.push(row);
            }
        }
    }
    Ok(Comparison::build(&rows)?)
}

/// (indicator, age group, sex) → period → the organisations' points.
type Series<'a> = BTreeMap<(String, String, String), BTreeMap<String, Vec<Point<'a>>>>;

/// Which columns of a table hold a point's value and interval, and whether it has counts
/// (`numerator`, `denominator`) and a `sex` column (values) or is a gap.
struct Columns {
    value: &'static str,
    low: &'static str,
    high: &'static str,
    counts: bool,
}

/// Adds every row of `frame` (indicator values or gaps) to `series`. Only a published row
/// (status empty or `preliminary`) carries a value, interval and counts.
fn add_points<'f>(series: &mut Series<'f>, frame: &'f DataFrame, c: Columns) -> PolarsResult<()> {
    let text = |n: &str| frame.column(n).and_then(|c| c.str());
    let num = |n: &str| frame.column(n).and_then(|c| c.f64());
    let (id, org, name, role, period, age, status) = (
        text("indicator_id")?,
        text("org_id")?,
        text("org_name")?,
        text("role")?,
        text("period")?,
        text("age_group")?,
        text("status")?,
    );
    let (value, low, high) = (num(c.value)?, num(c.low)?, num(c.high)?);
    let sex = if c.counts { Some(text("sex")?) } else { None };
    let counts = if c.counts { Some((num("numerator")?, num("denominator")?)) } else { None };
    for i in 0..frame.height() {
        let status = status.get(i).unwrap_or("");
        let value = value.get(i).filter(|_| matches!(status, "" | "preliminary"));
        let point = Point {
            org: org.get(i).unwrap_or(""),
            org_name: name.get(i),
            role: role.get(i).unwrap_or(""),
            value,
            ci: value.and(low.get(i).zip(high.get(i))),
            counts: value.and(counts.and_then(|(x, n)| x.get(i).zip(n.get(i)))),
            status,
        };
        let sex = sex.map_or("gap", |s| s.get(i).unwrap_or(""));
        let key = (id.get(i).unwrap_or("").to_string(), age.get(i).unwrap_or("").to_string(), sex.to_string());
        series.entry(key).or_default().entry(period.get(i).unwrap_or("").to_string()).or_default().push(point);
    }
    Ok(())
}

/// The code of the partner group's rows in `comparison.csv`.
pub const PARTNER_GROUP: &str = "partners";

/// The partner group as one more point: pooled Σx / Σn with its Wilson (proportions) or
/// exact/Byar (rates) interval when the counts are known, otherwise the unweighted mean of the
/// partners' values (no interval); STATISTICS.md §4.1. Only when every partner has a published
/// value: a group whose members come and go would trend on its composition, and a pooled value
/// over published members only is all an attacker may see anyway. `None` without partners.
fn partner_group<'a>(
    ind: &Indicator,
    gap: bool,
    points: &[Point<'a>],
    partners: usize,
    label: &'a str,
    level: f64,
) -> Option<Point<'a>> {
    let members: Vec<&Point<'a>> = points.iter().filter(|p| p.role == Role::Participant.name()).collect();
    if partners == 0 || members.is_empty() {
        return None;
    }
    let mut group = Point {
        org: PARTNER_GROUP,
        org_name: Some(label),
        role: "partner_group",
        status: "incomplete",
        ..Point::default()
    };
    if members.len() < partners || members.iter().any(|p| p.value.is_none()) {
        return Some(group);
    }
    group.status = "";
    let counts: Option<Vec<(f64, f64)>> = members.iter().map(|p| p.counts).collect();
    match (counts, ind.kind, gap) {
        (Some(counts), Kind::Proportion | Kind::Rate, false) => {
            let (x, n) = counts.iter().fold((0.0, 0.0), |(a, b), &(x, n)| (a + x, b + n));
            if n <= 0.0 {
                group.status = "not_applicable";
                return Some(group);
            }
            group.value = Some(x / n * ind.per);
            group.counts = Some((x, n));
            group.ci = if ind.kind == Kind::Proportion {
                crate::stats::proportion::wilson(x, n, level).ok().map(|i| (i.low * ind.per, i.high * ind.per))
            } else {
                crate::stats::poisson::rate(x, n, ind.per, level).ok().map(|(_, i)| (i.low, i.high))
            };
            group.role = "partner_group_pooled";
        }
        _ => {
            group.value = Some(members.iter().filter_map(|p| p.value).sum::<f64>() / members.len() as f64);
            group.role = "partner_group_mean";
        }
    }
    Some(group)
}

/// `a − b` with the MOVER interval from the two published intervals (Newcombe's when both are
/// Wilson intervals), or without an interval when either lacks one.
fn difference_of(a: &Point<'_>, b: &Point<'_>) -> Option<(f64, Option<Interval>)> {
    let (va, vb) = (a.value?, b.value?);
    let ci = match (a.ci, b.ci) {
        (Some(ca), Some(cb)) if ca.0.is_finite() && ca.1.is_finite() && cb.0.is_finite() && cb.1.is_finite() => {
            Some(difference::mover(va, ca, vb, cb))
        }
        _ => None,
    };
    Some((va - vb, ci))
}

/// The reference set's pooled value Σx/Σn for proportions and rates (on the 0–1 or per-one
/// scale), from published counts only.
fn pooled(ind: &Indicator, reference: &[&Point<'_>]) -> Option<f64> {
    if !matches!(ind.kind, Kind::Proportion | Kind::Rate) {
        return None;
    }
    let (x, n) = reference.iter().filter_map(|p| p.counts).fold((0.0, 0.0), |(a, b), (x, n)| (a + x, b + n));
    (n > 0.0).then_some(x / n)
}

/// Funnel limits at 95 % and 99.8 % for this organisation's size, on the value's scale.
fn limits(ind: &Indicator, theta: f64, p: &Point<'_>) -> Option<(funnel::Limits, funnel::Limits)> {
    let (_, n) = p.counts?;
    let scale = |l: funnel::Limits, by: f64| funnel::Limits { low: l.low * by, high: l.high * by };
    match ind.kind {
        Kind::Proportion => Some((
            scale(funnel::exact_binomial(theta, n, 0.95)?, ind.per),
            scale(funnel::exact_binomial(theta, n, 0.998)?, ind.per),
        )),
        Kind::Rate => {
            let e = theta * n;
            Some((
                scale(funnel::exact_poisson(e, 0.95)?, theta * ind.per),
                scale(funnel::exact_poisson(e, 0.998)?, theta * ind.per),
            ))
        }
        _ => None,
    }
}

/// The organisation's points of the last five periods when they are five consecutive years,
/// all published (Fingertips: ≥ 5 annual points, no breaks). `points[i]` is its point in
/// `periods[i]`.
fn last_five<'p, 'a>(periods: &[&String], points: &[Option<&'p Point<'a>>]) -> Option<Vec<&'p Point<'a>>> {
    let from = periods.len().checked_sub(5)?;
    let years: Vec<i32> = periods[from..].iter().map(|p| p.parse::<i32>().ok()).collect::<Option<_>>()?;
    if years.windows(2).any(|w| w[1] != w[0] + 1) {
        return None;
    }
    points[from..].iter().copied().collect()
}

/// The trend of five points: the weighted slope (SE from each 95 % interval) with its
/// interval, and the test — Cochran–Armitage on the counts for proportions, the slope's own χ²
/// otherwise.
fn slope(ind: &Indicator, gap: bool, points: &[&Point<'_>], level: f64) -> Option<Slope> {
    let weighted: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            let (l, h) = p.ci?;
            Some((p.value?, trend::se_from_interval(l, h)))
        })
        .collect::<Option<_>>()?;
    let fit = trend::weighted_slope(&weighted)?;
    let se = fit.se?;
    let z = crate::stats::z(level);
    type Test = fn(&[(f64, f64)]) -> Option<trend::Trend>;
    let (test, method, cases): (Test, &'static str, Vec<(f64, f64)>) = if ind.kind == Kind::Proportion && !gap {
        let counts = points.iter().map(|p| p.counts).collect::<Option<_>>()?;
        (trend::cochran_armitage, "cochran-armitage", counts)
    } else {
        (trend::weighted_slope, "weighted-slope", weighted)
    };
    let result = test(&cases)?;
    let robust = trend::robust_direction(&cases, &result, test);
    Some(Slope {
        slope: fit.slope,
        ci: (fit.slope - z * se, fit.slope + z * se),
        p: result.p,
        method,
        marker: result.significant(0.998) && robust,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::stats::proportion;

    fn indicator(kind: &str, polarity: &str) -> Indicator {
        let text = format!(
            "id = \"t.pass\"\ntitle = {{ sv = \"Andel\", en = \"Share\" }}\narea = \"education\"\npopulation = \"children\"\n\
             kind = \"{kind}\"\nnumerator = \"x\"\ndenominator = \"n\"\nunit = \"percent\"\nper = 100\npolarity = \"{polarity}\"\n"
        );
        crate::indicators::catalogue::parse(&text, Path::new("queries/t.pass.toml")).unwrap()
    }

    fn round(extra: &str) -> Round {
        let text = format!(
            "name = \"t\"\nparticipants = [\"X01\", \"X02\"]\nmentors = [\"X09\"]\n{extra}\n\
             [[input]]\npath = \"a.csv\"\ncolumns = {{ org = \"o\", period = \"p\", sex = \"s\", variable = \"v\", value = \"x\" }}\n"
        );
        // The round checks that its inputs exist.
        let dir = std::env::temp_dir().join(format!("jamfor-compare-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.csv"), "o,p,s,v,x\n").unwrap();
        crate::round::parse(&text, &dir.join("round.toml")).unwrap()
    }

    /// (org, period, x, n, status).
    type Given<'a> = (&'a str, &'a str, f64, f64, &'a str);

    /// One K row per [`Given`] with its Wilson interval, ×100.
    fn values(rows: &[Given<'_>], round: &Round) -> IndicatorValues {
        let wilson = |x: f64, n: f64| proportion::wilson(x, n, 0.95).unwrap();
        let hidden = |s: &str| s == "suppressed";
        let num = |f: &dyn Fn(&Given<'_>) -> f64| rows.iter().map(|r| (!hidden(r.4)).then(|| f(r))).collect::<Vec<_>>();
        IndicatorValues::from_frame(
            df!(
                "indicator_id" => rows.iter().map(|_| "t.pass").collect::<Vec<_>>(),
                "org_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                "org_name" => rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>(),
                "role" => rows.iter().map(|r| round.role_of(r.0).name()).collect::<Vec<_>>(),
                "period" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                "age_group" => rows.iter().map(|_| "all").collect::<Vec<_>>(),
                "sex" => rows.iter().map(|_| "K").collect::<Vec<_>>(),
                "numerator" => num(&|r| r.2),
                "denominator" => num(&|r| r.3),
                "value" => num(&|r| 100.0 * r.2 / r.3),
                "ci_low" => num(&|r| 100.0 * wilson(r.2, r.3).low),
                "ci_high" => num(&|r| 100.0 * wilson(r.2, r.3).high),
                "status" => rows.iter().map(|r| (!r.4.is_empty()).then_some(r.4)).collect::<Vec<_>>(),
            )
            .unwrap(),
        )
    }

    fn no_gaps() -> Gaps {
        let none: Vec<Option<f64>> = Vec::new();
        let text: Vec<&str> = Vec::new();
        Gaps::from_frame(
            df!(
                "indicator_id" => text.clone(), "org_id" => text.clone(), "org_name" => text.clone(),
                "role" => text.clone(), "period" => text.clone(), "age_group" => text.clone(),
                "diff" => none.clone(), "diff_ci_low" => none.clone(), "diff_ci_high" => none,
                "status" => text,
            )
            .unwrap(),
        )
    }

    /// The text of column `name` for organisation `org`, as written to the CSV.
    fn cell(c: &Comparison, org: &str, period: &str, name: &str) -> String {
        let text = c.text(&["org_id", "period", name]).unwrap();
        let (o, p, col) = (&text[0], &text[1], &text[2]);
        (0..c.len())
            .find(|&i| o.get(i) == Some(org) && p.get(i) == Some(period))
            .map(|i| col.get(i).unwrap_or("").to_string())
            .unwrap_or_else(|| panic!("no row for {org} {period}"))
    }

    const OPTIONS: Options = Options { level: 0.95 };

    /// Reference X11–X15 (X15 suppressed), participant X01, mentor X09: competition ranks with
    /// ties, a suppressed value not ranked and left out of the distribution, polarity flips.
    #[test]
    fn ranks_with_ties_missing_values_and_polarity() {
        let r = round("");
        let rows = [
            ("X11", "2024", 60.0, 100.0, ""),
            ("X12", "2024", 80.0, 100.0, ""),
            ("X13", "2024", 80.0, 100.0, ""),
            ("X14", "2024", 50.0, 100.0, ""),
            ("X15", "2024", 2.0, 4.0, "suppressed"),
            ("X01", "2024", 55.0, 100.0, ""),
            ("X09", "2024", 90.0, 100.0, ""),
        ];
        let v = values(&rows, &r);
        let c = compare(&v, &no_gaps(), &[indicator("proportion", "higher_is_better")], &r, OPTIONS).unwrap();
        let at = |org: &str, name: &str| cell(&c, org, "2024", name);
        // X01's 55 among 60, 80, 80, 50: three are better.
        assert_eq!((at("X01", "rank"), at("X01", "n")), ("4".into(), "5".into()));
        // The tied 80s share rank 1 among the four published members; 60 comes third.
        assert_eq!((at("X12", "rank"), at("X13", "rank"), at("X11", "rank")), ("1".into(), "1".into(), "3".into()));
        assert_eq!(at("X12", "n"), "4");
        assert_eq!(at("X15", "value"), "..");
        assert_eq!(at("X15", "rank"), "");
        assert_eq!(at("X15", "note"), "suppressed: not ranked");
        // The distribution has the four published members only: type 7 of 50, 60, 80, 80.
        assert_eq!(
            (at("X01", "ref_min"), at("X01", "ref_q1"), at("X01", "ref_median")),
            ("50".into(), "57.5".into(), "70".into())
        );
        assert_eq!(
            (at("X01", "ref_q3"), at("X01", "ref_max"), at("X01", "reference_n")),
            ("80".into(), "80".into(), "4".into())
        );
        // 55 ≤ Q1 = 57.5: quartile 1, red when higher is better.
        assert_eq!((at("X01", "quartile"), at("X01", "colour")), ("1".into(), "red".into()));

        let c = compare(&v, &no_gaps(), &[indicator("proportion", "lower_is_better")], &r, OPTIONS).unwrap();
        let at = |org: &str, name: &str| cell(&c, org, "2024", name);
        assert_eq!((at("X01", "rank"), at("X01", "colour")), ("2".into(), "green".into()));
        assert_eq!(at("X14", "rank"), "1");

        let c = compare(&v, &no_gaps(), &[indicator("proportion", "neutral")], &r, OPTIONS).unwrap();
        assert_eq!(cell(&c, "X01", "2024", "colour"), "");
    }

    /// A listed reference group: only its members make the distribution and the ranks.
    #[test]
    fn a_group_reference() {
        let r = round("reference = [\"X11\", \"X14\"]");
        let rows = [
            ("X11", "2024", 60.0, 100.0, ""),
            ("X12", "2024", 80.0, 100.0, ""),
            ("X14", "2024", 50.0, 100.0, ""),
            ("X01", "2024", 55.0, 100.0, ""),
        ];
        let c = compare(&values(&rows, &r), &no_gaps(), &[indicator("proportion", "higher_is_better")], &r, OPTIONS)
            .unwrap();
        assert_eq!((cell(&c, "X01", "2024", "rank"), cell(&c, "X01", "2024", "n")), ("2".into(), "3".into()));
        assert_eq!(cell(&c, "X01", "2024", "ref_max"), "60");
        // Fewer than 4 reference values: no quartile, grey.
        assert_eq!(
            (cell(&c, "X01", "2024", "quartile"), cell(&c, "X01", "2024", "colour")),
            ("".into(), "grey".into())
        );
    }

    /// STATISTICS.md §4.7: against the mentor and since the first year, MOVER on two Wilson
    /// intervals is Newcombe's interval: 30/60 → 45/60 is +25.00 (7.68, 40.35) percentage points.
    /// And E9's five years give the Cochran–Armitage p = 0.0023.
    #[test]
    fn mentor_change_and_trend() {
        let r = round("");
        let mut rows = vec![("X09", "2024", 30.0, 60.0, "")];
        for (year, x, n) in [
            ("2020", 30.0, 60.0),
            ("2021", 34.0, 61.0),
            ("2022", 38.0, 60.0),
            ("2023", 41.0, 62.0),
            ("2024", 45.0, 60.0),
        ] {
            rows.push(("X01", year, x, n, ""));
        }
        let c = compare(&values(&rows, &r), &no_gaps(), &[indicator("proportion", "higher_is_better")], &r, OPTIONS)
            .unwrap();
        let at = |name: &str| cell(&c, "X01", "2024", name).parse::<f64>().unwrap_or(f64::NAN);
        assert!((at("vs_mentor") - 25.0).abs() < 1e-9);
        assert!((at("vs_mentor_ci_low") - 7.68).abs() < 0.005 && (at("vs_mentor_ci_high") - 40.35).abs() < 0.005);
        assert!((at("change_since_first") - 25.0).abs() < 1e-9);
        assert!((at("change_ci_low") - 7.68).abs() < 0.005 && (at("change_ci_high") - 40.35).abs() < 0.005);
        assert_eq!(cell(&c, "X01", "2024", "first_period"), "2020");
        assert_eq!(cell(&c, "X01", "2024", "trend_method"), "cochran-armitage");
        assert!((at("trend_p") - 0.0023).abs() < 5e-5, "{}", at("trend_p"));
        assert_eq!(cell(&c, "X01", "2024", "trend_marker"), "false", "not significant at 99.8 %");
        assert!(at("trend_slope") > 0.0 && at("trend_slope_ci_low") < at("trend_slope"));
        // Four years are too few for a trend.
        assert_eq!(cell(&c, "X01", "2023", "trend_slope"), "");
        // E8: funnel limits around the reference's pooled value need a reference set.
        assert_eq!(cell(&c, "X01", "2024", "funnel_95_low"), "");
    }

    /// Funnel limits: exact binomial around the pooled reference value, on the value's scale
    /// (E8: θ₀ = 0.60, n = 200 → 95 % (52.91, 66.49)).
    #[test]
    fn funnel_limits_around_the_pooled_reference() {
        let r = round("");
        let rows =
            [("X11", "2024", 50.0, 100.0, ""), ("X12", "2024", 70.0, 100.0, ""), ("X01", "2024", 110.0, 200.0, "")];
        let c = compare(&values(&rows, &r), &no_gaps(), &[indicator("proportion", "higher_is_better")], &r, OPTIONS)
            .unwrap();
        let at = |name: &str| cell(&c, "X01", "2024", name).parse::<f64>().unwrap();
        assert!((at("funnel_95_low") - 52.91).abs() < 0.005 && (at("funnel_95_high") - 66.49).abs() < 0.005);
        assert!((at("funnel_998_low") - 48.93).abs() < 0.005 && (at("funnel_998_high") - 70.30).abs() < 0.005);
    }

    /// Gap rows rank the size of the gap: the smallest |K − M| is best whatever its sign.
    #[test]
    fn gaps_rank_by_size() {
        let r = round("");
        let gaps = Gaps::from_frame(
            df!(
                "indicator_id" => ["t.pass"; 4], "org_id" => ["X11", "X12", "X13", "X01"],
                "org_name" => [Some("a"), Some("b"), Some("c"), Some("d")],
                "role" => ["reference", "reference", "reference", "participant"],
                "period" => ["2024"; 4], "age_group" => ["all"; 4],
                "diff" => [Some(-2.0), Some(5.0), Some(-8.0), Some(3.0)],
                "diff_ci_low" => [Some(-6.0), Some(1.0), Some(-12.0), Some(-1.0)],
                "diff_ci_high" => [Some(2.0), Some(9.0), Some(-4.0), Some(7.0)],
                "status" => [None::<&str>, None, None, None],
            )
            .unwrap(),
        );
        let c = compare(&values(&[], &r), &gaps, &[indicator("proportion", "higher_is_better")], &r, OPTIONS).unwrap();
        let at = |org: &str, name: &str| cell(&c, org, "2024", name);
        assert_eq!(at("X01", "sex"), "gap");
        assert_eq!((at("X11", "rank"), at("X12", "rank"), at("X13", "rank")), ("1".into(), "2".into(), "3".into()));
        assert_eq!((at("X01", "rank"), at("X01", "value")), ("2".into(), "3".into()));
        assert_eq!(at("X01", "ref_min"), "2", "the distribution is of |K − M|");
    }

    /// The partner group pools the partners' counts, Σx / Σn with Wilson, and is `incomplete`
    /// when a partner's value is not published.
    #[test]
    fn the_partner_group_is_pooled() {
        let r = round("");
        let rows = [
            ("X01", "2023", 55.0, 100.0, ""),
            ("X02", "2023", 45.0, 50.0, ""),
            ("X01", "2024", 55.0, 100.0, ""),
            ("X02", "2024", 2.0, 4.0, "suppressed"),
            ("X11", "2024", 60.0, 100.0, ""),
        ];
        let c = compare(&values(&rows, &r), &no_gaps(), &[indicator("proportion", "higher_is_better")], &r, OPTIONS)
            .unwrap();
        let at = |period: &str, name: &str| cell(&c, PARTNER_GROUP, period, name);
        assert_eq!(at("2023", "role"), "partner_group_pooled");
        assert_eq!(at("2023", "org_name"), "Partnergruppen");
        assert!((at("2023", "value").parse::<f64>().unwrap() - 100.0 * 100.0 / 150.0).abs() < 1e-5);
        assert_eq!(at("2023", "change_since_first"), "", "the first year has nothing to change from");
        assert_eq!(
            (at("2024", "role"), at("2024", "value"), at("2024", "status")),
            ("partner_group".into(), "".into(), "incomplete".into())
        );
        assert_eq!(at("2024", "note"), "incomplete: not ranked");
    }

    #[test]
    fn a_reference_file_with_a_bad_code_is_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ref.txt"), "X11\n# a comment\n\nnot a code!\n").unwrap();
        let mut r = round("");
        r.path = dir.path().join("round.toml");
        r.reference = Reference::File("ref.txt".into());
        let err = compare(&values(&[], &r), &no_gaps(), &[], &r, OPTIONS).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("ref.txt:4: \"not a code!\" is not an organisation code, expected one code per line"),
            "{err}"
        );
    }
}
