"""Crawls of recorded pages served by a local HTTP server: discovery -> requests -> items -> rows,
incremental re-runs, changed articles, and faults (404, timeout, reset, redirect loop, oversize, bad feed).

Each crawl is a real `newscrawl crawl` process; the server runs in the test process on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import Article, CrawlRun, FetchFailure
from tests.localsite import LocalSite, Page

pytestmark = pytest.mark.db
FIXTURES = Path(__file__).parent / "fixtures" / "pages"
LOOPBACK_SERVER = "127.0.0.1"  # crawls opt in to the local server's address (crawler.middlewares.addressguard)


def recorded(name: str) -> tuple[str, bytes]:
    """(original URL, raw bytes) of a recorded page in tests/fixtures/pages."""
    path = FIXTURES / name
    expected = json.loads((FIXTURES / (name.removesuffix(".gz").removesuffix(".html") + ".expected.json")).read_text())
    body = path.read_bytes()
    return expected["url"], gzip.decompress(body) if name.endswith(".gz") else body


SINA = ["sina/gne_sina_2.html", "sina/gne_sina_3.html", "seeds/sina_seed000.html"]
PEOPLE = ["people_zh/magic_finance_people_c1004-40232587.html", "people_zh/fundus_People_2024_04_24.html.gz"]
QPUTE = ["seeds/qpute_seed001.html"]


def roll_json(urls: list[tuple[str, int]]) -> bytes:
    return json.dumps({"result": {"data": [{"url": u, "ctime": str(t)} for u, t in urls]}}).encode()


def rss(items: list[str]) -> bytes:
    entries = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{entries}</channel></rss>'.encode()


SINA_ROLL = "https://feed.mix.sina.com.cn/api/roll/get?pageid=153&lid=2516&k=&num=50&page={}"


def build_site(site: LocalSite) -> dict[str, str]:
    urls: dict[str, str] = {}
    for name in SINA + PEOPLE + QPUTE:
        url, body = recorded(name)
        # what the live Chinese servers send: GBK bytes with a GBK header for People's Daily
        if name.startswith("people_zh"):
            site.add(url, body.decode("utf-8").encode("gbk", "replace"), content_type="text/html; charset=GBK")
        else:
            site.add(url, body)
        urls[name] = url
    sina = [(urls[n], 1_600_000_000) for n in SINA]
    site.add(SINA_ROLL.format(1), roll_json(sina), content_type="application/json")
    site.add(SINA_ROLL.format(2), roll_json([]), content_type="application/json")
    site.add("http://www.people.com.cn/rss/finance.xml", rss([urls[n] for n in PEOPLE]), content_type="text/xml")
    site.add("https://qpute.com/feed/", rss([urls[n] for n in QPUTE]), content_type="application/rss+xml")
    # the English and German editions list nothing new (a source none of whose pages can be read degrades a run)
    site.add("http://en.people.cn/rss/90000.xml", rss([]), content_type="text/xml")
    old_article = '<a href="http://german.people.com.cn/n3/2010/0101/c209052-1.html">2010</a>'
    site.add("http://german.people.com.cn/index.html", f"<html><body>{old_article}</body></html>")
    return urls


@pytest.fixture
def world(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[LocalSite, dict[str, str], dict[str, str]]]:
    migrate.upgrade(fresh_database_url)
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    with LocalSite() as site:
        urls = build_site(site)
        yield site, urls, env


def _crawl_command(
    site: LocalSite, env: dict[str, str], *args: str, allowed: str = LOOPBACK_SERVER
) -> tuple[list[str], dict[str, str]]:
    """The `newscrawl crawl` command line against the local site (settings in `args` win) and its environment."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    settings = {
        "HOST_MAP_TARGET": site.target,
        "ALLOWED_ADDRESSES": allowed,  # the local server: the address guard refuses loopback otherwise
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "RETRY_TIMES": "0",
        "DOWNLOAD_TIMEOUT": "3",
        "EXTRACT_WORKERS": "1",
    }
    command = [sys.executable, "-m", "crawler.cli", "crawl"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    command += args  # after the harness's settings, so a test's `-s` wins
    return command, full_env


def crawl(
    site: LocalSite, env: dict[str, str], *args: str, allowed: str = LOOPBACK_SERVER, **popen: Any
) -> subprocess.CompletedProcess[str]:
    command, full_env = _crawl_command(site, env, *args, allowed=allowed)
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=240, **popen)


def start_crawl(site: LocalSite, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """A crawl in the background, in its own process group (as a terminal's job or a service)."""
    command, full_env = _crawl_command(site, env, *args)
    return subprocess.Popen(
        command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def wait_for_request(site: LocalSite, url: str, within: float = 60) -> None:
    key = url.split("://", 1)[1]
    deadline = time.monotonic() + within
    while not any(arrived == key for arrived, _ in site.arrivals):
        assert time.monotonic() < deadline, f"{url} was never requested"
        time.sleep(0.05)


def _rows(url: str) -> dict[str, tuple]:
    store = Store(url)
    try:
        with store.sessions() as session:
            return {
                row.fetched_url: (row.title, row.language, row.updated_at, row.fetched_at)
                for row in session.execute(select(Article)).scalars()
            }
    finally:
        store.dispose()


def _last_run(url: str) -> CrawlRun:
    store = Store(url)
    try:
        with store.sessions() as session:
            return session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()
    finally:
        store.dispose()


def test_crawl_stores_discovered_articles_and_reruns_fetch_only_changes(world) -> None:  # type: ignore[no-untyped-def]
    site, urls, env = world
    first = crawl(site, env, "sina_finance", "people_daily", "syndicated", "-a", "since=2015-01-01")
    assert first.returncode == 0, first.stdout + first.stderr
    rows = _rows(env["DATABASE_URL"])
    assert set(rows) == set(urls.values())
    assert rows[urls["seeds/sina_seed000.html"]][0] == "北京海淀区18项数字新基建项目推进“两区”建设"
    assert rows[urls["people_zh/magic_finance_people_c1004-40232587.html"]][1] == "zh"  # GBK bytes decoded
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "finished"
    assert run.stats["articles_new"] == 6
    assert "articles new 6" in first.stdout
    # the run links what it stored: the Qpute copy translates the Sina original it names as its source
    assert "linked 6 articles" in first.stdout
    store = Store(env["DATABASE_URL"])
    with store.engine.connect() as conn:
        links = conn.execute(
            text(
                "SELECT c.fetched_url, o.fetched_url, l.relation FROM syndication_links l "
                "JOIN articles c ON c.id = l.copy_article_id JOIN articles o ON o.id = l.original_article_id"
            )
        ).all()
    store.dispose()
    assert (urls["seeds/qpute_seed001.html"], urls["seeds/sina_seed000.html"], "translates") in links

    site.clear_log()
    second = crawl(site, env, "sina_finance", "people_daily", "syndicated", "-a", "since=2015-01-01")
    assert second.returncode == 0, second.stdout + second.stderr
    run = _last_run(env["DATABASE_URL"])
    assert (run.stats["articles_new"], run.stats["articles_updated"]) == (0, 0)
    assert run.stats["not_modified"] == 6
    for url in urls.values():  # recent articles are re-checked with their ETag, and nothing is re-downloaded
        [(status, headers)] = site.requests_for(url)
        assert status == 304 and headers["if-none-match"]
    assert _rows(env["DATABASE_URL"]) == rows

    changed = urls["sina/gne_sina_3.html"]
    old = site.pages[changed.split("://", 1)[1]]
    sentence = json.loads((FIXTURES / "sina/gne_sina_3.expected.json").read_text())["with"][0]
    assert sentence.encode() in old.body
    site.add(changed, old.body.replace(sentence.encode(), (sentence + "（更正：数据已更新）").encode()))
    third = crawl(site, env, "sina_finance", "-a", "since=2015-01-01")
    assert third.returncode == 0, third.stdout + third.stderr
    run = _last_run(env["DATABASE_URL"])
    assert (run.stats["articles_new"], run.stats["articles_updated"]) == (0, 1)
    after = _rows(env["DATABASE_URL"])
    assert len(after) == len(rows)
    assert after[changed][2] > rows[changed][2]  # updated_at moved for the changed article only
    assert after[urls["sina/gne_sina_2.html"]][2] == rows[urls["sina/gne_sina_2.html"]][2]


def test_faults_are_counted_recorded_and_retried(world) -> None:  # type: ignore[no-untyped-def]
    site, urls, env = world
    base = "https://finance.sina.com.cn/roll/2024-01-0{}/doc-ifault{}.shtml"
    faults = {
        "missing": (base.format(1, "a"), Page(status=404, body=b"gone")),
        "slow": (base.format(2, "b"), Page(b"<html></html>", delay=5)),
        "reset": (base.format(3, "c"), Page(b"", reset=True)),
        "loop": (base.format(4, "d"), Page(redirect_to=base.format(4, "d"))),
        "huge": (base.format(5, "e"), Page(b"<html><body>" + b"x" * 3_000_000 + b"</body></html>")),
        "empty": (base.format(6, "f"), Page(b"<html><body><nav>menu</nav></body></html>")),
    }
    for url, page in faults.values():
        site.add(url, page)
    good = [(urls[n], 1_600_000_000) for n in SINA]
    site.add(SINA_ROLL.format(1), roll_json(good + [(u, 1_704_067_200) for u, _ in faults.values()]))
    site.add("http://www.people.com.cn/rss/finance.xml", b"<html>this is not a feed</html>", content_type="text/xml")
    site.add("https://finance.sina.com.cn/roll/index.d.html?cid=56588&page=1", b"<html><body>no links</body></html>")

    result = crawl(
        site,
        env,
        "sina_finance",
        "people_daily",
        "-a",
        "since=2015-01-01",
        "-s",
        "DOWNLOAD_MAXSIZE=1000000",
        "-s",
        "REDIRECT_MAX_TIMES=3",
    )
    # nothing of People's Daily (zh) could be read: its only served feed is not a feed
    assert result.returncode == 1, result.stdout + result.stderr
    assert "spider people_daily degraded: nothing could be discovered for source(s): People's Daily" in result.stdout
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "degraded"
    assert run.stats["failed_sources"] == ["People's Daily"]
    errors = run.stats["errors"]
    assert errors["fetch/http"] == 1
    assert errors["fetch/timeout"] == 1
    assert errors["fetch/connection"] == 1
    assert errors["fetch/redirect_loop"] == 1
    assert errors["fetch/too_large"] == 1
    assert errors["extract/rejected"] == 1
    assert errors["discovery/bad_feed"] == 1
    assert errors["discovery/empty_listing"] == 1
    assert run.stats["articles_new"] == 3  # the good pages went through all the same

    store = Store(env["DATABASE_URL"])
    with store.sessions() as session:
        failures = {f.url: (f.kind, f.attempts) for f in session.execute(select(FetchFailure)).scalars()}
    store.dispose()
    assert {kind for kind, _ in failures.values()} == {
        "http",
        "timeout",
        "connection",
        "redirect_loop",
        "too_large",
        "rejected",
    }

    # next run: the failed URLs are requested again; the one that now works is stored and forgotten
    site.clear_log()
    site.add(faults["missing"][0], Page(recorded("sina/gne_sina_4.html")[1]))
    site.add(SINA_ROLL.format(1), roll_json([]))
    again = crawl(site, env, "sina_finance", "-a", "since=2015-01-01", "-s", "DOWNLOAD_MAXSIZE=1000000")
    assert again.returncode == 0, again.stdout + again.stderr
    for url, _ in faults.values():
        assert site.requests_for(url), f"{url} was not retried"
    store = Store(env["DATABASE_URL"])
    with store.sessions() as session:
        remaining = {f.url: f.attempts for f in session.execute(select(FetchFailure)).scalars()}
        stored = session.scalar(select(Article.id).where(Article.fetched_url == faults["missing"][0]))
    store.dispose()
    assert stored is not None
    assert faults["missing"][0] not in remaining
    assert set(remaining.values()) == {2}
    assert len(_rows(env["DATABASE_URL"])) == 4  # nothing stored twice


def _health(url: str, run_id: int) -> tuple[str, bool, list[str]]:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, needs_attention, failed_sources FROM crawl_health WHERE run_id = :id"),
                {"id": run_id},
            ).one()
    finally:
        store.dispose()
    return row.status, row.needs_attention, row.failed_sources


def test_a_crawl_that_could_discover_nothing_fails(world) -> None:  # type: ignore[no-untyped-def]
    """A crawl none of whose discovery pages can be read (here its one feed answers 404; with no network every
    request fails the same way) ends `failed`, exit 1, and crawl_health flags it."""
    site, _, env = world
    result = crawl(site, env, "feeds", "-a", "feed=http://127.0.0.1:9/feed.xml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "crawl run 1: failed" in result.stdout
    assert "nothing could be discovered for any source: ad-hoc feeds" in result.stdout
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "failed"
    assert "ad-hoc feeds" in (run.error or "")
    assert _health(env["DATABASE_URL"], run.id) == ("failed", True, ["ad-hoc feeds"])


def test_a_crawl_missing_one_source_is_degraded(world) -> None:  # type: ignore[no-untyped-def]
    """Sina's roll answers, People's Daily English answers nothing: the run is `degraded`, exit 1; when every
    source answers, the same crawl is `finished`, exit 0, and needs no attention."""
    site, _, env = world
    site.add("http://en.people.cn/rss/90000.xml", Page(status=404, body=b"gone"))
    result = crawl(site, env, "sina_finance", "people_daily", "-a", "since=2015-01-01")
    assert result.returncode == 1, result.stdout + result.stderr
    run = _last_run(env["DATABASE_URL"])
    assert (run.status, run.stats["articles_new"]) == ("degraded", 5)
    assert _health(env["DATABASE_URL"], run.id) == ("degraded", True, ["People's Daily English"])
    assert "people_daily degraded: nothing could be discovered for source(s): People's Daily English" in result.stdout

    build_site(site)
    again = crawl(site, env, "sina_finance", "people_daily", "-a", "since=2015-01-01")
    assert again.returncode == 0, again.stdout + again.stderr
    run = _last_run(env["DATABASE_URL"])
    assert _health(env["DATABASE_URL"], run.id) == ("finished", False, [])


def test_overlapping_run_exits_at_once(world) -> None:  # type: ignore[no-untyped-def]
    from crawler.store import crawllock

    site, _, env = world
    store = Store(env["DATABASE_URL"])
    with crawllock.acquire(store.engine):  # another crawl holds the lock
        result = crawl(site, env, "sina_finance")
    store.dispose()
    assert result.returncode == 3
    assert "another crawl is running" in result.stderr
    assert site.log == []


def test_bad_arguments_exit_2(world) -> None:  # type: ignore[no-untyped-def]
    site, _, env = world
    for args, message in [
        (("no_such_spider",), "unknown spider"),
        (("sina_finance", "-a", "since=yesterday-ish"), "expected a date"),
        (("people_daily", "-a", "edition=fr"), "expected one of zh, en, de"),
        (("sina_finance", "-a", "max_items=-3"), "must not be negative"),
        ((), "name a spider"),
        (("sina_finance", "-a", "sinse=2024-01-01"), "unknown spider argument(s) sinse; known: max_items, max_pages"),
        (("sina_finance", "-a", "edition=de"), "unknown spider argument(s) edition"),
        (("feeds", "-a", "feed=notaurl"), "-a feed='notaurl': expected an http(s) URL"),
    ]:
        result = crawl(site, env, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    assert site.log == []


def test_crawl_help_lists_the_spider_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for name in ("since", "until", "max_items", "max_pages", "recheck_days", "source", "edition", "feed", "sitemap"):
        assert f"\n  {name} " in result.stdout, name


@pytest.mark.parametrize(
    "args,message",
    [
        (["nosuchspider"], "unknown spider 'nosuchspider'; known: feeds, people_daily"),
        (["feeds", "-a", "feed=notaurl"], "expected an http(s) URL"),
        (["sina_finance", "-a", "sinse=2024-01-01"], "unknown argument(s) sinse"),
    ],
)
def test_plain_scrapy_crawl_rejects_bad_input_in_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    scrapy = Path(sys.executable).with_name("scrapy")
    # should the check ever let the crawl start, it reaches neither the internet nor a database
    env = os.environ | {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    command = [str(scrapy), "crawl", *args, "-s", "HOST_MAP_TARGET=127.0.0.1:9", "-s", "RETRY_TIMES=0"]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1]
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_wordpress_syndicator_is_found_through_sitemaps_and_the_rest_api(world) -> None:  # type: ignore[no-untyped-def]
    from crawler.sources import DISCOVERY
    from crawler.spiders.syndicated import SyndicatedSpider

    site, _, env = world
    original, page = recorded("seeds/qpute_seed001.html")
    posts = [f"https://qpute.com/2021/08/2{n}/post-{n}/" for n in range(3)]
    for n, url in enumerate(posts):  # three posts, each with its own canonical URL
        site.add(url, page.replace(original.encode(), url.encode()).replace(b"Beijing", f"Beijing {n}".encode(), 1))
    site.add("https://qpute.com/feed/", rss([]), content_type="application/rss+xml")
    site.add(
        "https://qpute.com/wp-sitemap.xml",
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://qpute.com/wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>",
        content_type="application/xml",
    )
    site.add(
        "https://qpute.com/wp-sitemap-posts-post-1.xml",
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{posts[0]}</loc></url></urlset>".encode(),
        content_type="application/xml",
    )
    spider = SyndicatedSpider(since="2015-01-01")
    disc = DISCOVERY["Qpute"]
    for number, post in ((1, posts[1]), (2, posts[2])):
        api = spider.wp_api_request(disc.wp_api[0], number, disc).url
        body = json.dumps([{"link": post, "date_gmt": "2021-08-25T03:14:07"}]).encode()
        site.add(api, Page(body, content_type="application/json", extra_headers={"X-WP-TotalPages": "2"}))

    result = crawl(site, env, "syndicated", "-a", "since=2015-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(posts) <= set(_rows(env["DATABASE_URL"]))


def test_plain_scrapy_crawl_uses_the_same_pipelines(world) -> None:  # type: ignore[no-untyped-def]
    site, urls, env = world
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    scrapy = Path(sys.executable).with_name("scrapy")
    command = [str(scrapy), "crawl", "syndicated", "-a", "since=2015-01-01", "-s", f"HOST_MAP_TARGET={site.target}"]
    command += ["-s", f"ALLOWED_ADDRESSES={LOOPBACK_SERVER}"]
    command += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "EXTRACT_WORKERS=0"]
    result = subprocess.run(
        command, env=full_env, capture_output=True, text=True, timeout=240, cwd=Path(__file__).parents[1]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = _rows(env["DATABASE_URL"])
    assert set(rows) == {urls["seeds/qpute_seed001.html"]}
    assert rows[urls["seeds/qpute_seed001.html"]][1] == "en"


def test_discovery_waits_for_the_article_backlog_and_the_crawl_still_finishes(world) -> None:  # type: ignore[no-untyped-def]
    """With DISCOVERY_BACKLOG=1 the next roll page is requested only once the article of the page before was
    answered (each article takes 0.4 s here): the scheduler never holds more than the backlog, and every
    article is still stored."""
    site, urls, env = world
    sina = [urls[n] for n in SINA]
    for page, url in enumerate(sina, start=1):  # one slow article per roll page, then an empty page
        site.add(SINA_ROLL.format(page), roll_json([(url, 1_600_000_000)]), content_type="application/json")
        site.pages[url.split("://", 1)[1]].delay = 0.4
    site.add(SINA_ROLL.format(len(sina) + 1), roll_json([]), content_type="application/json")
    result = crawl(site, env, "sina_finance", "-a", "since=2015-01-01", "-s", "DISCOVERY_BACKLOG=1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(_rows(env["DATABASE_URL"])) == set(sina)
    arrived = dict(site.arrivals)
    for page, url in enumerate(sina, start=1):
        next_roll = SINA_ROLL.format(page + 1).split("://", 1)[1]
        assert arrived[next_roll] - arrived[url.split("://", 1)[1]] >= 0.35
    assert _last_run(env["DATABASE_URL"]).status == "finished"


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (the forkserver and its extraction workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_signal_ends_the_crawl_gracefully_and_leaves_no_worker_behind(world, signum: int) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C in a terminal or a service manager's SIGTERM, sent to the crawl's whole process group."""
    site, urls, env = world
    for name in SINA:
        site.pages[urls[name].split("://", 1)[1]].delay = 1.5
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    command = [sys.executable, "-m", "crawler.cli", "crawl", "sina_finance", "-a", "since=2015-01-01"]
    for setting in (
        f"HOST_MAP_TARGET={site.target}",
        f"ALLOWED_ADDRESSES={LOOPBACK_SERVER}",
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False",
    ):
        command += ["-s", setting]
    # its own process group, which gets the signal as a terminal's Ctrl-C reaches every process of the job
    crawl = subprocess.Popen(
        command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not any("doc-" in key for key, _ in site.arrivals) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        workers = _descendants(crawl.pid)
        assert workers, "the extraction workers were not running"
        os.killpg(crawl.pid, signum)
        stdout, stderr = crawl.communicate(timeout=60)
    finally:
        crawl.kill()
    assert crawl.returncode == 130, stdout + stderr
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "interrupted" and "interrupted" in stdout
    # the pages in flight when the signal came were still extracted and stored: no worker died of it
    assert run.stats["articles_new"] == len(SINA)
    logs = "".join(f.read_text() for f in Path(env["NEWSCRAWL_DATA_DIR"], "logs").glob("*.log")).splitlines()
    errors = [line for line in logs if " ERROR: " in line]
    assert "log_count/ERROR" not in run.stats["spiders"]["sina_finance"]["stats"], errors
    time.sleep(1)
    assert not [pid for pid in workers if _alive(pid)]


SLOW = "https://finance.sina.com.cn/roll/2024-01-09/doc-islowpage1.shtml"


def test_a_killed_crawl_is_closed_as_interrupted_by_the_next_run(world) -> None:  # type: ignore[no-untyped-def]
    """kill -9 leaves the run's row `running`; the next run closes it as `interrupted` and says so."""
    site, _, env = world
    site.add(SLOW, Page(recorded("sina/gne_sina_4.html")[1], delay=60))
    site.add(SINA_ROLL.format(1), roll_json([(SLOW, 1_704_067_200)]), content_type="application/json")
    killed = start_crawl(site, env, "sina_finance", "-a", "since=2015-01-01", "-s", "DOWNLOAD_TIMEOUT=90")
    try:
        wait_for_request(site, SLOW)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        killed.kill()
    assert _last_run(env["DATABASE_URL"]).status == "running"

    site.add(SLOW, recorded("sina/gne_sina_4.html")[1])
    result = crawl(site, env, "sina_finance", "-a", "since=2015-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "closed earlier run(s) 1 as interrupted" in result.stdout
    store = Store(env["DATABASE_URL"])
    with store.sessions() as session:
        runs = {r.id: (r.status, r.error, r.finished_at) for r in session.execute(select(CrawlRun)).scalars()}
    store.dispose()
    assert runs[1][0] == "interrupted" and "closed by run 2" in runs[1][1] and runs[1][2] is not None
    assert runs[2][0] == "finished"


def test_a_crawl_outlives_its_database_connections(world) -> None:  # type: ignore[no-untyped-def]
    """Every connection of the crawl is cut mid-run (what a PostgreSQL restart does to its clients): the
    crawl reconnects, stores the page in flight, records `finished`, prints its summary, links, exits 0."""
    site, _, env = world
    site.add(SLOW, Page(recorded("sina/gne_sina_4.html")[1], delay=3))
    site.add(SINA_ROLL.format(1), roll_json([(SLOW, 1_704_067_200)]), content_type="application/json")
    running = start_crawl(site, env, "sina_finance", "-a", "since=2015-01-01", "-s", "DOWNLOAD_TIMEOUT=30")
    try:
        wait_for_request(site, SLOW)
        store = Store(env["DATABASE_URL"])
        with store.engine.begin() as conn:
            cut = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND application_name LIKE 'newscrawl%' AND pid <> pg_backend_pid()"
                )
            ).scalar()
        store.dispose()
        stdout, stderr = running.communicate(timeout=120)
    finally:
        running.kill()
    assert cut, "the crawl had no database connection to cut"
    assert running.returncode == 0, stdout + stderr
    assert "crawl run 1: finished" in stdout and "articles new 1" in stdout
    assert "linked 1 articles" in stdout
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "finished" and run.stats["articles_new"] == 1
    assert SLOW in _rows(env["DATABASE_URL"])


def test_a_crawl_whose_every_article_fetch_fails_is_failed(world) -> None:  # type: ignore[no-untyped-def]
    """Discovery works but every article page fails: `failed`, exit 1. The next run, which finds nothing new
    and only retries those URLs (they still fail), is not failed for that alone."""
    site, _, env = world
    broken = [f"https://finance.sina.com.cn/roll/2024-01-0{i}/doc-ibroken{i}.shtml" for i in (1, 2)]
    for url in broken:
        site.add(url, Page(status=500, body=b"down"))
    site.add(SINA_ROLL.format(1), roll_json([(u, 1_704_067_200) for u in broken]), content_type="application/json")
    result = crawl(site, env, "sina_finance", "-a", "since=2015-01-01")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "spider sina_finance failed: every article fetch failed" in result.stdout
    assert _last_run(env["DATABASE_URL"]).status == "failed"

    site.add(SINA_ROLL.format(1), roll_json([]), content_type="application/json")
    again = crawl(site, env, "sina_finance", "-a", "since=2015-01-01")
    assert again.returncode == 0, again.stdout + again.stderr
    run = _last_run(env["DATABASE_URL"])
    assert run.status == "finished" and run.stats["errors"]["fetch/http"] == 2
