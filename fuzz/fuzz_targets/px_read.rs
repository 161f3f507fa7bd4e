//! Arbitrary bytes into the PX reader: it must never panic, every error must point inside the
//! input, and the threaded chunk reader must agree with the one-thread reader exactly (the
//! property tests check the same on small random inputs; this explores further).
#![no_main]

use jamfor::ingest::pcaxis::{self, Tuning};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let one = pcaxis::read_with(data, Tuning { threads: 1, ..Tuning::default() });
    match &one {
        Ok(t) => assert_eq!(t.data.values.len() as u64, t.meta.cells()),
        Err(e) => {
            assert!(e.offset <= data.len() as u64, "{e:?} beyond {} bytes", data.len());
            assert!(e.line >= 1 && e.column >= 1, "{e:?} is not located");
        }
    }
    // Chunk size from the input, so that the fuzzer moves the cuts around.
    let chunk = 1 + data.len() % 29;
    let many = pcaxis::read_with(data, Tuning { chunk, threads: 2, min_cells: 0 });
    assert_eq!(many, one, "chunk {chunk}");
});
