-- Question: Which English-language outlets carried Sina Finance stories within 24 hours of publication,
-- how many stories each, and how fast on average?
SELECT copy_source,
       count(*) AS stories,
       round(avg(lag_hours)::numeric, 1) AS avg_lag_hours
FROM syndication_pairs
WHERE original_source = 'Sina Finance'
  AND copy_language = 'en'
  AND relation IN ('republishes', 'translates')
  AND lag_hours BETWEEN 0 AND 24
GROUP BY copy_source
ORDER BY stories DESC, avg_lag_hours, copy_source;
