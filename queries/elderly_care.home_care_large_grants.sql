-- Recipients granted more than 50 hours in the month, per organisation, month, sex and age
-- band (80+ only, from the .toml). The denominator, home_care_recipients, comes from
-- elderly_care.home_care_hours.sql. Portable ANSI SQL.
SELECT org_id, period, sex, age_group,
       'home_care_recipients_over_50h' AS variable,
       CAST(COUNT(DISTINCT CASE WHEN beviljade_timmar > 50 THEN brukar_id END) AS DOUBLE) AS value,
       'count' AS unit
FROM home_care
WHERE age_group IS NOT NULL
GROUP BY org_id, period, sex, age_group
