"""Article metadata: title (site suffixes cut), authors, dates, canonical URL, section, image, language.

A profile's XPaths are tried first; then generic page metadata (<meta>, JSON-LD, <link rel=canonical>),
then byline markup, htmldate (page markup) and a date in the URL, and trafilatura's metadata for a missing title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.dates import date_from_url, parse_datetime, timezone_for_host
from crawler.extract.profile import Profile
from crawler.sources import host_of, source_by_name, source_for_url
from crawler.text.normalise import normalise_inline

# <meta> names/properties (lower-cased) holding each field, in order of trust.
PUBLISHED_META: tuple[str, ...] = (
    "article:published_time", "og:article:published_time", "datepublished", "publishdate", "pubdate",
    "publish_date", "publication_date", "dc.date.issued", "dc.date", "dcterms.created", "date", "sailthru.date",
    "parsely-pub-date", "weibo:article:create_at",
)
MODIFIED_META: tuple[str, ...] = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
AUTHOR_META: tuple[str, ...] = ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
SECTION_META: tuple[str, ...] = ("article:section", "og:article:section", "section", "parsely-section")
TITLE_META: tuple[str, ...] = ("og:title", "twitter:title")
IMAGE_META: tuple[str, ...] = ("og:image", "og:image:url", "twitter:image", "twitter:image:src")
SITE_NAME_META: tuple[str, ...] = ("og:site_name", "application-name")
DESCRIPTION_META: tuple[str, ...] = ("og:description", "description", "twitter:description", "dc.description")
CANONICAL_XPATH = "//link[@rel='canonical']/@href"
HTML_LANG_XPATH = "/html/@lang"
JSONLD_XPATH = "//script[@type='application/ld+json']/text()"

# Separators between a title and a site/section suffix: "_", "|", "--", " - ", " – ", " — ".
TITLE_SEPARATOR_RE = re.compile(r"\s*(?:_|\||--|\s[-–—]\s|｜)\s*")
VIA_RE = re.compile(r"\s*\(via\s+([^)]+)\)\s*$", re.IGNORECASE)
AUTHOR_PREFIX_RE = re.compile(
    r"^(?:作者|文|记者|本报记者|本台记者|通讯员|撰文|By|Von|Autor(?:in)?|Author)\s*[:：|]?\s*", re.IGNORECASE
)
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,，、;；/&]|\band\b|\bund\b)\s*")
MAX_AUTHOR_LEN = 40
# Byline markup that names the authors where no <meta> or JSON-LD does (the first XPath that finds any wins).
# A bare attribute test first ([@class]) spares the string work on the elements without one.
BYLINE_XPATHS: tuple[str, ...] = (
    "//*[@itemprop][@itemprop='author']//*[@itemprop='name']",
    "//*[@itemprop][@itemprop='author']",
    "//a[@rel='author']",
    "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' byline ') or contains(@class, 'author-name')"
    " or contains(@class, 'author_name') or contains(@class, 'byline__name')]",
)
# What each of BYLINE_XPATHS needs in the page's source: an attribute whose value is "author" (itemprop, rel), or
# a class word (byline, author-name, author_name). Most pages have no byline markup, and a look in the source
# spares them the XPaths' walks over every element (2 % of an extraction; the look costs a sixth of that).
_ATTRIBUTE_AUTHOR_RE = re.compile(r"=\s*[\"']?$")
_VALUE_START = frozenset("=\"' \t\r\n")
MAX_BYLINE_LEN = 80
# A labelled date in a short line of page chrome ("发布时间:2023-06-27 01:56:00", "Posted on 2024-07-04").
LABELLED_DATE_RE = re.compile(
    r"(?:发布时间|发布日期|发表时间|时间|日期|Veröffentlicht am|Published(?: on)?|Posted on|Date)\s*[:：]?\s*"
    r"(\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
MAX_LABELLED_DATE_LINE = 160
# The page's text nodes as plain strings (lxml's default "smart" strings, which know their parent, cost more).
_BODY_TEXTS = etree.XPath("//body//text()", smart_strings=False)
# htmldate, the last resort for the date: the original (not the updated) date, from the page's markup and URL.
# Its extensive search (every date-like string in the text, parsed in every language) is left out: it costs
# more than the rest of extraction, and labelled dates in the text are read above already.
HTMLDATE_CONFIG = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%d %H:%M:%S"}


@dataclass
class Metadata:
    """What the page says about the article, beside its text."""

    title: str | None = None
    via: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    canonical_url: str | None = None
    section: str | None = None
    image_url: str | None = None
    site_language: str | None = None
    site_name: str | None = None
    source_lines: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)  # what the page's meta tags say the article is about


def _meta_map(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            found.setdefault(key, content)
    return found


def _jsonld(tree: HtmlElement) -> list[dict]:  # type: ignore[type-arg]
    objects: list[dict] = []  # type: ignore[type-arg]
    for raw in tree.xpath(JSONLD_XPATH):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return objects


def xpath_texts(tree: HtmlElement, xpaths: tuple[str, ...]) -> list[str]:
    """Texts (or attribute values, or the string an XPath function returns) found by the first XPath that finds any
    non-empty ones."""
    for xpath in xpaths:
        values: list[str] = []
        found = tree.xpath(xpath)
        for node in found if isinstance(found, list) else [found] if isinstance(found, str) else []:
            text = node if isinstance(node, str) else node.text_content()
            text = normalise_inline(str(text))
            if text:
                values.append(text)
        if values:
            return values
    return []


def is_site_name(part: str, site_name: str | None) -> bool:
    """True when a title part names a site (a registry source, the page's site name, or a domain)."""
    part = part.strip()
    if not part:
        return True
    if site_name and part.casefold() == site_name.casefold():
        return True
    if source_by_name(part) is not None:
        return True
    return bool(re.search(r"(?i)\.(?:com|cn|net|org|de)$", part))


def clean_title(title: str, suffixes: tuple[str, ...] = (), site_name: str | None = None) -> tuple[str, str | None]:
    """The title without site suffixes, and the X of a trailing "(via X)" if there was one."""
    title = normalise_inline(title)
    for pattern in suffixes:
        title = re.sub(pattern, "", title).strip()
    parts = TITLE_SEPARATOR_RE.split(title)
    while len(parts) > 1 and is_site_name(parts[-1], site_name):
        parts.pop()
    if len(parts) > 1 and is_site_name(parts[0], site_name):  # "Site | Title"
        parts.pop(0)
    if parts and len(parts) != len(TITLE_SEPARATOR_RE.split(title)):
        title = _kept_span(title, parts)
    via = None
    match = VIA_RE.search(title)
    if match:
        via, title = match.group(1).strip(), title[: match.start()]
    return title.strip(), via


def _kept_span(title: str, kept: list[str]) -> str:
    """The stretch of the title from the first to the last kept part, original separators included."""
    start = title.index(kept[0])
    pos = start
    for part in kept:
        pos = title.index(part, pos) + len(part)
    return title[start:pos]


def split_authors(values: list[str]) -> list[str]:
    """Individual author names from bylines ("本报记者 王乐文  方  敏", "By A and B")."""
    names: list[str] = []
    for value in values:
        value = AUTHOR_PREFIX_RE.sub("", value.strip("()（） "))
        for chunk in AUTHOR_SPLIT_RE.split(value):
            tokens = chunk.split()
            if tokens and all(re.fullmatch(r"[\u4e00-\u9fff·]+", t) for t in tokens):
                # Chinese names: two-character names are padded ("方  敏"); join single characters in pairs.
                merged: list[str] = []
                for tok in tokens:
                    if len(tok) == 1 and merged and len(merged[-1]) == 1:
                        merged[-1] += tok
                    else:
                        merged.append(tok)
                tokens_out = merged
            else:
                tokens_out = [chunk.strip()]
            for name in tokens_out:
                name = AUTHOR_PREFIX_RE.sub("", name).strip(" .:：")
                if name and len(name) <= MAX_AUTHOR_LEN and not name.startswith("http") and name not in names:
                    names.append(name)
    return names


def byline_xpaths_for(source: str) -> tuple[str, ...]:
    """The BYLINE_XPATHS that can find anything on the page parsed from `source` (in their order).

    `@itemprop='author'` and `@rel='author'` need an attribute value `author` in the source (`="author"`,
    `='author'` or `=author`, spaces allowed around `=`); the class test needs "byline", "author-name" or
    "author_name". Both are read in one pass over the places where the source says "author"."""
    attribute, classes = False, "byline" in source
    at = source.find("author")
    while at >= 0 and not (attribute and classes):
        if not attribute and source[at - 1 : at] in _VALUE_START:
            attribute = _ATTRIBUTE_AUTHOR_RE.search(source, max(0, at - 8), at) is not None
        classes = classes or source.startswith(("-name", "_name"), at + 6)
        at = source.find("author", at + 6)
    return tuple(x for x in BYLINE_XPATHS if (attribute if "@class" not in x else classes))


def _first_date(values: list[str], tz: str) -> datetime | None:
    for value in values:
        parsed = parse_datetime(value, tz)
        if parsed is not None:
            return parsed
    return None


def _looks_chinese(tree: HtmlElement) -> bool:
    lang = "".join(tree.xpath(HTML_LANG_XPATH)).lower()
    if lang:
        return lang.startswith("zh")
    title = "".join(tree.xpath("//title//text()"))
    return sum(1 for ch in title if "\u4e00" <= ch <= "\u9fff") >= 4


def _labelled_dates(tree: HtmlElement) -> list[str]:
    found: list[str] = []
    for text in _BODY_TEXTS(tree):
        if len(text) <= MAX_LABELLED_DATE_LINE:
            match = LABELLED_DATE_RE.search(text)
            if match:
                found.append(match.group(1))
    return found


def extract_metadata(tree: HtmlElement, url: str, profile: Profile, source: str) -> Metadata:
    """Everything but the body, read from the parsed page (`source`: the HTML it was parsed from)."""
    meta = _meta_map(tree)
    jsonld = _jsonld(tree)
    registry = source_for_url(url)
    host = host_of(url)
    tz = profile.timezone or (
        "Asia/Shanghai" if registry is not None and registry.country == "CN" else timezone_for_host(host)
    )
    if registry is None and tz == "UTC" and _looks_chinese(tree):
        tz = "Asia/Shanghai"  # Chinese sites: Asia/Shanghai unless the page says otherwise
    site_name = next((meta[k] for k in SITE_NAME_META if k in meta), None)
    trafi = None

    def trafilatura_meta():  # type: ignore[no-untyped-def]
        """trafilatura's metadata, computed at most once and only when needed."""
        nonlocal trafi
        if trafi is None:
            trafi = trafilatura.extract_metadata(tree, default_url=url, date_config=HTMLDATE_CONFIG)
        return trafi

    md = Metadata(site_name=site_name)
    raw_title = next(iter(xpath_texts(tree, profile.title)), None)
    if raw_title is None:
        raw_title = next((meta[k] for k in TITLE_META if k in meta), None)
    if raw_title is None:
        titles = tree.xpath("//title/text()")
        raw_title = titles[0] if titles else None
    if raw_title is None and trafilatura_meta() is not None:
        raw_title = trafi.title
    if raw_title:
        md.title, md.via = clean_title(raw_title, profile.title_suffixes, site_name)
        md.title = md.title or None

    dates = xpath_texts(tree, profile.published)
    dates += [meta[k] for k in PUBLISHED_META if k in meta]
    dates += [str(o["datePublished"]) for o in jsonld if o.get("datePublished")]
    dates += [str(t) for t in tree.xpath("//time/@datetime")]
    md.published_at = _first_date(dates, tz)
    if md.published_at is None:
        md.published_at = _first_date(_labelled_dates(tree), tz)
    if md.published_at is None:
        from htmldate import find_date

        found = find_date(tree, url=url, **HTMLDATE_CONFIG)
        md.published_at = parse_datetime(found, tz) if found else None
    if md.published_at is None:
        md.published_at = date_from_url(url, tz)
    modified = [meta[k] for k in MODIFIED_META if k in meta]
    modified += [str(o["dateModified"]) for o in jsonld if o.get("dateModified")]
    md.modified_at = _first_date(modified, tz)

    author_values = xpath_texts(tree, profile.authors)
    if not author_values and profile.authors_from_meta:
        author_values = [meta[k] for k in AUTHOR_META if k in meta and not meta[k].startswith("http")]
    if not author_values and profile.authors_from_meta:
        for obj in jsonld:
            authors = obj.get("author")
            for a in authors if isinstance(authors, list) else [authors]:
                if isinstance(a, dict) and a.get("name"):
                    author_values.append(str(a["name"]))
                elif isinstance(a, str):
                    author_values.append(a)
    if not author_values and profile.authors_from_meta:
        bylines = xpath_texts(tree, byline_xpaths_for(source))
        author_values = [v for v in bylines if len(v) <= MAX_BYLINE_LEN]
    md.authors = split_authors(author_values)

    canonical = tree.xpath(CANONICAL_XPATH) or ([meta["og:url"]] if "og:url" in meta else [])
    md.canonical_url = urljoin(url, str(canonical[0]).strip()) if canonical and str(canonical[0]).strip() else None
    md.section = next(iter(xpath_texts(tree, profile.section)), None) or next(
        (meta[k] for k in SECTION_META if k in meta), None
    )
    image = next(iter(xpath_texts(tree, profile.image)), None) or next((meta[k] for k in IMAGE_META if k in meta), None)
    md.image_url = urljoin(url, image) if image else None
    lang = profile.language or (registry.language if registry else None)
    if lang is None:
        html_lang = tree.xpath(HTML_LANG_XPATH)
        lang = str(html_lang[0]).split("-")[0].lower() if html_lang and str(html_lang[0]).strip() else None
    md.site_language = lang
    md.source_lines = xpath_texts(tree, profile.source)
    md.descriptions = list(dict.fromkeys(meta[k] for k in DESCRIPTION_META if k in meta))
    return md
