"""Unicode and whitespace normalisation of article text, plus the `match_form` used for dedup and linking.

`normalise_text` keeps the stored text faithful: NFC, entities decoded, full-width ASCII letters and
digits folded to ASCII, invisible characters removed and whitespace collapsed, while Chinese
punctuation (，。：；！？（）“”) stays as written. `match_form` is a lossy key for comparison only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache

# Characters that carry no text: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Characters that are spaces in disguise: NBSP, ideographic space, the U+2000 block, narrow NBSP, ...
SPACE_CHARS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

_INVISIBLE_RE = re.compile(f"[{INVISIBLE_CHARS}]")
_SPACE_TABLE = {ord(c): " " for c in SPACE_CHARS}
# Full-width digits and Latin letters (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) -> ASCII; punctuation untouched.
_FULLWIDTH_ALNUM = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},
}
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WHITESPACE_RE = re.compile(r"\s+")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A line break between two CJK characters is a layout artefact, not a word boundary.
_CJK_LINEBREAK_RE = re.compile(f"(?<=[{_CJK}])[ \\t]*\\n\\s*(?=[{_CJK}])")
_WS_RUN_RE = re.compile(r"[ \t\r\f\v\n]+")
_HAN_RE = re.compile("[\u3400-\u9fff]")


# Any character the folding steps of normalise_inline change: full-width alphanumerics, invisible characters and
# disguised spaces. Text without one (most text) skips those steps, each a pass over every character.
_FOLDED_RE = re.compile(f"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a{INVISIBLE_CHARS}{SPACE_CHARS}]")


def normalise_inline(text: str) -> str:
    """Normalise one paragraph: entities, NFC, full-width alphanumerics, invisible chars, one space between words."""
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():  # nothing below but the spaces applies to ASCII text
        return _WS_RUN_RE.sub(" ", text).strip()
    text = unicodedata.normalize("NFC", text)
    if _FOLDED_RE.search(text) is not None:
        text = text.translate(_FULLWIDTH_ALNUM)
        text = _INVISIBLE_RE.sub("", text)
        text = text.translate(_SPACE_TABLE)
    if "\n" in text:
        text = _CJK_LINEBREAK_RE.sub("", text)
    return _WS_RUN_RE.sub(" ", text).strip()


def split_paragraphs(text: str) -> list[str]:
    """Split text on blank lines (after turning disguised spaces into spaces), dropping empty paragraphs."""
    text = _INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).translate(_SPACE_TABLE)
    return [p for p in _PARAGRAPH_BREAK_RE.split(text) if p.strip()]


def normalise_paragraphs(paragraphs: list[str]) -> list[str]:
    """Normalise each paragraph; paragraphs that become empty are dropped."""
    out = [normalise_inline(p) for p in paragraphs]
    return [p for p in out if p]


def normalise_text(text: str) -> str:
    """Normalise a whole text: paragraphs (separated by blank lines) kept apart by exactly "\\n\\n"."""
    return "\n\n".join(normalise_paragraphs(split_paragraphs(text)))


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


def _dictionaries(node: object) -> Iterator[Mapping[str, str]]:
    """The mapping tables inside an OpenCC conversion chain (nested lists of (max_len, min_len, dict) tuples)."""
    if isinstance(node, Mapping):
        yield node
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _dictionaries(item)


@lru_cache(maxsize=1)
def _t2s_tables() -> tuple[Mapping[str, str], ...]:
    """The converter's mapping tables; empty when its internals are not readable (another OpenCC version)."""
    converter = _t2s()
    if not getattr(converter, "_dict_init_done", True):
        converter.convert("")  # loads the tables
    return tuple(_dictionaries(getattr(converter, "_dict_chain_data", None)))


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str] | None:
    """Characters without which t2s cannot change a text, or None when the converter's tables are not readable.

    Every entry that changes something is a single character, or a phrase that contains a changing character;
    the few phrases that do not (沈默 -> 沉默) add their own characters. A text with none of these characters
    matches only identity entries, so the (slow, pure Python) conversion can be skipped: same output."""
    tables = _t2s_tables()
    if not tables:
        return None
    changed = [(key, value) for table in tables for key, value in table.items() if key != value]
    triggers = {key for key, _value in changed if len(key) == 1}
    for key, _value in changed:
        if len(key) > 1 and triggers.isdisjoint(key):
            triggers.update(key)
    return frozenset(triggers)


# Where a text may be cut before conversion: line breaks, spaces and punctuation, less any that a table uses.
_BREAK_CANDIDATES = "\n\r\t \u3000。，、；：？！“”‘’（）《》〈〉「」『』【】…—,.;:?!()[]\"'"


@lru_cache(maxsize=1)
def _t2s_breaks() -> re.Pattern[str] | None:
    """Runs of characters that occur in no table key. OpenCC matches dictionary keys, so no match spans such
    a character: the pieces between them convert independently, with the same output as the whole text."""
    tables = _t2s_tables()
    if not tables:
        return None
    in_keys = {char for table in tables for key in table for char in key}
    breaks = "".join(char for char in _BREAK_CANDIDATES if char not in in_keys)
    return re.compile(f"[{re.escape(breaks)}]+") if breaks else None


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (other text passes through).

    Only the pieces (between punctuation) that hold a character t2s can change go through the converter,
    whose cost grows faster than the length of what it is given."""
    triggers = _t2s_triggers()
    if triggers is None:
        return str(_t2s().convert(text))
    if triggers.isdisjoint(text):
        return text
    breaks = _t2s_breaks()
    if breaks is None:
        return str(_t2s().convert(text))
    out: list[str] = []
    last = 0
    for cut in breaks.finditer(text):
        out.append(_convert_piece(text[last : cut.start()], triggers))
        out.append(cut.group())
        last = cut.end()
    out.append(_convert_piece(text[last:], triggers))
    return "".join(out)


def _convert_piece(piece: str, triggers: frozenset[str]) -> str:
    return piece if triggers.isdisjoint(piece) else str(_t2s().convert(piece))


def match_form(text: str) -> str:
    """A comparison key: NFKC, case-folded, Traditional folded to Simplified, invisible chars gone, one space."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = _INVISIBLE_RE.sub("", text).casefold()
    if _HAN_RE.search(text):
        text = to_simplified(text)
    return _WHITESPACE_RE.sub(" ", text).strip()
