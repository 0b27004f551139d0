"""How fast the pages of `newscrawl serve` answer, page by page, over real HTTP on 127.0.0.1.

Runs the application (crawler.web.app, the same one `newscrawl serve` runs) under uvicorn in this process on a
free loopback port, over the database of DATABASE_URL or, when it is unset, the embedded one (after
`newscrawl demo`, the demo corpus), or --database-url. It picks the pages from what the corpus holds: the home
page, a Chinese, an English and a filtered search, the article with the most links and one without any, the
widest story, the story list, the source with the most articles, the sources list and crawl health. Each page is
fetched once to warm up, then --repeat times; it prints the median, the 95th percentile and the slowest time of
each, in ms, and exits 1 when a median is over --budget-ms (default 200).

Run: `.venv/bin/python benchmarks/web_latency.py [--database-url URL] [--repeat 30]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sqlalchemy import create_engine, text


def pick_pages(url: str) -> list[tuple[str, str]]:
    """(label, path) of the pages to time, chosen from the corpus."""
    from crawler.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            article = conn.execute(text(
                "SELECT a.id FROM articles a LEFT JOIN syndication_links l "
                "ON l.copy_article_id = a.id OR l.original_article_id = a.id GROUP BY a.id "
                "ORDER BY count(l.id) DESC, a.id LIMIT 1")).scalar()  # fmt: skip
            story = conn.execute(text(
                "SELECT story_id FROM stories ORDER BY cardinality(languages) DESC, article_count DESC, story_id "
                "LIMIT 1")).scalar()  # fmt: skip
            unlinked = conn.execute(text(
                "SELECT max(a.id) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM syndication_links l "
                "WHERE l.copy_article_id = a.id OR l.original_article_id = a.id)")).scalar()  # fmt: skip
            busiest = "SELECT source_id FROM articles GROUP BY source_id ORDER BY count(*) DESC LIMIT 1"
            source = conn.execute(text(busiest)).scalar()
            source_name = conn.execute(text("SELECT name FROM sources WHERE id = :id"), {"id": source}).scalar()
    finally:
        engine.dispose()
    search = urllib.parse.urlencode
    filtered = {"q": "数字", "source": source_name or "", "since": "2000-01-01", "until": "2100-01-01"}
    pages = [
        ("home", "/"),
        ("search zh 人工智能", "/?" + search({"q": "人工智能"})),
        ("search en, lang=en", "/?" + search({"q": "infrastructure", "lang": "en"})),
        ("search zh, source + dates", "/?" + search(filtered)),
        ("stories", "/stories"),
        ("sources", "/sources"),
        ("crawl health", "/health"),
    ]
    if article:
        pages.insert(4, (f"article {article}", f"/articles/{article}"))
    if unlinked:
        pages.insert(5, (f"article {unlinked} (no links)", f"/articles/{unlinked}"))
    if story:
        pages.insert(6, (f"story {story}", f"/stories/{story}"))
    if source:
        pages.append((f"source {source}", f"/sources/{source}"))
    return pages


def serve_in_thread(app: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    from crawler.web.serve import bind

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def fetch(url: str) -> tuple[int, float]:
    """The status and the milliseconds until the whole answer was read (an error page is an answer too)."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the embedded database")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--budget-ms", type=float, default=200.0, help="a median above this fails (default 200)")
    args = parser.parse_args(argv)

    from crawler.config import Config
    from crawler.store.database import Store
    from crawler.web.app import create_app
    from crawler.web.serve import capture_dirs

    config = Config.from_env()
    store = Store(args.database_url) if args.database_url else Store.from_config(config)
    store.check()
    articles = store.counts()["articles"]
    pages = pick_pages(store.url)
    store.dispose()
    app = create_app(store.url, capture_dirs(config))
    base, server, thread = serve_in_thread(app)
    print(f"{articles} articles; {args.repeat} requests per page after one warm-up, over HTTP on {base}")
    print(f"{'page':34} {'median':>8} {'p95':>8} {'max':>8}  (ms)")
    over = []
    try:
        for label, path in pages:
            status, first = fetch(base + path)
            if status != 200:  # a page that fails (a 503 after the statement timeout) is timed once, not repeated
                print(f"{label[:34]:34} HTTP {status} after {first:.0f} ms")
                over.append(f"{label} (HTTP {status})")
                continue
            times = sorted(fetch(base + path)[1] for _ in range(args.repeat))
            median = statistics.median(times)
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"{label[:34]:34} {median:8.1f} {p95:8.1f} {times[-1]:8.1f}")
            if median > args.budget_ms:
                over.append(label)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.engine.dispose()
    if over:
        print(f"over the {args.budget_ms:.0f} ms budget: {', '.join(over)}")
        return 1
    print(f"every page's median is under {args.budget_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
