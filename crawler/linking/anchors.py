"""Language-independent anchors of a text (numbers, dates, Latin-script names) and how much two texts share.

A translation keeps its original's figures, dates and foreign names even when every word changes, so
anchors verify a cross-language candidate (and find candidates cheaply through an inverted index).
Each anchor is a string with a kind prefix: `n:` number (see `numbers`), `d:` month-day date, `l:` a
Latin-script name or code. Pure functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from crawler.linking.numbers import number_values
from crawler.linking.zh_numerals import arabic_numerals

MONTHS: dict[str, int] = {
    **{m: i for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
    **{m: i for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    "sept": 9,
    **{m: i for i, m in enumerate(
        ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
         "november", "dezember"), start=1)},
    "jänner": 1,
    "okt": 10,
    "dez": 12,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
ZH_DATE_RE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
# Any word before the day, kept only when it is a month name: the same matches as an alternation of the month
# names (a month is always a whole word here), without trying forty alternatives at every word.
EN_DATE_RE = re.compile(r"\b(?P<mon>[^\W\d_]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b")
DAY_MONTH_RE = re.compile(rf"\b(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?P<mon>(?i:{_MONTH_RE}))\b")
# Latin-script names and codes: capitalised words, acronyms, letter-digit codes (WuDao, BAAI, 5G, COVID-19).
LATIN_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][a-zA-Z]+|[A-Z0-9]*[A-Z][A-Z0-9]+|\d+[A-Za-z]+)(?:-\d+)?")
# Capitalised words that are sentence openers or function words, not names.
LATIN_STOPWORDS = frozenset(
    (
        "the", "a", "an", "and", "or", "but", "in", "on", "at", "of", "for", "to", "from", "by", "with", "as", "is",
        "are", "was", "were", "be", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "you",
        "i", "his", "her", "their", "our", "my", "your", "there", "here", "what", "when", "where", "which", "who",
        "why", "how", "not", "no", "if", "also", "after", "before", "during", "since", "while", "about", "over",
        "under", "new", "more", "most", "many", "some", "all", "one", "two", "three", "mr", "mrs", "ms", "dr", "der",
        "die", "das", "ein", "eine", "und", "oder", "aber", "im", "in", "am", "an", "auf", "aus", "bei", "mit", "nach",
        "von", "vor", "zu", "zum", "zur", "für", "über", "unter", "ist", "sind", "war", "waren", "es", "er", "sie",
        "wir", "ihr", "ich", "sein", "ihre", "auch", "als", "wie", "wenn", "dass", "nicht", "kein", "keine", "so",
        "doch", "noch", "nur", "schon", "bereits", "dies", "diese", "dieser", "dieses", "jetzt", "heute", "dann",
        "denn", "man", "mehr",
    )
)
# Weights by kind; numbers are graded by how specific they are.
WEIGHT_DATE = 0.6
WEIGHT_NAME = 0.7
WEIGHT_NUMBER_WEAK = 0.15  # one significant digit, or a small integer
WEIGHT_NUMBER_YEAR = 0.3
WEIGHT_NUMBER = 1.0
# Shared weight at which an overlap is trusted fully (fewer shared anchors are discounted).
CONFIDENT_SHARED_WEIGHT = 2.5
# Specific figures each side needs before figures that do not meet count against a pair.
CONTRADICTING_FIGURES = 2


@dataclass(frozen=True)
class AnchorMatch:
    """What two texts share: a score in [0, 1], the shared anchors and their summed weight."""

    score: float
    shared: tuple[str, ...]
    shared_weight: float
    # Share of the specific figures of the side with fewer of them that the other side lacks, when both sides
    # have at least CONTRADICTING_FIGURES of them (a translation keeps its figures; another story has its own).
    contradiction: float = 0.0


def _dates(text: str) -> set[str]:
    found: set[str] = set()
    for match in ZH_DATE_RE.finditer(text) if "月" in text else ():
        month, day = int(match.group("m")), int(match.group("d"))
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.add(f"d:{month:02d}-{day:02d}")
    for regex in (EN_DATE_RE, DAY_MONTH_RE):
        for match in regex.finditer(text):
            month, day = MONTHS.get(match.group("mon").lower(), 0), int(match.group("d"))
            if month and 1 <= day <= 31:
                found.add(f"d:{month:02d}-{day:02d}")
    return found


def _names(text: str) -> set[str]:
    found: set[str] = set()
    for token in LATIN_TOKEN_RE.findall(text):
        folded = token.casefold()
        if len(folded) < 2 or folded in LATIN_STOPWORDS or folded in MONTHS:
            continue
        found.add("l:" + folded)
    return found


def extract_anchors(text: str, language: str | None = None) -> frozenset[str]:
    """Every anchor of a text; `language` decides how separators in numbers are read (see `numbers`).
    Chinese (or undetermined) text has its Chinese numerals read first (see `zh_numerals`)."""
    if language in (None, "zh"):
        text = arabic_numerals(text)
    anchors = {"n:" + v for v in number_values(text, language)}
    anchors |= _dates(text)
    anchors |= _names(text)
    return frozenset(anchors)


@lru_cache(maxsize=1 << 16)
def base_weight(anchor: str) -> float:
    """How much one anchor says on its own, before rarity in the pool is taken into account."""
    kind, value = anchor[:2], anchor[2:]
    if kind == "d:":
        return WEIGHT_DATE
    if kind == "l:":
        return WEIGHT_NAME
    mantissa, _, exponent = value.rstrip("%").partition("e")
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    magnitude = int(exponent or 0)
    number = float(value.rstrip("%"))
    if digits == 1 and magnitude < 6:
        return WEIGHT_NUMBER_WEAK
    if number.is_integer() and number < 100 and not value.endswith("%"):
        return WEIGHT_NUMBER_WEAK * 2
    if number.is_integer() and 1900 <= number <= 2100:
        return WEIGHT_NUMBER_YEAR
    return WEIGHT_NUMBER


def anchor_weight(anchor: str, doc_freq: Mapping[str, int] | None = None, pool_size: int = 0) -> float:
    """Base weight times a rarity factor: an anchor found in a large share of the pool counts for little."""
    weight = base_weight(anchor)
    if doc_freq and pool_size > 1:
        df = doc_freq.get(anchor, 1)
        weight *= min(1.0, math.log((pool_size + 1) / df) / math.log(pool_size + 1) * 2)
    return max(weight, 0.0)


def match_anchors(
    a: frozenset[str],
    b: frozenset[str],
    doc_freq: Mapping[str, int] | None = None,
    pool_size: int = 0,
) -> AnchorMatch:
    """Share of the smaller side's anchor weight found on the other side, discounted when little is shared."""
    weigh = WeightCache(doc_freq, pool_size)
    return match_weighted(a, b, weigh, weigh.total(a), weigh.total(b))


class WeightCache:
    """Anchor weights in one pool, each computed once (the pool's document frequencies do not change)."""

    def __init__(self, doc_freq: Mapping[str, int] | None = None, pool_size: int = 0) -> None:
        self.doc_freq = doc_freq
        self.pool_size = pool_size
        self._weights: dict[str, float] = {}

    def __call__(self, anchor: str) -> float:
        weight = self._weights.get(anchor)
        if weight is None:
            weight = self._weights[anchor] = anchor_weight(anchor, self.doc_freq, self.pool_size)
        return weight

    def total(self, anchors: frozenset[str]) -> float:
        return sum(self(x) for x in anchors)


def match_weighted(
    a: frozenset[str], b: frozenset[str], weigh: WeightCache, total_a: float, total_b: float
) -> AnchorMatch:
    """`match_anchors` with the weights and the two sides' total weights already known."""
    shared = a & b
    contradiction = _contradiction(a, b, shared)
    if not shared:
        return AnchorMatch(0.0, (), 0.0, contradiction)
    shared_weight = weigh.total(frozenset(shared))
    smaller = min(total_a, total_b)
    if smaller <= 0:
        return AnchorMatch(0.0, tuple(sorted(shared)), 0.0, contradiction)
    ratio = min(1.0, shared_weight / smaller)
    confidence = 1.0 - math.exp(-shared_weight / CONFIDENT_SHARED_WEIGHT * 2)
    return AnchorMatch(round(ratio * confidence, 4), tuple(sorted(shared)), round(shared_weight, 3), contradiction)


@lru_cache(maxsize=1 << 14)
def _specific_figures(anchors: frozenset[str]) -> frozenset[str]:
    return frozenset(x for x in anchors if x.startswith("n:") and base_weight(x) >= WEIGHT_NUMBER)


def _contradiction(a: frozenset[str], b: frozenset[str], shared: frozenset[str]) -> float:
    figures_a, figures_b = _specific_figures(a), _specific_figures(b)
    fewer = min(len(figures_a), len(figures_b))
    if fewer < CONTRADICTING_FIGURES:
        return 0.0
    met = len(figures_a & figures_b & shared)
    return round(max(0.0, 1.0 - met / fewer), 4)
