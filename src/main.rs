//! The `jamfor` binary: parse arguments, run, render errors, map them to exit codes
//! (0 ok, 2 bad input or usage, 1 internal error). A closed pipe (`jamfor … | head`) exits 0.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: jamfor::allocator::Allocator = jamfor::allocator::Allocator;

fn main() -> ExitCode {
    jamfor::allocator::tune();
    jamfor::cli::main()
}
