-- crawl_health: one row per crawl run with its duration, the gap since the same spider's previous run,
-- whether it is the spider's latest run or looks stalled, whether it needs attention (failed, degraded,
-- interrupted or stalled), the sources nothing could be discovered for, and the fetch failures it left behind.
CREATE VIEW crawl_health AS
SELECT r.id AS run_id,
       r.spider,
       r.status,
       r.started_at,
       r.finished_at,
       coalesce(r.finished_at, now()) - r.started_at AS duration,
       r.started_at - lag(r.started_at) OVER (PARTITION BY r.spider ORDER BY r.started_at, r.id) AS since_previous_run,
       row_number() OVER (PARTITION BY r.spider ORDER BY r.started_at DESC, r.id DESC) = 1 AS is_latest,
       r.status = 'running' AND r.started_at < now() - interval '6 hours' AS stalled,
       r.status IN ('failed', 'degraded', 'interrupted')
           OR (r.status = 'running' AND r.started_at < now() - interval '6 hours') AS needs_attention,
       coalesce(f.failures, 0) AS failures,
       coalesce(f.gave_up, 0) AS gave_up,
       coalesce(f.failures_by_kind, '{}'::jsonb) AS failures_by_kind,
       coalesce(r.stats -> 'failed_sources', '[]'::jsonb) AS failed_sources,
       r.stats,
       r.error,
       r.host,
       r.log_file
FROM crawl_runs AS r
LEFT JOIN (
    SELECT k.last_run_id,
           sum(k.n) AS failures,
           sum(k.gave_up) AS gave_up,
           jsonb_object_agg(k.kind, k.n) AS failures_by_kind
    FROM (SELECT last_run_id, kind, count(*) AS n, count(*) FILTER (WHERE gave_up) AS gave_up
          FROM fetch_failures WHERE last_run_id IS NOT NULL GROUP BY last_run_id, kind) AS k
    GROUP BY k.last_run_id
) AS f ON f.last_run_id = r.id;
