"""`newscrawl demo`: the whole flow offline, on real recorded pages.

Replays the bundled WARC (demo.warc.gz, built by scripts/build_demo_warc.py from tests/fixtures/pages)
through the real spiders and pipelines into the configured database (the embedded one by default),
links the articles, then prints what was stored and three example SQL queries with their answers.
Running it again stores nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crawler.config import Config
from crawler.runner import RunOutcome, run_crawl
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.engine import resolve_database_url

if TYPE_CHECKING:
    from crawler.linking.run import LinkStats

DEMO_WARC = Path(__file__).resolve().parent / "demo.warc.gz"
ADHOC_FEED = "https://demo.newscrawl.invalid/feed.xml"
DEMO_SINCE = "2000-01-01"
SPIDERS = ("sina_finance", "people_daily", "syndicated", "feeds")

DEMO_SETTINGS: dict[str, Any] = {
    "REPLAY_WARCS": [str(DEMO_WARC)],
    "WARC_ENABLED": False,  # the pages already are a capture
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}

EXAMPLE_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "Articles per source and language",
        """SELECT s.name AS source, a.language, count(*) AS articles
FROM articles a JOIN sources s ON s.id = a.source_id
GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 12""",
    ),
    (
        "Who republishes, translates or cites whom",
        """SELECT c.title AS copy, l.relation, l.evidence, round(l.score::numeric, 2) AS score,
       coalesce(o.title, os.name, l.original_url) AS original
FROM syndication_links l
JOIN articles c ON c.id = l.copy_article_id
LEFT JOIN articles o ON o.id = l.original_article_id
LEFT JOIN sources os ON os.id = l.original_source_id
ORDER BY l.score DESC LIMIT 10""",
    ),
    (
        "Pages that hold more than one language",
        """SELECT a.title,
       string_agg(g.language || ' ' || g.char_count || ' chars', ', ' ORDER BY g.ordinal) AS segments
FROM articles a JOIN article_segments g ON g.article_id = a.id
GROUP BY a.id, a.title HAVING count(DISTINCT g.language) > 1""",
    ),
)


def run_demo(config: Config) -> tuple[RunOutcome, LinkStats | None]:
    """Migrate, crawl the bundled WARC, link; returns the crawl outcome and the linker's counts (empty when the
    crawl was interrupted: Ctrl-C stops the demo, it does not go on to link)."""
    if not DEMO_WARC.exists():
        raise FileNotFoundError(f"{DEMO_WARC} is missing: run scripts/build_demo_warc.py")
    url = resolve_database_url(config)
    migrate.upgrade(url)
    store = Store(url)
    try:
        store.seed_sources()
    finally:
        store.dispose()
    outcome = run_crawl(
        SPIDERS,
        config,
        spider_args={"since": DEMO_SINCE},
        settings_overrides=DEMO_SETTINGS,
        label="demo",
        per_spider_args={
            # the sources the bundled capture holds; the ad-hoc feed lists the other recorded pages
            "sina_finance": {"source": "Sina Finance"},
            "people_daily": {"source": "People's Daily,People's Daily English"},
            "syndicated": {"source": "Qpute"},
            "feeds": {"source": "China Daily,Xinhua", "feed": ADHOC_FEED},
        },
    )
    if outcome.status == "interrupted":
        return outcome, None
    return outcome, link_everything(config)


def link_everything(config: Config) -> LinkStats:
    from crawler.analyst.views import refresh_views
    from crawler.linking.run import link_all

    store = Store.from_config(config)
    try:
        stats = link_all(store)
        refresh_views(store)  # the materialised analyst views (stories, daily counts)
        return stats
    finally:
        store.dispose()


def _table(rows: list[Any], keys: list[str]) -> list[str]:
    cells = [keys, *[["" if v is None else str(v) for v in row] for row in rows]]
    widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(keys))]
    return ["  " + "  ".join(c[:60].ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]


def report(config: Config) -> str:
    """The summary and the example queries with their results."""
    store = Store.from_config(config)
    lines: list[str] = []
    try:
        with store.engine.connect() as conn:
            for title, sql in EXAMPLE_QUERIES:
                result = conn.execute(text(sql))
                lines += ["", f"-- {title}", sql + ";"]
                lines += _table(result.all(), list(result.keys()))
    finally:
        store.dispose()
    return "\n".join(lines)
