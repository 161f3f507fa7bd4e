//! The PC-Axis reader on real files from six statistics offices (`../shared/realdata/px/`,
//! never committed; skipped when absent) and on the hand-written fixtures in
//! `tests/fixtures/px/`.

use std::path::Path;

use jamfor::ingest::pcaxis;

use crate::support::{fixtures, jamfor};

/// Every real file parses, holds exactly the product of its dimensions in cells, and its
/// `px info` is snapshotted; the one broken file fails with a located error, not a panic.
#[test]
fn every_real_px_file_reads() {
    let Some(dir) = crate::support::realdata("px") else { return };
    let mut count = 0;
    insta::glob!("../../../shared/realdata/px", "*.px", |path| {
        count += 1;
        let name = path.file_name().unwrap().to_str().unwrap();
        let (code, text) = jamfor(path.parent().unwrap(), &["px", "info", name]);
        if name == "ssb__pxbuild_testdata.px" {
            assert_eq!(code, 2, "{text}");
            assert!(text.contains("error: ssb__pxbuild_testdata.px:"), "{text}");
        } else {
            assert_eq!(code, 0, "{name}: {text}");
            let table = pcaxis::read_path(path).unwrap();
            let product: u64 = table.meta.variables.iter().map(|v| v.len() as u64).product();
            assert_eq!(table.data.values.len() as u64, product, "{name}");
        }
        insta::assert_snapshot!(text);
    });
    assert_eq!(count, 24, "all real files in {}", dir.display());
}

fn expect_symbols(path: &Path, want: &[(&str, usize)]) {
    let t = pcaxis::read_path(path).unwrap();
    for (sym, n) in want {
        let got = t.data.symbols.iter().filter(|(_, s)| s.text() == *sym).count();
        assert_eq!(got, *n, "{} symbol {sym}", path.display());
    }
}

#[test]
fn real_files_known_counts() {
    let Some(dir) = crate::support::realdata("px") else { return };
    // Counts from shared/realdata/px/SOURCES.md (a separate probe).
    expect_symbols(&dir.join("scb__BE0101F1nildotsymbols.px"), &[("-", 8)]);
    expect_symbols(&dir.join("scb__TAB001.px"), &[("..", 2259)]);
    expect_symbols(&dir.join("ine__14001.px"), &[("..", 2260)]);
    expect_symbols(&dir.join("ukrstat__020101.px"), &[("-", 97), ("..", 4)]);
    let keys = pcaxis::read_path(&dir.join("scb__BE101ACEkeys.px")).unwrap();
    assert_eq!((keys.data.keyed_rows, keys.data.values.len()), (Some(78), 8064));
    // Negative numbers are numbers, not the `-` symbol.
    let n1 = pcaxis::read_path(&dir.join("scb__BE0101N1.px")).unwrap();
    assert!(n1.data.values.iter().any(|v| *v < 0.0));
    assert!(n1.data.symbols.is_empty());
}

#[test]
fn px_fixtures() {
    let dir = fixtures().join("px");
    if !dir.is_dir() {
        return;
    }
    insta::glob!("../fixtures", "px/{valid,invalid}/*.px", |path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (code, text) = jamfor(path.parent().unwrap(), &["px", "info", name]);
        let invalid = path.parent().unwrap().ends_with("invalid");
        assert_eq!(code, if invalid { 2 } else { 0 }, "{name}: {text}");
        insta::assert_snapshot!(text);
    });
}

/// PX into observations: roles found from names and codes, SCB sex codes, content variable as
/// the variable, symbols as statuses, totals derived for counts only.
#[test]
fn px_ingests_into_observations() {
    let path = fixtures().join("px/valid/scb_like_population.px");
    let got = crate::support::ingest_file(&path);
    assert_eq!(got.problem_count(), 0, "{:?}", got.reports[0].problems);
    insta::assert_snapshot!(crate::support::records_text(&got.observations.records()));
}

/// A dimension that is none of the roles must be fixed with `select`; the error says how.
#[test]
fn px_dimension_must_be_selected() {
    let Some(dir) = crate::support::realdata("px") else { return };
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("scb__BE0101N1.px"), tmp.path().join("be.px")).unwrap();
    let (code, text) = jamfor(tmp.path(), &["validate", "be.px"]);
    assert_eq!(code, 2);
    assert!(text.contains("select = { \"civilstånd\" = \"ogifta\" }"), "{text}");
    std::fs::write(
        tmp.path().join("round.toml"),
        "participants = [\"0114\"]\n[[input]]\npath = \"be.px\"\nselect = { \"civilstånd\" = \"gifta\" }\n",
    )
    .unwrap();
    let (code, text) = jamfor(tmp.path(), &["ingest", "--round", "round.toml", "--out", "o.parquet"]);
    assert_eq!(code, 0, "{text}");
    // 64 cells, half of them "gifta": 32 observations, plus derived totals (counts add up).
    assert!(text.contains("32 rows → 48 observations (16 totals derived as K + M)"), "{text}");
}
