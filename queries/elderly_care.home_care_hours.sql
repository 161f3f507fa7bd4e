-- Home-care hours granted (their sum, and sum of squares for the Student t interval) and
-- recipients per organisation, month, sex and age band, from a case-system extract (table
-- home_care: one row per recipient and month). The age bands come from
-- elderly_care.home_care_hours.toml; records outside them have a null age_group.
-- Portable ANSI SQL: runs unchanged on polars, DuckDB and DataFusion.
SELECT org_id, period, sex, age_group,
       'home_care_hours' AS variable,
       CAST(SUM(beviljade_timmar) AS DOUBLE) AS value,
       'hours' AS unit
FROM home_care
WHERE age_group IS NOT NULL
GROUP BY org_id, period, sex, age_group
UNION ALL
SELECT org_id, period, sex, age_group,
       'home_care_hours_sq' AS variable,
       CAST(SUM(CAST(beviljade_timmar AS DOUBLE) * beviljade_timmar) AS DOUBLE) AS value,
       'hours_squared' AS unit
FROM home_care
WHERE age_group IS NOT NULL
GROUP BY org_id, period, sex, age_group
UNION ALL
SELECT org_id, period, sex, age_group,
       'home_care_recipients' AS variable,
       CAST(COUNT(DISTINCT brukar_id) AS DOUBLE) AS value,
       'count' AS unit
FROM home_care
WHERE age_group IS NOT NULL
GROUP BY org_id, period, sex, age_group
