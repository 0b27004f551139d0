"""`newscrawl extract FILE`: the article record of one saved page as JSON, as a crawl would store it.

The page goes through the same code as in a crawl (`crawler.pipelines.extract.article_from_page`: extraction,
normalisation, language segments, attribution evidence); no database, no network. `--url` gives the page's
original address, which picks the site profile and resolves relative links (default: the file's own URL);
`--content-type` the header a server sent with it (its charset counts as it would in a crawl).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"


def _extract(args: argparse.Namespace, config: Any) -> int:
    from crawler.items import FetchedPage, PageRejected
    from crawler.pipelines.extract import article_from_page

    path: Path = args.file
    if not path.is_file():
        print(f"newscrawl extract: error: {path} is not a file", file=sys.stderr)
        return 2
    body = path.read_bytes()
    if body[:2] == GZIP_MAGIC:  # a saved .html.gz
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            print(f"newscrawl extract: error: {path} looks gzipped but is not readable: {exc}", file=sys.stderr)
            return 2
    headers = {"content-type": args.content_type} if args.content_type else {}
    url = args.url or path.resolve().as_uri()
    page = FetchedPage(url=url, status=200, headers=headers, body=body, fetched_at=datetime.now(timezone.utc))
    try:
        article = article_from_page(page)
    except PageRejected as exc:
        print(f"newscrawl extract: the page was refused: {exc}", file=sys.stderr)
        return 1
    record = article.to_dict()
    record["fetched_at"] = None  # not fetched: read from a file
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def add_extract_parser(commands: Any) -> None:
    """`newscrawl extract FILE [--url URL] [--content-type TYPE]`."""
    parser = commands.add_parser("extract", help="print the article record of one saved page (HTML file) as JSON")
    parser.add_argument("file", type=Path, metavar="FILE", help="a saved page: .html, or .html.gz")
    parser.add_argument("--url", help="the page's original URL (picks the site profile; default: the file's URL)")
    parser.add_argument("--content-type", help="the Content-Type it was served with, e.g. 'text/html; charset=GBK'")
    parser.set_defaults(handler=_extract)
