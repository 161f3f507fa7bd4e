//! `jamfor report [ROUND.toml] [--out DIR] [--lang sv|en]`: the main job. One folder with
//! everything the learning meeting needs (DESIGN §8): `report.html`, `report.xlsx`,
//! `findings.md`, `charts/`, `tables/` and `manifest.json`.
//!
//! Writes are atomic: everything goes to a temporary folder beside `DIR`, which replaces `DIR`
//! only when every file is written and the disclosure audit has passed; a failed or interrupted
//! run leaves the previous report as it was.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, Sender};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::EXIT_INPUT;
use super::indicators::{Indicated, compare_round, compute_indicators, replace, staging, summary, warn_without_values};
use super::written::{self, Written};
use crate::compare::{self, Comparison};
use crate::indicators::tables::{self, TextTable};
use crate::render::workbook::{self, Sheet};
use crate::render::{self, AuditSummary, Lang, View};
use crate::timings::Stopwatch;

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
    let Some(indicated) = compute_indicators(&args.round, args.level, &clock)? else {
        bar.finish_and_clear();
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let Indicated { round, catalogue, computed, .. } = &indicated;
    let lang = match args.lang {
        Some(LangArg::Sv) => Lang::Sv,
        Some(LangArg::En) => Lang::En,
        None => Lang::from(round.language),
    };

    let tmp = staging(&args.out)?;
    let staged = Written::new(&tmp);
    let run = Run { args: &args, indicated: &indicated, lang, staged: &staged, bar: &bar, clock: &clock };
    let written = run.write();
    let (comparison, written) = match written {
        Ok(Some(done)) => done,
        Ok(None) => {
            bar.finish_and_clear();
            let _ = std::fs::remove_dir_all(&tmp);
            return Ok(ExitCode::from(EXIT_INPUT));
        }
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
    summary(&mut out, catalogue, computed, &comparison)?;
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

/// A report run once the indicators are computed: what it read and computed, where it writes,
/// how it shows progress.
struct Run<'a> {
    args: &'a Args,
    indicated: &'a Indicated,
    lang: Lang,
    staged: &'a Written,
    bar: &'a ProgressBar,
    clock: &'a Stopwatch,
}

impl Run<'_> {
    /// Compares and writes every file into the staging folder; the comparison and the files'
    /// paths, or `None` when the comparison found a problem in the input (already printed).
    fn write(&self) -> anyhow::Result<Option<(Comparison, Vec<String>)>> {
        let Indicated { round, catalogue, computed, .. } = self.indicated;
        self.bar.set_message("comparing");
        // Every cell as text once: the CSV, Parquet and workbook files are written from it.
        let published = tables::Published::new(&computed.values, &computed.gaps, &catalogue.indicators)
            .context("formatting the tables")?;
        self.clock.lap("tables as text");
        // The workbook needs only the tables and is the longest single piece of work: it gets a
        // thread of its own, writes the indicator sheets while the comparison is computed on
        // the other core, and takes the comparison's sheet when that is ready.
        let (send, receive) = std::sync::mpsc::channel();
        let done = std::thread::scope(|scope| {
            let workbook = scope.spawn(|| self.workbook(&published, receive));
            // The inputs are hashed for the manifest while the workbook finishes.
            let rest = self
                .compare_and_render(&published, send)
                .and_then(|done| done.map(|c| Ok((c, hashed_inputs(round)?))).transpose());
            let workbook = workbook.join().expect("the workbook thread does not panic");
            match rest {
                Ok(Some(done)) => workbook.context("writing report.xlsx").map(|()| Some(done)),
                other => other,
            }
        })?;
        let Some((comparison, inputs)) = done else { return Ok(None) };
        let outputs = self.staged.hashes()?;
        self.staged.bytes("manifest.json", manifest(self.args, round, self.lang, inputs, &outputs)?.as_bytes())?;
        let mut paths: Vec<String> = outputs.into_iter().map(|(path, _)| path).collect();
        paths.push("manifest.json".into());
        Ok(Some((comparison, paths)))
    }

    /// `report.xlsx`: the indicator sheets, then the comparison's once it comes.
    fn workbook(&self, published: &tables::Published, comparison: Receiver<TextTable>) -> anyhow::Result<()> {
        let lang = self.lang;
        let mut book = workbook::Book::new()?;
        book.add(&Sheet { name: lang.pick("Indikatorer", "Indicators"), table: &published.values })?;
        book.add(&Sheet { name: lang.pick("Skillnader", "Gaps"), table: &published.gaps })?;
        // No comparison: the run fails with the comparison's own error.
        let Ok(compared) = comparison.recv() else { return Ok(()) };
        book.add(&Sheet { name: lang.pick("Jämförelse", "Comparison"), table: &compared })?;
        book.add(&Sheet { name: lang.pick("Metoder", "Methods"), table: &published.methods })?;
        self.staged.bytes("report.xlsx", &book.finish(lang, self.indicated.round.min_count)?)?;
        self.clock.lap("workbook");
        Ok(())
    }

    /// Compares, hands the comparison's text to the workbook, writes the table files, renders
    /// charts, findings and HTML, and writes them once the audit of their text has passed
    /// (while the workbook may still be writing).
    fn compare_and_render(
        &self,
        published: &tables::Published,
        workbook: Sender<TextTable>,
    ) -> anyhow::Result<Option<Comparison>> {
        let Indicated { round, catalogue, ingested, computed } = self.indicated;
        let Some(comparison) = compare_round(self.indicated, self.args.level, self.clock)? else { return Ok(None) };
        // The workbook waits for the main table only (its cells are shared, not copied).
        let main = comparison.main_text().context("formatting the comparison")?;
        // A send fails only when the workbook has failed; its join says why.
        let _ = workbook.send(main.clone());
        let details = comparison.details_text().context("formatting the comparison's details")?;
        let compared = compare::Published { main, details };

        self.bar.set_message("writing tables");
        let mut files = published.files();
        files.extend(compared.files());
        files.par_iter().try_for_each(|f| -> anyhow::Result<()> {
            let path = format!("tables/{}", f.name());
            let mut out = self.staged.create(&path)?;
            f.write(&mut out).with_context(|| format!("writing {}", self.staged.path(&path).display()))?;
            out.finish()
        })?;
        ingested
            .observations
            .write_parquet(&self.staged.path("tables/observations.parquet"))
            .context("writing observations.parquet")?;
        self.clock.lap("tables");

        let view =
            View::build(&computed.values, &computed.gaps, &comparison, &catalogue.indicators, round, self.args.level)?;
        let (primary, secondary, complementary) = computed.protection.counts();
        let audit = AuditSummary { hidden: primary + secondary + complementary, primary, secondary, complementary };
        self.bar.set_length(view.panels.len() as u64);
        self.bar.set_position(0);
        self.bar.set_message("drawing charts and writing the workbook");
        let files = render::render(&view, audit, self.lang, &|| self.bar.inc(1))?;
        self.bar.set_message("writing the report");
        files.par_iter().try_for_each(|file| self.staged.bytes(&file.path, &file.bytes))?;
        self.clock.lap("rendered");
        Ok(Some(comparison))
    }
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

/// The round file and each input file once, with its SHA-256, for the manifest.
fn hashed_inputs(round: &crate::round::Round) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut inputs =
        vec![serde_json::json!({ "path": round.path.display().to_string(), "sha256": written::sha256(&round.path)? })];
    let mut seen = std::collections::BTreeSet::new();
    for input in &round.inputs {
        if seen.insert(input.path.clone()) {
            inputs.push(serde_json::json!({ "path": input.source, "sha256": written::sha256(&input.path)? }));
        }
    }
    Ok(inputs)
}

/// `manifest.json`: what went in (with SHA-256, so a reader can check the report against the
/// data it was made from), the version and settings, and what came out. No timestamps: the
/// same inputs give the same bytes.
fn manifest(
    args: &Args,
    round: &crate::round::Round,
    lang: Lang,
    inputs: Vec<serde_json::Value>,
    outputs: &[(String, String)],
) -> anyhow::Result<String> {
    let outputs: Vec<serde_json::Value> =
        outputs.iter().map(|(path, sha256)| serde_json::json!({ "path": path, "sha256": sha256 })).collect();
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
