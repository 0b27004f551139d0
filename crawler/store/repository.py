"""Batched, idempotent writes: sources, articles (with their segments) and syndication links.

Every write is an `INSERT … ON CONFLICT` on a natural key, one transaction per batch, so
re-running a crawl updates rows in place and never duplicates them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from crawler import items
from crawler.analyst.search import make_partitions, search_row, sort_date, upsert_search_rows_statement
from crawler.sources import SourceInfo, host_of, source_by_name, source_for_url
from crawler.store.models import Article, ArticleSearch, ArticleSegment, FetchFailure, Source, SyndicationLink
from crawler.text.clean import clean_article
from crawler.urls import clean_url, same_site


@dataclass
class StoreResult:
    """What one batch did: new rows, rows whose text changed, rows re-fetched unchanged."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged)

    def __iadd__(self, other: StoreResult) -> StoreResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass(frozen=True)
class LinkRecord:
    """A syndication link to write: copy article -> original article, URL or source."""

    copy_article_id: int
    relation: str
    evidence: str
    score: float
    original_article_id: int | None = None
    original_url: str | None = None
    original_source_id: int | None = None
    details: dict[str, Any] | None = None


def article_key(article: items.Article) -> str:
    """The URL an article is stored under: its canonical URL when that stays on the same site
    (an off-site canonical names the original, which is evidence, not this page's address)."""
    if article.canonical_url and same_site(article.canonical_url, article.url):
        return clean_url(article.canonical_url)
    return clean_url(article.url)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source_row(info: SourceInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "domains": list(info.domains),
        "aliases": list(info.aliases),
        "language": info.language,
        "country": info.country,
    }


def upsert_sources(session: Session, infos: Iterable[SourceInfo]) -> dict[str, int]:
    """Insert or refresh registry entries; returns name -> id."""
    rows = {info.name: _source_row(info) for info in infos}
    if not rows:
        return {}
    stmt = insert(Source).values(list(rows.values()))
    stmt = stmt.on_conflict_do_update(
        index_elements=[Source.name],
        set_={col: stmt.excluded[col] for col in ("kind", "domains", "aliases", "language", "country")},
    ).returning(Source.name, Source.id)
    return {name: id_ for name, id_ in session.execute(stmt).all()}


def _source_for_article(article: items.Article) -> SourceInfo:
    """The registry entry for the article's site; an unknown site becomes a publisher named by its host."""
    found = source_for_url(article.url)
    if found is None and article.source_name:
        found = source_by_name(article.source_name)
    if found is not None:
        return found
    host = host_of(article.url) or "unknown"
    return SourceInfo(name=host, kind="publisher", domains=(host,), language=article.site_language)


def _article_row(article: items.Article, key: str, source_id: int, now: datetime) -> dict[str, Any]:
    if not article.text.strip():
        raise ValueError(f"article {article.url} has no text")
    return {
        "source_id": source_id,
        "url": key,
        "fetched_url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "original_title": article.original_title,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "modified_at": article.modified_at,
        "fetched_at": article.fetched_at or now,
        "updated_at": now,
        "language": article.language,
        "languages": sorted({lang for lang in (article.language, *(s.language for s in article.segments)) if lang}),
        "site_language": article.site_language,
        "section": article.section,
        "image_url": article.image_url,
        "text": article.text,
        "content_hash": content_hash(article.text),
        "attributions": [{k: v for k, v in vars(a).items() if v is not None} for a in article.attributions],
        "encoding": article.encoding,
        "profile": article.profile,
        "extractor_version": article.extractor_version,
        "http_status": article.http_status,
        "etag": article.etag,
        "last_modified": article.last_modified,
        "capture_ref": article.capture_ref,
    }


_NEVER_OVERWRITTEN = {"url", "first_seen_at"}


@lru_cache(maxsize=4)
def _upsert_articles_statement(row_columns: tuple[str, ...]) -> ReturningInsert[tuple[str, int]]:
    """INSERT … ON CONFLICT (url) DO UPDATE … RETURNING url, id for rows of `_article_row` (`row_columns`:
    their keys)."""
    columns = Article.__table__.c
    stmt = insert(Article.__table__)
    written = [name for name in row_columns if name not in _NEVER_OVERWRITTEN]
    update_cols: dict[str, Any] = {name: stmt.excluded[name] for name in written}
    # keep the time of the last text change, not of the last fetch
    text_changed = columns.content_hash != stmt.excluded.content_hash
    update_cols["updated_at"] = case((text_changed, stmt.excluded.updated_at), else_=columns.updated_at)
    stmt = stmt.on_conflict_do_update(index_elements=[columns.url], set_=update_cols)
    return stmt.returning(columns.url, columns.id)


def _store_search_rows(
    session: Session,
    by_key: dict[str, items.Article],
    rows: Sequence[dict[str, Any]],
    ids: dict[str, int],
    previous_dates: dict[str, datetime],
) -> None:
    """Write each article's search row (`article_search`, crawler.analyst.search) in its month's partition, and
    remove the row an article had under another date (its published date changed)."""
    dates = {row["url"]: sort_date(row["published_at"], row["fetched_at"]) for row in rows}
    moved = [
        {"article_id": ids[url], "sort_date": old}
        for url, old in previous_dates.items()
        if url in dates and old != dates[url]
    ]
    if moved:
        table_ = ArticleSearch.__table__
        condition = (table_.c.article_id == bindparam("article_id")) & (table_.c.sort_date == bindparam("sort_date"))
        session.execute(delete(table_).where(condition), moved)
    search_rows = [
        search_row(
            ids[row["url"]],
            dates[row["url"]],
            row["languages"],
            article.title,
            article.language,
            article.text,
            [(seg.language, seg.text) for seg in article.segments],
        )
        for row, article in zip(rows, by_key.values(), strict=True)
    ]
    session.execute(upsert_search_rows_statement(), search_rows)


def store_articles(session: Session, articles: Sequence[items.Article]) -> StoreResult:
    """Upsert a batch of articles and their segments in the caller's transaction.

    The same URL twice in one batch keeps the last version. `updated_at` moves only when the text changed.
    Every text field is cleaned first (`crawler.text.clean`: no NUL, no lone surrogate).
    """
    result = StoreResult()
    if not articles:
        return result
    articles = [clean_article(a) for a in articles]
    now = datetime.now(timezone.utc)
    by_key: dict[str, items.Article] = {}
    for article in articles:
        by_key[article_key(article)] = article
    infos = {key: _source_for_article(a) for key, a in by_key.items()}
    # before any row is locked: a partition made here is attached under a lock on `articles` (its foreign key)
    make_partitions(session.connection(), (sort_date(a.published_at, a.fetched_at or now) for a in by_key.values()))
    source_ids = upsert_sources(session, infos.values())
    rows = [_article_row(a, key, source_ids[infos[key].name], now) for key, a in by_key.items()]

    previous = {
        url: (hash_, date)
        for url, hash_, date in session.execute(
            select(Article.url, Article.content_hash, func.coalesce(Article.published_at, Article.fetched_at)).where(
                Article.url.in_(by_key)
            )
        )
    }
    for row in rows:
        old = previous.get(row["url"])
        if old is None:
            result.new += 1
        elif old[0] != row["content_hash"]:
            result.updated += 1
        else:
            result.unchanged += 1

    # one statement for every batch (the rows go as executemany parameters, which SQLAlchemy sends as
    # multi-row VALUES): compiled once per process instead of once per batch
    row_columns = tuple(rows[0])
    ids = dict(session.execute(_upsert_articles_statement(row_columns), rows).all())
    _store_search_rows(session, by_key, rows, ids, {url: date for url, (_, date) in previous.items()})

    session.execute(delete(ArticleSegment).where(ArticleSegment.article_id.in_(ids.values())))
    segment_rows = [
        {
            "article_id": ids[key],
            "ordinal": ordinal,
            "language": seg.language,
            "text": seg.text,
            "char_count": len(seg.text),
        }
        for key, article in by_key.items()
        for ordinal, seg in enumerate(article.segments)
    ]
    if segment_rows:
        session.execute(insert(ArticleSegment).values(segment_rows))
    # a stored page needs no retry any more
    stored = set(by_key) | {clean_url(a.url) for a in by_key.values()}
    session.execute(delete(FetchFailure).where(FetchFailure.url.in_(stored)))
    return result


def upsert_links(session: Session, links: Sequence[LinkRecord]) -> int:
    """Insert or refresh links keyed by (copy, original, relation); the higher score wins."""
    if not links:
        return 0
    rows = {}
    for link in links:
        row = {
            "copy_article_id": link.copy_article_id,
            "original_article_id": link.original_article_id,
            "original_url": link.original_url,
            "original_source_id": link.original_source_id,
            "relation": link.relation,
            "evidence": link.evidence,
            "score": link.score,
            "details": link.details or {},
        }
        key = (
            link.copy_article_id,
            link.original_article_id,
            link.original_url,
            link.original_source_id,
            link.relation,
        )
        if key not in rows or rows[key]["score"] < link.score:
            rows[key] = row
    stmt = insert(SyndicationLink).values(list(rows.values()))
    stmt = stmt.on_conflict_do_update(
        constraint="uq_syndication_links_copy_article_id_original_key_relation",
        set_={
            "score": stmt.excluded.score,
            "evidence": stmt.excluded.evidence,
            "details": stmt.excluded.details,
            "updated_at": func.now(),
        },
        where=stmt.excluded.score >= SyndicationLink.score,
    )
    return session.execute(stmt).rowcount or 0
