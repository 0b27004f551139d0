"""URL normalisation shared by the store (article keys) and the linker (matching a cited URL to an article)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMETERS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "spm",
    "from",
    "ref",
    "_ga",
    "maca",
)


def clean_url(url: str) -> str:
    """A stable form of one address: lower-case scheme and host, sorted query without tracking
    parameters, no fragment. Distinct pages stay distinct."""
    url = url.strip()
    cleaned = url_query_cleaner(url, TRACKING_PARAMETERS, remove=True, unique=True, keep_fragments=False)
    return canonicalize_url(cleaned, keep_fragments=False)


_MOBILE_PREFIX = re.compile(r"^(www|m|wap|mobile|amp)\.")


def bare_host(url: str) -> str:
    """The URL's lower-cased host without a leading `www.` or mobile prefix (`m.`, `wap.`, `mobile.`, `amp.`)."""
    return _MOBILE_PREFIX.sub("", (urlsplit(url).hostname or "").lower().rstrip("."))


def match_key(url: str) -> str:
    """A scheme-less, `www.`/mobile-less key so http/https, www and mobile copies of one URL meet."""
    cleaned = clean_url(url)
    parts = urlsplit(cleaned)
    host = bare_host(cleaned)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")


def same_site(url_a: str, url_b: str) -> bool:
    """True when both URLs are on the same host once `www.`/mobile prefixes are ignored."""
    return match_key(url_a).split("/", 1)[0] == match_key(url_b).split("/", 1)[0]
