//! The memory allocator jamfor's binaries use: mimalloc, told to keep freed memory for reuse.
//!
//! jamfor's large runs (a Kolada-scale indicator stage, ten million records through SQL) free
//! and allocate gigabytes of short-lived column buffers. With the system allocator every buffer
//! above glibc's mmap threshold is a fresh mapping, and every fresh page costs a page fault and
//! zeroing: the indicator bench faulted two million times per run. mimalloc keeps freed memory
//! and hands it out again, which also costs less CPU time in the allocator itself (criterion,
//! repeated runs in one process: the indicator stage 6.8 → 4.4 s, the record path 3.8 → 1.9 s;
//! README, Performance).
//!
//! Two settings differ from mimalloc's defaults:
//! - The purge delay, how long freed memory stays with the process before mimalloc returns it
//!   to the OS: 10 s instead of 1 s. With 1 s a stage's buffers went back between steps and
//!   the next step faulted them in again (the record path took 2.6 s instead of 2.0 s). A user
//!   who sets `MIMALLOC_PURGE_DELAY` in the environment keeps their own value.
//! - Transparent huge pages are off (the crate's `no_thp` feature). A huge-page fault zeroes
//!   2 MiB and may wait for the kernel to compact memory; `jamfor report` on `data/` touches
//!   memory sparsely from many threads and took 2.7–3.3 s with them against 2.2–2.4 s without.
//!
//! A binary opts in with
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;
//!
//! fn main() {
//!     jamfor::allocator::tune();
//! }
//! ```
//!
//! The library itself never chooses an allocator for a program that links it.

pub use mimalloc::MiMalloc as Allocator;

/// mimalloc's option number for the purge delay (`mi_option_purge_delay` in v3's `mimalloc.h`,
/// whose Rust binding does not name it). `purge_delay_is_option_15` checks it against the
/// option's documented default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process, in milliseconds.
const KEEP_FREED_MS: std::ffi::c_long = 10_000;

/// Sets the purge delay to [`KEEP_FREED_MS`] unless `MIMALLOC_PURGE_DELAY` is set. Call it first
/// in `main`, before the work allocates.
#[allow(unsafe_code, reason = "one FFI call that stores an integer in mimalloc's option table")]
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: `mi_option_set` writes one integer in mimalloc's static option table and takes
    // no pointers; the option number is in range (see `purge_delay_is_option_15`).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, KEEP_FREED_MS) }
}

/// The purge delay in effect, in milliseconds.
#[allow(unsafe_code, reason = "one FFI call that reads an integer from mimalloc's option table")]
pub fn purge_delay_ms() -> std::ffi::c_long {
    // SAFETY: `mi_option_get` reads one integer from mimalloc's static option table (and reads
    // the environment once to initialise it); the option number is in range.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Option 15 is the purge delay: its default is the documented 1000 ms (no other option of
    /// mimalloc v3 defaults to 1000), and `tune` moves it to 10 s. A mimalloc upgrade that
    /// renumbers the options fails here instead of silently tuning something else.
    #[test]
    fn purge_delay_is_option_15() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return; // the environment decides; nothing of ours to check
        }
        assert_eq!(purge_delay_ms(), 1000);
        tune();
        assert_eq!(purge_delay_ms(), 10_000);
    }
}
