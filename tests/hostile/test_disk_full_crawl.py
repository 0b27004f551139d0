"""A crawl whose disk fills up while the database is fine (issue 12, item 5): every article is still stored,
the failed WARC writes are counted, and the archive holds only whole records.

The full disk is a file-size limit (RLIMIT_FSIZE) on the crawl's process: a write past it fails with EFBIG
(Python ignores SIGXFSZ), which reaches the code as the same OSError a full disk gives.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from crawler.archive.reader import iter_responses, warc_files
from crawler.store import migrate
from tests.hostile.site import FEED, STORED, hostile_site, outcomes, valid_cases
from tests.localsite import LocalSite
from tests.test_crawl import crawl

pytestmark = [pytest.mark.db, pytest.mark.slow]
FILE_SIZE_LIMIT = 24_000  # bytes: room for the first few captures only


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_a_full_disk_under_the_archive_costs_no_article(fresh_database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(fresh_database_url)
    data = tmp_path / "data"
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(data)}
    with LocalSite() as site:
        hostile_site(site)
        cases = valid_cases()
        result = crawl(site, env, "feeds", "-a", f"feed={FEED}", "--no-link", preexec_fn=_limit_file_size)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    got = outcomes(fresh_database_url, data / "spool", cases)
    assert set(got.values()) == {STORED}, got
    assert "warc/write_failed" in result.stdout, result.stdout
    files = warc_files(data / "warc", include_open=True)
    assert files
    captured = [c.url for path in files for c in iter_responses(path)]  # raises on a torn record
    assert 0 < len(captured) < len(cases)
