"""What two articles of a story share, shown in their text: the linker's anchors (numbers, dates, Latin-script
names; crawler.linking.anchors) marked where they occur, and each copy's paragraphs aligned to the original's
paragraph with which they share the most.

Pure functions over text; the story and article pages render the pieces (autoescaped by the templates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crawler.linking.anchors import DAY_MONTH_RE, EN_DATE_RE, LATIN_TOKEN_RE, ZH_DATE_RE, base_weight, extract_anchors
from crawler.linking.numbers import NUMBER_RE

CANDIDATES: tuple[re.Pattern[str], ...] = (ZH_DATE_RE, EN_DATE_RE, DAY_MONTH_RE, NUMBER_RE, LATIN_TOKEN_RE)
MAX_PARAGRAPHS = 80


@dataclass(frozen=True)
class Piece:
    """A run of text; `anchors` is set when the run is evidence shared with another article, `match` when it
    matches a search query."""

    text: str
    anchors: tuple[str, ...] = ()
    match: bool = False


@dataclass
class Paragraph:
    number: int  # 1-based, in page order
    language: str
    text: str
    anchors: frozenset[str]
    pieces: list[Piece] = field(default_factory=list)
    aligned_to: int | None = None  # the original's paragraph number this one matches best
    shared: tuple[str, ...] = ()


def paragraphs(segments: Iterable[tuple[str, str]], limit: int = MAX_PARAGRAPHS) -> list[Paragraph]:
    """The (language, text) segments split into non-empty lines, each with its anchors."""
    found: list[Paragraph] = []
    for language, text_ in segments:
        for line in text_.splitlines():
            if line.strip() and len(found) < limit:
                found.append(Paragraph(len(found) + 1, language, line.strip(), extract_anchors(line, language)))
    return found


def mark(text_: str, language: str | None, wanted: frozenset[str]) -> list[Piece]:
    """The text cut into pieces, the runs that yield one of the `wanted` anchors marked with them."""
    if not wanted:
        return [Piece(text_)]
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for pattern in CANDIDATES:
        for match in pattern.finditer(text_):
            hit = extract_anchors(match.group(0), language) & wanted
            if hit and match.group(0).strip():
                spans.append((match.start(), match.end(), tuple(sorted(hit))))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    pieces: list[Piece] = []
    position = 0
    for start, end, hit in spans:
        if start < position:
            continue
        if start > position:
            pieces.append(Piece(text_[position:start]))
        pieces.append(Piece(text_[start:end], hit))
        position = end
    if position < len(text_):
        pieces.append(Piece(text_[position:]))
    return pieces


def _weight(anchors: Iterable[str]) -> float:
    return sum(base_weight(a) for a in anchors)


def align(original: Sequence[Paragraph], copy: Sequence[Paragraph], *, minimum: float = 0.6) -> None:
    """Set each copy paragraph's `aligned_to` to the original paragraph sharing the most anchor weight (at
    least `minimum`: one name or date, or a specific figure), and `shared` to what they share."""
    for para in copy:
        best, best_weight, best_shared = None, minimum, frozenset[str]()
        for candidate in original:
            shared = para.anchors & candidate.anchors
            weight = _weight(shared)
            if weight >= best_weight and (best is None or weight > best_weight):
                best, best_weight, best_shared = candidate.number, weight, shared
        para.aligned_to = best
        para.shared = tuple(sorted(best_shared))


def mark_all(paras: Sequence[Paragraph], wanted: frozenset[str]) -> None:
    for para in paras:
        para.pieces = mark(para.text, para.language, wanted)


def text_anchors(paras: Iterable[Paragraph]) -> frozenset[str]:
    return frozenset(a for p in paras for a in p.anchors)


def label(anchor: str) -> str:
    """An anchor as a reader sees it: `n:1e3` -> number 1000, `d:03-01` -> date 03-01, `l:xinhua` -> name."""
    kind, value = anchor[:2], anchor[2:]
    if kind == "n:":
        try:
            number = float(value.rstrip("%"))
        except ValueError:
            return f"number {value}"
        shown = f"{number:,.0f}" if number.is_integer() else f"{number:g}"
        return f"number {shown}{'%' if value.endswith('%') else ''}"
    if kind == "d:":
        return f"date {value}"
    return f"name {value}"
