"""The spool: articles that could not be stored go to JSON-lines files, to be replayed later.

Nothing is lost silently: when the database is unreachable or goes away, the pipeline writes the batch
here (one file per batch, written atomically) and says so; `newscrawl db replay-spool` stores the files and
moves each one that loaded completely into `done/`. Articles the database refuses (bad data, which no
retry fixes) and lines that cannot be read are set aside with their reason in `*.jsonl.rejected` files.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crawler.items import Article
from crawler.text.clean import clean_article, clean_text

log = logging.getLogger(__name__)

SPOOL_FORMAT = 1


class SpoolWriter:
    """Writes each article batch to a spool file of its own, atomically (temporary file, fsync, rename).

    A batch is either wholly in the spool or not at all: a full disk or a crash mid-write leaves no
    half-written file behind (only a `.tmp` file, which is never replayed and is removed at once when the
    write fails). `count` is the number of articles in files that were written; `paths` lists them.
    """

    def __init__(self, directory: Path, label: str = "crawl") -> None:
        self.directory = directory
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
        self.stem = f"{stamp}-{safe}-{socket.gethostname()}-{os.getpid()}"
        self.count = 0
        self.rejected_count = 0
        self.paths: list[Path] = []
        self._files = itertools.count(1)

    @property
    def path(self) -> Path:
        """The name pattern of this writer's files (for messages)."""
        return self.directory / f"{self.stem}-*.jsonl"

    def write(self, articles: Iterable[Article], reason: str) -> int:
        """Spool `articles` as one new file; returns how many. Raises OSError (nothing written) on failure."""
        lines = [_record_line(article, reason) for article in articles]
        if not lines:
            return 0
        path = self.directory / f"{self.stem}-{next(self._files):05d}.jsonl"
        write_atomically(path, lines)
        self.paths.append(path)
        self.count += len(lines)
        return len(lines)

    def write_rejected(self, refused: Sequence[tuple[Article, str]]) -> int:
        """Set aside articles the database refused, each with its reason, in a `.jsonl.rejected` file (never
        replayed by itself; rename it to `.jsonl` to try again after a fix). Raises OSError on failure."""
        lines = [_record_line(article, reason) for article, reason in refused]
        if not lines:
            return 0
        write_atomically(self.directory / f"{self.stem}-{next(self._files):05d}{REJECTED_SUFFIX}", lines)
        self.rejected_count += len(lines)
        return len(lines)


REJECTED_SUFFIX = ".jsonl.rejected"


def _record_line(article: Article, reason: str) -> str:
    record = {
        "format": SPOOL_FORMAT,
        "kind": "article",
        "reason": clean_text(reason),
        "data": clean_article(article).to_dict(),
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_atomically(path: Path, lines: Sequence[str]) -> None:
    """Write `lines` to `path` through `<path>.tmp`, fsync and rename; on any error remove the temporary
    file and raise, leaving `path` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with temporary.open("wb") as out:
            out.write("".join(lines).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def spool_files(directory: Path) -> list[Path]:
    """Pending spool files, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.jsonl") if p.is_file())


def read_spool(path: Path) -> Iterator[tuple[int, Article | None, str]]:
    """Yield (line number, article or None, raw line) for every non-blank line of a spool file.

    A line that is not valid UTF-8 or JSON (a torn last line of a file written by an older version, a
    damaged block) yields None and does not stop the lines after it.
    """
    with path.open("rb") as src:
        for number, raw in enumerate(src, start=1):
            line = raw.decode("utf-8", "backslashreplace")
            if not line.strip():
                continue
            try:
                if not raw.endswith(b"\n"):
                    raise ValueError("the last line is cut off (torn write)")
                record = json.loads(raw.decode("utf-8"))
                if record.get("format") != SPOOL_FORMAT or record.get("kind") != "article":
                    raise ValueError(f"unsupported spool record {record.get('format')!r}/{record.get('kind')!r}")
                yield number, Article.from_dict(record["data"]), line
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                log.error("%s:%d: unreadable spool line: %s", path, number, exc)
                yield number, None, line


def pending_articles(directory: Path) -> int:
    """How many spooled records wait in `directory` (non-blank lines of its pending files)."""
    total = 0
    for path in spool_files(directory):
        with path.open("rb") as src:
            total += sum(1 for raw in src if raw.strip())
    return total


@dataclass
class ReplayResult:
    files: int = 0
    stored: int = 0
    rejected: int = 0
    failed_files: list[Path] = field(default_factory=list)


BatchStorer = Callable[[Sequence[Article]], tuple[object, list[tuple[Article, str]]]]


def replay_spool(directory: Path, store_batch: BatchStorer, batch_size: int = 200) -> ReplayResult:
    """Store every pending spool file through `store_batch` (one transaction per call).

    `store_batch` returns (anything, [(article, reason) it refused]); refused articles and unreadable
    lines are set aside in `<file>.rejected` with their reason. A file is moved to `done/` once all
    its batches went through; a file whose storing raised (database gone) stays in place — the
    upserts are idempotent, so replaying it again later is safe — and the error is raised after the
    other files were tried.
    """
    result = ReplayResult()
    done_dir = directory / "done"
    first_error: Exception | None = None
    for path in spool_files(directory):
        result.files += 1
        rejected: list[dict[str, object]] = []
        stored_here = 0

        def store(batch: list[Article], rejected: list[dict[str, object]] = rejected) -> int:
            _, refused = store_batch(batch)
            for article, reason in refused:
                rejected.append(json.loads(_record_line(article, reason)))
            return len(batch) - len(refused)

        try:
            batch: list[Article] = []
            for number, article, raw in read_spool(path):
                if article is None:
                    rejected.append({"reason": f"unreadable line {number}", "line": raw.rstrip("\n")})
                    continue
                batch.append(article)
                if len(batch) >= batch_size:
                    stored_here += store(batch)
                    batch = []
            if batch:
                stored_here += store(batch)
            if rejected:
                _set_aside(path.with_name(path.name[: -len(".jsonl")] + REJECTED_SUFFIX), rejected)
        except Exception as exc:  # keep the file; report after trying the others
            log.error("replaying %s failed, the file stays in the spool: %s", path, exc)
            result.failed_files.append(path)
            first_error = first_error or exc
            continue
        result.stored += stored_here
        result.rejected += len(rejected)
        done_dir.mkdir(parents=True, exist_ok=True)
        path.rename(done_dir / path.name)
    if first_error is not None:
        raise SpoolReplayError(result, first_error)
    return result


def _set_aside(target: Path, records: list[dict[str, object]]) -> None:
    """Add `records` to the `.rejected` file `target` (atomically: its old lines, then these)."""
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    if target.exists():
        lines.insert(0, target.read_text(encoding="utf-8", errors="backslashreplace").rstrip("\n") + "\n")
    write_atomically(target, lines)


class SpoolReplayError(RuntimeError):
    def __init__(self, result: ReplayResult, cause: Exception) -> None:
        self.result = result
        files = ", ".join(str(p) for p in result.failed_files)
        super().__init__(f"{len(result.failed_files)} spool file(s) could not be stored ({files}): {cause}")
