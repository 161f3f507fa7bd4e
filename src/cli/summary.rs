//! The summary `jamfor ingest` prints: per file, what was read and how (so a user can pin the
//! detected options in round.toml); then the table's shape, computed by polars.

use std::fmt::Write as _;

use polars::prelude::*;

use crate::ingest::{DecimalMark, FileReport, Ingested};

/// One file's reading options and counts.
pub fn describe_file(r: &FileReport) -> String {
    let mut s = String::new();
    let mut how = Vec::new();
    if let Some(f) = r.format {
        how.push(f.name().to_string());
    }
    if let Some(e) = &r.encoding {
        how.push(format!("{} ({})", e.name, e.reason));
    }
    if let Some(d) = r.delimiter {
        how.push(format!("delimiter {}", if d == b'\t' { "tab".to_string() } else { format!("\"{}\"", d as char) }));
    }
    if let Some(d) = r.decimal {
        how.push(if d == DecimalMark::Comma { "decimal comma".into() } else { "decimal point".into() });
    }
    if let Some(sheet) = &r.sheet {
        how.push(format!("sheet {sheet:?}"));
    }
    if let Some(line) = r.header_line {
        how.push(format!("header on line {line}"));
    }
    if let Some(shape) = r.shape {
        how.push(shape.to_string());
    }
    let _ = writeln!(s, "  {}: {}", r.source, how.join(", "));
    if !r.columns.is_empty() {
        let cols: Vec<String> = r.columns.iter().map(|(role, h)| format!("{role} {h}")).collect();
        let _ = writeln!(s, "    columns: {}", cols.join(", "));
    }
    let mut what = Vec::new();
    if let Some((v, why)) = &r.variable {
        what.push(format!("variable {v} ({why})"));
    }
    let metadata_only = (r.rows == 0 && !r.details.is_empty()) || r.format == Some(crate::ingest::Format::Records);
    if let Some((u, why)) = r.unit.as_ref().filter(|_| !metadata_only) {
        what.push(format!("unit {u} ({why})"));
    }
    if !what.is_empty() {
        let _ = writeln!(s, "    {}", what.join(", "));
    }
    let mut counts = format!("    {} rows → {} observations", r.rows, r.observations);
    if r.derived_totals > 0 {
        let _ = write!(counts, " ({} totals derived as K + M)", r.derived_totals);
    }
    if r.empty_values > 0 {
        let _ = write!(counts, ", {} empty value cells read as missing", r.empty_values);
    }
    if !metadata_only {
        let _ = writeln!(s, "{counts}");
    }
    if !r.ignored.is_empty() {
        let _ = writeln!(s, "    ignored columns: {}", r.ignored.join(", "));
    }
    for d in &r.details {
        let _ = writeln!(s, "    {d}");
    }
    if let Some(a) = r.attribution().filter(|_| !metadata_only) {
        let _ = writeln!(s, "    source line for its values: \"{}\" (computed numbers: \"{}\")", a.raw, a.processed);
    }
    for (line, text) in &r.notes {
        let _ = writeln!(s, "    skipped note on line {line}: {text:?}");
    }
    s
}

/// The whole run: every file, then the table's shape.
pub fn describe(ingested: &Ingested) -> PolarsResult<String> {
    let mut s = String::new();
    let files = ingested.reports.len();
    let _ = writeln!(s, "read {files} file{}:", if files == 1 { "" } else { "s" });
    for r in &ingested.reports {
        s.push_str(&describe_file(r));
    }
    let obs = &ingested.observations;
    let shape = obs
        .lazy()
        .select([
            len().alias("rows"),
            col("org_id").n_unique().alias("orgs"),
            col("period").n_unique().alias("periods"),
            col("variable").n_unique().alias("variables"),
            col("period").min().alias("first"),
            col("period").max().alias("last"),
        ])
        .collect()?;
    let get = |name: &str| shape.column(name).ok().and_then(|c| c.get(0).ok()).map(|v| v.to_string());
    let text = |name: &str| get(name).map(|v| v.trim_matches('"').to_string()).unwrap_or_default();
    let _ = writeln!(
        s,
        "observations: {} rows, {} organisations, {} periods ({}–{}), {} variables",
        text("rows"),
        text("orgs"),
        text("periods"),
        text("first"),
        text("last"),
        text("variables")
    );
    let by_sex = obs
        .lazy()
        .group_by([col("sex")])
        .agg([len().alias("n")])
        .sort(["sex"], SortMultipleOptions::default())
        .collect()?;
    let sexes = by_sex.column("sex")?.cast(&DataType::String)?;
    let sexes = sexes.str()?;
    let counts = by_sex.column("n")?.cast(&DataType::UInt64)?;
    let counts = counts.u64()?;
    let per: Vec<String> =
        sexes.iter().zip(counts.iter()).map(|(s, n)| format!("{} {}", s.unwrap_or("?"), n.unwrap_or(0))).collect();
    let _ = writeln!(s, "  rows per sex: {}", per.join(", "));
    let by_status = obs
        .lazy()
        .filter(col("status").is_not_null())
        .group_by([col("status")])
        .agg([len().alias("n")])
        .sort(["status"], SortMultipleOptions::default())
        .collect()?;
    if by_status.height() > 0 {
        let st = by_status.column("status")?.cast(&DataType::String)?;
        let n = by_status.column("n")?.cast(&DataType::UInt64)?;
        let per: Vec<String> = st
            .str()?
            .iter()
            .zip(n.u64()?.iter())
            .map(|(s, n)| format!("{} {}", s.unwrap_or("?"), n.unwrap_or(0)))
            .collect();
        let _ = writeln!(s, "  rows per status: {}", per.join(", "));
    }
    Ok(s)
}
