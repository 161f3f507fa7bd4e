//! `jamfor generate [--seed N] [--scale round|kolada] [--out PATH]`: the fictional round in
//! `data/`, or the benchmark set, from a seed (same seed, same bytes).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::generate::{self, DEFAULT_SEED, Scale};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seed; the committed data/ is seed 2024.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// `round`: the embedded benchmarking round (a folder); `kolada`: the ≈ 9.4 M-observation
    /// benchmark set (one Parquet file).
    #[arg(long, value_enum, default_value_t = ScaleArg::Round)]
    scale: ScaleArg,
    /// Output folder (round) or Parquet file (kolada) [default: data, or indicators_9m.parquet].
    #[arg(long, short = 'o', value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ScaleArg {
    Round,
    Kolada,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (scale, default) = match args.scale {
        ScaleArg::Round => (Scale::Round, "data"),
        ScaleArg::Kolada => (Scale::Kolada, generate::kolada::FILE),
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from(default));
    let written =
        generate::generate(args.seed, scale, &out).with_context(|| format!("generating {}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    for w in &written {
        writeln!(stdout, "{:>10} rows {:>12} bytes  {}", w.rows, w.bytes, w.path)?;
    }
    let bytes: usize = written.iter().map(|w| w.bytes).sum();
    writeln!(
        stdout,
        "wrote {} files, {:.1} MB, seed {} (fictional data)",
        written.len(),
        bytes as f64 / 1e6,
        args.seed
    )?;
    Ok(ExitCode::SUCCESS)
}
