"""Times pyaxis (the Python PX reader, from PyPI) on the files `cargo bench --bench px` writes.

    pip install pyaxis
    python3 benches/pyaxis_px.py target/bench-data/px_40x100x3x300.px target/bench-data/px_400x100x3x300.px

pyaxis needs the encoding given; it returns the cells as strings in a pandas frame. Prints the
best of three runs (one for files over 100 MB), MB/s, and peak memory of the process.
"""

import os
import resource
import sys
import time

import pyaxis.pyaxis as px

for path in sys.argv[1:]:
    size = os.path.getsize(path)
    runs = 1 if size > 100e6 else 3
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        result = px.parse(uri=path, encoding="windows-1252")
        best = min(best, time.perf_counter() - t)
    rows = len(result["DATA"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pyaxis: {path}: {best:.2f} s, {size / best / 1e6:.1f} MB/s, {rows} cells, peak RSS {peak:.0f} MB")
