"""Capture and replay in real Scrapy crawls: a crawl of a local HTTP server (127.0.0.1) is written to WARC, then
replayed with the server gone; wget's WARCs read back too.

Each crawl runs in a subprocess (a Twisted reactor starts once per process).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.reader import iter_responses, read_capture, warc_files
from crawler.archive.writer import WarcWriter

SPIDER_SCRIPT = r"""
import hashlib, json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import TextResponse

config = json.load(open(sys.argv[1]))


class ArchiveTestSpider(Spider):
    name = "archive_test"
    start_urls = config["start_urls"]

    def parse(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "flags": response.flags,
            "capture_ref": response.meta.get("capture_ref"),
            "sha1": hashlib.sha1(response.body).hexdigest(),
        }
        if isinstance(response, TextResponse):
            yield from response.follow_all(css="a")

    def closed(self, reason):
        with open(config["stats"], "w") as fh:
            json.dump(self.crawler.stats.get_stats(), fh, default=str)


settings = {
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.archive.middleware.WarcCaptureMiddleware": 950,
        "crawler.archive.replay.ReplayDownloaderMiddleware": 960,
    },
    "WARC_DIR": config["warc_dir"],
    "REPLAY_WARCS": config.get("replay", []),
    "ROBOTSTXT_OBEY": True,
    "HTTPERROR_ALLOW_ALL": True,
    "HTTPPROXY_ENABLED": False,
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 10,
    "LOG_LEVEL": "INFO",
    "FEEDS": {config["items"]: {"format": "jsonlines"}},
}
process = CrawlerProcess(settings)
process.crawl(ArchiveTestSpider)
process.start()
"""

A_HTML = b"<html><head><title>A</title></head><body><p>Alpha</p></body></html>"
B_HTML = b"<html><body><p>Bravo, reached through a redirect</p></body></html>"
GZ_HTML = "<html><body><p>Gzip: 北京 Köln</p></body></html>".encode()
GZ_BODY = gzip.compress(GZ_HTML, mtime=0)
CHUNKED_HTML = b"<html><body>" + b"<p>chunk</p>" * 300 + b"</body></html>"
INDEX_HTML = b"""<html><body>
<a href="/a.html">a</a> <a href="/gz.html">gz</a> <a href="/chunked.html">chunked</a>
<a href="/missing.html">missing</a> <a href="/redirect">redirect</a> <a href="/not-modified">304</a>
<a href="/private.html">private</a>
</body></html>"""
ROBOTS = b"User-agent: *\nDisallow: /private\n"


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served: list[tuple[str, int]]  # set on the class by the fixture

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **extra: str) -> None:
        self.served.append((self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/":
            self._send(200, INDEX_HTML)
        elif path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain")
        elif path == "/a.html":
            self._send(200, A_HTML, ETag='"a-1"', Last_Modified="Tue, 05 Mar 2024 10:00:00 GMT")
        elif path == "/gz.html":
            self._send(200, GZ_BODY, Content_Encoding="gzip")
        elif path == "/redirect":
            self._send(301, b"", Location="/b.html")
        elif path == "/b.html":
            self._send(200, B_HTML)
        elif path == "/not-modified":
            self._send(304, b"", ETag='"nm"')
        elif path == "/chunked.html":
            self.served.append((path, 200))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(CHUNKED_HTML), 1000):
                part = CHUNKED_HTML[start : start + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(404, b"<html><body>not here</body></html>")


@dataclass
class Crawl:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    warc_dir: Path


def _run_spider(tmp: Path, start_urls: list[str], warc_dir: Path, replay: list[str] | None = None) -> Crawl:
    tmp.mkdir(parents=True, exist_ok=True)
    script = tmp / "spider.py"
    script.write_text(SPIDER_SCRIPT)
    config = {
        "start_urls": start_urls,
        "warc_dir": str(warc_dir),
        "replay": replay or [],
        "items": str(tmp / "items.jsonl"),
        "stats": str(tmp / "stats.json"),
    }
    (tmp / "config.json").write_text(json.dumps(config))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NEWSCRAWL_DATA_DIR"] = str(tmp / "data")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp / "config.json")],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    items_file = tmp / "items.jsonl"
    items = [json.loads(line) for line in items_file.read_text().splitlines()] if items_file.exists() else []
    return Crawl(items, json.loads((tmp / "stats.json").read_text()), warc_dir)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    served: list[tuple[str, int]] = []
    handler = type("Handler", (SiteHandler,), {"served": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory, site: tuple[str, list[tuple[str, int]]]) -> Crawl:
    base, served = site
    tmp = tmp_path_factory.mktemp("capture")
    crawl = _run_spider(tmp, [base + "/"], tmp / "warc")
    crawl.stats["served"] = list(served)
    return crawl


def _path(url: str) -> str:
    return urlsplit(url).path


def test_capture_writes_one_record_per_response(captured: Crawl) -> None:
    served = Counter((path, status) for path, status in captured.stats["served"])
    assert ("/private.html", 200) not in served and ("/private.html", 404) not in served  # robots.txt obeyed
    assert served[("/robots.txt", 200)] == 1 and served[("/missing.html", 404)] == 1
    assert served[("/redirect", 301)] == 1 and served[("/not-modified", 304)] == 1

    files = warc_files(captured.warc_dir)
    assert files and not list(captured.warc_dir.glob("*.open"))
    records = list(iter_responses(captured.warc_dir))
    assert Counter((_path(r.url), r.status) for r in records) == served
    assert captured.stats["warc/records"] == len(records)
    assert {r.role for r in records} == {"article"}  # this spider asks for no discovery pages


def test_capture_ref_points_at_the_response_the_spider_saw(captured: Crawl) -> None:
    by_path = {_path(item["url"]): item for item in captured.items}
    assert set(by_path) == {"/", "/a.html", "/gz.html", "/chunked.html", "/missing.html", "/b.html", "/not-modified"}
    for item in captured.items:
        record = read_capture(item["capture_ref"], captured.warc_dir)
        assert record.url == item["url"] and record.status == item["status"]
        assert hashlib.sha1(record.body).hexdigest() == item["sha1"]
    a = read_capture(by_path["/a.html"]["capture_ref"], captured.warc_dir)
    assert a.body == A_HTML and a.header("etag") == '"a-1"'
    assert a.header("last-modified") == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert read_capture(by_path["/chunked.html"]["capture_ref"], captured.warc_dir).body == CHUNKED_HTML
    assert read_capture(by_path["/gz.html"]["capture_ref"], captured.warc_dir).body == GZ_HTML


def test_capture_keeps_the_bytes_as_sent(captured: Crawl) -> None:
    """The gzip body is archived compressed, with its Content-Encoding; the chunked one without chunk framing."""
    raw = {}
    for path in warc_files(captured.warc_dir):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    raw[_path(record.rec_headers.get_header("WARC-Target-URI"))] = (
                        record.http_headers,
                        record.raw_stream.read(),
                    )
    headers, body = raw["/gz.html"]
    assert headers.get_header("Content-Encoding") == "gzip" and body == GZ_BODY
    headers, body = raw["/chunked.html"]
    assert headers.get_header("Transfer-Encoding") is None and body == CHUNKED_HTML
    headers, body = raw["/redirect"]
    assert headers.get_statuscode() == "301" and headers.get_header("Location") == "/b.html"


def test_replay_serves_the_captured_crawl_with_the_server_gone(
    captured: Crawl, site: tuple[str, list[tuple[str, int]]], tmp_path: Path
) -> None:
    base, served = site
    before = len(served)
    replayed = _run_spider(tmp_path, [base + "/"], tmp_path / "warc", replay=[str(captured.warc_dir)])
    assert len(served) == before  # the server saw nothing
    assert not (tmp_path / "warc").exists()  # replayed responses are not captured again

    def key(item: dict[str, Any]) -> tuple[str, int, str, str]:
        return item["url"], item["status"], item["sha1"], item["capture_ref"]

    assert sorted(map(key, replayed.items)) == sorted(map(key, captured.items))
    assert all(item["flags"] == ["replayed"] for item in replayed.items)
    assert replayed.stats.get("replay/misses", 0) == 0
    assert replayed.stats["robotstxt/forbidden"] == 1  # the archived robots.txt still applies


def test_replay_answers_misses_with_404_and_never_touches_the_network(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with WarcWriter(archive) as writer:
        writer.write_response(
            "http://news.invalid/",
            200,
            {"Content-Type": "text/html"},
            b'<html><body><a href="/a.html">a</a> <a href="/gone.html">gone</a></body></html>',
        )
        writer.write_response("http://news.invalid/a.html", 200, {"Content-Type": "text/html"}, A_HTML)
    crawl = _run_spider(tmp_path / "run", ["http://news.invalid/"], tmp_path / "warc", replay=[str(archive)])
    got = {_path(item["url"]): (item["status"], item["flags"]) for item in crawl.items}
    assert got == {
        "/": (200, ["replayed"]),
        "/a.html": (200, ["replayed"]),
        "/gone.html": (404, ["replay-miss"]),
    }
    assert crawl.stats["replay/misses"] == 2  # robots.txt (so: allow all) and /gone.html
    assert crawl.stats["replay/hits"] == 2


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_reads_wget_warcs(site: tuple[str, list[tuple[str, int]]], tmp_path: Path) -> None:
    base, _ = site
    urls = [f"{base}/a.html", f"{base}/gz.html", f"{base}/chunked.html", f"{base}/missing.html"]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    subprocess.run(
        ["wget", "--quiet", "--no-config", "--tries=1", "--warc-file=wget", "-O", os.devnull, *urls],
        cwd=tmp_path,
        env=env,
        timeout=30,
        check=False,  # wget exits 8 because of the 404
    )
    records = {_path(r.url): r for r in iter_responses(tmp_path / "wget.warc.gz")}
    assert set(records) == {"/a.html", "/gz.html", "/chunked.html", "/missing.html"}
    assert records["/a.html"].body == A_HTML
    assert records["/gz.html"].body == GZ_HTML  # stored compressed by wget, decoded here
    assert records["/chunked.html"].body == CHUNKED_HTML  # stored chunked by wget, de-chunked here
    assert records["/missing.html"].status == 404
