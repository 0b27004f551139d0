"""Redirects and meta refreshes to internal addresses (issue 12, item 9): refused, recorded as `blocked`, never
stored, unless ALLOWED_ADDRESSES allows them; a crawl of the local test server opts in to 127.0.0.1 alone."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from sqlalchemy import select

from crawler.middlewares.addressguard import AddressGuardMiddleware, BlockedAddress, internal_kind, parse_networks
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import Article, FetchFailure
from tests.localsite import LocalSite, Page
from tests.test_crawl import SINA, SINA_ROLL, build_site, crawl, recorded, roll_json

BASE = "https://finance.sina.com.cn/roll/2024-01-0{}/doc-ihostile{}.shtml"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("10.0.0.5", "private"),
        ("127.0.0.2", "loopback"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT: not public
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.5", "private"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_internal_addresses_are_recognised(address: str, kind: str | None) -> None:
    assert internal_kind(ipaddress.ip_address(address)) == kind


def test_the_guard_refuses_named_and_resolved_internal_addresses_unless_allowed() -> None:
    guard = AddressGuardMiddleware()
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://localhost/x",
        "http://10.0.0.5",
    ):
        with pytest.raises(BlockedAddress):
            guard.process_request(Request(url))
    guard.process_request(Request("https://finance.sina.com.cn/a.shtml"))  # a name: judged by where it connects
    request = Request("https://news.example/a.html")
    inside = ipaddress.ip_address("10.1.2.3")
    resolved_inside = HtmlResponse(request.url, body=b"<p>x</p>", request=request, ip_address=inside)
    with pytest.raises(BlockedAddress, match="resolved"):
        guard.process_response(request, resolved_inside)
    public = HtmlResponse(request.url, body=b"", request=request, ip_address=ipaddress.ip_address("93.184.216.34"))
    assert guard.process_response(request, public) is public
    opted_in = AddressGuardMiddleware(parse_networks(["127.0.0.1", "10.1.0.0/16"]))
    opted_in.process_request(Request("http://127.0.0.1:8000/"))
    assert opted_in.process_response(request, resolved_inside) is resolved_inside
    with pytest.raises(BlockedAddress):
        opted_in.process_request(Request("http://127.0.0.2/"))  # only what was allowed
    with pytest.raises(ValueError, match="ALLOWED_ADDRESSES"):
        parse_networks(["intranet"])


@pytest.fixture
def hostile_world(
    fresh_database_url: str, tmp_path: Path
) -> Iterator[tuple[LocalSite, dict[str, str], dict[str, str]]]:
    migrate.upgrade(fresh_database_url)
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    with LocalSite() as site:
        yield site, build_site(site), env


def _contents(url: str) -> tuple[set[str], dict[str, tuple[str, str | None]]]:
    store = Store(url)
    try:
        with store.sessions() as session:
            stored = set(session.scalars(select(Article.fetched_url)))
            failures = {f.url: (f.kind, f.error) for f in session.scalars(select(FetchFailure))}
    finally:
        store.dispose()
    return stored, failures


@pytest.mark.db
def test_redirects_and_meta_refreshes_to_internal_addresses_are_refused_and_recorded(hostile_world) -> None:  # type: ignore[no-untyped-def]
    site, urls, env = hostile_world
    article = recorded("sina/gne_sina_4.html")[1]  # what answers inside would be stored if it were fetched
    targets = {
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private": "http://10.0.0.5/internal.html",
        "loopback": "http://127.0.0.2/admin.html",
        "ipvsix": "http://[::1]:8080/status",  # the opt-in allows 127.0.0.1 alone
    }
    hostile = {}
    for day, (name, target) in enumerate(targets.items(), start=1):
        site.add(target, Page(article))
        hostile[name] = BASE.format(day, name)
        site.add(hostile[name], Page(redirect_to=target))
    refresh = f'<html><head><meta http-equiv="refresh" content="0; url={targets["loopback"]}"></head></html>'
    hostile["refresh"] = BASE.format(5, "refresh")
    site.add(hostile["refresh"], refresh)
    good = [(urls[n], 1_600_000_000) for n in SINA]
    site.add(SINA_ROLL.format(1), roll_json(good + [(u, 1_704_067_200) for u in hostile.values()]))

    result = crawl(site, env, "sina_finance", "-a", "since=2015-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    stored, failures = _contents(env["DATABASE_URL"])
    assert stored == {urls[n] for n in SINA}  # the control pages, nothing from inside
    for name, url in hostile.items():
        kind, error = failures[url]
        assert kind == "blocked", (name, kind, error)
        assert error is not None and "refused" in error
    for target in targets.values():
        assert not site.requests_for(target), f"{target} was requested"
    assert "fetch/blocked 5" in result.stdout


@pytest.mark.db
def test_without_the_opt_in_a_name_resolving_to_loopback_is_refused(hostile_world) -> None:  # type: ignore[no-untyped-def]
    site, _, env = hostile_world
    result = crawl(site, env, "sina_finance", "-a", "since=2015-01-01", allowed="")
    stored, _ = _contents(env["DATABASE_URL"])
    assert stored == set()  # the listings answered from 127.0.0.1: refused, so no article was even discovered
    assert "discovery/blocked 3" in result.stdout, result.stdout + result.stderr
    assert "127.0.0.1 refused" in result.stderr
