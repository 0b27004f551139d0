"""Numbers read the same way in Chinese, English and German text, so a translation's figures meet the original's.

`1.75万亿` and `1.75 trillion`, `40.94亿美元` and `$4.094 billion`, `3160`, `3,160` and (German) `3.160`
all become one canonical value string. Units of magnitude are applied (万, 亿, million, Milliarden, …);
currencies and units are dropped because translators move them around (`720.5亿元人民币` = `72.05 billion yuan`).
Pure functions: text in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese magnitude suffixes, longest first so 万亿 wins over 万.
ZH_MAGNITUDES: dict[str, float] = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
}
# English and German magnitude words (German "Billion" is 10^12, "Milliarde" 10^9).
EN_MAGNITUDES: dict[str, float] = {
    "thousand": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "tn": 1e12,
}
DE_MAGNITUDES: dict[str, float] = {
    "tausend": 1e3,
    "mio": 1e6,
    "million": 1e6,
    "millionen": 1e6,
    "mrd": 1e9,
    "milliarde": 1e9,
    "milliarden": 1e9,
    "billion": 1e12,
    "billionen": 1e12,
}
SIGNIFICANT_DIGITS = 4

_ZH_MAG_RE = "|".join(sorted(ZH_MAGNITUDES, key=len, reverse=True))
_WORD_MAG_RE = "|".join(sorted({*EN_MAGNITUDES, *DE_MAGNITUDES}, key=len, reverse=True))
# A digit run with optional grouping/decimal separators, then an optional magnitude (Chinese or a word).
NUMBER_RE = re.compile(
    r"(?<![0-9A-Za-z.,])(?P<num>\d{1,3}(?:[,.' ]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    rf"(?:\s*(?P<zh>{_ZH_MAG_RE})|\s*(?P<word>(?i:{_WORD_MAG_RE}))\b\.?)?"
    r"(?P<pct>\s*(?:%|％|percent\b|per cent\b|Prozent\b))?",
)
# Digits glued to Latin letters are names or codes (5G, COVID-19, A380), not quantities.
_GLUED_RE = re.compile(r"[A-Za-z]$")
_CODE_PREFIX_RE = re.compile(r"[A-Za-z]-$")
# 8月, 24日: parts of a date, read by the date anchors instead; a year (2021年) is a number like "in 2021".
_DATE_SUFFIX_RE = re.compile(r"\s*[年月日号]")
_YEAR_RE = re.compile(r"(?:1[89]|20|21)\d\d")
_YEAR_SUFFIX_RE = re.compile(r"\s*年")


@dataclass(frozen=True)
class Quantity:
    """One number found in a text: its canonical value string and where it was read."""

    value: str
    raw: str
    is_percent: bool = False


def parse_digits(num: str, language: str | None) -> float | None:
    """Parse a digit run with separators the way the text's language writes them.

    English and Chinese: `,` groups thousands and `.` is the decimal point. German: `.` groups thousands
    (when followed by exactly three digits) and `,` is the decimal point.
    """
    num = num.replace("'", "").replace(" ", "")
    if language == "de":
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", num):
            num = num.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d+,\d+", num):
            num = num.replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):  # English formatting inside German text
            num = num.replace(",", "")
    else:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
            num = num.replace(",", "")
        elif re.fullmatch(r"\d+,\d+", num):  # a decimal comma (e.g. quoted European figures)
            num = num.replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", num):
            num = num.replace(".", "")
    try:
        return float(num)
    except ValueError:
        return None


def canonical_value(value: float) -> str:
    """A value rounded to SIGNIFICANT_DIGITS significant digits, written without trailing zeros."""
    if value == 0:
        return "0"
    text = f"{value:.{SIGNIFICANT_DIGITS - 1}e}"
    mantissa, exponent = text.split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def _magnitude(zh: str | None, word: str | None, language: str | None) -> float:
    if zh:
        return ZH_MAGNITUDES[zh]
    if word:
        key = word.lower().rstrip(".")
        if language == "de":
            return DE_MAGNITUDES.get(key, EN_MAGNITUDES.get(key, 1.0))
        return EN_MAGNITUDES.get(key, DE_MAGNITUDES.get(key, 1.0))
    return 1.0


def quantities(text: str, language: str | None = None) -> list[Quantity]:
    """Every quantity in the text, in order, as canonical values (see module docstring)."""
    found: list[Quantity] = []
    for match in NUMBER_RE.finditer(text):
        start = match.start("num")
        if (start > 0 and _GLUED_RE.search(text[start - 1])) or _CODE_PREFIX_RE.search(text, 0, start):
            continue
        magnitude = match.group("zh") or match.group("word")
        if not magnitude and _DATE_SUFFIX_RE.match(text, match.end("num")):
            year = _YEAR_RE.fullmatch(match.group("num")) and _YEAR_SUFFIX_RE.match(text, match.end("num"))
            if not year:
                continue
        if not magnitude and not match.group("pct") and _GLUED_RE.match(text[match.end("num") : match.end("num") + 1]):
            continue
        base = parse_digits(match.group("num"), language)
        if base is None:
            continue
        value = base * _magnitude(match.group("zh"), match.group("word"), language)
        found.append(Quantity(canonical_value(value), match.group(0).strip(), bool(match.group("pct"))))
    return found


def number_values(text: str, language: str | None = None) -> set[str]:
    """The set of canonical values in a text (percentages marked with a trailing `%`)."""
    return {q.value + ("%" if q.is_percent else "") for q in quantities(text, language)}
