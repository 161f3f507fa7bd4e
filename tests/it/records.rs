//! Record-level extracts and the SQL beside indicators: the fixture extracts (a home-care
//! register and a leisure-grant register, fictional) give hand-checked values through the
//! shipped queries; bad records are located errors; Parquet reads like CSV; and every shipped
//! query gives the same result on DuckDB (skipped when Python's duckdb is absent).

use std::path::{Path, PathBuf};
use std::process::Command;

use jamfor::ingest::sql::{self, Query};
use jamfor::ingest::{self, Ingested, Input};
use jamfor::model::{ObservationRecord, Sex};
use polars::prelude::*;

use crate::support::{fixtures, jamfor, root};

fn queries() -> Vec<Query> {
    sql::find(&[root().join("queries")], &["*".to_string()]).unwrap()
}

fn fixture_round() -> Ingested {
    let round = jamfor::round::load(&fixtures().join("records/round.toml")).unwrap();
    let got = ingest::ingest_with(&round.inputs, &queries());
    for r in &got.reports {
        assert!(r.problems.is_empty(), "{}: {:?}", r.source, r.problems);
    }
    got
}

fn value(r: &[ObservationRecord], org: &str, period: &str, sex: Sex, age: &str, variable: &str) -> Option<f64> {
    let hit: Vec<_> = r
        .iter()
        .filter(|o| {
            o.org_id == org && o.period == period && o.sex == sex && o.age_group == age && o.variable == variable
        })
        .collect();
    assert!(hit.len() <= 1, "{hit:?}");
    hit.first().and_then(|o| o.value)
}

#[test]
fn home_care_extract_gives_hand_checked_hours_and_recipients() {
    let got = fixture_round();
    let r = got.observations.records();
    let v = |org, period, sex, age, var| value(&r, org, period, sex, age, var);
    // X0101, March: women 65-79 are B001 (12,5 h) and B004 (8 h); B008 (59) is in no band.
    assert_eq!(v("X0101", "2024-03", Sex::K, "65-79", "home_care_hours"), Some(20.5));
    assert_eq!(v("X0101", "2024-03", Sex::K, "65-79", "home_care_recipients"), Some(2.0));
    assert_eq!(v("X0101", "2024-03", Sex::K, "80-w", "home_care_hours"), Some(81.0));
    assert_eq!(v("X0101", "2024-03", Sex::M, "80-w", "home_care_hours"), Some(117.5));
    assert_eq!(v("X0101", "2024-03", Sex::M, "65-79", "home_care_recipients"), Some(1.0));
    // "kvinna"/"man" in X0102's rows go through the same sex parser.
    assert_eq!(v("X0102", "2024-03", Sex::K, "80-w", "home_care_hours"), Some(70.0));
    assert_eq!(v("X0102", "2024-03", Sex::M, "80-w", "home_care_recipients"), Some(1.0));
    // Hours and recipients add up, so T = K + M is derived (and marked).
    assert_eq!(v("X0101", "2024-03", Sex::T, "80-w", "home_care_hours"), Some(198.5));
    // April: no man aged 65-79, so no row — and no total from one sex alone.
    assert_eq!(v("X0101", "2024-04", Sex::M, "65-79", "home_care_hours"), None);
    assert_eq!(v("X0101", "2024-04", Sex::T, "65-79", "home_care_hours"), None);
    // Over 50 hours, 80+ only (the indicator's bands): B006 (51 h) of X0101's two women.
    assert_eq!(v("X0101", "2024-03", Sex::K, "80-w", "home_care_recipients_over_50h"), Some(1.0));
    assert_eq!(v("X0102", "2024-03", Sex::M, "80-w", "home_care_recipients_over_50h"), Some(0.0));
    assert!(r.iter().filter(|o| o.variable == "home_care_recipients_over_50h").all(|o| o.age_group == "80-w"));
    let sources: Vec<_> = r.iter().filter(|o| o.variable == "home_care_hours").map(|o| o.source.as_str()).collect();
    assert!(sources.contains(&"queries/elderly_care.home_care_hours.sql"), "{sources:?}");
}

#[test]
fn leisure_extract_gives_hand_checked_participants_and_grants() {
    let got = fixture_round();
    let r = got.observations.records();
    let v = |org, sex, var| value(&r, org, "2024", sex, "all", var).unwrap();
    assert_eq!(
        (v("X0101", Sex::K, "leisure_participants"), v("X0101", Sex::M, "leisure_participants")),
        (123.0, 146.0)
    );
    assert_eq!((v("X0102", Sex::K, "leisure_participants"), v("X0102", Sex::M, "leisure_participants")), (108.0, 93.0));
    // X0101 girls: 52000·40/135 + 18000·22/52 + 31000·58/62 + 4000·3/20 = 52622.792…
    let girls = 52000.0 * 40.0 / 135.0 + 18000.0 * 22.0 / 52.0 + 31000.0 * 58.0 / 62.0 + 4000.0 * 3.0 / 20.0;
    assert!((v("X0101", Sex::K, "leisure_grant_sek") - girls).abs() < 1e-6);
    assert!((girls - 52_622.792_022).abs() < 1e-3);
    // The attributed grants add up to the grants paid.
    assert!((v("X0101", Sex::T, "leisure_grant_sek") - 105_000.0).abs() < 1e-6);
    assert!(
        (v("X0102", Sex::K, "leisure_grant_sek") + v("X0102", Sex::M, "leisure_grant_sek") - 74_000.0).abs() < 1e-6
    );
}

#[test]
fn payroll_and_pupil_extracts_give_hand_checked_sums() {
    let got = fixture_round();
    let r = got.observations.records();
    let v = |org, sex, var| value(&r, org, "2024", sex, "all", var);
    // X0101 women: A1 (full time, 3 days, 2 000 kr), A2 (part time, 40 days), A5 (full time, 2, 500).
    assert_eq!(v("X0101", Sex::K, "employees_monthly_paid"), Some(3.0));
    assert_eq!(v("X0101", Sex::K, "employees_working_full_time"), Some(2.0));
    assert_eq!(v("X0101", Sex::K, "sick_leave_days"), Some(45.0));
    assert_eq!(v("X0101", Sex::K, "sick_leave_days_sq"), Some(9.0 + 1600.0 + 4.0));
    assert_eq!(v("X0101", Sex::K, "training_sek"), Some(2500.0));
    // Men: A3 (0 days, 1 500 kr) and A4 (5 days); days add up, so T is derived.
    assert_eq!(v("X0101", Sex::M, "sick_leave_days_sq"), Some(25.0));
    assert_eq!(v("X0101", Sex::T, "sick_leave_days"), Some(50.0));
    assert_eq!(v("X0102", Sex::M, "employees_working_full_time"), Some(0.0));
    // Pupils: girls 250 + 212,5; boys 195 + 300 + 180,5 (decimal commas).
    assert_eq!(v("X0101", Sex::K, "merit_points_year9"), Some(462.5));
    assert_eq!(v("X0101", Sex::K, "merit_points_year9_sq"), Some(62_500.0 + 45_156.25));
    assert_eq!(v("X0101", Sex::M, "pupils_year9_with_grades"), Some(3.0));
    assert_eq!(v("X0101", Sex::M, "merit_points_year9_sq"), Some(38_025.0 + 90_000.0 + 32_580.25));
    assert_eq!(v("X0101", Sex::T, "merit_points_year9"), Some(1138.0));
}

#[test]
fn bad_records_are_located_errors() {
    insta::glob!("../fixtures", "records/invalid/*.csv", |path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let round = format!("{}.round.toml", path.file_stem().unwrap().to_str().unwrap());
        let (code, text) = jamfor(path.parent().unwrap(), &["validate", "--round", &round]);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(text.contains(&format!("error: {name}:")), "{name}: {text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn a_parquet_extract_reads_like_the_csv() {
    let round = jamfor::round::load(&fixtures().join("records/round.toml")).unwrap();
    let csv = ingest::ingest(&round.inputs[..1]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hemtjanst.parquet");
    let mut frame = csv.tables[0].frame.clone();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
    let input = Input { path: path.clone(), source: "hemtjanst.parquet".into(), ..round.inputs[0].clone() };
    let parquet = ingest::ingest(std::slice::from_ref(&input));
    assert!(parquet.reports[0].problems.is_empty(), "{:?}", parquet.reports[0].problems);
    assert_eq!(parquet.tables[0].frame, csv.tables[0].frame);
    // Keys are held as dictionary codes (`ingest::dictionary`), other text as text.
    let dtype = |name: &str| parquet.tables[0].frame.column(name).unwrap().dtype().clone();
    assert!(["org_id", "period", "sex"].iter().all(|k| dtype(k) == jamfor::ingest::dictionary::codes()));
    assert_eq!(dtype("brukar_id"), DataType::String);
    // Spelled-out sexes are rewritten to K/M; an unknown one is an error at its row.
    let spelled = |k: &str, m: &str| {
        let sex = csv.tables[0].frame.column("sex").unwrap().cast(&DataType::String).unwrap();
        let sex = sex.str().unwrap();
        let sex: StringChunked = sex.iter().map(|s| s.map(|s| if s == "K" { k } else { m })).collect();
        let mut frame = csv.tables[0].frame.clone();
        frame.with_column(sex.into_column().with_name("Kön".into())).unwrap();
        let frame = frame.drop("sex").unwrap();
        let mut frame = frame;
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
        ingest::ingest(std::slice::from_ref(&input))
    };
    let got = spelled("kvinna", "man");
    assert!(got.reports[0].problems.is_empty(), "{:?}", got.reports[0].problems);
    let sexes = |t: &jamfor::ingest::records::RecordTable| -> Vec<Option<String>> {
        let sex = t.frame.column("sex").unwrap().cast(&DataType::String).unwrap();
        sex.str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
    };
    assert_eq!(sexes(&got.tables[0]), sexes(&csv.tables[0]));
    let got = spelled("kvinna", "x");
    let first = got.reports[0].problems.list[0].to_string();
    assert_eq!(first, "hemtjanst.parquet:3:6: sex code \"x\" is not one of K, M, T (or kvinnor, män, totalt…)");
    // A key column whose type cannot be text (a list per record) is an error, not a column
    // quietly left out of the table.
    let mut frame = csv.tables[0].frame.clone();
    let lists: Vec<Series> = (0..frame.height()).map(|_| Series::new("".into(), [1i64, 2])).collect();
    frame.with_column(Column::new("sex".into(), lists)).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
    let got = ingest::ingest(std::slice::from_ref(&input));
    assert_eq!(got.problem_count(), 1, "{:?}", got.reports[0].problems);
    let problem = got.reports[0].problems.list[0].to_string();
    assert_eq!(problem, "hemtjanst.parquet: found column \"sex\" of type list[i64], expected text");
}

#[test]
fn sql_errors_name_the_query_file() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["hemtjanst.csv", "round.toml"] {
        std::fs::copy(fixtures().join("records").join(f), dir.path().join(f)).unwrap();
    }
    let round = std::fs::read_to_string(dir.path().join("round.toml")).unwrap();
    let round = round.split("\n[[input]]\npath = \"fritid.csv\"").next().unwrap().replace("leisure.*", "broken");
    std::fs::write(dir.path().join("round.toml"), round).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("queries/broken.sql"), "SELECT org_id, period, sex FROM home_kare").unwrap();
    let (code, text) = jamfor(dir.path(), &["validate", "--round", "round.toml"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("error: queries/broken.sql: the SQL failed:"), "{text}");
    assert!(text.contains("home_kare"), "the engine's message says what is wrong: {text}");
}

/// DuckDB on the same tables (written as Parquet, `age_group` included) and the same SQL file.
fn duckdb(dir: &Path, tables: &[(String, PathBuf)], sql: &Path) -> Option<Vec<String>> {
    let views: String = tables
        .iter()
        .map(|(n, p)| format!("con.sql(\"CREATE VIEW {n} AS SELECT * FROM '{}'\")\n", p.display()))
        .collect();
    let script = format!(
        "import duckdb, sys\ncon = duckdb.connect()\n{views}rows = con.sql(open('{}').read()).fetchall()\n\
         cols = [d[0] for d in con.sql(open('{}').read()).description]\n\
         for r in rows:\n    d = dict(zip(cols, r))\n    print(d['org_id'], d['period'], d['sex'], d.get('age_group', 'all'), d['variable'], repr(float(d['value'])))\n",
        sql.display(),
        sql.display()
    );
    let out = Command::new("python3").arg("-c").arg(script).current_dir(dir).output().ok()?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("No module named 'duckdb'") {
            return None;
        }
        panic!("duckdb failed on {}: {err}", sql.display());
    }
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    lines.sort();
    Some(lines)
}

#[test]
fn every_shipped_query_gives_the_same_result_on_duckdb() {
    let round = jamfor::round::load(&fixtures().join("records/round.toml")).unwrap();
    let tables = ingest::ingest(&round.inputs).tables;
    let dir = tempfile::tempdir().unwrap();
    let queries = queries();
    assert_eq!(queries.len(), 8);
    for q in &queries {
        let mut files = Vec::new();
        for (name, lf) in sql::registered(q, &tables) {
            let path = dir.path().join(format!("{name}.parquet"));
            let mut frame = lf.collect().unwrap();
            ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
            files.push((name, path));
        }
        let Some(theirs) = duckdb(dir.path(), &files, &q.path) else {
            eprintln!("skipped: python3 with duckdb is absent");
            return;
        };
        let mut ours: Vec<String> = sql::run(q, &tables)
            .unwrap()
            .iter()
            .map(|d| {
                format!("{} {} {} {} {} {:?}", d.org, d.period, d.sex.code(), d.age_group, d.variable, d.value.unwrap())
            })
            .collect();
        ours.sort();
        assert_eq!(ours.len(), theirs.len(), "{}", q.source);
        for (a, b) in ours.iter().zip(&theirs) {
            let (ka, va) = a.rsplit_once(' ').unwrap();
            let (kb, vb) = b.rsplit_once(' ').unwrap();
            let (va, vb): (f64, f64) = (va.parse().unwrap(), vb.parse().unwrap());
            assert_eq!(ka, kb, "{}", q.source);
            assert!((va - vb).abs() <= 1e-9 * va.abs().max(1.0), "{}: {a} vs {b}", q.source);
        }
    }
}
