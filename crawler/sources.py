"""The source registry: publishers, syndicators and agencies we know, kept apart from parsing.

Each entry names an outlet once, with its domains, main language and every name it goes by
(Chinese and English names of one agency meet here), so extraction can map a named source to a
canonical name and the store can give every article a `sources` row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SOURCE_KINDS: tuple[str, ...] = ("publisher", "syndicator", "aggregator", "agency")


@dataclass(frozen=True)
class SourceInfo:
    name: str
    kind: str
    domains: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    aliases: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source {self.name!r}: kind {self.kind!r} not in {SOURCE_KINDS}")


REGISTRY: tuple[SourceInfo, ...] = (
    SourceInfo(
        "Sina Finance", "publisher", ("finance.sina.com.cn", "finance.sina.cn"), "zh", "CN",
        aliases=("新浪财经", "新浪财经APP"),
    ),
    SourceInfo(
        "Sina News", "publisher", ("news.sina.com.cn", "sina.com.cn", "sina.cn"), "zh", "CN",
        aliases=("新浪新闻", "新浪网", "新浪"),
    ),
    SourceInfo(
        "People's Daily", "publisher", ("people.com.cn",), "zh", "CN",
        aliases=("人民日报", "人民网", "People's Daily Online"),
    ),
    SourceInfo(
        "People's Daily English", "publisher", ("en.people.cn",), "en", "CN",
        aliases=("People's Daily Online English",),
    ),
    SourceInfo(
        "People's Daily German", "publisher", ("german.people.com.cn",), "de", "CN",
        aliases=("Volkszeitung", "German.people.cn"),
    ),
    SourceInfo("Qpute", "syndicator", ("qpute.com",), "en", None, aliases=("Qpute.com",)),
    SourceInfo(
        "China Daily", "publisher", ("chinadaily.com.cn",), "en", "CN",
        aliases=("中国日报", "中国日报网", "chinadaily.com.cn"),
    ),
    SourceInfo(
        "Xinhua", "agency", ("news.cn", "xinhuanet.com", "english.news.cn"), "zh", "CN",
        aliases=("新华社", "新华网", "Xinhua News Agency", "Xinhua", "Xinhuanet", "Nachrichtenagentur Xinhua"),
    ),
    SourceInfo(
        "China News Service", "agency", ("chinanews.com.cn", "chinanews.com", "ecns.cn"), "zh", "CN",
        aliases=("中新社", "中国新闻社", "中新网", "China News Service", "CNS", "ECNS"),
    ),
    SourceInfo(
        "Workers' Daily", "publisher", ("workercn.cn",), "zh", "CN",
        aliases=("工人日报", "中工网", "Workers' Daily", "Workers Daily"),
    ),
    SourceInfo(
        "Shanghai Observer", "publisher", ("shobserver.com",), "zh", "CN",
        aliases=("上观新闻", "上观", "解放日报", "Jiefang Daily"),
    ),
    SourceInfo("China.org.cn", "publisher", ("china.org.cn",), "en", "CN", aliases=("中国网",)),
)


def _norm_name(name: str) -> str:
    return re.sub(r"[\s'’`.\-_]+", "", name).casefold()


_BY_NAME: dict[str, SourceInfo] = {}
for _source in REGISTRY:
    for _alias in (_source.name, *_source.aliases):
        _BY_NAME.setdefault(_norm_name(_alias), _source)


def host_of(url: str) -> str:
    """The lower-cased host of a URL without a leading `www.`/`m.`/`wap.`."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return re.sub(r"^(www|m|wap)\.", "", host)


def source_for_url(url: str) -> SourceInfo | None:
    """The registry entry whose domain is the URL's host or a parent of it (longest match wins)."""
    host = host_of(url)
    best: tuple[int, SourceInfo] | None = None
    for source in REGISTRY:
        for domain in source.domains:
            if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
                best = (len(domain), source)
    return best[1] if best else None


def source_by_name(name: str) -> SourceInfo | None:
    """The registry entry known by this name or alias, in any of its languages."""
    return _BY_NAME.get(_norm_name(name))


def canonical_source_name(name: str) -> str | None:
    """Canonical name for a named source ("新华社" -> "Xinhua"), or None if unknown."""
    source = source_by_name(name)
    return source.name if source else None
