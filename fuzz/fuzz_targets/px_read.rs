//! Arbitrary bytes into the PX reader: it must never panic, and every error must point inside
//! the input (the property test checks the same on small random inputs; this explores further).
#![no_main]

use jamfor::ingest::pcaxis;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match pcaxis::read_bytes(data) {
        Ok(t) => assert_eq!(t.data.values.len() as u64, t.meta.cells()),
        Err(e) => {
            assert!(e.offset <= data.len() as u64, "{e:?} beyond {} bytes", data.len());
            assert!(e.line >= 1 && e.column >= 1, "{e:?} is not located");
        }
    }
});
