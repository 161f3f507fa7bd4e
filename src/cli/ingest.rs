//! `jamfor ingest FILE... [--round R] [--out observations.parquet]`: read, validate, print a
//! summary with the options detected for each file, and write the table as Parquet.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::diagnostics::render_problems;
use super::{EXIT_INPUT, InputArgs, summary};
use crate::ingest::{self, Ingested, Input};
use crate::round;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Where to write the observation table (Parquet).
    #[arg(long, short = 'o', default_value = "observations.parquet", value_name = "FILE")]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(ingested) = read_inputs(&args.input)? else {
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let mut out = std::io::stdout().lock();
    write!(out, "{}", summary::describe(&ingested).context("summarising the observations")?)?;
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    ingested.observations.write_parquet(&args.out).with_context(|| format!("writing {}", args.out.display()))?;
    writeln!(out, "wrote {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the round (if any), reads the inputs, and prints every problem to stderr.
/// `None` when there were problems (the caller exits 2).
pub(super) fn read_inputs(args: &InputArgs) -> anyhow::Result<Option<Ingested>> {
    let mut err = std::io::stderr().lock();
    let mut round = match &args.round {
        None => None,
        Some(path) => match round::load(path) {
            Ok(r) => Some(r),
            Err(problems) => {
                render_problems(&mut err, &path.display().to_string(), &problems, 0)?;
                return Ok(None);
            }
        },
    };
    let inputs: Vec<Input> = match (&round, args.files.is_empty()) {
        (Some(r), true) => r.inputs.clone(),
        (r, false) => ingest::inputs_from_paths(&args.files, r.as_ref().map_or(&[], |r| &r.inputs)),
        (None, true) => {
            writeln!(err, "error: no input files given, expected FILE... or --round ROUND.toml")?;
            return Ok(None);
        }
    };
    // Record-level tables: derive the chosen indicators' variables with their SQL.
    let records = inputs.iter().any(|i| i.hints.format == Some(ingest::Format::Records));
    let queries = match (&round, records) {
        (Some(r), true) => {
            let beside = r.path.parent().unwrap_or(std::path::Path::new(".")).join("queries");
            let own = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
            match ingest::sql::find(&[beside, own], &r.indicators) {
                Ok(q) => q,
                Err(problems) => {
                    for p in &problems {
                        render_problems(&mut err, &p.location.source, std::slice::from_ref(p), 0)?;
                    }
                    return Ok(None);
                }
            }
        }
        _ => Vec::new(),
    };
    let ingested = ingest::ingest_with(&inputs, &queries);
    let mut failed = false;
    for r in &ingested.reports {
        if !r.problems.is_empty() {
            failed = true;
            render_problems(&mut err, &r.source, &r.problems.list, r.problems.more)?;
        }
    }
    if let (Some(r), false, true) = (&mut round, failed, args.files.is_empty()) {
        let kolada = &ingested.kolada;
        let lookup = |id: &str| kolada.group(id).map(|g| g.members.iter().map(|m| m.0.clone()).collect());
        let problems = r.resolve_groups(lookup, kolada.groups.len());
        if !problems.is_empty() {
            render_problems(&mut err, &r.path.display().to_string(), &problems, 0)?;
            failed = true;
        }
    }
    if let (Some(r), false, true) = (&round, failed, args.files.is_empty()) {
        let orgs = ingested.observations.frame().column("org_id").ok().and_then(|c| c.str().ok().cloned());
        let present = |org: &str| orgs.as_ref().is_some_and(|c| c.iter().any(|o| o == Some(org)));
        let problems = r.check_orgs(present);
        if !problems.is_empty() {
            render_problems(&mut err, &r.path.display().to_string(), &problems, 0)?;
            failed = true;
        }
    }
    if failed {
        let n = ingested.problem_count();
        if n > 0 {
            writeln!(err, "{n} problem{} found; nothing written", if n == 1 { "" } else { "s" })?;
        }
        return Ok(None);
    }
    Ok(Some(ingested))
}
