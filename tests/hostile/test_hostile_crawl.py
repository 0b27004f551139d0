"""A crawl of the hostile local site (tests/hostile/site.py): every valid article is stored, every hostile entry
is stored or recorded with the right kind (served = stored + recorded, none lost), nothing is stored twice,
hostile text is stored clean, and the crawl process exits."""

from __future__ import annotations

import json
import resource
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import Article
from tests.conftest import DatabaseServer
from tests.hostile.site import CRAWL_SETTINGS, FEED, STORED, Case, hostile_site, outcomes
from tests.localsite import LocalSite
from tests.test_crawl import crawl

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture(scope="module")
def crawled(
    db_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Case], dict[str, str], str, str]]:
    """One crawl for the module's tests."""
    fresh_database_url = db_server.create_database()
    tmp_path = tmp_path_factory.mktemp("hostile")
    migrate.upgrade(fresh_database_url)
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    with LocalSite() as site:
        cases = hostile_site(site)
        arguments = ["feeds", "-a", f"feed={FEED}", "--no-link"]
        for name, value in CRAWL_SETTINGS.items():
            arguments += ["-s", f"{name}={value}"]
        result = crawl(site, env, *arguments)  # returns: the process exited (the harness times out otherwise)
    assert result.returncode == 0, result.stdout + result.stderr
    # the largest process this test process has waited for (the crawl among them): the 20 MB page and the gzip
    # bomb inflating to 64 MB are refused without holding them whole
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1_000_000  # KiB
    yield cases, outcomes(fresh_database_url, tmp_path / "data" / "spool", cases), fresh_database_url, result.stdout


def test_every_case_ends_as_expected_and_nothing_is_lost(crawled) -> None:  # type: ignore[no-untyped-def]
    cases, got, _, summary = crawled
    wrong = {c.name: (c.expect, got[c.name]) for c in cases if got[c.name] != c.expect}
    assert wrong == {}, f"expected -> got: {wrong}\n{summary}"
    assert "lost" not in got.values()
    assert "store/rejected 1" in summary  # the row over the index limit, set aside and counted
    assert "discovery/url_too_long 1" in summary


def test_nothing_is_stored_twice_and_hostile_text_is_clean(crawled) -> None:  # type: ignore[no-untyped-def]
    cases, got, database_url, _ = crawled
    store = Store(database_url)
    try:
        with store.sessions() as session:
            rows = session.execute(select(Article.fetched_url, Article.title, Article.authors, Article.text)).all()
            assert session.scalar(select(func.count()).select_from(Article)) == Counter(got.values())[STORED]
    finally:
        store.dispose()
    by_url = {url: (title, authors, text) for url, title, authors, text in rows}
    assert len(by_url) == len(rows)
    for title, authors, text in by_url.values():
        for value in [title or "", text, *authors]:
            assert "\x00" not in value
            json.dumps(value, ensure_ascii=False).encode("utf-8")  # no lone surrogate
    [hostile] = [by_url[c.url] for c in cases if c.name == "nulsurrogate"]
    assert hostile[1] == ["Eve \ufffd", "Bob"]
    [script] = [by_url[c.url] for c in cases if c.name == "script"]
    assert "document.write" not in script[2]
