//! The dumbbell chart: for the latest period, one row per focus organisation with a dot for
//! women/girls and one for men/boys (with their intervals) joined by a line, and a last row
//! with the reference median and middle half of each sex. It answers "how far apart are women
//! and men here, and where do both stand against everyone else?" in one glance.

use plotters::prelude::DrawingBackend;

use crate::render::lang::{Lang, SUPPRESSED};
use crate::render::view::Spread;

use super::style::{
    ABOVE, BELOW, CONNECTOR, Canvas, Extent, Font, Frame, INK, LEFT, MARGIN, MUTED, PLOT_LEFT, PLOT_RIGHT, REFERENCE,
    Scale, Shape, Swatch, alpha, fit, rgba, x_axis,
};
use super::words::{Ctx, org_label};
use super::{Chart, ChartError, Plot, Point, SEXES, render};

const ROW: i32 = 46;
/// Where absent values are marked, left of the scale: women's slot, then men's.
const SLOTS: [i32; 2] = [PLOT_LEFT + 8, PLOT_LEFT + 26];
const SCALE_LEFT: i32 = PLOT_LEFT + 48;

/// One sex in one row: where it goes and what it is labelled.
struct Mark {
    point: Point,
    label: String,
}

struct Row {
    label: String,
    /// Women's, then men's.
    marks: [Mark; 2],
    /// The reference row: each sex's middle half (q1, q3).
    bands: Option<[Option<(f64, f64)>; 2]>,
}

struct Dumbbell {
    frame: Frame,
    rows: Vec<Row>,
    scale: Scale,
    axis: String,
    lang: Lang,
}

/// The dumbbell chart of the panel's latest period.
pub(super) fn chart(ctx: &Ctx<'_>) -> Result<Option<Chart>, ChartError> {
    let mut rows: Vec<Row> = ctx.panel.focus.iter().map(|s| focus_row(ctx, ctx.entry(s), org_label(s))).collect();
    let spreads = SEXES.map(|(key, ..)| ctx.panel.spread.get(&(ctx.period.to_string(), key)).copied());
    if spreads.iter().any(Option::is_some) {
        rows.push(reference_row(ctx, spreads));
    }
    if rows.iter().all(|r| r.marks.iter().all(|m| m.point.value().is_none())) {
        return Ok(None);
    }
    let suppressed = rows.iter().any(|r| r.marks.iter().any(|m| m.point == Point::Suppressed));
    let n = spreads.iter().flatten().map(|s| s.n).max().unwrap_or(ctx.view.reference_n);
    let subtitle = match ctx.lang {
        Lang::Sv => format!(
            "{} och {} per organisation med {}; referensen är {n} organisationer.",
            ctx.sex(SEXES[0].1),
            ctx.sex_word(SEXES[1].1),
            ctx.ci()
        ),
        Lang::En => format!(
            "{} and {} per organisation with {}s; the reference is {n} organisations.",
            ctx.sex(SEXES[0].1),
            ctx.sex_word(SEXES[1].1),
            ctx.ci()
        ),
    };
    let mut legend: Vec<(Swatch, String)> =
        SEXES.iter().map(|&(_, sex, c)| (Swatch::Dot(rgba(c)), ctx.sex(sex))).collect();
    legend.push((Swatch::Whisker(rgba(INK)), ctx.ci()));
    legend.push((
        Swatch::Mark { shape: Shape::Diamond, fill: Some(rgba(REFERENCE)), stroke: rgba(INK) },
        ctx.lang.pick("Referensmedian", "Reference median").to_string(),
    ));
    legend.push((
        Swatch::Band(alpha(REFERENCE, 0.4)),
        ctx.lang
            .pick("Mellersta hälften av referensen (kvartil 1–3)", "Middle half of the reference (quartiles 1–3)")
            .to_string(),
    ));
    if suppressed {
        legend.push((Swatch::Open(rgba(INK)), ctx.suppressed_note()));
    }
    let frame = Frame::new(&ctx.title(), &subtitle, legend, &[ctx.source(false)])?;
    let scale = Scale::new(extent(&rows).padded(0.04, ctx.domain()), (SCALE_LEFT, PLOT_RIGHT));
    let plot = Dumbbell { frame, rows, scale, axis: ctx.axis(), lang: ctx.lang };
    Ok(Some(render("dumbbell", ctx.title(), alt(ctx), &plot)?))
}

fn focus_row(ctx: &Ctx<'_>, entry: Option<&crate::render::view::Entry>, label: String) -> Row {
    let marks = SEXES.map(|(key, ..)| {
        let cell = entry.map(|e| e.cell(key)).unwrap_or_default();
        let point = if entry.is_some() { Point::of(&cell) } else { Point::Absent };
        let label = match &point {
            Point::Value { v, .. } => ctx.value(*v),
            Point::Suppressed => SUPPRESSED.to_string(),
            Point::Absent => ctx.lang.absent(&cell.status).to_string(),
        };
        Mark { point, label }
    });
    Row { label, marks, bands: None }
}

fn reference_row(ctx: &Ctx<'_>, spreads: [Option<Spread>; 2]) -> Row {
    let marks = spreads.map(|s| match s {
        Some(s) => Mark { point: Point::Value { v: s.median, ci: None }, label: ctx.value(s.median) },
        None => Mark { point: Point::Absent, label: "–".to_string() },
    });
    let label = ctx.lang.pick("Referensmedian", "Reference median").to_string();
    Row { label, marks, bands: Some(spreads.map(|s| s.map(|s| (s.q1, s.q3)))) }
}

fn extent(rows: &[Row]) -> Extent {
    let mut e = Extent::empty();
    for row in rows {
        for mark in &row.marks {
            e.add(mark.point.value().unwrap_or(f64::NAN));
            e.add_pair(mark.point.ci());
        }
        for band in row.bands.iter().flatten() {
            e.add_pair(*band);
        }
    }
    e
}

fn alt(ctx: &Ctx<'_>) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    match ctx.lang {
        Lang::Sv => format!(
            "Prickdiagram: {} {} för {k} och {m} i {} samt referensmedianen.",
            ctx.subject_in_sentence(),
            ctx.period,
            ctx.focus_names()
        ),
        Lang::En => format!(
            "Dot plot: {} in {} for {k} and {m} in {}, and the reference median.",
            ctx.subject_in_sentence(),
            ctx.period,
            ctx.focus_names()
        ),
    }
}

impl Plot for Dumbbell {
    fn height(&self) -> i32 {
        self.frame.around(self.rows.len() as i32 * ROW + 52)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        self.frame.draw(c, self.height())?;
        let top = self.frame.top();
        let bottom = top + self.rows.len() as i32 * ROW;
        let lang = self.lang;
        x_axis(c, &self.scale, (top, bottom), &|t, d| lang.number(t, d), &self.axis)?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + ROW / 2 + i as i32 * ROW;
            if row.bands.is_some() {
                c.dashed(&[(MARGIN, y - ROW / 2), (PLOT_RIGHT, y - ROW / 2)], rgba(CONNECTOR), 1)?;
            }
            self.draw_row(c, row, y)?;
        }
        Ok(())
    }
}

impl Dumbbell {
    fn draw_row<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, row: &Row, y: i32) -> Result<(), ChartError> {
        let colour = if row.bands.is_some() { MUTED } else { INK };
        c.text(&fit(&row.label, Font::BODY, PLOT_LEFT - MARGIN - 8)?, (MARGIN, y), Font::BODY, colour, LEFT)?;
        // Bands first, then the connector and intervals, dots on top.
        // Women's band in the upper half of the row, men's in the lower.
        for (side, (band, (_, _, colour))) in row.bands.iter().flatten().zip(SEXES).enumerate() {
            if let Some((q1, q3)) = band {
                let (top, bottom) = if side == 0 { (-11, -2) } else { (2, 11) };
                c.rect((self.scale.px(*q1), y + top), (self.scale.px(*q3), y + bottom), alpha(colour, 0.35))?;
            }
        }
        if let [Some(k), Some(m)] = [row.marks[0].point.value(), row.marks[1].point.value()] {
            c.line(&[(self.scale.px(k), y), (self.scale.px(m), y)], rgba(CONNECTOR), 3)?;
        }
        for (side, (mark, (_, _, colour))) in row.marks.iter().zip(SEXES).enumerate() {
            // Women's labels above the row, men's below, so close values never collide.
            let (dy, pos) = if side == 0 { (-3, ABOVE) } else { (3, BELOW) };
            let (x, font) = match &mark.point {
                Point::Value { v, ci } => {
                    if let Some((lo, hi)) = ci {
                        c.whisker((self.scale.px(*lo), self.scale.px(*hi)), y + dy, alpha(colour, 0.9))?;
                    }
                    let x = self.scale.px(*v);
                    let shape = if row.bands.is_some() { Shape::Diamond } else { Shape::Circle };
                    c.marker(shape, (x, y), 6, Some(rgba(colour)), rgba(INK))?;
                    (x, Font::SMALL)
                }
                Point::Suppressed => {
                    c.marker(Shape::Circle, (SLOTS[side], y), 5, None, rgba(colour))?;
                    (SLOTS[side], Font::MARKER)
                }
                Point::Absent => (SLOTS[side], Font::SMALL),
            };
            c.text(&mark.label, (x, y + dy * 3), font, INK, pos)?;
        }
        Ok(())
    }
}
