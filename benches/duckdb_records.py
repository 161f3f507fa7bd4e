"""Times DuckDB on the record extract `cargo bench --bench records` writes, with the same SQL.

    pip install duckdb
    python3 benches/duckdb_records.py target/bench-data/home_care_10m.parquet queries/elderly_care.home_care_hours.sql

The view adds `age_group` exactly as jamfor does from the indicator's bands (65-79, 80-w).
Prints the best and the median of ten runs (read, group, materialise the result; the same
sample size as the criterion bench) and peak memory.
"""

import resource
import statistics
import sys
import time

import duckdb

path, sql_file = sys.argv[1], sys.argv[2]
sql = open(sql_file, encoding="utf-8").read()
times = []
for _ in range(10):
    t = time.perf_counter()
    con = duckdb.connect()
    con.sql(
        f"""CREATE VIEW home_care AS SELECT *,
              CASE WHEN age BETWEEN 65 AND 79 THEN '65-79' WHEN age >= 80 THEN '80-w' END AS age_group
            FROM '{path}'"""
    )
    rows = con.sql(sql).fetchall()
    times.append(time.perf_counter() - t)
    con.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times.sort()
print(
    f"duckdb {duckdb.__version__}: {path}: best {times[0]:.3f} s, median {statistics.median(times):.3f} s "
    f"of {len(times)}, {len(rows)} result rows, peak RSS {peak:.0f} MB"
)
