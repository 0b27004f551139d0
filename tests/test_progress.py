"""The live progress line: its text, its rewriting over itself, and silence where no terminal watches."""

from __future__ import annotations

import io

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.progress import ProgressLine, progress_line


def test_the_line_counts_pages_articles_errors_and_rate() -> None:
    stats = {"downloader/response_count": 120, "store/new": 40, "store/updated": 2,
             "errors/fetch/http": 3, "errors/extract/rejected": 1}
    assert progress_line("sina_finance", stats, 12.34) == (
        "sina_finance: 120 pages fetched, 42 articles stored, 4 refused or failed, 12.3 pages/s"
    )


def test_the_line_rewrites_itself_and_ends_with_a_newline() -> None:
    crawler = get_crawler(settings_dict={"PROGRESS": "on"})
    stream = io.StringIO()
    extension = ProgressLine(crawler.stats, 60.0, stream)
    crawler.stats.set_value("downloader/response_count", 7)
    extension.show()
    crawler.stats.set_value("downloader/response_count", 8)
    extension.show()
    assert stream.getvalue().count("\r") == 2 and "8 pages fetched" in stream.getvalue()
    assert "\n" not in stream.getvalue()


def test_no_terminal_no_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal, as under cron
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(get_crawler(settings_dict={"PROGRESS": "auto"}))
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(get_crawler(settings_dict={"PROGRESS": "off"}))
    assert isinstance(ProgressLine.from_crawler(get_crawler(settings_dict={"PROGRESS": "on"})), ProgressLine)
