"""Failure records (issue 12, item 3): every kind the crawl records is accepted, and one record the database
refuses costs only itself, never the run's other records."""

from __future__ import annotations

import random
import string

import pytest
from sqlalchemy import select

from crawler.store.crawlstate import CrawlState
from crawler.store.database import Store
from crawler.store.models import FetchFailure

pytestmark = pytest.mark.db


def _saved(store: Store) -> dict[str, str]:
    with store.sessions() as session:
        return dict(session.execute(select(FetchFailure.url, FetchFailure.kind)).all())


def test_extraction_crashes_and_errors_are_recorded_beside_the_other_failures(store: Store) -> None:
    state = CrawlState()
    # the kinds crawler.pipelines.extract records, beside the fetch kinds
    state.record_failure("https://example.org/crashed", "crashed", "the extraction worker died (exit code -9)")
    state.record_failure("https://example.org/error", "error", "RecursionError: maximum recursion depth exceeded")
    state.record_failure("https://example.org/http", "http", "HTTP 503", 503)
    state.record_failure("https://example.org/blocked", "blocked", "redirect to 169.254.169.254 refused")
    saved, refused = state.save_failures(store, "test", None)
    assert (saved, refused) == (4, [])
    assert _saved(store) == {
        "https://example.org/crashed": "crashed",
        "https://example.org/error": "error",
        "https://example.org/http": "http",
        "https://example.org/blocked": "blocked",
    }


def test_one_refused_failure_record_does_not_erase_the_others(store: Store) -> None:
    state = CrawlState()
    noise = "".join(random.Random(3).choices(string.ascii_letters + string.digits, k=10_000))
    for index in range(20):
        state.record_failure(f"https://example.org/{index}", "timeout", "TimeoutError: took longer than 30 s")
    state.record_failure(f"https://example.org/{noise}", "http", "HTTP 404", 404)  # over the btree row limit
    state.record_failure("https://example.org/nul", "rejected", "bad\x00 reason \ud800")
    state.record_failure("https://example.org/unknown", "made_up_kind", "a kind the table does not list")
    saved, refused = state.save_failures(store, "test", None)
    assert saved == 22
    [(failure, why)] = refused
    assert failure.url.endswith(noise) and "ProgramLimitExceeded" in why
    kinds = _saved(store)
    assert len(kinds) == 22
    assert kinds["https://example.org/unknown"] == "other"
    with store.sessions() as session:
        error = session.scalar(select(FetchFailure.error).where(FetchFailure.url == "https://example.org/nul"))
    assert error == "bad reason \ufffd"
