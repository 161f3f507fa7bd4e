//! `jamfor indicators [ROUND.toml] [--out DIR]`: per-sex values with intervals, gender gaps,
//! disclosure control and its audit, written as tables (DESIGN §8).
//!
//! Writes are atomic: the tables go to a temporary folder beside `DIR`, which replaces `DIR`
//! only when everything, the audit included, has succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::catalogue::folders;
use super::ingest::read_inputs;
use super::{EXIT_INPUT, InputArgs, render_problems};
use crate::compare;
use crate::error::{Location, Problem};
use crate::indicators::{self, Catalogue, IndicatorError, Options, tables};
use crate::round;
use crate::timings::Stopwatch;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The round file.
    #[arg(default_value = "data/round.toml", value_name = "ROUND.toml")]
    round: PathBuf,
    /// Folder for the tables (replaced when the run succeeds).
    #[arg(long, short = 'o', default_value = "out/tables", value_name = "DIR")]
    out: PathBuf,
    /// Two-sided confidence level of every interval.
    #[arg(long, default_value_t = 0.95, value_parser = level)]
    level: f64,
}

pub(super) fn level(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(l) if l > 0.0 && l < 1.0 => Ok(l),
        _ => Err(format!("{text:?} is not a confidence level, expected a number between 0 and 1 such as 0.95")),
    }
}

/// What the indicator stage produces for a round.
pub(super) struct Indicated {
    pub round: round::Round,
    pub catalogue: Catalogue,
    pub ingested: crate::ingest::Ingested,
    pub computed: indicators::Computed,
}

/// Reads the round, its catalogue and inputs, computes the indicators and compares. Problems in
/// the user's input are printed here; `Ok(None)` then means "exit 2".
pub(super) fn compute_round(
    path: &Path,
    level: f64,
    clock: &Stopwatch,
) -> anyhow::Result<Option<(Indicated, compare::Comparison)>> {
    let Some(indicated) = compute_indicators(path, level, clock)? else { return Ok(None) };
    let Some(comparison) = compare_round(&indicated, level, clock)? else { return Ok(None) };
    Ok(Some((indicated, comparison)))
}

/// Reads the round, its catalogue and inputs and computes the indicators. Problems in the
/// user's input are printed here; `Ok(None)` then means "exit 2".
pub(super) fn compute_indicators(path: &Path, level: f64, clock: &Stopwatch) -> anyhow::Result<Option<Indicated>> {
    let mut err = std::io::stderr().lock();
    let round = match round::load(path) {
        Ok(r) => r,
        Err(problems) => {
            render_problems(&mut err, &path.display().to_string(), &problems, 0)?;
            return Ok(None);
        }
    };
    let catalogue = match Catalogue::load(&folders(Some(path)))
        .and_then(|c| c.select(&round.indicators, &path.display().to_string()))
    {
        Ok(c) => c,
        Err(problems) => {
            render_problems(&mut err, "queries", &problems, 0)?;
            return Ok(None);
        }
    };
    let input = InputArgs { files: Vec::new(), round: Some(path.to_path_buf()) };
    drop(err);
    let Some(ingested) = read_inputs(&input)? else { return Ok(None) };
    clock.lap("read inputs");
    let mut err = std::io::stderr().lock();
    // Group resolution happened on read_inputs' own copy of the round; roles need it here too.
    let mut round = round;
    let kolada = &ingested.kolada;
    let lookup = |id: &str| kolada.group(id).map(|g| g.members.iter().map(|m| m.0.clone()).collect());
    let _ = round.resolve_groups(lookup, kolada.groups.len());

    let options = Options { level, min_count: round.min_count };
    let computed = match indicators::compute(&ingested.observations, &round, &catalogue, options) {
        Ok(c) => c,
        Err(IndicatorError::Conflicts(conflicts)) => {
            for c in &conflicts {
                let p = Problem::new(
                    Location::file(c.sources.first().cloned().unwrap_or_default()),
                    format!(
                        "{} for {} {} {} {} is given {} times ({}), expected one value per organisation, period, age group and sex",
                        c.variable,
                        c.org_id,
                        c.period,
                        c.age_group,
                        c.sex,
                        c.sources.len(),
                        c.sources.join(", ")
                    ),
                )
                .with_hint(Some(format!("indicator {} reads {}; remove the duplicate rows or one of the inputs", c.indicator, c.variable)));
                render_problems(&mut err, "", std::slice::from_ref(&p), 0)?;
            }
            return Ok(None);
        }
        Err(IndicatorError::Values(problems)) => {
            for p in problems.iter().take(50) {
                writeln!(err, "error: {p}")?;
            }
            if problems.len() > 50 {
                writeln!(err, "error: … and {} more", problems.len() - 50)?;
            }
            return Ok(None);
        }
        Err(e) => return Err(e).context("computing indicators"),
    };

    clock.lap("indicators");
    Ok(Some(Indicated { round, catalogue, ingested, computed }))
}

/// Compares the organisations of an indicated round. Problems in the user's input are printed
/// here; `Ok(None)` then means "exit 2".
pub(super) fn compare_round(
    indicated: &Indicated,
    level: f64,
    clock: &Stopwatch,
) -> anyhow::Result<Option<compare::Comparison>> {
    let Indicated { round, catalogue, computed, .. } = indicated;
    let compared =
        compare::compare(&computed.values, &computed.gaps, &catalogue.indicators, round, compare::Options { level });
    let comparison = match compared {
        Ok(c) => c,
        Err(compare::CompareError::Polars(e)) => return Err(e).context("comparing organisations"),
        Err(e) => {
            writeln!(std::io::stderr().lock(), "error: {e}")?;
            return Ok(None);
        }
    };
    clock.lap("compared");
    Ok(Some(comparison))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let clock = Stopwatch::start();
    let Some((Indicated { catalogue, computed, .. }, comparison)) = compute_round(&args.round, args.level, &clock)?
    else {
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let mut err = std::io::stderr().lock();

    let tmp = staging(&args.out)?;
    tables::write(&tmp, &computed.values, &computed.gaps, &catalogue.indicators)
        .with_context(|| format!("writing tables to {}", tmp.display()))?;
    comparison.write(&tmp).with_context(|| format!("writing the comparison to {}", tmp.display()))?;
    replace(&tmp, &args.out)?;
    clock.lap("tables");

    let mut out = std::io::stdout().lock();
    summary(&mut out, &catalogue, &computed, &comparison)?;
    writeln!(out, "wrote {}", args.out.display())?;
    warn_without_values(&mut err, &computed.values, &catalogue, &args.round)?;
    Ok(ExitCode::SUCCESS)
}

/// The run's summary lines: values, suppression, the audit's result, the comparison.
pub(super) fn summary(
    out: &mut impl Write,
    catalogue: &Catalogue,
    computed: &indicators::Computed,
    comparison: &compare::Comparison,
) -> anyhow::Result<()> {
    let status = computed.values.frame().column("status")?.str()?.clone();
    let suppressed = status.iter().filter(|s| *s == Some("suppressed")).count();
    let (primary, secondary, complementary) = computed.protection.counts();
    writeln!(
        out,
        "{} indicators: {} values, {} gaps; {} values suppressed",
        catalogue.indicators.len(),
        computed.values.len(),
        computed.gaps.len(),
        suppressed
    )?;
    write!(
        out,
        "disclosure audit: {} hidden cells ({primary} primary, {secondary} secondary, {complementary} complementary)",
        primary + secondary + complementary
    )?;
    match computed.protection.narrowest {
        Some((at, ratio)) => {
            let e = &computed.protection.exposures[at];
            writeln!(
                out,
                "; every attacker interval is at least min_count wide (narrowest [{}, {}], {:.1}× its threshold): protected",
                tables::number(e.low),
                tables::number(e.high),
                ratio
            )?;
        }
        None => writeln!(out, "; nothing to protect")?,
    }
    writeln!(out, "comparison: {} rows against the mentor and the reference set", comparison.len())?;
    Ok(())
}

/// Warns about selected indicators without a single value row.
pub(super) fn warn_without_values(
    err: &mut impl Write,
    values: &indicators::IndicatorValues,
    catalogue: &Catalogue,
    round: &Path,
) -> anyhow::Result<()> {
    let empty = without_values(values, catalogue)?;
    if !empty.is_empty() {
        writeln!(
            err,
            "warning: {} of {} indicators have no values in this round: {}\n  hint: add inputs that hold their variables (`jamfor catalogue` shows what each reads), or leave them out of `indicators` in {}",
            empty.len(),
            catalogue.indicators.len(),
            empty.join(", "),
            round.display()
        )?;
    }
    Ok(())
}

/// Selected indicators with not one value row: none of their variables were in the inputs.
fn without_values(values: &indicators::IndicatorValues, catalogue: &Catalogue) -> anyhow::Result<Vec<String>> {
    let ids = values.frame().column("indicator_id")?.str()?.clone();
    let present: std::collections::BTreeSet<&str> = ids.iter().flatten().collect();
    Ok(catalogue.indicators.iter().filter(|i| !present.contains(i.id.as_str())).map(|i| i.id.clone()).collect())
}

/// A fresh temporary folder beside `out`.
pub(super) fn staging(out: &Path) -> anyhow::Result<PathBuf> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    Ok(tmp)
}

/// Moves `tmp` to `out`, replacing what was there.
pub(super) fn replace(tmp: &Path, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("removing the old {}", out.display()))?;
    }
    std::fs::rename(tmp, out).with_context(|| format!("moving {} to {}", tmp.display(), out.display()))
}
