"""Times DuckDB on the observation set `cargo bench --bench indicators` writes: the part of the
indicator stage both do.

    pip install duckdb
    python3 benches/duckdb_indicators.py [target/bench-data/indicators_9m.parquet]

For each of the 250 numerator/denominator pairs (`p001_num` / `p001_den` …): numerator and
denominator side by side per organisation × period × sex, p = x/n with the Wilson interval
(z = 1.959964), and per organisation × period × indicator the K − M difference with
Newcombe's hybrid score interval from the two Wilson intervals (STATISTICS.md §1.2). Not done
here: jamfor's disclosure control and audit, its row statuses, ratios and women's shares.

Prints the best of three runs (read, compute, materialise both tables), the row counts, the
rows `cargo bench --bench indicators` prints (to compare by eye), and peak memory.
"""

import resource
import sys
import time

import duckdb

path = sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/indicators_9m.parquet"
Z = 1.959964

VALUES = f"""
CREATE TABLE vals AS
WITH pairs AS (
    SELECT org_id, period, CAST(sex AS VARCHAR) AS sex,
           split_part(variable, '_', 1) AS indicator,
           max(value) FILTER (WHERE suffix(variable, '_num')) AS x,
           max(value) FILTER (WHERE suffix(variable, '_den')) AS n
    FROM read_parquet('{path}')
    WHERE suffix(variable, '_num') OR suffix(variable, '_den')
    GROUP BY ALL
)
SELECT indicator, org_id, period, sex, x, n,
       x / n AS p,
       CASE WHEN n > 0 THEN (2 * x + {Z}^2 - {Z} * sqrt({Z}^2 + 4 * x * (1 - x / n))) / (2 * (n + {Z}^2)) END AS lo,
       CASE WHEN n > 0 THEN (2 * x + {Z}^2 + {Z} * sqrt({Z}^2 + 4 * x * (1 - x / n))) / (2 * (n + {Z}^2)) END AS hi
FROM pairs
WHERE x IS NOT NULL
"""

GAPS = """
CREATE TABLE gaps AS
WITH km AS (
    SELECT indicator, org_id, period,
           any_value(p) FILTER (WHERE sex = 'K') AS p1, any_value(lo) FILTER (WHERE sex = 'K') AS l1,
           any_value(hi) FILTER (WHERE sex = 'K') AS u1,
           any_value(p) FILTER (WHERE sex = 'M') AS p2, any_value(lo) FILTER (WHERE sex = 'M') AS l2,
           any_value(hi) FILTER (WHERE sex = 'M') AS u2
    FROM vals
    WHERE sex IN ('K', 'M')
    GROUP BY ALL
)
SELECT indicator, org_id, period, p1 - p2 AS diff,
       p1 - p2 - sqrt((p1 - l1)^2 + (u2 - p2)^2) AS diff_lo,
       p1 - p2 + sqrt((u1 - p1)^2 + (p2 - l2)^2) AS diff_hi
FROM km
"""

best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    con = duckdb.connect()
    con.execute(VALUES)
    con.execute(GAPS)
    ((values,),) = con.execute("SELECT count(*) FROM vals").fetchall()
    ((gaps,),) = con.execute("SELECT count(*) FROM gaps").fetchall()
    best = min(best, time.perf_counter() - t)
    if _ < 2:
        con.close()

peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
print(
    f"duckdb {duckdb.__version__} ({threads} threads): {path}: {best:.3f} s (best of 3), "
    f"{values} value rows, {gaps} gap rows, peak RSS {peak:.0f} MB"
)
for ind, org, period in [("p001", "X0001", "2024"), ("p125", "X0150", "2015"), ("p250", "X0312", "2005")]:
    key = f"indicator = '{ind}' AND org_id = '{org}' AND period = '{period}'"
    con.sql(
        f"SELECT indicator, org_id, period, sex, x, n, round(100 * p, 4) AS value, "
        f"round(100 * lo, 4) AS ci_low, round(100 * hi, 4) AS ci_high FROM vals WHERE {key} ORDER BY sex"
    ).show()
    con.sql(
        f"SELECT indicator, org_id, period, round(100 * diff, 4) AS diff, round(100 * diff_lo, 4) AS diff_ci_low, "
        f"round(100 * diff_hi, 4) AS diff_ci_high FROM gaps WHERE {key}"
    ).show()
con.close()
