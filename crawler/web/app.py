"""The application factory: routes of every page, static files, security headers and error pages.

`create_app(database_url, warc_dirs)` returns a Starlette application; `newscrawl serve` runs it with uvicorn,
the tests through Starlette's TestClient. Errors become pages: a bad parameter 400, an unknown id 404, an
unreachable or overloaded database 503, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.analyst.search import prepare_query
from crawler.web import db
from crawler.web.pages import article, capture, health, search, sources, story
from crawler.web.render import environment, page

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# No page runs a script; images may be inline SVG charts; only the raw capture may be framed, by our own pages.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'self'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
}
MAX_URL_CHARS = 4096


class SecurityHeaders:
    """Adds HEADERS to every response that does not set them itself, and refuses over-long URLs (414)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) + len(scope.get("raw_path", b"") or b"") > MAX_URL_CHARS:
            response = Response("the address is too long", status_code=414, media_type="text/plain")
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
    title = titles.get(exc.status_code, "Request refused")
    return page(request, "error.html", status_code=exc.status_code, title=title, message=exc.detail)


async def database_error(request: Request, exc: Exception) -> Response:
    log.warning("web: database error on %s: %s", request.url.path, exc)
    message = "The database did not answer in time or could not be reached; try again in a moment."
    return page(request, "error.html", status_code=503, title="Database unavailable", message=message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("web: error on %s", request.url.path, exc_info=exc)
    return page(request, "error.html", status_code=500, title="Server error", message="Something went wrong.")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Before the first request: load OpenCC's tables and open a connection."""
    prepare_query("预热 數據")
    try:
        with db.read_only(app.state.engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:  # the pages will say so; serving starts anyway
        log.warning("web: the database did not answer at start: %s", exc)
    yield


def create_app(database_url: str, warc_dirs: Sequence[Path] = ()) -> Starlette:
    """The application over `database_url` (read-only), with raw captures looked up in `warc_dirs`."""
    routes = [
        *search.routes,
        *article.routes,
        *capture.routes,
        *story.routes,
        *sources.routes,
        *health.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
        exception_handlers={
            HTTPException: http_error,
            OperationalError: database_error,
            DBAPIError: database_error,
            Exception: server_error,
        },
    )
    app.state.engine = db.read_only_engine(database_url)
    app.state.templates = environment()
    app.state.warc_dirs = list(warc_dirs)
    return app


