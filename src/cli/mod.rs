//! The `jamfor` command line: one module per subcommand (as xsv's `src/cmd/*.rs`), each with its
//! clap `Args` (field docs are the `--help`) and a `run`.
//!
//! Commands print problems themselves and return the exit code: 0 success, 2 bad input or usage,
//! 1 internal error (DESIGN §7).

mod catalogue;
mod diagnostics;
mod generate;
mod indicators;
mod ingest;
mod px;
mod report;
mod summary;
mod validate;
mod written;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use diagnostics::render_problems;

/// jamfor — compare services for women and men, girls and boys, across organisations.
#[derive(Debug, Parser)]
#[command(name = "jamfor", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The main job: charts, report.html, report.xlsx, findings.md and tables for a round.
    Report(report::Args),
    /// Read input files into one observation table, print a summary, write Parquet.
    Ingest(ingest::Args),
    /// Check input files and report every problem; writes nothing.
    Validate(validate::Args),
    /// The PC-Axis (.px) reader on its own: describe or convert a file.
    Px(px::Args),
    /// Indicator values and gender gaps for a round, with intervals and disclosure control.
    Indicators(indicators::Args),
    /// List the indicator catalogue (queries/); find Kolada KPIs and import them as indicators.
    Catalogue(catalogue::Args),
    /// Write the fictional round (data/) or the benchmark set from a seed; same seed, same bytes.
    Generate(generate::Args),
}

/// Exit code for problems in the user's input or usage.
pub const EXIT_INPUT: u8 = 2;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Report(args) => report::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Px(args) => px::run(args),
        Command::Indicators(args) => indicators::run(args),
        Command::Catalogue(args) => catalogue::run(args),
        Command::Generate(args) => generate::run(args),
    }
}

/// The whole program, for `main.rs`: parse, run, report, exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<std::io::Error>()).any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Files and round shared by `ingest` and `validate`.
#[derive(Debug, clap::Args)]
struct InputArgs {
    /// Input files (CSV, xlsx, xls, ods). With --round and no files, the round's inputs.
    files: Vec<PathBuf>,
    /// Round file whose [[input]] hints apply to the files it lists.
    #[arg(long, short = 'r', value_name = "ROUND.toml")]
    round: Option<PathBuf>,
}
