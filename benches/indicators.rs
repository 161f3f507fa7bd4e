//! The indicator stage on a generated Kolada-scale set (Parquet): read the observations, check
//! them, compute every indicator's per-sex values with Wilson intervals, the gender gaps with
//! their intervals, and disclosure control with its audit. `benches/duckdb_indicators.py`
//! times DuckDB on the same file computing the shared part (per-sex proportions, Wilson bounds,
//! K − M differences with Newcombe's interval).
//!
//! The set is `jamfor generate --scale kolada` (`src/generate/kolada.rs`: 9 360 000
//! observations, about 11 % of cells primary suppressions), written to `target/bench-data/` on
//! first use; delete the file there after changing the generator.
//!
//! `indicators/compute` is the whole stage (read → `Observations` → `compute`, audit
//! included); `indicators/audit` is `disclosure::protect` alone on the same links.
//!
//!     cargo bench --bench indicators                        # both, criterion
//!     INDICATORS_PROFILE=1 cargo bench --bench indicators   # one run in timed sub-steps
//!     INDICATORS_PROFILE=3 cargo bench --bench indicators   # three, in one process
//!     JAMFOR_TIMINGS=1 INDICATORS_PROFILE=1 cargo bench …    # and the stage's own steps
//!     INDICATORS_DIAG=1 cargo bench --bench indicators      # the audit's first round, in steps

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jamfor::disclosure::{self, Links};
use jamfor::indicators::{self, Binding, Catalogue, Computed, Indicator, Kind, Options, Polarity, Population, frame};
use jamfor::model::Observations;
use jamfor::model::observations::{sex_dtype, status_dtype};
use jamfor::round::{self, Round};
use polars::prelude::*;

use jamfor::generate::kolada::{FILE, OBSERVATIONS, ORGS, PAIRS, YEARS};

/// The allocator the `jamfor` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;

/// One value row per indicator × organisation × year × sex (K, M, T).
const VALUES: usize = PAIRS * ORGS * YEARS * 3;
/// One gap per indicator × organisation × year.
const GAPS: usize = PAIRS * ORGS * YEARS;

fn file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(FILE);
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        jamfor::generate::kolada::write(jamfor::generate::DEFAULT_SEED, &path).unwrap();
        eprintln!("indicators: generated {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    }
    path
}

/// Reads the Parquet file into checked observations (the enum columns round-trip through
/// Parquet; the casts are no-ops then).
fn read(path: &Path) -> Observations {
    let mut frame = ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
    for (name, dtype) in [("sex", sex_dtype()), ("status", status_dtype())] {
        if frame.column(name).unwrap().dtype() != &dtype {
            let cast = frame.column(name).unwrap().cast(&dtype).unwrap();
            frame.with_column(cast).unwrap();
        }
    }
    Observations::new(frame).unwrap()
}

fn round() -> Round {
    let text = r#"
name = "Benchmark"
participants = ["X0001", "X0002", "X0003"]
reference = "all"
disclosure = { min_count = 5 }
"#;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/round.toml");
    round::parse(text, &path).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn catalogue() -> Catalogue {
    let indicators = (1..=PAIRS)
        .map(|i| Indicator {
            id: format!("p{i:03}"),
            title: Default::default(),
            why: None,
            area: "bench".into(),
            population: Population::Adults,
            kind: Kind::Proportion,
            numerator: Some(Binding::Split(format!("p{i:03}_num"))),
            denominator: Some(Binding::Split(format!("p{i:03}_den"))),
            base: None,
            sum_of_squares: None,
            value: None,
            per: 100.0,
            unit: None,
            polarity: Polarity::HigherIsBetter,
            age_bands: Vec::new(),
            standard: None,
            min_count: None,
            source: Default::default(),
            path: PathBuf::new(),
            sql: None,
        })
        .collect();
    Catalogue { indicators }
}

const OPTIONS: Options = Options { level: 0.95, min_count: 5 };

fn check(c: &Computed) {
    assert_eq!(c.values.len(), VALUES);
    assert_eq!(c.gaps.len(), GAPS);
    let (primary, secondary, _) = c.protection.counts();
    assert!(primary > 0 && secondary > 0, "expected suppressed cells, found {primary} primary");
}

/// The counts the issue asks for, printed once.
fn counts(c: &Computed, observations: usize) {
    let (primary, secondary, complementary) = c.protection.counts();
    let suppressed =
        |f: &DataFrame| f.column("status").unwrap().str().unwrap().iter().filter(|s| *s == Some("suppressed")).count();
    eprintln!(
        "indicators: {observations} observations, {} values ({} suppressed), {} gaps ({} suppressed), \
         {} link cells, {} hidden cells ({primary} primary, {secondary} secondary, {complementary} complementary)",
        c.values.len(),
        suppressed(c.values.frame()),
        c.gaps.len(),
        suppressed(c.gaps.frame()),
        c.protection.flags.len(),
        primary + secondary + complementary,
    );
}

/// `INDICATORS_PROFILE=N`: N runs in sub-steps instead of the benchmark (where the time
/// goes), then the sample rows. Every step is printed as soon as it ends.
fn profile(path: &Path, round: &Round, cat: &Catalogue) {
    let secs = |t: Instant| t.elapsed().as_secs_f64();
    let start = Instant::now();
    let t = Instant::now();
    let df = ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
    eprintln!("profile: read Parquet {:.2} s", secs(t));
    let t = Instant::now();
    let obs = Observations::new(df).unwrap();
    eprintln!("profile: Observations::new {:.2} s", secs(t));
    let t = Instant::now();
    let wide = frame::wide(&obs, &cat.indicators, round.periods.as_ref()).unwrap().unwrap();
    eprintln!("profile: the wide rows alone (frame::wide): {:.2} s, {} wide rows", secs(t), wide.len());
    drop(wide);
    let t = Instant::now();
    let computed = indicators::compute(&obs, round, cat, OPTIONS).unwrap();
    let compute_s = secs(t);
    eprintln!("profile: indicators::compute (plan again, values and gaps, links, protect, tables) {compute_s:.2} s");
    check(&computed);
    counts(&computed, obs.len());
    let t = Instant::now();
    let links = indicators::disclosure_links(&obs, round, cat, OPTIONS).unwrap();
    eprintln!("profile: the wide rows and the disclosure links alone (one thread for the links): {:.2} s", secs(t));
    let t = Instant::now();
    let again = disclosure::protect(&links).unwrap();
    let audit_s = secs(t);
    assert_eq!(again.flags, computed.protection.flags);
    eprintln!(
        "profile: disclosure::protect alone {audit_s:.2} s ({:.0} % of compute); {} exposures, {} complementary",
        100.0 * audit_s / compute_s,
        again.exposures.len(),
        again.complementary
    );
    samples(&computed);
    eprintln!("profile: total {:.2} s", secs(start));
}

/// Prints the rows `duckdb_indicators.py` prints, to compare by eye.
fn samples(c: &Computed) {
    let keys = [("p001", "X0001", "2024"), ("p125", "X0150", "2015"), ("p250", "X0312", "2005")];
    let pick = |f: &DataFrame, (ind, org, period): (&str, &str, &str)| {
        f.clone()
            .lazy()
            .filter(col("indicator_id").eq(lit(ind)).and(col("org_id").eq(lit(org))).and(col("period").eq(lit(period))))
            .collect()
            .unwrap()
    };
    let num = |f: &DataFrame, name: &str, i: usize| match f.column(name).unwrap().f64().unwrap().get(i) {
        Some(v) => format!("{v:.4}"),
        None => "null".into(),
    };
    let text =
        |f: &DataFrame, name: &str, i: usize| f.column(name).unwrap().str().unwrap().get(i).unwrap_or("").to_string();
    for key in keys {
        let v = pick(c.values.frame(), key);
        for i in 0..v.height() {
            eprintln!(
                "value {} {} {} {}: {} / {} = {} [{}, {}] {}",
                text(&v, "indicator_id", i),
                text(&v, "org_id", i),
                text(&v, "period", i),
                text(&v, "sex", i),
                num(&v, "numerator", i),
                num(&v, "denominator", i),
                num(&v, "value", i),
                num(&v, "ci_low", i),
                num(&v, "ci_high", i),
                text(&v, "status", i),
            );
        }
        let g = pick(c.gaps.frame(), key);
        for i in 0..g.height() {
            eprintln!(
                "gap   {} {} {}: K − M = {} [{}, {}] {}",
                text(&g, "indicator_id", i),
                text(&g, "org_id", i),
                text(&g, "period", i),
                num(&g, "diff", i),
                num(&g, "diff_ci_low", i),
                num(&g, "diff_ci_high", i),
                text(&g, "status", i),
            );
        }
    }
}

/// `INDICATORS_DIAG=1`: disclosure control's first round on links built like
/// `indicators::compute` builds them for this set (same cells, same order), without
/// `indicators::compute`: step times, and how many hidden cells the first audit finds exposed.
fn diagnose(path: &Path) {
    use jamfor::disclosure::{Triple, Within};
    let secs = |t: Instant| t.elapsed().as_secs_f64();
    let obs = read(path);
    let value = obs.frame().column("value").unwrap().f64().unwrap().rechunk();
    let value = value.cont_slice().unwrap();
    let t = Instant::now();
    let mut links = Links::default();
    // The wide rows are sorted by indicator, org, period, sex; per group the numerator's K, M,
    // T cells, then the denominator's.
    let at =
        |i: usize, pick: usize, o: usize, y: usize, s: usize| ((i * 2 + pick) * ORGS * YEARS + o * YEARS + y) * 3 + s;
    for i in 0..PAIRS {
        for o in 0..ORGS {
            for y in 0..YEARS {
                let mut ids = [[0usize; 3]; 2];
                for (pick, slot) in ids.iter_mut().enumerate() {
                    for (s, id) in slot.iter_mut().enumerate() {
                        *id = links.cell(Some(value[at(i, pick, o, y, s)]), 5, 5);
                    }
                    links.triples.push(Triple::new(Some(slot[0]), Some(slot[1]), Some(slot[2]), true));
                }
                for (&x, &n) in ids[0].iter().zip(&ids[1]) {
                    links.within.push(Within::new(x, n, 5));
                }
            }
        }
    }
    links.triples.sort_by_key(|t| (t.k(), t.m(), t.t()));
    links.within.sort_unstable();
    let build_s = secs(t);
    // Each step three times: the later runs find memory the allocator already holds, as
    // criterion's iterations do.
    let mut laps = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let mut flags = links.primary();
        let primary_s = secs(t);
        let t = Instant::now();
        links.propagate(&mut flags);
        let propagate_s = secs(t);
        let t = Instant::now();
        let problem = links.attacker(&flags).unwrap();
        let attacker_s = secs(t);
        let t = Instant::now();
        let exposures: Vec<_> = problem.attack_where(|_| true).unwrap().into_iter().flatten().collect();
        let attack_s = secs(t);
        laps.push(format!(
            "primary {:.1} ms, propagate {:.1} ms, attacker problem {:.1} ms, attack {:.1} ms",
            primary_s * 1e3,
            propagate_s * 1e3,
            attacker_s * 1e3,
            attack_s * 1e3
        ));
        last = Some((flags, problem, exposures));
    }
    let (flags, problem, exposures) = last.expect("three runs");
    let hidden: Vec<_> = exposures.iter().filter(|e| e.cell != usize::MAX && flags[e.cell].hidden()).collect();
    let exposed = hidden.iter().filter(|e| !e.protected(5.0)).count();
    let n = |f: disclosure::Flag| flags.iter().filter(|&&x| x == f).count();
    eprintln!(
        "diag: {} link cells, {} triples, {} within; {} primary, {} secondary; attacker problem {} unknown cells, {} relations; \
         {} hidden cells audited, {exposed} exposed (narrower than 5)",
        links.len(),
        links.triples.len(),
        links.within.len(),
        n(disclosure::Flag::Primary),
        n(disclosure::Flag::Secondary),
        problem.unknowns(),
        problem.relations(),
        hidden.len(),
    );
    eprintln!("diag: build links {build_s:.2} s");
    for (run, laps) in laps.iter().enumerate() {
        eprintln!("diag: run {}: {laps}", run + 1);
    }
}

fn bench(c: &mut Criterion) {
    jamfor::allocator::tune();
    let path = file();
    let round = round();
    let cat = catalogue();
    if std::env::var_os("INDICATORS_DIAG").is_some() {
        diagnose(&path);
        return;
    }
    if let Some(runs) = std::env::var_os("INDICATORS_PROFILE") {
        // INDICATORS_PROFILE=3: three runs in one process; the later ones find memory the
        // allocator already holds, as criterion's iterations do.
        let runs: usize = runs.to_str().and_then(|r| r.parse().ok()).unwrap_or(1);
        for run in 1..=runs {
            eprintln!("profile: run {run} of {runs}");
            profile(&path, &round, &cat);
        }
        return;
    }
    let run = || {
        let obs = read(&path);
        let computed = indicators::compute(&obs, &round, &cat, OPTIONS).unwrap();
        check(&computed);
        computed
    };

    let mut printed = false;
    let mut group = c.benchmark_group("indicators");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(150));
    group.throughput(Throughput::Elements(OBSERVATIONS as u64));
    group.bench_function("compute", |b| {
        b.iter(|| {
            let computed = run();
            if !std::mem::replace(&mut printed, true) {
                counts(&computed, OBSERVATIONS);
            }
            black_box(computed)
        })
    });
    group.finish();

    // The audit alone, on the links of one run (computed only when this bench is selected).
    let mut links: Option<(Links, usize)> = None;
    let mut group = c.benchmark_group("indicators");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("audit", |b| {
        let (links, hidden) = links.get_or_insert_with(|| {
            let computed = run();
            let (p, s, c) = computed.protection.counts();
            (indicators::disclosure_links(&read(&path), &round, &cat, OPTIONS).unwrap(), p + s + c)
        });
        b.iter(|| {
            let p = disclosure::protect(links).unwrap();
            let (pr, s, c) = p.counts();
            assert_eq!(pr + s + c, *hidden);
            p
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
