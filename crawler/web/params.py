"""Query-string parameters read and checked: a bad value is a 400 page that says which parameter and why.

Every limit lives here: the query length (the search command's own bound), the page size, the page number
and how far results can be paged.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from crawler.analyst.search import SEARCH_LANGUAGES, QueryTooLong, check_query

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
# search_articles() is asked for at most this many hits (the results' pages work within them); with a source or
# an end date, which it has no parameter for, the filters apply to its best MAX_FILTERED_RESULTS hits (each hit
# costs its snippet)
MAX_RESULTS = 500
MAX_FILTERED_RESULTS = 200
MAX_PARAM_CHARS = 300
MAX_ID = 2**63 - 1


class BadRequest(HTTPException):
    """A 400 whose detail names the parameter and what is wrong with it."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=400, detail=detail)


class NotFound(HTTPException):
    """A 404 whose detail says what was not found."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=404, detail=detail)


def text_param(params: QueryParams, name: str, *, max_chars: int = MAX_PARAM_CHARS) -> str | None:
    """A free-text parameter, stripped; None when absent or empty; 400 when too long or holding NUL."""
    value = params.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > max_chars:
        raise BadRequest(f"parameter {name!r} has {len(value)} characters; at most {max_chars}")
    if "\x00" in value:
        raise BadRequest(f"parameter {name!r} contains a NUL character")
    return value.strip()


def search_query(params: QueryParams) -> str | None:
    """The search query (`q`), checked against the search command's bounds (characters and words)."""
    query = text_param(params, "q", max_chars=10_000)
    if query is None:
        return None
    try:
        check_query(query)
    except QueryTooLong as exc:
        raise BadRequest(f"the query is too long: {exc}") from None
    if "\x00" in query:
        raise BadRequest("the query contains a NUL character")
    return query


def language(params: QueryParams) -> str | None:
    value = text_param(params, "lang")
    if value is None:
        return None
    if value.lower() not in SEARCH_LANGUAGES:
        raise BadRequest(f"unknown language {value!r}: choose one of {', '.join(SEARCH_LANGUAGES)}")
    return value.lower()


def day(params: QueryParams, name: str) -> datetime | None:
    """A date parameter (YYYY-MM-DD) as the start of that day in UTC."""
    value = text_param(params, name)
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"parameter {name!r} is not a date: {value!r} (use YYYY-MM-DD)") from None
    return datetime.combine(parsed, time(0), tzinfo=timezone.utc)


def positive_int(params: QueryParams, name: str, default: int, maximum: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise BadRequest(f"parameter {name!r} is not a whole number: {value[:40]!r}")
    number = int(value)
    if not 1 <= number <= maximum:
        raise BadRequest(f"parameter {name!r} must be between 1 and {maximum}, got {number}")
    return number


def path_id(value: str, what: str) -> int:
    """An id from the URL path; a value that cannot be an id is a 404 (no such page)."""
    if not value.isascii() or not value.isdigit() or len(value) > 19 or int(value) > MAX_ID or int(value) < 1:
        raise NotFound(f"no {what} has the id {value[:40]!r}")
    return int(value)
