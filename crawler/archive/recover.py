"""Repair WARC files that a writer left `.open`: cut each back to its last whole record and give it its final name.

A writer that died (killed, a full disk it could not recover from) leaves `<name>.warc.gz.open`, maybe with a
half-written record at its end. Its capture references already use the final name, so after the repair they
resolve again, and the file is listed for replay like any other. Only files of writers that are gone are
touched: the file name carries the writer's host name and process id.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from crawler.archive.reader import WarcReadError, iter_responses
from crawler.archive.writer import OPEN_SUFFIX, WARC_SUFFIX, safe_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    path: Path  # the final name
    kept_bytes: int
    cut_bytes: int


def last_whole_record_end(path: Path) -> int:
    """The offset just past the last complete record of `path` (its size when the file is whole)."""
    try:
        for _ in iter_responses(path):
            pass
    except WarcReadError as exc:
        return exc.offset
    return path.stat().st_size


def repair(path: Path) -> Recovered:
    """Cut `path` (a `.open` file) back to its last whole record and rename it to its final name."""
    size = path.stat().st_size
    keep = last_whole_record_end(path)
    if keep < size:
        with open(path, "r+b") as fh:
            fh.truncate(keep)
            os.fsync(fh.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    os.replace(path, final)
    return Recovered(final, keep, size - keep)


def _writer_gone(path: Path, hostname: str) -> bool:
    """True when the file's name says this host wrote it and that process no longer runs."""
    if not path.name.endswith(WARC_SUFFIX + OPEN_SUFFIX):
        return False
    stem = path.name[: -len(WARC_SUFFIX + OPEN_SUFFIX)]  # <prefix>-<stamp>-<counter>-<host>-<pid>
    host_part, _, pid = stem.rpartition("-")
    if not pid.isdigit() or not host_part.endswith("-" + safe_name(hostname)):
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def recover_open_files(directory: Path, hostname: str | None = None) -> list[Recovered]:
    """Repair every `.open` WARC file in `directory` left by a writer of this host that is gone."""
    if not directory.is_dir():
        return []
    host = hostname or socket.gethostname()
    recovered = []
    for path in sorted(directory.glob(f"*{OPEN_SUFFIX}")):
        if not _writer_gone(path, host):
            continue
        try:
            done = repair(path)
        except OSError as exc:
            log.error("could not repair the unfinished WARC file %s: %s", path, exc)
            continue
        log.warning(
            "repaired the unfinished WARC file of a crawl that stopped: %s (%d bytes kept, %d cut)",
            done.path.name,
            done.kept_bytes,
            done.cut_bytes,
        )
        recovered.append(done)
    return recovered
