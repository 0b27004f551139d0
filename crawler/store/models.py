"""SQLAlchemy 2.0 models of the corpus: sources, articles, their language segments, syndication links, crawl runs.

The schema itself is created by Alembic migrations (migrations/), never by `create_all()`;
these models are what the code reads and writes, and a test checks they match the migrated database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = ("publisher", "syndicator", "aggregator", "agency")
RELATIONS = ("republishes", "translates", "cites")
EVIDENCE = ("source_link", "attribution_text", "canonical", "near_duplicate", "cross_lingual")
RUN_STATUSES = ("running", "finished", "degraded", "failed", "interrupted")
# fetch failures by kind; `crashed`/`error`: extraction's worker died / extraction raised; `blocked`: a redirect
# to a private, loopback, link-local or reserved address was refused
FAILURE_KINDS = (
    "http",
    "timeout",
    "dns",
    "connection",
    "too_large",
    "redirect_loop",
    "rejected",
    "other",
    "crashed",
    "error",
    "blocked",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """An outlet: a publisher, a syndicator/aggregator, or an agency that is only named as a source."""

    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(_in("kind", SOURCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    domains: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    language: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    """One row per article, keyed by its own (normalised, same-site canonical) URL."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source_id_published_at", "source_id", "published_at"),
        Index("ix_articles_language", "language"),
        Index("ix_articles_content_hash", "content_hash"),
        Index("ix_articles_fetched_at", "fetched_at"),
        Index("ix_articles_published_at", "published_at"),
        # the linker's rebuild walks undated articles by fetch time (migration 0013)
        Index("ix_articles_undated_fetched_at", "fetched_at", postgresql_where=text("published_at IS NULL")),
        CheckConstraint("char_length(text) > 0", name="text_not_empty"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(Text, unique=True)
    fetched_url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    language: Mapped[str | None] = mapped_column(String(8))
    # every language the text is in: `language` and the segments' (search's language filter reads it on the
    # row instead of looking up the segments of each match; migration 0015)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)), server_default="{}")
    site_language: Mapped[str | None] = mapped_column(String(8))
    section: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    attributions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    encoding: Mapped[str | None] = mapped_column(String(32))
    profile: Mapped[str | None] = mapped_column(String(64))
    extractor_version: Mapped[str | None] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(SmallInteger)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    capture_ref: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="articles")
    segments: Mapped[list[ArticleSegment]] = relationship(
        back_populates="article", order_by="ArticleSegment.ordinal", passive_deletes=True
    )


# search_articles() looks for the newest matches first (schema/functions/search.sql): by this date, then id
Index("ix_articles_search_date", func.coalesce(Article.published_at, Article.fetched_at), Article.id)


class ArticleSearch(Base):
    """An article's full-text search vector (crawler.analyst.search), written by the store with the text and
    read through SQL (`search_articles`, schema/functions/search.sql).

    Partitioned by month of `sort_date` (migration 0018), each month with a GIN index of its own: storing new
    articles maintains the current month's small index instead of one that grows with the corpus, and a
    search over recent articles reads recent months only. `search_partitions(dates)` makes the partitions
    (`article_search_YYYY_MM`); they are not models. A row moves to another month when its article's date does.
    """

    __tablename__ = "article_search"
    __table_args__ = (
        # a 16 MB pending list per month (as migration 0012 gave the single index it replaces)
        Index(
            "ix_article_search_search_vector",
            "search_vector",
            postgresql_using="gin",
            postgresql_with={"gin_pending_list_limit": 16384},
        ),
        {"postgresql_partition_by": "RANGE (sort_date)"},
    )

    article_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    # coalesce(published_at, fetched_at) of the article: the partition key, and the date search windows use
    sort_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    # the article's languages (articles.languages), for search's language filter on the row it already reads
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)), server_default="{}")
    search_vector: Mapped[str] = mapped_column(TSVECTOR)


class ArticleLinkData(Base):
    """What the linker computed from an article's text, valid while `content_hash` equals the article's.

    A table of its own (migration 0016): writing it never updates an `articles` row, whose new version would
    have to enter every index of that table, the search index's GIN among them. A row whose hash differs
    from the article's describes an older text and is read as absent (the next link run replaces it)."""

    __tablename__ = "article_link_data"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    # similarity signature of the text (shingle MinHash, crawler.linking.shingles)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # the multilingual embedding of the text (L2-normalised) and the encoder setting that made it
    embedding: Mapped[list[float] | None] = mapped_column(ARRAY(REAL), deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ArticleSegment(Base):
    """A run of an article's paragraphs in one language (a bilingual page gives two)."""

    __tablename__ = "article_segments"
    __table_args__ = (UniqueConstraint("article_id", "ordinal"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(SmallInteger)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    char_count: Mapped[int] = mapped_column(Integer)

    article: Mapped[Article] = relationship(back_populates="segments")


class SyndicationLink(Base):
    """Directed: the copy article -> its original (an article, or only a URL / a source when not crawled)."""

    __tablename__ = "syndication_links"
    __table_args__ = (
        CheckConstraint(_in("relation", RELATIONS), name="relation"),
        CheckConstraint(_in("evidence", EVIDENCE), name="evidence"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        CheckConstraint(
            "original_article_id IS NOT NULL OR original_url IS NOT NULL OR original_source_id IS NOT NULL",
            name="has_original",
        ),
        CheckConstraint("original_article_id IS NULL OR original_article_id <> copy_article_id", name="not_self"),
        UniqueConstraint("copy_article_id", "original_key", "relation"),
        Index("ix_syndication_links_original_article_id", "original_article_id"),
        Index("ix_syndication_links_original_url", "original_url"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    copy_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    original_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    original_url: Mapped[str | None] = mapped_column(Text)
    original_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    original_key: Mapped[str] = mapped_column(
        Text,
        Computed(
            "CASE WHEN original_article_id IS NOT NULL THEN 'article:' || original_article_id::text "
            "WHEN original_url IS NOT NULL THEN 'url:' || original_url "
            "ELSE 'source:' || original_source_id::text END",
            persisted=True,
        ),
    )
    relation: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(String(24))
    score: Mapped[float] = mapped_column(Double)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CrawlLock(Base):
    """A lock a crawl holds while it runs (crawler.store.crawllock): `database`, or `crawler:<name>`."""

    __tablename__ = "crawl_locks"

    name: Mapped[str] = mapped_column(Text, primary_key=True)


class CrawlRun(Base):
    """One crawl (or replay): what ran, when, how it ended and its counts, for monitoring in SQL."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        Index("ix_crawl_runs_spider_started_at", "spider", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    spider: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), server_default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    log_file: Mapped[str | None] = mapped_column(Text)


class FetchFailure(Base):
    """A URL whose last fetch or extraction failed; the next run retries it until it succeeds or gives up."""

    __tablename__ = "fetch_failures"
    __table_args__ = (
        CheckConstraint(_in("kind", FAILURE_KINDS), name="kind"),
        Index("ix_fetch_failures_spider_gave_up", "spider", "gave_up"),
    )

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    spider: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(SmallInteger)
    attempts: Mapped[int] = mapped_column(Integer, server_default="1")
    gave_up: Mapped[bool] = mapped_column(Boolean, server_default="false")
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
