"""Initial schema: sources, articles, article_segments, syndication_links, crawl_runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), sa.Identity(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("domains", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("aliases", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            _in("kind", ("publisher", "syndicator", "aggregator", "agency")), name=op.f("ck_sources_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("original_title", sa.Text(), nullable=True),
        sa.Column("authors", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("modified_at", TZ, nullable=True),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("first_seen_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("site_language", sa.String(8), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("attributions", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("encoding", sa.String(32), nullable=True),
        sa.Column("profile", sa.String(64), nullable=True),
        sa.Column("extractor_version", sa.String(32), nullable=True),
        sa.Column("http_status", sa.SmallInteger(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("capture_ref", sa.Text(), nullable=True),
        sa.CheckConstraint("char_length(text) > 0", name=op.f("ck_articles_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_articles_source_id_sources"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    op.create_index("ix_articles_source_id_published_at", "articles", ["source_id", "published_at"])
    op.create_index("ix_articles_language", "articles", ["language"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_fetched_at", "articles", ["fetched_at"])

    op.create_table(
        "article_segments",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("ordinal", sa.SmallInteger(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_segments_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_segments")),
        sa.UniqueConstraint("article_id", "ordinal", name=op.f("uq_article_segments_article_id_ordinal")),
    )

    op.create_table(
        "syndication_links",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("copy_article_id", sa.BigInteger(), nullable=False),
        sa.Column("original_article_id", sa.BigInteger(), nullable=True),
        sa.Column("original_url", sa.Text(), nullable=True),
        sa.Column("original_source_id", sa.Integer(), nullable=True),
        sa.Column(
            "original_key",
            sa.Text(),
            sa.Computed(
                "CASE WHEN original_article_id IS NOT NULL THEN 'article:' || original_article_id::text "
                "WHEN original_url IS NOT NULL THEN 'url:' || original_url "
                "ELSE 'source:' || original_source_id::text END",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("evidence", sa.String(24), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("details", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            _in("relation", ("republishes", "translates", "cites")),
            name=op.f("ck_syndication_links_relation"),
        ),
        sa.CheckConstraint(
            _in(
                "evidence",
                ("source_link", "attribution_text", "canonical", "near_duplicate", "cross_lingual"),
            ),
            name=op.f("ck_syndication_links_evidence"),
        ),
        sa.CheckConstraint("score >= 0 AND score <= 1", name=op.f("ck_syndication_links_score_range")),
        sa.CheckConstraint(
            "original_article_id IS NOT NULL OR original_url IS NOT NULL OR original_source_id IS NOT NULL",
            name=op.f("ck_syndication_links_has_original"),
        ),
        sa.CheckConstraint(
            "original_article_id IS NULL OR original_article_id <> copy_article_id",
            name=op.f("ck_syndication_links_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["copy_article_id"],
            ["articles.id"],
            name=op.f("fk_syndication_links_copy_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_article_id"],
            ["articles.id"],
            name=op.f("fk_syndication_links_original_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_source_id"],
            ["sources.id"],
            name=op.f("fk_syndication_links_original_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syndication_links")),
        sa.UniqueConstraint(
            "copy_article_id",
            "original_key",
            "relation",
            name=op.f("uq_syndication_links_copy_article_id_original_key_relation"),
        ),
    )
    op.create_index("ix_syndication_links_original_article_id", "syndication_links", ["original_article_id"])
    op.create_index("ix_syndication_links_original_url", "syndication_links", ["original_url"])

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("spider", sa.Text(), nullable=False),
        sa.Column("started_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("status", sa.String(16), server_default="running", nullable=False),
        sa.Column("stats", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sa.Text(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("log_file", sa.Text(), nullable=True),
        sa.CheckConstraint(
            _in("status", ("running", "finished", "failed", "interrupted")), name=op.f("ck_crawl_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index("ix_crawl_runs_spider_started_at", "crawl_runs", ["spider", "started_at"])


def downgrade() -> None:
    op.drop_table("crawl_runs")
    op.drop_table("syndication_links")
    op.drop_table("article_segments")
    op.drop_table("articles")
    op.drop_table("sources")
