"""Date strings from pages -> timezone-aware datetimes.

Fast paths for ISO 8601 and Chinese "2021年08月24日 20:02" forms, dateparser for the rest. A date
without an offset is read in the site's timezone (Chinese sites: Asia/Shanghai unless stated).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "UTC"
# Timezone of a site by the end of its host, when neither the page nor the profile says.
TLD_TIMEZONES: tuple[tuple[str, str], ...] = (
    (".cn", "Asia/Shanghai"),
    (".de", "Europe/Berlin"),
    (".at", "Europe/Vienna"),
    (".ch", "Europe/Zurich"),
)
DATEPARSER_LANGUAGES = ["zh", "en", "de"]
CJK_DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


# A date in a URL path: /2023/01/15/, /20230115/, /2019/0615/, /2024-01-01/ (then a slash or a non-digit).
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?=/|[^\d/]|$)")


def date_from_url(url: str, tz: str = DEFAULT_TIMEZONE) -> datetime | None:
    """The date a URL's path carries (midnight in the site's timezone), or None."""
    match = URL_DATE_RE.search(url.split("?", 1)[0])
    if not match:
        return None
    try:
        return _aware(datetime(int(match[1]), int(match[2]), int(match[3])), tz)
    except ValueError:
        return None


def timezone_for_host(host: str) -> str:
    """A default timezone for a host from its top-level domain."""
    for suffix, tz in TLD_TIMEZONES:
        if host.endswith(suffix):
            return tz
    return DEFAULT_TIMEZONE


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _aware(value: datetime, tz: str) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=_zone(tz))


def parse_datetime(text: str | None, tz: str = DEFAULT_TIMEZONE) -> datetime | None:
    """An aware datetime from a date string, or None if it holds no recognisable date."""
    if not text:
        return None
    text = text.strip()
    if _ISO_RE.match(text):
        try:
            return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), tz)
        except ValueError:
            pass
    match = CJK_DATE_RE.search(text)
    if match:
        try:
            return _aware(
                datetime(
                    int(match["y"]), int(match["m"]), int(match["d"]),
                    int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0),
                ),
                tz,
            )
        except ValueError:
            pass
    import dateparser  # slow import, only when the fast paths fail

    text = re.sub(r"^\s*[(（][^)）]{0,60}[)）]\s*", "", text)  # "(People's Daily Online) 11:35, November 23, 2022"
    return dateparser.parse(
        text[:100],
        languages=DATEPARSER_LANGUAGES,
        settings={"TIMEZONE": tz, "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past"},
    )
