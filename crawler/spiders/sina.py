"""Sina Finance / Sina News: article pages (`…/YYYY-MM-DD/doc-i<id>.shtml`) from Sina's roll API and roll listings.

The roll API answers JSON: {"result": {"data": [{"url": …, "ctime": "<unix time>", …}, …]}}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import scrapy
from scrapy.http import Response

from crawler.spiders.base import NewsSpider
from crawler.spiders.discovery import Listed, date_from_url, matching, parse_date


def parse_roll_json(body: bytes) -> list[Listed]:
    """Entries of one page of Sina's roll API; raises ValueError when the answer is not that JSON."""
    try:
        payload = json.loads(body)
        rows = payload["result"]["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a Sina roll API answer: {exc}") from None
    found = []
    for row in rows if isinstance(rows, list) else []:
        url = row.get("url") or row.get("wapurl") if isinstance(row, dict) else None
        if isinstance(url, str) and url.startswith("http"):
            found.append(Listed(url, parse_date(str(row.get("ctime") or "")) or date_from_url(url)))
    return found


class SinaFinanceSpider(NewsSpider):
    name = "sina_finance"

    def parse_json_listing(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = parse_roll_json(response.body)
        except ValueError as exc:
            self.discovery_error(response.url, "bad_listing", str(exc))
            return
        self.discovery_answered(response, "listings")
        articles = matching(entries, response.meta["discovery"].article_patterns)
        yield from self.schedule(articles)
        if entries:
            yield from self.next_page(response, entries, self.parse_json_listing)
