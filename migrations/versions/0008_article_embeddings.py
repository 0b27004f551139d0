"""Article embeddings for translation candidates, and `similar_articles(…)` for analysts.

`articles.embedding` (real[]) holds the linker's multilingual embedding of each article, computed once and
reused by every later run (translation candidates are each article's nearest other-language articles by this
embedding within the date window); `articles.embedding_model` names the encoder setting that made it, so a
changed encoder budget re-embeds instead of comparing unlike vectors. Plain `real[]` rather than pgvector:
the linker compares vectors in numpy, and the SQL function below needs no extension on any server.
`ix_articles_published_at` serves the date-window queries of the linker and of the function.

The function's SQL is a copy of schema/functions/similar.sql as it was when this revision was written;
tests/test_similar.py checks that the database at head renders exactly like that file.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIMILAR_ARTICLES_SQL = r"""CREATE FUNCTION similar_articles(
    article bigint, max_results integer DEFAULT 10, within interval DEFAULT '3 days'
)
RETURNS TABLE (article_id bigint, language text, published_at timestamptz, source text, title text, url text,
               cosine double precision, relation text, link_score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT b.id, b.language::text, b.published_at, src.name, b.title, b.url, sim.cosine,
           link.relation::text, link.score
    FROM articles AS a
    JOIN articles AS b
      ON b.id <> a.id
     AND b.embedding IS NOT NULL
     AND b.embedding_model = a.embedding_model
     AND (a.published_at IS NULL OR b.published_at IS NULL
          OR b.published_at BETWEEN a.published_at - within AND a.published_at + within)
    JOIN sources AS src ON src.id = b.source_id
    CROSS JOIN LATERAL (
        SELECT sum(x::double precision * y::double precision) AS cosine
        FROM unnest(a.embedding, b.embedding) AS pair(x, y)
    ) AS sim
    LEFT JOIN LATERAL (
        SELECT l.relation, l.score
        FROM syndication_links AS l
        WHERE (l.copy_article_id = a.id AND l.original_article_id = b.id)
           OR (l.copy_article_id = b.id AND l.original_article_id = a.id)
        ORDER BY l.score DESC, l.id
        LIMIT 1
    ) AS link ON true
    WHERE a.id = article AND a.embedding IS NOT NULL
    ORDER BY sim.cosine DESC, b.id
    LIMIT max_results
$$;
"""


def upgrade() -> None:
    op.add_column("articles", sa.Column("embedding", postgresql.ARRAY(sa.REAL()), nullable=True))
    op.add_column("articles", sa.Column("embedding_model", sa.String(64), nullable=True))
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    from crawler.analyst.views import run_script  # runs the script as written (its `::` casts included)

    run_script(op.get_bind(), SIMILAR_ARTICLES_SQL)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS similar_articles(bigint, integer, interval)")
    op.drop_index("ix_articles_published_at", table_name="articles")
    op.drop_column("articles", "embedding_model")
    op.drop_column("articles", "embedding")
