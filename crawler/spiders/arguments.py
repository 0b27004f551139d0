"""The `-a NAME=VALUE` arguments each spider accepts, with one line of help each.

Kept apart from the spiders (no Scrapy import) so `newscrawl crawl --help` can list them quickly; the spiders
and `newscrawl crawl` reject any other name, so a typo (`-a sinse=2024-01-01`) stops the crawl instead of
silently crawling everything.
"""

from __future__ import annotations

from collections.abc import Iterable

COMMON: dict[str, str] = {
    "since": "skip articles dated before this (2024-01-01 or an ISO time)",
    "until": "skip articles dated after this",
    "max_items": "schedule at most this many article pages",
    "max_pages": "follow listing pagination up to this page (default: the registry's, usually 20)",
    "recheck_days": "re-check articles first seen this many days ago (default 2)",
    "source": "only the registry source(s) of this name (comma-separated)",
}
SPECIFIC: dict[str, dict[str, str]] = {
    "people_daily": {"edition": "only this edition: zh, en or de"},
    "feeds": {
        "feed": "crawl this RSS/Atom feed URL (comma-separated for several)",
        "sitemap": "crawl this sitemap URL (comma-separated for several)",
    },
}


def known_arguments(spider: str) -> dict[str, str]:
    """Argument name -> help, for one spider."""
    return {**COMMON, **SPECIFIC.get(spider, {})}


def unknown_arguments(spider: str, names: Iterable[str]) -> list[str]:
    """The names a spider does not accept (names starting with `_` are left to the job runner, e.g. scrapyd)."""
    known = known_arguments(spider)
    return [name for name in names if name not in known and not name.startswith("_")]


def describe(spiders: Iterable[str]) -> str:
    """Help text listing the arguments of these spiders."""
    lines = ["spider arguments (-a NAME=VALUE):"]
    lines += [f"  {name:<14}{text}" for name, text in COMMON.items()]
    for spider in spiders:
        for name, text in SPECIFIC.get(spider, {}).items():
            lines.append(f"  {name:<14}{text} ({spider} only)")
    return "\n".join(lines)
