-- Merit values of pupils leaving year 9 with grades: their sum, sum of squares (for the Student
-- t interval) and count per organisation, year and sex, from the school system's extract
-- (table pupils_year9: one row per pupil). Portable ANSI SQL.
SELECT org_id, period, sex, 'merit_points_year9' AS variable,
       CAST(SUM(meritvarde) AS DOUBLE) AS value, 'points_sum' AS unit
FROM pupils_year9
GROUP BY org_id, period, sex
UNION ALL
SELECT org_id, period, sex, 'merit_points_year9_sq' AS variable,
       CAST(SUM(meritvarde * meritvarde) AS DOUBLE) AS value, 'points_squared' AS unit
FROM pupils_year9
GROUP BY org_id, period, sex
UNION ALL
SELECT org_id, period, sex, 'pupils_year9_with_grades' AS variable,
       CAST(COUNT(DISTINCT elev_id) AS DOUBLE) AS value, 'count' AS unit
FROM pupils_year9
GROUP BY org_id, period, sex
