"""Write HTTP responses, as received, to rotating gzip WARC files (WARC/1.1, one gzip member per record).

Each response becomes a `response` record (status line, headers and body bytes exactly as handed over)
followed by a `request` record that names it in `WARC-Concurrent-To`. A file is written as
`<name>.warc.gz.open` and renamed to `<name>.warc.gz` when it is closed (at rotation or `close()`), so a
reader listing a directory never sees a half-written file. `<name>` is
`<prefix>-<UTC timestamp>-<counter>-<hostname>-<pid>`, so writers in several processes or on several
machines sharing one directory never collide.

`write_response` returns a capture reference `"<final file name>#<byte offset of the response record>"`;
`crawler.archive.reader.read_capture` opens it. The reference uses the final name from the start, so it is
valid once the file is closed (a crash leaves only the `.open` file, which the reader also accepts by path).

Compression: `compression_level` 0-9 as in zlib, default DEFAULT_COMPRESSION_LEVEL = 1. Levels 1-3 use
ISA-L (the `isal` package: Intel's deflate, the same gzip format) at its levels 1-3, about 4.5 times faster
than zlib's level 1 for a slightly smaller file (0.24 instead of 1.1 ms for a 180 KB page on the crawler's
reactor thread); 0 (stored) and 4-9 use zlib. Readers do not care what wrote a member.

Concurrency: one writer per process; a lock makes `write_response` safe to call from several threads.

Failures: a write that fails (a full disk) raises OSError after cutting the file back to its last whole
record, so the records written later follow a readable file. A file left `.open` by a writer that died is
cut back to its last whole record and renamed by `crawler.archive.recover.recover_open_files`, which the
capture middleware runs when a crawl starts.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import itertools
import os
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO, TypeAlias

from isal import isal_zlib

from crawler import __version__

DEFAULT_MAX_SIZE = 1024**3  # 1 GiB
DEFAULT_COMPRESSION_LEVEL = 1  # ISA-L level 1: fast; files ~15% larger than zlib's level 6
WARC_VERSION = b"WARC/1.1"
# A WARC extension field: what the crawl fetched the page as ("article" or "discovery").
ROLE_FIELD = "Newscrawl-Role"
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"

HeaderValue: TypeAlias = str | bytes
HeaderInput: TypeAlias = Mapping[str, str] | Iterable[tuple[HeaderValue, HeaderValue]]

# one counter per process: two writers in one process never pick the same name either
_FILE_COUNTER = itertools.count(1)
# headers that describe how the body travelled, not what it is; Scrapy hands over a de-chunked body
_TRANSPORT_HEADERS = {b"transfer-encoding"}


def _as_bytes(value: HeaderValue) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def header_pairs(headers: HeaderInput | None) -> list[tuple[bytes, bytes]]:
    """Headers as (name, value) byte pairs, in order; a mapping gives one pair per key."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(_as_bytes(name), _as_bytes(value)) for name, value in items]


def warc_date(moment: datetime) -> str:
    """A WARC/1.1 date (UTC, microseconds) for an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sha1(data: bytes) -> bytes:
    return b"sha1:" + base64.b32encode(hashlib.sha1(data).digest())


def _http_block(status_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return status_line + b"\r\n" + head + b"\r\n" + body


def _record(fields: list[tuple[str, str]], block: bytes) -> bytes:
    lines = [WARC_VERSION]
    lines += [f"{name}: {value}".encode() for name, value in fields]
    lines.append(f"Content-Length: {len(block)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + block + b"\r\n\r\n"


def _gzip_member(data: bytes, level: int = DEFAULT_COMPRESSION_LEVEL) -> bytes:
    deflate = isal_zlib if 1 <= level <= isal_zlib.ISAL_BEST_COMPRESSION else zlib
    compressor = deflate.compressobj(level, deflate.DEFLATED, deflate.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def _write_all(out: BinaryIO, data: bytes) -> None:
    """Write all of `data` to an unbuffered file (a raw write may take only part of it)."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:
            raise OSError(errno.EIO, "the file took no bytes")
        view = view[written:]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_") or "host"


class WarcWriter:
    """Appends response records to `directory`, starting a new file once one reaches `max_size` bytes."""

    def __init__(
        self,
        directory: Path | str,
        max_size: int = DEFAULT_MAX_SIZE,
        prefix: str = "newscrawl",
        compression_level: int = DEFAULT_COMPRESSION_LEVEL,
    ) -> None:
        if max_size < 1:
            raise ValueError("WARC_MAX_SIZE must be at least 1 byte")
        if not 0 <= compression_level <= 9:
            raise ValueError("WARC_COMPRESSION_LEVEL must be 0 to 9")
        self.compression_level = compression_level
        self.directory = Path(directory)
        self.max_size = max_size
        self.prefix = safe_name(prefix)
        self.hostname = socket.gethostname()
        self.closed_files: list[Path] = []
        self._file: BinaryIO | None = None
        self._final_path: Path | None = None
        self._lock = threading.Lock()

    @property
    def current_path(self) -> Path | None:
        """The final name of the file being written, if one is open."""
        return self._final_path

    def write_response(
        self,
        url: str,
        status: int,
        headers: HeaderInput,
        body: bytes,
        request_headers: HeaderInput | None = None,
        fetched_at: datetime | None = None,
        *,
        method: str = "GET",
        protocol: str = "HTTP/1.1",
        ip_address: str | None = None,
        role: str | None = None,
    ) -> str:
        """Append one response (and its request) record; returns `"<file name>#<offset>"`.

        `role` ("article" or "discovery") records what the crawl fetched the page as, in a `Newscrawl-Role`
        field, so a replay makes the same decision (listing pages are not articles).

        `body` is the entity as received after transfer decoding (content encoding kept); a
        `Transfer-Encoding` header is therefore dropped, so readers do not try to de-chunk it again.
        """
        date = warc_date(fetched_at or datetime.now(timezone.utc))
        response_id = f"<urn:uuid:{uuid.uuid4()}>"
        pairs = [(k, v) for k, v in header_pairs(headers) if k.lower() not in _TRANSPORT_HEADERS]
        status_line = f"{protocol or 'HTTP/1.1'} {status} {_reason(status)}".rstrip().encode("latin-1")
        block = _http_block(status_line, pairs, body)
        fields = [
            ("WARC-Type", "response"),
            ("WARC-Record-ID", response_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", url),
        ]
        if ip_address:
            fields.append(("WARC-IP-Address", ip_address))
        if role:
            fields.append((ROLE_FIELD, role))
        fields += [
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Block-Digest", _sha1(block).decode()),
            ("WARC-Payload-Digest", _sha1(body).decode()),
        ]
        response = _gzip_member(_record(fields, block), self.compression_level)
        request = _gzip_member(
            self._request_record(url, method, request_headers, date, response_id), self.compression_level
        )
        with self._lock:
            out = self._ensure_open()
            offset = out.tell()
            try:
                _write_all(out, response + request)
            except OSError:
                self._cut_back(offset)
                raise
            assert self._final_path is not None
            ref = f"{self._final_path.name}#{offset}"
            if out.tell() >= self.max_size:
                self._close_current()
        return ref

    def _cut_back(self, offset: int) -> None:
        """A write failed (a full disk): cut the file back to its last whole record so later records follow a
        readable file. If even that fails, the file is left `.open` (`recover_open_files` repairs it) and the
        next write starts a new one."""
        assert self._file is not None
        try:
            self._file.truncate(offset)
            self._file.seek(offset)
        except OSError:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file, self._final_path = None, None

    @staticmethod
    def _request_record(
        url: str, method: str, request_headers: HeaderInput | None, date: str, response_id: str
    ) -> bytes:
        parts = url.split("/", 3)
        target = "/" + parts[3] if len(parts) > 3 else "/"
        pairs = header_pairs(request_headers)
        if not any(name.lower() == b"host" for name, _ in pairs) and len(parts) > 2:
            pairs.insert(0, (b"Host", _as_bytes(parts[2])))
        block = _http_block(f"{method} {target} HTTP/1.1".encode(), pairs, b"")
        fields = [
            ("WARC-Type", "request"),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
            ("WARC-Date", date),
            ("WARC-Target-URI", url),
            ("WARC-Concurrent-To", response_id),
            ("Content-Type", "application/http; msgtype=request"),
            ("WARC-Block-Digest", _sha1(block).decode()),
        ]
        return _record(fields, block)

    def _ensure_open(self) -> BinaryIO:
        if self._file is not None:
            return self._file
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-{stamp}-{next(_FILE_COUNTER):05d}-{safe_name(self.hostname)}-{os.getpid()}{WARC_SUFFIX}"
        final = self.directory / name
        # unbuffered: a write that fails leaves nothing behind in a buffer to be flushed later
        path = final.with_name(name + OPEN_SUFFIX)
        out = open(path, "xb", buffering=0)  # noqa: SIM115 (closed in _close_current)
        try:
            _write_all(out, _gzip_member(self._warcinfo_record(name), self.compression_level))
        except OSError:
            out.close()
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        self._file, self._final_path = out, final
        return out

    def _warcinfo_record(self, name: str) -> bytes:
        info = (
            f"software: newscrawl/{__version__} (crawler.archive.writer)\r\n"
            f"hostname: {self.hostname}\r\n"
            "format: WARC File Format 1.1\r\n"
            "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
        ).encode()
        fields = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
            ("WARC-Date", warc_date(datetime.now(timezone.utc))),
            ("WARC-Filename", name),
            ("Content-Type", "application/warc-fields"),
        ]
        return _record(fields, info)

    def _close_current(self) -> None:
        if self._file is None or self._final_path is None:
            return
        self._file.close()
        os.replace(self._final_path.with_name(self._final_path.name + OPEN_SUFFIX), self._final_path)
        self.closed_files.append(self._final_path)
        self._file, self._final_path = None, None

    def close(self) -> None:
        """Finish the current file (rename it to `.warc.gz`); the next write starts a new one."""
        with self._lock:
            self._close_current()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
