"""What the crawl pays per page outside extraction, each choice side by side with its plain alternative.

Over the recorded pages in tests/fixtures/pages, in this one process:

* WARC capture: a gzip member of each page body with zlib at level 1 and with ISA-L (`isal`) at level 1
  (what crawler.archive.writer uses): ms per page and bytes.
* Traditional -> Simplified (OpenCC t2s, used for search and matching): the Chinese article texts turned
  Traditional with OpenCC s2t, converted whole and piecewise between punctuation
  (crawler.text.normalise.to_simplified; the outputs are checked to be equal).
* Language detection over the English and German paragraphs: fastText's lid.176 (crawler.text.language) and,
  when it is installed, langdetect (which it replaced): the memory each loads, ms per text, answers agreeing.
* Chinese search vectors: crawler.analyst.chinese.chinese_tsvector, ms per Chinese article text.
* Handing pages to extraction workers: the page bodies sent to 2 worker processes and a small answer back,
  16 at a time as the crawl does, through concurrent.futures.ProcessPoolExecutor (awaited with
  asyncio.wrap_future, as the crawl did) and through crawler.asyncpool: CPU of the calling process (all its
  threads) and its context switches, per page.

Timings are the best of --repeat runs (CPU time). Run: `.venv/bin/python benchmarks/crawl_costs.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import resource
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"


def recorded_pages() -> list[tuple[str, bytes]]:
    """(url, body) of every recorded article page."""
    found = []
    for expected in sorted(PAGES.glob("*/*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        for path in (expected.parent / f"{stem}.html", expected.parent / f"{stem}.html.gz"):
            if path.exists():
                body = path.read_bytes()
                found.append(
                    (json.loads(expected.read_text())["url"], gzip.decompress(body) if path.suffix == ".gz" else body)
                )
    return found


def best_ms(function: Callable[[Any], object], items: Sequence[Any], repeat: int) -> float:
    """Best CPU time over `repeat` passes, in ms per item."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for item in items:
            function(item)
        best = min(best, time.process_time() - started)
    return best / len(items) * 1000


def loaded_mb(statement: str) -> float:
    """RSS growth of a fresh interpreter while it runs `statement` (after importing crawler.extract)."""
    code = (
        "import crawler.extract, gc\n"
        "def rss():\n"
        "    return [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:')][0] / 1024\n"
        f"before = rss()\n{statement}\ngc.collect()\nprint(rss() - before)"
    )
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def body_size(body: bytes) -> int:
    """The workers' job in the pool measurement: tiny, so only the handing over is measured."""
    return len(body)


def caller_cost(bodies: Sequence[bytes], pool_kind: str, concurrency: int = 16) -> tuple[float, float]:
    """(ms of the calling process's CPU, its context switches) per body handed to 2 workers and back."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from crawler.asyncpool import ProcessPool

    async def run() -> tuple[float, float]:
        if pool_kind == "asyncpool":
            pool = ProcessPool(body_size, 2)
            await pool.start()
            submit, close = pool.run, pool.close
        else:
            executor = ProcessPoolExecutor(2, mp_context=get_context("forkserver"))

            async def submit(body: bytes) -> int:
                return await asyncio.wrap_future(executor.submit(body_size, body))

            async def close() -> None:
                executor.shutdown()

        gate = asyncio.Semaphore(concurrency)

        async def one(body: bytes) -> int:
            async with gate:
                return await submit(body)

        await asyncio.gather(*(one(b) for b in bodies[:50]))  # workers started and warm
        before, usage = time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
        answers = await asyncio.gather(*(one(b) for b in bodies))
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = time.process_time() - before
        await close()
        assert answers == [len(b) for b in bodies]
        switches = (after.ru_nvcsw - usage.ru_nvcsw) + (after.ru_nivcsw - usage.ru_nivcsw)
        return cpu / len(bodies) * 1000, switches / len(bodies)

    return asyncio.run(run())


def gzip_member(module: Any, data: bytes) -> bytes:
    compressor = module.compressobj(1, module.DEFLATED, module.MAX_WBITS | 16)
    return bytes(compressor.compress(data) + compressor.flush())


def language_detection_row(latin: list[str], repeat: int) -> tuple[str, str, str, str]:
    """fastText beside langdetect (if installed) on the same paragraphs."""
    from crawler.text.language import ranked_guesses

    fast_mb = loaded_mb("from crawler.text.language import ranked_guesses as r; r('warm up')")
    fast_ms = best_ms(ranked_guesses, latin, repeat)
    fast_cell = f"fastText lid.176: {fast_mb:.0f} MB, {fast_ms:.3f} ms"
    try:
        from langdetect import DetectorFactory, detect
    except ImportError:
        return (f"language detection, {len(latin)} en/de paragraphs", "langdetect not installed", fast_cell, "")
    DetectorFactory.seed = 0
    slow_mb = loaded_mb("from langdetect import detect; detect('warm up text')")
    slow_ms = best_ms(detect, latin, repeat)
    agree = sum(detect(t) == ranked_guesses(t)[0][0] for t in latin) / max(len(latin), 1)
    return (
        f"language detection, {len(latin)} en/de paragraphs",
        f"langdetect: {slow_mb:.0f} MB, {slow_ms:.3f} ms",
        fast_cell,
        f"{slow_ms / fast_ms:.0f}x faster, {agree:.0%} same answers",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="passes per measurement; the best counts (default 5)")
    args = parser.parse_args(argv)

    from isal import isal_zlib

    from crawler.extract import extract
    from crawler.items import PageRejected

    pages = recorded_pages()
    articles = []
    for url, body in pages:
        try:
            articles.append(extract(body, url, {"content-type": "text/html"}))
        except PageRejected:
            continue
    chinese = [a.text for a in articles if (a.language or "").startswith("zh")]
    latin = [  # paragraphs of the English and German articles, as the detector sees them (no CJK letters)
        p
        for a in articles
        if a.language in ("en", "de")
        for p in a.text.split("\n\n")
        if sum(c.isascii() and c.isalpha() for c in p) > 40 and not any("\u3400" <= c <= "\u9fff" for c in p)
    ]
    rows: list[tuple[str, str, str, str]] = []

    bodies = [body for _url, body in pages]
    zlib_ms = best_ms(lambda b: gzip_member(zlib, b), bodies, args.repeat)
    isal_ms = best_ms(lambda b: gzip_member(isal_zlib, b), bodies, args.repeat)
    zlib_bytes = sum(len(gzip_member(zlib, b)) for b in bodies)
    isal_bytes = sum(len(gzip_member(isal_zlib, b)) for b in bodies)
    assert all(gzip.decompress(gzip_member(isal_zlib, b)) == b for b in bodies)
    size = sum(map(len, bodies)) // len(bodies) // 1024
    rows.append(
        (
            f"WARC gzip member ({len(bodies)} pages, {size} KB avg)",
            f"zlib 1: {zlib_ms:.3f} ms",
            f"ISA-L 1: {isal_ms:.3f} ms",
            f"{zlib_ms / isal_ms:.1f}x faster, {isal_bytes / zlib_bytes:.2f}x the bytes",
        )
    )

    from opencc import OpenCC

    from crawler.text import normalise

    whole = normalise._t2s()
    triggers = normalise._t2s_triggers() or frozenset()
    cases = [
        ("Traditional texts (s2t of the Chinese articles)", [OpenCC("s2t").convert(text) for text in chinese]),
        ("Simplified texts with a character t2s may change", [t for t in chinese if not triggers.isdisjoint(t)]),
    ]
    for label, texts in cases:
        if not texts:
            continue
        assert all(normalise.to_simplified(t) == whole.convert(t) for t in texts)
        whole_ms = best_ms(whole.convert, texts, args.repeat)
        piece_ms = best_ms(normalise.to_simplified, texts, args.repeat)
        rows.append(
            (
                f"t2s, {len(texts)} {label}",
                f"whole: {whole_ms:.2f} ms",
                f"piecewise: {piece_ms:.2f} ms",
                f"{whole_ms / piece_ms:.1f}x faster, same output",
            )
        )

    rows.append(language_detection_row(latin, args.repeat))

    from crawler.analyst.chinese import chinese_tsvector

    vector_ms = best_ms(chinese_tsvector, chinese, args.repeat)
    chars = sum(map(len, chinese)) // len(chinese)
    rows.append((f"Chinese search vector, {len(chinese)} texts ({chars} chars avg)", f"{vector_ms:.3f} ms", "", ""))

    many = [bodies[n % len(bodies)] for n in range(2000)]
    executor_ms, executor_switches = min(caller_cost(many, "executor") for _ in range(max(args.repeat // 2, 1)))
    asyncpool_ms, asyncpool_switches = min(caller_cost(many, "asyncpool") for _ in range(max(args.repeat // 2, 1)))
    rows.append(
        (
            f"pages to 2 workers and back ({len(many)} bodies, 16 at a time), caller per page",
            f"ProcessPoolExecutor: {executor_ms:.3f} ms, {executor_switches:.1f} switches",
            f"asyncpool: {asyncpool_ms:.3f} ms, {asyncpool_switches:.1f} switches",
            f"{executor_ms / asyncpool_ms:.1f}x less CPU",
        )
    )

    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
