//! The funnel plot (proportions and rates): for the latest period, every organisation's value
//! against its denominator, women/girls and men/boys side by side, with the 95 % and 99.8 %
//! control limits. Small organisations scatter widely by chance alone; the funnel shows which
//! focus organisation lies further out than chance explains, which a ranking cannot.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::render::lang::{Lang, SUPPRESSED};
use crate::render::view::{Key, Series};

use super::style::{
    BELOW, CONNECTOR, Canvas, Domain, Extent, Font, Frame, GRID, INK, LEFT, MARGIN, MUTED, REFERENCE, RIGHT, Scale,
    Shape, Swatch, WIDTH, alpha, fit, rgba, y_axis,
};
use super::words::{Ctx, join, percent};
use super::{Chart, ChartError, Plot, Point, SEXES, render};

const GUTTER: i32 = 24;
const HEAD: i32 = 26;
const PLOT: i32 = 320;
const Y_LABELS: i32 = 46;
/// Tick labels and the axis title under the plots.
const FOOT: i32 = 46;

/// One focus organisation drawn on a side.
struct Focus {
    shape: Shape,
    name: String,
    n: f64,
    v: f64,
}

/// One sex's half of the chart.
struct Side {
    title: String,
    colour: RGBColor,
    /// Reference organisations as (denominator, value).
    dots: Vec<(f64, f64)>,
    focus: Vec<Focus>,
    /// Control limits as (denominator, low, high), ascending by denominator: 95 %, 99.8 %.
    limits: [Vec<(f64, f64, f64)>; 2],
}

struct Funnel {
    frame: Frame,
    sides: Vec<Side>,
    /// log10 of the denominator.
    x: (f64, f64),
    y: (f64, f64),
    x_title: String,
    lang: Lang,
}

/// The funnel plot, or `None` when no organisation has both a value and a denominator.
pub(super) fn chart(ctx: &Ctx<'_>) -> Result<Option<Chart>, ChartError> {
    let sides: Vec<Side> = SEXES
        .iter()
        .map(|&(key, sex, colour)| side(ctx, key, colour, format!("{} ({})", ctx.sex(sex), ctx.axis().to_lowercase())))
        .collect();
    if sides.iter().all(|s| s.dots.is_empty() && s.focus.is_empty()) {
        return Ok(None);
    }
    let (mut x, mut y) = (Extent::empty(), Extent::empty());
    for s in &sides {
        for (n, v) in s.dots.iter().copied().chain(s.focus.iter().map(|f| (f.n, f.v))) {
            x.add(n.log10());
            y.add(v);
        }
    }
    let mut notes = vec![ctx.source(true)];
    let hidden = not_shown(ctx);
    if !hidden.is_empty() {
        let names: Vec<&str> = hidden.iter().map(String::as_str).collect();
        notes.push(format!("{}: {}.", ctx.lang.pick("Visas inte", "Not shown"), join(ctx.lang, &names)));
        if hidden.iter().any(|h| h.contains(SUPPRESSED)) {
            notes.push(ctx.suppressed_note());
        }
    }
    let frame = Frame::new(&ctx.title(), &subtitle(ctx.lang), legend(ctx), &notes)?;
    let plot = Funnel {
        frame,
        sides,
        x: x.padded(0.04, Domain::Signed),
        y: y.padded(0.08, ctx.domain()),
        x_title: ctx.lang.pick("Nämnare (antal, logaritmisk skala)", "Denominator (count, log scale)").to_string(),
        lang: ctx.lang,
    };
    Ok(Some(render("funnel", ctx.title(), alt(ctx), &plot)?))
}

/// A drawable (denominator, value) of one organisation and sex.
fn point(series: &Series, ctx: &Ctx<'_>, key: Key) -> Option<(f64, f64)> {
    let cell = ctx.entry(series)?.cell(key);
    let v = Point::of(&cell).value()?;
    let n = cell.denominator.filter(|n| n.is_finite() && *n > 0.0)?;
    Some((n, v))
}

fn side(ctx: &Ctx<'_>, key: Key, colour: RGBColor, title: String) -> Side {
    let dots = ctx.panel.reference.iter().filter_map(|s| point(s, ctx, key)).collect();
    let focus = ctx
        .panel
        .focus
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            point(s, ctx, key).map(|(n, v)| Focus { shape: Shape::nth(i), name: s.org.name.clone(), n, v })
        })
        .collect();
    let mut limits: [Vec<(f64, f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for s in ctx.panel.reference.iter().chain(&ctx.panel.focus) {
        let Some(entry) = ctx.entry(s) else { continue };
        let Some(n) = entry.cell(key).denominator.filter(|n| n.is_finite() && *n > 0.0) else { continue };
        let Some(position) = entry.position.get(&key) else { continue };
        for (out, limit) in limits.iter_mut().zip([position.funnel_95, position.funnel_998]) {
            if let Some((lo, hi)) = limit {
                out.push((n, lo, hi));
            }
        }
    }
    for l in &mut limits {
        l.sort_by(|a, b| a.0.total_cmp(&b.0));
        l.dedup_by(|a, b| a.0 == b.0);
    }
    Side { title, colour, dots, focus, limits }
}

/// Focus organisations missing from a side, with why: `Norrvik (kvinnor: ..)`, or
/// `Ekeskog (..)` when both sides miss it for the same reason.
fn not_shown(ctx: &Ctx<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for s in &ctx.panel.focus {
        let missing: Vec<(&str, &str)> = SEXES
            .iter()
            .filter(|(key, ..)| point(s, ctx, *key).is_none())
            .map(|&(key, sex, _)| {
                let cell = ctx.entry(s).map(|e| e.cell(key)).unwrap_or_default();
                (ctx.sex_word(sex), if cell.status.is_suppressed() { SUPPRESSED } else { "–" })
            })
            .collect();
        let name = &s.org.name;
        match missing.as_slice() {
            [] => {}
            [(_, a), (_, b)] if a == b => out.push(format!("{name} ({a})")),
            parts => {
                let parts: Vec<String> = parts.iter().map(|(sex, why)| format!("{sex}: {why}")).collect();
                out.push(format!("{name} ({})", parts.join("; ")));
            }
        }
    }
    out
}

fn subtitle(lang: Lang) -> String {
    lang.pick(
        "Värdet mot antalet i nämnaren för varje organisation, med kontrollgränser: den som ligger utanför gränserna skiljer sig mer än slumpen förklarar.",
        "The value against the denominator for every organisation, with control limits: one outside them differs more than chance explains.",
    )
    .to_string()
}

fn legend(ctx: &Ctx<'_>) -> Vec<(Swatch, String)> {
    let lang = ctx.lang;
    let limit = lang.pick("kontrollgräns", "control limit");
    let mut items = vec![
        (Swatch::Dot(alpha(REFERENCE, 0.7)), lang.pick("Övriga organisationer", "Other organisations").to_string()),
        (Swatch::Line(rgba(INK)), format!("{} {limit}", percent(lang, 0.998))),
        (Swatch::Dashed(rgba(INK)), format!("{} {limit}", percent(lang, 0.95))),
    ];
    for (i, s) in ctx.panel.focus.iter().enumerate() {
        items.push((Swatch::Mark { shape: Shape::nth(i), fill: None, stroke: rgba(INK) }, s.org.name.clone()));
    }
    items
}

fn alt(ctx: &Ctx<'_>) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    let (p95, p998) = (percent(ctx.lang, 0.95), percent(ctx.lang, 0.998));
    match ctx.lang {
        Lang::Sv => format!(
            "Trattdiagram: {} {} mot antalet i nämnaren för alla organisationer, separat för {k} och {m}, med kontrollgränser på {p95} och {p998}; {} är markerade.",
            ctx.subject_in_sentence(),
            ctx.period,
            ctx.focus_names()
        ),
        Lang::En => format!(
            "Funnel plot: {} in {} against the denominator for every organisation, separately for {k} and {m}, with {p95} and {p998} control limits; {} are marked.",
            ctx.subject_in_sentence(),
            ctx.period,
            ctx.focus_names()
        ),
    }
}

/// The parts of a polyline that lie between `lo` and `hi` in y: a limit line leaves the plot
/// where it crosses the edge instead of running along it.
fn clip(points: &[(f64, f64)], (lo, hi): (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        let (p, q) = (pair[0], pair[1]);
        let Some((a, b)) = clip_segment(p, q, (lo, hi)) else {
            if run.len() > 1 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
            continue;
        };
        if a == b {
            continue; // touches the edge at one point
        }
        if run.last() != Some(&a) {
            if run.len() > 1 {
                out.push(std::mem::take(&mut run));
            }
            run = vec![a];
        }
        run.push(b);
    }
    if run.len() > 1 {
        out.push(run);
    }
    out
}

fn clip_segment(p: (f64, f64), q: (f64, f64), (lo, hi): (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
    let dy = q.1 - p.1;
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    if dy == 0.0 {
        if p.1 < lo || p.1 > hi {
            return None;
        }
    } else {
        let (a, b) = ((lo - p.1) / dy, (hi - p.1) / dy);
        t0 = t0.max(a.min(b));
        t1 = t1.min(a.max(b));
        if t0 > t1 {
            return None;
        }
    }
    let at = |t: f64| {
        if t == 0.0 {
            p
        } else if t == 1.0 {
            q
        } else {
            (p.0 + t * (q.0 - p.0), p.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// Round denominators for a log axis: 1, 2, 5 × 10ᵏ, or only powers of ten when those crowd.
fn log_ticks((lo, hi): (f64, f64)) -> Vec<f64> {
    let candidates = |steps: &[f64]| -> Vec<f64> {
        (lo.floor() as i32..=hi.ceil() as i32)
            .flat_map(|k| steps.iter().map(move |s| s * 10f64.powi(k)))
            .filter(|v| (lo..=hi).contains(&v.log10()))
            .collect()
    };
    let all = candidates(&[1.0, 2.0, 5.0]);
    if all.len() > 7 { candidates(&[1.0]) } else { all }
}

impl Funnel {
    fn draw_side<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        side: &Side,
        x0: i32,
        width: i32,
    ) -> Result<(), ChartError> {
        let top = self.frame.top() + HEAD;
        let bottom = top + PLOT;
        let (left, right) = (x0 + Y_LABELS, x0 + width);
        let xs = Scale::new(self.x, (left + 6, right - 6));
        let ys = Scale::new(self.y, (bottom, top));
        let lang = self.lang;
        c.text(&fit(&side.title, Font::HEADING, width)?, (x0, top - HEAD / 2), Font::HEADING, INK, LEFT)?;
        y_axis(c, &ys, (left, right), 6, &|t, d| lang.number(t, d))?;
        for n in log_ticks(self.x) {
            let x = xs.px(n.log10());
            c.line(&[(x, top), (x, bottom)], rgba(GRID), 1)?;
            c.text(&lang.number(n, 0), (x, bottom + 5), Font::SMALL, MUTED, BELOW)?;
        }
        c.line(&[(left, bottom), (right, bottom)], rgba(CONNECTOR), 1)?;
        c.text(&self.x_title, ((left + right) / 2, bottom + 24), Font::SMALL, INK, BELOW)?;
        for &(n, v) in &side.dots {
            c.dot((xs.px(n.log10()), ys.px(v)), 2, alpha(REFERENCE, 0.7))?;
        }
        for (i, limits) in side.limits.iter().enumerate() {
            for edge in [0, 1] {
                let line: Vec<(f64, f64)> =
                    limits.iter().map(|&(n, lo, hi)| (n.log10(), if edge == 0 { lo } else { hi })).collect();
                for run in clip(&line, (ys.lo, ys.hi)) {
                    let px: Vec<(i32, i32)> = run.iter().map(|&(x, y)| (xs.px(x), ys.px(y))).collect();
                    if i == 0 { c.dashed(&px, alpha(INK, 0.8), 1)? } else { c.line(&px, alpha(INK, 0.8), 1)? }
                }
            }
        }
        let at = |f: &Focus| (xs.px(f.n.log10()), ys.px(f.v));
        for f in &side.focus {
            c.marker(f.shape, at(f), 6, Some(rgba(side.colour)), rgba(INK))?;
        }
        // Names go right of their marker unless they would run off the plot, and move down
        // a line while they would cover a name already placed.
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        for f in &side.focus {
            let (mx, mut y) = at(f);
            let w = Font::SMALL.width(&f.name)?;
            let (x, x0, pos) =
                if mx + 10 + w <= right { (mx + 10, mx + 10, LEFT) } else { (mx - 10, mx - 10 - w, RIGHT) };
            let line = Font::SMALL.line();
            for _ in 0..side.focus.len() {
                let overlaps =
                    placed.iter().any(|&(a, b, c2, d)| x0 < c2 && a < x0 + w && y - line / 2 < d && b < y + line / 2);
                if !overlaps {
                    break;
                }
                y += line;
            }
            placed.push((x0, y - line / 2, x0 + w, y + line / 2));
            c.text(&f.name, (x, y), Font::SMALL, INK, pos)?;
        }
        Ok(())
    }
}

impl Plot for Funnel {
    fn height(&self) -> i32 {
        self.frame.around(HEAD + PLOT + FOOT)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        self.frame.draw(c, self.height())?;
        let width = (WIDTH - 2 * MARGIN - GUTTER) / 2;
        for (i, side) in self.sides.iter().enumerate() {
            self.draw_side(c, side, MARGIN + i as i32 * (width + GUTTER), width)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_lines_are_cut_where_they_leave_the_plot() {
        let line = [(0.0, 20.0), (1.0, 10.0), (2.0, 6.0), (3.0, 5.0)];
        let runs = clip(&line, (0.0, 10.0));
        assert_eq!(runs, vec![vec![(1.0, 10.0), (2.0, 6.0), (3.0, 5.0)]]);
        let runs = clip(&[(0.0, 0.0), (1.0, 20.0)], (0.0, 10.0));
        assert_eq!(runs, vec![vec![(0.0, 0.0), (0.5, 10.0)]]);
        assert!(clip(&[(0.0, 50.0), (1.0, 60.0)], (0.0, 10.0)).is_empty());
    }

    #[test]
    fn log_ticks_are_round_denominators() {
        assert_eq!(log_ticks((2.0, 3.0)), vec![100.0, 200.0, 500.0, 1000.0]);
        assert_eq!(log_ticks((1.5, 5.5)), vec![100.0, 1000.0, 10000.0, 100000.0]);
    }
}
