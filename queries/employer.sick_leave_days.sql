-- Sick days per employee with the spread for the Student t interval, from the payroll extract
-- (table payroll: one row per employee and year). Also the head count, which
-- employer.full_time and employer.training_share use as their denominator and base.
-- Portable ANSI SQL: runs unchanged on polars, DuckDB and DataFusion.
SELECT org_id, period, sex, 'sick_leave_days' AS variable,
       CAST(SUM(sjukdagar) AS DOUBLE) AS value, 'days' AS unit
FROM payroll
GROUP BY org_id, period, sex
UNION ALL
SELECT org_id, period, sex, 'sick_leave_days_sq' AS variable,
       CAST(SUM(CAST(sjukdagar AS DOUBLE) * sjukdagar) AS DOUBLE) AS value, 'days_squared' AS unit
FROM payroll
GROUP BY org_id, period, sex
UNION ALL
SELECT org_id, period, sex, 'employees_monthly_paid' AS variable,
       CAST(COUNT(DISTINCT anstallnings_id) AS DOUBLE) AS value, 'count' AS unit
FROM payroll
GROUP BY org_id, period, sex
