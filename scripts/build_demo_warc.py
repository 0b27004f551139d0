"""Build crawler/demo/demo.warc.gz: the recorded real pages of tests/fixtures/pages, under their original URLs,
plus synthetic listing pages and feeds that link them the way each site does (Sina's roll API, People's Daily
RSS and section listings, a WordPress feed for the Qpute-style syndicator, China Daily RSS, a Xinhua listing, and
one ad-hoc RSS feed for the other pages). `newscrawl demo` replays it through the real spiders and pipelines.

Run from the repository root:  .venv/bin/python scripts/build_demo_warc.py
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from crawler.archive.writer import WarcWriter
from crawler.demo import ADHOC_FEED, DEMO_SINCE  # the WordPress API URL depends on the demo's window

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
OUTPUT = ROOT / "crawler" / "demo" / "demo.warc.gz"
CAPTURED = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def pages() -> list[tuple[str, str, bytes]]:
    """(fixture name, original URL, body bytes) for every recorded page with an expected output."""
    found = []
    for expected in sorted(FIXTURES.glob("*/*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        html = next(p for p in (expected.parent / f"{stem}.html", expected.parent / f"{stem}.html.gz") if p.exists())
        body = html.read_bytes()
        if html.suffix == ".gz":
            body = gzip.decompress(body)
        found.append((f"{expected.parent.name}/{stem}", json.loads(expected.read_text())["url"], body))
    return found


def rss(title: str, urls: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)} {n}</title><link>{escape(u)}</link>"
        f"<pubDate>{format_datetime(CAPTURED)}</pubDate></item>"
        for n, u in enumerate(urls, 1)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"{items}</channel></rss>"
    ).encode()


def listing(urls: list[str]) -> bytes:
    links = "".join(f'<li><a href="{escape(u)}">{escape(u)}</a></li>' for u in urls)
    return f"<!DOCTYPE html><html><body><ul class='list'>{links}</ul></body></html>".encode()


def sitemap(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{CAPTURED.date()}</lastmod></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>"
    ).encode()


def registry_endpoints(by_source: dict[str, list[str]]) -> list[tuple[str, str, bytes]]:
    """Every feed, sitemap, listing and API page-1 URL the registry names for the demo's sources, answered
    with the recorded pages of that source, so each discovery path of the spiders runs in the demo."""
    from crawler.sources import DISCOVERY
    from crawler.spiders.syndicated import SyndicatedSpider

    answers = []
    for source, urls in by_source.items():
        disc = DISCOVERY[source]
        for url in disc.feeds:
            answers.append((url, "application/rss+xml", rss(source, urls)))
        for url in disc.sitemaps:
            answers.append((url, "application/xml", sitemap(urls)))
        for template in disc.listings:
            url = template.replace("{page}", "" if "index{page}" in template else "1")
            answers.append((url, "text/html; charset=utf-8", listing(urls)))
        for template in disc.json_listings:
            rows = [{"url": u, "ctime": str(int(CAPTURED.timestamp()))} for u in urls]
            answers.append(
                (template.format(page=1), "application/json", json.dumps({"result": {"data": rows}}).encode())
            )
            answers.append((template.format(page=2), "application/json", b'{"result": {"data": []}}'))
        for endpoint in disc.wp_api:
            spider = SyndicatedSpider(since=DEMO_SINCE, source=source)
            api_url = spider.wp_api_request(endpoint, 1, disc).url
            posts = [{"link": u, "date_gmt": CAPTURED.strftime("%Y-%m-%dT%H:%M:%S")} for u in urls]
            answers.append((api_url, "application/json", json.dumps(posts).encode()))
    return answers


def main() -> None:
    by_family: dict[str, list[str]] = {}
    work = Path(tempfile.mkdtemp())
    writer = WarcWriter(work, max_size=1 << 40, prefix="demo")
    for name, url, body in pages():
        family = name.split("/")[0]
        content_type = "text/html; charset=utf-8"
        if family == "people_zh":  # what the live servers send: GBK bytes under a GBK header
            body, content_type = body.decode("utf-8").encode("gb18030"), "text/html; charset=GBK"
        writer.write_response(url, 200, {"Content-Type": content_type}, body, fetched_at=CAPTURED)
        key = "seeds_" + name.split("/")[1].split("_")[0] if family == "seeds" else family
        by_family.setdefault(key, []).append(url)

    by_source = {
        "Sina Finance": by_family["sina"] + by_family["seeds_sina"],
        "People's Daily": by_family["people_zh"],
        "People's Daily English": by_family["people_en"],
        "Qpute": by_family["seeds_qpute"],
        "China Daily": by_family["chinadaily"],
        "Xinhua": [u for u in by_family["china_other_en"] if "news.cn" in u],
    }
    others = (
        by_family["german"]
        + by_family["seeds_aggregator"]
        + by_family["seeds_snapshot"]
        + by_family["seeds_german"]
        + [u for u in by_family["china_other_en"] if "china.org.cn" in u]
    )
    synthetic = [*registry_endpoints(by_source), (ADHOC_FEED, "application/rss+xml", rss("ad-hoc", others))]
    for url, content_type, body in synthetic:
        writer.write_response(url, 200, {"Content-Type": content_type}, body, fetched_at=CAPTURED)
    writer.close()
    [built] = writer.closed_files
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), OUTPUT)
    shutil.rmtree(work)
    total = sum(len(v) for v in by_family.values())
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {total} pages, {len(synthetic)} listings/feeds, {size} bytes")


if __name__ == "__main__":
    main()
