//! `jamfor report [ROUND.toml] [--out DIR] [--lang sv|en]`: the main job. One folder with
//! everything the learning meeting needs (DESIGN §8): `report.html`, `report.xlsx`,
//! `findings.md`, `charts/`, `tables/` and `manifest.json`.
//!
//! Writes are atomic: everything goes to a temporary folder beside `DIR`, which replaces `DIR`
//! only when every file is written and the disclosure audit has passed; a failed or interrupted
//! run leaves the previous report as it was.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::EXIT_INPUT;
use super::indicators::{Results, compute_round, replace, staging, summary, warn_without_values};
use super::timings::Stopwatch;
use crate::indicators::tables;
use crate::render::{self, AuditSummary, Lang, View, workbook};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The round file.
    #[arg(default_value = "data/round.toml", value_name = "ROUND.toml")]
    round: PathBuf,
    /// The report folder (replaced when the run succeeds).
    #[arg(long, short = 'o', default_value = "out", value_name = "DIR")]
    out: PathBuf,
    /// Report language (default: the round's `language`, else Swedish).
    #[arg(long, value_enum, value_name = "sv|en")]
    lang: Option<LangArg>,
    /// Two-sided confidence level of every interval.
    #[arg(long, default_value_t = 0.95, value_parser = super::indicators::level)]
    level: f64,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LangArg {
    Sv,
    En,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let clock = Stopwatch::start();
    let bar = progress(args.quiet);
    bar.set_message("reading inputs and computing indicators");
    let Some(results) = compute_round(&args.round, args.level, &clock)? else {
        bar.finish_and_clear();
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let Results { round, catalogue, ingested, computed, comparison } = &results;
    let lang = match args.lang {
        Some(LangArg::Sv) => Lang::Sv,
        Some(LangArg::En) => Lang::En,
        None => Lang::from(round.language),
    };

    let tmp = staging(&args.out)?;
    let written = (|| -> anyhow::Result<Vec<String>> {
        bar.set_message("writing tables");
        let dir = tmp.join("tables");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        tables::write(&dir, &computed.values, &computed.gaps, &catalogue.indicators)
            .with_context(|| format!("writing tables to {}", dir.display()))?;
        comparison.write(&dir).with_context(|| format!("writing the comparison to {}", dir.display()))?;
        ingested
            .observations
            .write_parquet(&dir.join("observations.parquet"))
            .context("writing observations.parquet")?;

        clock.lap("tables");
        // The workbook reads only the tables just written, so it is built on its own thread
        // while the charts are drawn on rayon's: on two cores the report takes the longer of
        // the two, not their sum.
        let sheets: Vec<(String, PathBuf)> = [
            ("indicators", lang.pick("Indikatorer", "Indicators")),
            ("gaps", lang.pick("Skillnader", "Gaps")),
            ("comparison", lang.pick("Jämförelse", "Comparison")),
            ("methods", lang.pick("Metoder", "Methods")),
        ]
        .into_iter()
        .map(|(file, sheet)| (sheet.to_string(), dir.join(format!("{file}.csv"))))
        .collect();
        let xlsx = tmp.join("report.xlsx");
        let (rendered, workbook) = std::thread::scope(|scope| {
            let workbook = scope.spawn(|| {
                let sheets: Vec<workbook::Sheet<'_>> =
                    sheets.iter().map(|(name, csv)| workbook::Sheet { name, csv }).collect();
                let written = workbook::write(&xlsx, &sheets, lang, round.min_count);
                clock.lap("workbook");
                written
            });
            let rendered = (|| -> anyhow::Result<Vec<render::File>> {
                let view = View::build(
                    &computed.values,
                    &computed.gaps,
                    comparison,
                    &catalogue.indicators,
                    round,
                    args.level,
                )?;
                let (primary, secondary, complementary) = computed.protection.counts();
                let audit =
                    AuditSummary { hidden: primary + secondary + complementary, primary, secondary, complementary };
                bar.set_length(view.panels.len() as u64);
                bar.set_position(0);
                bar.set_message("drawing charts and writing the workbook");
                let files = render::render(&view, audit, lang, &|| bar.inc(1))?;
                clock.lap("rendered");
                Ok(files)
            })();
            (rendered, workbook.join().expect("the workbook thread does not panic"))
        });
        let files = rendered?;
        workbook.context("writing report.xlsx")?;
        bar.set_message("writing the report");
        for file in &files {
            let path = tmp.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, &file.bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        let mut paths = list(&tmp)?;
        let manifest = manifest(&args, round, lang, &paths, &tmp)?;
        std::fs::write(tmp.join("manifest.json"), manifest).context("writing manifest.json")?;
        paths.push("manifest.json".into());
        Ok(paths)
    })();
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            bar.finish_and_clear();
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    replace(&tmp, &args.out)?;
    bar.finish_and_clear();
    clock.lap("manifest, done");

    let mut out = std::io::stdout().lock();
    summary(&mut out, catalogue, computed, comparison)?;
    let charts = written.iter().filter(|p| p.starts_with("charts/")).count();
    writeln!(
        out,
        "wrote {}: report.html, report.xlsx, findings.md, {charts} chart files, tables/, manifest.json ({} files)",
        args.out.display(),
        written.len()
    )?;
    warn_without_values(&mut std::io::stderr().lock(), &computed.values, catalogue, &args.round)?;
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on a terminal; hidden when stderr is not one, or with `--quiet`.
fn progress(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len}").expect("a valid template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Every file under `dir`, relative, sorted, with `/` separators.
fn list(dir: &Path) -> anyhow::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out).with_context(|| format!("listing {}", dir.display()))?;
    out.sort();
    Ok(out)
}

fn sha256(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

/// `manifest.json`: what went in (with SHA-256, so a reader can check the report against the
/// data it was made from), the version and settings, and what came out. No timestamps: the
/// same inputs give the same bytes.
fn manifest(
    args: &Args,
    round: &crate::round::Round,
    lang: Lang,
    files: &[String],
    dir: &Path,
) -> anyhow::Result<String> {
    let mut inputs =
        vec![serde_json::json!({ "path": round.path.display().to_string(), "sha256": sha256(&round.path)? })];
    let mut seen = std::collections::BTreeSet::new();
    for input in &round.inputs {
        if seen.insert(input.path.clone()) {
            inputs.push(serde_json::json!({ "path": input.source, "sha256": sha256(&input.path)? }));
        }
    }
    let outputs: Vec<serde_json::Value> = files
        .par_iter()
        .map(|f| Ok(serde_json::json!({ "path": f, "sha256": sha256(&dir.join(f))? })))
        .collect::<anyhow::Result<_>>()?;
    let manifest = serde_json::json!({
        "jamfor": env!("CARGO_PKG_VERSION"),
        "round": round.name,
        "settings": {
            "lang": lang.code(),
            "level": args.level,
            "min_count": round.min_count,
            "indicators": round.indicators,
        },
        "inputs": inputs,
        "outputs": outputs,
    });
    Ok(serde_json::to_string_pretty(&manifest)? + "\n")
}
