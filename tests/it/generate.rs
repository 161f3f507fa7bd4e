//! The generator: `data/` is exactly what `jamfor generate` writes for the default seed, every
//! generated input validates, the names are invented, and the gender patterns the report is
//! meant to show are in the data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jamfor::generate::{self, DEFAULT_SEED, Scale};
use jamfor::ingest::{self, sql};
use jamfor::model::{ObservationRecord, Sex};

use crate::support::{jamfor, realdata, root};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { out.push(p.strip_prefix(dir).unwrap().to_path_buf()) }
        }
    }
    out.sort();
    out
}

#[test]
fn generated_round_is_committed_and_the_same_every_time() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let written = generate::generate(DEFAULT_SEED, Scale::Round, &a).unwrap();
    generate::generate(DEFAULT_SEED, Scale::Round, &b).unwrap();
    let files = files_under(&a);
    assert_eq!(files.len(), written.len());
    assert_eq!(files, files_under(&root().join("data")), "data/ holds exactly the generated files");
    let mut total = 0;
    for f in &files {
        let bytes = std::fs::read(a.join(f)).unwrap();
        assert!(bytes == std::fs::read(b.join(f)).unwrap(), "{} differs between two runs", f.display());
        assert!(
            bytes == std::fs::read(root().join("data").join(f)).unwrap(),
            "data/{} is not what `jamfor generate --seed {DEFAULT_SEED} --out data` writes; regenerate it",
            f.display()
        );
        total += bytes.len();
    }
    assert!(total < 10_000_000, "data/ must stay below 10 MB, is {total} bytes");
    // Another seed gives another round.
    let c = tmp.path().join("c");
    generate::generate(7, Scale::Round, &c).unwrap();
    let px = "scb/folkmangd_2015_2024.px";
    assert_ne!(std::fs::read(a.join(px)).unwrap(), std::fs::read(c.join(px)).unwrap());
}

#[test]
fn every_generated_input_validates_without_warnings() {
    let (code, text) = jamfor(&root(), &["validate", "--round", "data/round.toml"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ok: 22 files valid"), "{text}");
    assert!(!text.to_lowercase().contains("warning"), "{text}");
}

#[test]
fn organisation_names_are_invented() {
    let w = generate::world::world(&mut generate::Rng(DEFAULT_SEED).fork(1));
    assert_eq!((w.municipalities.len(), w.regions.len()), (290, 20));
    assert!(w.municipalities.iter().chain(&w.regions).all(|o| o.id.starts_with('X')));
    let Some(dir) = realdata("kolada/rkolada") else { return };
    let text = std::fs::read_to_string(dir.join("v3_municipality.json")).unwrap();
    let real: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let real: Vec<String> = real.iter().map(|o| o["title"].as_str().unwrap().to_lowercase()).collect();
    assert!(real.len() > 300, "{}", real.len());
    for o in w.municipalities.iter().chain(&w.regions) {
        let name = o.name.to_lowercase();
        assert!(!real.contains(&name), "{} is a real name", o.name);
        let bare = name.trim_start_matches("region ");
        assert!(!real.iter().any(|r| r.trim_start_matches("region ") == bare), "{} is a real name", o.name);
    }
}

/// Observations of the committed round, derived variables included.
fn observations() -> Vec<ObservationRecord> {
    let round = jamfor::round::load(&root().join("data/round.toml")).unwrap();
    let queries = sql::find(&[root().join("queries")], &["*".to_string()]).unwrap();
    let got = ingest::ingest_with(&round.inputs, &queries);
    for r in &got.reports {
        assert!(r.problems.is_empty(), "{}: {:?}", r.source, r.problems);
    }
    got.observations.records()
}

/// `variable` by (org, period, age, sex) → value, published cells only.
fn table(obs: &[ObservationRecord], variable: &str) -> BTreeMap<(String, String, String, Sex), f64> {
    obs.iter()
        .filter(|o| o.variable == variable)
        .filter_map(|o| Some(((o.org_id.clone(), o.period.clone(), o.age_group.clone(), o.sex), o.value?)))
        .collect()
}

#[test]
fn generated_round_shows_true_to_life_gender_patterns() {
    let obs = observations();
    let get = |t: &BTreeMap<(String, String, String, Sex), f64>, org: &str, period: &str, age: &str, sex| {
        t.get(&(org.to_string(), period.to_string(), age.to_string(), sex)).copied()
    };
    let partners = ["X0101", "X0102", "X0103", "X0201"];

    // Girls ahead in eligibility for upper secondary school in most municipalities, not all.
    let (eligible, pupils) = (table(&obs, "pupils_eligible_vocational"), table(&obs, "pupils_year9"));
    let mut ahead = 0;
    let mut behind = 0;
    for ((org, period, age, sex), x) in &eligible {
        if *sex != Sex::K || period != "2024" {
            continue;
        }
        let girls = x / get(&pupils, org, period, age, Sex::K).unwrap();
        let boys = get(&eligible, org, period, age, Sex::M).unwrap() / get(&pupils, org, period, age, Sex::M).unwrap();
        if girls > boys { ahead += 1 } else { behind += 1 }
    }
    assert_eq!(ahead + behind, 290);
    assert!(ahead > 2 * behind && behind > 0, "girls ahead in {ahead}, behind in {behind}");

    // Women are the majority of home-care recipients aged 80+ in every partner, every year.
    let recipients = table(&obs, "home_care_recipients");
    for org in partners {
        for year in 2015..=2024 {
            let y = year.to_string();
            let (k, m) = (get(&recipients, org, &y, "80-w", Sex::K), get(&recipients, org, &y, "80-w", Sex::M));
            assert!(k.unwrap() > m.unwrap(), "{org} {y}: {k:?} women, {m:?} men");
        }
    }

    // Boys' activities get more grant money than their share of participants.
    let (grants, members) = (table(&obs, "leisure_grant_sek"), table(&obs, "leisure_participants"));
    let share = |t: &BTreeMap<_, f64>, org: &str| {
        let k = get(t, org, "2024", "all", Sex::K).unwrap();
        k / (k + get(t, org, "2024", "all", Sex::M).unwrap())
    };
    for org in partners {
        assert!(share(&grants, org) < share(&members, org) - 0.05, "{org}");
    }

    // Women have more sick days per employee (payroll), and more sickness-benefit days (Kolada).
    let (days, staff) = (table(&obs, "sick_leave_days"), table(&obs, "employees_monthly_paid"));
    for org in partners {
        let per = |s| get(&days, org, "2024", "all", s).unwrap() / get(&staff, org, "2024", "all", s).unwrap();
        assert!(per(Sex::K) > per(Sex::M), "{org}");
    }
    let benefit = table(&obs, "N00938");
    let women_more = benefit
        .iter()
        .filter(|((_, _, _, s), _)| *s == Sex::K)
        .filter(|((o, p, a, _), k)| get(&benefit, o, p, a, Sex::M).is_some_and(|m| **k > m))
        .count();
    assert_eq!(women_more, 310 * 5, "every organisation, every year");

    // Small municipalities have small counts (so disclosure control acts), and one Kolada value
    // is partially suppressed: T and K published, M missing.
    assert!(table(&obs, "fall_injury_admissions").values().filter(|v| **v < 5.0).count() > 1000);
    let u = |s| obs.iter().filter(move |o| o.variable == "U23471" && o.period == "2024" && o.sex == s);
    let partial: Vec<&str> = u(Sex::M)
        .filter(|o| o.value.is_none())
        .filter(|m| u(Sex::K).any(|k| k.org_id == m.org_id && k.value.is_some()))
        .map(|o| o.org_id.as_str())
        .collect();
    assert_eq!(partial.len(), 1, "{partial:?}");
}
