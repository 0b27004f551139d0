"""The frontier of article URLs: one process's set, and leases shared through a real Redis by crawlers of one
spider on several machines (Redis at TEST_REDIS_URL, default redis://127.0.0.1:6379/0; those tests are
skipped where no Redis runs).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from crawler.config import Config, ConfigError
from crawler.spiders.frontier import FrontierUnavailable, LocalFrontier, RedisFrontier
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import CrawlRun
from tests.localsite import LocalSite
from tests.test_crawl import build_site, crawl

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")


def _env(database_url: str, data_dir: Path, **more: str) -> dict[str, str]:
    """The environment of a `newscrawl crawl` process in these tests."""
    return {"DATABASE_URL": database_url, "NEWSCRAWL_DATA_DIR": str(data_dir), **more}


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    name = f"newscrawl-test:{uuid.uuid4().hex[:12]}"
    yield name
    if _redis_answers():
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{name}:*"):
            client.delete(key)
        client.close()


def test_local_frontier_takes_each_url_once() -> None:
    frontier = LocalFrontier()
    assert frontier.claim(["a", "b", "a"]) == [True, True, False]
    assert frontier.claim(["b", "c"]) == [False, True]


@needs_redis
def test_crawlers_of_one_spider_never_take_the_same_url(prefix: str) -> None:
    import redis

    one = RedisFrontier(REDIS_URL, "sina_finance", 60, prefix, owner="machine-one")
    two = RedisFrontier(REDIS_URL, "sina_finance", 60, prefix, owner="machine-two")
    other_spider = RedisFrontier(REDIS_URL, "people_daily", 60, prefix)
    assert one.claim(["u1", "u2"]) == [True, True]
    assert two.claim(["u2", "u3", "u3"]) == [False, True, False]
    assert one.claim(["u3", "u1"]) == [False, False]
    assert other_spider.claim(["u1"]) == [True]  # each spider has its own frontier
    client = redis.Redis.from_url(REDIS_URL)
    key = f"{prefix}:sina_finance:u1"
    assert client.get(key).decode().startswith("machine-one:")  # type: ignore[union-attr]
    assert 0 < client.ttl(key) <= 60  # a lease, not a record
    client.pexpire(key, 1)  # the lease runs out (a crawler died, or the next run comes after it)
    time.sleep(0.05)
    assert two.claim(["u1"]) == [True]
    client.close()
    for frontier in (one, two, other_spider):
        frontier.close()


def test_unreachable_redis_stops_the_spider_with_a_clear_error() -> None:
    with pytest.raises(FrontierUnavailable, match="REDIS_URL is set but Redis does not answer"):
        RedisFrontier("redis://127.0.0.1:1/0", "sina_finance")


@needs_redis
def test_redis_lost_during_a_crawl_takes_urls_on_locally(prefix: str) -> None:
    import redis

    frontier = RedisFrontier(REDIS_URL, "sina_finance", 60, prefix)
    assert frontier.claim(["kept"]) == [True]
    frontier.client.close()
    frontier.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)  # Redis went away
    assert frontier.claim(["new", "new", "kept"]) == [True, False, False]
    assert frontier.redis_errors == 1


def test_redis_url_must_be_a_redis_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REDIS_URL must be a Redis URL"):
        Config.from_env({"REDIS_URL": "http://127.0.0.1:6379", "NEWSCRAWL_DATA_DIR": str(tmp_path)})
    config = Config.from_env({"REDIS_URL": " redis://10.0.0.5:6379/2 ", "NEWSCRAWL_CRAWLER_NAME": "crawler-b"})
    assert (config.redis_url, config.crawler_name) == ("redis://10.0.0.5:6379/2", "crawler-b")


@needs_redis
@pytest.mark.db
def test_two_crawlers_sharing_redis_fetch_every_article_once(
    fresh_database_url: str, tmp_path: Path, prefix: str
) -> None:
    """Two `newscrawl crawl` runs at once against one database and one Redis, as on two machines: both
    finish, each article page is requested once in all, every article is stored once."""
    migrate.upgrade(fresh_database_url)
    spiders = ("sina_finance", "people_daily", "syndicated")
    with LocalSite() as site:
        urls = build_site(site)

        def run(name: str) -> tuple[int, str]:
            env = _env(fresh_database_url, tmp_path / name, REDIS_URL=REDIS_URL, NEWSCRAWL_CRAWLER_NAME=name)
            result = crawl(site, env, *spiders, "-a", "since=2015-01-01", "-s", f"FRONTIER_KEY_PREFIX={prefix}")
            return result.returncode, result.stdout + result.stderr

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(run, ["crawler-a", "crawler-b"]))
        assert [code for code, _ in results] == [0, 0], results
        for url in urls.values():
            assert len(site.requests_for(url)) == 1, url
    store = Store(fresh_database_url)
    try:
        with store.sessions() as session:
            stored = session.execute(text("SELECT fetched_url FROM articles")).scalars().all()
            runs = session.execute(select(CrawlRun).order_by(CrawlRun.id)).scalars().all()
    finally:
        store.dispose()
    assert sorted(stored) == sorted(urls.values())
    assert [run.status for run in runs] == ["finished", "finished"]
    assert sum(run.stats["articles_new"] for run in runs) == len(urls)


@needs_redis
@pytest.mark.db
def test_crawl_lock_is_per_crawler_name_when_sharing_redis(fresh_database_url: str, tmp_path: Path) -> None:
    from crawler.store import crawllock

    migrate.upgrade(fresh_database_url)
    env = _env(fresh_database_url, tmp_path, REDIS_URL=REDIS_URL, NEWSCRAWL_CRAWLER_NAME="crawler-a")
    store = Store(fresh_database_url)
    with LocalSite() as site, crawllock.acquire(store.engine, "crawler-a"):  # crawler-a runs elsewhere
        result = crawl(site, env, "sina_finance")
    store.dispose()
    assert result.returncode == 3
    assert "another crawl is running for crawler 'crawler-a'" in result.stderr


def _spider(monkeypatch: pytest.MonkeyPatch, **arguments: str) -> Any:
    from scrapy.utils.test import get_crawler

    from crawler.spiders.sina import SinaFinanceSpider

    monkeypatch.delenv("REDIS_URL", raising=False)
    crawler = get_crawler(SinaFinanceSpider)
    spider = SinaFinanceSpider.from_crawler(crawler, **arguments)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider


def test_max_items_claims_only_what_it_fetches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim is a promise to fetch: over max_items nothing is claimed, duplicates are not requested twice."""
    spider = _spider(monkeypatch, max_items="2")
    assert isinstance(spider.frontier, LocalFrontier)
    urls = [f"https://finance.sina.com.cn/roll/2024-01-01/doc-iframe{n:07d}.shtml" for n in range(4)]
    first = list(spider.article_requests([(urls[0], None), (urls[0], None)]))
    assert [r.url for r in first] == urls[:1]  # listed twice, requested once, room for one more
    second = list(spider.article_requests([(urls[0], None), (urls[1], None), (urls[2], None), (urls[3], None)]))
    assert [r.url for r in second] == urls[1:2]
    assert spider.crawler.stats.get_value("frontier/taken_already") == 2
    assert spider.crawler.stats.get_value("discovery/over_max_items") == 2
    assert spider.frontier.taken == set(urls[:2])  # urls[2], urls[3] stay free for another crawler
    assert list(spider.article_requests([(urls[3], None)])) == []  # max_items reached


@pytest.mark.db
def test_crawl_with_unreachable_redis_fails_at_once_and_says_why(fresh_database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(fresh_database_url)
    env = _env(fresh_database_url, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    with LocalSite() as site:
        result = crawl(site, env, "sina_finance")
        assert site.log == []  # nothing fetched
    assert result.returncode == 1
    assert "REDIS_URL is set but Redis does not answer" in result.stdout
    store = Store(fresh_database_url)
    try:
        with store.sessions() as session:
            run = session.execute(select(CrawlRun)).scalar_one()
    finally:
        store.dispose()
    assert run.status == "failed" and "FrontierUnavailable" in (run.error or "")


def test_discovery_is_paced_by_the_article_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.exceptions import DontCloseSpider

    spider = _spider(monkeypatch)
    spider.backlog = 3
    disc = next(d for _, d in spider.sources if d.json_listings)
    listing = [spider.listing_request(disc.json_listings[0], n, disc, spider.parse_json_listing) for n in (2, 3)]
    urls = [f"https://finance.sina.com.cn/roll/2024-01-01/doc-ipace{n:07d}.shtml" for n in range(4)]
    assert len(list(spider.article_requests([(u, None) for u in urls]))) == 4
    assert spider.outstanding == 4
    assert list(spider.paced(listing[0])) == [] and list(spider.paced(listing[1])) == []  # both wait, in order
    assert list(spider.article_answered()) == []  # 3 still out: the backlog is full
    assert list(spider.article_answered()) == [listing[0]]  # 2 out: one listing goes
    assert spider.crawler.stats.get_value("discovery/paced") == 2

    crawled: list[Any] = []
    spider.crawler.engine = type("Engine", (), {"crawl": staticmethod(crawled.append)})()
    with pytest.raises(DontCloseSpider):  # idle with discovery waiting (an answer went uncounted): release it
        spider.release_when_idle()
    assert crawled == [listing[1]] and spider.outstanding == 0 and not spider.held
    spider.release_when_idle()  # nothing held: the spider may close
