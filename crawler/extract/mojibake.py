"""Detect text that was decoded with the wrong charset, so garbage is rejected instead of stored.

Three signatures: replacement characters (undecodable bytes), UTF-8 read as Latin-1/cp1252
("Ã©", "â€™"), and CJK bytes read as a Latin charset (a text made of Latin-1 symbols) or UTF-8
read as GBK (Han characters outside the common GB2312/Big5 repertoires).
"""

from __future__ import annotations

import re

# UTF-8 lead byte (Ã, Â, â, ...) read as cp1252/Latin-1 and followed by a continuation-byte glyph.
UTF8_AS_LATIN1_RE = re.compile(
    "[\u00c2-\u00c3][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc\u2122]"
    "|\u00e2\u20ac[\u0080-\u00bf\u2018-\u203a\u2122\u0153\u0152\u017e]"
    "|[\u00e4-\u00e9][\u0080-\u00bf][\u0080-\u00bf]"
)
REPLACEMENT_CHAR = "\ufffd"
MIN_REPLACEMENTS = 3
MAX_REPLACEMENT_SHARE = 0.002
MIN_UTF8_AS_LATIN1_HITS = 3
# Share of Latin-1 supplement letters/symbols (U+0080-U+00FF) above which a text is Latin junk.
MAX_LATIN1_SUPPLEMENT_SHARE = 0.25
MIN_LATIN1_SUPPLEMENT_CHARS = 20
# Han text in which fewer than this share of ideographs exist in GB2312 or Big5 is a mis-decoding.
MIN_COMMON_HAN_SHARE = 0.8
MIN_HAN_FOR_CHECK = 20


def _han_chars(text: str) -> list[str]:
    return [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]


def _encodable_share(chars: list[str], encoding: str) -> float:
    ok = 0
    for ch in chars:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            continue
        ok += 1
    return ok / len(chars)


def garbled_reason(text: str) -> str | None:
    """Why this text looks mis-decoded, or None when it looks like real text."""
    if not text:
        return None
    replacements = text.count(REPLACEMENT_CHAR)
    if replacements >= MIN_REPLACEMENTS and replacements / len(text) > MAX_REPLACEMENT_SHARE:
        return f"mojibake: {replacements} replacement characters (undecodable bytes)"
    hits = len(UTF8_AS_LATIN1_RE.findall(text))
    if hits >= MIN_UTF8_AS_LATIN1_HITS:
        return f"mojibake: UTF-8 decoded as Latin-1/cp1252 ({hits} sequences like 'Ã©', 'â€™')"
    letters = [ch for ch in text if ch.isalpha() or "\u0080" <= ch <= "\u00ff"]
    latin1 = sum(1 for ch in letters if "\u0080" <= ch <= "\u00ff")
    if latin1 >= MIN_LATIN1_SUPPLEMENT_CHARS and latin1 / max(len(letters), 1) > MAX_LATIN1_SUPPLEMENT_SHARE:
        return f"mojibake: {latin1} of {len(letters)} letters are Latin-1 symbols (CJK bytes read as a Latin charset?)"
    han = _han_chars(text)
    if len(han) >= MIN_HAN_FOR_CHECK:
        share = max(_encodable_share(han, "gb2312"), _encodable_share(han, "big5"))
        if share < MIN_COMMON_HAN_SHARE:
            return f"mojibake: only {share:.0%} of Han characters are common ones (UTF-8 read as GBK?)"
    return None
