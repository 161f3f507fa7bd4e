//! Kolada input: hand-written fixtures in the API's shapes (fictional organisations `X…`, real
//! KPI ids), their observations and errors, and the real files in `../shared/realdata/kolada/`
//! (skipped when absent).

use std::path::{Path, PathBuf};

use jamfor::ingest::{self, Format, Input, InputHints};
use jamfor::model::{ObservationRecord, Sex, Status};

use crate::support::{fixtures, jamfor, records_text};

fn kolada(paths: &[PathBuf]) -> ingest::Ingested {
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input {
            path: p.clone(),
            source: p.file_name().unwrap().to_string_lossy().into_owned(),
            hints: InputHints { format: Some(Format::Kolada), ..InputHints::default() },
        })
        .collect();
    ingest::ingest(&inputs)
}

fn valid(name: &str) -> PathBuf {
    fixtures().join("kolada/valid").join(name)
}

fn find<'r>(records: &'r [ObservationRecord], org: &str, sex: Sex) -> Option<&'r ObservationRecord> {
    records.iter().find(|r| r.org_id == org && r.sex == sex)
}

#[test]
fn invalid_fixtures_name_the_json_path_and_exit_2() {
    insta::glob!("../fixtures", "kolada/invalid/*.json", |path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (code, text) = jamfor(path.parent().unwrap(), &["validate", name]);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(text.contains(&format!("error: {name}")), "{name}: {text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn valid_fixtures_give_the_snapshotted_observations() {
    insta::glob!("../fixtures", "kolada/valid/*", |path| {
        let got = kolada(&[path.to_path_buf()]);
        assert_eq!(got.problem_count(), 0, "{:?}", got.reports[0].problems);
        let mut text = records_text(&got.observations.records());
        for d in &got.reports[0].details {
            text.push_str(&format!("# {d}\n"));
        }
        insta::assert_snapshot!(text);
    });
}

#[test]
fn partial_suppression_stays_partial_and_nothing_is_derived() {
    let got = kolada(&[valid("v3_split.json")]);
    let r = got.observations.records();
    assert_eq!(r.len(), 8, "9 values, one deleted");
    let x2 = |sex| find(&r, "X0102", sex).map(|o| (o.value, o.status));
    assert_eq!(x2(Sex::T), Some((Some(218.0), None)));
    assert_eq!(x2(Sex::K), Some((Some(229.4), None)));
    assert_eq!(x2(Sex::M), Some((None, Some(Status::Missing))), "M stays missing: never T − K");
    let x3: Vec<_> = r.iter().filter(|o| o.org_id == "X0103").map(|o| (o.sex, o.value)).collect();
    assert_eq!(x3, [(Sex::T, Some(201.2)), (Sex::K, None)], "the deleted M is dropped, T not copied");
    let details = got.reports[0].details.join("\n");
    assert!(details.contains("1 marked deleted and dropped"), "{details}");
    assert!(details.contains("\"Preliminärt\" × 1"), "status strings are kept and reported: {details}");
    assert_eq!(got.reports[0].attribution().map(|a| a.raw), Some("Källa: Kolada"));
}

#[test]
fn pages_in_a_folder_read_as_one_input() {
    let dir = valid("v2_pages");
    let got = ingest::ingest(&[Input::from_path(&dir)]);
    assert_eq!(got.problem_count(), 0, "{:?}", got.reports[0].problems);
    let r = got.observations.records();
    assert_eq!(r.len(), 9, "3 + 3 on page 1, 3 on page 2 after the deleted row");
    assert!(r.iter().all(|o| o.variable == "N21826" && o.period.len() == 4));
    assert!(r.iter().any(|o| o.source.ends_with("v2_pages/page_2.json")), "rows name their page");
}

#[test]
fn municipality_lists_name_organisations_and_groups_are_kept() {
    let got = kolada(&[valid("paired.json"), valid("municipalities.json"), valid("groups.json")]);
    let r = got.observations.records();
    assert_eq!(find(&r, "X0101", Sex::T).unwrap().org_name.as_deref(), Some("Åsjö"));
    assert_eq!(r.len(), 4, "paired KPIs: one T row per KPI");
    assert!(r.iter().all(|o| o.sex == Sex::T));
    let group = got.kolada.group("GX0002").unwrap();
    assert_eq!(group.members.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["X0101", "X0103"]);
    assert_eq!(got.kolada.group("GX0001").unwrap().members.len(), 2);
}

#[test]
fn overlapping_pages_are_an_error_not_a_double_count() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.json", "b.json"] {
        std::fs::copy(valid("paired.json"), dir.path().join(name)).unwrap();
    }
    let got = ingest::ingest(&[Input::from_path(dir.path())]);
    assert_eq!(got.problem_count(), 4);
    let first = got.reports[0].problems.list[0].to_string();
    assert!(first.contains("a second time (first at"), "{first}");
    assert_eq!(got.observations.records().len(), 0, "a file with problems contributes no rows");
}

/// Published (not deleted) gender values in a real file, counted straight from its JSON.
fn published(path: &Path) -> usize {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let deleted = |x: &serde_json::Value| x.get("isdeleted").and_then(|d| d.as_bool()).unwrap_or(false);
    let rows = v.as_array().or_else(|| v["values"].as_array()).unwrap();
    rows.iter()
        .flat_map(|row| match row["values"].as_array() {
            Some(nested) => nested.iter().collect(),
            None => vec![row],
        })
        .filter(|x| !deleted(x))
        .count()
}

#[test]
fn real_kolada_files_ingest_with_every_value() {
    let Some(dir) = crate::support::realdata("kolada") else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("rkolada"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("v3_values_"))
        .collect();
    files.sort();
    files.push(dir.join("reconstructed/v3_shape_data_N15507_N21826_sample.json"));
    assert_eq!(files.len(), 4);
    for path in &files {
        let got = kolada(std::slice::from_ref(path));
        assert_eq!(got.problem_count(), 0, "{}: {:?}", path.display(), got.reports[0].problems);
        assert_eq!(got.observations.records().len(), published(path), "{}", path.display());
    }
    // Partial suppression in the real data: N15507, 0761, 2016 has T and K, and M null.
    let got = kolada(&[dir.join("reconstructed/v3_shape_data_N15507_N21826_sample.json")]);
    let r = got.observations.records();
    let cell =
        |sex| r.iter().find(|o| o.org_id == "0761" && o.period == "2016" && o.variable == "N15507" && o.sex == sex);
    if let (Some(t), Some(m)) = (cell(Sex::T), cell(Sex::M)) {
        assert!(t.value.is_some() && m.value.is_none() && m.status == Some(Status::Missing));
    }
}

#[test]
fn real_kolada_metadata_loads() {
    let Some(dir) = crate::support::realdata("kolada") else { return };
    let got = kolada(&[
        dir.join("rkolada/v3_municipality.json"),
        dir.join("rkolada/v3_municipality_groups.json"),
        dir.join("rkolada/v3_kpi_catalog.json"),
    ]);
    assert_eq!(got.problem_count(), 0);
    assert_eq!(got.kolada.names.len(), 312, "290 municipalities, 21 regions and Riket");
    assert_eq!(got.kolada.names.get("0000").map(String::as_str), Some("Riket"));
    assert_eq!(got.kolada.groups.len(), 3630);
    assert_eq!(got.kolada.kpis.len(), 6099);
    assert_eq!(got.kolada.kpis.iter().filter(|k| k.divided_by_gender).count(), 2313);
}

#[test]
fn catalogue_search_and_import_write_editable_indicators() {
    let catalog = valid("kpis.json");
    let catalog = catalog.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = jamfor(dir.path(), &["catalogue", "kolada", "hemtjänsttimmar", "--catalog", catalog]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("N21826  K M T  K  Beviljade antal hemtjänsttimmar"), "{text}");
    assert!(text.contains("1 of 4 KPIs match"), "{text}");
    let (code, text) = jamfor(dir.path(), &["catalogue", "import-kolada", "N15507", "n00950", "--catalog", catalog]);
    assert_eq!(code, 0, "{text}");
    let written = std::fs::read_to_string(dir.path().join("queries/kolada.N15507.toml")).unwrap();
    let t: toml::Table = written.parse().unwrap();
    assert_eq!(t["source"]["kolada"].as_str(), Some("N15507"));
    assert_eq!(t["population"].as_str(), Some("children"));
    let paired = std::fs::read_to_string(dir.path().join("queries/kolada.N00950.toml")).unwrap();
    assert!(paired.contains("value = { K = \"…\", M = \"…\" }"), "a total-only KPI says how to pair it: {paired}");
    // A second import refuses to overwrite; an unknown id is an error; nothing is half-written.
    let (code, text) = jamfor(dir.path(), &["catalogue", "import-kolada", "N15507", "--catalog", catalog]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("exists, expected a new file (--force replaces it)"), "{text}");
    let (code, text) = jamfor(dir.path(), &["catalogue", "import-kolada", "N99999", "--catalog", catalog]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("error: N99999: not in the catalogue"), "{text}");
}

#[test]
fn kolada_groups_in_round_toml_become_partners_and_reference() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["v3_split.json", "groups.json", "municipalities.json"] {
        std::fs::copy(valid(f), dir.path().join(f)).unwrap();
    }
    let round = |participants: &str| {
        format!(
            "participants = {participants}\nmentors = [\"X0101\"]\nreference = {{ group = \"GX0002\" }}\n\
             [[input]]\npath = \"v3_split.json\"\n[[input]]\npath = \"groups.json\"\n[[input]]\npath = \"municipalities.json\"\n"
        )
    };
    std::fs::write(dir.path().join("round.toml"), round("{ group = \"GX0001\" }")).unwrap();
    let (code, text) = jamfor(dir.path(), &["ingest", "--round", "round.toml", "--out", "obs.parquet"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 municipality groups"), "{text}");
    std::fs::write(dir.path().join("round.toml"), round("{ group = \"GX0404\" }")).unwrap();
    let (code, text) = jamfor(dir.path(), &["validate", "--round", "round.toml"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("round.toml:1:16: group \"GX0404\" is not among the 2 Kolada municipality groups read"),
        "{text}"
    );
}
