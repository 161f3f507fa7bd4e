"""Times the part of the indicator stage that `benches/duckdb_indicators.py` also does.

    cargo bench --bench indicators --no-run
    python3 benches/shared_part.py [RUNS]      # default 5 runs in one process

Runs the indicator bench binary with `JAMFOR_TIMINGS=1 INDICATORS_PROFILE=RUNS` and, per run,
adds up the laps of the shared part: reading the Parquet file, `Observations::new`, the wide
rows, values and gaps (with the disclosure links built beside them) and the typed tables; the
lap of disclosure control and audit is left out. Prints each run and the best and median of
runs 2 onwards (the first run pays for fresh memory), to set beside DuckDB's best of three.
"""

import glob
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binaries = [f for f in glob.glob(os.path.join(root, "target/release/deps/indicators-*")) if not f.endswith(".d")]
binary = max(binaries, key=os.path.getmtime)
runs = sys.argv[1] if len(sys.argv) > 1 else "5"
env = dict(os.environ, JAMFOR_TIMINGS="1", INDICATORS_PROFILE=runs)
err = subprocess.run([binary, "--bench"], env=env, capture_output=True, text=True, check=True).stderr


def seconds(text, pattern):
    m = re.search(pattern + r" ([\d.]+) ?(ms|s)", text)
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)


totals = []
for run in err.split("profile: run ")[1:] if "profile: run " in err else [err]:
    if "read Parquet" not in run:
        continue
    read, new = seconds(run, "read Parquet"), seconds(run, "Observations::new")
    wide = seconds(run, "indicators: wide rows")
    values = seconds(run, "indicators: values, gaps and disclosure links")
    audit = seconds(run, "indicators: disclosure control and audit")
    tables = seconds(run, "indicators: suppressed and tabled")
    shared = read + new + wide + (values - wide) + (tables - audit)
    totals.append(shared)
    print(
        f"shared part {shared:.3f} s: read {read:.2f}, Observations::new {new:.2f}, wide rows {wide:.3f}, "
        f"values and gaps {values - wide:.3f}, tables {tables - audit:.3f} (audit {audit - values:.3f}, not counted)"
    )
later = sorted(totals[1:]) or totals
print(f"best {later[0]:.3f} s, median {later[len(later) // 2]:.3f} s (runs 2 onwards)")
