-- Question: Which fetch failures happened in the last seven days, by spider and kind, and how many of those
-- URLs have we given up on?
SELECT spider,
       kind,
       count(*) AS urls,
       count(*) FILTER (WHERE gave_up) AS given_up,
       sum(attempts) AS attempts,
       max(last_failed_at) AS latest
FROM fetch_failures
WHERE last_failed_at >= now() - interval '7 days'
GROUP BY spider, kind
ORDER BY spider, urls DESC, kind;
