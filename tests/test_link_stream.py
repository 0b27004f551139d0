"""The streaming linker (crawler.linking.stream): the same translations as the at-once linker, pairs split across
a block boundary, memory bounded by the window, near-duplicates within NEARDUP_WINDOW."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from crawler.linking.engine import SigDoc, translation_proposals
from crawler.linking.shingles import hashed, shingles, signature_of
from crawler.linking.stream import NEARDUP_WINDOW, NearDupStream, TranslationStream, in_blocks
from crawler.linking.translation import WINDOW, TranslationDoc, link_translations

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
DIM = 64


def _corpus(days: int, per_day: int, seed: int = 4) -> tuple[list[TranslationDoc], dict[int, np.ndarray]]:
    """Articles in zh/en/de over `days`, a third of them translated within a day or two: a translation's vector
    is its original's plus noise and it keeps most of the original's figures; every article has figures of its
    own, some of them common ones."""
    rng = random.Random(seed)
    generator = np.random.default_rng(seed)
    docs: list[TranslationDoc] = []
    vectors: dict[int, np.ndarray] = {}
    for index in range(days * per_day):
        at = T0 + timedelta(days=index / per_day, minutes=rng.randint(0, 59))
        language = rng.choice(("zh", "en", "de"))
        anchors = {f"n:{rng.randint(100, 99999)}" for _ in range(rng.randint(1, 6))}
        anchors |= {f"n:{rng.randint(1, 12)}"} | ({f"l:Name{rng.randint(1, 400)}"} if rng.random() < 0.5 else set())
        vector = generator.standard_normal(DIM)
        docs.append(TranslationDoc(len(docs) + 1, language, at, frozenset(anchors)))
        vectors[len(docs)] = vector
        if rng.random() < 0.35:
            other = rng.choice([x for x in ("zh", "en", "de") if x != language])
            kept = frozenset(a for a in anchors if rng.random() < 0.8)
            later = at + timedelta(hours=rng.randint(1, 40))
            docs.append(TranslationDoc(len(docs) + 1, other, later, kept))
            vectors[len(docs)] = vector + generator.standard_normal(DIM) * rng.uniform(0.3, 1.2)
    normed = {i: (v / np.linalg.norm(v)).astype(np.float32) for i, v in vectors.items()}
    return docs, normed


def _streamed(
    docs: list[TranslationDoc], vectors: dict[int, np.ndarray] | None, span: timedelta, global_frequencies: bool
) -> tuple[set[tuple[int, int, float]], int]:
    """(copy, original, score) of the stream's links, and the most articles it held at once."""
    frequencies = (Counter(a for d in docs for a in d.anchors), len(docs)) if global_frequencies else None
    stream = TranslationStream(use_vectors=bool(vectors), frequencies=frequencies)
    by_id = {d.id: d for d in docs}
    links, held = [], 0
    for ids, horizon in in_blocks([(d.published_at, d.id) for d in docs], span):  # type: ignore[misc]
        stream.add([by_id[i] for i in ids], {i: vectors[i] for i in ids} if vectors else None)
        links.extend(stream.advance(horizon))
        held = max(held, len(stream.docs))
    links.extend(stream.finish())
    return {(x.copy, x.original, x.score) for x in links}, held


@pytest.mark.parametrize("with_vectors", [True, False])
@pytest.mark.parametrize("span", [timedelta(days=1), timedelta(hours=7)])
def test_streamed_translations_equal_the_at_once_linker(with_vectors: bool, span: timedelta) -> None:
    docs, vectors = _corpus(days=24, per_day=40)
    used = vectors if with_vectors else None
    at_once = {(x.copy, x.original, x.score) for x in link_translations(docs, docs, used)}
    streamed, _held = _streamed(docs, used, span, global_frequencies=True)
    assert len(at_once) > 100
    assert streamed == at_once


def test_window_frequencies_change_few_links() -> None:
    """With anchor frequencies counted per window instead of over the corpus, links differ only at the margin."""
    docs, vectors = _corpus(days=24, per_day=40)
    at_once = {(x.copy, x.original) for x in link_translations(docs, docs, vectors)}
    streamed, _held = _streamed(docs, vectors, timedelta(days=1), global_frequencies=False)
    assert len({(c, o) for c, o, _s in streamed} ^ at_once) <= 0.02 * len(at_once)


def test_a_pair_split_across_a_block_boundary_is_linked() -> None:
    zh = TranslationDoc(1, "zh", T0 + timedelta(hours=23, minutes=50), frozenset({"n:4711", "n:2.5e9", "l:Huawei"}))
    en = TranslationDoc(2, "en", T0 + timedelta(days=1, minutes=10), frozenset({"n:4711", "n:2.5e9", "l:Huawei"}))
    other = TranslationDoc(3, "en", T0 + timedelta(days=1, hours=5), frozenset({"n:12"}))
    vector = np.ones(DIM, dtype=np.float32) / np.sqrt(DIM)
    stream = TranslationStream()
    stream.add([zh], {1: vector})
    assert stream.advance(T0 + timedelta(days=1)) == []  # the partner's day has not been fed yet
    stream.add([en, other], {2: vector, 3: np.roll(vector * np.linspace(-1, 1, DIM), 3).astype(np.float32)})
    links = stream.advance(T0 + timedelta(days=2)) + stream.finish()
    assert [(x.copy, x.original) for x in links] == [(2, 1)]
    [proposal] = translation_proposals(links)
    assert proposal.details["cosine"] == pytest.approx(1.0, abs=1e-4)


def test_memory_is_bounded_by_the_window_not_the_corpus() -> None:
    short, vectors_short = _corpus(days=12, per_day=40)
    long, vectors_long = _corpus(days=60, per_day=40)
    _links, held_short = _streamed(short, vectors_short, timedelta(days=1), global_frequencies=False)
    _links, held_long = _streamed(long, vectors_long, timedelta(days=1), global_frequencies=False)
    per_day = len(long) / 60
    assert held_long <= per_day * (4 * WINDOW.days + 2)  # the windows the stream needs, whatever the corpus
    assert held_long <= held_short * 1.3


def _story(rng: random.Random, words: int = 120) -> str:
    vocabulary = [f"word{i}" for i in range(3000)]
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def test_near_duplicates_are_found_within_the_window_and_across_blocks() -> None:
    rng = random.Random(2)
    texts = {1: _story(rng), 3: _story(rng)}
    texts[2] = "Reposted: " + texts[1] + " Share this on social media."
    texts[4] = texts[3] + " Read more at our site."
    times = {1: T0 + timedelta(hours=23), 2: T0 + timedelta(days=1, hours=1),  # across a block boundary
             3: T0, 4: T0 + NEARDUP_WINDOW + timedelta(days=1)}  # further apart than the window
    sets = {i: shingles(t, "en") for i, t in texts.items()}
    stream = NearDupStream(lambda ids: {i: hashed(sets[i]) for i in ids})
    found = []
    for ids, _horizon in in_blocks([(t, i) for i, t in times.items()]):
        found += stream.feed([(SigDoc(i, "en", signature_of(sets[i]), times[i]), times[i]) for i in ids])
    assert [(p.copy_id, p.original_id) for p in found] == [(2, 1)]
    assert set(stream.indexed) == {2, 4}  # only the articles of the last window are held


def test_near_duplicate_stream_reads_each_text_once_and_forgets_it_with_the_window() -> None:
    rng = random.Random(5)
    originals = {i: _story(rng) for i in range(1, 4)}
    texts = dict(originals)
    for day in range(1, 4):  # each original is copied again on each of three later days
        for i in originals:
            texts[10 * day + i] = f"Copy {day}: " + originals[i] + f" Shared on day {day}."
    times = {i: T0 + timedelta(days=i // 10, minutes=i) for i in texts}
    sets = {i: shingles(t, "en") for i, t in texts.items()}
    loaded: list[int] = []

    def load(ids: list[int]) -> dict[int, np.ndarray]:
        loaded.extend(ids)
        return {i: hashed(sets[i]) for i in ids}

    stream = NearDupStream(load)
    found = []
    for ids, _horizon in in_blocks([(t, i) for i, t in times.items()]):
        found += stream.feed([(SigDoc(i, "en", signature_of(sets[i]), times[i]), times[i]) for i in ids])
    assert {(p.copy_id, p.original_id) for p in found} >= {(10 * day + i, i) for day in (1, 2, 3) for i in originals}
    assert sorted(loaded) == sorted(set(loaded))  # an original is a candidate on every day, read once
    assert set(stream._hashes) <= set(stream.indexed)
    later = T0 + NEARDUP_WINDOW + timedelta(days=10)
    stream.feed([(SigDoc(99, "en", signature_of(sets[1]), later), later)])
    assert set(stream._hashes) <= {99}  # the window moved on: what it held is forgotten


def test_the_sliding_band_window_finds_what_banding_the_whole_window_again_finds() -> None:
    from crawler.linking.neardup import MIN_SHINGLES, BandWindow, lsh_candidates

    rng = random.Random(11)
    boilerplate = _story(random.Random(3), 60)
    signatures = {}
    stories = []
    for i in range(600):
        language = "en" if i % 3 else "de"
        if stories and rng.random() < 0.3:  # a copy, an excerpt or a padded repost of an earlier story
            source, source_language = rng.choice(stories[-80:])
            words = source.split()
            cut = rng.choice([len(words), len(words) // 3, len(words) // 5])
            text, language = " ".join(words[:cut]) + " " + _story(rng, rng.randint(0, 40)), source_language
        else:
            text = _story(rng, rng.randint(10, 160))
            if i % 4 == 0:  # a stock text many articles share: buckets too big for the excerpt banding
                text = boilerplate + " " + text
            stories.append((text, language))
        signatures[i] = (language, signature_of(shingles(text, language)))
    days = [list(range(start, start + 60)) for start in range(0, 600, 60)]
    window = BandWindow()
    held: list[int] = []
    for day, ids in enumerate(days):
        if day >= 3:  # three days behind the block are kept
            window.forget(days[day - 3])
            held = [i for i in held if i not in days[day - 3]]
        block = [(i, *signatures[i]) for i in ids]
        got = window.add(block)
        want = lsh_candidates([*((i, *signatures[i]) for i in held), *block], queries=ids)
        assert got == want
        held += ids
    assert len(window) == sum(1 for i in held[-180:] if signatures[i][1].size >= MIN_SHINGLES)  # short ones: never
    last = max(i for i in held if signatures[i][1].size >= MIN_SHINGLES)
    assert (last, 9999) in window.add([(9999, *signatures[last])])  # an exact copy of a held article is a candidate
