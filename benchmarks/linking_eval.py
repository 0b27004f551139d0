"""Quality and cost of the syndication linker, printed: `.venv/bin/python benchmarks/linking_eval.py [--quick]`.

Reads the team's shared data folder, which is not part of the repository: `--data DIR`, default `../shared`
beside the repository (its parallel/, pages/ and seeds/).

1. Translations: WMT document pairs (read from DATA/parallel) in a pool with distractors (the other
   documents, plus non-news WMT documents); precision/recall/F1 of `translates` links per language pair,
   with and without the encoder.
2. Near-duplicates: aggregator-style copies of the recorded articles (DATA/pages, DATA/seeds) and
   same-topic distractors; precision/recall of `republishes` links.
3. Dev news (`--dev-parallel`, default ../shared/dev/parallel: WMT newstest2020/2021 zh-en, en-zh, de-en,
   en-de news documents with document ids, none of them used by the linker's tests): one pool per language
   pair in which half the documents have no partner (only one side is in the pool), several random
   arrangements; precision/recall per translation direction, with the encoder and anchors only.
4. Excerpts: a copy that keeps only 20/30/40 % of its original (a run of its paragraphs), found or not; false
   links among same-topic texts and templated short texts.
5. Cost: the whole pure linker over synthetic corpora of growing size; seconds and the growth ratio.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linking_data import (
    BOILERPLATE,
    DEFAULT_DATA_DIR,
    DEV_PARALLEL,
    PER_DAY,
    EvalArticle,
    aggregator_copy,
    dev_parallel_documents,
    filler_paragraphs,
    parallel_documents,
    real_articles,
    synthetic_corpus,
    topic_distractor,
    use_data_dir,
)

from crawler.linking import encoder as encoder_mod
from crawler.linking.engine import (
    SigDoc,
    embed_docs,
    neardup_stage,
    prepare,
    translation_stage,
)
from crawler.linking.model import LinkDoc, Proposal, merge
from crawler.linking.shingles import Signature, hashed, shingle_hashes, shingles, signature_of
from crawler.linking.stream import NEARDUP_WINDOW, NearDupStream, in_blocks, stream_translations
from crawler.linking.translation import WINDOW

TARGETS = {"translation": (0.95, 0.90), "near_duplicate": (0.98, 0.95)}
START = datetime(2024, 3, 1, tzinfo=timezone.utc)
WORKERS = 2


def prf(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _unordered(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for a, b in pairs}


def translation_eval(use_encoder: bool, news_only: bool) -> list[tuple[str, int, int, float, float, float, int]]:
    """Per language pair: true pairs, links found, precision, recall, F1, and links the day-by-day streaming
    rebuild (`stream.stream_translations`) makes differently."""
    rng = random.Random(11)
    rows = []
    all_pairs = parallel_documents(news_only=False)
    for lang_pair, pairs in parallel_documents(news_only=news_only).items():
        docs: list[LinkDoc] = []
        truth: set[tuple[int, int]] = set()
        kept_ids = {p[0].doc_id for p in pairs}
        for a, b in pairs:
            day = START + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            ia, ib = len(docs), len(docs) + 1
            docs.append(LinkDoc(ia, a.text, a.language, day))
            docs.append(LinkDoc(ib, b.text, b.language, day + timedelta(hours=rng.randint(1, 30))))
            truth.add((ia, ib))
        # distractors: one side only of documents outside the evaluated set (no true partner in the pool)
        for a, b in all_pairs[lang_pair]:
            if a.doc_id in kept_ids:
                continue
            side = a if rng.random() < 0.5 else b
            docs.append(LinkDoc(len(docs), side.text, side.language, START + timedelta(days=rng.randint(0, 20))))
        vectors = embed_docs(docs) if use_encoder else {}
        found = translation_stage(docs, docs, use_encoder=use_encoder, vectors=vectors)
        pairs_found = _unordered({(p.copy_id, p.original_id) for p in found if p.original_id is not None})
        streamed = stream_translations(docs, vectors)
        streamed_pairs = _unordered({(p.copy_id, p.original_id) for p in streamed if p.original_id is not None})
        p, r, f = prf(pairs_found, truth)
        rows.append((lang_pair, len(truth), len(pairs_found), p, r, f, len(pairs_found ^ streamed_pairs)))
    return rows


DEV_POOLS = {"zh-en": ("zh-en", "en-zh"), "de-en": ("de-en", "en-de")}
DEV_SEEDS = (11, 12, 13)
DEV_TARGETS = {"zh-en": (0.97, 0.92), "de-en": (0.95, 0.95)}


def dev_translation_eval(
    folder: Path, use_encoder: bool, seed: int
) -> list[tuple[str, int, int, float, float, int]]:
    """Per direction: (direction, true pairs, links touching its documents, precision, recall, links the
    streaming rebuild makes differently) in one pool per language pair where every second document is alone
    (its translation left out). The pool is linked at once (`translation_stage`) and day by day
    (`stream.stream_translations`, what `newscrawl link --rebuild` runs); P/R are the former's."""
    data = dev_parallel_documents(folder)
    rng = random.Random(seed)
    rows = []
    for directions in DEV_POOLS.values():
        docs: list[LinkDoc] = []
        owner: dict[int, str] = {}
        truth: set[tuple[int, int]] = set()
        for direction in directions:
            for source, target in data[direction]:
                day = START + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 23))
                draw = rng.random()
                sides = [source, target] if draw < 0.5 else [source if draw < 0.75 else target]
                for offset, side in enumerate(sides):
                    owner[len(docs)] = direction
                    docs.append(LinkDoc(len(docs), side.text, side.language,
                                        day + timedelta(hours=rng.randint(1, 30) * offset)))
                if len(sides) == 2:
                    truth.add((len(docs) - 2, len(docs) - 1))
        vectors = embed_docs(docs) if use_encoder else {}
        found = translation_stage(docs, docs, use_encoder=use_encoder, vectors=vectors)
        pairs = _unordered({(p.copy_id, p.original_id) for p in found if p.original_id is not None})
        streamed = stream_translations(docs, vectors)
        streamed_pairs = _unordered({(p.copy_id, p.original_id) for p in streamed if p.original_id is not None})
        for direction in directions:
            mine = {pair for pair in pairs if direction in (owner[pair[0]], owner[pair[1]])}
            theirs = {pair for pair in streamed_pairs if direction in (owner[pair[0]], owner[pair[1]])}
            true = {pair for pair in truth if owner[pair[0]] == direction}
            p, r, _f = prf(mine, true)
            rows.append((direction, len(true), len(mine), p, r, len(mine ^ theirs)))
    return rows


def print_dev_eval(folder: Path, has_encoder: bool) -> None:
    print(f"\n== dev news translations ({folder}; half the documents without partner; targets zh-en/en-zh"
          " P >= 0.97 R >= 0.92, de-en/en-de P >= 0.95 R >= 0.95, anchors only P >= 0.95) ==")
    print("(`stream diff`: links the day-by-day streaming rebuild makes differently, out of `found`)")
    print(f"{'mode':<17}{'seed':>5}  {'direction':<10}{'true':>6}{'found':>7}{'P':>7}{'R':>7}{'stream diff':>13}")
    for use_encoder in (True, False) if has_encoder else (False,):
        label = "encoder+anchors" if use_encoder else "anchors only"
        totals: dict[str, list[float]] = {}
        for seed in DEV_SEEDS:
            for direction, true, found, p, r, diff in dev_translation_eval(folder, use_encoder, seed):
                print(f"{label:<17}{seed:>5}  {direction:<10}{true:>6}{found:>7}{p:>7.3f}{r:>7.3f}{diff:>13}")
                totals.setdefault(direction, []).extend((p, r))
        for direction, values in totals.items():
            mean_p, mean_r = sum(values[0::2]) / len(DEV_SEEDS), sum(values[1::2]) / len(DEV_SEEDS)
            print(f"{label:<17}{'mean':>5}  {direction:<10}{'':>13}{mean_p:>7.3f}{mean_r:>7.3f}")


def neardup_eval() -> tuple[int, int, float, float, float]:
    rng = random.Random(5)
    bases = real_articles()
    filler = filler_paragraphs()
    docs: list[EvalArticle] = []
    truth: set[tuple[int, int]] = set()
    for language, text in bases:
        others = [t for lang, t in bases if lang == language and t != text]
        original = EvalArticle(len(docs), language, text, START + timedelta(hours=len(docs)))
        docs.append(original)
        for variant in range(2):
            extra = rng.choice(others) if others else ""
            copy = aggregator_copy(text, language, rng, extra=extra.split("\n")[0][:300])
            docs.append(EvalArticle(len(docs), language, copy, original.published_at + timedelta(hours=3 + variant)))
            truth.add((original.id, len(docs) - 1))
        if filler[language]:
            distractor = topic_distractor(text, filler[language])
            docs.append(EvalArticle(len(docs), language, distractor, original.published_at + timedelta(hours=5)))
    # copies of one original are near-duplicates of each other too
    groups: dict[int, list[int]] = {}
    for original, copy in truth:
        groups.setdefault(original, [original]).append(copy)
    truth = {(min(a, b), max(a, b)) for members in groups.values() for a in members for b in members if a < b}
    found = _run_neardup(docs)
    p, r, f = prf(found, truth)
    return len(truth), len(found), p, r, f


EXCERPT_SHARES = (0.2, 0.3, 0.4)
EXCERPTS_PER_ARTICLE = 3


def excerpt(text: str, share: float, rng: random.Random) -> str:
    """A run of consecutive sentences of `text` holding about `share` of its characters."""
    sentences = [x for x in re.split(r"(?<=[。！？.!?])\s*", text) if x.strip()]
    target = share * sum(len(x) for x in sentences)
    start = rng.randrange(len(sentences))
    run: list[str] = []
    for sentence in sentences[start:] + sentences[:start]:
        if sum(len(x) for x in run) >= target:
            break
        run.append(sentence)
    return ("" if any("\u4e00" <= c <= "\u9fff" for c in text[:200]) else " ").join(run)


def excerpt_eval() -> list[tuple[float, int, int, int]]:
    """Per share: (share, excerpts, found, false links) over every recorded article long enough, with a
    same-topic distractor of each in the pool."""
    rng = random.Random(9)
    bases = [(lang, text) for lang, text in real_articles() if len(text) >= 1000]
    rows = []
    for share in EXCERPT_SHARES:
        filler = filler_paragraphs()
        docs: list[EvalArticle] = []
        truth: set[tuple[int, int]] = set()
        for language, text in bases:
            original = EvalArticle(len(docs), language, text, START + timedelta(hours=len(docs)))
            docs.append(original)
            for _copy in range(EXCERPTS_PER_ARTICLE):  # excerpts of one original also contain one another at times
                copy = excerpt(text, share, rng)
                docs.append(EvalArticle(len(docs), language, copy, original.published_at + timedelta(hours=2)))
                truth.add((original.id, len(docs) - 1))
            if filler[language]:
                distractor = topic_distractor(text, filler[language])
                docs.append(EvalArticle(len(docs), language, distractor, original.published_at + timedelta(hours=5)))
        found = _run_neardup(docs)
        origin = {copy: original for original, copy in truth} | {original: original for original, _copy in truth}
        false = {(a, b) for a, b in found - truth if origin.get(a, -1) != origin.get(b, -2)}
        rows.append((share, len(truth), len(found & truth), len(false)))
    return rows


def templated_eval(per_language: int = 40) -> tuple[int, int]:
    """(short texts, near-duplicate links among them): each text is one sentence of its own (real text of its
    language) followed by one of the aggregator templates of that language; none is a copy of another."""
    rng = random.Random(13)
    filler = filler_paragraphs(seed=8)
    docs: list[EvalArticle] = []
    for language, templates in BOILERPLATE.items():
        for _ in range(per_language):
            own = re.split(r"(?<=[。！？.!?])\s*", filler[language].pop())[0]
            body = "\n".join([own, *rng.sample(templates, k=2)])
            docs.append(EvalArticle(len(docs), language, body, START + timedelta(minutes=len(docs))))
    return len(docs), len(_run_neardup(docs))


def _run_neardup(docs: Sequence[EvalArticle]) -> set[tuple[int, int]]:
    sets = {d.id: shingles(d.text, d.language) for d in docs}
    sig_docs = [SigDoc(d.id, d.language, signature_of(sets[d.id]), d.published_at) for d in docs]
    proposals = neardup_stage(sig_docs, sig_docs, lambda ids: {i: hashed(sets[i]) for i in ids})
    return _unordered({(p.copy_id, p.original_id) for p in proposals if p.original_id is not None})


@dataclass
class Cost:
    """One cost run: seconds per stage, false translation links, and the streamed stages' seconds per day."""

    prepare: float
    embed: float
    neardup: float
    translate: float
    total: float
    false_links: int
    day_seconds: list[float]  # near-duplicates + translations, block (day) by block
    day_articles: list[int]

    def steady(self, first: int, days: int = 10) -> tuple[float, float] | None:
        """ms per article over `days` days from day `first` (the windows full) and over the last `days` days."""
        if len(self.day_seconds) < first + 2 * days:
            return None

        def rate(lo: int, hi: int) -> float:
            return sum(self.day_seconds[lo:hi]) / max(sum(self.day_articles[lo:hi]), 1) * 1000

        return rate(first, first + days), rate(len(self.day_seconds) - days, len(self.day_seconds))


def cost_run(count: int, use_encoder: bool) -> Cost:
    """Seconds to prepare (signatures, anchors), to embed every article (once per article; the linker stores
    the vectors), for near-duplicates, for translations, in total; and the number of translation links (the
    synthetic corpus has none by construction: every one is a false link). Near-duplicates and translations
    run as `newscrawl link --rebuild` runs them: streamed a day at a time (crawler.linking.stream), each day
    timed."""
    corpus = synthetic_corpus(count)
    docs = [LinkDoc(a.id, a.text, a.language, a.published_at) for a in corpus]
    texts = {d.id: d for d in docs}
    started = time.perf_counter()
    prepared = prepare(docs, workers=WORKERS)
    prepared_done = time.perf_counter()
    vectors = embed_docs(docs) if use_encoder else {}
    embedded = time.perf_counter()
    near = NearDupStream(lambda ids: {i: shingle_hashes(texts[i].text, texts[i].language) for i in ids})
    proposals: list[Proposal] = []
    blocks = in_blocks([(d.published_at, d.id) for d in docs if d.published_at is not None])
    day_seconds: list[float] = []
    for ids, _horizon in blocks:
        day_start = time.perf_counter()
        block = [(SigDoc(i, texts[i].language or "und", Signature.from_bytes(prepared[i].signature),
                         texts[i].published_at), texts[i].published_at) for i in ids]
        proposals += near.feed(block)  # type: ignore[arg-type]
        day_seconds.append(time.perf_counter() - day_start)
    neardup_done = time.perf_counter()
    anchors = {i: p.anchors for i, p in prepared.items()}
    translation_days: list[float] = []  # the same days (every synthetic article has a language and a date)
    proposals += stream_translations(docs, vectors, anchors, block_seconds=translation_days)
    day_seconds = [near_day + day for near_day, day in zip(day_seconds, translation_days, strict=True)]
    merged = merge(proposals)
    done = time.perf_counter()
    translations = sum(1 for link in merged if link.relation == "translates")
    return Cost(prepared_done - started, embedded - prepared_done, neardup_done - embedded, done - neardup_done,
                done - started, translations, day_seconds, [len(ids) for ids, _horizon in blocks])


def print_cost(sizes: Sequence[int], has_encoder: bool) -> None:
    print("\n== cost: whole linker over synthetic articles, streamed as a rebuild runs it (target: 100k in < 120 s,"
          " linear growth) ==")
    print(f"(synthetic: {PER_DAY} articles a day in zh/en/de, 10% aggregator copies; `false tr`: translation links"
          " found in a corpus that has none; `embed s`: every article embedded once by the encoder, when installed)")
    header = (("articles", 9), ("prepare s", 11), ("embed s", 9), ("neardup s", 11), ("translate s", 13),
              ("total s", 9), ("false tr", 9))
    print("".join(f"{name:>{width}}" for name, width in header) + f"{'s/1k':>7}{'s/1k w/o embed':>16}")
    # Each article is compared with those of the windows before it (NEARDUP_WINDOW for copies, WINDOW for
    # translations): until the corpus spans the widest window, an article has fewer neighbours and costs less.
    # Growth is therefore read against the first size past that point; a smaller size is marked.
    full = PER_DAY * max(NEARDUP_WINDOW, WINDOW).days
    print(f"(an article's neighbours stop growing once the corpus spans {max(NEARDUP_WINDOW, WINDOW).days} days ="
          f" {full:,} articles: growth is per article against the first size past that)")
    base = None
    steady: list[str] = []
    first_full = max(NEARDUP_WINDOW, 3 * WINDOW).days + 1  # translations decide a day 3 windows after it
    for size in sizes:
        cost = cost_run(size, has_encoder)
        per_k = cost.total / size * 1000
        if size < full:
            note = "(windows not yet full)"
        else:
            base = base or per_k
            note = f"(x{per_k / base:.2f} per article vs {min(s for s in sizes if s >= full):,})"
        print(f"{size:>9}{cost.prepare:>11.1f}{cost.embed:>9.1f}{cost.neardup:>11.1f}{cost.translate:>13.1f}"
              f"{cost.total:>9.1f}{cost.false_links:>9}{per_k:>7.2f}{(cost.total - cost.embed) / size * 1000:>16.2f}"
              f"  {note}")
        rates = cost.steady(first_full)
        if rates:
            early, late = rates
            steady.append(f"{size:,} articles ({len(cost.day_seconds)} days): {early:.3f} ms an article over days"
                          f" {first_full}-{first_full + 9}, {late:.3f} over the last 10 (x{late / early:.2f})")
    for line in steady:
        print("streamed near-duplicates + translations, once the windows are full: " + line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="cost at 2k/6k/20k articles instead of 10k/30k/100k")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR",
        help="the shared data folder with parallel/, pages/ and seeds/ (not in the repository; default: %(default)s)",
    )
    parser.add_argument("--dev-parallel", type=Path, default=DEV_PARALLEL,
                        help="WMT dev parallel news folder (default ../shared/dev/parallel, not in the repository)")
    parser.add_argument("--only", choices=("translation", "dev", "neardup", "excerpts", "cost"), action="append",
                        help="run only these sections (repeatable)")
    parser.add_argument("--no-encoder", action="store_true", help="as if the encoder were not installed")
    parser.add_argument("--encoder", choices=encoder_mod.ENCODERS, default=encoder_mod.DEFAULT_ENCODER,
                        help="form of the model (crawler.linking.encoder; default: %(default)s)")
    args = parser.parse_args(argv)
    encoder_mod.select(args.encoder)
    sections = set(args.only or ("translation", "dev", "neardup", "excerpts", "cost"))
    try:
        if sections - {"dev"}:
            use_data_dir(args.data)
        if "dev" in sections and not args.dev_parallel.is_dir():
            raise FileNotFoundError(f"--dev-parallel {args.dev_parallel} is not a folder (the WMT dev parallel news)")
    except FileNotFoundError as exc:
        print(f"linking_eval: {exc}", file=sys.stderr)
        return 2
    has_encoder = encoder_mod.get_encoder() is not None and not args.no_encoder
    print(f"encoder installed and used: {has_encoder}" + (f" ({args.encoder} form)" if has_encoder else ""))

    if "translation" in sections:
        print("\n== translation links (WMT document pairs; target P >= 0.95 at R >= 0.90) ==")
        print(f"{'pool':<22}{'pair':<7}{'true':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}{'stream diff':>13}")
        modes = [(True, True), (False, True), (True, False)] if has_encoder else [(False, True), (False, False)]
        for use_encoder, news_only in modes:
            label = f"{'encoder+anchors' if use_encoder else 'anchors only'}, {'news' if news_only else 'all'}"
            for pair, true, found, p, r, f, diff in translation_eval(use_encoder, news_only):
                print(f"{label:<22}{pair:<7}{true:>6}{found:>7}{p:>7.3f}{r:>7.3f}{f:>7.3f}{diff:>13}")
    if "dev" in sections:
        print_dev_eval(args.dev_parallel, has_encoder)
    if "neardup" in sections:
        print("\n== near-duplicates (aggregator copies of recorded articles; target P >= 0.98, R >= 0.95) ==")
        true, found, p, r, f = neardup_eval()
        print(f"true pairs {true}, found {found}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    if "excerpts" in sections:
        print("\n== excerpts (a run of sentences keeping a share of a recorded article; target: 30 % found >= 95 %,"
              " 0 false links) ==")
        for share, total, found_true, false_links in excerpt_eval():
            rate = found_true / total
            print(f"excerpt {share:.0%}: {found_true}/{total} found ({rate:.1%}), {false_links} false links")
        texts, false_links = templated_eval()
        print(f"templated short texts (one own sentence + two aggregator templates): {texts} texts, "
              f"{false_links} near-duplicate links (all false)")
    if "cost" in sections:
        sizes = (2_000, 6_000, 20_000) if args.quick else (10_000, 30_000, 100_000)
        print_cost(sizes, has_encoder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
