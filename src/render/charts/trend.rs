//! The trend chart: small multiples, one per focus organisation, with women's and men's values
//! over every period as two lines with shaded intervals, and under each a strip with the gap
//! women − men per period. All cells share their scales, so organisations compare at a glance.
//! A line breaks where a value is missing or suppressed rather than bridging the hole, which
//! would suggest a value nobody published.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::render::lang::{Lang, SUPPRESSED};
use crate::render::view::Series;

use super::style::{
    ABOVE, BELOW, BOTTOM_LEFT, CONNECTOR, Canvas, Domain, Extent, Font, Frame, INK, LEFT, MARGIN, MUTED, REFERENCE,
    SIGNIFICANT, Scale, Shape, Swatch, WIDTH, alpha, fit, rgba, y_axis,
};
use super::words::{Ctx, org_label};
use super::{Chart, ChartError, Plot, Point, SEXES, render};

const GUTTER: i32 = 28;
const HEAD: i32 = 24;
const MAIN: i32 = 140;
const STRIP_GAP: i32 = 22;
const STRIP: i32 = 56;
const CELL: i32 = HEAD + MAIN + STRIP_GAP + STRIP + 22 + 16;
/// Room for the y tick labels inside each cell.
const Y_LABELS: i32 = 52;

/// One focus organisation's small multiple.
struct Cell {
    label: String,
    /// Women's and men's points per period.
    sexes: [Vec<Point>; 2],
    /// The gap per period, and whether it is significant.
    gaps: Vec<(Point, bool)>,
}

struct TrendPlot {
    frame: Frame,
    cells: Vec<Cell>,
    periods: Vec<String>,
    values: (f64, f64),
    gaps: (f64, f64),
    gap_label: String,
    lang: Lang,
}

/// The trend chart, or `None` with fewer than two periods (a trend needs two points).
pub(super) fn chart(ctx: &Ctx<'_>) -> Result<Option<Chart>, ChartError> {
    let periods = &ctx.panel.periods;
    if periods.len() < 2 || ctx.panel.focus.is_empty() {
        return Ok(None);
    }
    let cells: Vec<Cell> = ctx.panel.focus.iter().map(|s| cell(s, periods)).collect();
    let (mut values, mut gaps) = (Extent::empty(), Extent::empty());
    gaps.add(0.0);
    for c in &cells {
        for p in c.sexes.iter().flatten() {
            values.add(p.value().unwrap_or(f64::NAN));
            values.add_pair(p.ci());
        }
        for (p, _) in &c.gaps {
            gaps.add(p.value().unwrap_or(f64::NAN));
            gaps.add_pair(p.ci());
        }
    }
    if values.is_empty() {
        return Ok(None);
    }
    let (first, last) = (&periods[0], &periods[periods.len() - 1]);
    let title = format!("{}, {first}–{last}", ctx.subject());
    let suppressed = cells
        .iter()
        .any(|c| c.sexes.iter().flatten().chain(c.gaps.iter().map(|(p, _)| p)).any(|p| *p == Point::Suppressed));
    let frame = Frame::new(&title, &subtitle(ctx), legend(ctx, suppressed), &[ctx.source(true)])?;
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    let plot = TrendPlot {
        frame,
        cells,
        periods: periods.clone(),
        values: values.padded(0.06, ctx.domain()),
        gaps: gaps.padded(0.1, Domain::Signed),
        gap_label: format!("{} {k} − {m}", ctx.lang.pick("Skillnad", "Difference")),
        lang: ctx.lang,
    };
    let alt = alt(ctx, first, last);
    Ok(Some(render("trend", title, alt, &plot)?))
}

fn cell(series: &Series, periods: &[String]) -> Cell {
    let entries: Vec<_> = periods.iter().map(|p| series.periods.get(p)).collect();
    let sexes =
        SEXES.map(|(key, ..)| entries.iter().map(|e| e.map_or(Point::Absent, |e| Point::of(&e.cell(key)))).collect());
    let gaps = entries
        .iter()
        .map(|e| {
            let gap = e.and_then(|e| e.gap.as_ref());
            (Point::of_gap(gap), gap.and_then(|g| g.significant) == Some(true))
        })
        .collect();
    Cell { label: org_label(series), sexes, gaps }
}

fn subtitle(ctx: &Ctx<'_>) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    match ctx.lang {
        Lang::Sv => format!(
            "{} och {m} per period med {} (skuggat); under varje diagram skillnaden {k} − {m}. Linjen bryts där ett värde saknas.",
            ctx.sex(SEXES[0].1),
            ctx.ci()
        ),
        Lang::En => format!(
            "{} and {m} per period with {}s (shaded); under each chart the difference {k} − {m}. Lines break where a value is missing.",
            ctx.sex(SEXES[0].1),
            ctx.ci()
        ),
    }
}

fn legend(ctx: &Ctx<'_>, suppressed: bool) -> Vec<(Swatch, String)> {
    let lang = ctx.lang;
    let mut items: Vec<(Swatch, String)> =
        SEXES.iter().map(|&(_, sex, c)| (Swatch::Dot(rgba(c)), ctx.sex(sex))).collect();
    items.push((Swatch::Band(alpha(MUTED, 0.25)), ctx.ci()));
    items.push((
        Swatch::Dot(rgba(SIGNIFICANT)),
        lang.pick("Säkerställd skillnad", "Significant difference").to_string(),
    ));
    items.push((Swatch::Dot(rgba(REFERENCE)), lang.pick("Inte säkerställd", "Not significant").to_string()));
    if suppressed {
        items.push((Swatch::Open(rgba(INK)), ctx.suppressed_note()));
    }
    items
}

fn alt(ctx: &Ctx<'_>, first: &str, last: &str) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    match ctx.lang {
        Lang::Sv => format!(
            "Linjediagram: {} för {k} och {m} i {}, {first}–{last}, med skillnaden mellan könen under varje diagram.",
            ctx.subject_in_sentence(),
            ctx.focus_names()
        ),
        Lang::En => format!(
            "Line charts: {} for {k} and {m} in {}, {first}–{last}, with the difference between the sexes under each chart.",
            ctx.subject_in_sentence(),
            ctx.focus_names()
        ),
    }
}

/// The runs of consecutive present items: a line is drawn through each run, never across the
/// holes between them.
fn runs<T: Copy>(items: &[Option<T>]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current = Vec::new();
    for item in items {
        match item {
            Some(x) => current.push(*x),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Where one cell's pieces go.
struct Layout {
    x: Scale,
    y: Scale,
    gap: Scale,
    left: i32,
    right: i32,
    /// Top and bottom of the main plot and of the gap strip.
    main: (i32, i32),
    strip: (i32, i32),
}

impl TrendPlot {
    fn columns(&self) -> i32 {
        if self.cells.len() == 1 { 1 } else { 2 }
    }

    fn layout(&self, i: usize) -> Layout {
        let cols = self.columns();
        let width = (WIDTH - 2 * MARGIN - (cols - 1) * GUTTER) / cols;
        let (col, row) = (i as i32 % cols, i as i32 / cols);
        let x0 = MARGIN + col * (width + GUTTER);
        let y0 = self.frame.top() + row * CELL;
        let (left, right) = (x0 + Y_LABELS, x0 + width - 6);
        let main = (y0 + HEAD, y0 + HEAD + MAIN);
        let strip = (main.1 + STRIP_GAP, main.1 + STRIP_GAP + STRIP);
        let n = self.periods.len() as f64;
        Layout {
            x: Scale::new((-0.4, n - 0.6), (left + 4, right - 4)),
            y: Scale::new(self.values, (main.1, main.0)),
            gap: Scale::new(self.gaps, (strip.1, strip.0)),
            left,
            right,
            main,
            strip,
        }
    }

    fn draw_cell<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, cell: &Cell, l: &Layout) -> Result<(), ChartError> {
        let lang = self.lang;
        let head = fit(&cell.label, Font::HEADING, l.right - l.left + Y_LABELS)?;
        c.text(&head, (l.left - Y_LABELS, l.main.0 - HEAD / 2), Font::HEADING, INK, LEFT)?;
        y_axis(c, &l.y, (l.left, l.right), 4, &|t, d| lang.number(t, d))?;
        y_axis(c, &l.gap, (l.left, l.right), 3, &|t, d| lang.signed(t, d))?;
        c.line(&[(l.left, l.gap.px(0.0)), (l.right, l.gap.px(0.0))], rgba(MUTED), 1)?;
        c.text(&self.gap_label, (l.left, l.strip.0 - 3), Font::SMALL, MUTED, BOTTOM_LEFT)?;
        self.draw_periods(c, l)?;
        for (points, (_, _, colour)) in cell.sexes.iter().zip(SEXES) {
            self.draw_series(c, l, points, colour)?;
        }
        self.draw_suppressed(c, l, cell)?;
        self.draw_gaps(c, l, &cell.gaps)
    }

    /// Period labels under the strip: all of them when they fit, else every k-th and the last.
    fn draw_periods<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, l: &Layout) -> Result<(), ChartError> {
        let n = self.periods.len();
        let every = n.div_ceil(if self.columns() == 1 { 10 } else { 6 }).max(1);
        for (i, period) in self.periods.iter().enumerate() {
            if i % every == 0 || i == n - 1 {
                c.text(period, (l.x.px(i as f64), l.strip.1 + 4), Font::SMALL, MUTED, BELOW)?;
            }
        }
        Ok(())
    }

    fn draw_series<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        l: &Layout,
        points: &[Point],
        colour: RGBColor,
    ) -> Result<(), ChartError> {
        let at = |i: usize| l.x.px(i as f64);
        let ribbons: Vec<Option<(i32, (f64, f64))>> = points
            .iter()
            .enumerate()
            .map(|(i, p)| p.ci().filter(|_| p.value().is_some()).map(|ci| (at(i), ci)))
            .collect();
        for run in runs(&ribbons) {
            if let [(x, (lo, hi))] = run[..] {
                c.vwhisker(x, (l.y.px(lo), l.y.px(hi)), alpha(colour, 0.6))?;
            } else {
                let upper = run.iter().map(|&(x, (_, hi))| (x, l.y.px(hi)));
                let lower = run.iter().rev().map(|&(x, (lo, _))| (x, l.y.px(lo)));
                c.polygon(&upper.chain(lower).collect::<Vec<_>>(), alpha(colour, 0.2))?;
            }
        }
        let values: Vec<Option<(i32, i32)>> =
            points.iter().enumerate().map(|(i, p)| p.value().map(|v| (at(i), l.y.px(v)))).collect();
        for run in runs(&values) {
            c.line(&run, rgba(colour), 2)?;
            for &p in &run {
                c.dot(p, 3, rgba(colour))?;
            }
        }
        Ok(())
    }

    /// Suppressed values at the foot of the plot: open markers in the sex's colour, `..` above.
    fn draw_suppressed<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        l: &Layout,
        cell: &Cell,
    ) -> Result<(), ChartError> {
        for i in 0..self.periods.len() {
            let x = l.x.px(i as f64);
            let mut any = false;
            for (side, (points, (_, _, colour))) in cell.sexes.iter().zip(SEXES).enumerate() {
                if points[i] == Point::Suppressed {
                    let dx = if side == 0 { -5 } else { 5 };
                    c.marker(Shape::Circle, (x + dx, l.main.1 - 7), 4, None, rgba(colour))?;
                    any = true;
                }
            }
            if any {
                c.text(SUPPRESSED, (x, l.main.1 - 12), Font::MARKER, INK, ABOVE)?;
            }
        }
        Ok(())
    }

    fn draw_gaps<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        l: &Layout,
        gaps: &[(Point, bool)],
    ) -> Result<(), ChartError> {
        let at = |i: usize| l.x.px(i as f64);
        let points: Vec<Option<(i32, i32)>> =
            gaps.iter().enumerate().map(|(i, (p, _))| p.value().map(|v| (at(i), l.gap.px(v)))).collect();
        for run in runs(&points) {
            c.line(&run, rgba(CONNECTOR), 1)?;
        }
        for (i, (point, significant)) in gaps.iter().enumerate() {
            let colour = if *significant { SIGNIFICANT } else { REFERENCE };
            match point {
                Point::Value { v, ci } => {
                    if let Some((lo, hi)) = ci {
                        c.vwhisker(at(i), (l.gap.px(*lo), l.gap.px(*hi)), rgba(colour))?;
                    }
                    c.marker(Shape::Circle, (at(i), l.gap.px(*v)), 4, Some(rgba(colour)), rgba(INK))?;
                }
                Point::Suppressed => {
                    c.marker(Shape::Circle, (at(i), l.gap.px(0.0)), 4, None, rgba(INK))?;
                    c.text(SUPPRESSED, (at(i) + 7, l.gap.px(0.0)), Font::MARKER, INK, LEFT)?;
                }
                Point::Absent => {}
            }
        }
        Ok(())
    }
}

impl Plot for TrendPlot {
    fn height(&self) -> i32 {
        let rows = (self.cells.len() as i32 + self.columns() - 1) / self.columns();
        self.frame.around(rows * CELL)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        self.frame.draw(c, self.height())?;
        for (i, cell) in self.cells.iter().enumerate() {
            self.draw_cell(c, cell, &self.layout(i))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_holes() {
        let items = [Some(1), Some(2), None, Some(4), None, None, Some(7)];
        assert_eq!(runs(&items), vec![vec![1, 2], vec![4], vec![7]]);
        assert!(runs::<i32>(&[None, None]).is_empty());
    }
}
