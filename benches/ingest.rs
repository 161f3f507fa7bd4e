//! Ingest throughput on a generated 1-million-row Windows-1252 export, the shape Swedish Excel
//! writes: a title row, `;`-separated, decimal comma with space thousands, sexes in the headers
//! (`Kvinnor;Män;Totalt`). Reports MB/s and rows/s; every iteration checks the row count.
//!
//! `cargo bench --bench ingest` (writes the file to target/bench-data/ once), then
//! `python3 benches/pandas_ingest.py target/bench-data/wide_1m_cp1252.csv` for the peer.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jamfor::ingest::{self, Input, InputHints};

const ORGS: usize = 250;
const MEASURES: usize = 100;
const YEARS: usize = 40;
const ROWS: usize = ORGS * MEASURES * YEARS;

use jamfor::generate::Rng;

/// The allocator the `jamfor` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;

fn swedish(tenths: u64) -> String {
    let int = (tenths / 10).to_string();
    let mut s = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            s.push(' ');
        }
        s.push(c);
    }
    format!("{s},{}", tenths % 10)
}

/// Writes the export if it is not there yet and returns its path.
pub fn export() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    let path = dir.join("wide_1m_cp1252.csv");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let names = ["Åbyholm", "Norrvik", "Ekeskog", "Sjöbacka", "Granlunda", "Älvdala Strand", "Fjällbyn", "Lärkvik"];
    let mut rng = Rng(2024);
    let mut s = String::with_capacity(ROWS * 60);
    s.push_str("Nyckeltal per kommun, kön och år (påhittade data)\r\n");
    s.push_str("Kommunkod;Kommunnamn;Mått;År;Kvinnor;Män;Totalt\r\n");
    for o in 0..ORGS {
        let name = format!("{} {}", names[o % names.len()], o / names.len() + 1);
        for m in 0..MEASURES {
            for y in 0..YEARS {
                let k = rng.next_u64() % 5_000_000;
                let mm = rng.next_u64() % 5_000_000;
                s.push_str(&format!(
                    "X{:04};{name};mått_{m:03};{};{};{};{}\r\n",
                    o + 1,
                    1985 + y,
                    swedish(k),
                    swedish(mm),
                    swedish(k + mm)
                ));
            }
        }
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&s);
    assert!(!unmappable);
    std::fs::write(&path, &bytes).unwrap();
    path
}

fn bench(c: &mut Criterion) {
    jamfor::allocator::tune();
    let path = export();
    let size = std::fs::metadata(&path).unwrap().len();
    let input = Input { path: path.clone(), source: "wide_1m_cp1252.csv".into(), hints: InputHints::default() };
    let run = || {
        let got = ingest::ingest(std::slice::from_ref(&input));
        assert_eq!(got.problem_count(), 0);
        assert_eq!(got.observations.len(), ROWS * 3);
        got
    };
    let mut group = c.benchmark_group("ingest_wide_1m_cp1252");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(size));
    group.bench_function("bytes", |b| b.iter(run));
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("rows", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
