//! The report's charts, drawn with plotters as SVG and PNG (DESIGN §8).
//!
//! Per panel (indicator × age group), for its latest period:
//! - [`dumbbell`]: women's and men's values per focus organisation, with intervals, against the
//!   reference median and middle half;
//! - [`gap`]: the difference women − men per focus organisation and the partner group, against
//!   the reference organisations' differences;
//! - [`trend`]: small multiples over all periods, one per focus organisation, with the gap per
//!   period under each;
//! - [`funnel`] (proportions and rates): every organisation's value against its denominator
//!   with the 95 % and 99.8 % control limits.
//!
//! And once per round, [`overview`]: a spine chart with one row per panel.
//!
//! Every chart reads only the [`View`], in which a suppressed cell has no number; such a cell is
//! drawn as an open marker with `..` and is never given a position. Text is laid out with the
//! bundled DejaVu Sans, so the output does not depend on the machine's fonts, and the same view
//! gives byte-identical SVG and PNG.

mod dumbbell;
mod funnel;
mod gap;
mod overview;
mod png;
mod style;
mod trend;
mod words;

#[cfg(test)]
mod fixture;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, RGBColor, register_font};

use crate::indicators::Kind;
use crate::model::Sex;
use crate::render::lang::Lang;
use crate::render::view::{Cell, Gap, Key, Panel, View};

use style::{Canvas, MEN, WIDTH, WOMEN};
use words::Ctx;

/// One drawn chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// `dumbbell`, `gap`, `trend`, `funnel` or `overview`.
    pub kind: &'static str,
    /// The title drawn at the top, in the report's language.
    pub title: String,
    /// One plain sentence for screen readers.
    pub alt: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("drawing a chart failed: {0}")]
    Draw(String),
    #[error("encoding a chart as PNG failed: {0}")]
    Png(String),
    #[error("the bundled DejaVu Sans font could not be registered with plotters")]
    Font,
}

/// plotters' errors carry the backend's error type; charts only need its text.
impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> ChartError {
        ChartError::Draw(e.to_string())
    }
}

/// The charts of one panel: dumbbell, gap, trend, and funnel only for Kind::Proportion | Kind::Rate; for the panel's latest period.
///
/// A chart with nothing to show is left out rather than drawn empty: all of them when the panel
/// has no latest period, the gap chart when no focus organisation has a gap, the trend with a
/// single period, the funnel when no organisation has a denominator.
pub fn panel(view: &View, panel: &Panel, lang: Lang) -> Result<Vec<Chart>, ChartError> {
    fonts()?;
    let Some(period) = panel.latest.as_deref() else { return Ok(Vec::new()) };
    let ctx = Ctx { view, panel, lang, period };
    let mut charts = Vec::with_capacity(4);
    charts.extend(dumbbell::chart(&ctx)?);
    charts.extend(gap::chart(&ctx)?);
    charts.extend(trend::chart(&ctx)?);
    if matches!(panel.indicator.kind, Kind::Proportion | Kind::Rate) {
        charts.extend(funnel::chart(&ctx)?);
    }
    Ok(charts)
}

/// The overview spine chart, one row per panel.
pub fn overview(view: &View, lang: Lang) -> Result<Chart, ChartError> {
    fonts()?;
    overview::chart(view, lang)
}

/// Registers DejaVu Sans as plotters' `sans-serif` once per process, so text is measured and
/// rasterised the same everywhere.
fn fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// A chart laid out and ready to draw on any backend.
trait Plot {
    /// Height in pixels (the width is always [`WIDTH`]).
    fn height(&self) -> i32;
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError>;
}

/// Draws `plot` once as SVG and once into an RGB buffer, and encodes the buffer as PNG.
fn render(kind: &'static str, title: String, alt: String, plot: &impl Plot) -> Result<Chart, ChartError> {
    let size = (WIDTH as u32, plot.height().max(1) as u32);
    let mut svg = String::new();
    paint(&SVGBackend::with_string(&mut svg, size).into_drawing_area(), plot)?;
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    paint(&BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area(), plot)?;
    let png = png::encode(&rgb, size)?;
    Ok(Chart { kind, title, alt, svg, png })
}

fn paint<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plot: &impl Plot) -> Result<(), ChartError> {
    root.fill(&style::WHITE)?;
    plot.draw(&Canvas::new(root))?;
    root.present()?;
    Ok(())
}

/// Women's and men's keys, sexes and colours, in the order charts draw them.
const SEXES: [(Key, Sex, RGBColor); 2] = [(Key::K, Sex::K, WOMEN), (Key::M, Sex::M, MEN)];

/// One number a chart places: a value (with its interval), or the reason there is none.
#[derive(Clone, Debug, PartialEq)]
enum Point {
    Value {
        v: f64,
        ci: Option<(f64, f64)>,
    },
    /// Hidden by disclosure control: drawn as `..`, never at a position.
    Suppressed,
    /// Absent at source, or no row.
    Absent,
}

impl Point {
    fn of(cell: &Cell) -> Point {
        match cell.value {
            _ if cell.status.is_suppressed() => Point::Suppressed,
            Some(v) if v.is_finite() => Point::Value { v, ci: cell.ci },
            _ => Point::Absent,
        }
    }

    /// The difference women − men of a gap row.
    fn of_gap(gap: Option<&Gap>) -> Point {
        match gap {
            Some(g) if g.status.is_suppressed() => Point::Suppressed,
            Some(Gap { diff: Some(v), diff_ci, .. }) if v.is_finite() => Point::Value { v: *v, ci: *diff_ci },
            _ => Point::Absent,
        }
    }

    fn value(&self) -> Option<f64> {
        match self {
            Point::Value { v, .. } => Some(*v),
            Point::Suppressed | Point::Absent => None,
        }
    }

    fn ci(&self) -> Option<(f64, f64)> {
        match self {
            Point::Value { ci, .. } => *ci,
            Point::Suppressed | Point::Absent => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::render::lang::SUPPRESSED;

    /// The fixture's Swedish panel charts (0: proportion, 1: value), drawn once: PNG encoding
    /// is slow in a debug build.
    fn charts(panel_index: usize) -> &'static [Chart] {
        static CACHE: [OnceLock<Vec<Chart>>; 2] = [const { OnceLock::new() }; 2];
        CACHE[panel_index].get_or_init(|| {
            let view = fixture::view();
            panel(&view, &view.panels[panel_index], Lang::Sv).expect("charts draw")
        })
    }

    fn chart(panel_index: usize, kind: &str) -> &'static Chart {
        charts(panel_index).iter().find(|c| c.kind == kind).expect("chart of that kind")
    }

    /// One panel's dumbbell chart in `lang`, drawn alone.
    fn dumbbell_in(lang: Lang, panel_index: usize) -> Chart {
        let view = fixture::view();
        let panel = &view.panels[panel_index];
        fonts().unwrap();
        let ctx = Ctx { view: &view, panel, lang, period: "2024" };
        dumbbell::chart(&ctx).unwrap().expect("a dumbbell")
    }

    fn overview_sv() -> &'static Chart {
        static CACHE: OnceLock<Chart> = OnceLock::new();
        CACHE.get_or_init(|| overview(&fixture::view(), Lang::Sv).expect("overview draws"))
    }

    /// The text elements of an SVG, as drawn.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text ")
            .skip(1)
            .filter_map(|t| t.split_once(">\n")?.1.split_once("\n</text>"))
            .map(|(text, _)| text)
            .collect()
    }

    /// The `x` of every text element whose content is exactly `text`.
    fn text_x(svg: &str, text: &str) -> Vec<i32> {
        svg.split("<text ")
            .skip(1)
            .filter(|t| {
                t.split_once(">\n").and_then(|(_, rest)| rest.split_once("\n</text>")).is_some_and(|(s, _)| s == text)
            })
            .filter_map(|t| t.strip_prefix("x=\"")?.split_once('"')?.0.parse().ok())
            .collect()
    }

    fn kinds(charts: &[Chart]) -> Vec<&'static str> {
        charts.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn a_proportion_panel_gets_every_chart_kind() {
        assert_eq!(kinds(charts(0)), ["dumbbell", "gap", "trend", "funnel"]);
        for c in charts(0) {
            assert!(!c.title.is_empty() && c.alt.ends_with('.'), "{}: {:?}", c.kind, c.alt);
        }
    }

    #[test]
    fn a_value_panel_gets_no_funnel() {
        assert_eq!(kinds(charts(1)), ["dumbbell", "gap", "trend"]);
    }

    #[test]
    fn a_panel_without_a_latest_period_is_skipped_not_an_error() {
        let view = fixture::view();
        let mut p = view.panels[0].clone();
        p.latest = None;
        assert!(panel(&view, &p, Lang::Sv).unwrap().is_empty());
    }

    #[test]
    fn the_swedish_dumbbell_has_its_title_decimal_commas_and_the_suppressed_marker() {
        let c = chart(0, "dumbbell");
        let t = texts(&c.svg);
        assert_eq!(c.title, "Behöriga elever, 2024");
        assert!(t.contains(&"Behöriga elever, 2024"), "{t:?}");
        assert!(t.contains(&"61,4\u{a0}%"), "Åbyholm's girls, with a decimal comma: {t:?}");
        assert!(t.contains(&"Flickor") && t.contains(&"Pojkar"));
        assert!(t.contains(&"Norrvik"), "the suppressed organisation keeps its row");
        assert!(t.contains(&SUPPRESSED));
        assert!(t.contains(&".. = dolt av sekretesskäl (färre än 5)"));
        assert!(
            c.alt.starts_with(
                "Prickdiagram: behöriga elever 2024 för flickor och pojkar i Åbyholm, Norrvik och Sjöbacka"
            )
        );
    }

    #[test]
    fn a_suppressed_value_is_marked_at_the_edge_never_placed() {
        // Dumbbell: the `..` sits in the women's slot left of the scale, not on it.
        let dumbbell = chart(0, "dumbbell");
        assert_eq!(text_x(&dumbbell.svg, SUPPRESSED), [style::PLOT_LEFT + 8]);
        // Funnel: Norrvik has no girls' point, is named as not shown, and appears on the boys' side only.
        let funnel = chart(0, "funnel");
        let t = texts(&funnel.svg);
        assert!(t.iter().any(|s| s.contains("Norrvik (flickor: ..)")), "{t:?}");
        assert_eq!(t.iter().filter(|s| **s == "Norrvik").count(), 2, "legend and the boys' side: {t:?}");
        // Gap: the suppressed gap is labelled at zero.
        let gap = chart(0, "gap");
        assert_eq!(text_x(&gap.svg, SUPPRESSED).len(), 1);
        assert!(texts(&gap.svg).contains(&"Partnergruppen") && texts(&gap.svg).contains(&"+5,3"));
        // Even a suppressed cell that carried a number would not be placed.
        let leaked = Cell { value: Some(12.0), status: crate::render::view::Status::Suppressed, ..Cell::default() };
        assert_eq!(Point::of(&leaked), Point::Suppressed);
    }

    #[test]
    fn english_sex_labels_follow_the_population() {
        let children = dumbbell_in(Lang::En, 0);
        let children = texts(&children.svg);
        assert!(children.contains(&"Girls") && children.contains(&"Boys"), "{children:?}");
        assert!(children.contains(&"61.4%"));
        let adults = dumbbell_in(Lang::En, 1);
        let adults = texts(&adults.svg);
        assert!(adults.contains(&"Women") && adults.contains(&"Men"), "{adults:?}");
        assert!(!adults.iter().chain(&children).any(|t| t.contains("Flickor") || t.contains("Kvinnor")));
    }

    #[test]
    fn the_png_is_a_png_of_the_chart_size() {
        for c in charts(0) {
            assert_eq!(c.png[..8], png::SIGNATURE, "{}", c.kind);
            assert_eq!(&c.png[12..16], b"IHDR");
            let width = u32::from_be_bytes(c.png[16..20].try_into().unwrap());
            let height = u32::from_be_bytes(c.png[20..24].try_into().unwrap());
            assert_eq!(width, 900);
            assert!(c.svg.starts_with(&format!("<svg width=\"900\" height=\"{height}\"")), "{}", c.kind);
        }
    }

    #[test]
    fn drawing_twice_gives_identical_bytes() {
        let view = fixture::view();
        let again = panel(&view, &view.panels[0], Lang::Sv).unwrap();
        for (a, b) in charts(0).iter().zip(&again) {
            assert!(a.svg == b.svg && a.png == b.png, "{} differs", a.kind);
        }
        let again = overview(&view, Lang::Sv).unwrap();
        assert!(overview_sv().svg == again.svg && overview_sv().png == again.png);
    }

    #[test]
    fn the_source_line_tells_kolada_values_from_own_calculations() {
        let english = dumbbell_in(Lang::En, 0);
        let source = |svg: &str| {
            let starts = ["Källa", "Egen bearbetning", "Source", "jamfor"];
            let lines: Vec<&str> = texts(svg).into_iter().filter(|t| starts.iter().any(|s| t.starts_with(s))).collect();
            assert_eq!(lines.len(), 1, "one source line: {lines:?}");
            lines[0].to_string()
        };
        // A ready-made KPI as published, and the gaps jamfor computed from it.
        assert_eq!(source(&chart(1, "dumbbell").svg), "Källa: Kolada (KPI N05401).");
        assert_eq!(source(&chart(1, "gap").svg), "Egen bearbetning av data från Kolada (KPI N05401).");
        // A proportion is always computed; the report's own line names its source.
        let report = crate::render::lang::source_line(&fixture::proportion(), Lang::En).replace('\'', "&apos;");
        assert_eq!(source(&english.svg), report, "SVG text escapes the apostrophe");
        assert!(report.starts_with("jamfor&apos;s own calculation"));
    }

    #[test]
    fn every_number_in_the_charts_is_one_the_view_publishes() {
        let view = fixture::view();
        let charts = charts(0).iter().chain(charts(1)).chain([overview_sv()]);
        let files: Vec<crate::render::File> = charts
            .enumerate()
            .map(|(i, c)| crate::render::File {
                path: format!("charts/{i}/{}.svg", c.kind),
                bytes: c.svg.clone().into_bytes(),
            })
            .collect();
        if let Err(untraced) = crate::render::scan::check(&files, &view, Lang::Sv) {
            panic!("{}", untraced.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
        }
    }

    #[test]
    fn the_overview_has_a_row_per_panel_and_a_shape_per_organisation() {
        let c = overview_sv();
        let t = texts(&c.svg);
        for expected in
            ["Behöriga elever", "Valdeltagande", "Åbyholm", "Norrvik", "Sjöbacka (mentor)", "Bästa kvartilen"]
        {
            assert!(t.contains(&expected), "{expected}: {t:?}");
        }
        assert_eq!(c.kind, "overview");
        assert!(c.alt.starts_with("Ryggradsdiagram: för 2 indikatorer"), "{}", c.alt);
    }
}
