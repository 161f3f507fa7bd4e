//! The overview: a spine chart in the style of Fingertips, one row per panel. Each row is
//! scaled so that the reference median sits in the centre and the farthest value at the edge,
//! and flipped for lower-is-better indicators so that right is always better; the reference's
//! range and middle half are bands, and each focus organisation is a marker of its own shape,
//! coloured by its quartile. It gives the learning meeting the whole round on one page.

use plotters::prelude::DrawingBackend;
use plotters::style::{RGBAColor, RGBColor};

use crate::indicators::Polarity;
use crate::model::Sex;
use crate::render::lang::Lang;
use crate::render::view::{Key, Panel, View};

use super::style::{
    BELOW, BEST, CENTRE, Canvas, Font, Frame, INK, LEFT, MARGIN, MIDDLE, MUTED, REFERENCE, STRIPE, Shape, Swatch,
    TOP_LEFT, TOP_RIGHT, WIDTH, WORST, fit, rgba,
};
use super::words::{join, shorten, source_line, suppressed_note, with_age};
use super::{Chart, ChartError, Plot, Point, render};

const ROW: i32 = 26;
const HEADER: i32 = 24;
const LABEL_RIGHT: i32 = MARGIN + 340;
const PERIOD_X: i32 = LABEL_RIGHT + 34;
const SPINE: (i32, i32) = (PERIOD_X + 44, WIDTH - MARGIN - 96);
const HIDDEN_X: i32 = SPINE.1 + 18;

/// Where a value stands among the reference, by the indicator's polarity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Best,
    Middle,
    Worst,
    /// A neutral indicator, or too few reference values for quartiles.
    Neutral,
}

impl Class {
    fn of(quartile: Option<u8>, polarity: Polarity) -> Class {
        match (quartile, polarity) {
            (_, Polarity::Neutral) | (None, _) => Class::Neutral,
            (Some(4), Polarity::HigherIsBetter) | (Some(1), Polarity::LowerIsBetter) => Class::Best,
            (Some(1), Polarity::HigherIsBetter) | (Some(4), Polarity::LowerIsBetter) => Class::Worst,
            (Some(_), _) => Class::Middle,
        }
    }

    /// Fill (none: hollow) and outline.
    fn paint(self) -> (Option<RGBColor>, RGBColor) {
        match self {
            Class::Best => (Some(BEST), INK),
            Class::Middle => (Some(MIDDLE), INK),
            Class::Worst => (Some(WORST), INK),
            Class::Neutral => (None, REFERENCE),
        }
    }
}

/// One focus organisation in one row.
struct Mark {
    shape: Shape,
    /// The position on the spine, −1 (worst or lowest) to 1; `None`: no value.
    at: Option<f64>,
    class: Class,
    suppressed: bool,
}

struct Row {
    label: String,
    period: String,
    /// Normalised reference range and middle half.
    range: (f64, f64),
    middle: (f64, f64),
    marks: Vec<Mark>,
}

struct Overview {
    frame: Frame,
    rows: Vec<Row>,
    /// Column headers: indicator, period, worse, median, better, suppressed.
    headers: [String; 6],
    empty: String,
}

/// The overview chart of every panel with a latest period and a reference summary.
pub(super) fn chart(view: &View, lang: Lang) -> Result<Chart, ChartError> {
    let shapes: Vec<&str> = view.focus().map(|o| o.id.as_str()).collect();
    let used: Vec<(&Panel, Row, Key)> =
        view.panels.iter().filter_map(|p| row(p, lang, &shapes).map(|(r, k)| (p, r, k))).collect();
    let women_only = used.iter().any(|(.., key)| *key == Key::K);
    let suppressed = used.iter().any(|(_, r, _)| r.marks.iter().any(|m| m.suppressed));
    let indicators: Vec<_> = used.iter().map(|(p, ..)| &p.indicator).collect();
    let rows: Vec<Row> = used.into_iter().map(|(_, r, _)| r).collect();

    let title = format!("{}: {}", lang.pick("Översikt", "Overview"), view.name);
    let frame = Frame::new(
        &title,
        &subtitle(lang, women_only),
        legend(view, lang, suppressed),
        &[source_line(lang, &indicators, true)],
    )?;
    let names: Vec<&str> = view.focus().map(|o| o.name.as_str()).collect();
    let alt = match lang {
        Lang::Sv => format!(
            "Ryggradsdiagram: för {} indikatorer visas var {} ligger jämfört med referensens median, mellersta hälft och spridning.",
            rows.len(),
            join(lang, &names)
        ),
        Lang::En => format!(
            "Spine chart: for {} indicators, where {} stand against the reference median, middle half and range.",
            rows.len(),
            join(lang, &names)
        ),
    };
    let headers = [
        lang.pick("Indikator", "Indicator"),
        lang.pick("Period", "Period"),
        lang.pick("← Sämre", "← Worse"),
        lang.pick("Median", "Median"),
        lang.pick("Bättre →", "Better →"),
        lang.pick("Dolt", "Hidden"),
    ]
    .map(str::to_string);
    let empty = lang.pick("Ingen indikator har värden att visa.", "No indicator has values to show.").to_string();
    let plot = Overview { frame, rows, headers, empty };
    render("overview", title, alt, &plot)
}

/// The panel's row and the key it shows (the total, else women's values), or `None` without a
/// latest period or reference summary.
fn row(panel: &Panel, lang: Lang, shapes: &[&str]) -> Option<(Row, Key)> {
    let period = panel.latest.as_deref()?;
    let (key, spread) =
        [Key::T, Key::K].into_iter().find_map(|k| panel.spread.get(&(period.to_string(), k)).map(|s| (k, *s)))?;
    let polarity = panel.indicator.polarity;
    let cells: Vec<(Shape, Point, Option<u8>)> = panel
        .focus
        .iter()
        .map(|s| {
            let shape = Shape::nth(shapes.iter().position(|id| *id == s.org.id).unwrap_or(0));
            let entry = s.periods.get(period);
            let point = entry.map_or(Point::Absent, |e| Point::of(&e.cell(key)));
            (shape, point, entry.and_then(|e| e.position.get(&key)).and_then(|p| p.quartile))
        })
        .collect();
    // The farthest value from the median, reference or focus, reaches the edge of the spine.
    let median = spread.median;
    let half = cells
        .iter()
        .filter_map(|(_, p, _)| p.value())
        .chain([spread.min, spread.max])
        .map(|v| (v - median).abs())
        .fold(0.0_f64, f64::max);
    let half = if half > 0.0 { half } else { 1.0 };
    let sign = if polarity == Polarity::LowerIsBetter { -1.0 } else { 1.0 };
    let norm = |v: f64| sign * (v - median) / half;
    let ordered = |a: f64, b: f64| (norm(a).min(norm(b)), norm(a).max(norm(b)));
    let marks = cells
        .into_iter()
        .map(|(shape, point, quartile)| Mark {
            shape,
            at: point.value().map(norm),
            class: Class::of(quartile, polarity),
            suppressed: point == Point::Suppressed,
        })
        .collect();
    let title = shorten(panel.indicator.title.get(lang.code()), 45);
    let label = with_age(lang, &title, &panel.age_group);
    let period = if key == Key::K { format!("{period}*") } else { period.to_string() };
    Some((
        Row { label, period, range: ordered(spread.min, spread.max), middle: ordered(spread.q1, spread.q3), marks },
        key,
    ))
}

fn subtitle(lang: Lang, women_only: bool) -> String {
    let mut text = lang
        .pick(
            "Varje rad är skalad så att referensmedianen ligger i mitten; till höger är bättre (neutrala indikatorer: högre). Senaste period per indikator, totalt för båda könen.",
            "Each row is scaled so that the reference median is in the middle; right is better (neutral indicators: higher). Latest period per indicator, total for both sexes.",
        )
        .to_string();
    if women_only {
        let women = lang.sex_title(crate::indicators::Population::Adults, Sex::K);
        text.push_str(&match lang {
            Lang::Sv => format!(" * = {} (totalt saknas).", women.to_lowercase()),
            Lang::En => format!(" * = {} (no total published).", women.to_lowercase()),
        });
    }
    text
}

fn legend(view: &View, lang: Lang, suppressed: bool) -> Vec<(Swatch, String)> {
    let mut items: Vec<(Swatch, String)> = view
        .focus()
        .enumerate()
        .map(|(i, org)| {
            let name = if org.role == crate::model::Role::Mentor {
                format!("{} (mentor)", org.name)
            } else {
                org.name.clone()
            };
            (Swatch::Mark { shape: Shape::nth(i), fill: None, stroke: rgba(INK) }, name)
        })
        .collect();
    for (class, sv, en) in [
        (Class::Best, "Bästa kvartilen", "Best quartile"),
        (Class::Middle, "Mellersta hälften", "Middle half"),
        (Class::Worst, "Sämsta kvartilen", "Worst quartile"),
        (Class::Neutral, "Neutral eller utan kvartil", "Neutral or no quartile"),
    ] {
        let (fill, stroke) = class.paint();
        items.push((
            Swatch::Mark { shape: Shape::Circle, fill: fill.map(rgba), stroke: rgba(stroke) },
            lang.pick(sv, en).to_string(),
        ));
    }
    items.push((Swatch::Band(range_colour()), lang.pick("Referensens minsta–största", "Reference range").to_string()));
    items.push((
        Swatch::Band(middle_colour()),
        lang.pick("Referensens mellersta hälft", "Middle half of the reference").to_string(),
    ));
    if suppressed {
        items.push((Swatch::Open(rgba(INK)), suppressed_note(lang, view.min_count)));
    }
    items
}

fn range_colour() -> RGBAColor {
    rgba(RGBColor(0xDD, 0xDD, 0xDD))
}

fn middle_colour() -> RGBAColor {
    rgba(RGBColor(0xA8, 0xA8, 0xA8))
}

fn spine_x(at: f64) -> i32 {
    let centre = f64::from(SPINE.0 + SPINE.1) / 2.0;
    let half = f64::from(SPINE.1 - SPINE.0) / 2.0 - 8.0;
    (centre + at.clamp(-1.0, 1.0) * half).round() as i32
}

impl Overview {
    fn draw_row<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>, i: usize, row: &Row, y: i32) -> Result<(), ChartError> {
        if i.is_multiple_of(2) {
            c.rect((MARGIN, y - ROW / 2), (WIDTH - MARGIN, y + ROW / 2), rgba(STRIPE))?;
        }
        c.text(&fit(&row.label, Font::SMALL, LABEL_RIGHT - MARGIN)?, (MARGIN, y), Font::SMALL, INK, LEFT)?;
        c.text(&row.period, (PERIOD_X, y), Font::SMALL, MUTED, CENTRE)?;
        c.rect((spine_x(row.range.0), y - 6), (spine_x(row.range.1), y + 6), range_colour())?;
        c.rect((spine_x(row.middle.0), y - 6), (spine_x(row.middle.1), y + 6), middle_colour())?;
        c.line(&[(spine_x(0.0), y - ROW / 2), (spine_x(0.0), y + ROW / 2)], rgba(INK), 1)?;
        let n = row.marks.len() as i32;
        let mut hidden = 0;
        for (j, mark) in row.marks.iter().enumerate() {
            // Small vertical offsets keep markers of close values apart.
            let dy = (2 * j as i32 - (n - 1)) * 2;
            if let Some(at) = mark.at {
                let (fill, stroke) = mark.class.paint();
                c.marker(mark.shape, (spine_x(at), y + dy), 5, fill.map(rgba), rgba(stroke))?;
            } else if mark.suppressed {
                c.marker(mark.shape, (HIDDEN_X + hidden * 16, y), 5, None, rgba(INK))?;
                hidden += 1;
            }
        }
        if hidden > 0 {
            c.text(crate::render::lang::SUPPRESSED, (HIDDEN_X + hidden * 16 - 6, y), Font::MARKER, INK, LEFT)?;
        }
        Ok(())
    }
}

impl Plot for Overview {
    fn height(&self) -> i32 {
        self.frame.around(HEADER + self.rows.len().max(1) as i32 * ROW + 10)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        self.frame.draw(c, self.height())?;
        let top = self.frame.top();
        let [indicator, period, worse, median, better, hidden] = &self.headers;
        let h = top + 2;
        c.text(indicator, (MARGIN, h), Font::SMALL, MUTED, TOP_LEFT)?;
        c.text(period, (PERIOD_X, h), Font::SMALL, MUTED, BELOW)?;
        c.text(worse, (SPINE.0, h), Font::SMALL, MUTED, TOP_LEFT)?;
        c.text(median, (spine_x(0.0), h), Font::SMALL, MUTED, BELOW)?;
        c.text(better, (SPINE.1, h), Font::SMALL, MUTED, TOP_RIGHT)?;
        c.text(hidden, (HIDDEN_X - 5, h), Font::SMALL, MUTED, TOP_LEFT)?;
        if self.rows.is_empty() {
            return c.text(&self.empty, (MARGIN, top + HEADER + ROW / 2), Font::BODY, MUTED, LEFT);
        }
        for (i, row) in self.rows.iter().enumerate() {
            self.draw_row(c, i, row, top + HEADER + ROW / 2 + i as i32 * ROW)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartile_classes_follow_the_polarity() {
        assert_eq!(Class::of(Some(4), Polarity::HigherIsBetter), Class::Best);
        assert_eq!(Class::of(Some(4), Polarity::LowerIsBetter), Class::Worst);
        assert_eq!(Class::of(Some(1), Polarity::LowerIsBetter), Class::Best);
        assert_eq!(Class::of(Some(2), Polarity::HigherIsBetter), Class::Middle);
        assert_eq!(Class::of(Some(4), Polarity::Neutral), Class::Neutral);
        assert_eq!(Class::of(None, Polarity::HigherIsBetter), Class::Neutral);
        assert_eq!(spine_x(0.0), (SPINE.0 + SPINE.1) / 2, "the median sits in the centre");
    }
}
