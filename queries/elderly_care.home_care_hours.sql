-- Home-care hours granted (their sum, and sum of squares for the Student t interval) and
-- recipients per organisation, month, sex and age band, from a case-system extract (table
-- home_care: one row per recipient and month). The age bands come from
-- elderly_care.home_care_hours.toml; records outside them have a null age_group.
-- One GROUP BY computes all three (one pass over the records); the UNION ALL turns its columns
-- into jamfor's long rows.
-- Portable ANSI SQL: runs unchanged on polars, DuckDB and DataFusion.
WITH per_group AS (
    SELECT org_id, period, sex, age_group,
           SUM(beviljade_timmar) AS hours,
           SUM(CAST(beviljade_timmar AS DOUBLE) * beviljade_timmar) AS hours_sq,
           COUNT(DISTINCT brukar_id) AS recipients
    FROM home_care
    WHERE age_group IS NOT NULL
    GROUP BY org_id, period, sex, age_group
)
SELECT org_id, period, sex, age_group, 'home_care_hours' AS variable,
       CAST(hours AS DOUBLE) AS value, 'hours' AS unit
FROM per_group
UNION ALL
SELECT org_id, period, sex, age_group, 'home_care_hours_sq' AS variable,
       CAST(hours_sq AS DOUBLE) AS value, 'hours_squared' AS unit
FROM per_group
UNION ALL
SELECT org_id, period, sex, age_group, 'home_care_recipients' AS variable,
       CAST(recipients AS DOUBLE) AS value, 'count' AS unit
FROM per_group
