//! `JAMFOR_TIMINGS=1`: each stage's elapsed wall time on stderr, for finding where a run's time
//! goes (the README's performance figures are split with it). Silent otherwise. The commands
//! time their stages; the indicator stage also times its own steps. On Linux each line also
//! gives the resident memory then and the peak so far, to find the step that sets the peak.

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

    /// Prints `timing: <stage> <elapsed since start>` (and the memory, where known) when enabled.
    pub fn lap(&self, stage: &str) {
        if self.on {
            let memory = memory().map_or(String::new(), |(now, peak)| format!(" (RSS {now} MiB, peak {peak} MiB)"));
            eprintln!("timing: {stage} {:.2?}{memory}", self.start.elapsed());
        }
    }
}

/// The process's resident memory and its peak in MiB, from `/proc/self/status` (`VmRSS`,
/// `VmHWM`); None where there is no such file.
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    /// On Linux the two figures are read, and the peak is at least what is resident now.
    #[test]
    #[cfg(target_os = "linux")]
    fn memory_reads_rss_and_peak() {
        let (now, peak) = super::memory().expect("/proc/self/status has VmRSS and VmHWM");
        assert!(now > 0 && peak >= now, "{now} / {peak}");
    }
}
