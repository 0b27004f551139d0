"""The SQL behind each page: parameterised, bounded reads through the analyst surface (search_articles(),
the stories, story_articles, syndication_pairs, daily_source_counts and crawl_health views, similar_articles()).

Each function takes a connection (a read-only transaction, crawler.web.db) and returns plain rows. Ranking
stays in `search_articles()`: the search page pages and filters its output in the order it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import BigInteger

from crawler.analyst.search import prepare_query

MAX_SEGMENTS = 400  # paragraphs shown of one article
MAX_LINKS = 200  # links in or out of one article
MAX_STORY_MEMBERS = 60
RECENT_RUNS = 60
RECENT_FAILURES = 50
LATEST_ARTICLES = 20
CHART_DAYS = 60
RECENT_SAMPLE = 200  # the latest articles of a source whose languages and extractor share the sources page shows

Rows = list[RowMapping]

_SEARCH = text(
    """
    SELECT h.article_id, h.rank, h.title, h.source, h.language, h.published_at, h.url, h.snippet,
           count(*) OVER () AS total
    FROM search_articles(:query, :lang, :since, :max_results)
         WITH ORDINALITY AS h(article_id, rank, title, source, language, published_at, url, snippet, n)
    JOIN articles AS a ON a.id = h.article_id
    WHERE (CAST(:source AS text) IS NULL OR h.source = :source)
      AND (CAST(:until AS timestamptz) IS NULL OR coalesce(a.published_at, a.fetched_at) < :until)
    ORDER BY h.n
    LIMIT :limit OFFSET :offset
    """
)


def search(
    conn: Connection,
    query: str,
    *,
    lang: str | None,
    since: datetime | None,
    until: datetime | None,
    source: str | None,
    max_results: int,
    limit: int,
    offset: int,
) -> Rows:
    """One page of `search_articles()` hits (Traditional folded as `newscrawl search` does),
    kept in the function's order; source and end date filter its first `max_results` hits. Each row carries
    `total`, the number of hits after the filters."""
    params = {"query": prepare_query(query), "lang": lang, "since": since, "until": until, "source": source,
              "max_results": max_results, "limit": limit, "offset": offset}  # fmt: skip
    return list(conn.execute(_SEARCH, params).mappings())


def stories_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, int]:
    """article id -> story id, for the articles that belong to a story. Only articles with a link that joins
    stories (to an article or a URL) are looked up in story_articles: most articles have none, and the view
    computes the story groups of the whole corpus."""
    if not article_ids:
        return {}
    linked = text(
        """
        SELECT i.id FROM unnest(CAST(:ids AS bigint[])) AS i(id)
        WHERE EXISTS (SELECT 1 FROM syndication_links l WHERE l.copy_article_id = i.id
                      AND (l.original_article_id IS NOT NULL OR l.original_url IS NOT NULL))
           OR EXISTS (SELECT 1 FROM syndication_links l WHERE l.original_article_id = i.id)
        """
    )
    members = list(conn.execute(linked, {"ids": list(article_ids)}).scalars())
    if not members:
        return {}
    statement = text("SELECT article_id, story_id FROM story_articles WHERE article_id = ANY(:ids)").bindparams(
        bindparam("ids", type_=ARRAY(BigInteger))
    )
    return {row.article_id: row.story_id for row in conn.execute(statement, {"ids": members})}


def source_names(conn: Connection) -> list[str]:
    """The sources that have articles, by name."""
    return list(
        conn.execute(
            text("SELECT s.name FROM sources s WHERE EXISTS (SELECT 1 FROM articles a WHERE a.source_id = s.id) "
                 "ORDER BY s.name")
        ).scalars()
    )  # fmt: skip


def article(conn: Connection, article_id: int) -> RowMapping | None:
    return (
        conn.execute(
            text(
                """
                SELECT a.id, a.url, a.fetched_url, a.canonical_url, a.title, a.original_title, a.authors,
                       a.published_at, a.modified_at, a.fetched_at, a.first_seen_at, a.language, a.site_language,
                       a.section, a.encoding, a.profile, a.extractor_version, a.http_status, a.capture_ref,
                       a.attributions, char_length(a.text) AS char_count, s.id AS source_id, s.name AS source,
                       s.kind AS source_kind
                FROM articles a JOIN sources s ON s.id = a.source_id
                WHERE a.id = :id
                """
            ),
            {"id": article_id},
        )
        .mappings()
        .first()
    )


def segments(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Each article's language segments in page order (at most MAX_SEGMENTS each)."""
    statement = text(
        "SELECT article_id, ordinal, language, text FROM article_segments "
        "WHERE article_id = ANY(:ids) AND ordinal < :cap ORDER BY article_id, ordinal"
    ).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
    found: dict[int, list[RowMapping]] = {i: [] for i in article_ids}
    for row in conn.execute(statement, {"ids": list(article_ids), "cap": MAX_SEGMENTS}).mappings():
        found[row["article_id"]].append(row)
    return found


def article_text(conn: Connection, article_id: int) -> str:
    return str(conn.execute(text("SELECT text FROM articles WHERE id = :id"), {"id": article_id}).scalar() or "")


def links_out(conn: Connection, article_id: int) -> Rows:
    """What this article copies, translates or cites (syndication_pairs), strongest first."""
    return list(
        conn.execute(
            text(
                "SELECT * FROM syndication_pairs WHERE copy_article_id = :id ORDER BY score DESC, link_id LIMIT :cap"
            ),
            {"id": article_id, "cap": MAX_LINKS},
        ).mappings()
    )


def links_in(conn: Connection, article_id: int) -> Rows:
    """The articles that copy, translate or cite this one, earliest first."""
    return list(
        conn.execute(
            text(
                "SELECT * FROM syndication_pairs WHERE original_article_id = :id "
                "ORDER BY copy_published_at NULLS LAST, link_id LIMIT :cap"
            ),
            {"id": article_id, "cap": MAX_LINKS},
        ).mappings()
    )


def similar(conn: Connection, article_id: int, limit: int = 8) -> Rows:
    """The closest articles by stored embedding (empty without embeddings)."""
    return list(
        conn.execute(text("SELECT * FROM similar_articles(:id, :n)"), {"id": article_id, "n": limit}).mappings()
    )


def story(conn: Connection, story_id: int) -> RowMapping | None:
    return conn.execute(text("SELECT * FROM stories WHERE story_id = :id"), {"id": story_id}).mappings().first()


def story_members(conn: Connection, story_id: int) -> Rows:
    """The story's articles: the original first, then by publication time."""
    return list(
        conn.execute(
            text(
                "SELECT * FROM story_articles WHERE story_id = :id "
                "ORDER BY is_original DESC, published_at NULLS LAST, article_id LIMIT :cap"
            ),
            {"id": story_id, "cap": MAX_STORY_MEMBERS},
        ).mappings()
    )


def story_links(conn: Connection, article_ids: Sequence[int]) -> Rows:
    """The links among a story's articles, with their evidence details."""
    statement = text(
        "SELECT copy_article_id, original_article_id, relation, evidence, score, details FROM syndication_pairs "
        "WHERE copy_article_id = ANY(:ids) AND original_article_id = ANY(:ids)"
    ).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
    return list(conn.execute(statement, {"ids": list(article_ids)}).mappings())


def largest_stories(conn: Connection, limit: int = 30) -> Rows:
    return list(
        conn.execute(
            text(
                "SELECT * FROM stories ORDER BY cardinality(languages) DESC, article_count DESC, story_id LIMIT :n"
            ),
            {"n": limit},
        ).mappings()
    )


def sources_overview(conn: Connection) -> Rows:
    """Per source with articles: how many (an index-only count), the latest publication, and over its latest
    RECENT_SAMPLE articles the languages and the share read by the generic extractor (bounded per source)."""
    return list(
        conn.execute(
            text(
                """
                SELECT s.id, s.name, s.kind, c.articles, c.latest, r.languages, r.generic_share, r.has_profile
                FROM sources AS s
                CROSS JOIN LATERAL (
                    SELECT count(*) AS articles, max(a.published_at) AS latest
                    FROM articles AS a WHERE a.source_id = s.id
                ) AS c
                CROSS JOIN LATERAL (
                    SELECT array_agg(DISTINCT coalesce(x.language, 'und')) AS languages,
                           avg((x.profile = 'generic')::int)::float AS generic_share,
                           bool_or(x.profile IS NOT NULL AND x.profile <> 'generic') AS has_profile
                    FROM (SELECT a.language, a.profile FROM articles AS a WHERE a.source_id = s.id
                          ORDER BY a.published_at DESC LIMIT :sample) AS x
                ) AS r
                WHERE c.articles > 0
                ORDER BY c.articles DESC, s.name
                """
            ),
            {"sample": RECENT_SAMPLE},
        ).mappings()
    )


def source(conn: Connection, source_id: int) -> RowMapping | None:
    return (
        conn.execute(text("SELECT id, name, kind, country, domains FROM sources WHERE id = :id"), {"id": source_id})
        .mappings()
        .first()
    )


def daily_counts(conn: Connection, source_name: str) -> Rows:
    """daily_source_counts of one source over its last CHART_DAYS days with articles."""
    return list(
        conn.execute(
            text(
                """
                WITH counts AS MATERIALIZED (
                    SELECT day, language, articles FROM daily_source_counts WHERE source = :name
                )
                SELECT day, language, articles FROM counts
                WHERE day > (SELECT max(day) FROM counts) - :days
                ORDER BY day, language
                """
            ),
            {"name": source_name, "days": CHART_DAYS},
        ).mappings()
    )


def profile_fallback(conn: Connection, source_id: int) -> Rows:
    """Per UTC day of publication over the source's last CHART_DAYS days: articles, and how many were read by the
    generic extractor (a range of the (source_id, published_at) index; undated articles are left out)."""
    return list(
        conn.execute(
            text(
                """
                WITH bounds AS (SELECT max(published_at) AS last FROM articles WHERE source_id = :id)
                SELECT (a.published_at AT TIME ZONE 'UTC')::date AS day, count(*) AS articles,
                       count(*) FILTER (WHERE a.profile = 'generic') AS generic
                FROM articles AS a, bounds
                WHERE a.source_id = :id AND a.published_at > bounds.last - make_interval(days => :days)
                GROUP BY 1 ORDER BY 1
                """
            ),
            {"id": source_id, "days": CHART_DAYS},
        ).mappings()
    )


def latest_articles(conn: Connection, source_id: int) -> Rows:
    """The source's latest dated articles (a backward range of the (source_id, published_at) index)."""
    return list(
        conn.execute(
            text(
                "SELECT id, title, language, published_at, fetched_at, profile FROM articles "
                "WHERE source_id = :id AND published_at IS NOT NULL ORDER BY published_at DESC, id DESC LIMIT :n"
            ),
            {"id": source_id, "n": LATEST_ARTICLES},
        ).mappings()
    )


def crawl_runs(conn: Connection) -> Rows:
    """The latest runs from crawl_health, with the summary counts taken out of their stats."""
    return list(
        conn.execute(
            text(
                """
                SELECT run_id, spider, status, started_at, finished_at, duration, is_latest, stalled,
                       needs_attention, failures, gave_up, failures_by_kind, failed_sources, error, host,
                       coalesce((stats->>'pages')::bigint, 0) AS pages,
                       coalesce((stats->>'articles_new')::bigint, 0) AS articles_new,
                       coalesce((stats->>'articles_updated')::bigint, 0) AS articles_updated,
                       coalesce((stats->>'articles_unchanged')::bigint, 0)
                         + coalesce((stats->>'not_modified')::bigint, 0) AS articles_unchanged,
                       coalesce(stats->'errors', '{}'::jsonb) AS errors
                FROM crawl_health
                ORDER BY run_id DESC
                LIMIT :n
                """
            ),
            {"n": RECENT_RUNS},
        ).mappings()
    )


def recent_failures(conn: Connection) -> Rows:
    return list(
        conn.execute(
            text(
                "SELECT url, spider, kind, http_status, error, attempts, gave_up, last_failed_at, last_run_id "
                "FROM fetch_failures ORDER BY last_failed_at DESC, url LIMIT :n"
            ),
            {"n": RECENT_FAILURES},
        ).mappings()
    )
