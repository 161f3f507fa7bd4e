//! Properties of the PX reader: the writer → reader round trip on random tables (languages,
//! codes, time and content variables, KEYS, symbols, separators, encodings), and arbitrary bytes
//! never panic the reader, with every error pointing inside the input.

use jamfor::ingest::pcaxis::meta::{ContentInfo, Elimination, Labels, Meta, TimeScale, Variable};
use jamfor::ingest::pcaxis::writer::{WriteOptions, write};
use jamfor::ingest::pcaxis::{self, Data, PxErrorKind, PxTable, Symbol, Tuning};
use proptest::prelude::*;

/// Words from an alphabet Windows-1252 can hold, with the characters PX must take literally.
fn word() -> impl Strategy<Value = String> {
    "[a-zA-ZåäöÅÄÖé0-9;=,()\\[\\] .:-]{1,12}".prop_filter("no surrounding blanks", |s| s.trim() == s)
}

fn distinct(n: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(word(), n..=n).prop_map(|s| s.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Spec {
    table: PxTable,
    opts: WriteOptions,
}

fn cell() -> impl Strategy<Value = Result<f64, Symbol>> {
    prop_oneof![
        6 => (-1_000_000_000i64..1_000_000_000, 0u32..4).prop_map(|(m, d)| Ok(m as f64 / 10f64.powi(d as i32))),
        1 => Just(Ok(0.0)),
        1 => prop::sample::select(vec![Symbol::Dots(1), Symbol::Dots(2), Symbol::Dots(3), Symbol::Dots(6), Symbol::Sum, Symbol::Nil, Symbol::Colon]).prop_map(Err),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let dims = prop::collection::vec(1usize..=4, 1..=4);
    (dims, 0usize..=4, any::<bool>(), any::<bool>(), any::<bool>(), any::<u64>())
        .prop_flat_map(|(dims, split, translate, with_time, with_content, seed)| {
            let n = dims.len();
            let split = split.min(n);
            let names = distinct(n);
            let values: Vec<_> = dims.iter().map(|&d| distinct(d)).collect();
            let translations: Vec<_> = dims.iter().map(|&d| distinct(d)).collect();
            let en_names = distinct(n);
            let cells: usize = dims.iter().product();
            let data = prop::collection::vec(cell(), cells..=cells);
            let opts = (
                prop::sample::select(vec![b' ', b'\t', b',', b';']),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            );
            (
                Just((dims, split, translate, with_time, with_content, seed)),
                names,
                values,
                translations,
                en_names,
                data,
                opts,
            )
        })
        .prop_map(
            |(
                (dims, split, translate, with_time, with_content, seed),
                names,
                values,
                translations,
                en_names,
                data,
                (sep, semi, keys, cp1252, omit),
            )| {
                let n = dims.len();
                let mut variables: Vec<Variable> = (0..n)
                    .map(|k| {
                        let mut v = Variable::new(names[k].clone(), values[k].clone(), k >= split);
                        if seed & (1 << k) != 0 {
                            v.codes = Some((0..dims[k]).map(|j| format!("C{k}{j:02}")).collect());
                            v.code = Some(format!("Var{k}"));
                        }
                        if seed & (1 << (k + 8)) != 0 {
                            v.elimination =
                                Some(if dims[k] > 1 { Elimination::Value(dims[k] - 1) } else { Elimination::Yes });
                        }
                        if translate {
                            v.translations.insert(
                                "en".into(),
                                Labels { name: en_names[k].clone(), values: translations[k].clone() },
                            );
                        }
                        v
                    })
                    .collect();
                if with_time {
                    let last = n - 1;
                    variables[last].labels.values = (0..dims[last]).map(|j| (2015 + j).to_string()).collect();
                    variables[last].time = Some(TimeScale::Annual);
                    variables[last].timeval = variables[last].labels.values.clone();
                }
                let mut meta = Meta::new(variables);
                meta.title = Some(format!("Titel {}", names.join(" ")));
                meta.contents = Some("Innehåll".into());
                meta.units = Some("antal".into());
                if translate {
                    meta.language = Some("sv".into());
                    meta.languages = vec!["sv".into(), "en".into()];
                }
                if with_content && !with_time {
                    meta.content_variable = Some(0);
                    meta.content = (0..dims[0])
                        .map(|j| ContentInfo { units: Some(format!("enhet {j}")), ..ContentInfo::default() })
                        .collect();
                }
                let mut d = Data::default();
                for (i, c) in data.iter().enumerate() {
                    match c {
                        Ok(v) => d.values.push(*v),
                        Err(s) => {
                            d.values.push(0.0);
                            d.symbols.push((i as u64, *s));
                        }
                    }
                }
                let keys = keys && split > 0;
                let opts = WriteOptions {
                    windows_1252: cp1252,
                    separator: sep,
                    semicolon_rows: semi,
                    keys,
                    omit_final_semicolon: omit,
                };
                Spec { table: PxTable { meta, data: d }, opts }
            },
        )
}

/// What a PX file means, as opposed to how it was written (offsets, keyword order, encoding).
#[derive(Debug, PartialEq)]
struct Semantic {
    variables: Vec<Variable>,
    texts: [Option<String>; 4],
    languages: Vec<String>,
    content_units: Vec<Option<String>>,
    cells: Vec<(Option<f64>, Option<Symbol>)>,
}

fn semantic(t: &PxTable) -> Semantic {
    let m = &t.meta;
    Semantic {
        variables: m.variables.clone(),
        texts: [m.title.clone(), m.contents.clone(), m.units.clone(), m.language.clone()],
        languages: m.languages.clone(),
        content_units: m.content.iter().map(|c| c.units.clone()).collect(),
        cells: (0..m.cells()).map(|i| t.data.cell(i)).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn writer_then_reader_is_identity(spec in spec()) {
        let mut bytes = Vec::new();
        write(&spec.table, &mut bytes, spec.opts).unwrap();
        let back = pcaxis::read_bytes(&bytes).map_err(|e| e.locate(&bytes));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        prop_assert!(back.is_ok(), "{:?}\n{text}", back.err());
        let back = back.unwrap();
        prop_assert_eq!(semantic(&back), semantic(&spec.table), "{:?}\n{}", spec.opts, text);
        if spec.opts.keys {
            prop_assert!(back.data.keyed_rows.is_some());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_point_inside(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Err(e) = pcaxis::read_bytes(&bytes) {
            prop_assert!(e.offset <= bytes.len() as u64, "{e:?} beyond {} bytes", bytes.len());
            prop_assert!(e.line >= 1 && e.column >= 1, "{e:?} is located");
        }
    }

    #[test]
    fn chunked_and_threaded_reads_agree_with_one_thread(
        seed in 0usize..1000,
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b" \n;,.-\"0123456789x:\xe4".to_vec()),
        cut in any::<prop::sample::Index>(),
        chunk in 1usize..40,
        piece in 1usize..50,
    ) {
        // Valid and invalid fixtures, one byte changed (often to a separator, a digit, a quote)
        // and maybe cut short, read three ways: at once on one thread, and in tiny chunks on
        // two threads through a reader that hands out a few bytes at a time.
        let mut files: Vec<_> = ["px/valid", "px/invalid"]
            .iter()
            .flat_map(|d| std::fs::read_dir(crate::support::fixtures().join(d)).unwrap().map(|e| e.unwrap().path()))
            .filter(|p| p.extension().is_some_and(|e| e == "px"))
            .collect();
        files.sort();
        let mut bytes = std::fs::read(&files[seed % files.len()]).unwrap();
        // Mostly inside DATA, where the chunks are.
        let data = if seed % 4 > 0 { bytes.windows(5).position(|w| w == b"DATA=").unwrap_or(0) } else { 0 };
        let i = data + at.index((bytes.len() - data).max(1));
        if seed % 3 > 0 && i < bytes.len() {
            bytes[i] = byte;
        }
        if seed % 5 == 0 {
            bytes.truncate(cut.index(bytes.len() + 1).max(i));
        }
        let one = Tuning { threads: 1, ..Tuning::default() };
        let many = Tuning { chunk, threads: 2, min_cells: 0 };
        let expected = pcaxis::read_with(bytes.as_slice(), one);
        prop_assert_eq!(&pcaxis::read_with(bytes.as_slice(), many), &expected);
        prop_assert_eq!(&pcaxis::read_with(Trickle(&bytes, piece), many), &expected);
        prop_assert_eq!(&pcaxis::read_with(Trickle(&bytes, piece), one), &expected);
    }

    #[test]
    fn mutated_fixtures_never_panic(seed in 0usize..1000, at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let dir = crate::support::fixtures().join("px/valid");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut bytes = std::fs::read(&files[seed % files.len()]).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        bytes.truncate(cut.index(bytes.len() + 1).max(i));
        if let Err(e) = pcaxis::read_bytes(&bytes) {
            prop_assert!(e.offset <= bytes.len() as u64 && e.line >= 1 && e.column >= 1, "{e:?}");
        }
    }
}

/// Found by `cargo fuzz` (a mutated fixture with KEYS and no STUB indexed past the cube).
#[test]
fn regression_fuzz_keys_without_stub() {
    let bytes = std::fs::read(crate::support::fixtures().join("px/regress/fuzz_keys_without_stub.px")).unwrap();
    if let Err(e) = pcaxis::read_bytes(&bytes) {
        assert!(e.offset <= bytes.len() as u64 && e.line >= 1 && e.column >= 1, "{e:?}");
    }
}

/// A reader that hands out at most `.1` bytes per call, as pipes and sockets do.
struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(out.len()).min(self.1);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// A big dense table across real chunk sizes: threads give exactly the cells one thread does.
#[test]
fn threaded_dense_read_matches_one_thread_on_a_large_table() {
    let mut region = Variable::new("region", (0..60).map(|i| format!("X{i:04}")).collect(), false);
    region.codes = Some(region.labels.values.clone());
    let month = Variable::new("month", (0..500).map(|m| format!("{m}")).collect(), true);
    let mut meta = Meta::new(vec![region, month]);
    meta.contents = Some("Antal".into());
    let cells = meta.cells();
    let mut data = Data::default();
    for i in 0..cells {
        match i % 211 {
            0 => {
                data.values.push(0.0);
                data.symbols.push((i, Symbol::Dots(2)));
            }
            k => data.values.push(f64::from((k as u32) * 37 % 5003) / if i % 3 == 0 { 10.0 } else { 1.0 }),
        }
    }
    let table = PxTable { meta, data };
    let mut bytes = Vec::new();
    write(&table, &mut bytes, WriteOptions::default()).unwrap();
    for chunk in [64, 4096, 1 << 16] {
        let many = Tuning { chunk, threads: 3, min_cells: 0 };
        let back = pcaxis::read_with(bytes.as_slice(), many).unwrap();
        assert_eq!(back.data, table.data, "chunk {chunk}");
    }
    // One cell too many, and one bad cell, far into the block: the same errors either way.
    let text = String::from_utf8(bytes).unwrap();
    for broken in [format!("{} 7;", text.trim_end().trim_end_matches(';')), text.replacen(" 37 ", " 3x7 ", 1)] {
        let one = pcaxis::read_with(broken.as_bytes(), Tuning { threads: 1, ..Tuning::default() }).unwrap_err();
        let many = pcaxis::read_with(broken.as_bytes(), Tuning { chunk: 512, threads: 2, min_cells: 0 }).unwrap_err();
        assert_eq!(many, one);
        assert!(matches!(one.kind, PxErrorKind::CellCount { .. } | PxErrorKind::BadCell { .. }), "{one}");
    }
}
