//! `jamfor catalogue [--lang sv|en]`: the indicators in `queries/`, checked, one line each;
//! `jamfor catalogue kolada SEARCH` and `jamfor catalogue import-kolada ID... --out queries/`:
//! finding Kolada KPIs and starting indicator files from them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::EXIT_INPUT;
use crate::indicators::Catalogue;
use crate::ingest::kolada::{Kpi, catalogue};
use crate::ingest::{self, Format, Input, InputHints};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Language of the titles.
    #[arg(long, value_parser = ["sv", "en"], default_value = "sv")]
    lang: String,
    /// Round whose `queries/` folder is read before the project's.
    #[arg(long, short = 'r', value_name = "ROUND.toml")]
    round: Option<PathBuf>,
}

/// The folders indicators are read from: beside the round (or the working directory), then
/// the project's own.
pub(super) fn folders(round: Option<&Path>) -> Vec<PathBuf> {
    let beside = match round {
        Some(r) => r.parent().unwrap_or(Path::new(".")).join("queries"),
        None => PathBuf::from("queries"),
    };
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    if beside.canonicalize().ok() == own.canonicalize().ok() { vec![own] } else { vec![beside, own] }
}

fn list(lang: &str, round: Option<&Path>) -> anyhow::Result<ExitCode> {
    let catalogue = match Catalogue::load(&folders(round)) {
        Ok(c) => c,
        Err(problems) => {
            let mut err = std::io::stderr().lock();
            super::render_problems(&mut err, "queries", &problems, 0)?;
            writeln!(err, "{} problem(s) in the indicator catalogue", problems.len())?;
            return Ok(ExitCode::from(EXIT_INPUT));
        }
    };
    let mut out = std::io::stdout().lock();
    let header = if lang == "en" {
        ["id", "title", "area", "kind", "polarity", "source"]
    } else {
        ["id", "titel", "område", "typ", "riktning", "källa"]
    };
    let rows: Vec<[String; 6]> = catalogue
        .indicators
        .iter()
        .map(|i| {
            [
                i.id.clone(),
                i.title.get(lang).to_string(),
                i.area.clone(),
                i.kind.name().to_string(),
                i.polarity.name().to_string(),
                i.source_label(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        s
    };
    writeln!(out, "{}", line(&header.map(str::to_string)))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    let n = catalogue.indicators.len();
    if lang == "en" {
        writeln!(out, "{n} indicators")?;
    } else {
        writeln!(out, "{n} indikatorer")?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Find Kolada KPIs by id or by words in the title, and show whether each is split by sex.
    Kolada {
        /// A KPI id (N15507) or words that must all be in the title (elever meritvärde).
        search: Vec<String>,
        /// The KPI catalogue: Kolada's /v3/kpi response (or rKolada's v3_kpi_catalog.json).
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
    },
    /// Write an indicator file (queries/<id>.toml) for each KPI, ready to edit.
    ImportKolada {
        /// KPI ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// The KPI catalogue, as for `catalogue kolada`.
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        /// Folder to write to.
        #[arg(long, short = 'o', value_name = "DIR", default_value = "queries")]
        out: PathBuf,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(command) = args.command else { return list(&args.lang, args.round.as_deref()) };
    match command {
        Command::Kolada { search, catalog } => {
            let Some(kpis) = load(&catalog)? else { return Ok(ExitCode::from(EXIT_INPUT)) };
            let query = search.join(" ");
            let found = catalogue::search(&kpis, &query);
            let mut out = std::io::stdout().lock();
            for k in &found {
                let split = if k.divided_by_gender { "K M T" } else { "T    " };
                let kind = k.municipality_type.as_deref().unwrap_or("-");
                let area = k.operating_area.as_deref().unwrap_or("-");
                writeln!(out, "{}  {split}  {kind}  {}  [{area}]", k.id, k.title)?;
            }
            writeln!(
                out,
                "{} of {} KPIs match {query:?} (K M T: split by sex; T: total only)",
                found.len(),
                kpis.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportKolada { ids, catalog, out, force } => {
            let Some(kpis) = load(&catalog)? else { return Ok(ExitCode::from(EXIT_INPUT)) };
            let mut err = std::io::stderr().lock();
            let mut chosen = Vec::new();
            for id in &ids {
                match kpis.iter().find(|k| k.id.eq_ignore_ascii_case(id)) {
                    Some(k) => chosen.push(k),
                    None => {
                        writeln!(err, "error: {id}: not in the catalogue {} ({} KPIs)", catalog.display(), kpis.len())?
                    }
                }
            }
            let existing: Vec<PathBuf> =
                chosen.iter().map(|k| file_for(&out, k)).filter(|p| p.exists() && !force).collect();
            for p in &existing {
                writeln!(err, "error: {}: exists, expected a new file (--force replaces it)", p.display())?;
            }
            if chosen.len() < ids.len() || !existing.is_empty() {
                return Ok(ExitCode::from(EXIT_INPUT));
            }
            std::fs::create_dir_all(&out)?;
            let mut stdout = std::io::stdout().lock();
            for k in chosen {
                let path = file_for(&out, k);
                std::fs::write(&path, catalogue::indicator_toml(k))?;
                let split = if k.divided_by_gender { "split by sex" } else { "total only" };
                writeln!(stdout, "wrote {} ({split}): {}", path.display(), k.title)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn file_for(dir: &Path, kpi: &Kpi) -> PathBuf {
    dir.join(format!("{}.toml", catalogue::indicator_id(kpi)))
}

/// The KPIs in a catalogue file, or `None` after printing its problems.
fn load(path: &Path) -> anyhow::Result<Option<Vec<Kpi>>> {
    let input = Input {
        path: path.to_path_buf(),
        source: path.display().to_string(),
        hints: InputHints { format: Some(Format::Kolada), ..InputHints::default() },
    };
    let got = ingest::ingest(&[input]);
    let report = &got.reports[0];
    let mut err = std::io::stderr().lock();
    if !report.problems.is_empty() {
        super::render_problems(&mut err, &report.source, &report.problems.list, report.problems.more)?;
        return Ok(None);
    }
    if got.kolada.kpis.is_empty() {
        writeln!(err, "error: {}: holds no KPIs, expected Kolada's KPI catalogue (/v3/kpi)", path.display())?;
        return Ok(None);
    }
    Ok(Some(got.kolada.kpis))
}
