//! `JAMFOR_TIMINGS=1`: each stage's elapsed wall time on stderr, for finding where a run's time
//! goes (the README's performance figures are split with it). Silent otherwise. The commands
//! time their stages; the indicator stage also times its own steps.

use std::time::Instant;

/// Wall time since the command started, printed at each named stage when `JAMFOR_TIMINGS` is set.
pub struct Stopwatch {
    start: Instant,
    on: bool,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch { start: Instant::now(), on: std::env::var_os("JAMFOR_TIMINGS").is_some() }
    }

    /// Prints `timing: <stage> <elapsed since start>` when enabled.
    pub fn lap(&self, stage: &str) {
        if self.on {
            eprintln!("timing: {stage} {:.2?}", self.start.elapsed());
        }
    }
}
