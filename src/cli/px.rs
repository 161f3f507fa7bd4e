//! `jamfor px info FILE` and `jamfor px convert FILE --out OUT.{csv,parquet} [--lang L]`: the
//! PC-Axis reader on its own.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use polars::prelude::*;

use super::EXIT_INPUT;
use crate::ingest::pcaxis::meta::{Elimination, Variable};
use crate::ingest::pcaxis::{self, PxError, PxTable};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Describe a PX file: title, encoding and why, languages, variables, cells, symbols.
    Info {
        /// The .px file.
        file: PathBuf,
    },
    /// Write a PX file in long form: a code and a label column per variable, value, status, symbol.
    Convert {
        /// The .px file.
        file: PathBuf,
        /// Output file; .csv or .parquet.
        #[arg(long, short = 'o', value_name = "OUT")]
        out: PathBuf,
        /// Language of the labels (default: the file's LANGUAGE).
        #[arg(long)]
        lang: Option<String>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Info { file } => match pcaxis::read_path(&file) {
            Ok(t) => {
                write!(std::io::stdout().lock(), "{}", info(&file.display().to_string(), &t))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => report(&file, &e),
        },
        Command::Convert { file, out, lang } => match pcaxis::read_path(&file) {
            Ok(t) => {
                let mut frame = anyhow::Context::context(long_frame(&t, lang.as_deref()), "building the long table")?;
                write_frame(&mut frame, &out)?;
                writeln!(std::io::stdout().lock(), "wrote {} ({} rows)", out.display(), frame.height())?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => report(&file, &e),
        },
    }
}

fn report(file: &Path, e: &PxError) -> anyhow::Result<ExitCode> {
    writeln!(std::io::stderr().lock(), "error: {}:{e}", file.display())?;
    Ok(ExitCode::from(EXIT_INPUT))
}

fn first_values(v: &[String], n: usize) -> String {
    let shown: Vec<String> = v.iter().take(n).map(|s| format!("{s:?}")).collect();
    if v.len() > n { format!("{}, …", shown.join(", ")) } else { shown.join(", ") }
}

/// The text of `px info`.
pub fn info(name: &str, t: &PxTable) -> String {
    let m = &t.meta;
    let mut s = String::new();
    let _ = writeln!(s, "file: {name}");
    for (label, value) in [("matrix", &m.matrix), ("title", &m.title), ("contents", &m.contents), ("units", &m.units)] {
        if let Some(v) = value {
            let _ = writeln!(s, "{label}: {}", v.replace('\n', " "));
        }
    }
    let _ = writeln!(s, "encoding: {} ({})", m.charset.name, m.charset.reason);
    let mut langs = m.languages.clone();
    if langs.is_empty() {
        langs.extend(m.language.clone());
    }
    let _ = writeln!(
        s,
        "languages: {}{}",
        if langs.is_empty() { "(not declared)".to_string() } else { langs.join(", ") },
        m.language.as_ref().map_or(String::new(), |l| format!(" (default {l})"))
    );
    let _ = writeln!(s, "cells: {} = {}", m.cells(), m.dims());
    match t.data.keyed_rows {
        None => {
            let _ = writeln!(s, "data: dense");
        }
        Some(listed) => {
            let width: u64 = m.heading().iter().map(|v| v.len() as u64).product();
            let rows = m.cells() / width.max(1);
            let _ = writeln!(s, "data: KEYS, {listed} of {rows} rows listed (absent rows are zeros)");
        }
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, sym) in &t.data.symbols {
        match counts.iter_mut().find(|(k, _)| *k == sym.text()) {
            Some((_, n)) => *n += 1,
            None => counts.push((sym.text(), 1)),
        }
    }
    counts.sort();
    if !counts.is_empty() {
        let list: Vec<String> = counts.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        let _ = writeln!(s, "symbols: {}", list.join(", "));
    }
    let _ = writeln!(s, "variables:");
    for (i, v) in m.variables.iter().enumerate() {
        let _ = writeln!(s, "  {}", describe_variable(m, i, v));
    }
    if !m.notes.is_empty() {
        let _ = writeln!(s, "notes: {}", m.notes.len());
    }
    for w in &m.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

fn describe_variable(m: &pcaxis::Meta, i: usize, v: &Variable) -> String {
    let mut d = format!("{} {:?}", if v.heading { "heading" } else { "stub" }, v.labels.name);
    if let Some(code) = &v.code {
        let _ = write!(d, " [{code}]");
    }
    let _ = write!(d, ": {} values ({})", v.len(), first_values(&v.labels.values, 4));
    if let Some(codes) = &v.codes {
        let _ = write!(d, ", codes {}", first_values(codes, 4));
    }
    for (lang, t) in &v.translations {
        let _ = write!(d, "; [{lang}] {:?}", t.name);
    }
    match &v.elimination {
        Some(Elimination::Yes) => d.push_str("; elimination: sum"),
        Some(Elimination::Value(j)) => {
            let _ = write!(d, "; elimination: total is {:?}", v.labels.values[*j]);
        }
        Some(Elimination::No) | None => {}
    }
    if let Some(scale) = v.time {
        let _ = write!(d, "; time {}", scale.code());
        if !v.timeval.is_empty() {
            let _ = write!(d, " TIMEVAL {}", first_values(&v.timeval, 3));
        }
    }
    if m.content_variable == Some(i) {
        let units: Vec<String> = m.content.iter().map(|c| c.units.clone().unwrap_or_else(|| "?".into())).collect();
        let _ = write!(d, "; contents, units {}", first_values(&units, 4));
    }
    d
}

/// The long table: per variable a label column (in `lang`) and a `_code` column, then `value`,
/// `status`, `symbol`.
pub fn long_frame(t: &PxTable, lang: Option<&str>) -> PolarsResult<DataFrame> {
    let m = &t.meta;
    let n = m.cells() as usize;
    let mut columns = Vec::new();
    // Index of each variable's value in cell i: divide by the product of later counts.
    let mut stride = 1usize;
    let mut strides = vec![0usize; m.variables.len()];
    for (k, v) in m.variables.iter().enumerate().rev() {
        strides[k] = stride;
        stride *= v.len();
    }
    for (k, v) in m.variables.iter().enumerate() {
        let labels = v.labels(lang);
        let len = v.len();
        let idx = |i: usize| (i / strides[k]) % len;
        let label = StringChunked::from_iter_values(
            labels.name.as_str().into(),
            (0..n).map(|i| labels.values[idx(i)].as_str()),
        );
        let code =
            StringChunked::from_iter_values(format!("{}_code", labels.name).into(), (0..n).map(|i| v.value_id(idx(i))));
        columns.push(code.into_column());
        columns.push(label.into_column());
    }
    let cells: Vec<(Option<f64>, Option<pcaxis::Symbol>)> = (0..n as u64).map(|i| t.data.cell(i)).collect();
    columns.push(Float64Chunked::from_iter_options("value".into(), cells.iter().map(|c| c.0)).into_column());
    columns.push(
        StringChunked::from_iter_options("status".into(), cells.iter().map(|c| c.1.map(|s| s.status().name())))
            .into_column(),
    );
    columns.push(
        StringChunked::from_iter_options("symbol".into(), cells.iter().map(|c| c.1.map(|s| s.text()))).into_column(),
    );
    DataFrame::new_infer_height(columns)
}

fn write_frame(frame: &mut DataFrame, out: &Path) -> anyhow::Result<()> {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "parquet" => {
            let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
            ParquetWriter::new(file).finish(frame)?;
        }
        "csv" => {
            let mut w = csv::Writer::from_path(out).with_context(|| format!("creating {}", out.display()))?;
            let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
            w.write_record(&names)?;
            let cols: Vec<Column> = frame.columns().to_vec();
            let strings: Vec<Column> = cols.iter().map(|c| c.cast(&DataType::String)).collect::<PolarsResult<_>>()?;
            let strs: Vec<&StringChunked> = strings.iter().map(|c| c.str()).collect::<PolarsResult<_>>()?;
            for i in 0..frame.height() {
                w.write_record(strs.iter().map(|c| c.get(i).unwrap_or("")))?;
            }
            w.flush()?;
        }
        _ => anyhow::bail!("--out {} must end in .csv or .parquet", out.display()),
    }
    Ok(())
}
