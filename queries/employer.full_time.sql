-- Employees on full-time contracts, from the payroll extract (table payroll: one row per
-- employee and year, heltid = 'ja' or 'nej'). The denominator, employees_monthly_paid, comes
-- from employer.sick_leave_days.sql. Portable ANSI SQL.
SELECT org_id, period, sex, 'employees_working_full_time' AS variable,
       CAST(COUNT(DISTINCT CASE WHEN heltid = 'ja' THEN anstallnings_id END) AS DOUBLE) AS value,
       'count' AS unit
FROM payroll
GROUP BY org_id, period, sex
