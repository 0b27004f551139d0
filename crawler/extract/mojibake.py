"""Mis-decoded text: repair what can be repaired (ftfy), reject only what is unreadable.

Judged on the extracted article text, never on the whole page (scripts and comments may hold anything),
and by rates, not counts, so a long page that genuinely prints a few odd sequences is kept:

- UTF-8 read as Latin-1/cp1252 ("nÃ£o", "â€™") is repaired with ftfy's `fix_encoding`; a text that
  still carries such sequences at a high rate afterwards is rejected.
- Replacement characters (bytes no charset could decode) are rejected only above a share of the letters.
- CJK bytes read as a Latin charset give a text made of Latin-1 symbols.
- UTF-8 read as GBK (or the reverse) gives Han characters that no single common national repertoire
  holds (GB2312, Big5, JIS X 0208, KS X 1001), so Chinese in either script, Japanese kanji and Korean
  hanja all count as readable while mojibake, which scatters across them, does not.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import ftfy

from crawler.text.language import letter_count

# UTF-8 lead byte (Ã, Â, â, ...) read as cp1252/Latin-1 and followed by a continuation-byte glyph.
UTF8_AS_LATIN1_RE = re.compile(
    "[\u00c2-\u00c3][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc\u2122]"
    "|\u00e2\u20ac[\u0080-\u00bf\u2018-\u203a\u2122\u0153\u0152\u017e]"
    "|[\u00e4-\u00e9][\u0080-\u00bf][\u0080-\u00bf]"
)
REPLACEMENT_CHAR = "\ufffd"
# Rejected above these rates (per letter) and counts: a few stray sequences in a long text are kept.
MAX_REPLACEMENT_SHARE = 0.02
MIN_REPLACEMENTS = 5
MAX_UTF8_AS_LATIN1_SHARE = 0.01
MIN_UTF8_AS_LATIN1_HITS = 5
# Share of Latin-1 supplement letters/symbols (U+0080-U+00FF) above which a text is Latin junk.
MAX_LATIN1_SUPPLEMENT_SHARE = 0.25
MIN_LATIN1_SUPPLEMENT_CHARS = 20
# Han text in which fewer than this share of ideographs is in a common national repertoire is a mis-decoding.
MIN_COMMON_HAN_SHARE = 0.8
MIN_HAN_FOR_CHECK = 20
COMMON_HAN_CODECS = ("gb2312", "big5", "cp932", "euc_kr")
# CJK unified ideographs (the basic block), the characters the national repertoires are judged on.
HAN_RE = re.compile("[\u4e00-\u9fff]")
_LATIN1_SUPPLEMENT_RE = re.compile("[\u0080-\u00ff]")


@cache
def han_repertoire(codec: str) -> frozenset[str]:
    """The unified ideographs a national charset (GB2312, Big5, JIS X 0208, KS X 1001) can encode."""
    out = set()
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode(codec)
        except UnicodeEncodeError:
            continue
        out.add(chr(cp))
    return frozenset(out)


def common_han_share(han: list[str], enough: float = 1.0) -> float:
    """The largest share of these ideographs that one national repertoire holds: real text is written in one
    (Simplified in GB2312, Traditional in Big5, Japanese in JIS X 0208), mis-decoded bytes scatter across them.
    Stops at the first repertoire holding at least `enough` of them (that one's share is then returned)."""
    counts = Counter(han)
    best = 0.0
    for codec in COMMON_HAN_CODECS:
        repertoire = han_repertoire(codec)
        best = max(best, sum(n for ch, n in counts.items() if ch in repertoire) / len(han))
        if best >= enough:
            break
    return best


def repair(text: str) -> str:
    """The text with UTF-8-read-as-Latin-1 mojibake undone (ftfy); unchanged when it has none."""
    if not UTF8_AS_LATIN1_RE.search(text):
        return text
    return ftfy.fix_encoding(text)


def garbled_reason(text: str) -> str | None:
    """Why this text is unreadable (mis-decoded beyond repair), or None when it reads as real text."""
    if not text:
        return None
    letters = letter_count(text) or 1
    replacements = text.count(REPLACEMENT_CHAR)
    if replacements >= MIN_REPLACEMENTS and replacements / letters > MAX_REPLACEMENT_SHARE:
        return f"mojibake: {replacements} replacement characters in {letters} letters (undecodable bytes)"
    hits = len(UTF8_AS_LATIN1_RE.findall(text))
    if hits >= MIN_UTF8_AS_LATIN1_HITS and hits / letters > MAX_UTF8_AS_LATIN1_SHARE:
        return f"mojibake: UTF-8 decoded as Latin-1/cp1252 ({hits} sequences like 'Ã©', 'â€™' in {letters} letters)"
    latin1 = len(_LATIN1_SUPPLEMENT_RE.findall(text))
    if latin1 >= MIN_LATIN1_SUPPLEMENT_CHARS and latin1 / (letters + latin1) > MAX_LATIN1_SUPPLEMENT_SHARE:
        return f"mojibake: {latin1} Latin-1 symbols beside {letters} letters (CJK bytes read as a Latin charset?)"
    han = HAN_RE.findall(text)
    if len(han) >= MIN_HAN_FOR_CHECK:
        share = common_han_share(han, enough=MIN_COMMON_HAN_SHARE)
        if share < MIN_COMMON_HAN_SHARE:
            return f"mojibake: only {share:.0%} of Han characters are common ones (UTF-8 read as GBK?)"
    return None
