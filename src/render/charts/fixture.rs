//! A small hand-built [`View`] for the chart tests: two participants and a mentor, 20 reference
//! organisations, three periods, and Norrvik's women's/girls' value suppressed in 2024.

use std::collections::BTreeMap;
use std::path::Path;

use crate::indicators::Indicator;
use crate::model::Role;
use crate::render::view::{Cell, Entry, Gap, Group, Key, Org, Panel, Position, Series, Spread, Status, View};
use crate::stats::position::Distribution;

pub(super) const PERIODS: [&str; 3] = ["2022", "2023", "2024"];

/// A proportion about children (girls/boys), cross-referenced to Kolada but computed by jamfor.
pub(super) fn proportion() -> Indicator {
    indicator(
        "id = \"t.eligible\"\ntitle = { sv = \"Behöriga elever\", en = \"Eligible pupils\" }\narea = \"education\"\n\
         population = \"children\"\nkind = \"proportion\"\nnumerator = \"eligible\"\ndenominator = \"pupils\"\n\
         unit = \"percent\"\nper = 100\npolarity = \"higher_is_better\"\nsource = { kolada = \"N15428\" }\n",
    )
}

/// A ready-made Kolada value about adults (women/men).
pub(super) fn value() -> Indicator {
    indicator(
        "id = \"t.turnout\"\ntitle = { sv = \"Valdeltagande\", en = \"Turnout\" }\narea = \"democracy\"\n\
         population = \"adults\"\nkind = \"value\"\nvalue = \"N05401\"\nunit = \"percent\"\n\
         polarity = \"higher_is_better\"\nsource = { kolada = \"N05401\" }\n",
    )
}

fn indicator(text: &str) -> Indicator {
    crate::indicators::catalogue::parse(text, Path::new("queries/t.toml")).expect("test indicator parses")
}

fn org(id: &str, name: &str, role: Role) -> Org {
    Org { id: id.to_string(), name: name.to_string(), role }
}

/// Women's and men's values of organisation `i` in period `t` (0, 1, 2); men ~6 lower.
fn values(i: usize, t: usize) -> (f64, f64) {
    let k = 42.0 + ((i * 37) % 29) as f64 * 0.9 + t as f64 * 1.3;
    (k, k - 6.0 + ((i * 11) % 7) as f64 * 0.5)
}

fn cell(v: f64, n: f64) -> Cell {
    let half = 196.0 * (v / 100.0 * (1.0 - v / 100.0) / n).sqrt();
    Cell {
        value: Some(v),
        ci: Some((v - half, v + half)),
        numerator: Some((v / 100.0 * n).round()),
        denominator: Some(n),
        status: Status::Published,
    }
}

fn suppressed() -> Cell {
    Cell { status: Status::Suppressed, ..Cell::default() }
}

/// Funnel limits around 50 % at denominator `n`.
fn position(n: f64, quartile: u8) -> Position {
    let se = 100.0 * (0.25 / n).sqrt();
    Position {
        quartile: Some(quartile),
        funnel_95: Some((50.0 - 1.96 * se, 50.0 + 1.96 * se)),
        funnel_998: Some((50.0 - 3.09 * se, 50.0 + 3.09 * se)),
        ..Position::default()
    }
}

fn entry(i: usize, t: usize, hide_k: bool) -> Entry {
    let (k, m) = values(i, t);
    let n = 60.0 + (i * 97 % 900) as f64;
    let (kc, mc) = (if hide_k { suppressed() } else { cell(k, n) }, cell(m, n * 1.05));
    let gap = if hide_k {
        Gap { status: Status::Suppressed, ..Gap::default() }
    } else {
        let diff = k - m;
        Gap {
            diff: Some(diff),
            diff_ci: Some((diff - 4.5, diff + 4.5)),
            significant: Some(diff.abs() > 4.5),
            ..Gap::default()
        }
    };
    let quartile = (i % 4) as u8 + 1;
    let mut position_by_key = BTreeMap::new();
    if !hide_k {
        position_by_key.insert(Key::K, position(n, quartile));
    }
    position_by_key.insert(Key::M, position(n * 1.05, quartile));
    position_by_key.insert(Key::T, position(n * 2.05, quartile));
    let t_cell = if hide_k { None } else { Some(cell((k + m) / 2.0, n * 2.05)) };
    Entry { k: Some(kc), m: Some(mc), t: t_cell, gap: Some(gap), position: position_by_key }
}

fn series(org: Org, i: usize, hide_k_latest: bool) -> Series {
    let periods =
        PERIODS.iter().enumerate().map(|(t, p)| (p.to_string(), entry(i, t, hide_k_latest && t == 2))).collect();
    Series { org, periods }
}

/// One panel of `indicator` with the fixture's organisations.
pub(super) fn panel(indicator: Indicator) -> Panel {
    let mut focus = vec![
        series(org("X01", "Åbyholm", Role::Participant), 3, false),
        series(org("X02", "Norrvik", Role::Participant), 5, true),
        series(org("X09", "Sjöbacka", Role::Mentor), 8, false),
    ];
    // Åbyholm's women's/girls' value in 2024 is 61.37, written 61,4 % in Swedish.
    if let Some(Entry { k: Some(c), .. }) = focus[0].periods.get_mut("2024") {
        c.value = Some(61.37);
        c.ci = Some((55.0, 67.0));
    }
    let reference: Vec<Series> =
        (10..30).map(|i| series(org(&format!("R{i:02}"), &format!("Ort {i}"), Role::Reference), i, false)).collect();
    let mut spread = BTreeMap::new();
    let mut partners = BTreeMap::new();
    for p in PERIODS {
        for key in [Key::K, Key::M, Key::T, Key::Gap] {
            let of = |e: &Entry| match key {
                Key::Gap => e.gap.as_ref().and_then(|g| g.diff).map(f64::abs),
                _ => e.cell(key).value,
            };
            let xs: Vec<f64> = reference.iter().filter_map(|s| s.periods.get(p).and_then(of)).collect();
            if let Some(d) = Distribution::of(&xs) {
                spread.insert(
                    (p.to_string(), key),
                    Spread { n: d.n, min: d.min, q1: d.q1, median: d.median, q3: d.q3, max: d.max },
                );
            }
        }
        partners.insert((p.to_string(), Key::Gap), Group { value: Some(5.26), how: "partner_group_pooled".into() });
    }
    Panel {
        indicator,
        age_group: "all".to_string(),
        periods: PERIODS.iter().map(|p| p.to_string()).collect(),
        latest: Some("2024".to_string()),
        focus,
        reference,
        spread,
        partners,
    }
}

/// The round: a proportion panel and a value panel.
pub(super) fn view() -> View {
    let panels = vec![panel(proportion()), panel(value())];
    let participants = panels[0].focus[..2].iter().map(|s| s.org.clone()).collect();
    let mentors = vec![panels[0].focus[2].org.clone()];
    View { name: "Testomgång".to_string(), participants, mentors, reference_n: 20, min_count: 5, level: 0.95, panels }
}
