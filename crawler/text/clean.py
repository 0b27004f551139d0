"""Make every text field of an article storable: no NUL or other C0/C1 control characters, no lone surrogates.

PostgreSQL refuses a NUL in text and the UTF-8 codec refuses a lone surrogate (`"Eve \\ud800"` from a JSON-LD
`\\ud800` escape), so one such character anywhere (an author, a title, a URL) would refuse the whole article on
every run. `clean_text` drops the controls (tab, line feed and carriage return stay) and replaces each lone
surrogate with U+FFFD; `clean_article` applies it to every string the article holds, lists and nested
records included. It runs before the store and before the spool, so neither can fail on such a character.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from crawler.items import Article

_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
T = TypeVar("T")


def clean_text(text: str) -> str:
    """`text` without control characters (other than \\t \\n \\r) and with lone surrogates as U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", _CONTROLS_RE.sub("", text))


def _clean(value: T) -> T:
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [_clean(v) for v in value]  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _clean(old)
            if new != old or type(new) is not type(old):
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value  # type: ignore[return-value]
    return value


def clean_article(article: Article) -> Article:
    """`article` (the same object when nothing needed cleaning, else a cleaned copy)."""
    return _clean(article)
