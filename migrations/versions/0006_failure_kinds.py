"""Fetch failure kinds the crawl records: extraction crashes and errors, refused (blocked) addresses.

The extraction pipeline records a page whose worker died or timed out as `crashed` and one on which
extraction raised as `error`; the redirect guard records a redirect or meta refresh to a private, loopback,
link-local or reserved address as `blocked`. The old check constraint refused the first two, and since all
of a run's failures were written in one statement, a single crash erased every failure record of the run.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("http", "timeout", "dns", "connection", "too_large", "redirect_loop", "rejected", "other")
NEW_KINDS = (*OLD_KINDS, "crashed", "error", "blocked")


def _check(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_fetch_failures_kind"), "fetch_failures", type_="check")
    op.create_check_constraint(op.f("ck_fetch_failures_kind"), "fetch_failures", _check(NEW_KINDS))


def downgrade() -> None:
    # the new kinds become `other`, keeping what happened in `error`
    op.execute(
        "UPDATE fetch_failures SET error = kind || ': ' || coalesce(error, ''), kind = 'other' "
        "WHERE kind IN ('crashed', 'error', 'blocked')"
    )
    op.drop_constraint(op.f("ck_fetch_failures_kind"), "fetch_failures", type_="check")
    op.create_check_constraint(op.f("ck_fetch_failures_kind"), "fetch_failures", _check(OLD_KINDS))
