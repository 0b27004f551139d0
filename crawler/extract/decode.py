"""Bytes -> str: resolve the HTTP charset, the <meta> charset and what the bytes really are.

Order of trust: a BOM; ISO-2022-JP's escape sequences (its 7-bit bytes are valid UTF-8 too); bytes that are
valid UTF-8 (a GB2312-declared page re-saved as UTF-8 is common, and real GBK text is practically never valid
UTF-8); the declared charsets (header, then meta) when they decode strictly to sane text; charset-normalizer for
the rest, choosing among the encodings browsers decode (WEB_ENCODINGS: no page is written in hp-roman8 or
cp1125, which it otherwise prefers for text in windows-1251, KOI8-R or ISO-8859-7). GB2312/GBK labels
decode as GB18030 (their superset), Latin-1/ASCII labels as cp1252 (as browsers do). A page declaring a
CJK charset whose valid UTF-8 is garbled Latin (it was read as windows-1252 and saved as UTF-8, once or
twice) is read again in its declared charset. Decoding never rejects a page: whether its text is readable
is judged on the extracted article (crawler.extract.mojibake).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

from charset_normalizer import from_bytes
from ftfy.fixes import fix_c1_controls

from crawler.extract.mojibake import HAN_RE, MIN_COMMON_HAN_SHARE, common_han_share, garbled_reason

# Charset labels decoded with a superset, as browsers do (WHATWG encoding standard).
CHARSET_SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "utf8": "utf-8",
}
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
META_SNIFF_BYTES = 4096
# Damaged UTF-8: at most this many undecodable bytes per well-formed non-ASCII character. A page in a legacy
# charset has (almost) no well-formed multi-byte sequences, so it never passes for damaged UTF-8.
MAX_BAD_UTF8_SHARE = 0.01
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_INVISIBLE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# ISO-2022-JP's shifts into JIS X 0208 (ESC $ @, ESC $ B) or JIS X 0212 (ESC $ ( D): no other text has them.
_ISO2022_JP_SHIFT_RE = re.compile(rb"\x1b\$(?:@|B|\(D)")
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    """A decoded document and the codec that produced it (with what was declared, for the record)."""

    text: str
    encoding: str
    declared: tuple[str, ...] = ()


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label (GB2312 -> gb18030), or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = CHARSET_SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return CHARSET_SUPERSETS.get(name, name)


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset parameter of the Content-Type header (any key case)."""
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type" and value:
            match = _HEADER_CHARSET_RE.search(value)
            return match.group(1) if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    """The charset declared in <meta> (or an XML declaration) near the top of the document."""
    head = body[:META_SNIFF_BYTES]
    match = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _visible(text: str) -> str:
    """The text outside scripts, styles, comments and tags: what a reader of the page would see. (Markup left in
    would dilute a garbled text's rate of odd characters with the ASCII of its tags and attributes.)"""
    return _TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", text))


# The encodings of the WHATWG Encoding Standard (what browsers decode), as Python codecs, plus the supersets
# browsers use for them: what an undeclared page is detected among.
WEB_ENCODINGS = (
    "utf_8", "cp866", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "mac_roman",
    "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "mac_cyrillic", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949",
    "utf_16", "utf_16_be", "utf_16_le",
)
# Legacy multi-byte charsets whose pages are sometimes saved a second time as UTF-8 after being read as Latin-1.
LEGACY_CJK = frozenset({"gb18030", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949"})
# Damaged sequences (a character garbled twice over) tolerated per CJK character of the reading again.
MAX_BAD_REREAD_SHARE = 0.02
MAX_MISREAD_LAYERS = 2
# The single-byte charsets such a page was read with on its way into UTF-8: windows-1252 (browsers, Windows) and
# Latin-9 (the default of many European Unix locales: € at 0xA4, Ž at 0xB4). The reading that gives the most
# common ideographs wins.
MISREAD_CHARSETS = ("cp1252", "iso8859_15")
# Reading back to bytes: the five bytes windows-1252 leaves undefined (and Latin-1 readings) became the C1
# controls U+0080-U+009F, and a character outside the misreading charset but within Latin-1 is its Latin-1 byte.
_C1_PASSTHROUGH = "newscrawl-latin1-passthrough"


def _latin1_passthrough(error: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chars = error.object[error.start : error.end]
    if any(ord(c) > 0xFF for c in chars):
        raise error
    return bytes(ord(c) for c in chars), error.end


codecs.register_error(_C1_PASSTHROUGH, _latin1_passthrough)


def _legacy_saved_as_utf8(text: str, candidates: list[str | None]) -> tuple[str, str] | None:
    """A page in a declared CJK charset that was read as windows-1252 and saved as UTF-8 (once or twice): its
    UTF-8 reading is garbled and holds no CJK character, every character is one byte of windows-1252, and
    those bytes decode in the declared charset to CJK text (a few damaged sequences allowed). Returns (text,
    encoding label), or None for everything else."""
    legacy = next((c for c in candidates if c in LEGACY_CJK), None)
    if legacy is None or text.isascii() or _CJK_RE.search(text) or garbled_reason(_visible(text)) is None:
        return None  # the common case; and a readable page (a UTF-8 page with "Bürger" declaring GBK) stays
    # a page can have gone through it more than once: UTF-8 read as Latin-1 and saved again is peeled first
    layers = 0
    while layers < MAX_MISREAD_LAYERS and (peeled := _peel_utf8(text)) is not None:
        text, layers = peeled, layers + 1
    best: tuple[float, str, str] | None = None
    for misread in MISREAD_CHARSETS:
        raw = _misread_bytes(text, misread)
        if raw is None:
            continue
        reread = raw.decode(legacy, errors="replace")
        bad, cjk = reread.count("\ufffd"), _CJK_RE.findall(reread)
        if not cjk or bad > MAX_BAD_REREAD_SHARE * len(cjk):
            continue
        # Both Latin readings give CJK text; the wrong one scatters over rare ideographs (幀硛 for 船长).
        share = common_han_share(HAN_RE.findall(reread) or cjk)
        if best is None or share > best[0]:
            best = (share, reread, misread)
    if best is None:
        return None
    return best[1], f"{legacy} read as {best[2]}" + (f" x{layers + 1}" if layers else "")


def _misread_bytes(text: str, misread: str = "cp1252") -> bytes | None:
    """The bytes a reading of them in `misread` (windows-1252 or Latin-9) gave `text`, or None when it holds other
    characters."""
    try:
        return text.encode(misread, errors=_C1_PASSTHROUGH)
    except UnicodeEncodeError:
        return None


def _peel_utf8(text: str) -> str | None:
    """`text` read back as the UTF-8 it was before a windows-1252 reading garbled it, or None."""
    raw = _misread_bytes(text)
    peeled = None if raw is None else _strict(raw, "utf-8")
    return peeled if peeled is not None and peeled != text else None


def _windows_1252_controls(text: str, body: bytes) -> str:
    """UTF-8 text with its C1 control characters (U+0080-U+009F) read as the windows-1252 characters they were
    (U+0094 is ”), as browsers do (ftfy's fix). They come from a windows-1252 page converted to UTF-8 as if it
    were Latin-1; no text uses them as controls. One extraction keeping ” and another dropping the control would
    no longer agree on the paragraph. Looked for in the bytes first (C2 80-9F), which is cheap."""
    if not _C1_UTF8_RE.search(body):
        return text
    return fix_c1_controls(text)


# A CJK page that declares no charset and has a damaged byte or two fails every strict decoding, and detection
# then offers a single-byte charset (Cyrillic ones for GBK bytes) or nothing. Read leniently in a CJK charset, such
# a page has at most this many undecodable spots per ideograph, and at least MIN_DAMAGED_CJK_HAN ideographs; a
# Cyrillic or Latin page read that way breaks a character at nearly every space.
MAX_DAMAGED_CJK_SHARE = 0.005
MIN_DAMAGED_CJK_HAN = 50
DAMAGED_CJK_CANDIDATES = ("gb18030", "big5hkscs", "shift_jis", "euc_kr")


def _damaged_cjk(body: bytes) -> tuple[str, str] | None:
    """The page read leniently in the CJK charset that fits it (most ideographs, nearly no undecodable spots, common
    ideographs), or None when none fits."""
    best: tuple[int, str, str] | None = None
    for encoding in DAMAGED_CJK_CANDIDATES:
        text = body.decode(encoding, errors="replace")
        visible = _visible(text)
        han = HAN_RE.findall(visible)
        if len(han) < MIN_DAMAGED_CJK_HAN or visible.count("\ufffd") > MAX_DAMAGED_CJK_SHARE * len(han):
            continue
        if common_han_share(han) >= MIN_COMMON_HAN_SHARE and (best is None or len(han) > best[0]):
            best = (len(han), text, encoding)
    return (best[1], best[2]) if best is not None else None


def decode_body(body: bytes, headers: Mapping[str, str] | None = None, url: str | None = None) -> Decoded:
    """Decode an HTML/XML body. Never refuses a page for its characters: the extracted text is judged later
    (crawler.extract.mojibake), so a declared charset that gives garbage is skipped, and the least garbled
    reading is kept when nothing decodes cleanly."""
    declared = tuple(c for c in (header_charset(headers), meta_charset(body)) if c)
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding), encoding.replace("-sig", ""), declared)
    candidates = [normalise_charset(c) for c in declared]
    wide = next((c for c in candidates if c and c.startswith(("utf-16", "utf-32"))), None)
    if wide and b"\x00" in body[:META_SNIFF_BYTES]:
        # UTF-16/32 declared by the server, without a BOM: its NUL bytes would pass for valid UTF-8.
        text = _strict(body, wide)
        if text is not None:
            return Decoded(text, wide, declared)
    if _ISO2022_JP_SHIFT_RE.search(body) is not None:
        # 7-bit ISO-2022-JP is valid UTF-8 too, its escape sequences left in the text as control characters.
        text = _strict(body, "iso2022_jp")
        if text is not None:
            return Decoded(text, "iso2022_jp", declared)
    text = _strict(body, "utf-8")
    if text is not None:
        # Valid UTF-8 is what it says; mojibake saved inside it is repaired or rejected on the extracted text.
        first = normalise_charset(declared[0]) if declared and body.isascii() else None
        reread = _legacy_saved_as_utf8(text, candidates)
        if reread is not None:
            return Decoded(reread[0], reread[1], declared)
        return Decoded(_windows_1252_controls(text, body), first or "utf-8", declared)
    lenient_utf8 = body.decode("utf-8", errors="replace")
    bad = lenient_utf8.count("\ufffd")
    well_formed = len(lenient_utf8) - len(lenient_utf8.encode("ascii", "ignore")) - bad
    if bad <= MAX_BAD_UTF8_SHARE * well_formed:
        # UTF-8 with a few corrupt bytes (a truncated character, a stray byte): no legacy charset reads it better.
        return Decoded(_windows_1252_controls(lenient_utf8, body), "utf-8", declared)
    fallback: Decoded | None = None
    lenient: Decoded | None = None  # a declared charset that fits all but a few bytes
    for encoding in dict.fromkeys(c for c in candidates if c and c != "utf-8"):
        text = _strict(body, encoding)
        if text is None:
            lenient = lenient or Decoded(body.decode(encoding, errors="replace"), encoding, declared)
            continue
        if garbled_reason(_visible(text)) is None:
            return Decoded(text, encoding, declared)
        fallback = fallback or Decoded(text, encoding, declared)
    best = from_bytes(body, cp_isolation=list(WEB_ENCODINGS)).best()
    detected = (normalise_charset(best.encoding) or best.encoding) if best is not None else None
    if not declared and detected not in LEGACY_CJK:
        cjk = _damaged_cjk(body)
        if cjk is not None:
            return Decoded(cjk[0], cjk[1], declared)
    if best is not None and detected is not None:
        encoding = detected
        text = _strict(body, encoding) or str(best)
        if fallback is None or garbled_reason(_visible(text)) is None:
            return Decoded(text, encoding, declared)
    if fallback is not None:
        return fallback
    # Nothing fits: undecodable bytes become replacement characters, which the text check weighs.
    return lenient or Decoded(body.decode("utf-8", errors="replace"), "utf-8", declared)
