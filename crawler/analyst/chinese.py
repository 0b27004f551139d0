"""Chinese text for PostgreSQL full-text search, which has no Chinese parser: character bigrams.

A Chinese document is indexed the way pg_bigm and Lucene's CJK analyzer index it: every pair of adjacent
CJK characters (人工, 工智, 智能) at the character offset where it starts, plus the last character of each
run of CJK characters (so that every character starts some lexeme), plus the Latin words and numbers in it
as SQL's `search_form` cuts them (`2.3Gbps` -> `2`, `3gbps`). A query word is then found as the phrase of its
bigrams (`'人工' <-> '工智' <-> '智能'`), i.e. as a substring, whatever a segmenter would have made of the
document, and a one-character word as the prefix of a lexeme.

Queries are segmented into words with jieba (jieba-rs through `rjieba`, loaded only by query code): an
unspaced query `人工智能算力` becomes `人工智能 算力`, two words that must both occur, rather than one substring.

Documents and queries are folded the same way (NFKC, case-folded, Traditional -> Simplified with OpenCC
t2s). The lexemes go into a `tsvector` literal directly, never through PostgreSQL's parser, so the result
does not depend on the server's locale. Positions are capped at 16383 (PostgreSQL's limit): in texts longer
than that the words past it still match, but phrases there can no longer be told apart from non-adjacent
bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from typing import Any

from crawler.text.normalise import to_simplified

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_LEXEME = 255
MAX_LEXEME_CHARS = 100

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
# the characters SQL's search_form keeps (schema/functions/search.sql): a CJK run (group 1) or another word
_SEARCH_WORD = re.compile(f"([{CJK_CLASS}]+)|[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import rjieba  # loads jieba's dictionary (about 30 MB, 0.3 s) on import: only for queries

    return rjieba


def fold(text: str) -> str:
    """The search form of a text: NFKC, case-folded, Traditional Chinese folded to Simplified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return to_simplified(text) if _CJK_RUN.search(text) else text


def is_cjk(text: str) -> bool:
    """True when the text contains a CJK ideograph."""
    return _CJK_RUN.search(text) is not None


def chinese_lexemes(text: str) -> dict[str, list[int]]:
    """Lexeme -> 1-based positions (character offsets) for a Chinese text: CJK bigrams, the last character of
    each CJK run, other words."""
    folded = fold(text)
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for match in _SEARCH_WORD.finditer(folded):
        word, first = match.group(), match.start() + 1
        if match.group(1) is None:
            positions[word].append(first)
            continue
        for position, bigram in enumerate(map(str.__add__, word, word[1:]), first):
            positions[bigram].append(position)
        positions[word[-1]].append(first + len(word) - 1)
    return {lexeme: _clean_positions(found) for lexeme, found in positions.items() if len(lexeme) <= MAX_LEXEME_CHARS}


def _clean_positions(found: list[int]) -> list[int]:
    """Ascending, distinct, capped at PostgreSQL's largest position, at most 255 of them."""
    if len(found) == 1:
        return found if found[0] <= MAX_POSITION else [MAX_POSITION]
    return sorted({min(p, MAX_POSITION) for p in found})[:MAX_POSITIONS_PER_LEXEME]


def quote_lexeme(lexeme: str) -> str:
    """A lexeme as a quoted tsvector/tsquery token ('it''s', backslashes doubled)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(lexemes: dict[str, list[int]]) -> str:
    """The text form of a tsvector (`'人工':1 '智能':3,9`), ready for `CAST(… AS tsvector)`."""
    return " ".join(f"{quote_lexeme(lex)}:{','.join(map(str, pos))}" for lex, pos in sorted(lexemes.items()))


def segment_query(query: str) -> str:
    """Fold a query and put spaces between the jieba words of its Chinese runs (Latin words are left alone).

    `人工智能算力` becomes `人工智能 算力`; the SQL function `chinese_tsquery` then makes each word a lexeme,
    with a bigram phrase as alternative, exactly matching how documents are indexed.
    """
    folded = fold(query)

    def cut(match: re.Match[str]) -> str:
        return " " + " ".join(w for w in _jieba().cut(match.group()) if w.strip()) + " "

    return " ".join(_CJK_RUN.sub(cut, folded).split())
