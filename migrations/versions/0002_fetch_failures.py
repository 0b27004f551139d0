"""Fetch failures: URLs to retry on the next crawl run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("http", "timeout", "dns", "connection", "too_large", "redirect_loop", "rejected", "other")


def upgrade() -> None:
    op.create_table(
        "fetch_failures",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("spider", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("http_status", sa.SmallInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="1", nullable=False),
        sa.Column("gave_up", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_run_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name=op.f("ck_fetch_failures_kind")),
        sa.ForeignKeyConstraint(
            ["last_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_fetch_failures_last_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_fetch_failures")),
    )
    op.create_index("ix_fetch_failures_spider_gave_up", "fetch_failures", ["spider", "gave_up"])


def downgrade() -> None:
    op.drop_table("fetch_failures")
