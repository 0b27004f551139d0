-- stories: one row per story (see story_articles): its original, how many copies and translations, in which
-- languages and sources, and how long the copies took. See schema/views.md. Materialised from the
-- materialised story_articles, refreshed with it (refresh_analyst_views()).
CREATE MATERIALIZED VIEW stories AS
SELECT sa.story_id,
       min(sa.story_original_article_id) AS original_article_id,
       min(sa.story_original_url) AS original_url,
       min(o.title) AS original_title,
       min(os.name) AS original_source,
       min(o.language) AS original_language,
       min(o.published_at) AS original_published_at,
       count(*) AS article_count,
       count(*) FILTER (WHERE sa.relation = 'republishes') AS republished_count,
       count(*) FILTER (WHERE sa.relation = 'translates') AS translated_count,
       array_agg(DISTINCT sa.language ORDER BY sa.language) FILTER (WHERE sa.language IS NOT NULL) AS languages,
       array_agg(DISTINCT sa.source ORDER BY sa.source) AS sources,
       min(sa.published_at) AS first_published_at,
       max(sa.published_at) AS last_published_at,
       max(sa.lag) AS max_lag,
       max(sa.lag_hours) AS max_lag_hours
FROM story_articles AS sa
LEFT JOIN articles AS o ON o.id = sa.story_original_article_id
LEFT JOIN sources AS os ON os.id = o.source_id
GROUP BY sa.story_id;
CREATE UNIQUE INDEX ux_stories_story_id ON stories (story_id);
