"""The linker over a date-sorted stream of articles, window by window, in memory bounded by the window.

Articles are fed in time order, a block (a day) at a time: `TranslationStream.add` then `advance(horizon)` once
every article earlier than `horizon` has been added, `NearDupStream.feed(block)`; each returns what has become
final, and `TranslationStream.finish()` the rest. An article's time (`at`) is its publication time, or when it
was fetched if it has none.

Translations (`TranslationStream`) give exactly what `translation.link_translations` gives over the whole
corpus at once, given the same anchor frequencies, because every step of it is local in time:
1. an article's candidates are its nearest articles within WINDOW (without embeddings, those sharing a
   selective anchor), so it is asked once every article within WINDOW after it has been fed;
2. a pair's margin needs both articles' neighbour lists, complete once every article within WINDOW of them has
   been asked: a pair is scored when its later article is 2 * WINDOW old;
3. the one-to-one assignment is greedy best-first, which decides each connected group of scored pairs on its
   own: a group is decided when its newest article is 3 * WINDOW old (nothing can join it any more).
Anchor frequencies (how rare a figure or name is) are counted over the articles within WINDOW of the asked ones
instead of over the whole corpus, so a pair's score no longer depends on how large the corpus has grown (an
anchor that is rare this week is rare, whatever happened in other years).

Near-duplicates (`NearDupStream`): each block is matched by MinHash LSH against the same-language articles of
the NEARDUP_WINDOW before it (and itself). Copies published further apart than that are linked only when the
page says where it comes from (explicit evidence, which has no window): aggregators repost within hours or
days, and a bounded index is what keeps memory and time per article flat as the corpus grows.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

from crawler.linking.anchors import AnchorMatch, WeightCache, match_weighted
from crawler.linking.engine import SigDoc, neardup_proposals, translation_docs, translation_proposals
from crawler.linking.model import LinkDoc, Proposal
from crawler.linking.neardup import BandWindow
from crawler.linking.translation import (
    ANCHORS_VOUCH,
    MIN_ANCHOR_SCORE_ALONE,
    MIN_COSINE,
    MIN_MARGIN,
    MIN_SCORE,
    MIN_SHARED_WEIGHT,
    TIE_FACTOR,
    WINDOW,
    Neighbourhood,
    TranslationDoc,
    TranslationLink,
    _direction,
    _may_pass,
    baseline_without,
    candidate_pairs,
    combine,
    nearest_pairs,
    neighbourhood,
    one_to_one,
)

# Same-language copies are looked for among the articles of this many days before each one.
NEARDUP_WINDOW = timedelta(days=14)
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)
BLOCK = timedelta(days=1)


class _Weights:
    """The anchor weights of one pool, and each article's total weight in it, each computed once."""

    def __init__(self, doc_freq: Mapping[str, int], size: int) -> None:
        self.weigh = WeightCache(doc_freq, size)
        self.totals: dict[int, float] = {}

    def total(self, doc: TranslationDoc) -> float:
        found = self.totals.get(doc.id)
        if found is None:
            found = self.totals[doc.id] = self.weigh.total(doc.anchors)
        return found

    def match(self, a: TranslationDoc, b: TranslationDoc) -> AnchorMatch:
        return match_weighted(a.anchors, b.anchors, self.weigh, self.total(a), self.total(b))


@dataclass
class _Pair:
    cosine: float
    weights: _Weights  # those of the pool in which the pair was first found
    latest: datetime  # the later article's time


@dataclass
class TranslationStream:
    """Translation links over articles fed in time order (see the module docstring)."""

    window: timedelta = WINDOW
    use_vectors: bool = True
    # (document frequencies, pool size) to use instead of the window's: the whole corpus's, for comparisons
    frequencies: tuple[Mapping[str, int], int] | None = None
    docs: dict[int, TranslationDoc] = field(default_factory=dict)
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    _order: list[tuple[datetime, int]] = field(default_factory=list)  # (at, id) of unasked articles, time order
    _asked_until: datetime | None = None
    _pairs: dict[tuple[int, int], _Pair] = field(default_factory=dict)  # found, to be scored
    _seen: dict[tuple[int, int], datetime] = field(default_factory=dict)  # found, not yet by both articles
    _neighbours: dict[tuple[int, str], list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    _scored: dict[tuple[int, int], tuple[float, AnchorMatch, float | None, float | None]] = field(
        default_factory=dict)
    _parent: dict[int, int] = field(default_factory=dict)

    def add(self, docs: Iterable[TranslationDoc], vectors: Mapping[int, np.ndarray] | None = None) -> None:
        for doc in docs:
            if doc.published_at is None:
                raise ValueError(f"article {doc.id}: a streamed article needs a time")
            self.docs[doc.id] = doc
            self._order.append((doc.published_at, doc.id))
        if vectors:
            self.vectors.update(vectors)

    def advance(self, horizon: datetime) -> list[TranslationLink]:
        """Every article earlier than `horizon` has been added: ask, score and decide what that allows."""
        self._ask(horizon - self.window if horizon != _FAR_FUTURE else _FAR_FUTURE)
        asked = self._asked_until
        if asked is None:
            return []
        far = asked == _FAR_FUTURE
        self._score(None if far else asked - self.window)
        links = self._decide(None if far else asked - 2 * self.window)
        self._evict(None if far else asked - 3 * self.window)
        return links

    def finish(self) -> list[TranslationLink]:
        return self.advance(_FAR_FUTURE)

    def pending_since(self) -> datetime | None:
        """The time of the oldest article whose translation is not decided yet (None: nothing pending)."""
        waiting = {*self._parent, *(i for pair in self._pairs for i in pair)}
        times = [self.docs[i].published_at for i in waiting if i in self.docs]
        unasked = [at for at, _i in self._order]
        found = [t for t in (*times, *unasked) if t is not None]
        return min(found) if found else None

    # 1. candidates of the articles whose whole window has been fed
    def _ask(self, until: datetime) -> None:
        self._order.sort()
        cut = 0
        while cut < len(self._order) and self._order[cut][0] < until:
            cut += 1
        if cut == 0:
            if until != _FAR_FUTURE:
                self._asked_until = max(self._asked_until or until, until)
            else:
                self._asked_until = until
            return
        queries = [self.docs[i] for _at, i in self._order[:cut]]
        del self._order[:cut]
        low, high = queries[0].published_at - self.window, queries[-1].published_at + self.window  # type: ignore[operator]
        pool = [d for d in self.docs.values() if low <= d.published_at <= high]  # type: ignore[operator]
        if self.frequencies is not None:
            doc_freq, size = self.frequencies
        else:
            doc_freq, size = Counter(a for d in pool for a in d.anchors), len(pool)
        weights = _Weights(doc_freq, size)
        vectors = bool(self.use_vectors and self.vectors)
        # with embeddings the nearest neighbours are the candidates (as in translation.link_translations)
        found: set[tuple[int, int]] = set()
        cosines: dict[tuple[int, int], float] = {}
        if vectors:
            cosines = nearest_pairs(queries, pool, self.vectors, self.window)
        else:
            counter = doc_freq if isinstance(doc_freq, Counter) else Counter(doc_freq)
            found = candidate_pairs(queries, pool, counter, self.window)
        for pair in found | set(cosines):
            if pair in self._seen:
                continue  # found again from the other side: judged when first found
            a, b = pair
            latest = max(self.docs[a].published_at, self.docs[b].published_at)  # type: ignore[type-var]
            self._seen[pair] = latest
            if not vectors:  # anchors alone: judged now, by the anchor weights of the pool it was found in
                match = weights.match(self.docs[a], self.docs[b])
                if match.score >= MIN_ANCHOR_SCORE_ALONE and match.shared_weight >= MIN_SHARED_WEIGHT:
                    self._keep(pair, (match.score, match, None, None))
                continue
            cosine = cosines.get(pair)
            if cosine is None:
                continue
            self._neighbours[(a, self.docs[b].language)].append((b, cosine))
            self._neighbours[(b, self.docs[a].language)].append((a, cosine))
            if cosine >= MIN_COSINE:  # the rest only count in their articles' baselines
                self._pairs[pair] = _Pair(cosine, weights, latest)
        self._asked_until = until if until == _FAR_FUTURE else max(self._asked_until or until, until)
        # both articles of these pairs have asked: none of them can be found again
        for pair in [pair for pair, latest in self._seen.items() if latest < until]:
            del self._seen[pair]

    def _baseline(self, a: int, b: int, cache: dict[tuple[int, str], Neighbourhood]) -> float:
        key = (a, self.docs[b].language)
        near = cache.get(key)
        if near is None:
            near = cache[key] = neighbourhood(_unique(self._neighbours.get(key, [])))
        return baseline_without(near, b)

    # 2. scores of the pairs whose articles' neighbour lists are complete
    def _score(self, until: datetime | None) -> None:
        ready = [pair for pair, entry in self._pairs.items() if until is None or entry.latest < until]
        cache: dict[tuple[int, str], Neighbourhood] = {}  # the lists do not change while pairs are scored
        for pair in sorted(ready):
            entry = self._pairs.pop(pair)
            a, b = pair
            margin = entry.cosine - (self._baseline(a, b, cache) + self._baseline(b, a, cache)) / 2
            if not _may_pass(entry.cosine, margin, bool(self.docs[a].anchors & self.docs[b].anchors)):
                continue
            match = entry.weights.match(self.docs[a], self.docs[b])
            score = combine(match, entry.cosine)
            if score >= MIN_SCORE and (margin >= MIN_MARGIN or match.score >= ANCHORS_VOUCH):
                self._keep(pair, (score, match, entry.cosine, margin))

    def _keep(self, pair: tuple[int, int], value: tuple[float, AnchorMatch, float | None, float | None]) -> None:
        self._scored[pair] = value
        a, b = (self._root(i) for i in pair)
        if a != b:
            self._parent[max(a, b)] = min(a, b)

    def _root(self, i: int) -> int:
        self._parent.setdefault(i, i)
        while self._parent[i] != i:
            self._parent[i] = self._parent[self._parent[i]]
            i = self._parent[i]
        return i

    # 3. one-to-one within each group of scored pairs that nothing can join any more
    def _decide(self, until: datetime | None) -> list[TranslationLink]:
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pair in self._scored:
            groups[self._root(pair[0])].append(pair)
        newest: dict[int, datetime] = {}
        for root, pairs in groups.items():
            newest[root] = max(self.docs[i].published_at for pair in pairs for i in pair)  # type: ignore[type-var]
        links: list[TranslationLink] = []
        languages = {i: d.language for i, d in self.docs.items()}
        for root, pairs in sorted(groups.items()):
            if until is not None and newest[root] >= until:
                continue
            scores = {pair: self._scored[pair][0] for pair in pairs}
            for a, b in one_to_one(scores, languages):
                score, match, cosine, margin = self._scored[(a, b)]
                copy, original, tie = _direction(self.docs[a], self.docs[b])
                final = min(1.0, max(0.0, score)) * (TIE_FACTOR if tie else 1.0)
                links.append(TranslationLink(copy, original, round(final, 4), match.score,
                                             None if cosine is None else round(cosine, 4), match.shared, tie,
                                             None if margin is None else round(margin, 4)))
            members = {i for pair in pairs for i in pair}
            for pair in pairs:
                del self._scored[pair]
            for i in members:
                self._parent.pop(i, None)
        return links

    def _evict(self, before: datetime | None) -> None:
        """Forget what no later step reads: articles older than 3 windows behind the asked horizon that wait in
        no undecided group, and their neighbour lists."""
        if before is None:
            self.docs.clear()
            self.vectors.clear()
            self._neighbours.clear()
            return
        old = [i for i, d in self.docs.items() if d.published_at < before and i not in self._parent]  # type: ignore[operator]
        for i in old:
            language = self.docs.pop(i).language
            self.vectors.pop(i, None)
            for other in ("zh", "en", "de", language):
                self._neighbours.pop((i, other), None)
        for key in [k for k in self._neighbours if k[0] not in self.docs]:
            del self._neighbours[key]


def _unique(found: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """One entry per neighbour (a pair asked from both sides is listed twice), the last value kept."""
    return list(dict(found).items())


@dataclass
class NearDupStream:
    """Same-language near-duplicates of each fed block among the articles of the NEARDUP_WINDOW before it.

    The hashed shingles of the articles it has read are kept while those articles are in the window, so an
    article's text is loaded and shingled once, not once for every block it is a candidate in; so are their
    LSH band keys (`BandWindow`), so a block costs the same whether the window behind it is full or not."""

    load_shingles: Callable[[list[int]], Mapping[int, np.ndarray]]
    window: timedelta = NEARDUP_WINDOW
    indexed: dict[int, tuple[SigDoc, datetime]] = field(default_factory=dict)
    _hashes: dict[int, np.ndarray] = field(default_factory=dict)
    _bands: BandWindow = field(default_factory=BandWindow)
    _order: deque[tuple[datetime, int]] = field(default_factory=deque)

    def feed(
        self, block: Sequence[tuple[SigDoc, datetime]], known: set[tuple[int, int]] | None = None
    ) -> list[Proposal]:
        """Near-duplicate proposals of the block's articles (`(signature doc, at)`, at in time order) with each
        other and with the indexed articles within the window before them."""
        if not block:
            return []
        cutoff = min(at for _doc, at in block) - self.window
        gone = []
        while self._order and self._order[0][0] < cutoff:
            _at, i = self._order.popleft()
            if i in self.indexed and self.indexed[i][1] < cutoff:
                del self.indexed[i]
                self._hashes.pop(i, None)
                gone.append(i)
        self._bands.forget(gone)
        self._bands.forget(doc.id for doc, _at in block if doc.id in self.indexed)  # fed again: banded anew
        candidates = self._bands.add([(doc.id, doc.language, doc.signature) for doc, _at in block])
        named = {i for pair in candidates for i in pair}
        docs = {i: self.indexed[i][0] for i in named if i in self.indexed} | {doc.id: doc for doc, _at in block}
        at_of = {i: self.indexed[i][1] for i in named if i in self.indexed} | {doc.id: at for doc, at in block}
        proposals = neardup_proposals(candidates, docs, self._load, known)
        kept = [p for p in proposals
                if p.original_id is None or abs(at_of[p.copy_id] - at_of[p.original_id]) <= self.window]
        self.indexed.update({doc.id: (doc, at) for doc, at in block})  # every article read is now indexed
        self._order.extend((at, doc.id) for doc, at in block)  # a stale entry of an article fed again is skipped
        return kept

    def _load(self, wanted: list[int]) -> dict[int, np.ndarray]:
        missing = [i for i in wanted if i not in self._hashes]
        if missing:
            self._hashes.update(self.load_shingles(missing))
        return {i: self._hashes[i] for i in wanted if i in self._hashes}


def in_blocks(
    items: Sequence[tuple[datetime, int]], span: timedelta = timedelta(days=1)
) -> list[tuple[list[int], datetime]]:
    """Time-sorted (at, id) items cut into consecutive blocks of `span`: (ids, horizon) per block, where every
    item earlier than `horizon` is in that block or an earlier one."""
    ordered = sorted(items)
    blocks: list[tuple[list[int], datetime]] = []
    index = 0
    while index < len(ordered):
        horizon = ordered[index][0] + span
        ids = []
        while index < len(ordered) and ordered[index][0] < horizon:
            ids.append(ordered[index][1])
            index += 1
        blocks.append((ids, horizon))
    return blocks


def stream_translations(
    docs: Sequence[LinkDoc],
    vectors: Mapping[int, np.ndarray] | None = None,
    anchors: Mapping[int, frozenset[str]] | None = None,
    known: set[tuple[int, int]] | None = None,
    span: timedelta = BLOCK,
    frequencies: tuple[Mapping[str, int], int] | None = None,
    block_seconds: list[float] | None = None,
) -> list[Proposal]:
    """`engine.translation_stage(docs, docs)` computed block by block (`span` of time each) through a
    TranslationStream: the streaming rebuild's translations over an in-memory corpus (benchmarks, tests).
    Every article needs a publication time. `block_seconds`, when given, receives each block's time."""
    prepared = {d.id: d for d in translation_docs(docs, anchors)}
    stream = TranslationStream(use_vectors=bool(vectors), frequencies=frequencies)
    links: list[TranslationLink] = []
    for ids, horizon in in_blocks([(d.published_at, d.id) for d in prepared.values()], span):  # type: ignore[misc]
        started = time.perf_counter()
        stream.add([prepared[i] for i in ids], {i: vectors[i] for i in ids if i in vectors} if vectors else None)
        links.extend(stream.advance(horizon))
        if block_seconds is not None:
            block_seconds.append(time.perf_counter() - started)
    links.extend(stream.finish())
    return translation_proposals(links, known)
