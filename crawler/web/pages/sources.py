"""The sources pages: every source with its counts and the share of pages read by the generic extractor, and
one source with its articles per day and language (chart and table), that share by day (a sudden rise means
the site changed its layout) and its latest articles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.web import charts, params, queries
from crawler.web.render import connection, page


def sources_page(request: Request) -> Response:
    with connection(request) as conn:
        rows = queries.sources_overview(conn)
    return page(request, "sources.html", sources=rows)


def source_page(request: Request) -> Response:
    source_id = params.path_id(request.path_params["source_id"], "source")
    with connection(request) as conn:
        source = queries.source(conn, source_id)
        if source is None:
            raise params.NotFound(f"no source has the id {source_id}")
        counts = queries.daily_counts(conn, source["name"])
        fallback = queries.profile_fallback(conn, source_id)
        latest = queries.latest_articles(conn, source_id)
    labels, series = charts.pivot(counts, "day", "language", "articles")
    counts_chart = charts.stacked_by_series(labels, series, "articles") if counts else None
    shares = [100 * r["generic"] / r["articles"] if r["articles"] else None for r in fallback]
    fallback_chart = (
        charts.lines([str(r["day"]) for r in fallback], {"generic extractor": shares}, "% of pages", percent=True)
        if fallback
        else None
    )
    return page(request, "source.html", source=source, labels=labels, series=series, counts_chart=counts_chart,
                fallback=fallback, fallback_chart=fallback_chart, latest=latest)  # fmt: skip


routes = [
    Route("/sources", sources_page, name="sources"),
    Route("/sources/{source_id}", source_page, name="source"),
]
