"""Bytes -> str: resolve the HTTP charset, the <meta> charset and what the bytes really are.

Order of trust: a BOM; bytes that are valid UTF-8 (a GB2312-declared page re-saved as UTF-8 is
common, and real GBK text is practically never valid UTF-8); the declared charsets (header, then
meta) when they decode strictly to sane text; charset-normalizer for the rest. GB2312/GBK labels
decode as GB18030 (their superset), Latin-1/ASCII labels as cp1252 (as browsers do).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

from charset_normalizer import from_bytes

from crawler.extract.mojibake import garbled_reason
from crawler.items import PageRejected

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
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
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


def decode_body(body: bytes, headers: Mapping[str, str] | None = None, url: str | None = None) -> Decoded:
    """Decode an HTML/XML body; raises PageRejected when no charset gives sane text."""
    declared = tuple(c for c in (header_charset(headers), meta_charset(body)) if c)
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding), encoding.replace("-sig", ""), declared)
    text = _strict(body, "utf-8")
    if text is not None:
        if body.isascii():
            first = normalise_charset(declared[0]) if declared else None
            return Decoded(text, first or "utf-8", declared)
        reason = garbled_reason(text)
        if reason is None:
            return Decoded(text, "utf-8", declared)
        # Valid UTF-8 that reads as mojibake was garbled before it was saved: no charset undoes that.
        raise PageRejected(f"garbled page (valid UTF-8 bytes): {reason}", url)
    reasons: list[str] = []
    candidates = [normalise_charset(c) for c in declared]
    for encoding in dict.fromkeys(c for c in candidates if c and c != "utf-8"):
        text = _strict(body, encoding)
        if text is None:
            reasons.append(f"bytes are not valid {encoding}")
            continue
        reason = garbled_reason(text)
        if reason is None:
            return Decoded(text, encoding, declared)
        reasons.append(f"{encoding}: {reason}")
    best = from_bytes(body).best()
    if best is not None:
        encoding = normalise_charset(best.encoding) or best.encoding
        text = _strict(body, encoding) or str(best)
        reason = garbled_reason(text)
        if reason is None:
            return Decoded(text, encoding, declared)
        reasons.append(f"detected {encoding}: {reason}")
    raise PageRejected("undecodable page: " + ("; ".join(reasons) or "no charset fits the bytes"), url)
