"""Materialised analyst views: story_articles, stories and daily_source_counts, and refresh_analyst_views().

The three views cost time in proportion to the corpus (daily_source_counts counts every article; the stories
close over every link), too slow for interactive use at a few hundred thousand articles. They become
materialised views with unique indexes (so they can be refreshed CONCURRENTLY, readers undisturbed), same
columns; `refresh_analyst_views()` recomputes them and is called by the commands that store or link articles
(crawler.analyst.views.refresh_views). The SQL is a copy of schema/views/*.sql and
schema/functions/views.sql as they were when this revision was written; tests/test_analyst_views.py checks
that the database at head renders exactly like those files.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATERIALISED = ("story_articles", "stories", "daily_source_counts")  # in the order they are created

VIEWS_SQL: dict[str, str] = {
    "story_articles": r"""
-- story_articles: one row per article that belongs to a story (a connected component of syndication links).
-- Components are found with a recursive CTE over article and uncrawled-URL nodes (links to a named source only
-- do not join stories: every article citing Xinhua would otherwise be one story). See schema/views.md.
-- Materialised: the closure over every link takes about a second, so it is computed when the links change
-- (refresh_analyst_views(), called after each crawl and linker run), not by every query.
CREATE MATERIALIZED VIEW story_articles AS
WITH RECURSIVE edges AS (
    SELECT 'article:' || l.copy_article_id AS a, l.original_key AS b
    FROM syndication_links AS l
    WHERE l.original_article_id IS NOT NULL OR l.original_url IS NOT NULL
), undirected AS (
    SELECT e.a, e.b FROM edges AS e
    UNION
    SELECT e.b, e.a FROM edges AS e
), reach (node, other) AS (
    SELECT u.a, u.a FROM undirected AS u
    UNION
    SELECT r.node, u.b FROM reach AS r JOIN undirected AS u ON u.a = r.other
), members AS (
    SELECT r.node,
           min(substr(r.other, 9)::bigint) FILTER (WHERE r.other LIKE 'article:%') AS story_id,
           min(substr(r.other, 5)) FILTER (WHERE r.other LIKE 'url:%') AS story_url
    FROM reach AS r
    GROUP BY r.node
), best_link AS (
    SELECT DISTINCT ON (l.copy_article_id)
           l.copy_article_id, l.relation, l.evidence, l.score, l.original_article_id, l.original_url
    FROM syndication_links AS l
    WHERE l.original_article_id IS NOT NULL OR l.original_url IS NOT NULL
    ORDER BY l.copy_article_id, l.score DESC, l.id
), story_article AS (
    SELECT m.story_id, m.story_url, substr(m.node, 9)::bigint AS article_id
    FROM members AS m
    WHERE m.node LIKE 'article:%'
), roots AS (
    SELECT DISTINCT ON (sa.story_id)
           sa.story_id,
           CASE WHEN b.copy_article_id IS NULL OR sa.story_url IS NULL THEN a.id END AS original_article_id,
           CASE WHEN b.copy_article_id IS NOT NULL THEN sa.story_url END AS original_url,
           CASE WHEN b.copy_article_id IS NULL OR sa.story_url IS NULL THEN a.published_at END AS original_published_at
    FROM story_article AS sa
    JOIN articles AS a ON a.id = sa.article_id
    LEFT JOIN best_link AS b ON b.copy_article_id = sa.article_id
    ORDER BY sa.story_id, b.copy_article_id IS NOT NULL, a.published_at NULLS LAST, a.id
), first_seen AS (
    SELECT sa.story_id, min(a.published_at) AS first_published_at
    FROM story_article AS sa JOIN articles AS a ON a.id = sa.article_id
    GROUP BY sa.story_id
)
SELECT sa.story_id,
       sa.article_id,
       sa.article_id = r.original_article_id AS is_original,
       b.relation,
       b.evidence,
       b.score,
       b.original_article_id AS links_to_article_id,
       b.original_url AS links_to_url,
       r.original_article_id AS story_original_article_id,
       r.original_url AS story_original_url,
       s.name AS source,
       s.kind AS source_kind,
       a.language,
       a.published_at,
       a.published_at - coalesce(r.original_published_at, f.first_published_at) AS lag,
       (extract(epoch FROM a.published_at - coalesce(r.original_published_at, f.first_published_at))
        / 3600)::double precision AS lag_hours,
       a.title,
       a.url
FROM story_article AS sa
JOIN articles AS a ON a.id = sa.article_id
JOIN sources AS s ON s.id = a.source_id
JOIN roots AS r ON r.story_id = sa.story_id
JOIN first_seen AS f ON f.story_id = sa.story_id
LEFT JOIN best_link AS b ON b.copy_article_id = sa.article_id;
CREATE UNIQUE INDEX ux_story_articles_article_id ON story_articles (article_id);
CREATE INDEX ix_story_articles_story_id ON story_articles (story_id);
""",
    "stories": r"""
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
""",
    "daily_source_counts": r"""
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
""",
}

REFRESH_FUNCTION_SQL = r"""
-- refresh_analyst_views(): recompute the materialised analyst views (story_articles, then stories, which is
-- built on it, and daily_source_counts) from the tables; see schema/views.md. `newscrawl crawl`, `link`,
-- `demo` and `db replay-spool` call it when they have stored or linked something
-- (crawler.analyst.views.refresh_views). A view that holds data is refreshed CONCURRENTLY, so queries on it
-- go on reading the previous contents meanwhile. Only the views' owner may run it. Returns the seconds taken.
CREATE FUNCTION refresh_analyst_views() RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
    started timestamptz := clock_timestamp();
    view_name text;
BEGIN
    FOREACH view_name IN ARRAY ARRAY['story_articles', 'stories', 'daily_source_counts'] LOOP
        IF (SELECT c.relispopulated FROM pg_class AS c
            WHERE c.oid = to_regclass(view_name) AND c.relkind = 'm') THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', view_name);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %I', view_name);
        END IF;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - started);
END
$$;
"""

# as revisions 0003 (daily_source_counts) and 0004 (the stories views) created them
PREVIOUS_VIEWS_SQL: dict[str, str] = {
    "story_articles": r"""
-- story_articles: one row per article that belongs to a story (a connected component of syndication links).
-- Components are found with a recursive CTE over article and uncrawled-URL nodes (links to a named source only
-- do not join stories: every article citing Xinhua would otherwise be one story). See schema/views.md.
CREATE VIEW story_articles AS
WITH RECURSIVE edges AS (
    SELECT 'article:' || l.copy_article_id AS a, l.original_key AS b
    FROM syndication_links AS l
    WHERE l.original_article_id IS NOT NULL OR l.original_url IS NOT NULL
), undirected AS (
    SELECT e.a, e.b FROM edges AS e
    UNION
    SELECT e.b, e.a FROM edges AS e
), reach (node, other) AS (
    SELECT u.a, u.a FROM undirected AS u
    UNION
    SELECT r.node, u.b FROM reach AS r JOIN undirected AS u ON u.a = r.other
), members AS (
    SELECT r.node,
           min(substr(r.other, 9)::bigint) FILTER (WHERE r.other LIKE 'article:%') AS story_id,
           min(substr(r.other, 5)) FILTER (WHERE r.other LIKE 'url:%') AS story_url
    FROM reach AS r
    GROUP BY r.node
), best_link AS (
    SELECT DISTINCT ON (l.copy_article_id)
           l.copy_article_id, l.relation, l.evidence, l.score, l.original_article_id, l.original_url
    FROM syndication_links AS l
    WHERE l.original_article_id IS NOT NULL OR l.original_url IS NOT NULL
    ORDER BY l.copy_article_id, l.score DESC, l.id
), story_article AS (
    SELECT m.story_id, m.story_url, substr(m.node, 9)::bigint AS article_id
    FROM members AS m
    WHERE m.node LIKE 'article:%'
), roots AS (
    SELECT DISTINCT ON (sa.story_id)
           sa.story_id,
           CASE WHEN b.copy_article_id IS NULL OR sa.story_url IS NULL THEN a.id END AS original_article_id,
           CASE WHEN b.copy_article_id IS NOT NULL THEN sa.story_url END AS original_url,
           CASE WHEN b.copy_article_id IS NULL OR sa.story_url IS NULL THEN a.published_at END AS original_published_at
    FROM story_article AS sa
    JOIN articles AS a ON a.id = sa.article_id
    LEFT JOIN best_link AS b ON b.copy_article_id = sa.article_id
    ORDER BY sa.story_id, b.copy_article_id IS NOT NULL, a.published_at NULLS LAST, a.id
), first_seen AS (
    SELECT sa.story_id, min(a.published_at) AS first_published_at
    FROM story_article AS sa JOIN articles AS a ON a.id = sa.article_id
    GROUP BY sa.story_id
)
SELECT sa.story_id,
       sa.article_id,
       sa.article_id = r.original_article_id AS is_original,
       b.relation,
       b.evidence,
       b.score,
       b.original_article_id AS links_to_article_id,
       b.original_url AS links_to_url,
       r.original_article_id AS story_original_article_id,
       r.original_url AS story_original_url,
       s.name AS source,
       s.kind AS source_kind,
       a.language,
       a.published_at,
       a.published_at - coalesce(r.original_published_at, f.first_published_at) AS lag,
       (extract(epoch FROM a.published_at - coalesce(r.original_published_at, f.first_published_at))
        / 3600)::double precision AS lag_hours,
       a.title,
       a.url
FROM story_article AS sa
JOIN articles AS a ON a.id = sa.article_id
JOIN sources AS s ON s.id = a.source_id
JOIN roots AS r ON r.story_id = sa.story_id
JOIN first_seen AS f ON f.story_id = sa.story_id
LEFT JOIN best_link AS b ON b.copy_article_id = sa.article_id;
""",
    "stories": r"""
-- stories: one row per story (see story_articles): its original, how many copies and translations, in which
-- languages and sources, and how long the copies took. See schema/views.md.
CREATE VIEW stories AS
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
""",
    "daily_source_counts": r"""
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
""",
}


def _run(sql: str) -> None:
    """Run a script as written: no bind-parameter parsing of its colons and quotes."""
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    for name in reversed(MATERIALISED):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in MATERIALISED:
        _run(VIEWS_SQL[name])
    _run(REFRESH_FUNCTION_SQL)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS refresh_analyst_views()")
    for name in reversed(MATERIALISED):
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {name}")
    for name in MATERIALISED:
        _run(PREVIOUS_VIEWS_SQL[name])
