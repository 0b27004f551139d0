"""The search page (also the home page): `search_articles()` hits with highlighted snippets, filtered by
language, source and date range, in pages."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.analyst.search import prepare_query
from crawler.web import params, queries
from crawler.web.evidence import Piece
from crawler.web.render import connection, page

BRACKETED = re.compile(r"\[([^\[\]]{1,200})\]")


def snippet_pieces(snippet: str | None, language: str | None, query: str) -> list[Piece]:
    """The snippet with its matches marked: ts_headline's [brackets] for en/de, the query words for Chinese."""
    if not snippet:
        return []
    if not (language or "").startswith("zh"):
        return _marked(snippet, BRACKETED, group=1)
    words = sorted({w for w in prepare_query(query).split() if w}, key=len, reverse=True)
    if not words:
        return [Piece(snippet)]
    return _marked(snippet, re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE), group=0)


def _marked(snippet: str, pattern: re.Pattern[str], group: int) -> list[Piece]:
    """The snippet cut at each match of `pattern`; the match's `group` is the marked piece."""
    pieces, position = [], 0
    for match in pattern.finditer(snippet):
        pieces.append(Piece(snippet[position : match.start()]))
        pieces.append(Piece(match.group(group), match=True))
        position = match.end()
    pieces.append(Piece(snippet[position:]))
    return [p for p in pieces if p.text]


def search_page(request: Request) -> Response:
    q = request.query_params
    query = params.search_query(q)
    lang = params.language(q)
    since, until = params.day(q, "since"), params.day(q, "until")
    source = params.text_param(q, "source")
    size = params.positive_int(q, "size", params.PAGE_SIZE, params.MAX_PAGE_SIZE)
    number = params.positive_int(q, "page", 1, params.MAX_RESULTS)
    if since and until and until <= since:
        raise params.BadRequest("the end date must be after the start date")
    if (number - 1) * size >= params.MAX_RESULTS:
        raise params.BadRequest(f"results are paged up to hit {params.MAX_RESULTS}: ask for an earlier page")
    shown = {"q": query, "lang": lang, "source": source, "since": q.get("since"), "until": q.get("until"),
             "size": size if size != params.PAGE_SIZE else None}  # fmt: skip
    hits: list[dict[str, object]] = []
    total = 0
    with connection(request) as conn:
        sources = queries.source_names(conn)
        if source is not None and source not in sources:
            raise params.BadRequest(f"no source is named {source!r}")
        if query:
            filtered = source is not None or until is not None
            wanted = params.MAX_FILTERED_RESULTS if filtered else min(number * size + 1, params.MAX_RESULTS)
            rows = queries.search(conn, query, lang=lang, since=since, until=until, source=source,
                                  max_results=wanted, limit=size, offset=(number - 1) * size)  # fmt: skip
            total = int(rows[0]["total"]) if rows else 0
            stories = queries.stories_of(conn, [r["article_id"] for r in rows])
            hits = [
                {**row, "story_id": stories.get(row["article_id"]),
                 "pieces": snippet_pieces(row["snippet"], row["language"], query)}
                for row in rows
            ]  # fmt: skip
    first = (number - 1) * size + 1
    more = total > number * size
    return page(request, "search.html", query=query, lang=lang, source=source, sources=sources, hits=hits,
                total=total, first=first, page_number=number, more=more, params=shown,
                capped=total >= params.MAX_FILTERED_RESULTS, languages=("zh", "en", "de"))  # fmt: skip


routes = [Route("/", search_page, name="search"), Route("/search", search_page)]
