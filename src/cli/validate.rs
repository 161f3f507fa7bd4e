//! `jamfor validate FILE... [--round R]`: report every problem (up to 50 per file, with the count
//! of the rest), write nothing, exit 2 on any problem.

use std::io::Write;
use std::process::ExitCode;

use super::{EXIT_INPUT, InputArgs, ingest::read_inputs};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(ingested) = read_inputs(&args.input)? else {
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let mut out = std::io::stdout().lock();
    let files = ingested.reports.len();
    writeln!(
        out,
        "ok: {files} file{} valid, {} observations",
        if files == 1 { "" } else { "s" },
        ingested.observations.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
