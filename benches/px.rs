//! PX reader throughput on a generated ~200 MB Windows-1252 file written with jamfor's own PX
//! writer: 4 dimensions (region × age × sex × month), symbols sprinkled. Reports MB/s and
//! cells/s; every iteration checks the cell count. Also writes a ~20 MB file for the pyaxis
//! comparison (`python3 benches/pyaxis_px.py`).

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jamfor::ingest::pcaxis::meta::{Meta, TimeScale, Variable};
use jamfor::ingest::pcaxis::writer::{WriteOptions, write};
use jamfor::ingest::pcaxis::{self, Data, PxTable, Symbol};

use jamfor::generate::Rng;

/// The allocator the `jamfor` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;

/// A table of `regions` × 100 ages × 3 sexes × `months` months.
fn table(regions: usize, months: usize) -> PxTable {
    let names = ["Åbyholm", "Norrvik", "Ekeskog", "Sjöbacka", "Granlunda", "Älvdala", "Fjällbyn", "Lärkvik"];
    let mut region =
        Variable::new("region", (0..regions).map(|i| format!("X{:04} {}", i + 1, names[i % 8])).collect(), false);
    region.codes = Some((0..regions).map(|i| format!("X{:04}", i + 1)).collect());
    region.code = Some("Region".into());
    let age = Variable::new("ålder", (0..100).map(|a| format!("{a} år")).collect(), false);
    let mut sex = Variable::new("kön", vec!["män".into(), "kvinnor".into(), "totalt".into()], false);
    sex.codes = Some(vec!["1".into(), "2".into(), "1+2".into()]);
    let mut month =
        Variable::new("månad", (0..months).map(|m| format!("{}M{:02}", 2000 + m / 12, m % 12 + 1)).collect(), true);
    month.time = Some(TimeScale::Monthly);
    month.timeval = month.labels.values.clone();
    let mut meta = Meta::new(vec![region, age, sex, month]);
    meta.title = Some("Invånare efter region, ålder, kön och månad (påhittade data)".into());
    meta.contents = Some("Invånare".into());
    meta.units = Some("antal".into());
    meta.matrix = Some("BENCH01".into());
    let cells = meta.cells() as usize;
    let mut rng = Rng(7);
    let mut data = Data { values: Vec::with_capacity(cells), ..Data::default() };
    for i in 0..cells {
        let r = rng.next_u64();
        if r.is_multiple_of(97) {
            data.values.push(0.0);
            data.symbols.push((i as u64, [Symbol::Dots(2), Symbol::Dots(3), Symbol::Nil][(r >> 8) as usize % 3]));
        } else {
            data.values.push((r >> 16) as f64 % 20_000.0);
        }
    }
    PxTable { meta, data }
}

fn file(name: &str, regions: usize, months: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let t = table(regions, months);
        let tmp = path.with_extension("tmp");
        write(&t, std::fs::File::create(&tmp).unwrap(), WriteOptions::default()).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn bench(c: &mut Criterion) {
    jamfor::allocator::tune();
    let _small = file("px_40x100x3x300.px", 40, 300);
    let path = file("px_400x100x3x300.px", 400, 300);
    let size = std::fs::metadata(&path).unwrap().len();
    let cells = 400 * 100 * 3 * 300u64;
    let run = || {
        let t = pcaxis::read_path(&path).unwrap();
        assert_eq!(t.data.values.len() as u64, cells);
        t
    };
    let mut group = c.benchmark_group("px_read_200mb_cp1252");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(size));
    group.bench_function("bytes", |b| b.iter(run));
    group.throughput(Throughput::Elements(cells));
    group.bench_function("cells", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
