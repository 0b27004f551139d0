"""A partial index on the fetch time of articles without a publication time, for the streaming link rebuild.

`newscrawl link --rebuild` walks the corpus day by day by each article's linking time (published, else
fetched) and asks for the next such time after each day. Without this index, finding the next undated article
walks the whole `ix_articles_fetched_at` index filtering on `published_at IS NULL` (0.6 s at 150,000
articles, once per day of corpus); the partial index holds only the undated articles, so it is instant and
small.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_undated_fetched_at", "articles", ["fetched_at"],
                    postgresql_where=sa.text("published_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_articles_undated_fetched_at", table_name="articles")
