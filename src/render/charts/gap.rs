//! The gap chart: for the latest period, the difference women − men (for shares: the women's
//! share of the resource minus their share of the base) per focus organisation and for the
//! partner group, with its interval, coloured by whether it is statistically significant, on
//! top of the distribution of the same difference over the reference organisations. It shows
//! whether a gap is large or unusual, which the two dots of the dumbbell cannot.

use plotters::prelude::DrawingBackend;

use crate::indicators::Kind;
use crate::render::lang::{Lang, SUPPRESSED};
use crate::render::view::Key;
use crate::stats::position::Distribution;

use super::style::{
    ABOVE, Canvas, Domain, Extent, Font, Frame, INK, LEFT, MARGIN, PLOT_LEFT, PLOT_RIGHT, REFERENCE, SIGNIFICANT,
    Scale, Shape, Swatch, alpha, fit, rgba, x_axis,
};
use super::words::{Ctx, join, org_label};
use super::{Chart, ChartError, Plot, Point, SEXES, render};

const ROW: i32 = 42;

struct Row {
    label: String,
    point: Point,
    /// The signed difference, `..` or `–`.
    text: String,
    significant: bool,
}

struct GapPlot {
    frame: Frame,
    rows: Vec<Row>,
    /// The reference organisations' signed differences.
    reference: Option<Distribution>,
    scale: Scale,
    axis: String,
    lang: Lang,
}

/// The gap chart of the panel's latest period, or `None` when no row has a gap to show.
pub(super) fn chart(ctx: &Ctx<'_>) -> Result<Option<Chart>, ChartError> {
    let mut rows: Vec<Row> =
        ctx.panel.focus.iter().map(|s| row(ctx, org_label(s), ctx.entry(s).and_then(|e| e.gap.as_ref()))).collect();
    let partners = ctx.panel.partners.get(&(ctx.period.to_string(), Key::Gap));
    if let Some(group) = partners {
        let point = group.value.filter(|v| v.is_finite()).map_or(Point::Absent, |v| Point::Value { v, ci: None });
        let text = point.value().map_or_else(|| "–".to_string(), |v| ctx.signed(v));
        rows.push(Row { label: partner_label(ctx.lang).to_string(), point, text, significant: false });
    }
    if rows.iter().all(|r| r.point == Point::Absent) {
        return Ok(None);
    }
    let diffs: Vec<f64> =
        ctx.panel.reference.iter().filter_map(|s| ctx.entry(s)?.gap.as_ref()?.diff).filter(|d| d.is_finite()).collect();
    let reference = Distribution::of(&diffs);

    let mut e = Extent::empty();
    e.add(0.0);
    for r in &rows {
        e.add(r.point.value().unwrap_or(f64::NAN));
        e.add_pair(r.point.ci());
    }
    e.add_pair(reference.map(|d| (d.min, d.max)));
    let scale = Scale::new(e.padded(0.05, Domain::Signed), (PLOT_LEFT + 10, PLOT_RIGHT));

    let suppressed = rows.iter().any(|r| r.point == Point::Suppressed);
    // The published count of the reference's gaps, which the signed summary shares.
    let n = ctx.panel.spread.get(&(ctx.period.to_string(), Key::Gap)).map_or(ctx.view.reference_n, |s| s.n);
    let frame = Frame::new(
        &ctx.title(),
        &subtitle(ctx, reference.map(|_| n)),
        legend(ctx, reference.is_some(), suppressed),
        &[ctx.source(true)],
    )?;
    let plot = GapPlot { frame, rows, reference, scale, axis: axis(ctx), lang: ctx.lang };
    Ok(Some(render("gap", ctx.title(), alt(ctx, partners.is_some()), &plot)?))
}

fn row(ctx: &Ctx<'_>, label: String, gap: Option<&crate::render::view::Gap>) -> Row {
    let point = Point::of_gap(gap);
    let text = match &point {
        Point::Value { v, .. } => ctx.signed(*v),
        Point::Suppressed => SUPPRESSED.to_string(),
        Point::Absent => "–".to_string(),
    };
    Row { label, point, text, significant: gap.and_then(|g| g.significant) == Some(true) }
}

fn partner_label(lang: Lang) -> &'static str {
    lang.pick("Partnergruppen", "Partner group")
}

/// The axis says what is subtracted from what, in the difference's unit.
fn axis(ctx: &Ctx<'_>) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    let what = match (ctx.indicator().kind, ctx.lang) {
        (Kind::Share, Lang::Sv) => format!("Andel för {k} av resursen minus andel av basen"),
        (Kind::Share, Lang::En) => format!("Share of the resource going to {k} minus their share of the base"),
        (_, Lang::Sv) => format!("Skillnad {k} − {m}"),
        (_, Lang::En) => format!("Difference {k} − {m}"),
    };
    let unit = ctx.difference_unit();
    if unit.is_empty() { what } else { format!("{what} ({unit})") }
}

/// What the chart shows and which side of zero means what; the background is mentioned only
/// when the reference has differences to summarise (`n`).
fn subtitle(ctx: &Ctx<'_>, n: Option<usize>) -> String {
    let k = ctx.sex_word(SEXES[0].1);
    let side = match (ctx.indicator().kind, ctx.lang) {
        (Kind::Share, Lang::Sv) => format!("Till höger om noll: {k} får en större andel av resursen än av basen."),
        (Kind::Share, Lang::En) => format!("Right of zero: {k} get a larger share of the resource than of the base."),
        (_, Lang::Sv) => format!("Till höger om noll: högre för {k}."),
        (_, Lang::En) => format!("Right of zero: higher for {k}."),
    };
    let background = match (n, ctx.lang) {
        (Some(n), Lang::Sv) => format!(" I bakgrunden skillnaderna i referensens {n} organisationer."),
        (Some(n), Lang::En) => format!(" In the background, the differences in the {n} reference organisations."),
        (None, _) => String::new(),
    };
    match ctx.lang {
        Lang::Sv => format!("Skillnaden med {}. {side}{background}", ctx.ci()),
        Lang::En => format!("The difference with its {}. {side}{background}", ctx.ci()),
    }
}

fn legend(ctx: &Ctx<'_>, reference: bool, suppressed: bool) -> Vec<(Swatch, String)> {
    let lang = ctx.lang;
    let mut items = vec![
        (
            Swatch::Dot(rgba(SIGNIFICANT)),
            lang.pick("Statistiskt säkerställd skillnad", "Statistically significant difference").to_string(),
        ),
        (
            Swatch::Dot(rgba(REFERENCE)),
            lang.pick("Inte statistiskt säkerställd", "Not statistically significant").to_string(),
        ),
        (Swatch::Whisker(rgba(INK)), ctx.ci()),
    ];
    if reference {
        items.push((
            Swatch::Band(alpha(REFERENCE, 0.4)),
            lang.pick("Referensens mellersta hälft", "Middle half of the reference").to_string(),
        ));
        items.push((
            Swatch::Band(alpha(REFERENCE, 0.15)),
            lang.pick("Referensens minsta–största", "Reference, smallest to largest").to_string(),
        ));
    }
    if suppressed {
        items.push((Swatch::Open(rgba(INK)), ctx.suppressed_note()));
    }
    items
}

fn alt(ctx: &Ctx<'_>, partners: bool) -> String {
    let (k, m) = (ctx.sex_word(SEXES[0].1), ctx.sex_word(SEXES[1].1));
    let mut names: Vec<&str> = ctx.panel.focus.iter().map(|s| s.org.name.as_str()).collect();
    if partners {
        names.push(ctx.lang.pick("partnergruppen", "the partner group"));
    }
    let names = join(ctx.lang, &names);
    match ctx.lang {
        Lang::Sv => format!(
            "Skillnadsdiagram: skillnaden mellan {k} och {m} i {} {} för {names}, mot spridningen i referensen.",
            ctx.subject_in_sentence(),
            ctx.period
        ),
        Lang::En => format!(
            "Gap chart: the difference between {k} and {m} in {} in {} for {names}, against the spread in the reference.",
            ctx.subject_in_sentence(),
            ctx.period
        ),
    }
}

impl Plot for GapPlot {
    fn height(&self) -> i32 {
        self.frame.around(self.rows.len() as i32 * ROW + 52)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        self.frame.draw(c, self.height())?;
        let top = self.frame.top();
        let bottom = top + self.rows.len() as i32 * ROW;
        let s = &self.scale;
        if let Some(d) = self.reference {
            c.rect((s.px(d.min), top), (s.px(d.max), bottom), alpha(REFERENCE, 0.15))?;
            c.rect((s.px(d.q1), top), (s.px(d.q3), bottom), alpha(REFERENCE, 0.4))?;
        }
        let lang = self.lang;
        x_axis(c, s, (top, bottom), &|t, d| lang.signed(t, d), &self.axis)?;
        c.line(&[(s.px(0.0), top), (s.px(0.0), bottom)], rgba(INK), 1)?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + ROW / 2 + i as i32 * ROW;
            c.text(&fit(&row.label, Font::BODY, PLOT_LEFT - MARGIN - 8)?, (MARGIN, y), Font::BODY, INK, LEFT)?;
            let zero = s.px(0.0);
            let (font, at, pos) = match &row.point {
                Point::Value { v, ci } => {
                    let colour = if row.significant { SIGNIFICANT } else { REFERENCE };
                    let x = s.px(*v);
                    c.line(&[(zero, y), (x, y)], alpha(colour, 0.5), 3)?;
                    if let Some((lo, hi)) = ci {
                        c.whisker((s.px(*lo), s.px(*hi)), y, rgba(colour))?;
                    }
                    c.marker(Shape::Circle, (x, y), 6, Some(rgba(colour)), rgba(INK))?;
                    (Font::SMALL, (x, y - 9), ABOVE)
                }
                // No value, so no position: the marker sits on the zero line, labelled.
                Point::Suppressed => {
                    c.marker(Shape::Circle, (zero, y), 5, None, rgba(INK))?;
                    (Font::MARKER, (zero + 8, y), LEFT)
                }
                Point::Absent => (Font::SMALL, (zero + 6, y), LEFT),
            };
            c.text(&row.text, at, font, INK, pos)?;
        }
        Ok(())
    }
}
