"""WARC writer and reader: byte-exact round trips, rotation, damaged files, other tools' WARCs, the middlewares
used without a crawler."""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import brotli
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive.middleware import WarcCaptureMiddleware
from crawler.archive.reader import (
    WarcReadError,
    iter_responses,
    load_index,
    load_locations,
    read_capture,
    read_record,
    warc_files,
)
from crawler.archive.replay import ReplayDownloaderMiddleware
from crawler.archive.writer import WarcWriter

T0 = datetime(2024, 3, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)
PAGE = "<html><head><title>Über 北京</title></head><body><p>Zürich 新闻</p></body></html>".encode()


def _write_pages(directory: Path, count: int, max_size: int = 1024**3) -> tuple[WarcWriter, list[str]]:
    writer = WarcWriter(directory, max_size=max_size)
    refs = [
        writer.write_response(
            f"https://news.example/{i}.html",
            200,
            {"Content-Type": "text/html; charset=utf-8", "ETag": f'"v{i}"'},
            PAGE + str(i).encode() * (i * 50),
            request_headers={"User-Agent": "newscrawl-test"},
            fetched_at=T0 + timedelta(seconds=i),
        )
        for i in range(count)
    ]
    return writer, refs


def _split_ref(ref: str) -> tuple[str, int]:
    name, _, offset = ref.rpartition("#")
    return name, int(offset)


def _raw_member(path: Path, offset: int) -> bytes:
    """The record at offset, decompressed with zlib alone (one gzip member), independently of warcio."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        data = decompressor.decompress(fh.read())
    assert decompressor.eof
    return data


def test_round_trip_is_byte_exact(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    headers = [
        ("Content-Type", "text/html; charset=gbk"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        (b"Location", b"/\xd0\xc2\xce\xc5"),  # raw GBK bytes, as Chinese servers send them
        ("Transfer-Encoding", "chunked"),  # Scrapy hands over a de-chunked body: the header must go
    ]
    body = "新闻".encode("gbk") + bytes(range(256))
    ref = writer.write_response(
        "http://www.sina.com.cn/news", 404, headers, body, {"Accept": "text/html"}, fetched_at=T0, ip_address="::1"
    )
    writer.close()
    name, offset = _split_ref(ref)
    path = tmp_path / name
    assert path.is_file() and name.endswith(".warc.gz")

    raw = _raw_member(path, offset)
    assert raw.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert b"WARC-Target-URI: http://www.sina.com.cn/news\r\n" in raw
    assert b"WARC-Date: 2024-03-01T08:30:15.123456Z\r\n" in raw
    assert b"WARC-IP-Address: ::1\r\n" in raw
    http = raw.split(b"\r\n\r\n", 1)[1]
    assert http.startswith(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=gbk\r\n")
    assert b"Location: /\xd0\xc2\xce\xc5\r\n" in http and b"Transfer-Encoding" not in http
    assert http.endswith(b"\r\n\r\n" + body + b"\r\n\r\n")

    captured = read_capture(ref, tmp_path)
    assert captured.url == "http://www.sina.com.cn/news"
    assert captured.status == 404
    assert captured.body == body
    assert captured.fetched_at == T0
    assert captured.capture_ref == ref
    assert captured.headers["set-cookie"] == "a=1, b=2"
    assert captured.header("CONTENT-TYPE") == "text/html; charset=gbk"
    assert captured.media_type == "text/html"
    assert list(iter_responses(path)) == [captured]

    # the request record follows, tied to the response
    records = list(ArchiveIterator(open(path, "rb")))  # noqa: SIM115
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    assert records[2].rec_headers.get_header("WARC-Concurrent-To") == records[1].rec_headers.get_header(
        "WARC-Record-ID"
    )
    assert records[2].http_headers.protocol == "GET"
    assert records[2].http_headers.get_header("Host") == "www.sina.com.cn"


def test_digests_check_out_with_warcio(tmp_path: Path) -> None:
    writer, _ = _write_pages(tmp_path, 3)
    writer.close()
    (path,) = warc_files(tmp_path)
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            record.content_stream().read()
            assert record.digest_checker.passed is not False, record.digest_checker.problems


def test_offsets_point_at_their_records_and_gzip_seeks_there(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 5)
    writer.close()
    for i, ref in enumerate(refs):
        name, offset = _split_ref(ref)
        with open(tmp_path / name, "rb") as fh:
            fh.seek(offset)
            head = gzip.GzipFile(fileobj=fh).read(400)
        assert head.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
        assert f"WARC-Target-URI: https://news.example/{i}.html\r\n".encode() in head
        captured = read_record(tmp_path / name, offset)
        assert captured.url == f"https://news.example/{i}.html"
        assert captured.body == PAGE + str(i).encode() * (i * 50)
        assert captured.headers["etag"] == f'"v{i}"'
        assert captured.fetched_at == T0 + timedelta(seconds=i)


def test_rotation_makes_several_files_and_every_reference_stays_valid(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 30, max_size=3000)
    being_written = list(tmp_path.glob("*.warc.gz.open"))
    assert len(being_written) == (writer.current_path is not None)
    writer.close()
    files = warc_files(tmp_path)
    assert 5 <= len(files) < 30
    assert all(p.stat().st_size < 3000 + 2000 for p in files)
    assert not list(tmp_path.glob("*.open"))
    assert len(set(files)) == len(files) == len(writer.closed_files)
    assert {_split_ref(ref)[0] for ref in refs} == {p.name for p in files}
    for i, ref in enumerate(refs):
        assert read_capture(ref, tmp_path).url == f"https://news.example/{i}.html"
    # every file is a WARC of its own: warcinfo first, and names sort in writing order
    for path in files:
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    assert [c.url for c in iter_responses(tmp_path)] == [f"https://news.example/{i}.html" for i in range(30)]


def test_file_being_written_is_hidden_from_listings_but_its_references_resolve(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 2)
    assert warc_files(tmp_path) == []
    assert writer.current_path is not None and not writer.current_path.exists()
    assert read_capture(refs[1], tmp_path).url == "https://news.example/1.html"
    writer.close()
    assert warc_files(tmp_path) == [writer.closed_files[0]]


def test_two_writers_never_share_a_file(tmp_path: Path) -> None:
    first, second = WarcWriter(tmp_path), WarcWriter(tmp_path)
    a = first.write_response("http://a.example/", 200, {}, b"a", fetched_at=T0)
    b = second.write_response("http://b.example/", 200, {}, b"b", fetched_at=T0)
    first.close()
    second.close()
    assert _split_ref(a)[0] != _split_ref(b)[0]
    assert [c.body for c in iter_responses(tmp_path)] == sorted([b"a", b"b"], key=lambda body: body != b"a")


def test_naive_fetch_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        WarcWriter(tmp_path).write_response("http://a.example/", 200, {}, b"", fetched_at=datetime(2024, 1, 1))


def test_truncated_file_yields_the_good_records_then_raises(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 5)
    writer.close()
    (path,) = warc_files(tmp_path)
    fourth = _split_ref(refs[3])[1]
    path.write_bytes(path.read_bytes()[: fourth + 60])
    seen = []
    with pytest.raises(WarcReadError) as error:
        for captured in iter_responses(path):
            seen.append(captured.url)
    assert seen == [f"https://news.example/{i}.html" for i in range(3)]
    assert error.value.path == path
    assert error.value.offset == fourth
    assert path.name in str(error.value) and str(fourth) in str(error.value)


@pytest.mark.parametrize("compressed", [True, False])
def test_no_cut_loses_records_silently(tmp_path: Path, compressed: bool) -> None:
    """A file cut anywhere but between two records raises; one cut between records reads as a shorter file."""
    writer, _ = _write_pages(tmp_path, 3)
    writer.close()
    (path,) = warc_files(tmp_path)
    data = path.read_bytes() if compressed else gzip.decompress(path.read_bytes())
    ends = [0]  # where each record ends: the cuts that leave only whole records
    with open(path, "rb") if compressed else io.BytesIO(data) as fh:
        records = ArchiveIterator(fh)
        for record in records:
            record.content_stream().read()
            ends.append(records.get_record_offset() + records.get_record_length())
    damaged = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    for cut in range(1, len(data), 5):
        damaged.write_bytes(data[:cut])
        got = []
        try:
            got = [c.url for c in iter_responses(damaged)]
        except WarcReadError:
            continue
        boundary = max(end for end in ends if end <= cut)
        tail = data[boundary:cut]
        assert not tail.strip(b"\r\n"), f"cut at {cut} of {len(data)} lost records silently: read {got}"


def test_corrupt_byte_raises(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 3)
    writer.close()
    (path,) = warc_files(tmp_path)
    data = bytearray(path.read_bytes())
    second = _split_ref(refs[1])[1]
    data[second + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    seen = []
    with pytest.raises(WarcReadError):
        for captured in iter_responses(path):
            seen.append(captured.url)
    assert seen == ["https://news.example/0.html"]


def _warcio_file(path: Path, gzipped: bool) -> None:
    """A WARC as another tool writes it: warcio, chunked and content-encoded bodies stored raw, other record types."""
    html = b"<html><body><p>" + "Nachrichten aus Köln".encode() * 40 + b"</p></body></html>"
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (html[:100], html[100:])) + b"0\r\n\r\n"
    deflated = zlib.compress(html)
    bodies = {
        "http://other.example/chunked": ([("Transfer-Encoding", "chunked")], chunked),
        "http://other.example/gzip": ([("Content-Encoding", "gzip")], gzip.compress(html)),
        "http://other.example/deflate": ([("Content-Encoding", "deflate")], deflated),
        "http://other.example/br": ([("Content-Encoding", "br")], brotli.compress(html)),
        "http://other.example/chunked-gzip": (
            [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
            b"%x\r\n%s\r\n0\r\n\r\n" % (len(gzip.compress(html)), gzip.compress(html)),
        ),
    }
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "warcio"}))
        for url, (extra, body) in bodies.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *extra], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)
        resource = writer.create_warc_record("http://other.example/log", "resource", payload=io.BytesIO(b"log"))
        writer.write_record(resource)
        revisit = writer.create_revisit_record(
            "http://other.example/gzip", "sha1:AAAA", "http://other.example/gzip", "2024-01-01T00:00:00Z"
        )
        writer.write_record(revisit)
    return None


@pytest.mark.parametrize("name", ["other.warc.gz", "other.warc"])
def test_reads_other_tools_warcs_and_decodes_bodies(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _warcio_file(path, gzipped=name.endswith(".gz"))
    html = b"<html><body><p>" + "Nachrichten aus Köln".encode() * 40 + b"</p></body></html>"
    captured = list(iter_responses(path))
    assert [c.url.rsplit("/", 1)[1] for c in captured] == ["chunked", "gzip", "deflate", "br", "chunked-gzip"]
    for item in captured:
        assert item.body == html, item.url
        assert item.status == 200
        assert "content-encoding" not in item.headers and "transfer-encoding" not in item.headers
        assert item.headers["content-length"] == str(len(html))
        assert item.fetched_at.tzinfo is not None
        assert read_record(path, int(item.capture_ref.rsplit("#", 1)[1])) == item
    assert warc_files(tmp_path) == [path]


def test_index_keys_clean_urls_and_a_304_never_hides_a_capture(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writer.write_response("https://news.example/a?b=2&a=1", 200, {}, b"old", fetched_at=T0)
    writer.write_response("https://news.example/a?a=1&b=2&utm_source=x", 200, {}, b"new", fetched_at=T0)
    writer.write_response("https://news.example/a?a=1&b=2", 304, {}, b"", fetched_at=T0)
    writer.write_response("https://news.example/only-304", 304, {}, b"", fetched_at=T0)
    writer.close()
    index = load_index(tmp_path)
    assert set(index) == {"https://news.example/a?a=1&b=2", "https://news.example/only-304"}
    assert index["https://news.example/a?a=1&b=2"].body == b"new"
    assert index["https://news.example/only-304"].status == 304
    locations = load_locations(tmp_path)
    location = locations["https://news.example/a?a=1&b=2"]
    assert read_record(location.path, location.offset).body == b"new"


def test_capture_middleware_records_any_status_but_not_replayed_responses(tmp_path: Path) -> None:
    middleware = WarcCaptureMiddleware(tmp_path)
    request = Request("https://news.example/gone", headers={"User-Agent": "newscrawl-test"})
    response = Response(request.url, status=404, headers={"Content-Type": "text/plain"}, body=b"gone", request=request)
    assert middleware.process_response(request, response) is response
    ref = response.meta["capture_ref"]
    replayed = Response(request.url, status=200, body=b"x", flags=["replayed"], request=Request(request.url))
    middleware.process_response(replayed.request, replayed)
    assert "capture_ref" not in replayed.meta
    middleware.spider_closed()
    captured = list(iter_responses(tmp_path))
    assert [(c.url, c.status, c.body, c.capture_ref) for c in captured] == [(request.url, 404, b"gone", ref)]


def test_replay_middleware_answers_from_the_archive(tmp_path: Path) -> None:
    writer, refs = _write_pages(tmp_path, 2)
    writer.write_response("https://news.example/robots.txt", 200, {"Content-Type": "text/plain"}, b"User-agent: *")
    writer.close()
    middleware = ReplayDownloaderMiddleware([tmp_path])
    request = Request("https://NEWS.example/1.html#top")
    response = middleware.process_request(request)
    assert isinstance(response, HtmlResponse)
    assert response.status == 200 and response.flags == ["replayed"]
    assert response.body == PAGE + b"1" * 50
    assert response.url == request.url
    assert response.headers[b"ETag"] == b'"v1"'
    assert response.meta["capture_ref"] == refs[1]
    robots = middleware.process_request(Request("https://news.example/robots.txt"))
    assert robots.status == 200 and robots.body == b"User-agent: *"
    for url in ("https://news.example/2.html", "https://elsewhere.example/robots.txt"):
        miss = middleware.process_request(Request(url))
        assert miss.status == 404 and miss.flags == ["replay-miss"] and miss.body == b""


def test_compression_level_is_honoured_from_the_setting_and_records_read_back(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from scrapy.settings import Settings

    body = "".join(f"<p>第{i}段 paragraph {i * 7919 % 104729} Zürich 新闻</p>" for i in range(3000)).encode()
    sizes = {}
    for level in (0, 1, 9):
        directory = tmp_path / str(level)
        crawler = SimpleNamespace(
            settings=Settings({"WARC_DIR": str(directory), "WARC_COMPRESSION_LEVEL": level}),
            stats=None,
            signals=SimpleNamespace(connect=lambda *args, **kwargs: None),
        )
        middleware = WarcCaptureMiddleware.from_crawler(crawler)  # type: ignore[arg-type]
        assert middleware.compression_level == level
        request = Request("https://news.example/long", headers={"User-Agent": "newscrawl-test"})
        response = HtmlResponse(request.url, body=body, headers={"Content-Type": "text/html"}, request=request)
        middleware.process_response(request, response)
        middleware.spider_closed()
        [path] = warc_files(directory)
        sizes[level] = path.stat().st_size
        [captured] = list(iter_responses(directory))
        assert captured.body == body
        assert read_capture(captured.capture_ref, directory).body == body
    assert sizes[0] > sizes[1] > sizes[9]
    with pytest.raises(ValueError, match="WARC_COMPRESSION_LEVEL"):
        WarcWriter(tmp_path, compression_level=10)
