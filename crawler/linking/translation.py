"""Cross-language translations (zh↔en, zh↔de, en↔de): candidates, scores and one-to-one pairs.

1. Candidates come from a signal every article has. With the encoder: each article's `NEIGHBOURS` nearest
   articles by embedding cosine in every other language published within `WINDOW` (`nearest_pairs`, a blocked
   matrix product over the articles sorted by time, so the work per article depends on the daily volume, not
   on the size of the corpus); anchors then only judge these pairs. Without the encoder, anchors are the only
   signal and the gate: pairs sharing a selective anchor (a number, date or Latin-script name found in few
   documents of the pool; `candidate_pairs`, an inverted index).
   The articles that the new ones could take are asked in turn (a second hop), so their own best partners
   compete for them and an incremental run decides as a full one would.
2. Score: the cosine, raised or lowered by what the anchors say (`combine`): shared specific figures and
   dates confirm, specific figures on both sides of which none meet contradict. A pair must also stand out
   from both articles' other neighbours (`_baselines`: the margin that bitext mining uses, since unrelated
   texts of some language pairs score higher than of others), unless shared anchors vouch for it.
   Anchors alone: the anchor overlap (`anchors.match_anchors`).
3. One-to-one (`one_to_one`): per article and other language at most one translation. Pairs are taken best
   first; a pair whose article already has its translation in that language is dropped, so a document without
   a partner does not take a partner's leftover unless its own score clears the bar. An article whose best
   score is shared by two free candidates (anchors alone: a lone "150" in three stories) takes neither.
Direction: the earlier article is the original; a tie keeps the pair with a lower score.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from crawler.linking.anchors import AnchorMatch, WeightCache, anchor_weight, match_weighted

WINDOW = timedelta(days=3)
# Anchors found in more documents of the pool than this are too common to propose candidates.
MAX_POSTING = 60
MIN_BLOCKING_WEIGHT = 0.3
# Encoder candidates: nearest articles per article and other language, and queries per matrix product.
NEIGHBOURS = 4
QUERY_BLOCK = 256
# With the encoder: a pair needs this cosine to be considered and this combined score to be kept.
MIN_COSINE = 0.45
MIN_SCORE = 0.65
# ... and stand out by MIN_MARGIN from the cosines of both articles' other neighbours (see `_baselines`),
# unless an anchor score of ANCHORS_VOUCH vouches for it: a pool of same-day stories on one topic crowds a
# translation's neighbourhood, and its shared figures and names then tell it apart.
MIN_MARGIN = 0.12
ANCHORS_VOUCH = 0.3
BASELINE_PRIOR = 0.4
PRIOR_WEIGHT = 1.0
ANCHOR_BONUS = 0.2  # added at a full anchor overlap
CONTRADICTION_PENALTY = 0.1  # taken off when specific figures on both sides never meet
# Without the encoder, anchors carry the decision.
MIN_ANCHOR_SCORE_ALONE = 0.3
MIN_SHARED_WEIGHT = 1.0  # about one specific figure, or a date and a name
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
    margin: float | None = None


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
    # only the new articles' selective anchors are looked up, so only those are indexed (each judged once)
    wanted = {a for doc in new for a in doc.anchors}
    wanted = {a for a in wanted if doc_freq[a] <= MAX_POSTING and anchor_weight(a) >= MIN_BLOCKING_WEIGHT}
    postings: dict[str, list[TranslationDoc]] = defaultdict(list)
    for doc in pool:
        for anchor in doc.anchors & wanted:
            postings[anchor].append(doc)
    pairs: set[tuple[int, int]] = set()
    for doc in new:
        for anchor in doc.anchors:
            for other in postings.get(anchor, ()):
                if other.language != doc.language and other.id != doc.id and _close(doc, other, window):
                    pairs.add((min(doc.id, other.id), max(doc.id, other.id)))
    return pairs


def combine(anchor: AnchorMatch, cosine: float) -> float:
    """One score from the encoder cosine and the anchor overlap: shared anchors add up to ANCHOR_BONUS,
    specific figures on both sides that never meet take off up to CONTRADICTION_PENALTY."""
    score = cosine + ANCHOR_BONUS * anchor.score
    if anchor.contradiction:
        score -= CONTRADICTION_PENALTY * anchor.contradiction
    return score


def _time(doc: TranslationDoc) -> float:
    """Publication time in seconds, NaN when unknown (NaN is never farther than the window from anything)."""
    return doc.published_at.timestamp() if doc.published_at is not None else math.nan


def _by_time(docs: Sequence[TranslationDoc]) -> list[TranslationDoc]:
    """Dated articles oldest first, then the undated ones."""
    return sorted(docs, key=lambda d: (d.published_at is None, 0.0 if d.published_at is None else _time(d)))


def nearest_pairs(
    queries: Sequence[TranslationDoc],
    pool: Sequence[TranslationDoc],
    vectors: Mapping[int, np.ndarray],
    window: timedelta = WINDOW,
    neighbours: int = NEIGHBOURS,
) -> dict[tuple[int, int], float]:
    """(low id, high id) -> cosine for each query's `neighbours` nearest pool articles in every other language
    within `window` (an article without a date is compared with every article of that language).

    Per language, the pool is sorted by time; queries go in blocks of QUERY_BLOCK consecutive in time, each
    multiplied only with the pool's slice that the block's window reaches (plus the undated articles)."""
    out: dict[tuple[int, int], float] = {}
    by_language: dict[str, list[TranslationDoc]] = defaultdict(list)
    for doc in pool:
        if doc.id in vectors:
            by_language[doc.language].append(doc)
    span = window.total_seconds()
    for language, members in by_language.items():
        ordered = _by_time(members)
        dated = sum(1 for d in ordered if d.published_at is not None)
        times = np.array([_time(d) for d in ordered], dtype=np.float64)
        ids = np.array([d.id for d in ordered], dtype=np.int64)
        matrix = np.vstack([vectors[d.id] for d in ordered])
        asking = _by_time([q for q in queries if q.language != language and q.id in vectors])
        for start in range(0, len(asking), QUERY_BLOCK):
            block = asking[start : start + QUERY_BLOCK]
            q_times = np.array([_time(q) for q in block], dtype=np.float64)
            if np.isnan(q_times).any():
                columns = np.arange(len(ids))
            else:
                low = np.searchsorted(times[:dated], q_times.min() - span, side="left")
                high = np.searchsorted(times[:dated], q_times.max() + span, side="right")
                columns = np.concatenate([np.arange(low, high), np.arange(dated, len(ids))])
            if not len(columns):
                continue
            scores = np.vstack([vectors[q.id] for q in block]) @ matrix[columns].T
            with np.errstate(invalid="ignore"):
                scores[np.abs(q_times[:, None] - times[columns][None, :]) > span] = -np.inf
            k = min(neighbours, len(columns))
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            for row, query in enumerate(block):
                for col in top[row]:
                    if scores[row, col] > -np.inf:
                        other = int(ids[columns[col]])
                        out[(min(query.id, other), max(query.id, other))] = float(scores[row, col])
    return out


def link_translations(
    new: Sequence[TranslationDoc],
    pool: Sequence[TranslationDoc],
    vectors: Mapping[int, np.ndarray] | None = None,
    window: timedelta = WINDOW,
) -> list[TranslationLink]:
    """Translation links between `new` articles and the `pool` (which should include `new`). `vectors`: the
    articles' L2-normalised embeddings (None or empty: anchors alone)."""
    by_id = {doc.id: doc for doc in pool} | {doc.id: doc for doc in new}
    doc_freq: Counter[str] = Counter(a for doc in by_id.values() for a in doc.anchors)
    weigh = WeightCache(doc_freq, len(by_id))
    totals: dict[int, float] = {}

    def anchor_match(a: int, b: int) -> AnchorMatch:
        for i in (a, b):
            if i not in totals:
                totals[i] = weigh.total(by_id[i].anchors)
        return match_weighted(by_id[a].anchors, by_id[b].anchors, weigh, totals[a], totals[b])

    everyone = list(by_id.values())
    new_ids = {d.id for d in new}
    scored: dict[tuple[int, int], tuple[float, AnchorMatch, float | None]] = {}
    margins: dict[tuple[int, int], float] = {}
    # in both branches the articles the new ones could take are asked in turn (a second hop), so that their own
    # best partners compete for them
    if vectors:
        # candidates are the nearest neighbours and anchors only judge them: pairs proposed by an anchor outside
        # both articles' neighbourhoods never cleared the bar on the dev news (benchmarks/linking_eval.py gives
        # the same links with and without them) and cost more than the rest of the stage
        cosines = nearest_pairs(new, everyone, vectors, window)
        second = {i for pair in cosines for i in pair} - new_ids
        cosines.update(nearest_pairs([by_id[i] for i in second], everyone, vectors, window))
        baseline = _baselines(cosines, {i: d.language for i, d in by_id.items()})
        for (a, b), cosine in cosines.items():
            if cosine < MIN_COSINE:
                continue
            margin = cosine - (baseline(a, b) + baseline(b, a)) / 2
            if not _may_pass(cosine, margin, bool(by_id[a].anchors & by_id[b].anchors)):
                continue
            match = anchor_match(a, b)
            score = combine(match, cosine)
            if score >= MIN_SCORE and (margin >= MIN_MARGIN or match.score >= ANCHORS_VOUCH):
                scored[(a, b)] = (score, match, cosine)
                margins[(a, b)] = margin
    else:
        anchor_pairs = candidate_pairs(new, everyone, doc_freq, window)
        touched = {i for pair in anchor_pairs for i in pair} - new_ids
        anchor_pairs |= candidate_pairs([by_id[i] for i in touched], everyone, doc_freq, window)
        for a, b in anchor_pairs:
            match = anchor_match(a, b)
            if match.score >= MIN_ANCHOR_SCORE_ALONE and match.shared_weight >= MIN_SHARED_WEIGHT:
                scored[(a, b)] = (match.score, match, None)
    links: list[TranslationLink] = []
    languages = {i: d.language for i, d in by_id.items()}
    for a, b in one_to_one({pair: value[0] for pair, value in scored.items()}, languages):
        score, match, cosine = scored[(a, b)]
        copy, original, tie = _direction(by_id[a], by_id[b])
        final = min(1.0, max(0.0, score)) * (TIE_FACTOR if tie else 1.0)
        margin = margins.get((a, b))
        links.append(TranslationLink(copy, original, round(final, 4), match.score,
                                     None if cosine is None else round(cosine, 4), match.shared, tie,
                                     None if margin is None else round(margin, 4)))
    return links


def _may_pass(cosine: float, margin: float, share_anchors: bool) -> bool:
    """Whether a pair could still be kept, before its anchors are weighed: without a shared anchor its anchor
    score is 0, so it needs the margin and the score on its cosine alone; with one, at most ANCHOR_BONUS is
    added. (Most candidate pairs are neighbours that fail here, and weighing anchors is the costly part.)"""
    if not share_anchors:
        return margin >= MIN_MARGIN and cosine >= MIN_SCORE
    return cosine + ANCHOR_BONUS >= MIN_SCORE


def _baselines(
    cosines: Mapping[tuple[int, int], float], language: Mapping[int, str]
) -> Callable[[int, int], float]:
    """baseline(a, b): how close `a` is to the other articles of b's language anyway, the mean cosine of its
    other nearest neighbours there, pulled towards BASELINE_PRIOR when it has few. A translation stands out
    from that baseline; an article that is merely as close to it as to everything else (a language pair whose
    unrelated texts score high, a text that is close to all) does not."""
    near: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for (a, b), cosine in cosines.items():
        near[(a, language[b])].append((b, cosine))
        near[(b, language[a])].append((a, cosine))
    top = {key: neighbourhood(found) for key, found in near.items()}

    def baseline(a: int, b: int) -> float:
        return baseline_without(top[(a, language[b])], b)

    return baseline


# An article's closest NEIGHBOURS - 1 in one language (id -> cosine), their cosine sum, and the next closest
# cosine, which replaces a left-out member: enough to leave out any one of them.
Neighbourhood = tuple[dict[int, float], float, float | None]


def neighbourhood(found: Sequence[tuple[int, float]]) -> Neighbourhood:
    best = heapq.nlargest(NEIGHBOURS, found, key=lambda item: item[1])
    head = dict(best[: NEIGHBOURS - 1])
    return head, sum(head.values()), best[NEIGHBOURS - 1][1] if len(best) == NEIGHBOURS else None


def baseline_without(near: Neighbourhood, b: int) -> float:
    """The mean cosine of the closest NEIGHBOURS - 1 other than `b`, pulled towards BASELINE_PRIOR."""
    head, total, spare = near
    count = len(head)
    left_out = head.get(b)
    if left_out is not None:
        total -= left_out
        count -= 1
        if spare is not None:
            total += spare
            count += 1
    return (total + BASELINE_PRIOR * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT)


def one_to_one(scores: Mapping[tuple[int, int], float], language: Mapping[int, str]) -> list[tuple[int, int]]:
    """The pairs kept: best first, each article at most once per other language; an article whose best free
    candidates tie (equal scores) takes none of them."""
    order = sorted(scores, key=lambda pair: (-scores[pair], pair))
    taken: set[tuple[int, str]] = set()
    kept: list[tuple[int, int]] = []
    index = 0
    while index < len(order):
        score = scores[order[index]]
        end = index
        while end < len(order) and scores[order[end]] == score:
            end += 1
        group = [(a, b) for a, b in order[index:end]
                 if (a, language[b]) not in taken and (b, language[a]) not in taken]
        sides = Counter(side for a, b in group for side in ((a, language[b]), (b, language[a])))
        for a, b in group:
            if sides[(a, language[b])] == 1 and sides[(b, language[a])] == 1:
                kept.append((a, b))
        for a, b in group:  # a tie settles its articles: none of them takes a worse candidate afterwards
            taken.update(((a, language[b]), (b, language[a])))
        index = end
    return kept


def _direction(a: TranslationDoc, b: TranslationDoc) -> tuple[int, int, bool]:
    """(copy, original, tie): the later article translates the earlier one."""
    if a.published_at is not None and b.published_at is not None and abs(a.published_at - b.published_at) > TIE_WINDOW:
        return (a.id, b.id, False) if a.published_at > b.published_at else (b.id, a.id, False)
    return max(a.id, b.id), min(a.id, b.id), True
