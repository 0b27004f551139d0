-- daily_source_counts: articles per source, language and day (UTC; published_at, else fetched_at).
-- Materialised: counting the whole corpus grows with it (a third of a second at 300,000 articles), so it is
-- counted after each crawl and linker run (refresh_analyst_views()), not by every query.
CREATE MATERIALIZED VIEW daily_source_counts AS
SELECT (coalesce(a.published_at, a.fetched_at) AT TIME ZONE 'UTC')::date AS day,
       s.name AS source,
       coalesce(a.language, 'und') AS language,
       count(*) AS articles,
       sum(char_length(a.text)) AS characters,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM syndication_links AS l
           WHERE l.copy_article_id = a.id AND l.relation IN ('republishes', 'translates')
       )) AS copies
FROM articles AS a
JOIN sources AS s ON s.id = a.source_id
GROUP BY 1, 2, 3;
CREATE UNIQUE INDEX ux_daily_source_counts_day_source_language ON daily_source_counts (day, source, language);
