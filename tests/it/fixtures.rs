//! Every fixture file: invalid ones give exactly the snapshotted error through the CLI (and exit
//! 2); valid ones give the snapshotted observations, identically in every line ending and encoding.

use std::path::Path;

use encoding_rs::WINDOWS_1252;

use crate::support::{fixtures, ingest_file, jamfor, records_text, round_beside};

fn is_data(path: &Path) -> bool {
    !path.to_string_lossy().ends_with(".round.toml")
}

#[test]
fn invalid_fixtures_report_their_error_and_exit_2() {
    insta::glob!("../fixtures", "{csv,xlsx}/invalid/*", |path| {
        if !is_data(path) {
            return;
        }
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut args = vec!["validate", name];
        let round = round_beside(path);
        let round_name = round.as_ref().map(|r| r.file_name().unwrap().to_str().unwrap().to_string());
        if let Some(r) = &round_name {
            args.extend(["--round", r.as_str()]);
        }
        let (code, text) = jamfor(dir, &args);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(text.contains(&format!("error: {name}")), "{name}: the error names the file: {text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn at_least_25_invalid_fixtures() {
    let count = ["csv", "xlsx"]
        .iter()
        .flat_map(|f| std::fs::read_dir(fixtures().join(f).join("invalid")).unwrap())
        .filter(|e| is_data(&e.as_ref().unwrap().path()))
        .count();
    assert!(count >= 25, "{count} invalid fixtures");
}

/// The same text in the six forms controllers' files come in.
fn variants(utf8: &str) -> Vec<(&'static str, Vec<u8>)> {
    let lf = utf8.replace("\r\n", "\n");
    let crlf = lf.replace('\n', "\r\n");
    let mut out = Vec::new();
    for (eol, text) in [("lf", &lf), ("crlf", &crlf)] {
        out.push((if eol == "lf" { "utf8-lf" } else { "utf8-crlf" }, text.as_bytes().to_vec()));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        out.push((if eol == "lf" { "bom-lf" } else { "bom-crlf" }, bom));
        let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
        if !unmappable {
            out.push((if eol == "lf" { "cp1252-lf" } else { "cp1252-crlf" }, bytes.into_owned()));
        }
    }
    out
}

#[test]
fn valid_csv_fixtures_read_the_same_in_every_encoding_and_line_ending() {
    insta::glob!("../fixtures", "csv/valid/*.csv", |path| {
        let bytes = std::fs::read(path).unwrap();
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.to_string(),
            Err(_) => WINDOWS_1252.decode(&bytes).0.into_owned(),
        };
        let base = ingest_file(path);
        let problems: Vec<String> =
            base.reports.iter().flat_map(|r| r.problems.list.iter().map(|p| p.to_string())).collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        let expected = records_text(&base.observations.records());
        let tmp = tempfile::tempdir().unwrap();
        let name = path.file_name().unwrap();
        if let Some(round) = round_beside(path) {
            std::fs::copy(&round, tmp.path().join(round.file_name().unwrap())).unwrap();
        }
        let forms = variants(&text);
        assert!(forms.len() >= 4, "{}: at least the UTF-8 forms", path.display());
        for (form, bytes) in forms {
            let copy = tmp.path().join(name);
            std::fs::write(&copy, &bytes).unwrap();
            let got = ingest_file(&copy);
            let problems: Vec<String> =
                got.reports.iter().flat_map(|r| r.problems.list.iter().map(|p| p.to_string())).collect();
            assert!(problems.is_empty(), "{} as {form}: {problems:#?}", path.display());
            assert_eq!(records_text(&got.observations.records()), expected, "{} as {form}", path.display());
        }
        insta::assert_snapshot!(expected);
    });
}

#[test]
fn valid_spreadsheet_fixtures() {
    insta::glob!("../fixtures", "xlsx/valid/*.{xlsx,xls,ods}", |path| {
        let got = ingest_file(path);
        let problems: Vec<String> =
            got.reports.iter().flat_map(|r| r.problems.list.iter().map(|p| p.to_string())).collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        insta::assert_snapshot!(records_text(&got.observations.records()));
    });
}

#[test]
fn legacy_formats_read_like_xlsx() {
    let dir = fixtures().join("xlsx").join("valid");
    let values = |name: &str| {
        let got = ingest_file(&dir.join(name));
        got.observations.records().into_iter().map(|r| (r.org_id, r.period, r.sex, r.value)).collect::<Vec<_>>()
    };
    let xlsx = values("wide_kvinnor_man_totalt.xlsx");
    assert!(!xlsx.is_empty());
    assert_eq!(values("legacy.xls"), xlsx);
    assert_eq!(values("open_document.ods"), xlsx);
}
