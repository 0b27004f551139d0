"""People's Daily: people.com.cn sections and RSS (zh), en.people.cn (en), german.people.com.cn (de).

One code path; `-a edition=zh|en|de` picks one edition, no argument crawls all three. Article URLs look
like `…/n1/YYYY/MMDD/c<channel>-<id>.html` (Chinese) and `…/n3/…` (English, German).
"""

from __future__ import annotations

from typing import Any

from crawler.spiders.base import NewsSpider, SpiderArgumentError

EDITIONS = ("zh", "en", "de")


class PeopleDailySpider(NewsSpider):
    name = "people_daily"

    def __init__(self, edition: str | None = None, **kwargs: Any) -> None:
        if edition is not None and edition not in EDITIONS:
            raise SpiderArgumentError(f"-a edition={edition!r}: expected one of {', '.join(EDITIONS)}")
        super().__init__(edition=edition, **kwargs)
