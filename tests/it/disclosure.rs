//! The promises of disclosure control, on random small rounds: every hidden count keeps an
//! attacker interval at least `min_count` wide against a brute-force attacker who knows every
//! published number and every relation (T = K + M, 0 ≤ x ≤ n); no hidden number is written
//! anywhere as text; and no women's or men's value is ever derived from the total.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jamfor::indicators::{self, Catalogue, Options, tables};
use jamfor::model::{Observations, observations};
use polars::prelude::*;
use proptest::prelude::*;

/// (org, sex, variable, value) rows for one period, all ages.
fn observations(rows: &[(String, &str, &str, f64)]) -> Observations {
    let aged: Vec<(&str, &str, &str, &str, f64)> = rows.iter().map(|r| (r.0.as_str(), r.1, r.2, "all", r.3)).collect();
    aged_observations(&aged)
}

/// (org, sex, variable, age group, value) rows for one period.
fn aged_observations(rows: &[(&str, &str, &str, &str, f64)]) -> Observations {
    let n = rows.len();
    let frame = df!(
        "source" => vec!["random.csv"; n],
        "row" => (1..=n as u32).collect::<Vec<_>>(),
        "org_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "org_name" => rows.iter().map(|r| Some(format!("Org {}", r.0))).collect::<Vec<_>>(),
        "period" => vec!["2024"; n],
        "variable" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "sex" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "age_group" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>(),
        "status" => vec![None::<&str>; n],
        "unit" => vec!["count"; n],
    )
    .unwrap()
    .lazy()
    .with_columns([col("sex").cast(observations::sex_dtype()), col("status").cast(observations::status_dtype())])
    .collect()
    .unwrap();
    Observations::new(frame).unwrap()
}

fn catalogue(dir: &Path) -> Catalogue {
    std::fs::write(
        dir.join("p.toml"),
        "id = \"p\"\ntitle = { sv = \"P\", en = \"P\" }\narea = \"a\"\npopulation = \"adults\"\nkind = \"proportion\"\n\
         numerator = \"x\"\ndenominator = \"n\"\npolarity = \"higher_is_better\"\n",
    )
    .unwrap();
    // The denominator is published on its own too, as another indicator: a cell hidden in one
    // table must be hidden in all.
    std::fs::write(
        dir.join("n.toml"),
        "id = \"n\"\ntitle = { sv = \"N\", en = \"N\" }\narea = \"a\"\npopulation = \"adults\"\nkind = \"value\"\n\
         value = \"n\"\npolarity = \"neutral\"\n",
    )
    .unwrap();
    Catalogue::load(&[dir.to_path_buf()]).unwrap()
}

fn round(dir: &Path, min_count: u32) -> jamfor::round::Round {
    let text =
        format!("name = \"r\"\nparticipants = [\"X0001\", \"X0002\"]\ndisclosure = {{ min_count = {min_count} }}\n");
    jamfor::round::parse(&text, &dir.join("round.toml")).unwrap()
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

/// One organisation's truth: (x, n) for K and M.
type Org = ((u32, u32), (u32, u32));

fn org_strategy() -> impl Strategy<Value = Org> {
    let sex = (0u32..=12).prop_flat_map(|n| (0..=n, Just(n)));
    (sex.clone(), sex)
}

/// The attacker's interval for each unknown among x_K, x_M, x_T, n_K, n_M, n_T (indices 0–5),
/// by enumerating every integer assignment up to `bound` consistent with what is published.
fn brute_force(known: [Option<u32>; 6], bound: u32) -> [(u32, u32); 6] {
    let mut lo = [u32::MAX; 6];
    let mut hi = [0u32; 6];
    let range = |c: usize| match known[c] {
        Some(v) => v..=v,
        None => 0..=bound,
    };
    for nk in range(3) {
        for nm in range(4) {
            let nt = nk + nm;
            if known[5].is_some_and(|v| v != nt) || nt > bound {
                continue;
            }
            for xk in range(0).filter(|&x| x <= nk) {
                for xm in range(1).filter(|&x| x <= nm) {
                    let xt = xk + xm;
                    if known[2].is_some_and(|v| v != xt) {
                        continue;
                    }
                    for (i, v) in [xk, xm, xt, nk, nm, nt].into_iter().enumerate() {
                        lo[i] = lo[i].min(v);
                        hi[i] = hi[i].max(v);
                    }
                }
            }
        }
    }
    std::array::from_fn(|i| (lo[i], hi[i]))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn no_hidden_count_can_be_narrowed_below_min_count(
        orgs in prop::collection::vec(org_strategy(), 2..=4),
        min_count in 2u32..=6,
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let cat = catalogue(tmp.path());
        let mut rows = Vec::new();
        for (i, ((xk, nk), (xm, nm))) in orgs.iter().enumerate() {
            let org = format!("X{:04}", i + 1);
            for (sex, x, n) in [("K", xk, nk), ("M", xm, nm), ("T", &(xk + xm), &(nk + nm))] {
                rows.push((org.clone(), sex, "x", f64::from(*x)));
                rows.push((org.clone(), sex, "n", f64::from(*n)));
            }
        }
        let obs = observations(&rows);
        let r = round(tmp.path(), min_count);
        let options = Options { level: 0.95, min_count };
        let computed = indicators::compute(&obs, &r, &cat, options).unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        tables::write(&out, &computed.values, &computed.gaps, &cat.indicators).unwrap();
        // The same round with nothing to protect gives every true number, as written.
        let open = indicators::compute(&obs, &r, &cat, Options { min_count: 1, ..options }).unwrap();
        let open_dir = tmp.path().join("open");
        std::fs::create_dir(&open_dir).unwrap();
        tables::write(&open_dir, &open.values, &open.gaps, &cat.indicators).unwrap();

        let values = read_csv(&out.join("indicators.csv"));
        for (i, ((xk, nk), (xm, nm))) in orgs.iter().enumerate() {
            let org = format!("X{:04}", i + 1);
            let truth = [*xk, *xm, xk + xm, *nk, *nm, nk + nm];
            let mut known = [None; 6];
            for row in values.iter().filter(|r| r["org_id"] == org) {
                let s = ["K", "M", "T"].iter().position(|s| *s == row["sex"]).unwrap();
                let field = |c: &str| row[c].parse::<f64>().ok().map(|v| v as u32);
                if row["indicator_id"] == "p" {
                    if let Some(v) = field("numerator") { known[s] = Some(v); }
                    if let Some(v) = field("denominator") { known[3 + s] = Some(v); }
                } else if let Some(v) = field("value") {
                    known[3 + s] = Some(v);
                }
            }
            for (c, k) in known.iter().enumerate() {
                if let Some(v) = k { prop_assert_eq!(*v, truth[c], "published numbers are true"); }
            }
            let bound = 2 * (nk + nm) + 2 * min_count + 2;
            let intervals = brute_force(known, bound);
            for c in 0..6 {
                if known[c].is_none() {
                    let (lo, hi) = intervals[c];
                    prop_assert!(lo <= truth[c] && truth[c] <= hi);
                    prop_assert!(hi - lo >= min_count, "cell {} of {} narrowed to [{}, {}] at min_count {}: {:?}", c, org, lo, hi, min_count, orgs);
                }
            }
        }

        // No hidden number is written as text: every field of every file, CSV or Parquet,
        // is either `..`, empty, a word, or the true number of a row that is published.
        let mut published: BTreeSet<String> = BTreeSet::new();
        let mut hidden: BTreeSet<String> = BTreeSet::new();
        for file in ["indicators.csv", "gaps.csv", "gap_intervals.csv"] {
            let shown = read_csv(&out.join(file));
            let truth = read_csv(&open_dir.join(file));
            prop_assert_eq!(shown.len(), truth.len());
            for (s, t) in shown.iter().zip(&truth) {
                let cols: Vec<&String> = t.keys().collect();
                let target = if s["status"] == "suppressed" { &mut hidden } else { &mut published };
                for c in cols.iter().filter(|c| !["indicator_id", "org_id", "org_name", "role", "period", "age_group", "sex", "status", "favours", "significant", "ratio_method"].contains(&c.as_str())) {
                    if !t[*c].is_empty() { target.insert(t[*c].clone()); }
                }
            }
        }
        // Counts are small integers that appear everywhere legitimately (the brute force above
        // covers them); derived numbers (values, bounds, shares) are distinctive.
        let leaks: Vec<&String> = hidden.difference(&published).filter(|s| s.contains('.')).collect();
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            let text = match path.extension().and_then(|e| e.to_str()) {
                Some("csv") if !path.ends_with("methods.csv") => std::fs::read_to_string(&path).unwrap(),
                Some("parquet") => {
                    let df = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
                    format!("{df:?}")
                }
                _ => continue,
            };
            let fields: BTreeSet<&str> = text.split(|c: char| c == ',' || c == '\n' || c == '│' || c == '"' || c.is_whitespace()).collect();
            for l in &leaks {
                prop_assert!(!fields.contains(l.as_str()), "hidden number {} appears in {}", l, path.display());
            }
        }
    }

    /// Women's and men's values come from women's and men's inputs only: drop either, and its
    /// rows are missing (or absent), whatever T says.
    #[test]
    fn no_womens_or_mens_value_is_derived_from_the_total(
        orgs in prop::collection::vec((org_strategy(), 0u8..4), 1..=4),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let cat = catalogue(tmp.path());
        let mut rows = Vec::new();
        let mut dropped = Vec::new();
        for (i, (((xk, nk), (xm, nm)), drop)) in orgs.iter().enumerate() {
            let org = format!("X{:04}", i + 1);
            for (sex, x, n) in [("K", xk, nk), ("M", xm, nm), ("T", &(xk + xm), &(nk + nm))] {
                // drop: 0 keeps all, 1 drops K's numerator, 2 drops M entirely, 3 drops K's denominator.
                let skip_x = (*drop == 1 && sex == "K") || (*drop == 2 && sex == "M");
                let skip_n = (*drop == 2 && sex == "M") || (*drop == 3 && sex == "K");
                if !skip_x { rows.push((org.clone(), sex, "x", f64::from(*x))); }
                if !skip_n { rows.push((org.clone(), sex, "n", f64::from(*n))); }
            }
            dropped.push((org, *drop));
        }
        let obs = observations(&rows);
        let computed = indicators::compute(&obs, &round(tmp.path(), 1), &cat, Options { level: 0.95, min_count: 1 }).unwrap();
        let f = computed.values.frame();
        let s = |c: &str| f.column(c).unwrap().str().unwrap().clone();
        let (ind, org, sex, status) = (s("indicator_id"), s("org_id"), s("sex"), s("status"));
        let value = f.column("value").unwrap().f64().unwrap().clone();
        for (o, drop) in &dropped {
            let lost: &[(&str, &str)] = match drop {
                1 => &[("p", "K")],
                2 => &[("p", "M"), ("n", "M")],
                3 => &[("p", "K"), ("n", "K")],
                _ => &[],
            };
            for (want_ind, want_sex) in lost {
                for i in 0..f.height() {
                    if ind.get(i) == Some(*want_ind) && org.get(i) == Some(o.as_str()) && sex.get(i) == Some(*want_sex) {
                        prop_assert_eq!(value.get(i), None, "{} {} {} has a value without its inputs", want_ind, o, want_sex);
                        prop_assert_eq!(status.get(i), Some("missing"));
                    }
                }
            }
        }
    }
}

/// Age bands that cover every age add up to the all-ages total, and an attacker knows it: with
/// girls 2 + 20 = 22 published as the total and one band, the small band would be 22 − 20.
/// Disclosure control must hide a second band (or the total) too.
/// (org, sex, variable, age group, value): 2 girls aged 0-64 among 22 (below `min_count` = 5),
/// with the all-ages total and the other band published.
const AGE_BANDS: &[(&str, &str, &str, &str, f64)] = &[
    ("X0001", "K", "x", "0-64", 2.0),
    ("X0001", "K", "x", "65-w", 20.0),
    ("X0001", "K", "x", "all", 22.0),
    ("X0001", "M", "x", "0-64", 10.0),
    ("X0001", "M", "x", "65-w", 15.0),
    ("X0001", "M", "x", "all", 25.0),
    ("X0001", "T", "x", "0-64", 12.0),
    ("X0001", "T", "x", "65-w", 35.0),
    ("X0001", "T", "x", "all", 47.0),
    ("X0001", "K", "n", "0-64", 30.0),
    ("X0001", "K", "n", "65-w", 40.0),
    ("X0001", "K", "n", "all", 70.0),
    ("X0001", "M", "n", "0-64", 30.0),
    ("X0001", "M", "n", "65-w", 40.0),
    ("X0001", "M", "n", "all", 70.0),
    ("X0001", "T", "n", "0-64", 60.0),
    ("X0001", "T", "n", "65-w", 80.0),
    ("X0001", "T", "n", "all", 140.0),
];

#[test]
fn a_small_age_band_is_not_the_total_minus_the_other_bands() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = catalogue(tmp.path());
    let r = round(tmp.path(), 5);
    // (org, sex, variable, age, value)
    let obs = aged_observations(AGE_BANDS);
    let options = Options { level: 0.95, min_count: 5 };
    let c = indicators::compute(&obs, &r, &cat, options).unwrap();
    // The links the stage audited, built again on their own, give the same protection.
    let links = indicators::disclosure_links(&obs, &r, &cat, options).unwrap();
    let again = jamfor::disclosure::protect(&links).unwrap();
    assert_eq!((again.flags, again.complementary), (c.protection.flags.clone(), c.protection.complementary));
    let v = c.values.frame();
    let text = |name: &str| v.column(name).unwrap().str().unwrap().clone();
    let (id, age, sex) = (text("indicator_id"), text("age_group"), text("sex"));
    let numerator = v.column("numerator").unwrap().f64().unwrap().clone();
    let girls = |band: &str| {
        (0..v.height())
            .find(|&i| id.get(i) == Some("p") && age.get(i) == Some(band) && sex.get(i) == Some("K"))
            .map(|i| numerator.get(i))
            .unwrap_or_else(|| panic!("no row for girls {band}"))
    };
    assert_eq!(girls("0-64"), None, "2 girls is below min_count");
    assert!(
        girls("all").is_none() || girls("65-w").is_none(),
        "the total ({:?}) and the other band ({:?}) give the hidden band away",
        girls("all"),
        girls("65-w")
    );
    assert!(c.protection.complementary > 0);
    for e in &c.protection.exposures {
        assert!(e.width() >= 5.0, "{e:?}");
    }
}

/// A table read in pieces (a Parquet file's row groups; here also one column chunked apart from
/// the others) gives the same tables and protection as the same rows in one chunk: the stage
/// reads observations by row number across chunks.
#[test]
fn a_table_in_chunks_gives_what_one_chunk_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let (cat, r) = (catalogue(tmp.path()), round(tmp.path(), 5));
    let mut rows = AGE_BANDS.to_vec();
    rows.extend(AGE_BANDS.iter().map(|&(_, sex, var, age, v)| ("X0002", sex, var, age, v + 3.0)));
    let obs = aged_observations(&rows);
    let whole = obs.frame();
    let mut pieces = whole.slice(0, 1);
    for (start, len) in [(1, 5), (6, 13), (19, whole.height() - 19)] {
        pieces.vstack_mut(&whole.slice(start, len)).unwrap();
    }
    let unit = pieces.column("unit").unwrap().as_materialized_series().rechunk().into_column();
    pieces.with_column(unit).unwrap();
    assert_eq!(pieces.first_col_n_chunks(), 4);
    let chunked = Observations::new(pieces).unwrap();
    let options = Options { level: 0.95, min_count: 5 };
    let (a, b) = (
        indicators::compute(&obs, &r, &cat, options).unwrap(),
        indicators::compute(&chunked, &r, &cat, options).unwrap(),
    );
    assert!(a.protection.complementary > 0, "the rows exercise complementary suppression");
    assert!(a.values.frame().equals_missing(b.values.frame()), "{}\n{}", a.values.frame(), b.values.frame());
    assert!(a.gaps.frame().equals_missing(b.gaps.frame()));
    assert_eq!(a.protection.flags, b.protection.flags);
}
