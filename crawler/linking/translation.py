"""Cross-language translations (zh↔en, zh↔de, en↔de): candidates, scores and the pairs kept.

1. Candidates: articles in different languages published within `WINDOW` of each other that share at least
   one selective anchor (a number, date or Latin-script name found in few documents of the pool), found
   through an inverted index, so the work grows with the number of articles, not its square.
2. Score: anchor overlap (`anchors.match_anchors`), combined with the encoder's cosine when it is installed;
   the encoder only sees pairs it can decide (`_settled` pairs are kept on their anchors).
3. Kept: pairs above `MIN_SCORE` that are each other's best match in that language pair (a story translated
   once into each language), or any pair above `STRONG_SCORE`.
Direction: the earlier article is the original; a tie keeps the pair with a lower score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from crawler.linking.anchors import WEIGHT_NUMBER, AnchorMatch, WeightCache, anchor_weight, base_weight, match_weighted

WINDOW = timedelta(days=3)
# Anchors found in more documents of the pool than this are too common to propose candidates.
MAX_POSTING = 60
MIN_BLOCKING_WEIGHT = 0.3
# Encoder cosine mapped to [0, 1] between these two values.
COSINE_FLOOR = 0.45
COSINE_CEIL = 0.85
ENCODER_SHARE = 0.6
MIN_SCORE = 0.45
STRONG_SCORE = 0.8
# Candidates sharing less than this anchor score are dropped before the (costly) encoder sees them.
MIN_ANCHOR_SCORE = 0.2
MIN_SHARED_WEIGHT = 1.0  # about one specific figure, or a date and a name
TOP_K = 2  # anchor candidates per article and other language that go on to the encoder
MIN_ANCHOR_SCORE_ALONE = 0.3  # without the encoder, anchors must carry the decision
MIN_COSINE = 0.5
# Anchors alone settle a pair (no embedding) from this score with this many shared specific figures, when no
# other candidate competes for either article (see `_settled`).
CERTAIN_ANCHOR_SCORE = 0.6
CERTAIN_NUMBERS = 3
TIE_FACTOR = 0.8
TIE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class TranslationDoc:
    """What translation linking needs of an article."""

    id: int
    language: str
    published_at: datetime | None
    anchors: frozenset[str]


@dataclass(frozen=True)
class TranslationLink:
    """A kept pair: copy -> original, score in [0, 1], and what it rests on."""

    copy: int
    original: int
    score: float
    anchor_score: float
    cosine: float | None
    shared: tuple[str, ...]
    tie: bool


def _close(a: TranslationDoc, b: TranslationDoc, window: timedelta) -> bool:
    if a.published_at is None or b.published_at is None:
        return True
    return abs(a.published_at - b.published_at) <= window


def candidate_pairs(
    new: Sequence[TranslationDoc],
    pool: Sequence[TranslationDoc],
    doc_freq: Counter[str],
    window: timedelta = WINDOW,
) -> set[tuple[int, int]]:
    """(new id, pool id) pairs in different languages, within the window, sharing a selective anchor."""
    postings: dict[str, list[TranslationDoc]] = defaultdict(list)
    for doc in pool:
        for anchor in doc.anchors:
            if doc_freq[anchor] <= MAX_POSTING and anchor_weight(anchor) >= MIN_BLOCKING_WEIGHT:
                postings[anchor].append(doc)
    pairs: set[tuple[int, int]] = set()
    for doc in new:
        for anchor in doc.anchors:
            for other in postings.get(anchor, ()):
                if other.language != doc.language and other.id != doc.id and _close(doc, other, window):
                    pairs.add((min(doc.id, other.id), max(doc.id, other.id)))
    return pairs


def combine(anchor_score: float, cosine: float | None) -> float:
    """One score from the anchor overlap and (when available) the encoder cosine."""
    if cosine is None:
        return anchor_score
    scaled = min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))
    return ENCODER_SHARE * scaled + (1 - ENCODER_SHARE) * anchor_score


def link_translations(
    new: Sequence[TranslationDoc],
    pool: Sequence[TranslationDoc],
    embeddings: Callable[[list[int]], dict[int, np.ndarray]] | None = None,
    window: timedelta = WINDOW,
) -> list[TranslationLink]:
    """Translation links between `new` articles and the `pool` (which should include `new`)."""
    by_id = {doc.id: doc for doc in pool} | {doc.id: doc for doc in new}
    doc_freq: Counter[str] = Counter(a for doc in by_id.values() for a in doc.anchors)
    size = len(by_id)
    pairs = candidate_pairs(new, list(by_id.values()), doc_freq, window)
    if not pairs:
        return []
    matches = {}
    weigh = WeightCache(doc_freq, size)
    totals: dict[int, float] = {}
    for a, b in pairs:
        for i in (a, b):
            if i not in totals:
                totals[i] = weigh.total(by_id[i].anchors)
        match = match_weighted(by_id[a].anchors, by_id[b].anchors, weigh, totals[a], totals[b])
        if match.score >= MIN_ANCHOR_SCORE and match.shared_weight >= MIN_SHARED_WEIGHT:
            matches[(a, b)] = match
    matches = _top_candidates(matches, by_id)
    settled = _settled(matches, by_id) if embeddings else set()
    wanted = sorted({i for pair in matches if pair not in settled for i in pair})
    vectors = embeddings(wanted) if embeddings and wanted else {}
    scored: dict[tuple[int, int], tuple[float, float, float | None, tuple[str, ...]]] = {}
    for (a, b), match in matches.items():
        cosine = None
        if (a, b) not in settled and a in vectors and b in vectors:
            cosine = float(np.dot(vectors[a], vectors[b]))
        if cosine is not None and cosine < MIN_COSINE:
            continue
        if cosine is None and match.score < MIN_ANCHOR_SCORE_ALONE:
            continue
        score = combine(match.score, cosine)
        if score >= (MIN_SCORE if cosine is not None else MIN_ANCHOR_SCORE_ALONE):
            scored[(a, b)] = (score, match.score, cosine, match.shared)

    best: dict[tuple[int, str], float] = defaultdict(float)
    for (a, b), (score, *_rest) in scored.items():
        best[(a, by_id[b].language)] = max(best[(a, by_id[b].language)], score)
        best[(b, by_id[a].language)] = max(best[(b, by_id[a].language)], score)
    links: list[TranslationLink] = []
    for (a, b), (score, anchor_score, cosine, shared) in scored.items():
        mutual = score >= best[(a, by_id[b].language)] and score >= best[(b, by_id[a].language)]
        if not mutual and score < STRONG_SCORE:
            continue
        copy, original, tie = _direction(by_id[a], by_id[b])
        final = score * (TIE_FACTOR if tie else 1.0)
        links.append(TranslationLink(copy, original, round(final, 4), anchor_score,
                                     None if cosine is None else round(cosine, 4), shared, tie))
    return links


def _top_candidates(
    matches: dict[tuple[int, int], AnchorMatch], by_id: dict[int, TranslationDoc]
) -> dict[tuple[int, int], AnchorMatch]:
    """Pairs among the TOP_K best anchor matches of either article in the other language; the encoder (the
    costly part) then sees a bounded number of pairs per article, whatever the size of the pool."""
    ranked: dict[tuple[int, str], list[tuple[float, tuple[int, int]]]] = defaultdict(list)
    for pair, match in matches.items():
        a, b = pair
        ranked[(a, by_id[b].language)].append((match.score, pair))
        ranked[(b, by_id[a].language)].append((match.score, pair))
    keep: set[tuple[int, int]] = set()
    for candidates in ranked.values():
        candidates.sort(key=lambda item: (-item[0], item[1]))
        keep.update(pair for _score, pair in candidates[:TOP_K])
    return {pair: match for pair, match in matches.items() if pair in keep}


def _settled(
    matches: dict[tuple[int, int], AnchorMatch], by_id: dict[int, TranslationDoc]
) -> set[tuple[int, int]]:
    """Pairs the anchors decide alone: a high anchor score resting on several specific figures, and neither
    article has another candidate in the other's language, so no best-match choice depends on a cosine.
    They are scored on anchors (as without the encoder) and neither text is embedded for them."""
    rivals: Counter[tuple[int, str]] = Counter()
    for a, b in matches:
        rivals[(a, by_id[b].language)] += 1
        rivals[(b, by_id[a].language)] += 1
    return {
        (a, b)
        for (a, b), match in matches.items()
        if match.score >= CERTAIN_ANCHOR_SCORE
        and sum(1 for x in match.shared if x.startswith("n:") and base_weight(x) >= WEIGHT_NUMBER) >= CERTAIN_NUMBERS
        and rivals[(a, by_id[b].language)] == 1
        and rivals[(b, by_id[a].language)] == 1
    }


def _direction(a: TranslationDoc, b: TranslationDoc) -> tuple[int, int, bool]:
    """(copy, original, tie): the later article translates the earlier one."""
    if a.published_at is not None and b.published_at is not None and abs(a.published_at - b.published_at) > TIE_WINDOW:
        return (a.id, b.id, False) if a.published_at > b.published_at else (b.id, a.id, False)
    return max(a.id, b.id), min(a.id, b.id), True
