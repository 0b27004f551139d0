"""What every page shares: its read-only connection, its template environment (autoescaped) and the filters
that format dates, lags and numbers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crawler.web import db
from crawler.web.evidence import label

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters.update(when=when, day=day, hours=hours, number=number, percent=percent, anchor=label, http_url=http_url)
    env.globals.update(query_string=query_string)
    return env


def when(value: datetime | None) -> str:
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def day(value: datetime | None) -> str:
    return _utc(value).strftime("%Y-%m-%d") if value else "–"


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc) if value.tzinfo else value


def hours(value: float | timedelta | None) -> str:
    """A lag or duration in hours (or minutes when short)."""
    if value is None:
        return "–"
    signed = not isinstance(value, timedelta)
    h = value.total_seconds() / 3600 if isinstance(value, timedelta) else float(value)
    sign = "+" if signed and h > 0 else ""
    if abs(h) < 1:
        return f"{sign}{h * 60:.0f} min"
    return f"{sign}{h:.1f} h"


def http_url(value: str | None) -> str:
    """A stored URL as a link target: http(s) only (a `javascript:` or `data:` URL becomes a dead link)."""
    return value if value and value.lower().startswith(("http://", "https://")) else "about:blank"


def number(value: float | int | None) -> str:
    return "–" if value is None else f"{value:,}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """The current parameters with some changed (None drops one), as `?a=b`."""
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@contextmanager
def connection(request: Request) -> Iterator[Connection]:
    with db.read_only(request.app.state.engine) as conn:
        yield conn


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)
