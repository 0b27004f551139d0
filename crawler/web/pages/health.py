"""The crawl-health page: the crawl_runs history from the crawl_health view (status, pages, new / updated /
unchanged, errors by kind) as a chart and a table, runs that failed, stalled or fetched nothing set apart,
and the latest fetch failures."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.web import charts, queries
from crawler.web.render import connection, page


def problem(run: dict[str, Any]) -> str | None:
    """Why a run stands out, or None for a healthy one."""
    if run["stalled"]:
        return "stalled"
    if run["status"] in ("failed", "degraded", "interrupted"):
        return run["status"]
    if run["status"] == "finished" and not run["pages"]:
        return "fetched nothing"
    return None


def health_page(request: Request) -> Response:
    with connection(request) as conn:
        runs = [dict(r) for r in queries.crawl_runs(conn)]
        failures = queries.recent_failures(conn)
    for run in runs:
        run["problem"] = problem(run)
    chronological = list(reversed(runs))
    labels = [f"#{r['run_id']} {r['spider']}" for r in chronological]
    series = {
        "new": [r["articles_new"] for r in chronological],
        "updated": [r["articles_updated"] for r in chronological],
        "unchanged": [r["articles_unchanged"] for r in chronological],
    }
    chart = charts.stacked_by_series(labels, series, "articles") if runs else None
    activity = {"pages fetched": [r["pages"] for r in chronological],
                "failed URLs": [r["failures"] for r in chronological]}  # fmt: skip
    pages_chart = charts.lines(labels, activity, "count") if runs else None
    attention = [r for r in runs if r["problem"]]
    return page(request, "health.html", runs=runs, failures=failures, chart=chart, pages_chart=pages_chart,
                attention=attention)  # fmt: skip


routes = [Route("/health", health_page, name="health")]
