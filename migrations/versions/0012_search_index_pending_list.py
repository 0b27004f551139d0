"""The search index takes new articles in a larger pending list, so the store's load rate holds as it grows.

GIN indexes collect new entries in a pending list and merge it into the index when it exceeds
`gin_pending_list_limit` (default 4 MB) or when (auto)vacuum runs. Merging is the store's main cost that grows
with the corpus (benchmarks/scale.py): a merge touches index pages all over an index that no longer fits in
memory, so fewer, larger merges cost less per article, and autovacuum does more of them outside the crawl.
The price is a longer list that every search reads in full until the next merge (16 MB: a few milliseconds).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_LIST_KB = 16384


def upgrade() -> None:
    op.execute(f"ALTER INDEX ix_articles_search_vector SET (gin_pending_list_limit = {PENDING_LIST_KB})")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_articles_search_vector RESET (gin_pending_list_limit)")
