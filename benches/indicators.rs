//! The indicator stage on a generated Kolada-scale set (Parquet): read the observations, check
//! them, compute every indicator's per-sex values with Wilson intervals, the gender gaps with
//! their intervals, and disclosure control with its audit. `benches/duckdb_indicators.py`
//! times DuckDB on the same file computing the shared part (per-sex proportions, Wilson bounds,
//! K − M differences with Newcombe's interval).
//!
//! The set: 312 organisations × 500 variables (250 numerator/denominator count pairs) × 20
//! years (2005–2024) × K, M and T = K + M: 9 360 000 observations. Denominators are spread
//! log-uniformly from 3 to 5000 per sex, so a few percent are below 5 and disclosure control
//! and its audit have real work; numerators are binomial within their denominators.
//!
//! `indicators/compute` is the whole stage (read → `Observations` → `compute`, audit
//! included); `indicators/audit` is `disclosure::protect` alone on the same links. The first
//! compute run prints its sub-steps once (read, check, the polars plan, the rest).

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

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const ORGS: usize = 312;
const PAIRS: usize = 250;
const YEARS: usize = 20;
const FIRST_YEAR: usize = 2005;
const OBSERVATIONS: usize = ORGS * PAIRS * 2 * YEARS * 3;
/// One value row per indicator × organisation × year × sex (K, M, T).
const VALUES: usize = PAIRS * ORGS * YEARS * 3;
/// One gap per indicator × organisation × year.
const GAPS: usize = PAIRS * ORGS * YEARS;
const FILE: &str = "indicators_9m.parquet";

impl Rng {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }

    /// Binomial(n, p): exact for small n, the normal approximation above.
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n <= 40 {
            (0..n).filter(|_| self.unit() < p).count() as u64
        } else {
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            (mean + sd * self.normal()).round().clamp(0.0, n as f64) as u64
        }
    }
}

/// Writes the observation set, in Kolada's order (variable, organisation, year, sex).
fn generate(path: &Path) {
    let mut rng = Rng(2024);
    let orgs: Vec<String> = (1..=ORGS).map(|i| format!("X{i:04}")).collect();
    let names: Vec<String> = (1..=ORGS).map(|i| format!("Kommun {i:04}")).collect();
    let years: Vec<String> = (FIRST_YEAR..FIRST_YEAR + YEARS).map(|y| y.to_string()).collect();
    let vars: Vec<[String; 2]> = (1..=PAIRS).map(|i| [format!("p{i:03}_num"), format!("p{i:03}_den")]).collect();
    // Each indicator has a level, each organisation a shift, each indicator a sex difference.
    let level: Vec<f64> = (0..PAIRS).map(|_| 0.05 + 0.9 * rng.unit()).collect();
    let shift: Vec<f64> = (0..ORGS).map(|_| 0.08 * rng.normal()).collect();
    let sex_gap: Vec<f64> = (0..PAIRS).map(|_| 0.15 * (rng.unit() - 0.5)).collect();
    let (lo, hi) = (3f64.ln(), 5000f64.ln());

    let n = OBSERVATIONS;
    let (mut row, mut org, mut name, mut period, mut variable, mut sex, mut value) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut push = |o: usize, y: usize, (i, v): (usize, usize), s: &'static str, x: u64| {
        row.push(row.len() as u32 + 1);
        org.push(orgs[o].as_str());
        name.push(names[o].as_str());
        period.push(years[y].as_str());
        variable.push(vars[i][v].as_str());
        sex.push(s);
        value.push(x as f64);
    };
    for i in 0..PAIRS {
        // Per organisation and year: K and M counts, then T = K + M.
        let mut cells = Vec::with_capacity(ORGS * YEARS);
        for org_shift in shift.iter().take(ORGS) {
            for y in 0..YEARS {
                let mut kmt = [(0u64, 0u64); 2];
                for (s, cell) in kmt.iter_mut().enumerate() {
                    let n = (lo + (hi - lo) * rng.unit()).exp().floor() as u64;
                    let drift = 0.002 * (y as f64 - 10.0);
                    let sign = if s == 0 { 0.5 } else { -0.5 };
                    let p = (level[i] + org_shift + sign * sex_gap[i] + drift).clamp(0.01, 0.99);
                    *cell = (rng.binomial(n, p), n);
                }
                cells.push(kmt);
            }
        }
        for pick in [0, 1] {
            for o in 0..ORGS {
                for y in 0..YEARS {
                    let [k, m] = cells[o * YEARS + y];
                    let at = |c: (u64, u64)| if pick == 0 { c.0 } else { c.1 };
                    push(o, y, (i, pick), "K", at(k));
                    push(o, y, (i, pick), "M", at(m));
                    push(o, y, (i, pick), "T", at(k) + at(m));
                }
            }
        }
    }
    let n = row.len();
    assert_eq!(n, OBSERVATIONS);
    let mut frame = DataFrame::new(
        n,
        vec![
            Column::new_scalar("source".into(), Scalar::from(PlSmallStr::from(FILE)), n),
            Column::new("row".into(), row),
            Column::new("org_id".into(), org),
            Column::new("org_name".into(), name),
            Column::new("period".into(), period),
            Column::new("variable".into(), variable),
            Column::new("sex".into(), sex).cast(&sex_dtype()).unwrap(),
            Column::new_scalar("age_group".into(), Scalar::from(PlSmallStr::from("all")), n),
            Column::new("value".into(), value),
            Column::full_null("status".into(), n, &status_dtype()),
            Column::new_scalar("unit".into(), Scalar::from(PlSmallStr::from("count")), n),
        ],
    )
    .unwrap();
    // Checked before writing: the file is exactly what `Observations::new` accepts.
    let obs = Observations::new(frame.clone()).unwrap();
    assert_eq!(obs.len(), OBSERVATIONS);
    let tmp = path.with_extension("tmp");
    ParquetWriter::new(std::fs::File::create(&tmp).unwrap()).finish(&mut frame).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(FILE);
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        generate(&path);
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

/// One compute run, in sub-steps, printed once: where the time goes.
fn profile(path: &Path, round: &Round, cat: &Catalogue) {
    let secs = |t: Instant| t.elapsed().as_secs_f64();
    let t = Instant::now();
    let df = ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
    let read_s = secs(t);
    let t = Instant::now();
    let obs = Observations::new(df).unwrap();
    let check_s = secs(t);
    let t = Instant::now();
    let inputs = frame::inputs(&obs, &cat.indicators, round.periods.as_ref()).unwrap().unwrap();
    let wide = frame::wide(inputs).collect().unwrap();
    let plan_s = secs(t);
    let rows = wide.height();
    drop(wide);
    let t = Instant::now();
    let computed = indicators::compute(&obs, round, cat, OPTIONS).unwrap();
    let compute_s = secs(t);
    check(&computed);
    let t = Instant::now();
    let again = disclosure::protect(&computed.links).unwrap();
    let audit_s = secs(t);
    assert_eq!(again.flags, computed.protection.flags);
    let (primary, secondary, complementary) = computed.protection.counts();
    let hidden = primary + secondary + complementary;
    let suppressed =
        |f: &DataFrame| f.column("status").unwrap().str().unwrap().iter().filter(|s| *s == Some("suppressed")).count();
    eprintln!(
        "indicators: {} observations, {} values ({} suppressed), {} gaps ({} suppressed), {} link cells, \
         {} hidden cells ({primary} primary, {secondary} secondary, {complementary} complementary), \
         {} audited exposures",
        obs.len(),
        computed.values.len(),
        suppressed(computed.values.frame()),
        computed.gaps.len(),
        suppressed(computed.gaps.frame()),
        computed.links.len(),
        hidden,
        computed.protection.exposures.len(),
    );
    eprintln!(
        "indicators: one run: read {read_s:.2} s, Observations::new {check_s:.2} s, compute {compute_s:.2} s \
         (of which the polars plan alone, inputs + wide collect: {plan_s:.2} s for {rows} wide rows; \
         protect alone: {audit_s:.2} s)"
    );
    samples(&computed);
}

/// Prints the rows `duckdb_indicators.py` prints, to compare by eye.
fn samples(c: &Computed) {
    for (ind, org, period) in [("p001", "X0001", "2024"), ("p125", "X0150", "2015"), ("p250", "X0312", "2005")] {
        let pick = |f: &DataFrame, cols: &[&str]| {
            f.clone()
                .lazy()
                .filter(
                    col("indicator_id").eq(lit(ind)).and(col("org_id").eq(lit(org))).and(col("period").eq(lit(period))),
                )
                .select(cols.iter().map(|c| col(*c)).collect::<Vec<_>>())
                .collect()
                .unwrap()
        };
        let v = pick(
            c.values.frame(),
            &[
                "indicator_id",
                "org_id",
                "period",
                "sex",
                "numerator",
                "denominator",
                "value",
                "ci_low",
                "ci_high",
                "status",
            ],
        );
        let g = pick(
            c.gaps.frame(),
            &["indicator_id", "org_id", "period", "diff", "diff_ci_low", "diff_ci_high", "status"],
        );
        eprintln!("{v}\n{g}");
    }
}

fn bench(c: &mut Criterion) {
    let path = file();
    let round = round();
    let cat = catalogue();
    let run = || {
        let obs = read(&path);
        let computed = indicators::compute(&obs, &round, &cat, OPTIONS).unwrap();
        check(&computed);
        computed
    };

    let mut profiled = false;
    let mut group = c.benchmark_group("indicators");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(150));
    group.throughput(Throughput::Elements(OBSERVATIONS as u64));
    group.bench_function("compute", |b| {
        if !std::mem::replace(&mut profiled, true) {
            profile(&path, &round, &cat);
        }
        b.iter(|| black_box(run()))
    });
    group.finish();

    // The audit alone, on the links of one run (kept only when this bench is selected).
    let mut links: Option<(Links, usize)> = None;
    let mut group = c.benchmark_group("indicators");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("audit", |b| {
        let (links, hidden) = links.get_or_insert_with(|| {
            let computed = run();
            let (p, s, c) = computed.protection.counts();
            (computed.links, p + s + c)
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
