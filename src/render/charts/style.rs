//! The look every chart shares: the colour-blind-safe palette, fonts and sizes, a pixel-space
//! [`Canvas`] over either backend, linear [`Scale`]s with round ticks, marker shapes, the
//! legend, and the [`Frame`] (title, subtitle, legend above; source and notes below).
//!
//! Charts lay themselves out in pixels with these pieces rather than through plotters'
//! `ChartBuilder`, because their rows, bands and `..` markers sit between and outside axes in
//! ways a Cartesian chart context cannot place; one code path then draws both SVG and PNG.

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBAColor, RGBColor, ShapeStyle};

use super::ChartError;

/// A point in pixels from the top-left corner.
pub(super) type Px = (i32, i32);

/// Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. Women and
/// men get two hues that carry no pink/blue stereotype, the same in every chart.
pub(super) const WOMEN: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(super) const MEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(super) const REFERENCE: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub(super) const SIGNIFICANT: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Quartile classes in the overview: blue, yellow and vermillion stay apart for every
/// colour-vision type, unlike Kolada's green/yellow/red.
pub(super) const BEST: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(super) const MIDDLE: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub(super) const WORST: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(super) const CONNECTOR: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
pub(super) const STRIPE: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);
pub(super) const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Every chart is this wide; heights grow with the rows.
pub(super) const WIDTH: i32 = 900;
pub(super) const MARGIN: i32 = 16;
/// Where row charts' plot area starts (the row labels sit left of it).
pub(super) const PLOT_LEFT: i32 = 220;
pub(super) const PLOT_RIGHT: i32 = WIDTH - MARGIN - 14;

pub(super) fn rgba(c: RGBColor) -> RGBAColor {
    c.to_rgba()
}

pub(super) fn alpha(c: RGBColor, a: f64) -> RGBAColor {
    c.mix(a)
}

/// A font of the registered DejaVu Sans. Sizes are plotters' (the em is `size / 1.24` px).
#[derive(Clone, Copy, Debug)]
pub(super) struct Font {
    pub size: f64,
    pub bold: bool,
}

impl Font {
    pub const TITLE: Font = Font { size: 21.0, bold: true };
    pub const HEADING: Font = Font { size: 16.0, bold: true };
    pub const BODY: Font = Font { size: 15.0, bold: false };
    pub const SMALL: Font = Font { size: 13.5, bold: false };
    /// The `..` of a suppressed value: two dots need weight to be seen.
    pub const MARKER: Font = Font { size: 16.0, bold: true };

    fn desc(self) -> FontDesc<'static> {
        let style = if self.bold { FontStyle::Bold } else { FontStyle::Normal };
        FontDesc::new(FontFamily::SansSerif, self.size, style)
    }

    /// The text's width in pixels, from the font's own metrics (so layout does not depend on
    /// the backend or the system's fonts).
    pub fn width(self, text: &str) -> Result<i32, ChartError> {
        let (w, _) = self.desc().box_size(text).map_err(|e| ChartError::Draw(e.to_string()))?;
        Ok(i32::try_from(w).unwrap_or(i32::MAX))
    }

    /// Line height for stacked lines of this font.
    pub fn line(self) -> i32 {
        (self.size * 1.15).round() as i32
    }
}

/// Where a text's anchor point is relative to the text.
pub(super) const LEFT: Pos = Pos { h_pos: HPos::Left, v_pos: VPos::Center };
pub(super) const RIGHT: Pos = Pos { h_pos: HPos::Right, v_pos: VPos::Center };
pub(super) const CENTRE: Pos = Pos { h_pos: HPos::Center, v_pos: VPos::Center };
/// The text sits above the anchor.
pub(super) const ABOVE: Pos = Pos { h_pos: HPos::Center, v_pos: VPos::Bottom };
/// The text hangs below the anchor.
pub(super) const BELOW: Pos = Pos { h_pos: HPos::Center, v_pos: VPos::Top };
pub(super) const TOP_LEFT: Pos = Pos { h_pos: HPos::Left, v_pos: VPos::Top };
pub(super) const BOTTOM_LEFT: Pos = Pos { h_pos: HPos::Left, v_pos: VPos::Bottom };
pub(super) const TOP_RIGHT: Pos = Pos { h_pos: HPos::Right, v_pos: VPos::Top };

/// Splits `text` at spaces into lines no wider than `width` (a no-break space holds words
/// together, as in `12,5 %`).
pub(super) fn wrap(text: &str, font: Font, width: i32) -> Result<Vec<String>, ChartError> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && font.width(&candidate)? > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// `text`, cut with `…` where it would be wider than `width`.
pub(super) fn fit(text: &str, font: Font, width: i32) -> Result<String, ChartError> {
    if font.width(text)? <= width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if font.width(&cut)? <= width {
            return Ok(cut);
        }
    }
    Ok("…".to_string())
}

/// Marker shapes that tell the focus organisations apart without relying on colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

impl Shape {
    const ALL: [Shape; 5] = [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Diamond, Shape::TriangleDown];

    /// The shape of the `i`th focus organisation (repeating after five).
    pub fn nth(i: usize) -> Shape {
        Shape::ALL[i % Shape::ALL.len()]
    }

    fn outline(self, (x, y): Px, r: i32) -> Vec<Px> {
        let t = (f64::from(r) * 1.2).round() as i32;
        match self {
            Shape::Circle => Vec::new(),
            Shape::Square => vec![(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)],
            Shape::Triangle => vec![(x, y - t), (x + t, y + r), (x - t, y + r)],
            Shape::TriangleDown => vec![(x - t, y - r), (x + t, y - r), (x, y + t)],
            Shape::Diamond => vec![(x, y - t), (x + t, y), (x, y + t), (x - t, y)],
        }
    }
}

/// What a legend item shows before its words.
#[derive(Clone, Copy, Debug)]
pub(super) enum Swatch {
    Dot(RGBAColor),
    /// An open marker (the `..` of a suppressed value).
    Open(RGBAColor),
    Band(RGBAColor),
    Line(RGBAColor),
    Dashed(RGBAColor),
    Whisker(RGBAColor),
    Mark {
        shape: Shape,
        fill: Option<RGBAColor>,
        stroke: RGBAColor,
    },
}

/// The drawing surface in pixels; every method maps plotters' error to [`ChartError`].
pub(super) struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub fn new(area: &'a DrawingArea<DB, Shift>) -> Self {
        Canvas { area }
    }

    pub fn text(&self, text: &str, at: Px, font: Font, colour: RGBColor, pos: Pos) -> Result<(), ChartError> {
        let style = font.desc().color(&colour).pos(pos);
        self.area.draw_text(text, &style, at)?;
        Ok(())
    }

    pub fn line(&self, points: &[Px], colour: RGBAColor, width: u32) -> Result<(), ChartError> {
        if points.len() > 1 {
            self.area.draw(&PathElement::new(points.to_vec(), stroke(colour, width)))?;
        }
        Ok(())
    }

    pub fn dashed(&self, points: &[Px], colour: RGBAColor, width: u32) -> Result<(), ChartError> {
        if points.len() > 1 {
            self.area.draw(&DashedPathElement::new(points.to_vec(), 6, 4, stroke(colour, width)))?;
        }
        Ok(())
    }

    /// A filled rectangle between two corners.
    pub fn rect(&self, a: Px, b: Px, colour: RGBAColor) -> Result<(), ChartError> {
        self.area.draw(&Rectangle::new([a, b], fill(colour)))?;
        Ok(())
    }

    pub fn polygon(&self, points: &[Px], colour: RGBAColor) -> Result<(), ChartError> {
        if points.len() > 2 {
            self.area.draw(&Polygon::new(points.to_vec(), fill(colour)))?;
        }
        Ok(())
    }

    pub fn dot(&self, at: Px, r: i32, colour: RGBAColor) -> Result<(), ChartError> {
        self.area.draw(&Circle::new(at, r, fill(colour)))?;
        Ok(())
    }

    /// A marker: `fill` inside (none: white, an open marker) and a `stroke` outline.
    pub fn marker(
        &self,
        shape: Shape,
        at: Px,
        r: i32,
        fill_: Option<RGBAColor>,
        line: RGBAColor,
    ) -> Result<(), ChartError> {
        let inside = fill_.unwrap_or(rgba(WHITE));
        let width = if fill_.is_some() { 1 } else { 2 };
        match shape {
            Shape::Circle => {
                self.area.draw(&Circle::new(at, r, fill(inside)))?;
                self.area.draw(&Circle::new(at, r, stroke(line, width)))?;
            }
            _ => {
                let mut outline = shape.outline(at, r);
                self.polygon(&outline, inside)?;
                outline.push(outline[0]);
                self.line(&outline, line, width)?;
            }
        }
        Ok(())
    }

    /// A horizontal interval with end caps.
    pub fn whisker(&self, (x0, x1): (i32, i32), y: i32, colour: RGBAColor) -> Result<(), ChartError> {
        self.line(&[(x0, y), (x1, y)], colour, 2)?;
        self.line(&[(x0, y - 4), (x0, y + 4)], colour, 1)?;
        self.line(&[(x1, y - 4), (x1, y + 4)], colour, 1)
    }

    /// A vertical interval with end caps.
    pub fn vwhisker(&self, x: i32, (y0, y1): (i32, i32), colour: RGBAColor) -> Result<(), ChartError> {
        self.line(&[(x, y0), (x, y1)], colour, 1)?;
        self.line(&[(x - 3, y0), (x + 3, y0)], colour, 1)?;
        self.line(&[(x - 3, y1), (x + 3, y1)], colour, 1)
    }

    pub fn swatch(&self, swatch: Swatch, (x, y): Px) -> Result<(), ChartError> {
        match swatch {
            Swatch::Dot(c) => self.dot((x + 8, y), 5, c),
            Swatch::Open(c) => self.marker(Shape::Circle, (x + 8, y), 5, None, c),
            Swatch::Band(c) => self.rect((x, y - 5), (x + 16, y + 5), c),
            Swatch::Line(c) => self.line(&[(x, y), (x + 16, y)], c, 2),
            Swatch::Dashed(c) => self.dashed(&[(x, y), (x + 18, y)], c, 1),
            Swatch::Whisker(c) => self.whisker((x + 1, x + 15), y, c),
            Swatch::Mark { shape, fill, stroke } => self.marker(shape, (x + 8, y), 5, fill, stroke),
        }
    }
}

fn stroke(colour: RGBAColor, width: u32) -> ShapeStyle {
    ShapeStyle { color: colour, filled: false, stroke_width: width }
}

fn fill(colour: RGBAColor) -> ShapeStyle {
    ShapeStyle { color: colour, filled: true, stroke_width: 0 }
}

/// A linear map from data values to pixels (`to` may be less than `from`, as on a y axis).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    from: i32,
    to: i32,
}

impl Scale {
    pub fn new((lo, hi): (f64, f64), (from, to): (i32, i32)) -> Scale {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 1.0, hi + 1.0) };
        Scale { lo, hi, from, to }
    }

    pub fn px(&self, v: f64) -> i32 {
        let t = (v - self.lo) / (self.hi - self.lo);
        (f64::from(self.from) + t * f64::from(self.to - self.from)).round() as i32
    }

    /// Round tick values (1, 2 or 5 × 10ᵏ apart), at most about `max` of them, and the decimals
    /// their labels need.
    pub fn ticks(&self, max: usize) -> (Vec<f64>, usize) {
        let step = nice_step((self.hi - self.lo) / max.max(1) as f64);
        let first = (self.lo / step - 1e-9).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        let values = (first..=last).map(|k| k as f64 * step).collect();
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        (values, decimals)
    }
}

/// Whether a tick gets a label: only ticks with at most two significant digits (20, 0,5,
/// 1 500), which the report's number audit recognises as axis ticks rather than data (a
/// third digit, as in 125, could be read as a value). Unlabelled ticks keep their grid line.
pub(super) fn labelled(t: f64) -> bool {
    if t == 0.0 {
        return true;
    }
    let unit = 10f64.powi(t.abs().log10().floor() as i32 - 1);
    ((t / unit).round() - t / unit).abs() < 1e-6
}

/// The smallest of 1, 2, 5 × 10ᵏ at or above `raw`.
pub(super) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = [1.0, 2.0, 5.0, 10.0].into_iter().find(|&n| norm <= n + 1e-9).unwrap_or(10.0);
    nice * magnitude
}

/// The range a set of values spans, grown as a chart needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Extent {
    pub lo: f64,
    pub hi: f64,
}

impl Extent {
    pub fn empty() -> Extent {
        Extent { lo: f64::INFINITY, hi: f64::NEG_INFINITY }
    }

    pub fn add(&mut self, v: f64) {
        if v.is_finite() {
            self.lo = self.lo.min(v);
            self.hi = self.hi.max(v);
        }
    }

    pub fn add_pair(&mut self, pair: Option<(f64, f64)>) {
        if let Some((a, b)) = pair {
            self.add(a);
            self.add(b);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    /// Widened by `frac` of the span on each side (by a tenth of the value when all are
    /// equal), but never past a bound the numbers cannot cross, so a padded axis of counts or
    /// percentages never shows −5 or 105 %.
    pub fn padded(&self, frac: f64, domain: Domain) -> (f64, f64) {
        if self.is_empty() {
            return (0.0, 1.0);
        }
        let span = self.hi - self.lo;
        let pad = if span > 0.0 { span * frac } else { self.lo.abs().max(1.0) * 0.1 };
        let (mut lo, mut hi) = (self.lo - pad, self.hi + pad);
        if domain != Domain::Signed && self.lo >= 0.0 {
            lo = lo.max(0.0);
        }
        if domain == Domain::Percent && self.hi <= 100.0 {
            hi = hi.min(100.0);
        }
        (lo, hi)
    }
}

/// What an axis shows, for how far it may be padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Domain {
    /// Differences and logarithms: any sign.
    Signed,
    /// Values that are not negative when the data are not.
    Values,
    /// Percentages: also not above 100.
    Percent,
}

/// Legend items placed in rows within a width.
pub(super) struct Legend {
    items: Vec<(Swatch, String, Px)>,
    pub height: i32,
}

const LEGEND_ROW: i32 = 20;

impl Legend {
    pub fn layout(items: Vec<(Swatch, String)>, width: i32) -> Result<Legend, ChartError> {
        let (mut x, mut y) = (0, 0);
        let mut placed = Vec::with_capacity(items.len());
        for (swatch, label) in items {
            let w = 22 + Font::SMALL.width(&label)?;
            if x > 0 && x + w > width {
                (x, y) = (0, y + LEGEND_ROW);
            }
            placed.push((swatch, label, (x, y)));
            x += w + 18;
        }
        let height = if placed.is_empty() { 0 } else { y + LEGEND_ROW };
        Ok(Legend { items: placed, height })
    }

    pub fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, (x0, y0): Px) -> Result<(), ChartError> {
        for (swatch, label, (x, y)) in &self.items {
            let mid = y0 + y + LEGEND_ROW / 2;
            c.swatch(*swatch, (x0 + x, mid))?;
            c.text(label, (x0 + x + 22, mid), Font::SMALL, INK, LEFT)?;
        }
        Ok(())
    }
}

/// What surrounds every chart's body: the title and subtitle with the legend under them, and
/// the source and notes at the foot.
pub(super) struct Frame {
    title: Vec<String>,
    subtitle: Vec<String>,
    legend: Legend,
    notes: Vec<String>,
}

impl Frame {
    pub fn new(
        title: &str,
        subtitle: &str,
        legend: Vec<(Swatch, String)>,
        notes: &[String],
    ) -> Result<Frame, ChartError> {
        let width = WIDTH - 2 * MARGIN;
        let mut lines = Vec::new();
        for note in notes {
            lines.extend(wrap(note, Font::SMALL, width)?);
        }
        Ok(Frame {
            title: wrap(title, Font::TITLE, width)?,
            subtitle: wrap(subtitle, Font::BODY, width)?,
            legend: Legend::layout(legend, width)?,
            notes: lines,
        })
    }

    /// The height above the chart's body.
    pub fn top(&self) -> i32 {
        let text = self.title.len() as i32 * Font::TITLE.line() + self.subtitle.len() as i32 * Font::BODY.line();
        MARGIN + text + 8 + self.legend.height + 8
    }

    /// The height below the chart's body.
    pub fn bottom(&self) -> i32 {
        10 + self.notes.len() as i32 * Font::SMALL.line() + MARGIN
    }

    /// The whole chart's height around a body `body` pixels tall.
    pub fn around(&self, body: i32) -> i32 {
        self.top() + body + self.bottom()
    }

    pub fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, height: i32) -> Result<(), ChartError> {
        let mut y = MARGIN;
        for line in &self.title {
            c.text(line, (MARGIN, y), Font::TITLE, INK, TOP_LEFT)?;
            y += Font::TITLE.line();
        }
        for line in &self.subtitle {
            c.text(line, (MARGIN, y), Font::BODY, MUTED, TOP_LEFT)?;
            y += Font::BODY.line();
        }
        self.legend.draw(c, (MARGIN, y + 8))?;
        let mut y = height - MARGIN - self.notes.len() as i32 * Font::SMALL.line();
        for line in &self.notes {
            c.text(line, (MARGIN, y), Font::SMALL, MUTED, TOP_LEFT)?;
            y += Font::SMALL.line();
        }
        Ok(())
    }
}

/// Light vertical grid lines with tick labels under `bottom` and the axis title under those.
pub(super) fn x_axis<DB: DrawingBackend>(
    c: &Canvas<'_, DB>,
    scale: &Scale,
    (top, bottom): (i32, i32),
    label: &dyn Fn(f64, usize) -> String,
    title: &str,
) -> Result<(), ChartError> {
    let (ticks, decimals) = scale.ticks(8);
    for t in ticks {
        let x = scale.px(t);
        c.line(&[(x, top), (x, bottom)], rgba(GRID), 1)?;
        if labelled(t) {
            c.text(&label(t, decimals), (x, bottom + 5), Font::SMALL, MUTED, BELOW)?;
        }
    }
    c.line(&[(scale.px(scale.lo), bottom), (scale.px(scale.hi), bottom)], rgba(CONNECTOR), 1)?;
    let centre = (scale.px(scale.lo) + scale.px(scale.hi)) / 2;
    c.text(title, (centre, bottom + 24), Font::SMALL, INK, BELOW)
}

/// Light horizontal grid lines with tick labels left of `left`.
pub(super) fn y_axis<DB: DrawingBackend>(
    c: &Canvas<'_, DB>,
    scale: &Scale,
    (left, right): (i32, i32),
    max: usize,
    label: &dyn Fn(f64, usize) -> String,
) -> Result<(), ChartError> {
    let (ticks, decimals) = scale.ticks(max);
    for t in ticks {
        let y = scale.px(t);
        c.line(&[(left, y), (right, y)], rgba(GRID), 1)?;
        if labelled(t) {
            c.text(&label(t, decimals), (left - 4, y), Font::SMALL, MUTED, RIGHT)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside_the_scale() {
        let s = Scale::new((3.2, 47.9), (0, 600));
        let (ticks, decimals) = s.ticks(8);
        assert_eq!(ticks, vec![10.0, 20.0, 30.0, 40.0]);
        assert!(ticks.iter().all(|t| (3.2..=47.9).contains(t)));
        assert_eq!(decimals, 0);
        assert_eq!(nice_step(0.23), 0.5);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(Scale::new((0.0, 0.4), (0, 100)).ticks(4).1, 1);
        assert!(labelled(20.0) && labelled(0.5) && labelled(1500.0) && labelled(-2.5) && labelled(0.0));
        assert!(!labelled(125.0) && !labelled(1.25));
    }

    #[test]
    fn a_y_scale_runs_upwards() {
        let s = Scale::new((0.0, 10.0), (300, 100));
        assert_eq!(s.px(0.0), 300);
        assert_eq!(s.px(10.0), 100);
        assert_eq!(s.px(5.0), 200);
    }

    #[test]
    fn padded_percentages_stay_between_0_and_100() {
        let mut e = Extent::empty();
        e.add(1.0);
        e.add(99.0);
        assert_eq!(e.padded(0.1, Domain::Percent), (0.0, 100.0));
        assert_eq!(e.padded(0.1, Domain::Values), (0.0, 99.0 + 9.8));
        assert_eq!(e.padded(0.1, Domain::Signed).0, 1.0 - 9.8);
        assert_eq!(Extent::empty().padded(0.1, Domain::Signed), (0.0, 1.0));
    }
}
