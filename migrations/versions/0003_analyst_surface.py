"""Analyst surface: articles.search_vector with a GIN index, the search functions and the analyst views.

The SQL below is a copy of schema/functions/search.sql and schema/views/*.sql as they were when this
revision was written (a released migration never changes); tests/test_analyst_views.py checks that the
database at head renders exactly like those files, so a later change of a view needs a new revision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = ("search_form", "chinese_tsquery", "search_tsquery", "search_articles")

SEARCH_FUNCTIONS_SQL = r"""-- Full-text search over Chinese, English and German articles (see schema/search.md).
--
-- articles.search_vector is built when an article is stored (crawler/analyst/search.py): the title with
-- weight A and each language segment with weight B, English under the `english` configuration, German under
-- `german`, Chinese as jieba words plus character bigrams under no parser at all (PostgreSQL has no Chinese
-- parser), anything else under `simple`. These functions turn a query into a tsquery the same way and rank.

-- search_form(text): lower-cased words separated by single spaces, padded with one space at each end,
-- so that `strpos(search_form(doc), search_form(phrase))` is a whole-word match in any script.
CREATE FUNCTION search_form(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ' ' || btrim(regexp_replace(lower(value),
    '[^0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', ' ', 'g')) || ' ';

-- chinese_tsquery(words): all of the space-separated words must occur. A Chinese word of three or more
-- characters also matches as a phrase of its character bigrams (人工智能: '人工' <-> '工智' <-> '智能'), i.e. as
-- a substring, whatever jieba made of the document; a single character matches any word or bigram it starts.
-- Analysts writing SQL separate Chinese words by spaces themselves; `newscrawl search` does it with jieba.
CREATE FUNCTION chinese_tsquery(words text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT coalesce(string_agg(term, ' & ' ORDER BY n), '')::tsquery
    FROM (
        SELECT t.n,
               CASE
                   WHEN char_length(t.w) > 2 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$' THEN
                       '(''' || t.w || ''' | ('
                       || (SELECT string_agg('''' || substr(t.w, i, 2) || '''', ' <-> ' ORDER BY i)
                           FROM generate_series(1, char_length(t.w) - 1) AS i)
                       || '))'
                   WHEN char_length(t.w) = 1 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$' THEN
                       '''' || t.w || ''':*'
                   ELSE '''' || t.w || ''''
               END AS term
        FROM regexp_split_to_table(btrim(search_form(words)), ' ') WITH ORDINALITY AS t(w, n)
        WHERE t.w <> ''
    ) AS terms
);

-- search_tsquery(query, lang): the tsquery for a query in one language ('zh', 'en', 'de'; another code uses
-- the `simple` configuration), or in any of the three when lang is NULL.
CREATE FUNCTION search_tsquery(query text, lang text DEFAULT NULL) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN lang IS NULL THEN chinese_tsquery(query) || websearch_to_tsquery('english', query)
                           || websearch_to_tsquery('german', query)
    WHEN left(lang, 2) = 'zh' THEN chinese_tsquery(query)
    WHEN lang = 'en' THEN websearch_to_tsquery('english', query)
    WHEN lang = 'de' THEN websearch_to_tsquery('german', query)
    ELSE websearch_to_tsquery('simple', query)
END;

-- search_articles(query, lang, since, max_results): ranked matches with a snippet.
-- rank = ts_rank over the search vector (title counts more than body), plus 1 when the query occurs as written
-- (whole words) in the title and 0.5 when it does in the first 2000 characters of the text, so an exact
-- match ranks above a stemmed or partial one. lang restricts the results to articles with text in that
-- language; since compares with published_at (fetched_at when the page gave no date).
CREATE FUNCTION search_articles(
    query text,
    lang text DEFAULT NULL,
    since timestamptz DEFAULT NULL,
    max_results integer DEFAULT 20
)
RETURNS TABLE (
    article_id bigint,
    rank real,
    title text,
    source text,
    language varchar,
    published_at timestamptz,
    url text,
    snippet text
)
LANGUAGE sql STABLE
AS $$
    WITH q AS (
        SELECT search_tsquery(query, lang) AS tsq,
               search_form(regexp_replace(query,
                   '(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])',
                   '', 'g')) AS exact,
               regexp_split_to_array(btrim(search_form(query)), ' ') AS words
    ),
    hits AS (
        SELECT a.id, a.title, a.text, a.language, a.published_at, a.url, a.source_id,
               ts_rank(a.search_vector, q.tsq)
               + CASE WHEN q.exact = '  ' THEN 0
                      WHEN strpos(search_form(a.title), q.exact) > 0 THEN 1
                      WHEN strpos(search_form(left(a.text, 2000)), q.exact) > 0 THEN 0.5
                      ELSE 0 END AS rank
        FROM articles AS a, q
        WHERE a.search_vector @@ q.tsq
          AND (lang IS NULL OR a.language = lang
               OR EXISTS (SELECT 1 FROM article_segments AS g WHERE g.article_id = a.id AND g.language = lang))
          AND (since IS NULL OR coalesce(a.published_at, a.fetched_at) >= since)
        ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.id
        LIMIT max_results
    )
    SELECT h.id, h.rank::real, h.title, s.name, h.language, h.published_at, h.url,
           CASE
               WHEN left(coalesce(h.language, ''), 2) = 'zh' THEN
                   (SELECT CASE WHEN min(p) IS NULL THEN left(flat, 100)
                                ELSE CASE WHEN min(p) > 30 THEN '…' ELSE '' END
                                     || substr(flat, greatest(min(p) - 30, 1), 100) || '…' END
                    FROM (SELECT regexp_replace(h.text, '\s+', ' ', 'g') AS flat) AS f
                    LEFT JOIN LATERAL unnest(q.words) AS w ON true
                    LEFT JOIN LATERAL (SELECT nullif(strpos(lower(f.flat), w), 0) AS p) AS found ON true
                    GROUP BY f.flat)
               ELSE ts_headline(
                   CASE h.language WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' ELSE 'simple' END::regconfig,
                   regexp_replace(h.text, '\s+', ' ', 'g'), q.tsq,
                   'MaxWords=30, MinWords=12, MaxFragments=1, StartSel=[, StopSel=]')
           END
    FROM hits AS h
    JOIN sources AS s ON s.id = h.source_id
    CROSS JOIN q
    ORDER BY h.rank DESC, h.published_at DESC NULLS LAST, h.id
$$;
"""

VIEWS_SQL: dict[str, str] = {
    "articles_overview": r"""
-- articles_overview: one row per article with its source and its language segments (see schema/views.md).
CREATE VIEW articles_overview AS
SELECT a.id AS article_id,
       a.url,
       a.title,
       a.original_title,
       a.authors,
       s.name AS source,
       s.kind AS source_kind,
       s.country AS source_country,
       a.language,
       a.published_at,
       a.fetched_at,
       a.section,
       char_length(a.text) AS char_count,
       seg.segment_languages,
       seg.chars_by_language,
       seg.segments,
       a.text
FROM articles AS a
JOIN sources AS s ON s.id = a.source_id
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT g.language ORDER BY g.language) AS segment_languages,
           (SELECT jsonb_object_agg(x.language, x.chars)
            FROM (SELECT language, sum(char_count) AS chars FROM article_segments
                  WHERE article_id = a.id GROUP BY language) AS x) AS chars_by_language,
           jsonb_agg(jsonb_build_object('ordinal', g.ordinal, 'language', g.language, 'char_count', g.char_count)
                     ORDER BY g.ordinal) AS segments
    FROM article_segments AS g
    WHERE g.article_id = a.id
) AS seg ON true;
""",
    "syndication_pairs": r"""
-- syndication_pairs: every syndication link with both sides' titles, sources, languages and the time lag.
CREATE VIEW syndication_pairs AS
SELECT l.id AS link_id,
       l.relation,
       l.evidence,
       l.score,
       c.id AS copy_article_id,
       c.title AS copy_title,
       cs.name AS copy_source,
       cs.kind AS copy_source_kind,
       c.language AS copy_language,
       c.published_at AS copy_published_at,
       c.url AS copy_url,
       o.id AS original_article_id,
       o.title AS original_title,
       coalesce(os.name, ns.name) AS original_source,
       coalesce(os.kind, ns.kind) AS original_source_kind,
       coalesce(o.language, ns.language) AS original_language,
       o.published_at AS original_published_at,
       coalesce(o.url, l.original_url) AS original_url,
       c.published_at - o.published_at AS lag,
       (extract(epoch FROM c.published_at - o.published_at) / 3600)::double precision AS lag_hours,
       l.details,
       l.created_at
FROM syndication_links AS l
JOIN articles AS c ON c.id = l.copy_article_id
JOIN sources AS cs ON cs.id = c.source_id
LEFT JOIN articles AS o ON o.id = l.original_article_id
LEFT JOIN sources AS os ON os.id = o.source_id
LEFT JOIN sources AS ns ON ns.id = l.original_source_id;
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
    "crawl_health": r"""
-- crawl_health: one row per crawl run with its duration, the gap since the same spider's previous run,
-- whether it is the spider's latest run or looks stalled, and the fetch failures it left behind.
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
       coalesce(f.failures, 0) AS failures,
       coalesce(f.gave_up, 0) AS gave_up,
       coalesce(f.failures_by_kind, '{}'::jsonb) AS failures_by_kind,
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
    op.add_column("articles", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    # rows stored before this revision get their vector now; new rows get it from the store's upsert
    from crawler.analyst.search import refresh_search_vectors

    refresh_search_vectors(op.get_bind(), into_articles_column=True)
    op.create_index("ix_articles_search_vector", "articles", ["search_vector"], postgresql_using="gin")
    _run(SEARCH_FUNCTIONS_SQL)
    for sql in VIEWS_SQL.values():
        _run(sql)


def downgrade() -> None:
    for name in reversed(VIEWS_SQL):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
    op.drop_index("ix_articles_search_vector", table_name="articles")
    op.drop_column("articles", "search_vector")
