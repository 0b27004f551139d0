"""Extraction quality and cost on the development set, ours beside its peers in one run.

The data folder (default `../shared/dev/extraction`, outside the repository) holds public pages with human
gold text from several published datasets; its README names them. Pages with full gold text are scored
with bag-of-tokens F1 (characters for CJK, words otherwise: `crawler.extract.evaluation.bag_score`);
snippet-gold pages (trafilatura's evaluation set) with the share of `with` snippets found and `without`
snippets avoided, as F1. CPU per page is the extractor's own process time, measured page by page in the
same process, so the ratios between extractors hold on a busy machine.
"""

from __future__ import annotations

import ast
import contextlib
import cProfile
import gzip
import json
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from peers import available
from script_swap import LATIN_LANGUAGES, rewrite_page, text_rewriter

from crawler.extract.evaluation import bag_score
from crawler.items import PageRejected

DEFAULT_DEV = Path(__file__).resolve().parent.parent.parent / "shared/dev/extraction"
# Dragnet's gold separates an article from its readers' comments with this marker line. The data's README defines
# a dragnet_en record's `text` as the text before it (the comments go in `comments`), but 22 records still hold the
# marker and the comments after it: the gold is read up to the marker, as the README defines it.
COMMENTS_MARKER = "!@#$%^&*()"
PLACEHOLDER_HOST = "http://dev-page.invalid/"


@dataclass
class PageResult:
    """One page's outcome for every extractor: F1 (None when rejected), CPU seconds, rejection reason."""

    page_id: str
    subset: str
    lang: str
    f1: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    comments_cut: bool = False  # the gold held Dragnet's comments marker, and was read up to it


def _snippets(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        return [str(v) for v in ast.literal_eval(value)]
    return []


def _squash(text: str) -> str:
    return " ".join(text.split())


def snippet_f1(text: str, with_: list[str], without: list[str]) -> float | None:
    """F1 of found `with` snippets against surviving `without` snippets (whitespace-insensitive)."""
    flat = _squash(text)
    tp = sum(_squash(s) in flat for s in with_)
    fn = len(with_) - tp
    fp = sum(_squash(s) in flat for s in without)
    if tp + fn + fp == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def gold_text(record: dict[str, Any]) -> str:
    """A full-text record's gold main text: up to Dragnet's comments marker, when it holds one."""
    gold = record.get("text") or ""
    at = gold.find(COMMENTS_MARKER)
    return gold if at < 0 else gold[:at]


def score(text: str, record: dict[str, Any]) -> float | None:
    """The page's score for an extracted text, by its gold type."""
    if record.get("gt_type") == "snippets":
        return snippet_f1(text, _snippets(record.get("with")), _snippets(record.get("without")))
    gold = gold_text(record)
    return bag_score(text, gold).f1 if gold.strip() else None


def _run_page(job: tuple[str, dict[str, Any], bytes]) -> PageResult:
    page_id, record, body = job
    url = record.get("url") or PLACEHOLDER_HOST + page_id
    result = PageResult(page_id, record["subset"], record["lang"])
    result.comments_cut = COMMENTS_MARKER in (record.get("text") or "")
    extractors, _notes = available()
    for name, run in extractors.items():
        start = time.process_time()
        try:
            text = run(body, url)
        except PageRejected as exc:
            text, result.rejected[name] = "", exc.reason
        except Exception as exc:  # a peer's crash scores as an empty extraction, and is listed
            text, result.errors[name] = "", f"{type(exc).__name__}: {exc}"
        result.cpu[name] = time.process_time() - start
        value = score(text, record)
        if value is not None:
            result.f1[name] = value
    return result


def _in_script(record: dict[str, Any], body: bytes, script: str) -> tuple[dict[str, Any], bytes]:
    """A Latin-script page and its gold rewritten letter for letter into `script` (see script_swap)."""
    rewrite = text_rewriter(script)
    record = dict(record, lang=f"{record['lang']}-{script}")
    if record.get("text"):
        record["text"] = rewrite(record["text"])
    for key in ("with", "without"):
        if key in record:
            record[key] = [rewrite(s) for s in _snippets(record[key])]
    return record, rewrite_page(body, script)


def _jobs(
    folder: Path, only: set[str] | None, limit: int | None, script: str | None = None
) -> Iterable[tuple[str, dict[str, Any], bytes]]:
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    picked = 0
    for page_id, record in sorted(truth.items()):
        if only and record["subset"] not in only and record["lang"] not in only:
            continue
        if script and record["lang"] not in LATIN_LANGUAGES:
            continue
        if limit is not None and picked >= limit:
            return
        picked += 1
        body = gzip.decompress((folder / record["file"]).read_bytes())
        if script:
            record, body = _in_script(record, body, script)
        yield page_id, record, body


def evaluate(
    folder: Path, jobs: int = 2, only: set[str] | None = None, limit: int | None = None, script: str | None = None
) -> list[PageResult]:
    """Every page of the dev set through every available extractor (its Latin-script pages rewritten into
    `script` alone, when one is given)."""
    if not (folder / "ground_truth.json").exists():
        raise SystemExit(
            f"no development set at {folder} (ground_truth.json missing): pass --dev DIR, the folder "
            "shared/dev/extraction that ships beside the repository"
        )
    work = _jobs(folder, only, limit, script)
    if jobs <= 1:
        return [_run_page(job) for job in work]
    with Pool(jobs, maxtasksperchild=200) as pool:
        return list(pool.imap(_run_page, work, chunksize=4))


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f}" if values else "-"


def report(results: list[PageResult], names: list[str]) -> list[str]:
    """The table: F1 per language and per subset, pages rejected, CPU per page and its ratio to trafilatura."""
    groups: dict[str, list[PageResult]] = defaultdict(list)
    for r in results:
        groups[f"lang:{r.lang}"].append(r)
        groups[f"  {r.subset}/{r.lang}"].append(r)
        groups["ALL"].append(r)
    order = sorted(k for k in groups if k.startswith("lang:"))
    for lang_key in order[:]:
        lang = lang_key.split(":")[1]
        subs = sorted(k for k in groups if k.startswith("  ") and k.endswith("/" + lang))
        order[order.index(lang_key) + 1 : order.index(lang_key) + 1] = subs
    order.append("ALL")
    head = f"{'group':30} {'pages':>5} " + " ".join(f"{n:>12}" for n in names) + "   best peer"
    lines = ["F1 (mean over pages; snippet-gold pages by snippet F1)", head, "-" * len(head)]
    for key in order:
        rows = groups[key]
        means = {n: [r.f1[n] for r in rows if n in r.f1] for n in names}
        cells = " ".join(f"{_mean(means[n]):>12}" for n in names)
        peers = {n: statistics.fmean(v) for n, v in means.items() if n != "ours" and v}
        best = max(peers, key=peers.__getitem__) if peers else "-"
        lines.append(f"{key:30} {len(rows):>5} {cells}   {best}")
    cut = sum(r.comments_cut for r in results)
    if cut:
        lines.append(f"gold read up to Dragnet's comments marker on {cut} pages (the data README: comments are "
                     "not the article's text)")
    lines.append("")
    lines.append("pages rejected or failed (non-empty gold): " + ", ".join(
        f"{n} {sum(1 for r in results if n in r.rejected or n in r.errors)}" for n in names
    ))
    cpu = {n: sum(r.cpu.get(n, 0.0) for r in results) / max(len(results), 1) for n in names}
    base = cpu.get("trafilatura") or 1.0
    lines.append("CPU per page: " + ", ".join(f"{n} {cpu[n] * 1000:.1f} ms ({cpu[n] / base:.2f}x trafilatura)"
                                              for n in names))
    if "ours" in names and "trafilatura" in names:  # the bound holds per kind of page, not only on the mix
        by_lang: dict[str, list[PageResult]] = defaultdict(list)
        for r in results:
            by_lang[r.lang].append(r)
        ratios = []
        for lang, rows in sorted(by_lang.items()):
            theirs = sum(r.cpu.get("trafilatura", 0.0) for r in rows) or 1.0
            ratios.append(f"{lang} {sum(r.cpu.get('ours', 0.0) for r in rows) / theirs:.2f}x")
        lines.append("CPU per page, ours as a multiple of trafilatura's, by language: " + ", ".join(ratios))
    return lines


# The bar on the overall mean F1, and the change of a page's score below which two runs count as equal.
F1_BAR = 0.95
CHANGE_EPSILON = 0.0005


def page_sum_line(results: list[PageResult], name: str = "ours") -> str:
    """The sum of `name`'s per-page F1 (page-points) against what a mean of F1_BAR needs: the bar's margin."""
    scores = [r.f1[name] for r in results if name in r.f1]
    needed = F1_BAR * len(scores)
    return (f"{name}: {sum(scores):.2f} page-points over {len(scores)} scored pages; a mean of {F1_BAR} needs "
            f"{needed:.2f} (margin {sum(scores) - needed:+.2f})")


def diff_lines(results: list[PageResult], saved: list[dict[str, Any]], name: str = "ours") -> list[str]:
    """Page by page, `name`'s F1 now against a run saved with --save: the pages that moved by more than
    CHANGE_EPSILON, worst first, and the net change in page-points (how the benchmark's rule changes are judged)."""
    before = {str(r["page_id"]): r.get("f1", {}).get(name) for r in saved}
    moved: list[tuple[float, str, float, float]] = []
    net = 0.0
    for r in results:
        old, new = before.get(r.page_id), r.f1.get(name)
        if old is None or new is None:
            continue
        net += new - old
        if abs(new - old) > CHANGE_EPSILON:
            moved.append((new - old, r.page_id, old, new))
    moved.sort()
    lines = [f"{delta:+.4f}  {old:.3f} -> {new:.3f}  {page_id}" for delta, page_id, old, new in moved]
    up = sum(d for d, *_ in moved if d > 0)
    down = sum(d for d, *_ in moved if d < 0)
    missing = sum(1 for r in results if r.page_id not in before)
    lines.append(f"against the saved run: {len(moved)} pages moved, net {net:+.4f} page-points "
                 f"(up {up:+.3f}, down {down:+.3f}){f'; {missing} pages not in it' if missing else ''}")
    return lines


def rejected_lines(results: list[PageResult]) -> list[str]:
    """Our rejections and crashes, one line each."""
    out = []
    for r in results:
        if "ours" in r.rejected:
            out.append(f"  rejected {r.page_id}: {r.rejected['ours']}")
        if "ours" in r.errors:
            out.append(f"  crashed {r.page_id}: {r.errors['ours']}")
    return out


# The stages of `crawler.extract.extract` whose share of its time --profile prints: (label, file suffix, function).
STAGES = (
    ("trafilatura (its extraction and our reading of its XML)", "crawler/extract/body.py", "trafilatura_paragraphs"),
    ("readability's second opinion and the consensus", "crawler/extract/consensus.py", "consensus"),
    ("metadata", "crawler/extract/metadata.py", "extract_metadata"),
    ("  of which htmldate", "htmldate/core.py", "find_date"),
    ("language per paragraph", "crawler/text/language.py", "segment_by_language"),
    ("always-dropped markup (scripts, forms, hidden nodes)", "crawler/extract/body.py", "drop_always_dropped"),
    ("parsing", "crawler/extract/core.py", "parse_html"),
    ("decoding", "crawler/extract/decode.py", "decode_body"),
    ("normalising paragraphs", "crawler/extract/core.py", "_normalised"),
)


def profile_ours(
    folder: Path, only: set[str] | None = None, limit: int | None = None, script: str | None = None
) -> list[str]:
    """Our extractor over the pages in this one process under cProfile: each stage's share of its time."""
    from crawler.extract import extract

    pages = [(record.get("url") or PLACEHOLDER_HOST + page_id, body) for page_id, record, body in
             _jobs(folder, only, limit, script)]

    def run() -> None:
        for url, body in pages:
            with contextlib.suppress(PageRejected):
                extract(body, url)

    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = next(ct for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.items()
                 if name == "extract" and file.endswith("crawler/extract/core.py"))
    lines = [f"where the time of crawler.extract.extract goes ({len(pages)} pages, cProfile, cumulative):"]
    for label, suffix, function in STAGES:
        spent = sum(ct for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.items()
                    if name == function and file.endswith(suffix))
        lines.append(f"  {label:58} {spent / total:6.1%}")
    return lines
