"""Re-extract archived pages: WARC response records -> `extract` -> the store, in batches.

Used after an extractor change (`newscrawl replay FILE.warc.gz …`) and for offline runs. Only 200 responses
with an HTML content type (or no content type and a body that looks like HTML) are extracted; the article
gets the capture's date, status, validators and capture reference. Upserts make a second run a no-op
(everything `unchanged`). Pages the crawl fetched to find articles (listings, feeds, sitemaps) are skipped,
as the crawl did not store them either. Files are read in the order given (directories in name order, i.e. by time), so
when a URL was captured several times its last capture is what stays in the store.

A damaged file is processed up to the damage, reported, and the next file is read. Unfinished `.open` files
in a directory (a crawl is writing them, or one that stopped left them) are read too, and named in the summary.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from crawler.archive.reader import CapturedResponse, WarcReadError, iter_responses, warc_files
from crawler.archive.writer import OPEN_SUFFIX
from crawler.config import Config
from crawler.items import Article, PageRejected
from crawler.sources import DISCOVERY, source_for_url
from crawler.spiders.discovery import is_article_url
from crawler.store.repository import StoreResult

log = logging.getLogger(__name__)

Extract = Callable[[bytes, str, Mapping[str, str] | None], Article]
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class ArticleStore(Protocol):
    def store_articles_isolating(
        self, articles: Sequence[Article]
    ) -> tuple[StoreResult, list[tuple[Article, str]]]: ...


@dataclass
class ReextractResult:
    """What one re-extraction did. `errors` counts extractor crashes, store refusals and damaged files."""

    records: int = 0
    stored: StoreResult = field(default_factory=StoreResult)
    rejected: int = 0
    rejected_reasons: Counter[str] = field(default_factory=Counter)
    skipped_status: int = 0
    skipped_non_html: int = 0
    skipped_discovery: int = 0  # listing pages, feeds and sitemaps: the crawl read them for links, not as articles
    errors: Counter[str] = field(default_factory=Counter)
    damaged_files: list[str] = field(default_factory=list)
    open_files: list[str] = field(default_factory=list)  # unfinished `.open` files that were read

    @property
    def new(self) -> int:
        return self.stored.new

    @property
    def updated(self) -> int:
        return self.stored.updated

    @property
    def unchanged(self) -> int:
        return self.stored.unchanged


def is_html(captured: CapturedResponse) -> bool:
    """HTML by content type; with none, by the start of the body."""
    if captured.media_type:
        return captured.media_type in HTML_TYPES
    start = captured.body[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start


def is_discovery_page(captured: CapturedResponse) -> bool:
    """True for a page the crawl fetched to find articles (a listing, feed or sitemap), not as an article: by the
    capture's own role, or, in captures that predate it, by the source registry's article URL patterns."""
    if captured.role is not None:
        return captured.role == "discovery"
    source = source_for_url(captured.url)
    discovery = DISCOVERY.get(source.name) if source is not None else None
    # Nothing says what this site's articles look like: every page of it is one, as before.
    return discovery is not None and not is_article_url(captured.url, discovery.article_patterns)


def _reason_key(reason: str) -> str:
    """The stable part of a reason ('unparsable HTML: <details>' counts as 'unparsable HTML')."""
    return reason.split(":", 1)[0].strip() or "unknown"


def _to_article(captured: CapturedResponse, extract: Extract, result: ReextractResult) -> Article | None:
    try:
        article = extract(captured.body, captured.url, captured.headers)
    except PageRejected as exc:
        result.rejected += 1
        result.rejected_reasons[_reason_key(exc.reason)] += 1
        return None
    except Exception as exc:  # an extractor bug on one page must not stop the run
        result.errors[f"extract: {exc.__class__.__name__}"] += 1
        log.warning("extracting %s (%s) failed: %r", captured.url, captured.capture_ref, exc)
        return None
    article.fetched_at = captured.fetched_at
    article.http_status = captured.status
    article.etag = captured.header("etag")
    article.last_modified = captured.header("last-modified")
    article.capture_ref = captured.capture_ref
    return article


def _flush(batch: list[Article], store: ArticleStore, result: ReextractResult) -> None:
    if not batch:
        return
    stored, refused = store.store_articles_isolating(batch)
    result.stored += stored
    for article, reason in refused:
        result.errors[f"store: {_reason_key(reason)}"] += 1
        log.warning("the store refused %s (%s): %s", article.url, article.capture_ref, reason)
    batch.clear()


def reextract(
    paths: Iterable[Path | str], store: ArticleStore, extract: Extract, batch_size: int = 200
) -> ReextractResult:
    """Extract every archived HTML page in `paths` and store the articles `batch_size` at a time."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ReextractResult()
    batch: list[Article] = []
    for path in warc_files(paths, include_open=True):
        if path.name.endswith(OPEN_SUFFIX):
            result.open_files.append(path.name)
        try:
            for captured in iter_responses(path):
                result.records += 1
                if captured.status != 200:
                    result.skipped_status += 1
                    continue
                if not is_html(captured):
                    result.skipped_non_html += 1
                    continue
                if is_discovery_page(captured):
                    result.skipped_discovery += 1
                    continue
                article = _to_article(captured, extract, result)
                if article is not None:
                    batch.append(article)
                if len(batch) >= batch_size:
                    _flush(batch, store, result)
        except WarcReadError as exc:
            result.errors["warc: damaged file"] += 1
            result.damaged_files.append(str(exc))
            log.error("%s (the records before the damage were read)", exc)
    _flush(batch, store, result)
    return result


def summary(result: ReextractResult) -> str:
    """One paragraph for people: what was stored, skipped, refused."""
    lines = [
        f"{result.records} responses read: {result.new} new, {result.updated} updated, "
        f"{result.unchanged} unchanged articles; skipped {result.skipped_status} non-200 and "
        f"{result.skipped_non_html} non-HTML responses and {result.skipped_discovery} listing pages; "
        f"{result.rejected} pages refused by extraction"
    ]
    lines += [f"  refused, {reason}: {count}" for reason, count in result.rejected_reasons.most_common()]
    lines += [f"  error, {reason}: {count}" for reason, count in result.errors.most_common()]
    if result.open_files:
        lines.append(
            f"  read {len(result.open_files)} unfinished WARC file(s) (.open: a crawl is writing it, or one that "
            f"stopped left it; the next crawl repairs it): {', '.join(result.open_files)}"
        )
    lines += [f"  {message}" for message in result.damaged_files]
    return "\n".join(lines)


def replay_command(args: argparse.Namespace, config: Config) -> int:
    """`newscrawl replay WARC…`: re-extract archived pages into the database (1 if a file was damaged)."""
    from crawler.extract import extract
    from crawler.store.database import Store

    missing = [p for p in args.warcs if not Path(p).exists()]
    if missing:
        print(f"newscrawl: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    store = Store.from_config(config)
    try:
        store.check()
        result = reextract(args.warcs, store, extract, batch_size=args.batch_size)
    finally:
        store.dispose()
    print(summary(result))
    return 1 if result.damaged_files else 0
