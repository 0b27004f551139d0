-- daily_source_counts: articles per source, language and day (UTC; published_at, else fetched_at).
CREATE VIEW daily_source_counts AS
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
