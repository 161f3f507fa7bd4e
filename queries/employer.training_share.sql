-- Money spent on each employee's skills development, summed per organisation, year and sex,
-- from the payroll extract (table payroll). The base, employees_monthly_paid, comes from
-- employer.sick_leave_days.sql. Portable ANSI SQL.
SELECT org_id, period, sex, 'training_sek' AS variable,
       CAST(SUM(kompetensutveckling_kr) AS DOUBLE) AS value, 'sek' AS unit
FROM payroll
GROUP BY org_id, period, sex
