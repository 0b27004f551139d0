"""Full-text search: the search vector written with every article, and queries through `search_articles(…)`.

An article's vector is its title (weight A) and each language segment (weight B), each part under its
language's rules: English with PostgreSQL's `english` configuration, German with `german`, Chinese as
character bigrams (crawler.analyst.chinese; PostgreSQL has no Chinese parser), anything
else with `simple`. The store calls `search_vector(article)` inside its upsert, so the vector is written
in the same statement as the text. Ranking and query parsing live in SQL (schema/functions/search.sql), so
an analyst in psql and `newscrawl search` get the same results; Python only folds Traditional script and
segments Chinese queries, which SQL cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    cast,
    column,
    func,
    literal,
    literal_column,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from crawler import items
from crawler.analyst.chinese import chinese_lexemes, segment_query, tsvector_literal

SEARCH_LANGUAGES: tuple[str, ...] = ("zh", "en", "de")
TEXT_SEARCH_CONFIGS: dict[str, str] = {"en": "english", "de": "german"}
TITLE_WEIGHT, BODY_WEIGHT = "A", "B"


def is_chinese(language: str | None) -> bool:
    return bool(language) and str(language).lower().startswith("zh")


def _part(language: str | None, value: str, weight: str) -> ColumnElement[str] | None:
    """The weighted tsvector of one piece of text in one language (None for an empty piece)."""
    if not value.strip():
        return None
    if is_chinese(language):
        lexemes = chinese_lexemes(value)
        if not lexemes:
            return None
        vector: ColumnElement[str] = cast(literal(tsvector_literal(lexemes), Text), TSVECTOR)
    else:
        config = TEXT_SEARCH_CONFIGS.get((language or "").lower(), "simple")
        vector = func.to_tsvector(literal_column(f"'{config}'::regconfig"), literal(value, Text), type_=TSVECTOR)
    return func.setweight(vector, literal_column(f"'{weight}'"), type_=TSVECTOR)


def search_vector_for(
    title: str | None, language: str | None, text_: str, segments: Sequence[tuple[str, str]]
) -> ColumnElement[str]:
    """The SQL expression of an article's search vector from its title, language, text and (language, text)
    segments; without segments the whole text counts as one segment in the article's language."""
    parts = [_part(language, title or "", TITLE_WEIGHT)]
    parts += [_part(lang, seg, BODY_WEIGHT) for lang, seg in (segments or [(language or "und", text_)])]
    present = [p for p in parts if p is not None]
    if not present:
        return cast(literal("", Text), TSVECTOR)
    return reduce(lambda left, right: left.op("||", return_type=TSVECTOR)(right), present)


def search_vector(article: items.Article) -> ColumnElement[str]:
    """The search vector of an article record, as stored by crawler.store.repository.store_articles."""
    segments = [(seg.language, seg.text) for seg in article.segments]
    return search_vector_for(article.title, article.language, article.text, segments)


def refresh_search_vectors(conn: Connection, *, only_missing: bool = True, chinese_only: bool = False) -> int:
    """(Re)compute stored articles' search vectors from the database; returns how many were written.

    Used by the migration that added the column (rows stored before it) and after a change of the rules
    (`chinese_only`: articles with Chinese in their language or a segment).
    """
    conditions = ["a.search_vector IS NULL"] if only_missing else []
    if chinese_only:
        conditions.append(
            "(a.language LIKE 'zh%' OR EXISTS (SELECT 1 FROM article_segments s "
            "WHERE s.article_id = a.id AND s.language LIKE 'zh%'))"
        )
    where = "WHERE " + " AND ".join(conditions) if conditions else ""
    rows = conn.execute(
        text(
            "SELECT a.id, a.title, a.language, a.text, "
            "coalesce((SELECT array_agg(ARRAY[g.language, g.text] ORDER BY g.ordinal) "
            "FROM article_segments g WHERE g.article_id = a.id), '{}') AS segments "
            f"FROM articles a {where} ORDER BY a.id"
        ),
        execution_options={"yield_per": 200},  # a server-side cursor: constant memory on a large corpus
    )
    articles = table("articles", column("id"), column("search_vector"))
    written = 0
    for row in rows:
        segments = [(lang, seg) for lang, seg in row.segments]
        vector = search_vector_for(row.title, row.language, row.text, segments)
        conn.execute(update(articles).where(articles.c.id == row.id).values(search_vector=vector))
        written += 1
    return written


@dataclass(frozen=True)
class SearchHit:
    """One ranked result of `search_articles`."""

    article_id: int
    rank: float
    title: str | None
    source: str
    language: str | None
    published_at: datetime | None
    url: str
    snippet: str


def prepare_query(query: str) -> str:
    """The query as `search_articles` expects it: folded to Simplified, Chinese runs segmented with jieba."""
    return segment_query(query)


def search(
    conn: Connection, query: str, *, lang: str | None = None, since: datetime | None = None, limit: int = 20
) -> list[SearchHit]:
    """Ranked articles matching the query (all of its words), best first."""
    rows = conn.execute(
        text("SELECT * FROM search_articles(:query, :lang, :since, :limit)"),
        {"query": prepare_query(query), "lang": lang, "since": since, "limit": limit},
    ).all()
    return [SearchHit(*row) for row in rows]
