"""The development set's Latin-script pages rewritten in another script, to see what of the extractor is script-bound.

The dev set has Chinese, English and German pages only, while crawls meet Russian, Urdu, Japanese, Greek pages.
This module rewrites an English or German page letter for letter into another script: every letter of the page's
visible text (not its tags, attributes, entities, comments, scripts or styles) and of its gold text goes through the
same one-to-one map. The page keeps its markup, its layout and its word and sentence lengths; the gold still
matches the text it was written for. What no longer works on the rewritten page is what reads the language: the
rules written in English or German words, stop words, language detection. For the kana rewrite, the spaces between
two words go too (Japanese is written without them), and each kana is a token of the F1, as for CJK.

Scores on the rewritten pages are comparable between extractors in one run, not with the real pages' scores: a page
loses its English rules, but it also loses nothing to a rule of the other language. The question they answer is
whether ours keeps its lead over its peers when no rule speaks the page's language, and which pages then fall.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable

from crawler.extract.decode import decode_body

# One letter of the target script for each of a-z, then for ä, ö, ü, ß (German). Upper case maps like lower case
# where the script has no case (Arabic, kana); Cyrillic and Greek keep the case.
_LATIN = string.ascii_lowercase + "äöüß"
_TARGETS: dict[str, str] = {
    "cyrillic": "абцдефгхийклмнопярстувшжызэёющ",
    "greek": "αβψδεφγηιξκλμνοπϙρστθωϊχυζάόύώ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهويٹڈ",  # Urdu's letters after the Arabic ones
    "kana": "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほ",
}
SCRIPTS = tuple(_TARGETS)
LATIN_LANGUAGES = frozenset({"en", "de"})

# What of an HTML document is markup, kept as it is: comments, raw-text elements whole, tags, character references.
_MARKUP = re.compile(
    r"<!--.*?-->|<(script|style|textarea|noscript)\b.*?</\1\s*>|<[^>]*>|&#?[A-Za-z0-9]+;?",
    re.DOTALL | re.IGNORECASE,
)
_CHARSET = re.compile(r"""(<meta\b[^>]*?charset\s*=\s*["']?)[\w:.-]+""", re.IGNORECASE)
_SPACE_BETWEEN_LETTERS = re.compile(r"(?<=[\u3040-\u30ff]) (?=[\u3040-\u30ff])")


def _table(script: str) -> dict[int, str]:
    target = _TARGETS[script]
    if len(target) != len(_LATIN):
        raise ValueError(f"the {script} map has {len(target)} letters for {len(_LATIN)}")
    table: dict[int, str] = {}
    for latin, other in zip(_LATIN, target, strict=True):
        table[ord(latin)] = other
        if latin != "ß":
            table[ord(latin.upper())] = other.upper()
    return table


def text_rewriter(script: str) -> Callable[[str], str]:
    """A function that rewrites plain text (gold text, snippets) letter for letter into `script`."""
    if script not in _TARGETS:
        raise ValueError(f"unknown script {script!r}: one of {', '.join(SCRIPTS)}")
    table = _table(script)

    def rewrite(text: str) -> str:
        out = text.translate(table)
        return _SPACE_BETWEEN_LETTERS.sub("", out) if script == "kana" else out

    return rewrite


def _reference(markup: str, rewrite: Callable[[str], str]) -> str:
    """Markup as it is, but a character reference to a letter ("&auml;", "&#252;") becomes the rewritten letter,
    and what only looks like one ("&Co", where "&C" is no reference) is text."""
    if markup.startswith("&"):
        char = html.unescape(markup)
        if char == markup:
            return rewrite(markup)
        if len(char) == 1 and char.isalpha():
            return rewrite(char)
    return markup


def rewrite_page(body: bytes, script: str) -> bytes:
    """The page's visible text rewritten into `script`, as UTF-8 (its charset declarations say so)."""
    rewrite = text_rewriter(script)
    page = decode_body(body).text
    parts: list[str] = []
    at = 0
    for markup in _MARKUP.finditer(page):
        parts.append(rewrite(page[at : markup.start()]))
        parts.append(_reference(markup.group(0), rewrite))
        at = markup.end()
    parts.append(rewrite(page[at:]))
    return _CHARSET.sub(r"\1utf-8", "".join(parts)).encode("utf-8")
