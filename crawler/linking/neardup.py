"""Same-language near-duplicates: MinHash LSH finds candidates, exact shingle containment confirms them.

LSH (datasketch) runs at a low Jaccard threshold because a repost wrapped in boilerplate, or trimmed, has a
Jaccard similarity well below its containment; each candidate pair is then checked on the real shingle sets
(containment of the smaller in the larger), so the MinHash only has to find pairs, not judge them.
Direction is decided by `direction`: explicit evidence first, then publication time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH

from crawler.linking.shingles import NUM_PERM, SEED, Signature, _permutations, containment

# 42 bands of 3 rows over 128 permutations: a pair with Jaccard 0.4 (a repost in heavy boilerplate) becomes a
# candidate with probability 0.93, one with Jaccard 0.05 with probability 0.005; the containment check
# removes false candidates, so recall is what matters here.
LSH_BANDS = 42
LSH_ROWS = 3
MIN_CONTAINMENT = 0.6
MIN_SHINGLES = 20  # shorter texts (captions, teasers) are not judged
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


class NearDuplicateIndex:
    """An LSH index of article signatures, one per language (texts in different languages never match)."""

    def __init__(self, bands: int = LSH_BANDS, rows: int = LSH_ROWS, num_perm: int = NUM_PERM) -> None:
        self.params = (bands, rows)
        self.num_perm = num_perm
        self._lsh: dict[str, MinHashLSH] = {}
        self._sizes: dict[int, int] = {}
        self._permutations = _permutations(num_perm)

    def _index(self, language: str) -> MinHashLSH:
        if language not in self._lsh:
            self._lsh[language] = MinHashLSH(num_perm=self.num_perm, params=self.params)
        return self._lsh[language]

    def _minhash(self, signature: Signature) -> MinHash:
        return MinHash(num_perm=self.num_perm, seed=SEED, hashvalues=signature.hashvalues,
                       permutations=self._permutations, scheme="legacy")

    def add(self, article_id: int, language: str, signature: Signature) -> None:
        if signature.size < MIN_SHINGLES or article_id in self._sizes:
            return
        self._index(language).insert(article_id, self._minhash(signature), check_duplication=False)
        self._sizes[article_id] = signature.size

    def candidates(self, article_id: int, language: str, signature: Signature) -> list[int]:
        """Indexed articles that may be near-duplicates of this one (itself excluded)."""
        if signature.size < MIN_SHINGLES or language not in self._lsh:
            return []
        return [other for other in self._lsh[language].query(self._minhash(signature)) if other != article_id]


def confirm(
    pairs: Iterable[tuple[int, int]],
    shingle_sets: dict[int, set[str]],
    min_containment: float = MIN_CONTAINMENT,
) -> list[NearDuplicate]:
    """Candidate pairs whose shingle sets really contain one another."""
    confirmed: list[NearDuplicate] = []
    for a, b in pairs:
        sa, sb = shingle_sets.get(a), shingle_sets.get(b)
        if not sa or not sb or min(len(sa), len(sb)) < MIN_SHINGLES:
            continue
        score = containment(sa, sb)
        if score >= min_containment:
            jaccard = len(sa & sb) / len(sa | sb)
            confirmed.append(NearDuplicate(a, b, round(score, 4), round(jaccard, 4)))
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
