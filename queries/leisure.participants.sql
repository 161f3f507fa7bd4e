-- Participants in activities of clubs with a municipal grant, girls and boys, from the grant
-- register (table leisure_grants: one row per club and activity). Portable ANSI SQL.
SELECT org_id, period, 'K' AS sex, 'leisure_participants' AS variable,
       CAST(SUM(flickor) AS DOUBLE) AS value, 'count' AS unit
FROM leisure_grants
GROUP BY org_id, period
UNION ALL
SELECT org_id, period, 'M' AS sex, 'leisure_participants' AS variable,
       CAST(SUM(pojkar) AS DOUBLE) AS value, 'count' AS unit
FROM leisure_grants
GROUP BY org_id, period
