"""Read HTTP response records back from WARC files: ours, or any other tool's (wget, warcio, Heritrix …).

`iter_responses(paths)` yields one `CapturedResponse` per `response` record (other record types are
skipped) from gzip or plain WARC files; a directory stands for its `*.warc.gz`/`*.warc` files in name
order (our names start with a timestamp, so that is the order they were written). The body is decoded
(chunked transfer encoding, gzip/deflate/br content encoding undone) and the headers say so.

A truncated or corrupt file raises `WarcReadError` naming the file and the offset of the damage, after
the records before it were yielded. `load_index` / `load_locations` key captures by `crawler.urls.clean_url`
for replay; `read_capture` opens a capture reference written by `crawler.archive.writer`.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeAlias

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.timeutils import iso_date_to_datetime

from crawler.archive.writer import OPEN_SUFFIX, ROLE_FIELD
from crawler.urls import clean_url

PathLike: TypeAlias = str | Path
NOT_MODIFIED = 304


class WarcReadError(Exception):
    """A WARC file is truncated or corrupt at `offset` (records before it were read)."""

    def __init__(self, path: Path, offset: int, reason: str) -> None:
        self.path = path
        self.offset = offset
        self.reason = reason
        super().__init__(f"{path}: unreadable WARC data at byte offset {offset}: {reason}")


@dataclass(frozen=True)
class CapturedResponse:
    """One archived HTTP response. `headers` has lower-case names (repeated headers joined by ", ")."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    capture_ref: str
    role: str | None = None  # "article" or "discovery" as the crawl fetched it; None in older captures

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header value by case-insensitive name."""
        return self.headers.get(name.lower(), default)

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-case ('' when absent)."""
        return (self.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class CaptureLocation:
    """Where a capture sits, for reading it on demand with `read_record`."""

    path: Path
    offset: int
    status: int


def warc_files(paths: PathLike | Iterable[PathLike], include_open: bool = False) -> list[Path]:
    """The files to read: paths as given, directories expanded to their finished WARC files by name (with
    `include_open`, also the `.open` files a crawl is writing or left behind, in their place by name)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    suffixes: tuple[str, ...] = (".warc.gz", ".warc")
    if include_open:
        suffixes += tuple(suffix + OPEN_SUFFIX for suffix in suffixes)
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            found = [p for p in entry.iterdir() if p.name.endswith(suffixes) and p.is_file()]
            files += sorted(found, key=ref_name)
        else:
            files.append(entry)
    return files


def ref_name(path: Path) -> str:
    """The file name a capture reference uses (a file still being written is named as it will be)."""
    return path.name[: -len(OPEN_SUFFIX)] if path.name.endswith(OPEN_SUFFIX) else path.name


def iter_responses(paths: PathLike | Iterable[PathLike]) -> Iterator[CapturedResponse]:
    """Every response record in the files, in file order."""
    for path in warc_files(paths):
        for captured, _ in _iter_file(path):
            yield captured


def load_index(paths: PathLike | Iterable[PathLike]) -> dict[str, CapturedResponse]:
    """Captures keyed by clean URL; a later capture wins, except that a 304 never hides an earlier one."""
    index: dict[str, CapturedResponse] = {}
    for captured in iter_responses(paths):
        key = clean_url(captured.url)
        if captured.status != NOT_MODIFIED or key not in index:
            index[key] = captured
    return index


def load_locations(paths: PathLike | Iterable[PathLike]) -> dict[str, CaptureLocation]:
    """Like `load_index`, but keeps only where each capture is, so bodies are not held in memory."""
    index: dict[str, CaptureLocation] = {}
    for path in warc_files(paths):
        for captured, offset in _iter_file(path):
            key = clean_url(captured.url)
            if captured.status != NOT_MODIFIED or key not in index:
                index[key] = CaptureLocation(path, offset, captured.status)
    return index


def read_record(path: PathLike, offset: int) -> CapturedResponse:
    """The response record that starts at `offset` in `path`."""
    path = Path(path)
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            record = next(iter(ArchiveIterator(fh)))
            parsed = _parse(record)
        except StopIteration:
            raise WarcReadError(path, offset, "no record at this offset") from None
        except WarcReadError:
            raise
        except Exception as exc:  # see _iter_file
            raise WarcReadError(path, offset, f"{exc.__class__.__name__}: {exc}") from exc
        if parsed is None:
            raise WarcReadError(path, offset, "the record at this offset is not an HTTP response")
        _check_complete(record, path, offset)
        return CapturedResponse(*parsed, capture_ref=f"{ref_name(path)}#{offset}", role=_role(record))


def read_capture(capture_ref: str, directories: PathLike | Iterable[PathLike]) -> CapturedResponse:
    """Open a `"<file name>#<offset>"` reference, looking for the file (or its `.open` twin) in `directories`."""
    name, _, offset = capture_ref.rpartition("#")
    if not name or not offset.isdigit():
        raise ValueError(f"not a capture reference: {capture_ref!r}")
    dirs = [directories] if isinstance(directories, (str, Path)) else list(directories)
    for directory in map(Path, dirs):
        for candidate in (directory / name, directory / (name + OPEN_SUFFIX)):
            if candidate.is_file():
                return read_record(candidate, int(offset))
    raise FileNotFoundError(f"{name} is in none of {', '.join(map(str, dirs))}")


def _iter_file(path: Path) -> Iterator[tuple[CapturedResponse, int]]:
    size = path.stat().st_size
    end = last = 0  # end: everything before it was read; last: where the last record read starts
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        records = ArchiveIterator(fh)
        try:
            for record in records:
                parsed = _parse(record)
                _check_complete(record, path, end)
                last, length = records.get_record_offset(), records.get_record_length()
                end = last + length
                if parsed is not None:
                    yield CapturedResponse(*parsed, capture_ref=f"{ref_name(path)}#{last}", role=_role(record)), last
        except WarcReadError:
            raise
        except Exception as exc:
            # warcio reports damage in many ways (zlib.error, EOFError, ArchiveLoadFailed, even AttributeError on
            # a cut-off header); errors raised by whoever consumes the records never reach this handler
            raise WarcReadError(path, end, f"{exc.__class__.__name__}: {exc}") from exc
        fh.seek(end)
        tail = fh.read(1 << 16)  # after the last record only blank lines may follow
    if tail.strip(b"\r\n"):
        raise WarcReadError(path, end, f"{size - end} bytes after the last record are not a readable record")
    if gzipped and end > 0:
        _check_last_member(path, last, size)


def _check_complete(record: Any, path: Path, offset: int) -> None:
    """A record without a Content-Length, or whose block is shorter than it, was cut off."""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if record.length is None or not record.rec_type or (record.format == "warc" and not declared.isdigit()):
        raise WarcReadError(path, offset, "record header cut off (no WARC-Type or Content-Length)")
    stream = record.raw_stream
    stream.read()  # whatever was not read yet
    missing = getattr(stream, "limit", 0)
    if missing:
        raise WarcReadError(path, offset, f"record cut off: {missing} bytes of its block are missing")


def _check_last_member(path: Path, start: int, size: int) -> None:
    """The gzip member of the last record must end properly (a lost trailer means a cut-off file)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read()
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        decompressor.decompress(data)
    except zlib.error as exc:
        raise WarcReadError(path, start, f"broken gzip member: {exc}") from exc
    if not decompressor.eof:
        raise WarcReadError(path, start, f"the last gzip member is cut off at {size}")


def _decode_content(body: bytes, coding: str) -> bytes:
    """Undo one content coding; raises ValueError (or zlib.error) when the bytes are not in it."""
    if coding in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header; a cut-off tail is kept
        return decompressor.decompress(body) + decompressor.flush()
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
    if coding == "br":
        import brotli  # Scrapy's own dependency for br

        return bytes(brotli.decompress(body))
    if coding == "identity":
        return body
    raise ValueError(f"unknown content coding {coding!r}")


def _decode_body(raw: bytes, headers: list[tuple[str, str]]) -> tuple[bytes, set[str]]:
    """The entity with transfer and content codings undone, and the lower-case headers no longer true."""
    fields = {name.lower(): value for name, value in headers}
    body, decoded = raw, {"content-length"}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = ChunkedDataReader(io.BytesIO(raw)).read()  # falls back to the bytes as they are if not chunked
        decoded.add("transfer-encoding")
    codings = [c.strip().lower() for c in fields.get("content-encoding", "").split(",") if c.strip()]
    try:
        for coding in reversed(codings):
            body = _decode_content(body, coding)
    except Exception:  # mislabelled or unknown coding: keep the bytes, and the header that describes them
        return body if not codings else _undo_partial(raw, fields), decoded
    if codings:
        decoded.add("content-encoding")
    return body, decoded


def _undo_partial(raw: bytes, fields: dict[str, str]) -> bytes:
    """The de-chunked bytes when the content coding could not be undone."""
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return bytes(ChunkedDataReader(io.BytesIO(raw)).read())
    return raw


def _role(record: Any) -> str | None:
    return record.rec_headers.get_header(ROLE_FIELD)


def _parse(record: Any) -> tuple[str, int, dict[str, str], bytes, datetime] | None:
    """url, status, headers, decoded body and date of a response record; None for any other record.
    (The record's role is read by the callers with `_role`.)"""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status_code = record.http_headers.get_statuscode()
    if not status_code or not status_code.isdigit():
        return None
    pairs = record.http_headers.headers
    body, decoded = _decode_body(record.raw_stream.read(), pairs)
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in decoded:
            continue
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    headers["content-length"] = str(len(body))
    date = record.rec_headers.get_header("WARC-Date")
    fetched_at = iso_date_to_datetime(date, tz_aware=True) if date else datetime.fromtimestamp(0, timezone.utc)
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    return url, int(status_code), headers, body, fetched_at
