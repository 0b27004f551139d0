"""A full disk under the WARC archive (issue 12, item 5): a failed write costs neither the page nor the file,
an unfinished `.open` file is repaired, and `newscrawl replay` reads and names `.open` files."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.archive import writer as writer_module
from crawler.archive.middleware import WarcCaptureMiddleware
from crawler.archive.reader import iter_responses, read_capture, warc_files
from crawler.archive.recover import recover_open_files
from crawler.archive.reextract import reextract, summary
from crawler.archive.writer import OPEN_SUFFIX, WarcWriter
from crawler.items import Article
from crawler.store.repository import StoreResult

T0 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _page(i: int) -> bytes:
    return f"<html><head><title>Story {i}</title></head><body><p>Paragraph of story {i}.</p></body></html>".encode()


def _write(writer: WarcWriter, i: int) -> str:
    return writer.write_response(f"https://news.example/{i}.html", 200, HTML, _page(i), fetched_at=T0 + timedelta(i))


@pytest.fixture
def disk_fills_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next write that is not the first of a file writes half of its bytes, then fails with ENOSPC."""
    real = writer_module._write_all
    armed = [0]

    def write_all(out: Any, data: bytes) -> None:
        if armed[0] and out.tell() > 0:
            armed[0] = 0
            out.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(out, data)

    monkeypatch.setattr(writer_module, "_write_all", write_all)
    return armed


def test_a_failed_write_leaves_the_file_readable_and_later_records_follow(
    tmp_path: Path, disk_fills_once: list[int]
) -> None:
    writer = WarcWriter(tmp_path)
    refs = [_write(writer, 0), _write(writer, 1)]
    disk_fills_once[0] = 1
    with pytest.raises(OSError, match="No space"):
        _write(writer, 2)
    refs.append(_write(writer, 3))
    writer.close()
    [path] = warc_files(tmp_path)
    assert [c.url for c in iter_responses(path)] == [f"https://news.example/{i}.html" for i in (0, 1, 3)]
    assert read_capture(refs[2], tmp_path).body == _page(3)


def test_a_response_that_cannot_be_archived_still_reaches_the_spider(
    tmp_path: Path, disk_fills_once: list[int]
) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path)})
    middleware = WarcCaptureMiddleware.from_crawler(crawler)
    middleware.spider_opened()
    responses = []
    for i in range(3):
        request = Request(f"https://news.example/{i}.html")
        response = HtmlResponse(request.url, body=_page(i), headers=HTML, request=request)
        disk_fills_once[0] = int(i == 1)
        responses.append(middleware.process_response(request, response))
    middleware.spider_closed()
    assert [r.url for r in responses] == [f"https://news.example/{i}.html" for i in range(3)]
    assert ["capture_ref" in r.request.meta for r in responses] == [True, False, True]
    assert crawler.stats.get_value("errors/warc/write_failed") == 1
    assert crawler.stats.get_value("warc/records") == 2
    assert [c.url for c in iter_responses(tmp_path)] == ["https://news.example/0.html", "https://news.example/2.html"]


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _torn_open_file(directory: Path) -> tuple[Path, list[str], int]:
    """A file as a crawl killed mid-write leaves it: `.open`, its last record cut in half, its pid gone."""
    writer = WarcWriter(directory)
    refs = [_write(writer, i) for i in range(3)]
    assert writer._file is not None
    member = writer_module._gzip_member(b"WARC/1.1\r\nWARC-Type: response\r\n" + bytes(range(256)) * 20)
    writer._file.write(member[: len(member) // 2])
    writer._file.close()
    [path] = directory.glob(f"*{OPEN_SUFFIX}")
    stem, _, _pid = path.name[: -len(".warc.gz" + OPEN_SUFFIX)].rpartition("-")
    dead = path.with_name(f"{stem}-{_dead_pid()}.warc.gz{OPEN_SUFFIX}")
    path.rename(dead)
    refs = [ref.replace(path.name[: -len(OPEN_SUFFIX)], dead.name[: -len(OPEN_SUFFIX)]) for ref in refs]
    return dead, refs, len(member) // 2


def test_an_open_file_left_by_a_dead_crawl_is_cut_to_its_last_whole_record_and_renamed(tmp_path: Path) -> None:
    path, refs, torn = _torn_open_file(tmp_path)
    live = WarcWriter(tmp_path)
    _write(live, 9)  # a running writer's own `.open` file is left alone
    [repaired] = recover_open_files(tmp_path)
    assert repaired.path == path.with_name(path.name[: -len(OPEN_SUFFIX)]) and repaired.cut_bytes == torn
    assert [c.url for c in iter_responses(repaired.path)] == [f"https://news.example/{i}.html" for i in range(3)]
    assert read_capture(refs[2], tmp_path).body == _page(2)
    assert len(list(tmp_path.glob(f"*{OPEN_SUFFIX}"))) == 1  # the live one
    live.close()


class _Collect:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def store_articles_isolating(self, articles: list[Article]) -> tuple[StoreResult, list[tuple[Article, str]]]:
        self.urls += [a.url for a in articles]
        return StoreResult(new=len(articles)), []


def _extract(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Article:
    return Article(url=url, text=body.decode())


def test_replay_reads_open_files_and_names_them(tmp_path: Path) -> None:
    finished = WarcWriter(tmp_path)
    _write(finished, 0)
    finished.close()
    path, _, _ = _torn_open_file(tmp_path)
    store = _Collect()
    result = reextract([tmp_path], store, _extract)
    assert sorted(store.urls) == [f"https://news.example/{i}.html" for i in (0, 0, 1, 2)]
    assert result.open_files == [path.name]
    report = summary(result)
    assert "unfinished WARC file" in report and path.name in report
    assert result.damaged_files  # its torn last record is reported, not skipped silently
