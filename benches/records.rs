//! The record-level SQL path on a generated 10-million-row home-care extract (Parquet): read
//! and check the records, add the indicator's age bands, run
//! `queries/elderly_care.home_care_hours.sql`, check its result. `benches/duckdb_records.py`
//! times DuckDB on the same file and the same SQL.
//!
//! The extract: 290 organisations × 12 months; about 830 000 recipients, each in a run of
//! months; sex, age 65–104, hours granted per month with one decimal.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jamfor::ingest::sql::Query;
use jamfor::ingest::{self, Format, Input, InputHints};
use polars::prelude::*;

use jamfor::generate::Rng;

/// The allocator the `jamfor` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;

const ROWS: usize = 10_000_000;

fn extract(path: &Path) {
    let mut rng = Rng(11);
    let orgs: Vec<String> = (1..=290).map(|i| format!("X{i:04}")).collect();
    let months: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).collect();
    let (mut org, mut period, mut id, mut sex, mut age, mut hours) = (
        Vec::with_capacity(ROWS),
        Vec::with_capacity(ROWS),
        Vec::with_capacity(ROWS),
        Vec::with_capacity(ROWS),
        Vec::with_capacity(ROWS),
        Vec::with_capacity(ROWS),
    );
    let mut person = 0u32;
    while org.len() < ROWS {
        person += 1;
        let r = rng.next_u64();
        let o = orgs[(r % 290) as usize].as_str();
        let (first, span) = ((r >> 16) % 12, 1 + (r >> 24) % 12);
        let s = if (r >> 32).is_multiple_of(3) { "M" } else { "K" };
        let a = 65 + ((r >> 40) % 40) as i64;
        for m in first..(first + span).min(12) {
            if org.len() == ROWS {
                break;
            }
            org.push(o);
            period.push(months[m as usize].as_str());
            id.push(format!("B{person:07}"));
            sex.push(s);
            age.push(a);
            hours.push(((rng.next_u64() % 1200) as f64) / 10.0);
        }
    }
    let mut frame = df!(
        "org_id" => org, "period" => period, "brukar_id" => id, "sex" => sex, "age" => age,
        "beviljade_timmar" => hours
    )
    .unwrap();
    let tmp = path.with_extension("tmp");
    ParquetWriter::new(std::fs::File::create(&tmp).unwrap()).finish(&mut frame).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join("home_care_10m.parquet");
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        extract(&path);
    }
    path
}

fn bench(c: &mut Criterion) {
    jamfor::allocator::tune();
    let path = file();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sql = root.join("queries/elderly_care.home_care_hours.sql");
    let query = Query::load(&sql, "queries/elderly_care.home_care_hours.sql".into()).unwrap();
    let input = Input {
        path: path.clone(),
        source: "home_care_10m.parquet".into(),
        hints: InputHints { format: Some(Format::Records), table: Some("home_care".into()), ..InputHints::default() },
    };
    let run = || {
        let got = ingest::ingest_with(std::slice::from_ref(&input), std::slice::from_ref(&query));
        assert_eq!(got.problem_count(), 0);
        assert!(got.observations.len() > 10_000);
        got
    };
    let mut group = c.benchmark_group("records_sql_10m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("home_care_hours", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
