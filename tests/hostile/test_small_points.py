"""Issue 12, item 12: Retry-After is honoured, a 304 to an unconditional request is a failure, a gzip bomb is
recorded as `too_large`, and database errors are worded for what they are."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crawler.middlewares.retryafter import retry_after_seconds
from crawler.store import migrate
from crawler.store.database import DatabaseUnavailable, Store
from crawler.store.models import Article, FetchFailure
from tests.localsite import LocalSite, Page
from tests.test_crawl import SINA, SINA_ROLL, build_site, crawl, recorded, roll_json

BASE = "https://finance.sina.com.cn/roll/2024-02-0{}/doc-ismall{}.shtml"


def test_retry_after_values() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds((now + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now) == 5


@pytest.fixture
def world(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[LocalSite, dict[str, str], dict[str, str]]]:
    migrate.upgrade(fresh_database_url)
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    with LocalSite() as site:
        yield site, build_site(site), env


@pytest.mark.db
def test_retry_after_304_without_validators_and_gzip_bomb(world) -> None:  # type: ignore[no-untyped-def]
    site, urls, env = world
    article = recorded("sina/gne_sina_4.html")[1]
    pages = {
        "busy": Page(b"busy", status=503, extra_headers={"Retry-After": "2"}, then=Page(article)),
        "away": Page(b"away", status=429, extra_headers={"Retry-After": "3600"}, then=Page(article)),
        "unchanged": Page(b"", status=304),
        "bomb": Page(gzip.compress(b"\0" * 30_000_000), extra_headers={"Content-Encoding": "gzip"}),
    }
    hostile = {name: BASE.format(day, name) for day, name in enumerate(pages, start=1)}
    for name, page in pages.items():
        site.add(hostile[name], page)
    good = [(urls[n], 1_600_000_000) for n in SINA]
    site.add(SINA_ROLL.format(1), roll_json(good + [(u, 1_704_067_200) for u in hostile.values()]))

    result = crawl(
        site, env, "sina_finance", "-a", "since=2015-01-01", "-s", "RETRY_TIMES=2", "-s", "DOWNLOAD_MAXSIZE=1000000"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    store = Store(env["DATABASE_URL"])
    try:
        with store.sessions() as session:
            stored = set(session.scalars(select(Article.fetched_url)))
            failures = {f.url: (f.kind, f.http_status) for f in session.scalars(select(FetchFailure))}
    finally:
        store.dispose()

    # 503 with Retry-After: 2 -> the retry came two seconds later, and the page was stored
    busy = [when for key, when in site.arrivals if hostile["busy"].endswith(key)]
    assert len(busy) == 2 and busy[1] - busy[0] >= 1.9, busy
    assert hostile["busy"] in stored
    # asked to come back in an hour: not retried now, recorded for the next run
    assert len(site.requests_for(hostile["away"])) == 1
    assert failures[hostile["away"]] == ("http", 429)
    # a 304 to a request that carried no validator is not "unchanged": it is recorded
    assert failures[hostile["unchanged"]] == ("http", 304)
    # a body that inflates past DOWNLOAD_MAXSIZE
    assert failures[hostile["bomb"]] == ("too_large", None)
    assert stored == {urls[n] for n in SINA} | {hostile["busy"]}


@pytest.mark.db
def test_database_errors_say_what_they_are(store: Store) -> None:
    wrong_port = make_url(store.url).set(host="127.0.0.1", port=1, query={}).render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailable, match="cannot reach the database"):
        Store(wrong_port).check()
    missing = make_url(store.url).set(database="newscrawl_no_such_database").render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailable, match="does not exist") as error:
        Store(missing).check()
    assert "cannot reach" not in str(error.value)
    nobody = make_url(store.url).set(username="newscrawl_no_such_role").render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailable, match="refused the login") as error:
        Store(nobody).check()
    assert "cannot reach" not in str(error.value)
