"""Time and memory of `newscrawl link --rebuild` at two corpus sizes, side by side in one run.

`.venv/bin/python benchmarks/link_scale.py --articles 30000,300000 [--data DIR] [--server URL]`

For each size: a throw-away database on the server (TEST_DATABASE_URL, default
postgresql://root@127.0.0.1:5432/test; dropped at the end, whatever happens), a synthetic zh/en/de corpus
(`linking_data.synthetic_corpus`, 1,500 articles a day, real sentences from DATA) written through the real store,
stored embeddings (`--embeddings synthetic`: random unit vectors under the encoder's model tag, so the rebuild
reads them per window and never runs the encoder; `none`: anchors only), then the real command
`newscrawl link --rebuild` in a child process, twice: `first` computes and stores every signature, `again` finds
everything stored (a nightly rebuild). Printed per run: seconds, ms per article, peak RSS of the command's process
tree, and the per-article ratio against the first size. `--at-once` also runs the previous whole-corpus rebuild
(`run.link_all_at_once`) on each size. `--encode N` measures first-time encoding: N articles through the encoder
at several batch sizes and worker counts (ms per article).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linking_data import DEFAULT_DATA_DIR, synthetic_corpus, use_data_dir

from crawler.config import normalise_database_url
from crawler.items import Article, Segment
from crawler.linking import db as link_db
from crawler.linking import encoder as encoder_mod
from crawler.store import migrate
from crawler.store.database import Store

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"
HOSTS = 12
STORE_BATCH = 1000


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    admin = make_url(normalise_database_url(server))
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"newscrawl_linkscale_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def load_corpus(url: str, count: int, embeddings: str) -> float:
    """Store `count` synthetic articles (and their stored embeddings); returns articles stored per second."""
    store = Store(url)
    store.seed_sources()
    started = time.perf_counter()
    corpus = synthetic_corpus(count)
    for start in range(0, len(corpus), STORE_BATCH):
        batch = [
            Article(url=f"https://news{a.id % HOSTS}.example.org/{a.published_at:%Y/%m/%d}/story-{a.id}.html",
                    text=a.text, title=a.text[:40], language=a.language, segments=[Segment(a.language, a.text)],
                    published_at=a.published_at, extractor_version="scale")
            for a in corpus[start : start + STORE_BATCH]
        ]
        store.store_articles(batch)
    rate = count / (time.perf_counter() - started)
    if embeddings == "synthetic":
        rng = np.random.default_rng(3)
        with store.sessions.begin() as session:
            hashes = dict(session.execute(text("SELECT id, content_hash FROM articles ORDER BY id")).all())
            ids = list(hashes)
            for start in range(0, len(ids), STORE_BATCH):
                chunk = ids[start : start + STORE_BATCH]
                matrix = rng.standard_normal((len(chunk), encoder_mod.DIM)).astype(np.float32)
                matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
                link_db.write_embeddings(session, dict(zip(chunk, matrix, strict=True)), encoder_mod.model_tag(),
                                         hashes)
    store.dispose()
    return rate


def run_measured(command: Sequence[str], url: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the process and its children, last line of output) of a child process."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env["DATABASE_URL"] = url
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {output[-2000:]}")
    lines = [line for line in output.splitlines() if line.strip()]
    return seconds, usage.ru_maxrss / 1024, lines[-1] if lines else ""


AT_ONCE = ("from crawler.linking.run import link_all_at_once; from crawler.store.database import Store; "
           "import os; s = Store(os.environ['DATABASE_URL']); print(link_all_at_once(s, use_encoder={enc}).summary())")


def measure_size(
    server: str, count: int, embeddings: str, at_once: bool, runs: Sequence[str]
) -> list[tuple[str, float, float, str]]:
    rows = []
    with throwaway_database(server) as url:
        migrate.upgrade(url)
        rate = load_corpus(url, count, embeddings)
        print(f"  {count} articles stored at {rate:.0f} articles/s", flush=True)
        link = [sys.executable, "-m", "crawler.cli", "link", "--rebuild"]
        if embeddings == "none":
            link.append("--no-encoder")
        for label in runs:
            seconds, rss, summary = run_measured(link, url)
            rows.append((f"streamed, {label}", seconds, rss, summary))
            print(f"  {label}: {seconds:.1f} s, peak {rss:.0f} MB: {summary[:160]}", flush=True)
        if at_once:
            code = AT_ONCE.format(enc=embeddings != "none")
            seconds, rss, summary = run_measured([sys.executable, "-c", code], url)
            rows.append(("at once (before)", seconds, rss, summary))
            print(f"  at once: {seconds:.1f} s, peak {rss:.0f} MB: {summary[:160]}", flush=True)
    return rows


def encode_throughput(count: int) -> None:
    """First-time encoding cost, ms per article, of the two forms of the model side by side: the static form
    (default; its table rows are computed as pieces are first met, so its first pass pays for them) and the
    full model (a convolutional encoder whose cost follows the tokens it reads), on one and two processes."""
    if not encoder_mod.available():
        print("encoder not installed: no encoding figures")
        return
    corpus = synthetic_corpus(count)
    texts, languages = [a.text for a in corpus], [a.language for a in corpus]
    print(f"\n== first-time encoding, {count} synthetic articles ==")
    print(f"{'form':<8}{'pass':<22}{'workers':>8}{'budget':>8}{'ms/article':>12}")
    try:
        for form, label, workers in (("static", "first (table filled)", 1), ("static", "again", 1),
                                     ("full", "first", 1), ("full", "first", 2)):
            encoder_mod.select(form)
            if form == "full":
                encoder_mod.embed(texts[:8], languages=languages[:8], workers=1)  # weights loaded
            else:
                encoder_mod.get_encoder()  # weights loaded, no table row yet
            started = time.perf_counter()
            encoder_mod.embed(texts, languages=languages, workers=workers)
            per = (time.perf_counter() - started) / count * 1000
            print(f"{form:<8}{label:<22}{workers:>8}{encoder_mod.max_chars():>8}{per:>12.2f}", flush=True)
    finally:
        encoder_mod.select(encoder_mod.DEFAULT_ENCODER)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="30000,300000", help="two (or more) corpus sizes, comma-separated")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR",
                        help="shared data folder with parallel/, pages/, seeds/ (default: %(default)s)")
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER,
                        help="PostgreSQL server to create the throw-away databases on (default: %(default)s)")
    parser.add_argument("--embeddings", choices=("synthetic", "none"), default="synthetic",
                        help="stored embeddings: random unit vectors, or none (anchors only)")
    parser.add_argument("--runs", default="first,again", help="rebuilds per size: first (signatures computed), "
                        "again (everything stored); default: %(default)s")
    parser.add_argument("--at-once", action="store_true", help="also run the previous whole-corpus rebuild")
    parser.add_argument("--encode", type=int, default=0, metavar="N", help="measure encoding of N articles")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))  # so the databases are dropped
    try:
        sizes = [int(x) for x in args.articles.split(",") if x.strip()]
        if (not sizes and not args.encode) or (sizes and min(sizes) < 100):
            raise ValueError
    except ValueError:
        print(f"link_scale: --articles {args.articles!r}: give sizes of 100 or more, e.g. 30000,300000",
              file=sys.stderr)
        return 2
    try:
        use_data_dir(args.data)
    except FileNotFoundError as exc:
        print(f"link_scale: {exc}", file=sys.stderr)
        return 2
    if not sizes:  # --articles "" --encode N: encoding only
        encode_throughput(args.encode)
        return 0
    results: dict[int, list[tuple[str, float, float, str]]] = {}
    for size in sizes:
        print(f"size {size}:", flush=True)
        results[size] = measure_size(args.server, size, args.embeddings, args.at_once, args.runs.split(","))
    print(f"\n== newscrawl link --rebuild (embeddings: {args.embeddings}; per-article ratio against {sizes[0]}) ==")
    print(f"{'run':<20}" + "".join(f"{f'{n} articles':>36}" for n in sizes))
    base = {label: seconds / sizes[0] for label, seconds, _rss, _s in results[sizes[0]]}
    for index, (label, *_rest) in enumerate(results[sizes[0]]):
        cells = []
        for size in sizes:
            _label, seconds, rss, _summary = results[size][index]
            per = seconds / size * 1000
            cells.append(f"{seconds:7.1f} s {per:5.2f} ms/a x{per / 1000 / base[label]:4.2f} {rss:5.0f} MB")
        print(f"{label:<20}" + "".join(f"{c:>36}" for c in cells))
    if args.encode:
        encode_throughput(args.encode)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
