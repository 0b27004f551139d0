"""WordPress syndicators such as Qpute: their /feed/, sitemaps and, where open, the WordPress REST API.

Which sites, and their endpoints, come from the registry (kind `syndicator`); `-a source=NAME` picks one.
The "Read the original post at Source link" target is found by extraction and becomes the attribution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from crawler.sources import Discovery
from crawler.spiders.base import NewsSpider
from crawler.spiders.discovery import Listed, matching, parse_date

PER_PAGE = 100


def parse_wp_posts(body: bytes) -> list[Listed]:
    """Posts of one page of `/wp-json/wp/v2/posts`; raises ValueError on anything else."""
    try:
        posts = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"WordPress API answer is not JSON: {exc}") from None
    if not isinstance(posts, list):
        raise ValueError("WordPress API answer is not a list of posts")
    found = []
    for post in posts:
        if isinstance(post, dict) and isinstance(post.get("link"), str):
            published = parse_date(post.get("date_gmt") + "Z" if post.get("date_gmt") else post.get("date"))
            found.append(Listed(post["link"], published))
    return found


class SyndicatedSpider(NewsSpider):
    name = "syndicated"

    def wp_api_request(self, endpoint: str, page: int, disc: Discovery) -> scrapy.Request:
        query = {"per_page": PER_PAGE, "page": page, "_fields": "link,date,date_gmt", "orderby": "date"}
        if self.since is not None:
            query["after"] = self.since.strftime("%Y-%m-%dT%H:%M:%S")
        if self.until is not None:
            query["before"] = self.until.strftime("%Y-%m-%dT%H:%M:%S")
        return self.discovery_request(
            f"{endpoint}?{urlencode(query)}", self.parse_wp_api, endpoint=endpoint, page=page, discovery=disc
        )

    def parse_wp_api(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        try:
            posts = parse_wp_posts(response.body)
        except ValueError as exc:
            self.discovery_error(response.url, "bad_wp_api", str(exc))
            return
        self.discovery_answered(response, "wp_api")
        yield from self.schedule(matching(posts, response.meta["discovery"].article_patterns))
        disc: Discovery = response.meta["discovery"]
        total_pages = int(response.headers.get(b"X-WP-TotalPages", b"1") or 1)
        page: int = response.meta["page"]
        if posts and page < min(total_pages, self.page_limit(disc)) and not self.limit_reached():
            yield from self.paced(self.wp_api_request(response.meta["endpoint"], page + 1, disc))
