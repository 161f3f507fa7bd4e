//! Renders problems as DESIGN §9 shows them:
//!
//! ```text
//! error: data/hemtjanst.csv:17:4: sex code "X" is not one of K, M, T (or kvinnor, män, totalt…)
//!   hint: …
//! ```

use std::fmt::Display;
use std::io::{self, Write};

use crate::error::Problem;

/// Writes each problem with its hint; `more` problems past the cap are counted on one line.
pub fn render_problems<K: Display>(
    out: &mut impl Write,
    source: &str,
    problems: &[Problem<K>],
    more: usize,
) -> io::Result<()> {
    for p in problems {
        writeln!(out, "error: {p}")?;
        if let Some(hint) = &p.hint {
            writeln!(out, "  hint: {hint}")?;
        }
    }
    if more > 0 {
        writeln!(out, "error: {source}: … and {more} more problems (only the first {} are shown)", problems.len())?;
    }
    Ok(())
}
