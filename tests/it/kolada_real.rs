//! The real Kolada export shape (open-numbers' v2 pulls: `geo,year,gender,<kpi>`) ingests with
//! hints only, and every line of every file becomes one observation. Skips when
//! `../shared/realdata/` is absent (it is never committed).

use std::path::PathBuf;

use jamfor::ingest::{self, ColumnHints, Input, InputHints};
use jamfor::model::Sex;

fn check_folder(folder: &str, by_gender: bool) {
    let Some(dir) = crate::support::realdata("kolada/open-numbers") else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder)).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 20, "{} files in {folder}", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let header = text.lines().next().unwrap();
        let kpi = header.rsplit(',').next().unwrap().to_string();
        let data_lines = text.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        let empty_values = text.lines().skip(1).filter(|l| l.ends_with(',')).count();
        let hints = InputHints {
            columns: ColumnHints {
                org: Some("geo".into()),
                period: Some("year".into()),
                sex: by_gender.then(|| "gender".into()),
                value: Some(kpi.clone()),
                ..ColumnHints::default()
            },
            variable: Some(kpi.to_uppercase()),
            sex: (!by_gender).then_some(Sex::T),
            ..InputHints::default()
        };
        let input = Input { path: path.clone(), source: path.display().to_string(), hints };
        let got = ingest::ingest(&[input]);
        let r = &got.reports[0];
        let problems: Vec<String> = r.problems.list.iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        assert_eq!(got.observations.len(), data_lines, "{}: one observation per line", path.display());
        assert_eq!(r.empty_values, empty_values, "{}: empty values are counted as missing", path.display());
        let records = got.observations.records();
        assert!(records.iter().all(|o| o.org_id.len() == 4), "{}: codes keep their zeros", path.display());
        if by_gender {
            assert!(records.iter().all(|o| o.sex != Sex::T), "{}: no total is invented", path.display());
        }
    }
}

#[test]
fn kolada_open_numbers_by_gender_ingest_with_hints() {
    check_folder("values_by_gender", true);
}

#[test]
fn kolada_open_numbers_totals_ingest_with_hints() {
    check_folder("values_total", false);
}
