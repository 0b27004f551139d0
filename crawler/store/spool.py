"""The spool: articles that could not be stored go to JSON-lines files, to be replayed later.

Nothing is lost silently: when the database is unreachable or a batch fails, the pipeline writes
the batch here and says so; `newscrawl db replay-spool` stores the files and moves each one that
loaded completely into `done/`. Lines that cannot be read are copied to `<file>.rejected`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crawler.items import Article

log = logging.getLogger(__name__)

SPOOL_FORMAT = 1


class SpoolWriter:
    """Appends article batches to one spool file per writer (created on first write)."""

    def __init__(self, directory: Path, label: str = "crawl") -> None:
        self.directory = directory
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
        self.path = directory / f"{stamp}-{safe}-{socket.gethostname()}-{os.getpid()}.jsonl"
        self.count = 0

    def write(self, articles: Iterable[Article], reason: str) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        written = 0
        with self.path.open("a", encoding="utf-8") as out:
            for article in articles:
                record = {"format": SPOOL_FORMAT, "kind": "article", "reason": reason, "data": article.to_dict()}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
            out.flush()
            os.fsync(out.fileno())
        self.count += written
        return written


def spool_files(directory: Path) -> list[Path]:
    """Pending spool files, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.jsonl") if p.is_file())


def read_spool(path: Path) -> Iterator[tuple[int, Article | None, str]]:
    """Yield (line number, article or None, raw line) for every non-blank line of a spool file."""
    with path.open(encoding="utf-8") as src:
        for number, line in enumerate(src, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if record.get("format") != SPOOL_FORMAT or record.get("kind") != "article":
                    raise ValueError(f"unsupported spool record {record.get('format')!r}/{record.get('kind')!r}")
                yield number, Article.from_dict(record["data"]), line
            except (ValueError, KeyError, TypeError) as exc:
                log.error("%s:%d: unreadable spool line: %s", path, number, exc)
                yield number, None, line


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
                rejected.append({"reason": reason, "data": article.to_dict()})
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
        except Exception as exc:  # keep the file; report after trying the others
            log.error("replaying %s failed, the file stays in the spool: %s", path, exc)
            result.failed_files.append(path)
            first_error = first_error or exc
            continue
        result.stored += stored_here
        if rejected:
            result.rejected += len(rejected)
            with path.with_suffix(".jsonl.rejected").open("a", encoding="utf-8") as out:
                for record in rejected:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        done_dir.mkdir(parents=True, exist_ok=True)
        path.rename(done_dir / path.name)
    if first_error is not None:
        raise SpoolReplayError(result, first_error)
    return result


class SpoolReplayError(RuntimeError):
    def __init__(self, result: ReplayResult, cause: Exception) -> None:
        self.result = result
        files = ", ".join(str(p) for p in result.failed_files)
        super().__init__(f"{len(result.failed_files)} spool file(s) could not be stored ({files}): {cause}")
