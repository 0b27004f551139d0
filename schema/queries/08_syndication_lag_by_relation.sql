-- Question: How quickly are stories carried elsewhere: the median and the slowest lag, in hours, for
-- republications and for translations?
SELECT relation,
       count(*) AS copies,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_hours) AS median_lag_hours,
       max(lag_hours) AS max_lag_hours
FROM syndication_pairs
WHERE relation IN ('republishes', 'translates')
  AND lag_hours IS NOT NULL
GROUP BY relation
ORDER BY relation;
