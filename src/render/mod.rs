//! The render stage: the published results as the files a learning meeting uses (DESIGN §8):
//! charts (SVG and PNG), the self-contained `report.html`, `findings.md`, `report.xlsx`.
//!
//! - [`view`]: the published tables regrouped per indicator × age group; the only input of
//!   every renderer, so nothing rendered can rest on a suppressed number.
//! - [`lang`]: words, sex labels, number formats and source lines in Swedish and English.
//! - [`charts`]: dumbbell, gap, trend, funnel and overview charts with plotters.
//! - [`findings`]: plain-language findings from templates; [`markdown`] writes `findings.md`.
//! - [`html`]: `report.html`; [`workbook`]: `report.xlsx`.
//!
//! [`render`] produces every file in memory (charts in parallel with rayon), then [`scan`]
//! traces every number in their text to the audited tables; the caller writes them only then,
//! so a failure leaves nothing half-written.

pub mod charts;
pub mod findings;
pub mod html;
pub mod lang;
pub mod markdown;
pub mod scan;
pub mod view;
pub mod workbook;

use rayon::prelude::*;

pub use html::AuditSummary;
pub use lang::Lang;
pub use view::View;

/// One rendered file, relative to the report folder.
#[derive(Clone, Debug)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("drawing the charts of {indicator}: {source}")]
    Chart { indicator: String, source: charts::ChartError },
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    /// The audit over the written text found numbers the tables do not publish.
    #[error("the disclosure audit of the report's text failed:\n  {}", .0.iter().map(|u| u.to_string()).collect::<Vec<_>>().join("\n  "))]
    Untraced(Vec<scan::Untraced>),
}

/// Renders charts, `report.html` and `findings.md`. `progress` is called once per finished
/// panel (for a progress bar).
pub fn render(
    view: &View,
    audit: AuditSummary,
    lang: Lang,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<File>, RenderError> {
    let panel_charts: Vec<Vec<charts::Chart>> = view
        .panels
        .par_iter()
        .map(|panel| {
            let out = charts::panel(view, panel, lang)
                .map_err(|source| RenderError::Chart { indicator: panel.indicator.id.clone(), source });
            progress();
            out
        })
        .collect::<Result<_, _>>()?;
    let overview =
        charts::overview(view, lang).map_err(|source| RenderError::Chart { indicator: "overview".into(), source })?;
    let findings = findings::all(view, lang);
    let html = html::render(view, &panel_charts, Some(&overview), &findings, audit, lang)?;

    let mut files = Vec::new();
    for (panel, charts) in view.panels.iter().zip(&panel_charts) {
        for chart in charts {
            let stem = format!("charts/{}/{}", panel.stem(), chart.kind);
            files.push(File { path: format!("{stem}.svg"), bytes: chart.svg.clone().into_bytes() });
            files.push(File { path: format!("{stem}.png"), bytes: chart.png.clone() });
        }
    }
    files.push(File { path: "charts/overview.svg".into(), bytes: overview.svg.clone().into_bytes() });
    files.push(File { path: "charts/overview.png".into(), bytes: overview.png.clone() });
    files.push(File { path: "report.html".into(), bytes: html.into_bytes() });
    files.push(File { path: "findings.md".into(), bytes: markdown::findings(view, &findings, lang).into_bytes() });
    scan::check(&files, view, lang).map_err(RenderError::Untraced)?;
    Ok(files)
}
