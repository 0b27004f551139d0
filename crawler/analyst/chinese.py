"""Chinese text for PostgreSQL full-text search, which has no Chinese parser: character bigrams.

A Chinese document is indexed the way pg_bigm and Lucene's CJK analyzer index it: every pair of adjacent
CJK characters (人工, 工智, 智能) at the character offset where it starts, plus the last character of each
run of CJK characters (so that every character starts some lexeme), plus the Latin words and numbers in it
as SQL's `search_form` cuts them (`2.3Gbps` -> `2`, `3gbps`). A query word is then found as the phrase of its
bigrams (`'人工' <-> '工智' <-> '智能'`), i.e. as a substring, whatever a segmenter would have made of the
document, and a one-character word as the prefix of a lexeme.

Queries are not segmented: an unspaced run of Chinese in a query is one phrase (a substring of the document),
in `newscrawl search` as in SQL's `search_articles`; words separated by spaces must each occur, anywhere.

Documents and queries are folded the same way (NFKC, case-folded, Traditional -> Simplified with OpenCC
t2s). The lexemes go into a `tsvector` literal directly, never through PostgreSQL's parser, so the result
does not depend on the server's locale. Positions are capped at 16383 (PostgreSQL's limit): in texts longer
than that the words past it still match, but phrases there can no longer be told apart from non-adjacent
bigrams.
"""

from __future__ import annotations

import re
import unicodedata

from crawler.text.normalise import to_simplified

MAX_LEXEME_CHARS = 100  # a longer "word" is noise (an encoded blob), not something anyone searches for

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
# the characters SQL's search_form keeps (schema/functions/search.sql): a CJK run (group 1) or another word
_SEARCH_WORD = re.compile(f"([{CJK_CLASS}]+)|[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")


def fold(text: str) -> str:
    """The search form of a text: NFKC, case-folded, Traditional Chinese folded to Simplified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return to_simplified(text) if _CJK_RUN.search(text) else text


def chinese_tsvector(text: str, weight: str = "", offset: int = 0) -> str:
    """The text form of a Chinese text's tsvector, for `CAST(… AS tsvector)`: every occurrence of a lexeme as
    `'lexeme':position` (1-based character offset, plus `offset`) with `weight` (A-D) after each position.

    PostgreSQL's tsvector input merges a lexeme's occurrences, sorts and de-duplicates its positions, keeps the
    first 256 and clamps positions past 16383, so none of that is done here. No lexeme needs quoting: only CJK
    characters, ASCII letters and digits and the Latin, Greek and Cyrillic letters of `_SEARCH_WORD`."""
    folded = fold(text)
    parts: list[str] = []
    for match in _SEARCH_WORD.finditer(folded):
        word, first = match.group(), match.start() + 1 + offset
        if match.group(1) is None:
            if len(word) <= MAX_LEXEME_CHARS:
                parts.append(f"'{word}':{first}{weight}")
            continue
        # an f-string per bigram: half the time of str.format, and this runs for every stored character
        starts = range(first, first + len(word) - 1)
        parts += [f"'{a}{b}':{at}{weight}" for at, a, b in zip(starts, word[:-1], word[1:], strict=True)]
        parts.append(f"'{word[-1]}':{first + len(word) - 1}{weight}")
    return " ".join(parts)
