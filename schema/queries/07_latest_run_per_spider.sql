-- Question: Is every spider's cron job healthy: how did its latest run end, how long ago did it start,
-- is it stuck, and how many URLs did it fail on?
SELECT spider,
       status,
       stalled,
       started_at,
       now() - started_at AS age,
       duration,
       since_previous_run,
       failures,
       failures_by_kind
FROM crawl_health
WHERE is_latest
ORDER BY spider;
