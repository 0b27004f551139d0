"""Chinese numerals rewritten as Arabic digits, so that a Chinese text's figures and dates become anchors.

Chinese news writes many figures in characters: 二○○一年, 一千五百五十亿美元, 百分之七十, 十二月三十一日.
`arabic_numerals` finds the numeral runs and has cn2an (a maintained converter) read each one; the runs
become 2001年, 155000000000美元, 70%, 12月31日, which `numbers` and `anchors` then read like any digits.
Only runs that are surely quantities are rewritten: words that merely contain a numeral character
(一些, 一下, 万一, 千万, 一带一路) are left alone: a run must start with a digit character or 十, and a run
of bare digits (no 十/百/千/万/亿) counts only as a year (four digits before 年) or a month or day.
Pure functions.
"""

from __future__ import annotations

import re

import cn2an

# Traditional and variant spellings folded before conversion (○ and ◯ are often typed for 〇 in years).
_FOLD = str.maketrans({"兩": "两", "萬": "万", "億": "亿", "○": "〇", "◯": "〇", "Ｏ": "〇", "點": "点"})
_DIGIT_CHARS = "〇零一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_UNIT_CHARS = "十百千万亿拾佰仟"
NUMERAL_RUN_RE = re.compile(
    rf"(?P<pct>百分之)?(?P<num>[{_DIGIT_CHARS}十拾][{_DIGIT_CHARS}{_UNIT_CHARS}]*(?:点[{_DIGIT_CHARS}]+)?)"
    rf"(?P<mag>[万亿]*)"
)
_DATE_PART_RE = re.compile(r"[年月日号]")
_HAS_NUMERAL_RE = re.compile(rf"[{_DIGIT_CHARS}十拾○◯兩]")
_DIRECT = str.maketrans({c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "两": "2"})


def _value(run: str) -> str | None:
    """cn2an's reading of one run of numerals as a digit string, or None when it is not a number."""
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _rewrite(match: re.Match[str], text: str) -> str:
    run, magnitude, percent = match.group("num"), match.group("mag"), match.group("pct")
    after = text[match.end() : match.end() + 1]
    bare_digits = not any(ch in _UNIT_CHARS or ch == "点" for ch in run)
    if len(run) == 1 and not percent and not magnitude and not (after and after in "月日号"):
        return match.group(0)  # 十分, 十足, 两国, 一些: a lone character is a word, not a figure
    if bare_digits and not percent and not magnitude:
        if len(run) == 4 and after == "年":
            return run.translate(_DIRECT) if run.translate(_DIRECT).isdigit() else match.group(0)
        if len(run) <= 2 and after and after in "月日号" and (value := _value(run)) is not None:
            return value
        return match.group(0)
    value = _value(run + magnitude) if magnitude and "点" not in run else None
    if value is not None:
        magnitude = ""
    else:
        value = _value(run)
    if value is None:
        return match.group(0)
    return f"{value}{magnitude}%" if percent else f"{value}{magnitude}"


def arabic_numerals(text: str) -> str:
    """`text` with its Chinese numerals (quantities, percentages, years, months, days) written in digits."""
    if not _HAS_NUMERAL_RE.search(text):
        return text
    folded = text.translate(_FOLD)
    return NUMERAL_RUN_RE.sub(lambda m: _rewrite(m, folded), folded)
