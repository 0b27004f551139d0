"""Chinese text for PostgreSQL full-text search, which has no Chinese parser: jieba words and character bigrams.

Documents and queries are folded the same way (NFKC, case-folded, Traditional -> Simplified with OpenCC
t2s) and segmented with the same jieba dictionary. A document's lexemes are

* jieba's search-mode words (a long word and the shorter words inside it: 人工智能, 人工, 智能), and
* every pair of adjacent CJK characters (人工, 工智, 智能),

each at the character offset where it starts, so a query word that jieba happened to cut differently in
the document is still found as a phrase of bigrams (`'人工' <-> '工智' <-> '智能'`), i.e. as a substring.
The lexemes go into a `tsvector` literal directly, never through PostgreSQL's parser, so the result does not
depend on the server's locale. Positions are capped at 16383 (PostgreSQL's limit): in texts longer than that
the words past it still match, but phrases there can no longer be told apart from non-adjacent bigrams.
"""

from __future__ import annotations

import logging
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
_WORDISH = re.compile(f"[0-9A-Za-z{CJK_CLASS}\u00c0-\u024f]")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def fold(text: str) -> str:
    """The search form of a text: NFKC, case-folded, Traditional Chinese folded to Simplified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return to_simplified(text) if _CJK_RUN.search(text) else text


def is_cjk(text: str) -> bool:
    """True when the text contains a CJK ideograph."""
    return _CJK_RUN.search(text) is not None


def _is_lexeme(word: str) -> bool:
    return 0 < len(word) <= MAX_LEXEME_CHARS and _WORDISH.search(word) is not None


def chinese_lexemes(text: str) -> dict[str, list[int]]:
    """Lexeme -> 1-based positions (character offsets) for a Chinese text: jieba words plus CJK bigrams."""
    folded = fold(text)
    positions: dict[str, set[int]] = defaultdict(set)
    for word, start, _end in _jieba().tokenize(folded, mode="search"):
        word = word.strip()
        if _is_lexeme(word):
            positions[word].add(min(start + 1, MAX_POSITION))
    for run in _CJK_RUN.finditer(folded):
        chars = run.group()
        for i in range(len(chars) - 1):
            positions[chars[i : i + 2]].add(min(run.start() + i + 1, MAX_POSITION))
    return {lexeme: sorted(found)[:MAX_POSITIONS_PER_LEXEME] for lexeme, found in positions.items()}


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
