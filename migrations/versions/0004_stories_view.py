"""Stories: the `story_articles` and `stories` views over connected components of syndication links.

The SQL is a copy of schema/views/story_articles.sql and schema/views/stories.sql as they were when this
revision was written (a released migration never changes); tests/test_linking_db.py checks that the database
at head renders exactly like those files.

Why plain views with a recursive CTE rather than a materialised story table: stories are small (an original
and its handful of copies), so the closure costs about the sum of the squared story sizes, and a plain view is
always current without a refresh step after each linker run. Links that only name a source (cites Xinhua)
are not edges, so agencies do not fuse unrelated stories into one giant component.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS_SQL: dict[str, str] = {
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
}


def upgrade() -> None:
    for sql in VIEWS_SQL.values():
        op.execute(sql)


def downgrade() -> None:
    for name in reversed(VIEWS_SQL):
        op.execute(f"DROP VIEW IF EXISTS {name}")
