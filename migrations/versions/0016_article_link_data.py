"""What the linker computes per article moves out of `articles` into `article_link_data`.

`articles.signature`, `articles.embedding` and `articles.embedding_model` become the columns of
`article_link_data` (one row per article, keyed by its id), beside `content_hash`: the hash of the text the row
was computed from. A row is valid while that hash equals the article's; a changed text makes it stale (the
store no longer has to clear anything, and the next link run rewrites it). Writing a signature used to be an
`UPDATE articles`, which PostgreSQL cannot make in place on a full page: every index got an entry for the new
row version, the search index's GIN too. On a 300,000-article copy, 5,000 such updates took 1.7-2.1 s, and
0.23 s without the search index; the first `link --rebuild` over 300,000 articles cost 2.80 ms an article
against 1.91 at 30,000. `similar_articles(…)` reads the embeddings from the new table.

The backfill copies every stored signature and embedding (all valid: the store cleared them whenever a text
changed). The function's SQL is a copy of schema/functions/similar.sql as it was when this revision was
written; tests/test_analyst_views.py checks that the database at head renders exactly like that file. The
downgrade copies the rows that are still valid back into `articles` and restores revision 0008's function.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crawler.analyst.views import run_script  # runs a script as written (its `::` casts and colons included)
from crawler.store.migrate import revision_module

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the new table is filled in one statement: `crawler.store.migrate.upgrade` runs VACUUM ANALYZE on it afterwards
VACUUM_AFTER = ("article_link_data",)

BACKFILL_SQL = """
INSERT INTO article_link_data (article_id, content_hash, signature, embedding, embedding_model)
SELECT id, content_hash, signature, embedding, embedding_model
FROM articles
WHERE signature IS NOT NULL OR embedding IS NOT NULL
"""

RESTORE_SQL = """
UPDATE articles AS a
SET signature = d.signature, embedding = d.embedding, embedding_model = d.embedding_model
FROM article_link_data AS d
WHERE d.article_id = a.id AND d.content_hash = a.content_hash
"""

SIMILAR_ARTICLES_SQL = r"""
-- similar_articles(article, max_results, within): the articles in any language published within `within` of
-- `article`, closest first by the cosine of their stored embeddings (article_link_data.embedding, written by
-- the linker when the multilingual encoder is installed; only embeddings of the same model, and only those of
-- the article's current text, are compared), with the strongest syndication link between the two when the
-- linker made one. An article without an embedding has no rows. `newscrawl similar ARTICLE_ID` shows the same
-- list with the anchors both texts share.
CREATE OR REPLACE FUNCTION similar_articles(
    article bigint, max_results integer DEFAULT 10, within interval DEFAULT '3 days'
)
RETURNS TABLE (article_id bigint, language text, published_at timestamptz, source text, title text, url text,
               cosine double precision, relation text, link_score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT b.id, b.language::text, b.published_at, src.name, b.title, b.url, sim.cosine,
           link.relation::text, link.score
    FROM articles AS a
    JOIN article_link_data AS ad
      ON ad.article_id = a.id
     AND ad.content_hash = a.content_hash
     AND ad.embedding IS NOT NULL
    JOIN articles AS b
      ON b.id <> a.id
     AND (a.published_at IS NULL OR b.published_at IS NULL
          OR b.published_at BETWEEN a.published_at - within AND a.published_at + within)
    JOIN article_link_data AS bd
      ON bd.article_id = b.id
     AND bd.content_hash = b.content_hash
     AND bd.embedding IS NOT NULL
     AND bd.embedding_model = ad.embedding_model
    JOIN sources AS src ON src.id = b.source_id
    CROSS JOIN LATERAL (
        SELECT sum(x::double precision * y::double precision) AS cosine
        FROM unnest(ad.embedding, bd.embedding) AS pair(x, y)
    ) AS sim
    LEFT JOIN LATERAL (
        SELECT l.relation, l.score
        FROM syndication_links AS l
        WHERE (l.copy_article_id = a.id AND l.original_article_id = b.id)
           OR (l.copy_article_id = b.id AND l.original_article_id = a.id)
        ORDER BY l.score DESC, l.id
        LIMIT 1
    ) AS link ON true
    WHERE a.id = article
    ORDER BY sim.cosine DESC, b.id
    LIMIT max_results
$$;
"""


def upgrade() -> None:
    op.create_table(
        "article_link_data",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("embedding", postgresql.ARRAY(sa.REAL()), nullable=True),
        sa.Column("embedding_model", sa.String(64), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_article_link_data_article_id_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_link_data")),
    )
    op.execute(BACKFILL_SQL)
    run_script(op.get_bind(), SIMILAR_ARTICLES_SQL)
    op.drop_column("articles", "embedding_model")
    op.drop_column("articles", "embedding")
    op.drop_column("articles", "signature")


def downgrade() -> None:
    op.add_column("articles", sa.Column("signature", sa.LargeBinary(), nullable=True))
    op.add_column("articles", sa.Column("embedding", postgresql.ARRAY(sa.REAL()), nullable=True))
    op.add_column("articles", sa.Column("embedding_model", sa.String(64), nullable=True))
    op.execute(RESTORE_SQL)
    op.execute("DROP FUNCTION similar_articles(bigint, integer, interval)")
    run_script(op.get_bind(), str(revision_module("0008").SIMILAR_ARTICLES_SQL))
    op.drop_table("article_link_data")
