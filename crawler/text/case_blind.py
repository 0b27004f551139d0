"""A case-insensitive regular-expression search done as a case-sensitive one over the lowercased text.

Python's case-insensitive matching tries both cases at every position and is about four times slower than a
case-sensitive pattern run over text lowercased once. The two find the same whenever the pattern is ASCII with
no escape that lowercasing would change (`\\S`, `\\W`, `\\D`, `\\B`, `\\A`, `\\Z`), and the text holds none of the
four characters where lowercasing and case-blind matching part: dotted and dotless i (U+0130, U+0131), the long s
(U+017F) and the Kelvin sign (U+212A). Elsewhere the pattern runs as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

CASE_FOLDING_TRAPS = ("\u0130", "\u0131", "\u017f", "\u212a")
_UPPERCASE_ESCAPE_RE = re.compile(r"\\[A-Z]")


@lru_cache(maxsize=32)
def lowercase_form(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-insensitive pattern as a case-sensitive one for lowercased text, or None where that would change
    what it finds (not case-insensitive, not ASCII, or an uppercase escape)."""
    source = pattern.pattern
    if not pattern.flags & re.IGNORECASE or not source.isascii() or _UPPERCASE_ESCAPE_RE.search(source):
        return None
    return re.compile(source.lower())


def has_case_folding_trap(text: str) -> bool:
    """Whether the text holds a character where lowercasing and case-blind matching part (CASE_FOLDING_TRAPS)."""
    return not text.isascii() and any(trap in text for trap in CASE_FOLDING_TRAPS)


def finds(pattern: re.Pattern[str], text: str, lowered: str | None = None) -> bool:
    """Whether `pattern` finds anything in `text` (`lowered`: text.lower(), when the caller has it)."""
    fast = lowercase_form(pattern)
    if fast is None or has_case_folding_trap(text):
        return pattern.search(text) is not None
    return fast.search(text.lower() if lowered is None else lowered) is not None
