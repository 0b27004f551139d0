"""The base of every spider: crawl window and limits, discovery from the registry, incremental re-runs.

A spider only finds article URLs and hands the downloaded page on (a `FetchedPage` item); extraction
and storing happen in the pipelines. Arguments (`scrapy crawl NAME -a since=2024-01-01 …`):

  since, until     crawl window (dates or ISO times); articles whose feed/listing/URL date is outside are skipped
  max_items        stop scheduling new article pages after this many
  max_pages        follow `{page}` pagination up to this page (default: the registry's `max_pages`, 20)
  recheck_days     re-check articles first seen this many days ago with conditional requests (default 2)
  source           only the registry source(s) with this name (comma-separated)
  edition          only the sources of this edition (People's Daily: zh, en, de)

Article URLs are taken on through a frontier (crawler.spiders.frontier): this process's own set, or, with
REDIS_URL, leases shared by crawlers of the same spider on several machines (settings
FRONTIER_LEASE_SECONDS, FRONTIER_KEY_PREFIX).

Discovery is paced: once DISCOVERY_BACKLOG (default 500) article pages are requested and not yet answered,
the next listing page, feed page or child sitemap waits until they drain. Scrapy's scheduler therefore
holds about that many requests (some 2 KB each) instead of every article of every listing page, which it
would otherwise fetch far ahead of the articles (listings often live on another host, whose download slot
is idle). A crawl that goes idle with discovery waiting releases it at once.

Each source counts as discovered once one of its feeds, sitemaps, listings or APIs was read. When the spider
closes, the stats say how many sources it tried (`discovery/sources`) and name those of which nothing could
be read (`discovery/sources_failed`), so the run can end `degraded` or `failed` instead of reporting success.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import Config
from crawler.items import FetchedPage
from crawler.sources import Discovery, SourceInfo, discovery_for_spider
from crawler.spiders.arguments import known_arguments, unknown_arguments
from crawler.spiders.discovery import (
    DiscoveryError,
    Listed,
    date_from_url,
    extract_links,
    matching,
    parse_date,
    parse_feed,
    parse_sitemap,
)
from crawler.spiders.failures import classify, describe
from crawler.spiders.frontier import (
    DEFAULT_KEY_PREFIX,
    DEFAULT_LEASE_SECONDS,
    DEFAULT_REDIS_RETRY,
    DEFAULT_REDIS_TIMEOUT,
    Frontier,
    LocalFrontier,
    make_frontier,
)
from crawler.store.crawlstate import CrawlState
from crawler.urls import clean_url

log = logging.getLogger(__name__)

# Scrapy takes higher priorities first; article pages keep the default 0
DISCOVERY_PRIORITY = -10
DEFAULT_DISCOVERY_BACKLOG = 500  # article requests in flight or queued before discovery waits
IDLE_RELEASE = 8  # discovery requests released at once when the crawl goes idle


def _has_validators(request: scrapy.Request) -> bool:
    """True when the request was conditional (If-None-Match or If-Modified-Since)."""
    return bool(request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"))


class SpiderArgumentError(ValueError):
    """A `-a name=value` argument is invalid; the message says which and what is expected."""


def _parse_window_bound(name: str, value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise SpiderArgumentError(f"-a {name}={value!r}: expected a date like 2024-01-01 or 2024-01-01T08:00:00+08:00")
    return parsed


def _parse_positive(name: str, value: str | int | float | None, kind: type = int) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SpiderArgumentError(f"-a {name}={value!r}: expected a number") from None
    if number < 0:
        raise SpiderArgumentError(f"-a {name}={value!r}: must not be negative")
    return number


class NewsSpider(scrapy.Spider):
    """Registry-driven discovery (feeds, sitemaps, HTML and JSON listings) with incremental re-runs."""

    name: str

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        max_items: str | int | None = None,
        max_pages: str | int | None = None,
        recheck_days: str | float | None = None,
        source: str | None = None,
        edition: str | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = unknown_arguments(self.name, kwargs)
        if unknown:
            known = ", ".join(known_arguments(self.name))
            raise SpiderArgumentError(f"spider {self.name}: unknown argument(s) {', '.join(unknown)}; known: {known}")
        super().__init__(**kwargs)
        self.since = _parse_window_bound("since", since)
        self.until = _parse_window_bound("until", until)
        if self.since and self.until and self.since > self.until:
            raise SpiderArgumentError(f"-a since={since} is after -a until={until}")
        self.max_items: int | None = _parse_positive("max_items", max_items)
        self.max_pages: int | None = _parse_positive("max_pages", max_pages)
        if self.max_pages == 0:
            raise SpiderArgumentError(f"-a max_pages={max_pages!r}: must be at least 1")
        recheck = _parse_positive("recheck_days", recheck_days, float)
        self.recheck_days: float = 2.0 if recheck is None else recheck
        self.edition = edition
        self.source_names = {s.strip() for s in source.split(",")} if source else None
        self.sources = self.select_sources()
        if not self.sources:
            wanted = f" (source={source!r}, edition={edition!r})" if source or edition else ""
            raise SpiderArgumentError(f"spider {self.name} has no sources to crawl{wanted}; see crawler/sources.py")
        self.state = CrawlState()
        self.frontier: Frontier = LocalFrontier()
        self.articles_scheduled = 0
        self.backlog = DEFAULT_DISCOVERY_BACKLOG
        self.outstanding = 0  # article requests yielded and not yet answered (callback or errback)
        self.held: deque[scrapy.Request] = deque()  # discovery waiting for the backlog to drain
        self.source_of: dict[int, str] = {id(disc): info.name for info, disc in self.sources}
        self.sources_answered: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings, config = crawler.settings, Config.from_env()
        spider.frontier = make_frontier(
            config.redis_url,
            spider.name,
            settings.getint("FRONTIER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS),
            settings.get("FRONTIER_KEY_PREFIX", DEFAULT_KEY_PREFIX),
            config.crawler_name,
            settings.getfloat("FRONTIER_REDIS_TIMEOUT", DEFAULT_REDIS_TIMEOUT),
            settings.getfloat("FRONTIER_REDIS_RETRY", DEFAULT_REDIS_RETRY),
        )
        spider.backlog = settings.getint("DISCOVERY_BACKLOG", DEFAULT_DISCOVERY_BACKLOG)
        if spider.backlog < 1:
            raise SpiderArgumentError(f"DISCOVERY_BACKLOG={spider.backlog}: must be at least 1")
        crawler.signals.connect(spider.release_when_idle, signal=signals.spider_idle)
        return spider

    # -- configuration ---------------------------------------------------------------------------

    def select_sources(self) -> list[tuple[SourceInfo, Discovery]]:
        """The registry entries this spider crawls (subclasses name their spider key)."""
        chosen = discovery_for_spider(self.name, self.edition)
        if self.source_names is not None:
            chosen = [(s, d) for s, d in chosen if s.name in self.source_names]
        return chosen

    # -- start -----------------------------------------------------------------------------------

    def load_state(self) -> None:
        """Read known URLs and failures from the database; a crawl without a database still runs."""
        from crawler.store.database import Store

        try:
            store = Store.from_config(Config.from_env())
            store.check()
        except Exception as exc:  # no database: crawl everything, the store pipeline spools
            log.warning("no crawl history (%s): every discovered article will be fetched", exc)
            return
        try:
            self.state = CrawlState.load(store, self.name, self.recheck_days)
        finally:
            store.dispose()
        log.info(
            "crawl history: %d known URLs, %d to re-check, %d failed URLs to retry",
            len(self.state.known),
            len(self.state.recheck),
            len(self.state.retry),
        )

    async def start(self) -> AsyncIterator[Any]:
        self.load_state()
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> Iterator[scrapy.Request]:
        yield from self.article_requests([(url, None) for url in self.state.retry], retry=True)
        for _, disc in self.sources:
            for url in disc.feeds:
                yield self.discovery_request(url, self.parse_feed, discovery=disc)
            for url in disc.sitemaps:
                yield self.discovery_request(url, self.parse_sitemap, discovery=disc)
            for template in disc.listings:
                yield self.listing_request(template, 1, disc, self.parse_listing)
            for template in disc.json_listings:
                yield self.listing_request(template, 1, disc, self.parse_json_listing)
            for url in disc.wp_api:
                yield self.wp_api_request(url, 1, disc)

    def discovery_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        # below the article pages: the next listing, feed or sitemap is fetched once the articles already
        # found are on their way, so the scheduler holds about one listing's articles, not the whole frontier
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            meta=meta,
            dont_filter=True,
            priority=DISCOVERY_PRIORITY,
        )

    def listing_request(self, template: str, page: int, disc: Discovery, callback: Any) -> scrapy.Request:
        url = template.replace("{page}", "" if page == 1 and "index{page}" in template else str(page))
        return self.discovery_request(url, callback, template=template, page=page, discovery=disc)

    def wp_api_request(self, endpoint: str, page: int, disc: Discovery) -> scrapy.Request:
        raise NotImplementedError(f"spider {self.name} does not read WordPress APIs")

    # -- pacing ------------------------------------------------------------------------------------

    def paced(self, request: scrapy.Request) -> Iterator[scrapy.Request]:
        """A discovery request found while crawling: now, or held while the article backlog is full."""
        if self.outstanding < self.backlog and not self.held:
            yield request
        else:
            self.held.append(request)
            self.crawler.stats.inc_value("discovery/paced")

    def article_answered(self) -> Iterator[scrapy.Request]:
        """One article request is done: let one held discovery request go if the backlog has room."""
        self.outstanding = max(self.outstanding - 1, 0)
        if self.held and self.outstanding < self.backlog:
            yield self.held.popleft()

    def release_when_idle(self) -> None:
        """Nothing is in flight, yet discovery waits (an answer went uncounted): release it, keep crawling."""
        if not self.held:
            return
        self.outstanding = 0
        for _ in range(min(IDLE_RELEASE, len(self.held))):
            self.crawler.engine.crawl(self.held.popleft())
        raise DontCloseSpider

    # -- discovery callbacks -----------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self.discovery_error(response.url, "bad_feed", str(exc))
            return
        self.discovery_answered(response, "feeds")
        yield from self.schedule(matching(entries, response.meta["discovery"].article_patterns))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body = response.body
        if response.url.endswith(".gz") or body[:2] == b"\x1f\x8b":
            from scrapy.utils.gz import gunzip

            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # corrupt or oversized gzip
                self.discovery_error(response.url, "bad_sitemap", f"cannot gunzip: {exc}")
                return
        try:
            pages, children = parse_sitemap(body)
        except DiscoveryError as exc:
            self.discovery_error(response.url, "bad_sitemap", str(exc))
            return
        self.discovery_answered(response, "sitemaps")
        disc: Discovery = response.meta["discovery"]
        for child in children:
            if self.in_window(child.published, lenient=True):
                yield from self.paced(self.discovery_request(child.url, self.parse_sitemap, discovery=disc))
        yield from self.schedule(matching(pages, disc.article_patterns))

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        disc: Discovery = response.meta["discovery"]
        links = extract_links(response.body, response.url, disc.article_patterns)
        if not links and response.meta.get("page", 1) > 1:
            self.crawler.stats.inc_value("discovery/listing_end")  # paginated past the last page
            return
        if not links:
            self.discovery_error(response.url, "empty_listing", "no article links on the listing page")
            return
        self.discovery_answered(response, "listings")
        entries = [Listed(url, date_from_url(url)) for url in links]
        yield from self.schedule(entries)
        yield from self.next_page(response, entries, self.parse_listing)

    def parse_json_listing(self, response: Response) -> Iterator[scrapy.Request]:
        raise NotImplementedError(f"spider {self.name} has no JSON listing parser")

    def next_page(self, response: Response, entries: list[Listed], callback: Any) -> Iterator[scrapy.Request]:
        """Follow `{page}` pagination while the page still lists articles inside the window."""
        template: str = response.meta["template"]
        page: int = response.meta["page"]
        disc: Discovery = response.meta["discovery"]
        if "{page}" not in template or page >= self.page_limit(disc) or self.limit_reached():
            return
        dated = [e.published for e in entries if e.published is not None]
        if self.since is not None and dated and max(dated) < self.since:
            return  # the whole page is older than the window: stop paginating
        yield from self.paced(self.listing_request(template, page + 1, disc, callback))

    def page_limit(self, disc: Discovery) -> int:
        """The last listing page to follow: `-a max_pages` when given, else the registry's limit."""
        return self.max_pages if self.max_pages is not None else disc.max_pages

    def discovery_answered(self, response: Response, what: str) -> None:
        """A feed, sitemap, listing or API page was read (`what` names its stats counter): the source works."""
        self.crawler.stats.inc_value(f"discovery/{what}")
        name = self.source_of.get(id(response.meta.get("discovery")))
        if name is not None:
            self.sources_answered.add(name)

    def record_discovery_health(self) -> None:
        """Stats for the run's status: the sources tried and those of which no discovery page could be read."""
        names = sorted({info.name for info, _ in self.sources})
        failed = [name for name in names if name not in self.sources_answered]
        self.crawler.stats.set_value("discovery/sources", len(names))
        if failed:
            self.crawler.stats.set_value("discovery/sources_failed", ", ".join(failed))

    def discovery_error(self, url: str, kind: str, message: str) -> None:
        log.warning("discovery %s: %s (%s)", kind, message, url)
        self.crawler.stats.inc_value(f"errors/discovery/{kind}")

    def discovery_failed(self, failure: Failure) -> None:
        kind, status = classify(failure.value)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if status == 404 and request is not None and request.meta.get("page", 1) > 1:
            self.crawler.stats.inc_value("discovery/listing_end")  # paginated past the last page
            return
        log.warning("discovery page failed (%s): %s %s", kind, describe(failure.value), url)
        self.crawler.stats.inc_value(f"errors/discovery/{kind}")

    # -- articles --------------------------------------------------------------------------------

    def in_window(self, when: datetime | None, lenient: bool = False) -> bool:
        if when is None:
            return True
        if self.since is not None and when < self.since and not lenient:
            return False
        return not (self.until is not None and when > self.until)

    def limit_reached(self) -> bool:
        return self.max_items is not None and self.articles_scheduled >= self.max_items

    def schedule(self, entries: Iterable[Listed]) -> Iterator[scrapy.Request]:
        candidates = []
        for entry in entries:
            when = entry.published or date_from_url(entry.url)
            if not self.in_window(when):
                self.crawler.stats.inc_value("discovery/outside_window")
                continue
            candidates.append((entry.url, entry.published))
        yield from self.article_requests(candidates)

    def article_requests(
        self, candidates: Sequence[tuple[str, datetime | None]], retry: bool = False
    ) -> Iterator[scrapy.Request]:
        """Requests for the (url, listed date) candidates that are new, due a re-check or (retry) failed before,
        up to max_items, and that the frontier lets this crawler take on."""
        stats = self.crawler.stats
        wanted: list[tuple[str, str, datetime | None, dict[str, str]]] = []
        seen: set[str] = set()
        limit = self.settings.getint("URLLENGTH_LIMIT", 2083)
        for url, listed_at in candidates:
            if limit and len(url) > limit:  # Scrapy would drop its request with an INFO line: say so, count it
                log.warning("article URL of %d characters (over URLLENGTH_LIMIT) not fetched: %.200s…", len(url), url)
                stats.inc_value("errors/discovery/url_too_long")
                continue
            key = clean_url(url)
            if key in seen or self.frontier.taken_here(key):  # listed twice: no room used, no claim
                stats.inc_value("frontier/taken_already")
                continue
            seen.add(key)
            headers: dict[str, str] = {}
            if key in self.state.known and not retry:
                validators = self.state.recheck.get(key)
                if validators is None:
                    stats.inc_value("incremental/skipped_known")
                    continue
                headers = validators.request_headers()
            wanted.append((url, key, listed_at, headers))
        if self.max_items is not None:
            room = max(self.max_items - self.articles_scheduled, 0)
            if len(wanted) > room:
                stats.inc_value("discovery/over_max_items", len(wanted) - room)
                wanted = wanted[:room]  # claimed URLs are fetched: claim no more than there is room for
        if not wanted:
            return
        won = self.frontier.claim([key for _url, key, _listed_at, _headers in wanted])
        for (url, _key, listed_at, headers), mine in zip(wanted, won, strict=True):
            if not mine:
                stats.inc_value("frontier/taken_already")
                continue
            self.articles_scheduled += 1
            self.outstanding += 1
            if headers:
                stats.inc_value("incremental/rechecked")
            if retry:
                stats.inc_value("incremental/retried")
            yield scrapy.Request(
                url,
                headers=headers,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"handle_httpstatus_list": [304], "listed_at": listed_at, "article": True},
                # de-duplicated by the frontier; bypassing Scrapy's filter lets a redirect loop end as a failure
                dont_filter=True,
            )

    def parse_article(self, response: Response) -> Iterator[FetchedPage | scrapy.Request]:
        yield from self.article_answered()
        if response.status == 304:
            if response.request is not None and not _has_validators(response.request):
                # "not modified" since when? Nothing was stored to compare with: a failure, retried next run
                self.crawler.stats.inc_value("errors/fetch/http")
                self.state.record_failure(response.url, "http", "HTTP 304 to a request without validators", 304)
                return
            self.crawler.stats.inc_value("incremental/not_modified")
            return
        self.crawler.stats.inc_value("articles/fetched")
        yield FetchedPage(
            url=response.url,
            status=response.status,
            headers={k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            body=response.body,
            fetched_at=datetime.now(timezone.utc),
            capture_ref=response.meta.get("capture_ref"),
            listed_at=response.meta.get("listed_at"),
        )

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        kind, status = classify(failure.value)
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the article's URL, not a redirect target
        log.warning("article fetch failed (%s): %s %s", kind, describe(failure.value), url)
        self.crawler.stats.inc_value(f"errors/fetch/{kind}")
        self.state.record_failure(url, kind, describe(failure.value), status)
        yield from self.article_answered()

    def closed(self, reason: str) -> None:
        """Record which sources could be discovered; write this run's failures so the next run retries them."""
        self.record_discovery_health()
        redis_errors = getattr(self.frontier, "redis_errors", 0)
        if redis_errors:
            self.crawler.stats.set_value("frontier/redis_errors", redis_errors)
        self.frontier.close()
        if not self.state.failures:
            return
        from crawler.store.database import Store

        run_id = self.settings.getint("CRAWL_RUN_ID") or None
        try:
            store = Store.from_config(Config.from_env())
            try:
                saved, refused = self.state.save_failures(store, self.name, run_id)
            finally:
                store.dispose()
        except Exception as exc:  # the failures are also in the log and the stats
            log.error("could not record %d failed URLs for retry: %s", len(self.state.failures), exc)
            self.crawler.stats.inc_value("errors/store/failures_unrecorded", len(self.state.failures))
            return
        for failure, why in refused:
            log.error("the database refused the failure record of %s: %s", failure.url, why)
        if refused:
            self.crawler.stats.inc_value("errors/store/failures_unrecorded", len(refused))
        log.info("%d failed URLs recorded for the next run", saved)
