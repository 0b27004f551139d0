"""Same-language near-duplicates: MinHash LSH finds candidates, exact shingle containment confirms them.

LSH (datasketch's banding, computed for a whole batch with numpy: one sort instead of an insert and a query
per article) runs at a low Jaccard threshold because a repost wrapped in boilerplate, or trimmed, has a
Jaccard similarity well below its containment; each candidate pair is then checked on the real shingle sets
(containment of the smaller in the larger), so the MinHash only has to find pairs, not judge them.
Direction is decided by `direction`: explicit evidence first, then publication time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from crawler.linking.shingles import Signature

# 42 bands of 3 rows over 128 permutations: a pair with Jaccard 0.4 (a repost in heavy boilerplate) becomes a
# candidate with probability 0.93, one with Jaccard 0.05 with probability 0.005; the containment check
# removes false candidates, so recall is what matters here.
LSH_BANDS = 42
LSH_ROWS = 3
# A second banding for excerpts: a copy keeping 30 % of its original has a Jaccard of 0.3 with it (its
# containment is 1), found by 42 bands of 3 rows with probability 0.68 only; 42 bands of 2 rows find it with
# probability 0.98 (0.82 at 20 %). That banding also pairs more unrelated texts, so it keeps only pairs whose
# sizes differ by EXCERPT_SIZE_RATIO at least (the excerpt case); pairs of similar size are the first banding's.
EXCERPT_ROWS = 2
EXCERPT_SIZE_RATIO = 1.5
# A 2-row band value shared by more articles than this comes from text many articles share (a stock sentence,
# boilerplate), not from one story and its excerpts: the excerpt banding skips such buckets, which would
# otherwise grow with the square of the corpus.
EXCERPT_MAX_BUCKET = 16
MIN_CONTAINMENT = 0.6
MIN_SHINGLES = 20  # shorter texts (captions, teasers) are not judged
# A short text (a notice, a chat reply, a brief) is mostly its template: two of them that share the template
# and differ in their own sentence reach a containment of 0.7 to 0.8. A near-duplicate of a text this short
# must hold nearly all of it.
SHORT_SHINGLES = 100  # about 100 words or 100 Chinese characters: a notice or a reply, not an article
MIN_CONTAINMENT_SHORT = 0.85
# Boilerplate-aware containment: a shingle found in COMMON_DF or more of the articles that take part in candidate
# pairs (those whose shingles `confirm` reads together) is template text or a stock phrase, not one story's
# content, since a story is copied by a handful of outlets while a site's template or a chat closing recurs in
# every article that uses it. Such a shingle counts COMMON_DF / df instead of 1, on both sides and in the shared
# part alike, and a text must keep MIN_SHINGLES of weight (its own content) to be judged at all. A story copied
# by COMMON_DF or more outlets still links: its shared shingles are discounted on both sides alike.
COMMON_DF = 10
# Candidates whose containment estimated from the signatures is below this are dropped before their shingles
# are loaded: half of MIN_CONTAINMENT, about six standard deviations of a 128-permutation Jaccard estimate.
MIN_ESTIMATED_CONTAINMENT = MIN_CONTAINMENT / 2
# Publication times closer than this are a tie: the direction is undetermined.
TIE_WINDOW = timedelta(minutes=1)
TIE_SCORE_FACTOR = 0.8


@dataclass(frozen=True)
class NearDuplicate:
    """A confirmed pair (unordered): the containment of the smaller text in the larger and the Jaccard."""

    a: int
    b: int
    containment: float
    jaccard: float


def _banded(
    docs: Iterable[tuple[int, str, Signature]], bands: int, rows: int
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per language: the ids, the band values (one row of bands * rows MinHash values each) and the shingle counts
    of the articles long enough to be judged (MIN_SHINGLES), each id once."""
    by_language: dict[str, dict[int, Signature]] = {}
    for article_id, language, signature in docs:
        if signature.size >= MIN_SHINGLES and len(signature.hashvalues) >= bands * rows:
            by_language.setdefault(language, {}).setdefault(article_id, signature)
    out = {}
    for language, members in by_language.items():
        ids = np.fromiter(members, dtype=np.int64, count=len(members))
        values = np.vstack([sig.hashvalues[: bands * rows] for sig in members.values()]).astype(np.uint64)
        sizes = np.array([sig.size for sig in members.values()], dtype=np.float64)
        out[language] = (ids, values, sizes)
    return out


def _bandings(values: np.ndarray, bands: int, rows: int) -> Iterator[tuple[bool, np.ndarray]]:
    """(excerpts, keys) for the two bandings: one 64-bit key per (article, band), shape (articles, bands)."""
    for band_rows, excerpts in ((rows, False), (EXCERPT_ROWS, True)):
        matrix = values[:, : bands * band_rows].reshape(len(values), bands, band_rows)
        yield excerpts, _band_keys(matrix, int(excerpts))


def lsh_candidates(
    docs: Sequence[tuple[int, str, Signature]],
    queries: Iterable[int] | None = None,
    bands: int = LSH_BANDS,
    rows: int = LSH_ROWS,
) -> set[tuple[int, int]]:
    """Unordered pairs (low id, high id) of same-language articles whose signatures agree on a whole band.

    The banding of `datasketch.MinHashLSH(params=(bands, rows))`, done at once for the whole batch with numpy:
    each band of each signature is hashed to one 64-bit key, the keys are sorted, and articles sharing a key
    (in the same band and language) are candidates. A hash collision can only add a candidate, which
    `confirm` checks on the real shingles. Texts shorter than MIN_SHINGLES are left out. With `queries`, only
    pairs with at least one of those articles are returned. Cost: a sort of len(docs) * bands keys (a window
    that slides block by block is `BandWindow`'s, at a cost that follows the block)."""
    keep = None if queries is None else set(queries)
    pairs: set[tuple[int, int]] = set()
    for ids, values, size in _banded(docs, bands, rows).values():
        if len(ids) < 2:
            continue
        asking = None if keep is None else np.fromiter((i in keep for i in ids.tolist()), dtype=bool, count=len(ids))
        for excerpts, keys in _bandings(values, bands, rows):
            owners = np.broadcast_to(np.arange(len(ids))[:, None], keys.shape).ravel()
            flat = keys.ravel()
            if asking is not None:  # only the buckets a query is in (whole, so bucket sizes are unchanged)
                wanted = np.isin(flat, keys[asking].ravel())
                flat, owners = flat[wanted], owners[wanted]
            for a, b in _colliding(flat, owners, EXCERPT_MAX_BUCKET if excerpts else None):
                if excerpts:
                    wide = np.maximum(size[a], size[b]) >= EXCERPT_SIZE_RATIO * np.minimum(size[a], size[b])
                    a, b = a[wide], b[wide]
                low, high = np.minimum(ids[a], ids[b]), np.maximum(ids[a], ids[b])
                pairs.update(zip(low.tolist(), high.tolist(), strict=True))
    if keep is not None:
        pairs = {pair for pair in pairs if pair[0] in keep or pair[1] in keep}
    return pairs


@dataclass
class _Chunk:
    """One block's band keys in one language and banding, sorted, with each key's article and its shingle count."""

    keys: np.ndarray
    owners: np.ndarray
    sizes: np.ndarray

    def without(self, ids: np.ndarray) -> _Chunk:
        keep = ~np.isin(self.owners, ids)
        return _Chunk(self.keys[keep], self.owners[keep], self.sizes[keep])


class BandWindow:
    """`lsh_candidates` over a window that slides block by block, at a cost that follows the block, not the
    window: each article's band keys are computed once, when its block comes in, and kept sorted per block;
    a new block's keys are looked up in each kept block by binary search instead of the window being banded
    and sorted again. It finds the same pairs as `lsh_candidates(window + block, queries=block)`."""

    def __init__(self, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> None:
        self.bands, self.rows = bands, rows
        self._chunks: dict[tuple[str, bool], dict[int, _Chunk]] = {}
        self._block_of: dict[int, int] = {}
        self._serial = 0

    def __len__(self) -> int:
        return len(self._block_of)

    def forget(self, ids: Iterable[int]) -> None:
        """Take articles out of the window (only the blocks that hold them are rewritten)."""
        by_block: dict[int, list[int]] = {}
        for article_id in ids:
            block = self._block_of.pop(article_id, None)
            if block is not None:
                by_block.setdefault(block, []).append(article_id)
        for block, gone in by_block.items():
            dropped = np.array(gone, dtype=np.int64)
            for chunks in self._chunks.values():
                if block in chunks:
                    chunks[block] = chunks[block].without(dropped)
                    if not len(chunks[block].keys):
                        del chunks[block]

    def add(self, docs: Sequence[tuple[int, str, Signature]]) -> set[tuple[int, int]]:
        """Put a block into the window; its candidate pairs (low id, high id), each with one of its articles."""
        self._serial += 1
        pairs: set[tuple[int, int]] = set()
        for language, (ids, values, sizes) in _banded(docs, self.bands, self.rows).items():
            self._block_of.update(dict.fromkeys(ids.tolist(), self._serial))
            for excerpts, keys in _bandings(values, self.bands, self.rows):
                owners = np.repeat(ids, keys.shape[1])
                order = np.argsort(keys.ravel(), kind="stable")
                new = _Chunk(keys.ravel()[order], owners[order], np.repeat(sizes, keys.shape[1])[order])
                chunks = self._chunks.setdefault((language, excerpts), {})
                chunks[self._serial] = new
                pairs |= self._pairs(new, list(chunks.values()), excerpts)
        return pairs

    @staticmethod
    def _pairs(new: _Chunk, chunks: list[_Chunk], excerpts: bool) -> set[tuple[int, int]]:
        spans = [(chunk, np.searchsorted(chunk.keys, new.keys, "left"), np.searchsorted(chunk.keys, new.keys, "right"))
                 for chunk in chunks]
        total = sum(hi - lo for _chunk, lo, hi in spans)  # bucket size of each new key over the whole window
        asked = (total >= 2) & (total <= EXCERPT_MAX_BUCKET) if excerpts else total >= 2
        pairs: set[tuple[int, int]] = set()
        for chunk, lo, hi in spans:
            counts = np.where(asked, hi - lo, 0)
            found = int(counts.sum())
            if not found:
                continue
            query = np.repeat(np.arange(len(new.keys)), counts)
            at = np.repeat(lo, counts) + np.arange(found) - np.repeat(np.cumsum(counts) - counts, counts)
            a, b = new.owners[query], chunk.owners[at]
            keep = a != b
            if excerpts:
                mine, theirs = new.sizes[query], chunk.sizes[at]
                keep &= np.maximum(mine, theirs) >= EXCERPT_SIZE_RATIO * np.minimum(mine, theirs)
            a, b = a[keep], b[keep]
            pairs.update(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True))
        return pairs


def plausible(
    pairs: Iterable[tuple[int, int]],
    signatures: dict[int, Signature],
    min_estimate: float = MIN_ESTIMATED_CONTAINMENT,
    chunk: int = 100_000,
) -> list[tuple[int, int]]:
    """Candidate pairs whose containment, estimated from the signatures (MinHash Jaccard and the two shingle
    counts), is at least `min_estimate`: the rest cannot reach MIN_CONTAINMENT, so their shingles are never
    loaded. Vectorised over all pairs at once."""
    pairs = [pair for pair in pairs if pair[0] in signatures and pair[1] in signatures]
    if not pairs:
        return []
    ids = sorted({i for pair in pairs for i in pair})
    row = {article_id: index for index, article_id in enumerate(ids)}
    matrix = np.vstack([signatures[i].hashvalues for i in ids])
    sizes = np.array([signatures[i].size for i in ids], dtype=np.float64)
    index = np.array([(row[a], row[b]) for a, b in pairs], dtype=np.int64)
    keep = np.empty(len(pairs), dtype=bool)
    for start in range(0, len(pairs), chunk):
        a, b = index[start : start + chunk, 0], index[start : start + chunk, 1]
        jaccard = (matrix[a] == matrix[b]).mean(axis=1)
        shared = jaccard * (sizes[a] + sizes[b]) / (1 + jaccard)
        keep[start : start + chunk] = shared >= min_estimate * np.maximum(np.minimum(sizes[a], sizes[b]), 1)
    return [pair for pair, kept in zip(pairs, keep.tolist(), strict=True) if kept]


_KEY_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                            dtype=np.uint64)


def _band_keys(matrix: np.ndarray, salt: int) -> np.ndarray:
    """One 64-bit key per (article, band): the band's values and its index, mixed by multiply-xor."""
    count, bands, rows = matrix.shape
    band_index = np.arange(bands, dtype=np.uint64) + np.uint64(salt * bands)
    with np.errstate(over="ignore"):
        keys = np.broadcast_to(band_index * _KEY_MULTIPLIERS[-1], (count, bands)).copy()
        for row in range(rows):
            keys ^= matrix[:, :, row] * _KEY_MULTIPLIERS[row % (len(_KEY_MULTIPLIERS) - 1)]
            keys ^= keys >> np.uint64(29)
    return keys


def _colliding(
    keys: np.ndarray, owners: np.ndarray, max_bucket: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(low ids, high ids) arrays of every two owners sharing a key, one pair of arrays per bucket size;
    buckets of more than `max_bucket` owners are skipped."""
    order = np.argsort(keys, kind="stable")
    keys, owners = keys[order], owners[order]
    boundaries = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate(([0], boundaries))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    wanted = (sizes >= 2) if max_bucket is None else (sizes >= 2) & (sizes <= max_bucket)
    for size in np.unique(sizes[wanted]).tolist():
        first = starts[sizes == size]
        group = owners[first[:, None] + np.arange(size)]  # one row per bucket of this size
        for i in range(size):
            for j in range(i + 1, size):
                a, b = group[:, i], group[:, j]
                distinct = a != b
                yield np.minimum(a, b)[distinct], np.maximum(a, b)[distinct]


@dataclass(frozen=True)
class CommonShingles:
    """Template shingles: sorted hashes found in at least `min_df` of the articles read together, and each
    one's document frequency."""

    keys: np.ndarray
    df: np.ndarray
    min_df: int = COMMON_DF

    def weights(self, items: np.ndarray) -> np.ndarray:
        """Each shingle's weight: 1, or min_df / its document frequency for a common one."""
        out = np.ones(len(items), dtype=np.float64)
        if len(self.keys) and len(items):
            at = np.minimum(np.searchsorted(self.keys, items), len(self.keys) - 1)
            hit = self.keys[at] == items
            out[hit] = self.min_df / self.df[at[hit]]
        return out


def common_shingles(shingle_sets: Mapping[int, np.ndarray], min_df: int = COMMON_DF) -> CommonShingles:
    """The shingles (hashed, see `shingles.hashed`) found in at least `min_df` of the given articles."""
    if not shingle_sets:
        return CommonShingles(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64), min_df)
    keys, counts = np.unique(np.concatenate(list(shingle_sets.values())), return_counts=True)
    common = counts >= min_df
    return CommonShingles(keys[common], counts[common], min_df)


def confirm(
    pairs: Iterable[tuple[int, int]],
    shingle_sets: Mapping[int, np.ndarray],
    min_containment: float = MIN_CONTAINMENT,
    common: CommonShingles | None = None,
) -> list[NearDuplicate]:
    """Candidate pairs whose shingle sets (hashed: sorted distinct uint32, `shingles.hashed`) really contain one
    another: the (boilerplate-aware) containment of the smaller text in the larger. `common`: document
    frequencies of template shingles (default: those of `shingle_sets`, see COMMON_DF)."""
    common = common_shingles(shingle_sets) if common is None else common
    weights: dict[int, np.ndarray] = {}
    sizes: dict[int, float] = {}

    def weight(i: int, items: np.ndarray) -> np.ndarray:
        if i not in weights:
            weights[i] = common.weights(items)
            sizes[i] = float(weights[i].sum())
        return weights[i]

    confirmed: list[NearDuplicate] = []
    for a, b in pairs:
        sa, sb = shingle_sets.get(a), shingle_sets.get(b)
        if sa is None or sb is None or min(len(sa), len(sb)) < MIN_SHINGLES:
            continue
        wa, _wb = weight(a, sa), weight(b, sb)
        own = min(sizes[a], sizes[b])
        if own < MIN_SHINGLES:  # mostly template: no content of its own to be a copy of
            continue
        _shared, in_a, _in_b = np.intersect1d(sa, sb, assume_unique=True, return_indices=True)
        score = float(wa[in_a].sum()) / own
        short = own < SHORT_SHINGLES
        needed = max(min_containment, MIN_CONTAINMENT_SHORT) if short else min_containment
        if score >= needed:
            jaccard = len(in_a) / (len(sa) + len(sb) - len(in_a))
            confirmed.append(NearDuplicate(a, b, round(min(score, 1.0), 4), round(jaccard, 4)))
    return confirmed


@dataclass(frozen=True)
class Direction:
    """Which article is the copy, which the original, and on what grounds (`explicit`, `time` or `tie`)."""

    copy: int
    original: int
    basis: str


def direction(
    a: int,
    b: int,
    published: dict[int, datetime | None],
    explicit: set[tuple[int, int]] | None = None,
) -> Direction:
    """Explicit evidence (a -> b known from attributions) wins; then the later article is the copy;
    equal or unknown times are a tie, recorded with the higher id (the one stored later) as the copy."""
    if explicit:
        if (a, b) in explicit:
            return Direction(a, b, "explicit")
        if (b, a) in explicit:
            return Direction(b, a, "explicit")
    ta, tb = published.get(a), published.get(b)
    if ta is not None and tb is not None and abs(ta - tb) > TIE_WINDOW:
        return Direction(a, b, "time") if ta > tb else Direction(b, a, "time")
    return Direction(max(a, b), min(a, b), "tie")
