"""Run health: status `degraded`, and `crawl_health` says which runs need attention and which sources failed.

A run whose spiders finished but could not read any feed, sitemap or listing of some source is `degraded`; one
that could discover nothing at all, or fetched nothing because every request failed, is `failed` (see
crawler/runner.py). `crawl_health` gains `needs_attention` (failed, degraded, interrupted or stalled) and
`failed_sources` (the run's `stats.failed_sources`). The view's SQL is a copy of schema/views/crawl_health.sql
as it was when this revision was written (a released migration never changes).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("running", "finished", "degraded", "failed", "interrupted")
PREVIOUS_STATUSES = ("running", "finished", "failed", "interrupted")

CRAWL_HEALTH_SQL = r"""
-- crawl_health: one row per crawl run with its duration, the gap since the same spider's previous run,
-- whether it is the spider's latest run or looks stalled, whether it needs attention (failed, degraded,
-- interrupted or stalled), the sources nothing could be discovered for, and the fetch failures it left behind.
CREATE VIEW crawl_health AS
SELECT r.id AS run_id,
       r.spider,
       r.status,
       r.started_at,
       r.finished_at,
       coalesce(r.finished_at, now()) - r.started_at AS duration,
       r.started_at - lag(r.started_at) OVER (PARTITION BY r.spider ORDER BY r.started_at, r.id) AS since_previous_run,
       row_number() OVER (PARTITION BY r.spider ORDER BY r.started_at DESC, r.id DESC) = 1 AS is_latest,
       r.status = 'running' AND r.started_at < now() - interval '6 hours' AS stalled,
       r.status IN ('failed', 'degraded', 'interrupted')
           OR (r.status = 'running' AND r.started_at < now() - interval '6 hours') AS needs_attention,
       coalesce(f.failures, 0) AS failures,
       coalesce(f.gave_up, 0) AS gave_up,
       coalesce(f.failures_by_kind, '{}'::jsonb) AS failures_by_kind,
       coalesce(r.stats -> 'failed_sources', '[]'::jsonb) AS failed_sources,
       r.stats,
       r.error,
       r.host,
       r.log_file
FROM crawl_runs AS r
LEFT JOIN (
    SELECT k.last_run_id,
           sum(k.n) AS failures,
           sum(k.gave_up) AS gave_up,
           jsonb_object_agg(k.kind, k.n) AS failures_by_kind
    FROM (SELECT last_run_id, kind, count(*) AS n, count(*) FILTER (WHERE gave_up) AS gave_up
          FROM fetch_failures WHERE last_run_id IS NOT NULL GROUP BY last_run_id, kind) AS k
    GROUP BY k.last_run_id
) AS f ON f.last_run_id = r.id;
"""

# as revision 0003 created it
PREVIOUS_CRAWL_HEALTH_SQL = r"""
-- crawl_health: one row per crawl run with its duration, the gap since the same spider's previous run,
-- whether it is the spider's latest run or looks stalled, and the fetch failures it left behind.
CREATE VIEW crawl_health AS
SELECT r.id AS run_id,
       r.spider,
       r.status,
       r.started_at,
       r.finished_at,
       coalesce(r.finished_at, now()) - r.started_at AS duration,
       r.started_at - lag(r.started_at) OVER (PARTITION BY r.spider ORDER BY r.started_at, r.id) AS since_previous_run,
       row_number() OVER (PARTITION BY r.spider ORDER BY r.started_at DESC, r.id DESC) = 1 AS is_latest,
       r.status = 'running' AND r.started_at < now() - interval '6 hours' AS stalled,
       coalesce(f.failures, 0) AS failures,
       coalesce(f.gave_up, 0) AS gave_up,
       coalesce(f.failures_by_kind, '{}'::jsonb) AS failures_by_kind,
       r.stats,
       r.error,
       r.host,
       r.log_file
FROM crawl_runs AS r
LEFT JOIN (
    SELECT k.last_run_id,
           sum(k.n) AS failures,
           sum(k.gave_up) AS gave_up,
           jsonb_object_agg(k.kind, k.n) AS failures_by_kind
    FROM (SELECT last_run_id, kind, count(*) AS n, count(*) FILTER (WHERE gave_up) AS gave_up
          FROM fetch_failures WHERE last_run_id IS NOT NULL GROUP BY last_run_id, kind) AS k
    GROUP BY k.last_run_id
) AS f ON f.last_run_id = r.id;
"""


def _run(sql: str) -> None:
    """Run a script as written: no bind-parameter parsing of its colons and quotes."""
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _status_check(statuses: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_crawl_runs_status"), "crawl_runs", type_="check")
    listed = ", ".join(f"'{status}'" for status in statuses)
    op.create_check_constraint(op.f("ck_crawl_runs_status"), "crawl_runs", f"status IN ({listed})")


def upgrade() -> None:
    _status_check(STATUSES)
    op.execute("DROP VIEW IF EXISTS crawl_health")
    _run(CRAWL_HEALTH_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS crawl_health")
    _run(PREVIOUS_CRAWL_HEALTH_SQL)
    op.execute("UPDATE crawl_runs SET status = 'failed' WHERE status = 'degraded'")
    _status_check(PREVIOUS_STATUSES)
