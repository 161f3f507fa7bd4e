-- Grants attributed to girls and boys in proportion to each activity's participants (a club's
-- grant follows its members), summed per organisation and year. The denominator,
-- leisure_participants, comes from leisure.participants.sql. Portable ANSI SQL.
SELECT org_id, period, 'K' AS sex, 'leisure_grant_sek' AS variable,
       SUM(CAST(bidrag_kr AS DOUBLE) * flickor / (flickor + pojkar)) AS value, 'sek' AS unit
FROM leisure_grants
WHERE flickor + pojkar > 0
GROUP BY org_id, period
UNION ALL
SELECT org_id, period, 'M' AS sex, 'leisure_grant_sek' AS variable,
       SUM(CAST(bidrag_kr AS DOUBLE) * pojkar / (flickor + pojkar)) AS value, 'sek' AS unit
FROM leisure_grants
WHERE flickor + pojkar > 0
GROUP BY org_id, period
