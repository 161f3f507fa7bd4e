//! `jamfor indicators` end to end on a small fixture round whose numbers are the worked
//! examples of STATISTICS.md, the shipped catalogue, and the promises of disclosure control
//! checked against brute force on random rounds.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{fixtures, jamfor, root};

/// A written CSV as rows of fields, keyed by the header.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

fn find<'a>(rows: &'a [BTreeMap<String, String>], want: &[(&str, &str)]) -> &'a BTreeMap<String, String> {
    let hits: Vec<_> = rows.iter().filter(|r| want.iter().all(|(k, v)| r[*k] == *v)).collect();
    assert_eq!(hits.len(), 1, "{want:?} matches {} rows", hits.len());
    hits[0]
}

fn close(found: &str, expected: f64) {
    let v: f64 = found.parse().unwrap_or_else(|_| panic!("{found:?} is not a number"));
    assert!((v - expected).abs() < 5e-5, "found {v}, expected {expected}");
}

/// A percentage against a worked example's fraction, to 4 decimals of the fraction.
fn pct(found: &str, expected: f64) {
    let v: f64 = found.parse().unwrap_or_else(|_| panic!("{found:?} is not a number"));
    assert!((v / 100.0 - expected).abs() < 5e-5, "found {v} %, expected {expected}");
}

fn run_fixture(out: &Path) -> String {
    let round = fixtures().join("indicators").join("round.toml");
    let (code, text) = jamfor(&root(), &["indicators", round.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    text.replace(out.to_str().unwrap(), "[OUT]")
}

#[test]
fn fixture_round_writes_tables_with_the_worked_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tables");
    let text = run_fixture(&out);
    insta::assert_snapshot!("fixture_summary", text);
    let csv = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    insta::assert_snapshot!("fixture_indicators_csv", csv("indicators.csv"));
    insta::assert_snapshot!("fixture_gaps_csv", csv("gaps.csv"));

    let v = read_csv(&out.join("indicators.csv"));
    let g = read_csv(&out.join("gaps.csv"));
    let row = |id: &str, org: &str, age: &str, sex: &str| {
        find(&v, &[("indicator_id", id), ("org_id", org), ("age_group", age), ("sex", sex)])
    };
    // E1: Wilson 45/60 (0.6277, 0.8422), in percent.
    let r = row("fx.pass", "X0101", "all", "K");
    pct(&r["value"], 0.75);
    pct(&r["ci_low"], 0.6277);
    pct(&r["ci_high"], 0.8422);
    // 0/7 and 7/7: Wilson (0, 0.3543) and (0.6457, 1), exactly 0 and 100 at the edges.
    let r = row("fx.pass", "X0103", "all", "K");
    assert_eq!((r["ci_low"].as_str(), r["value"].as_str()), ("0", "0"));
    pct(&r["ci_high"], 0.3543);
    let r = row("fx.pass", "X0103", "all", "M");
    assert_eq!(r["ci_high"], "100");
    pct(&r["ci_low"], 0.6457);
    // E4: exact below 10 events, Byar from 10, per 1000.
    let r = row("fx.events", "X0101", "all", "K");
    close(&r["ci_low"], 0.2878);
    close(&r["ci_high"], 1.3136);
    let r = row("fx.events", "X0101", "all", "M");
    close(&r["ci_low"], 5.0782);
    close(&r["ci_high"], 7.0407);
    // E6: Dobson DSR, women (19.8768, 27.5906), men (18.7712, 29.0370).
    let r = row("fx.falls_std", "X0101", "all", "K");
    close(&r["value"], 23.5);
    close(&r["ci_low"], 19.8768);
    close(&r["ci_high"], 27.5906);
    let r = row("fx.falls_std", "X0101", "all", "M");
    close(&r["ci_low"], 18.7712);
    close(&r["ci_high"], 29.0370);
    // E5: Student t on 30, 40, 50, 60 from the record-level extract.
    let r = row("fx.hours", "X0101", "80-w", "K");
    close(&r["value"], 45.0);
    close(&r["ci_low"], 24.4574);
    close(&r["ci_high"], 65.5426);

    let gap = |id: &str, org: &str, age: &str| find(&g, &[("indicator_id", id), ("org_id", org), ("age_group", age)]);
    // E2: Newcombe 45/60 vs 30/55 (0.0302, 0.3641) in percentage points; significant, favours girls.
    let r = gap("fx.pass", "X0101", "all");
    pct(&r["diff"], 0.2045);
    pct(&r["diff_ci_low"], 0.0302);
    pct(&r["diff_ci_high"], 0.3641);
    assert_eq!((r["significant"].as_str(), r["favours"].as_str(), r["women_share"].as_str()), ("true", "women", "60"));
    // Newcombe 1998's own example, 56/70 vs 48/80: (0.0524, 0.3339).
    let r = gap("fx.pass", "X1001", "all");
    pct(&r["diff_ci_low"], 0.0524);
    pct(&r["diff_ci_high"], 0.3339);
    // MOVER on Byar limits, 60/12000 vs 40/11000: (−0.4067, 3.1361); not significant.
    let r = gap("fx.events", "X0102", "all");
    close(&r["diff_ci_low"], -0.4067);
    close(&r["diff_ci_high"], 3.1361);
    close(&r["ratio"], 1.375);
    assert_eq!(r["significant"], "false");
    // E5 Welch: (−4.8777, 34.8777); neutral polarity favours no one.
    let r = gap("fx.hours", "X0101", "80-w");
    close(&r["diff_ci_low"], -4.8777);
    close(&r["diff_ci_high"], 34.8777);
    assert_eq!(r["favours"], "none");
    // Share: girls get 38 % of the grants but are 47 % of the members: −9 points, no interval
    // for an amount in SEK, so no verdict on significance.
    let r = gap("fx.grants", "X0101", "all");
    close(&r["diff"], -9.0);
    close(&r["women_share"], 38.0);
    assert_eq!((r["diff_ci_low"].as_str(), r["significant"].as_str(), r["favours"].as_str()), ("", "", "men"));

    // Koopman 45/60 vs 30/55: (1.0480, 1.8586) in the interval companion file.
    let e = read_csv(&out.join("gap_intervals.csv"));
    let r = find(&e, &[("indicator_id", "fx.pass"), ("org_id", "X0101")]);
    close(&r["ratio_ci_low"], 1.0480);
    close(&r["ratio_ci_high"], 1.8586);
    assert_eq!(r["ratio_method"], "Koopman");
    // Women's share of passers 45/75, Wilson (0.4869, 0.7034).
    pct(&r["women_share_ci_low"], 0.4869);
    pct(&r["women_share_ci_high"], 0.7034);

    // Small counts: girls 2 of 9 at min_count 3 are suppressed, boys with them, T kept.
    for sex in ["K", "M"] {
        let r = row("fx.pass", "X0102", "all", sex);
        assert_eq!(r["status"], "suppressed");
        for col in ["numerator", "denominator", "value", "ci_low", "ci_high"] {
            assert_eq!(r[col], "..", "{col}");
        }
    }
    assert_eq!(row("fx.pass", "X0102", "all", "T")["numerator"], "22");
    assert_eq!(gap("fx.pass", "X0102", "all")["diff"], "..");
    // Why a row has no interval is said, not left blank.
    let notes = std::fs::read_to_string(out.join("methods.csv")).unwrap();
    assert!(notes.contains("none: a published value without its counts has no interval"), "{notes}");

    // The comparison: a suppressed value is written `..`, not ranked, and says so; the
    // columns are DESIGN §8's with the age band in the key.
    insta::assert_snapshot!("fixture_comparison_csv", csv("comparison.csv"));
    let c = read_csv(&out.join("comparison.csv"));
    let d = read_csv(&out.join("comparison_details.csv"));
    let key = [("indicator_id", "fx.pass"), ("org_id", "X0102"), ("sex", "K"), ("age_group", "all")];
    let r = find(&c, &key);
    assert_eq!((r["value"].as_str(), r["rank"].as_str(), r["percentile"].as_str()), ("..", "", ""));
    assert_eq!(find(&d, &key)["note"], "suppressed: not ranked");
    assert_eq!(csv("comparison.csv").lines().next().unwrap(), jamfor::compare::COLUMNS.join(","));
}

#[test]
fn indicator_tables_are_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_fixture(&a);
    run_fixture(&b);
    let mut names: Vec<_> = std::fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for n in names {
        assert_eq!(std::fs::read(a.join(&n)).unwrap(), std::fs::read(b.join(&n)).unwrap(), "{n:?}");
    }
}

/// The indicator tables of the sample round's report (`report::sample` ran it; its audit passed).
#[test]
fn sample_round_tables_have_the_design_columns() {
    let out = crate::report::sample().join("tables");
    use polars::prelude::SerReader;
    let file = std::fs::File::open(out.join("indicators.parquet")).unwrap();
    let df = polars::prelude::ParquetReader::new(file).finish().unwrap();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(names, jamfor::indicators::tables::VALUE_COLUMNS);
    let csv = read_csv(&out.join("indicators.csv"));
    assert_eq!(csv.len(), df.height());
    assert!(csv.iter().any(|r| r["status"] == "suppressed"), "the sample round has small counts to protect");
}

#[test]
fn indicators_without_data_are_named_in_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("t");
    let round = "tests/fixtures/records/round.toml";
    let (code, text) = jamfor(&root(), &["indicators", round, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let warning = text.lines().find(|l| l.starts_with("warning:")).unwrap_or_else(|| panic!("{text}"));
    // The fixture extracts feed home care, leisure grants, payroll and pupils, not fall injuries.
    assert!(warning.contains("elderly_care.fall_injuries"), "{warning}");
    assert!(!warning.contains("elderly_care.home_care_hours"), "{warning}");
    assert!(!warning.contains("employer.sick_leave_days"), "{warning}");
}

#[test]
fn conflicting_inputs_are_reported_with_both_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures().join("indicators");
    for f in ["counts.csv", "amounts.csv", "home_care.csv"] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::create_dir(tmp.path().join("queries")).unwrap();
    for e in std::fs::read_dir(dir.join("queries")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, tmp.path().join("queries").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(dir.join("counts.csv"), tmp.path().join("counts_again.csv")).unwrap();
    let round = std::fs::read_to_string(dir.join("round.toml")).unwrap()
        + "\n[[input]]\npath = \"counts_again.csv\"\ncolumns = { org = \"org\", org_name = \"name\", period = \"year\", sex = \"sex\", age = \"age\", variable = \"variable\", value = \"value\" }\nunit = \"count\"\n";
    std::fs::write(tmp.path().join("round.toml"), round).unwrap();
    let (code, text) = jamfor(tmp.path(), &["indicators", "round.toml", "--out", "out"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(
            "error: counts.csv:32: falls for X0101 2024 all K is given 2 times (counts.csv:32, counts_again.csv:32)"
        ),
        "{text}"
    );
    assert!(!tmp.path().join("out").exists(), "nothing is written when the run fails");
}

#[test]
fn shipped_catalogue_covers_the_areas_with_both_languages() {
    let cat = jamfor::indicators::Catalogue::load(&[root().join("queries")]).unwrap();
    assert!(cat.indicators.len() >= 20, "{}", cat.indicators.len());
    let areas: std::collections::BTreeSet<&str> = cat.indicators.iter().map(|i| i.area.as_str()).collect();
    for area in [
        "education",
        "elderly_care",
        "social_assistance",
        "leisure",
        "culture",
        "labour_market",
        "health",
        "safety",
        "democracy",
        "employer",
    ] {
        assert!(areas.contains(area), "no indicator in {area}");
    }
    for i in &cat.indicators {
        assert!(!i.title.sv.is_empty() && !i.title.en.is_empty(), "{}", i.id);
        let why = i.why.as_ref().unwrap_or_else(|| panic!("{} says why it matters", i.id));
        assert!(!why.sv.is_empty() && !why.en.is_empty(), "{}", i.id);
    }
    let (code, text) = jamfor(&root(), &["catalogue", "--lang", "en"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("education.eligible_vocational"), "{text}");
    assert!(text.contains(&format!("{} indicators", cat.indicators.len())), "{text}");
}

#[test]
fn catalogue_problems_are_all_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let q = tmp.path().join("queries");
    std::fs::create_dir(&q).unwrap();
    std::fs::write(q.join("a.toml"), "id = \"a\"\ntitle = { sv = \"A\" }\narea = \"x\"\npopulation = \"adults\"\nkind = \"proportion\"\nnumerator = \"n\"\npolarity = \"neutral\"\n").unwrap();
    std::fs::write(q.join("b.sql"), "SELECT 1").unwrap();
    let (code, text) = jamfor(tmp.path(), &["catalogue"]);
    assert_eq!(code, 2, "{text}");
    insta::assert_snapshot!(text.replace(q.to_str().unwrap(), "[Q]"));
}

/// A row's organisation name is the first of its slots' observations that has one (the
/// numerator's, else the denominator's), read from a table in several chunks; an organisation
/// whose rows have no name at all keeps none.
#[test]
fn organisation_names_come_from_the_first_named_slot() {
    use jamfor::indicators::{Catalogue, Options};
    use jamfor::model::{Observations, observations};
    use polars::prelude::*;

    // (org, name, variable, sex, value)
    let chunk = |rows: &[(&str, Option<&str>, &str, &str, f64)], first_row: u32| {
        let n = rows.len() as u32;
        df!(
            "source" => vec!["names.csv"; rows.len()],
            "row" => (first_row..first_row + n).collect::<Vec<_>>(),
            "org_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "org_name" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "period" => vec!["2024"; rows.len()],
            "variable" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "sex" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "age_group" => vec!["all"; rows.len()],
            "value" => rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>(),
            "status" => vec![None::<&str>; rows.len()],
            "unit" => vec!["count"; rows.len()],
        )
        .unwrap()
    };
    // X0001: nameless numerators, named denominators (in the second chunk). X0002: the
    // numerator's name wins over the denominator's. X0003: no name anywhere.
    let mut frame = chunk(
        &[
            ("X0001", None, "x", "K", 3.0),
            ("X0001", None, "x", "M", 4.0),
            ("X0002", Some("Tvånamn"), "x", "K", 5.0),
            ("X0002", Some("Tvånamn"), "x", "M", 6.0),
            ("X0003", None, "x", "K", 7.0),
            ("X0003", None, "x", "M", 8.0),
        ],
        1,
    );
    frame
        .vstack_mut(&chunk(
            &[
                ("X0001", Some("Ettnamn"), "n", "K", 30.0),
                ("X0001", Some("Ettnamn"), "n", "M", 40.0),
                ("X0002", Some("Annat namn"), "n", "K", 50.0),
                ("X0002", Some("Annat namn"), "n", "M", 60.0),
                ("X0003", None, "n", "K", 70.0),
                ("X0003", None, "n", "M", 80.0),
            ],
            7,
        ))
        .unwrap();
    assert_eq!(frame.first_col_n_chunks(), 2, "the names are read across chunks");
    let frame = frame
        .lazy()
        .with_columns([col("sex").cast(observations::sex_dtype()), col("status").cast(observations::status_dtype())])
        .collect()
        .unwrap();
    let obs = Observations::new(frame).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("p.toml"),
        "id = \"p\"\ntitle = { sv = \"P\", en = \"P\" }\narea = \"a\"\npopulation = \"adults\"\nkind = \"proportion\"\n\
         numerator = \"x\"\ndenominator = \"n\"\npolarity = \"higher_is_better\"\n",
    )
    .unwrap();
    let catalogue = Catalogue::load(&[tmp.path().to_path_buf()]).unwrap();
    let round =
        jamfor::round::parse("name = \"r\"\nparticipants = [\"X0001\", \"X0002\"]\n", &tmp.path().join("round.toml"))
            .unwrap();
    let computed = jamfor::indicators::compute(&obs, &round, &catalogue, Options::default()).unwrap();
    let names = |frame: &DataFrame| -> Vec<(String, Option<String>)> {
        let (org, name) =
            (frame.column("org_id").unwrap().str().unwrap(), frame.column("org_name").unwrap().str().unwrap());
        org.iter().zip(name.iter()).map(|(o, n)| (o.unwrap().to_string(), n.map(str::to_string))).collect()
    };
    let expected = |o: &str| match o {
        "X0001" => Some("Ettnamn".to_string()),
        "X0002" => Some("Tvånamn".to_string()),
        _ => None,
    };
    for (frame, rows) in [(computed.values.frame(), 6), (computed.gaps.frame(), 3)] {
        let found = names(frame);
        assert_eq!(found.len(), rows);
        for (org, name) in found {
            assert_eq!(name, expected(&org), "{org}");
        }
    }
}
