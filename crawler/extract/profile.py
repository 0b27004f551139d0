"""The declarative site profile: where a site family keeps its article, and what to throw away.

A profile is data only. Generic machinery (body, metadata, rules) reads these fields; no code
outside the profile modules knows about a particular site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml.html import HtmlElement


@dataclass(frozen=True)
class Profile:
    """How to read one site family.

    `hosts` match the URL's host or any subdomain of it; `url_pattern` (a regex on the full URL) narrows
    that further; `page_signature` (an XPath) lets a profile claim pages from any host by their markup
    (e.g. WordPress syndicators), and `page_phrase`, when given, is text the page must hold before that
    XPath is tried (a substring test costs far less than an XPath over every element). XPaths are tried
    in order, the first that finds something wins.
    """

    name: str
    hosts: tuple[str, ...] = ()
    url_pattern: str | None = None
    page_signature: str | None = None
    page_phrase: str | None = None
    language: str | None = None
    timezone: str | None = None
    container: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    # False when the site's <meta name="author"> holds its outlet, not a person (Sina).
    authors_from_meta: bool = True
    source: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    image: tuple[str, ...] = ()
    drop_lines: tuple[str, ...] = ()
    cutoff_lines: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def matches_url(self, url: str) -> bool:
        """True when the URL's host belongs to this profile (and the URL fits its pattern, if any)."""
        if not self.hosts:
            return False
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not any(host == h or host.endswith("." + h) for h in self.hosts):
            return False
        return self.url_pattern is None or re.search(self.url_pattern, url) is not None

    def matches_page(self, tree: HtmlElement, page_text: str | None = None) -> bool:
        """True when the page carries this profile's markup signature (`page_text`: the tree's text, if known)."""
        if not self.page_signature:
            return False
        if self.page_phrase is not None:
            text = tree.text_content() if page_text is None else page_text
            if self.page_phrase not in text:
                return False
        return bool(tree.xpath(self.page_signature))

    @property
    def drop_line_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.drop_lines)

    @property
    def cutoff_line_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.cutoff_lines)


GENERIC = Profile(name="generic")
