"""The site profiles, one module per site family, and how a page finds its profile.

URL host match first (longest host wins), then page signatures (markup any host may carry), then
the generic profile (trafilatura on the whole page with generic rules only).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract.profile import GENERIC, Profile
from crawler.extract.profiles import chinadaily, people, sina, wechat, wordpress_syndicator, xinhua

PROFILES: tuple[Profile, ...] = (
    sina.PROFILE,
    people.PROFILE,
    wordpress_syndicator.PROFILE,
    chinadaily.PROFILE,
    xinhua.PROFILE,
    wechat.PROFILE,
)


def profile_for(url: str, tree: HtmlElement | None = None, page_text: str | None = None) -> Profile:
    """The profile for a page: by URL host, else by page signature, else GENERIC (`page_text`: the tree's
    text content, when the caller has it already)."""
    host = (urlsplit(url).hostname or "").lower()
    by_host = [p for p in PROFILES if p.matches_url(url)]
    if by_host:
        return max(by_host, key=lambda p: max(len(h) for h in p.hosts if host.endswith(h)))
    if tree is not None:
        for profile in PROFILES:
            if profile.matches_page(tree, page_text):
                return profile
    return GENERIC


def profile_by_name(name: str) -> Profile:
    """A profile by its name (GENERIC for "generic")."""
    for profile in (*PROFILES, GENERIC):
        if profile.name == name:
            return profile
    raise KeyError(name)
