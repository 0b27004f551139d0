"""Language of a text and of each paragraph, grouped into single-language segments.

Script share decides first (Han ideographs -> zh, kana -> ja, Hangul -> ko), because langdetect
misjudges short Chinese lines; text in Latin and other scripts goes to a seeded langdetect whose
answers are mapped to ISO 639-1 codes. Text without letters is "und" and never raises.

The detector gets only the non-CJK letters of a text, so its profiles' n-grams that contain a Han, kana or
Hangul character can never match: `_factory` loads all of langdetect's profiles (in langdetect's own order)
without those n-grams. The answers are exactly langdetect's (the remaining n-grams keep their probabilities,
and no character that reaches the detector normalises into one of the dropped scripts) for about 20 MB less
per extraction worker; the tables are sparse (crawler.text.sparse_langdetect), which saves about 30 MB more.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from crawler.items import Segment
from crawler.text.sparse_langdetect import load_sparse_factory

DetectorFactory.seed = 0

UNDETERMINED = "und"
# Languages we crawl; short Latin text is only ever assigned one of these.
PRIMARY_LATIN_LANGUAGES: tuple[str, ...] = ("en", "de")
# Below this many letters a Latin-script text is too short for the detector on its own.
SHORT_TEXT_LETTERS = 40
# langdetect codes that are not plain ISO 639-1.
LANGDETECT_CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh"}
# A paragraph shorter than this (in letters) takes the language of its neighbours when segmenting.
SEGMENT_MIN_LETTERS = 12
# A run of fewer letters between two runs of one language is absorbed by them (names, credits, captions);
# at the start or end of a text the limit is lower, so a short but real second language survives.
SMOOTH_INNER_LETTERS = 60
SMOOTH_EDGE_LETTERS = 25
# Share of kana among CJK letters from which a text counts as Japanese.
KANA_SHARE_JA = 0.15


def _script(ch: str) -> str | None:
    """The script class of one letter, or None for non-letters."""
    cp = ord(ch)
    if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9D:
        return "kana"
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "hangul"
    if (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or cp == 0x3007
    ):
        return "han"
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN") or name.startswith("FULLWIDTH LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return "other"


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script class (han, kana, hangul, latin, cyrillic, other) the text has."""
    counts: Counter[str] = Counter()
    for ch in text:
        script = _script(ch)
        if script:
            counts[script] += 1
    return counts


def letter_count(text: str) -> int:
    """Number of letters (any script) in the text."""
    return sum(script_counts(text).values())


# One CJK character carries about as much text as a short Latin word.
CJK_LETTER_WEIGHT = 3


def text_weight(text: str) -> int:
    """Amount of text: letters, with CJK characters counted CJK_LETTER_WEIGHT times."""
    counts = script_counts(text)
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    return sum(counts.values()) - cjk + CJK_LETTER_WEIGHT * cjk


_CJK_SCRIPTS = frozenset({"han", "kana", "hangul"})


def _reaches_detector(ngram: str) -> bool:
    return not any(_script(ch) in _CJK_SCRIPTS for ch in ngram)


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """langdetect's profiles, as `langdetect.detect_langs` loads them, less the n-grams with CJK letters,
    in sparse tables (crawler.text.sparse_langdetect)."""
    return load_sparse_factory(_reaches_detector)


def detect_langs(text: str) -> list[Any]:
    """langdetect.detect_langs (ranked guesses with probabilities) for text without CJK letters."""
    detector = _factory().create()
    detector.append(text)
    return detector.get_probabilities()


def _detect_with_langdetect(text: str, letters: int) -> str:
    try:
        guesses = detect_langs(text)
    except LangDetectException:
        return UNDETERMINED
    ranked = [(LANGDETECT_CODE_MAP.get(g.lang, g.lang), g.prob) for g in guesses]
    if letters < SHORT_TEXT_LETTERS:
        primary = [lang for lang, _ in ranked if lang in PRIMARY_LATIN_LANGUAGES]
        return primary[0] if primary else PRIMARY_LATIN_LANGUAGES[0]
    return ranked[0][0] if ranked else UNDETERMINED


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language by majority of letters; "und" when it has no letters."""
    counts = script_counts(text)
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
    # Latin (or other) majority: let the detector judge the non-CJK letters only.
    non_cjk = "".join(ch for ch in text if _script(ch) not in ("han", "kana", "hangul"))
    return _detect_with_langdetect(non_cjk, total - cjk)


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
        letters = letter_count(para)
        reliable = letters >= SEGMENT_MIN_LETTERS or (letters > 0 and script_counts(para)["han"] >= 2)
        lang = detect_language(para) if reliable else None
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
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (lang, paras) in enumerate(runs):
            letters = sum(text_weight(p) for p in paras)
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
