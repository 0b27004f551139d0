"""Explicit evidence: turn an article's attributions (read by extraction) into proposed links.

* a URL (`source_link`, off-site `canonical`) -> the stored article at that URL when we have it (matched on
  `crawler.urls.match_key`, plus host aliases from the source registry), else a URL link to resolve later;
* a named outlet (`attribution_text`) -> a source (registry canonical name, whatever language it was named in).

Relation: same language -> `republishes`, other language -> `translates`; an outlet named only in prose
("according to Xinhua", "Laut einer Meldung von …", 据新华社) -> `cites`. Pure: URL lookups go through a
`UrlIndex` built from rows the caller loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crawler.linking.model import LinkDoc, Proposal
from crawler.sources import REGISTRY, SourceInfo, canonical_source_name, source_by_name, source_for_url
from crawler.urls import clean_url, match_key, same_site

SCORES: dict[str, float] = {
    "source_link": 0.95,
    "canonical": 0.9,
    "attribution_text": 0.85,
    "cites": 0.6,
}
# A snippet that states where the whole article comes from (a source line), as opposed to prose naming an outlet.
SOURCE_LINE_RE = re.compile(
    r"【来源】|\[来源\]|来源\s*[:：]|本文转自|转载自|转自\s*[:：]|原文地址|原文链接|信息原文地址|稿件来源|"
    r"\(via\s|（via\s|\bvia\s+\S+\)|^\s*Source\s*:|\bQuelle\s*:|Read the original|Originally published",
    re.IGNORECASE,
)
# Names that are not outlets (too long or holding digits/URLs) are not turned into sources.
MAX_SOURCE_NAME = 40
def registry_host_aliases(registry: Iterable[SourceInfo] = REGISTRY) -> dict[str, str]:
    """host -> canonical host, from each registry entry's `mobile_hosts` (a tuple of hosts; entries without
    the attribute have no mirrors)."""
    aliases: dict[str, str] = {}
    for info in registry:
        for host in info.mobile_hosts:
            if host and info.domains:
                aliases[host.strip().lower()] = info.domains[0]
    return aliases


def url_key(url: str, host_aliases: Mapping[str, str]) -> str:
    """`match_key` with registry host aliases applied, so a mobile mirror's URL meets the desktop one; a site
    whose registry entry names an `article_id_pattern` keys its articles by that id, whatever the URL form."""
    source = source_for_url(url)
    if source is not None and source.article_id_pattern:
        found = re.search(source.article_id_pattern, url)
        if found:
            return f"{source.name}#{found.group(1)}"
    key = match_key(url)
    host, _, rest = key.partition("/")
    return f"{host_aliases.get(host, host)}/{rest}"


@dataclass(frozen=True)
class UrlTarget:
    """A stored article a URL resolves to."""

    id: int
    language: str | None


class UrlIndex:
    """Stored articles by URL key (their stored, fetched and same-site canonical URLs)."""

    def __init__(self, host_aliases: Mapping[str, str] | None = None) -> None:
        self.host_aliases = dict(registry_host_aliases() if host_aliases is None else host_aliases)
        self._by_key: dict[str, UrlTarget] = {}

    def key(self, url: str) -> str:
        return url_key(url, self.host_aliases)

    def add(self, article_id: int, language: str | None, *urls: str | None) -> None:
        for url in urls:
            if url and url.startswith("http"):
                self._by_key.setdefault(self.key(url), UrlTarget(article_id, language))

    def resolve(self, url: str) -> UrlTarget | None:
        return self._by_key.get(self.key(url))

    def hosts_for(self, url: str) -> list[str]:
        """Hosts (with www./mobile variants and registry aliases) under which the URL may be stored."""
        host = self.key(url).split("/", 1)[0]
        variants = {host, *(alias for alias, target in self.host_aliases.items() if target == host)}
        return sorted({f"{prefix}{h}" for h in variants for prefix in ("", "www.", "m.", "wap.", "mobile.")})


def _relation(copy_language: str | None, original_language: str | None) -> str:
    if copy_language and original_language and copy_language != original_language:
        return "translates"
    return "republishes"


def is_source_line(snippet: str | None) -> bool:
    """True when the snippet states where the whole article comes from, not just names an outlet in prose."""
    return bool(snippet and SOURCE_LINE_RE.search(snippet))


def _known_source(name: str) -> SourceInfo | None:
    info = source_by_name(name)
    if info is None:
        for part in re.split(r"[-－—–/|]", name):
            info = source_by_name(part.strip()) if part.strip() else None
            if info:
                break
    return info


def _plausible_name(name: str) -> bool:
    return 1 < len(name) <= MAX_SOURCE_NAME and not re.search(r"\d|https?:|www\.", name)


def _url_proposal(doc: LinkDoc, att: Mapping[str, Any], urls: UrlIndex) -> Proposal | None:
    url = str(att["url"])
    if not url.startswith("http") or (doc.url and same_site(url, doc.url)):
        return None
    evidence = att.get("evidence") if att.get("evidence") in ("source_link", "canonical") else "source_link"
    details: dict[str, Any] = {"snippet": att.get("snippet"), "url": url}
    if att.get("source_name"):
        details["source_name"] = att["source_name"]
    target = urls.resolve(url)
    if target is not None:
        if target.id == doc.id:
            return None
        return Proposal(doc.id, _relation(doc.language, target.language), evidence, SCORES[evidence],
                        original_id=target.id, original_url=clean_url(url), details=details)
    registry = source_for_url(url)
    return Proposal(doc.id, _relation(doc.language, registry.language if registry else None), evidence,
                    SCORES[evidence], original_url=clean_url(url),
                    original_source=registry.name if registry else None, details=details)


def _name_proposal(doc: LinkDoc, att: Mapping[str, Any]) -> Proposal | None:
    raw = str(att["source_name"]).strip()
    info = _known_source(raw)
    name = info.name if info else raw
    own = canonical_source_name(doc.source_name) if doc.source_name else None
    if name in (doc.source_name, own) or (info is None and not _plausible_name(raw)):
        return None
    snippet = att.get("snippet")
    details: dict[str, Any] = {"snippet": snippet, "named_as": raw, "registry": info is not None}
    if is_source_line(snippet):
        relation = _relation(doc.language, info.language if info else None)
        return Proposal(doc.id, relation, "attribution_text", SCORES["attribution_text"], original_source=name,
                        details=details)
    return Proposal(doc.id, "cites", "attribution_text", SCORES["cites"], original_source=name, details=details)


def explicit_proposals(doc: LinkDoc, urls: UrlIndex) -> list[Proposal]:
    """Links read from one article's attributions (see module docstring); `near_duplicate`/`cross_lingual`
    entries are the linker's own output and are ignored here."""
    proposals: list[Proposal] = []
    for att in doc.attributions:
        if att.get("evidence") not in ("source_link", "canonical", "attribution_text"):
            continue
        proposal = None
        if att.get("url"):
            proposal = _url_proposal(doc, att, urls)
        elif att.get("source_name"):
            proposal = _name_proposal(doc, att)
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def named_sources(doc: LinkDoc) -> set[str]:
    """Canonical names of the outlets this article says it comes from (source lines and URLs, not prose)."""
    names: set[str] = set()
    for att in doc.attributions:
        if att.get("url"):
            info = source_for_url(str(att["url"]))
            if info:
                names.add(info.name)
        elif att.get("source_name") and is_source_line(att.get("snippet")):
            info = _known_source(str(att["source_name"]))
            names.add(info.name if info else str(att["source_name"]))
    return names
