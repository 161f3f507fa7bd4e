//! The binary as users run it: exit codes, summaries, Parquet out, capped problem lists, round
//! problems reported all at once.

use polars::prelude::*;

use crate::support::{fixtures, jamfor, root};

#[test]
fn ingest_sample_round_prints_summary_and_writes_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("obs.parquet");
    let (code, text) = jamfor(&root(), &["ingest", "--round", "data/round.toml", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let text = text.replace(out.to_str().unwrap(), "[OUT]");
    insta::assert_snapshot!(text);
    let df = ParquetReader::new(std::fs::File::open(&out).unwrap()).finish().unwrap();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(names, jamfor::model::observations::COLUMNS);
    assert!(df.height() > 100);
    // The file is a valid observation table when read back.
    jamfor::model::Observations::new(df).expect("Parquet round-trips the schema");
}

#[test]
fn ingest_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.parquet"), tmp.path().join("b.parquet"));
    for out in [&a, &b] {
        let (code, text) = jamfor(&root(), &["ingest", "--round", "data/round.toml", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{text}");
    }
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn validate_sample_files_directly() {
    let (code, text) =
        jamfor(&root(), &["validate", "data/controllers/uppfoljning_2015_2024.csv", "data/scb/folkmangd_2015_2024.px"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ok: 2 files valid"), "{text}");
}

#[test]
fn no_arguments_prints_usage_and_exits_2() {
    let (code, text) = jamfor(&root(), &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("Usage: jamfor"), "{text}");
}

#[test]
fn validate_caps_problems_at_50_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("Kommun;År;Kön;Antal\n");
    for i in 0..60 {
        csv.push_str(&format!("X{:04};2023;X;{i}\n", i));
    }
    std::fs::write(tmp.path().join("many.csv"), csv).unwrap();
    let (code, text) = jamfor(tmp.path(), &["validate", "many.csv"]);
    assert_eq!(code, 2);
    assert_eq!(text.matches("error: many.csv:").count(), 51, "{text}");
    assert!(text.contains("error: many.csv: … and 10 more problems (only the first 50 are shown)"), "{text}");
    assert!(text.contains("60 problems found; nothing written"), "{text}");
}

#[test]
fn ingest_writes_nothing_on_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures().join("csv").join("invalid");
    let out = tmp.path().join("obs.parquet");
    let (code, _) = jamfor(&dir, &["ingest", "sex_unknown_code.csv", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(!out.exists());
}

#[test]
fn round_problems_are_reported_all_at_once_before_reading_inputs() {
    insta::glob!("../fixtures", "round/invalid/*.toml", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let (code, text) = jamfor(dir, &["validate", "--round", name]);
        assert_eq!(code, 2, "{text}");
        insta::assert_snapshot!(text);
    });
}
