"""Full-text search: the search vector written with every article, and queries through `search_articles(…)`.

An article's vector is its title (weight A) and each language segment (weight B), each part under its
language's rules: English with PostgreSQL's `english` configuration, German with `german`, Chinese as
character bigrams (crawler.analyst.chinese; PostgreSQL has no Chinese parser), anything else with `simple`.
The store writes it into `article_search` (one partition per month of the article's date, migration 0018) in
the same transaction as the text, with `upsert_search_rows_statement()` and `search_row(…)`. Ranking, query
parsing and the query's bounds live in SQL (schema/functions/search.sql), so an analyst in psql and
`newscrawl search` get the same results; Python only folds the query (NFKC, case, Traditional to Simplified
script), which SQL cannot, and checks its bounds before connecting so that the command can refuse it without a
database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR, Insert, insert

from crawler.analyst.chinese import chinese_tsvector, fold
from crawler.store.models import ArticleSearch

SEARCH_LANGUAGES: tuple[str, ...] = ("zh", "en", "de")
TEXT_SEARCH_CONFIGS: dict[str, str] = {"en": "english", "de": "german"}
TITLE_WEIGHT, BODY_WEIGHT = "A", "B"


def is_chinese(language: str | None) -> bool:
    return bool(language) and str(language).lower().startswith("zh")


def _weighted(config: str, name: str, weight: str) -> ColumnElement[str]:
    """setweight(to_tsvector('<config>', :<name>), '<weight>')"""
    text_ = bindparam(name, type_=Text)
    vector = func.to_tsvector(literal_column(f"'{config}'::regconfig"), text_, type_=TSVECTOR)
    return func.setweight(vector, literal_column(f"'{weight}'"), type_=TSVECTOR)


def _search_vector_sql() -> ColumnElement[str]:
    """One SQL expression for every article, so a batch's INSERT is compiled once and cached: the title under
    its language's configuration, the Chinese literal (title and Chinese segments, weights inside), then the
    English, German and other segments, each group joined into one text. Empty parts are empty vectors."""
    title_config = cast(bindparam("sv_title_config", type_=Text), REGCONFIG)
    title = func.setweight(
        func.to_tsvector(title_config, bindparam("sv_title", type_=Text), type_=TSVECTOR),
        literal_column(f"'{TITLE_WEIGHT}'"),
        type_=TSVECTOR,
    )
    parts = [title, cast(bindparam("sv_zh", type_=Text), TSVECTOR)]
    parts += [_weighted(config, f"sv_{lang}", BODY_WEIGHT) for lang, config in TEXT_SEARCH_CONFIGS.items()]
    parts.append(_weighted("simple", "sv_other", BODY_WEIGHT))
    return reduce(lambda left, right: left.op("||", return_type=TSVECTOR)(right), parts)


SEARCH_VECTOR_SQL = _search_vector_sql()


def search_vector_params(
    title: str | None, language: str | None, text_: str, segments: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """The bind parameters of SEARCH_VECTOR_SQL for an article's title, language, text and (language, text)
    segments; without segments the whole text counts as one segment in the article's language.

    Chinese parts share one literal whose positions run on from part to part (with a gap, so no phrase spans
    two parts); the segments of each other language are joined by blank lines."""
    chinese: list[str] = []
    offset = 0
    grouped: dict[str, list[str]] = {lang: [] for lang in [*TEXT_SEARCH_CONFIGS, "other"]}
    title_params = {"sv_title_config": "simple", "sv_title": ""}
    pieces = [(language, title or "", TITLE_WEIGHT)]
    pieces += [(lang, seg, BODY_WEIGHT) for lang, seg in (segments or [(language or "und", text_)])]
    for lang, value, weight in pieces:
        if not value.strip():
            continue
        if is_chinese(lang):
            occurrences = chinese_tsvector(value, weight, offset)
            if occurrences:
                chinese.append(occurrences)
            offset += len(value) + 1
        elif weight == TITLE_WEIGHT:
            title_params = {
                "sv_title_config": TEXT_SEARCH_CONFIGS.get((lang or "").lower(), "simple"),
                "sv_title": value,
            }
        else:
            key = (lang or "").lower()
            grouped[key if key in grouped else "other"].append(value)
    return {
        **title_params,
        "sv_zh": " ".join(chinese),
        **{f"sv_{lang}": "\n\n".join(texts) for lang, texts in grouped.items()},
    }


def sort_date(published_at: datetime | None, fetched_at: datetime) -> datetime:
    """The date an article is searched by (and its search row partitioned by): published, else fetched."""
    return published_at or fetched_at


def make_partitions(conn: Connection, dates: Iterable[datetime]) -> int:
    """Create the month partitions of `article_search` that rows of these dates need (`search_partitions`,
    schema/functions/search.sql); returns how many were made. A no-op for months that exist."""
    distinct = sorted(set(dates))
    if not distinct:
        return 0
    return int(
        conn.execute(text("SELECT search_partitions(CAST(:dates AS timestamptz[]))"), {"dates": distinct}).scalar_one()
    )


@lru_cache(maxsize=1)
def upsert_search_rows_statement() -> Insert:
    """INSERT … ON CONFLICT (article_id, sort_date) DO UPDATE of `article_search` rows, executed with dicts of
    article_id, sort_date, languages and the parameters of SEARCH_VECTOR_SQL (`search_row`)."""
    table_ = ArticleSearch.__table__
    stmt = insert(table_).values(search_vector=SEARCH_VECTOR_SQL)
    return stmt.on_conflict_do_update(
        index_elements=[table_.c.article_id, table_.c.sort_date],
        set_={"languages": stmt.excluded.languages, "search_vector": stmt.excluded.search_vector},
    )


def search_row(
    article_id: int,
    date: datetime,
    languages: Sequence[str],
    title: str | None,
    language: str | None,
    text_: str,
    segments: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The parameters of `upsert_search_rows_statement()` for one article."""
    return {
        "article_id": article_id,
        "sort_date": date,
        "languages": list(languages),
        **search_vector_params(title, language, text_, segments),
    }


def refresh_search_vectors(
    conn: Connection, *, only_missing: bool = True, chinese_only: bool = False, into_articles_column: bool = False
) -> int:
    """(Re)compute stored articles' search vectors from the database; returns how many were written.

    Used by the migrations that add vectors (rows stored before them) and after a change of the rules
    (`chinese_only`: articles with Chinese in their language or a segment). `into_articles_column` writes
    `articles.search_vector`, where revisions 0003 to 0017 kept them (their migrations call it so).
    """
    date_sql = "coalesce(a.published_at, a.fetched_at)"
    if into_articles_column:
        conditions = ["a.search_vector IS NULL"] if only_missing else []
    else:
        conditions = (
            [f"NOT EXISTS (SELECT 1 FROM article_search s WHERE s.article_id = a.id AND s.sort_date = {date_sql})"]
            if only_missing
            else []
        )
    if chinese_only:
        conditions.append(
            "(a.language LIKE 'zh%' OR EXISTS (SELECT 1 FROM article_segments s "
            "WHERE s.article_id = a.id AND s.language LIKE 'zh%'))"
        )
    where = "WHERE " + " AND ".join(conditions) if conditions else ""
    if not into_articles_column:
        conn.execute(text(f"SELECT search_partitions(ARRAY(SELECT DISTINCT {date_sql} FROM articles a {where}))"))
    # before revision 0015 articles had no `languages`, and the column's vectors need no date
    extra = "" if into_articles_column else f", a.languages, {date_sql} AS sort_date"
    rows = conn.execute(
        text(
            f"SELECT a.id, a.title, a.language, a.text{extra}, "
            "coalesce((SELECT array_agg(ARRAY[g.language, g.text] ORDER BY g.ordinal) "
            "FROM article_segments g WHERE g.article_id = a.id), '{}') AS segments "
            f"FROM articles a {where} ORDER BY a.id"
        ),
        execution_options={"yield_per": 200},  # a server-side cursor: constant memory on a large corpus
    )
    articles = table("articles", column("id"), column("search_vector"))
    column_update = (
        update(articles).where(articles.c.id == bindparam("article_id")).values(search_vector=SEARCH_VECTOR_SQL)
    )
    # a row of another date (the article's date changed since) is not the article's any more
    stale = text("DELETE FROM article_search WHERE article_id = :article_id AND sort_date <> :sort_date")
    written = 0
    for row in rows:
        segments = [(lang, seg) for lang, seg in row.segments]
        if into_articles_column:
            params = search_vector_params(row.title, row.language, row.text, segments)
            conn.execute(column_update, {"article_id": row.id, **params})
        else:
            params = search_row(row.id, row.sort_date, row.languages, row.title, row.language, row.text, segments)
            conn.execute(stale, params)
            conn.execute(upsert_search_rows_statement(), params)
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


# A query is a few words: thousands of them make a tsquery whose ranking exhausts the server's memory
# (`invalid memory alloc request`). search_articles() refuses longer ones (SQLSTATE 22023) with the same
# bounds and messages; the CLI checks first, so that it needs no database to say so.
MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 24
# the words SQL's search_form keeps: letters and digits of the Latin, Greek and Cyrillic scripts and CJK runs
_QUERY_WORD = re.compile("[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class QueryTooLong(ValueError):
    """The query is over MAX_QUERY_CHARS characters or MAX_QUERY_WORDS words; the message says which."""


def query_words(query: str) -> int:
    """How many words search_articles() counts in a query: runs of letters and digits (an unspaced Chinese run
    is one word, as it is one phrase)."""
    return len(_QUERY_WORD.findall(query.lower()))


def check_query(query: str) -> None:
    """Raise QueryTooLong for a query search_articles() would refuse (checked on the query as it is sent)."""
    prepared = prepare_query(query)
    if len(prepared) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"the query has {len(prepared)} characters; at most {MAX_QUERY_CHARS}")
    words = query_words(prepared)
    if words > MAX_QUERY_WORDS:
        raise QueryTooLong(f"the query has {words} words; at most {MAX_QUERY_WORDS}")


def prepare_query(query: str) -> str:
    """The query as `search_articles` gets it: folded (NFKC, case, Traditional to Simplified), nothing else, so
    an unspaced Chinese query is one phrase here as in SQL (`数字经济` is the four characters in a row; `数字 经济`
    the two words anywhere)."""
    return fold(query)


def search(
    conn: Connection, query: str, *, lang: str | None = None, since: datetime | None = None, limit: int = 20
) -> list[SearchHit]:
    """Ranked articles matching the query (all of its words), best first: `search_articles(…)` on the folded
    query. Raises QueryTooLong for a query it would refuse."""
    check_query(query)
    rows = conn.execute(
        text("SELECT * FROM search_articles(:query, :lang, :since, :limit)"),
        {"query": prepare_query(query), "lang": lang, "since": since, "limit": limit},
    ).all()
    return [SearchHit(*row) for row in rows]
