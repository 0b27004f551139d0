"""The crawl lock becomes a row lock in `crawl_locks`, which the read-only analyst role cannot take.

An advisory lock can be taken by any role that can connect, so the analyst role could block every crawl.
Row locks need the UPDATE privilege (crawler.store.crawllock).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_locks",
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_crawl_locks")),
    )
    op.execute("INSERT INTO crawl_locks (name) VALUES ('database')")


def downgrade() -> None:
    op.drop_table("crawl_locks")
