"""Pure parsers that find article URLs: RSS/RDF/Atom feeds, sitemaps (indexes, news sitemaps), HTML listings.

Bytes in, `Listed` entries out; nothing here knows Scrapy, so every parser is tested on recorded bytes.
Malformed input raises `DiscoveryError` with the reason, never a half-parsed list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import lxml.etree as etree
import lxml.html

from crawler.extract.dates import parse_datetime
from crawler.urls import clean_url


class DiscoveryError(ValueError):
    """A feed, sitemap or listing could not be read; the message says why."""


@dataclass(frozen=True)
class Listed:
    """A URL found on a feed/sitemap/listing, with the publication time it gave (if any)."""

    url: str
    published: datetime | None = None


def parse_date(value: str | None) -> datetime | None:
    """RFC 822 (RSS), a Unix timestamp (JSON APIs), or anything `crawler.extract.dates.parse_datetime` reads
    (ISO 8601, Chinese dates, …), zone-less times taken as UTC -> aware datetime; None if unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d{9,11}", value):
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_datetime(value, "UTC")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


_GB_DECLARATION = re.compile(rb"""\s+encoding=["'](?:gb2312|gbk|gb18030)["']""", re.I)


def _xml_root(body: bytes, what: str) -> etree._Element:
    if not body.strip():
        raise DiscoveryError(f"{what} is empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    body = body.lstrip()
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        declared = _GB_DECLARATION.search(body[:200])
        if declared is None:
            raise DiscoveryError(f"{what} is not well-formed XML: {exc}") from None
        # GB2312/GBK declarations routinely carry GB18030 characters: read them as the superset
        try:
            text = body.decode("gb18030")
        except UnicodeDecodeError:
            raise DiscoveryError(f"{what} is not well-formed XML: {exc}") from None
        text = text.replace(declared.group(0).decode("ascii"), "", 1)
        try:
            root = etree.fromstring(text.encode("utf-8"), parser=parser)
        except etree.XMLSyntaxError as exc2:
            raise DiscoveryError(f"{what} is not well-formed XML: {exc2}") from None
    if root is None:
        raise DiscoveryError(f"{what} has no root element")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and (child.text or "").strip():
            return (child.text or "").strip()
    return None


def parse_feed(body: bytes, base_url: str) -> list[Listed]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order (the XML prolog's encoding is honoured)."""
    root = _xml_root(body, "feed")
    kind = _local(root.tag)
    if kind not in ("rss", "RDF", "feed"):
        raise DiscoveryError(f"feed root element is <{kind}>, not rss, rdf:RDF or feed")
    found: list[Listed] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "item":
            link = _child_text(element, "link")
            if not link:
                guid = next((c for c in element if _local(c.tag) == "guid"), None)
                if guid is not None and guid.get("isPermaLink", "true") != "false":
                    link = (guid.text or "").strip() or None
            date = _child_text(element, "pubDate", "date", "published", "updated")
        elif name == "entry":
            link = None
            for child in element:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
                    link = child.get("href")
                    break
            date = _child_text(element, "published", "updated", "issued", "modified")
        else:
            continue
        if link:
            found.append(Listed(urljoin(base_url, link.strip()), parse_date(date)))
    return found


def parse_sitemap(body: bytes) -> tuple[list[Listed], list[Listed]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index; news sitemaps give publication dates."""
    root = _xml_root(body, "sitemap")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"sitemap root element is <{kind}>, not urlset or sitemapindex")
    pages: list[Listed] = []
    children: list[Listed] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        date = None
        for node in entry.iter():
            if _local(node.tag) == "publication_date" and node.text:
                date = node.text
        date = date or _child_text(entry, "lastmod")
        target = children if _local(entry.tag) == "sitemap" else pages
        target.append(Listed(loc, parse_date(date)))
    return pages, children


def extract_links(body: bytes | str, base_url: str, patterns: Sequence[str]) -> list[str]:
    """Absolute links on an HTML page whose URL matches one of `patterns`, de-duplicated, in page order."""
    if isinstance(body, bytes) and not body.strip():
        return []
    try:
        document = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    compiled = [re.compile(p) for p in patterns]
    seen: set[str] = set()
    links: list[str] = []
    for href in document.xpath("//a/@href"):
        url = urljoin(base_url, str(href).strip())
        if not url.startswith(("http://", "https://")) or not any(p.search(url) for p in compiled):
            continue
        key = clean_url(url)
        if key not in seen:
            seen.add(key)
            links.append(url)
    return links


_URL_DATES = (
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),
)


def date_from_url(url: str) -> datetime | None:
    """The publication day many news URLs carry (/2021-08-24/, /2024/0424/, /2023/06/27/, /20230115/), or None."""
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            try:
                return datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=timezone.utc)
            except ValueError:
                continue
    return None


def is_article_url(url: str, patterns: Sequence[str]) -> bool:
    """True when the URL matches one of a source's article patterns (any URL when it has none)."""
    return not patterns or any(re.search(p, url) for p in patterns)


def matching(entries: Iterable[Listed], patterns: Sequence[str]) -> list[Listed]:
    """Entries whose URL matches one of the article patterns (all of them when no pattern is given)."""
    return [e for e in entries if is_article_url(e.url, patterns)]
