"""Times pandas on the same file as `cargo bench --bench ingest` (the peer named in issue 3).

    python3 benches/pandas_ingest.py target/bench-data/wide_1m_cp1252.csv

pandas gets the same reading options jamfor detects by itself: `;`, decimal comma, cp1252, the
title row skipped, and space as the thousands separator (without it pandas leaves "1 234,5" as
text, i.e. does less work than jamfor). Prints the best of five runs, MB/s and rows/s.
"""

import os
import sys
import time

import pandas as pd

path = sys.argv[1]
size = os.path.getsize(path)
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    df = pd.read_csv(path, sep=";", decimal=",", thousands=" ", encoding="cp1252", skiprows=1)
    best = min(best, time.perf_counter() - t)
assert df["Kvinnor"].dtype.kind == "f", "values must be numbers"
rows = len(df)
print(f"pandas {pd.__version__}: {best:.3f} s, {size / best / 1e6:.1f} MB/s, {rows / best / 1e6:.2f} M rows/s ({rows} rows, {size / 1e6:.1f} MB)")
