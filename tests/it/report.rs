//! `jamfor report` end to end on the embedded round: every file of DESIGN §8, the audit,
//! byte-identical reruns, findings snapshots, the workbook read back, and the report in a real
//! browser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use calamine::{Data, Reader};

use crate::support::{jamfor, root};

/// The report on `data/` in Swedish, made once for all the tests here (a debug run takes a
/// minute).
pub fn sample() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Under target/, replaced on each run, so repeated test runs do not pile up reports.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report");
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("sv");
        let (code, text) = jamfor(&root(), &["report", "data/round.toml", "--out", out.to_str().unwrap(), "--quiet"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains(": protected"), "the audit must pass:\n{text}");
        assert!(!text.contains("warning"), "{text}");
        out
    })
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn sample_report_writes_every_file_and_reruns_byte_identical() {
    let first = files(sample());
    for name in [
        "report.html",
        "report.xlsx",
        "findings.md",
        "manifest.json",
        "charts/overview.svg",
        "charts/overview.png",
        "tables/observations.parquet",
        "tables/indicators.csv",
        "tables/indicators.parquet",
        "tables/gaps.csv",
        "tables/gaps.parquet",
        "tables/comparison.csv",
        "tables/comparison.parquet",
    ] {
        assert!(first.contains_key(name), "{name} missing; wrote {:?}", first.keys().take(20).collect::<Vec<_>>());
    }
    // Every indicator has its charts: dumbbell, gap and trend; a funnel for proportions and rates.
    for (id, funnel) in [("education.eligible_vocational", false), ("social_assistance.long_term", true)] {
        for kind in ["dumbbell", "gap", "trend"] {
            for ext in ["svg", "png"] {
                let name = format!("charts/{id}/{kind}.{ext}");
                assert!(first.contains_key(&name), "{name} missing");
            }
        }
        let _ = funnel;
    }
    let funnels = first.keys().filter(|k| k.ends_with("/funnel.svg")).count();
    assert!(funnels >= 5, "funnel plots for the proportions and rates, found {funnels}");
    for (name, bytes) in &first {
        if name.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name} is a PNG");
        }
    }

    // The manifest names every input with its checksum.
    let manifest: serde_json::Value = serde_json::from_slice(&first["manifest.json"]).unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1 + 13, "the round file and its 13 distinct input files");
    assert!(inputs.iter().all(|i| i["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    assert_eq!(manifest["settings"]["lang"], "sv");

    // Again into another folder: the same bytes, file by file.
    let again = sample().with_file_name("again");
    let (code, text) = jamfor(&root(), &["report", "data/round.toml", "--out", again.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{text}");
    let second = files(&again);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{name} differs between two runs");
    }
}

#[test]
fn sample_findings_in_swedish() {
    let text = std::fs::read_to_string(sample().join("findings.md")).unwrap();
    insta::assert_snapshot!("findings_sv", text);
}

#[test]
fn sample_findings_in_english_and_the_report_follows_the_language() {
    let out = sample().with_file_name("en");
    let (code, text) =
        jamfor(&root(), &["report", "data/round.toml", "--out", out.to_str().unwrap(), "--lang", "en", "--quiet"]);
    assert_eq!(code, 0, "{text}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("Key findings") && html.contains("Girls") && html.contains("Women"));
    assert!(!html.contains("Flickor"), "no Swedish sex labels in the English report");
    let findings = std::fs::read_to_string(out.join("findings.md")).unwrap();
    insta::assert_snapshot!("findings_en", findings);
}

#[test]
fn report_html_is_self_contained_and_marks_suppressed_values() {
    let html = std::fs::read_to_string(sample().join("report.html")).unwrap();
    for external in ["http://", "https://", "<link ", "@import", "src=\"http", "url("] {
        let hits: Vec<&str> = html
            .match_indices(external)
            .map(|(i, _)| &html[i.saturating_sub(60)..(i + 80).min(html.len())])
            .take(3)
            .collect();
        assert!(
            hits.iter().all(|h| h.contains("www.w3.org/2000/svg") || h.contains("www.w3.org/1999/xlink")),
            "report.html refers to something outside itself: {hits:?}"
        );
    }
    assert!(html.contains("<html lang=\"sv\">"));
    assert!(html.contains("Content-Security-Policy"));
    // The suppression marker and its footnote.
    assert!(html.contains(">..<"), "suppressed cells are written `..`");
    assert!(html.contains(".. = uppgiften visas inte av sekretesskäl"));
    // Charts are inline SVG with a text alternative.
    assert!(html.matches("<svg").count() > 100);
    assert!(html.contains("role=\"img\" aria-label=\""));
    // The first page has findings, each linking to its section.
    let first_page = &html[..html.find("</header>").unwrap()];
    let headlines = first_page.matches("<li><a href=\"#ind-").count();
    assert!((5..=10).contains(&headlines), "five to ten findings on the first page, found {headlines}");
    assert!(first_page.contains("Åbyholm") && first_page.contains("Sjöbacka"));
}

/// The workbook's sheets hold the same values as the CSV tables.
#[test]
fn workbook_reads_back_to_the_csv_tables() {
    let dir = sample();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.join("report.xlsx")).unwrap();
    let names = book.sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "Fotnoter"), "{names:?}");
    for (sheet, csv) in
        [("Indikatorer", "indicators.csv"), ("Skillnader", "gaps.csv"), ("Jämförelse", "comparison.csv")]
    {
        let range = book.worksheet_range(sheet).unwrap();
        let mut reader = csv::Reader::from_path(dir.join("tables").join(csv)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let mut rows = range.rows();
        let first: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(first, header, "{sheet}: header");
        let mut count = 0;
        for (i, (record, row)) in reader.records().zip(rows).enumerate() {
            let record = record.unwrap();
            for (j, (field, cell)) in record.iter().zip(row).enumerate() {
                let ok = match cell {
                    Data::Float(x) => field.parse::<f64>().is_ok_and(|f| f == *x),
                    Data::Int(x) => field.parse::<i64>().is_ok_and(|f| f == *x),
                    Data::String(s) => s == field,
                    Data::Empty => field.is_empty(),
                    Data::Bool(b) => field == b.to_string(),
                    other => panic!("{sheet} row {} column {j}: unexpected {other:?}", i + 2),
                };
                assert!(
                    ok,
                    "{sheet} row {} column {} ({}): {cell:?} in the workbook, {field:?} in {csv}",
                    i + 2,
                    j + 1,
                    header[j]
                );
            }
            count += 1;
        }
        assert_eq!(count + 1, range.height(), "{sheet}: every row of {csv}");
    }
}

#[test]
fn a_failed_run_leaves_the_previous_report_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("report.html"), "the previous report").unwrap();
    let round = dir.path().join("round.toml");
    std::fs::write(&round, "participants = [\"X1\"]\n[[input]]\npath = \"missing.csv\"\n").unwrap();
    let (code, text) = jamfor(dir.path(), &["report", "round.toml", "--out", "out", "--quiet"]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), "the previous report");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no temporary folder left beside OUT: {leftovers:?}");
}

/// Chromium, when installed (`.ci/run` installs Debian's `chromium`).
fn chromium() -> Option<PathBuf> {
    let candidates =
        [std::env::var("CHROMIUM").ok(), Some("/usr/bin/chromium".into()), Some("/usr/bin/chromium-browser".into())];
    candidates.into_iter().flatten().map(PathBuf::from).find(|p| p.exists())
}

/// Runs headless Chromium on `url` with `extra` flags; returns stdout and stderr.
fn headless(chromium: &Path, profile: &Path, url: &str, extra: &[String]) -> (String, String) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn report_opens_in_a_real_browser_without_errors_or_requests_and_filters_by_area() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: no chromium (install Debian's `chromium`; .ci/run does)");
        return;
    };
    let html = sample().join("report.html");
    let url = format!("file://{}", html.canonicalize().unwrap().display());
    let work = tempfile::tempdir().unwrap();

    // Open it, log the network, and take a screenshot.
    let net = work.path().join("net.json");
    let shot = work.path().join("report.png");
    let (_, log) = headless(
        &chromium,
        &work.path().join("a"),
        &url,
        &[
            format!("--log-net-log={}", net.display()),
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
        ],
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let netlog = std::fs::read_to_string(&net).unwrap();
    let requests: Vec<&str> = netlog
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|u| !(u.starts_with("file:") || u.starts_with("data:")))
        // Chromium's own calls home (time, accounts), which its flags cannot all silence.
        .filter(|u| !["google.com/", "googleapis.com/", "gstatic.com/"].iter().any(|h| u.contains(h)))
        .collect();
    assert!(requests.is_empty(), "the report made requests: {requests:?}");
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) =
        (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert_eq!((w, h), (1280, 2400), "screenshot size");
    assert!(png.len() > 50_000, "a screenshot of a drawn page, not a blank one ({} bytes)", png.len());

    // The area filter: opened with #area=education, only education rows are shown.
    let (dom, _) =
        headless(&chromium, &work.path().join("b"), &format!("{url}#area=education"), &["--dump-dom".into()]);
    let table = &dom[dom.find("id=\"summary\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let rows: Vec<&str> = table.split("<tr data-area=").skip(1).collect();
    let shown: Vec<&&str> = rows.iter().filter(|r| !r.split('>').next().unwrap().contains("hidden")).collect();
    assert!(rows.len() > 30, "{} rows", rows.len());
    assert!(!shown.is_empty() && shown.len() < rows.len(), "{} of {} rows shown", shown.len(), rows.len());
    assert!(shown.iter().all(|r| r.starts_with("\"education\"")), "only education rows are shown");
    assert!(dom.contains(&format!("<span id=\"summary-count\">{}</span>", shown.len())));
    assert!(!dom.contains("id=\"summary-controls\" hidden"), "the filter is shown when JavaScript runs");
}
