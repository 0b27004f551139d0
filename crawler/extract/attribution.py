"""Evidence on a page that its article comes from elsewhere, for the syndication linker.

Four kinds of evidence are read here: a "Read the original post at" / 原文链接 link (`source_link`
with the link target), source lines and prose naming an outlet (来源：/本文转自/"according to Xinhua"/
"Laut einer Meldung von …"/"Quelle: …", `attribution_text` with a canonical source name when the
registry knows it, or `source_link` when the line holds a URL), "(via X)" in a title, and a
rel=canonical pointing to another site (`canonical`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.items import Attribution
from crawler.sources import canonical_source_name, host_of, source_for_url
from crawler.text.case_blind import has_case_folding_trap

URL_RE = re.compile(r"https?://[^\s<>\"'，。）)】]+")
# Text around a link that says the link is the original.
SOURCE_LINK_CONTEXT_RE = re.compile(
    r"Read the original (?:post|article|story) at|Original(?:ly)? (?:post|article|published) at|"
    r"原文链接|原文地址|信息原文地址|阅读原文|查看原文|Zum Originalartikel|Originalartikel",
    re.IGNORECASE,
)
# Words every SOURCE_LINK_CONTEXT_RE phrase holds (lower case), and how far a phrase reaches on either side of
# its word ("read the " before "original", " article at" after it).
SOURCE_LINK_CONTEXT_WORDS = ("original", "原文")
CONTEXT_REACH = 40
SOURCE_LINK_ANCHOR_RE = re.compile(r"^(?:Source link|Source|Original|原文|阅读原文|Quelle|Link)$", re.IGNORECASE)
# Lines that name where the article comes from: prefix, then a name or a URL.
SOURCE_LINE_RE = re.compile(
    r"(?:^|\s)(?:【来源】|\[来源\]|来源\s*[:：]|本文转自\s*[:：]?|转载自\s*[:：]?|转自\s*[:：]|信息原文地址\s*[:：]?|"
    r"原文链接\s*[:：]?|原文地址\s*[:：]?|Source\s*:|(?<![A-Za-zÄÖÜäöüß])Quelle\s*:)\s*(?P<rest>.{0,120})",
)
NAME_STOP_RE = re.compile(r"[\s,，。;；)）】|]|(?:发布时间|类别|作者|编辑|责任编辑)")
PROSE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b[Aa]ccording to (?:the )?(?P<name>[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,5})"),
    re.compile(r"\((?P<name>Xinhua|ECNS|CNS|China News Service|Reuters|AFP|AP)\)\s*(?:--|—|-)"),
    re.compile(
        r"\b(?:Laut|Nach Angaben|Wie)\s+(?:einer|einem|der|des|dem)?\s*(?:Meldung|Bericht|Angaben|Mitteilung)?\s*"
        r"(?:von|der|des|vom)\s+(?:der\s+|dem\s+)?(?P<name>[A-ZÄÖÜ][\w'’.&-]*(?:\s+[A-ZÄÖÜ][\w'’.&-]*){0,5})"
    ),
    re.compile(r"据(?P<name>新华社|中新社|中新网|人民日报|人民网|央视新闻|中国日报|工人日报)"),
    re.compile(r"^(?P<name>新华社|中新社|中新网|人民日报|人民网|央视网|中国日报网)[^，。\s]{0,12}\d{1,2}月\d{1,2}日电"),
    re.compile(r"^《\s*(?P<name>[^》]{2,16}?)\s*》\s*[（(]\s*\d{4}\s*年"),
)
# Words that end a capitalised-name run in prose ("China News Service gaben …").
MAX_NAME_WORDS = 6


def _resolve_name(raw: str) -> tuple[str | None, bool]:
    """(name, known): the longest leading word run the registry knows, else the raw run."""
    words = raw.split()
    for n in range(min(len(words), MAX_NAME_WORDS), 0, -1):
        candidate = " ".join(words[:n]).strip(".,;:")
        known = canonical_source_name(candidate)
        if known:
            return known, True
    cleaned = raw.strip(" .,;:")
    return (cleaned or None), False


def _from_source_line(line: str) -> list[Attribution]:
    found: list[Attribution] = []
    for match in SOURCE_LINE_RE.finditer(line):
        rest = match.group("rest").strip()
        url = URL_RE.search(rest)
        if url and url.start() <= 2:
            found.append(Attribution("source_link", url=url.group(0), snippet=line[:200]))
            continue
        name = NAME_STOP_RE.split(rest, maxsplit=1)[0].strip() if rest else ""
        if name:
            # "人民网－人民日报", "人民网-文化频道": the first part the registry knows names the outlet.
            parts = [name, *re.split(r"[-－—–]", name)]
            known = next((k for k in (canonical_source_name(p.strip()) for p in parts if p.strip()) if k), None)
            found.append(Attribution("attribution_text", source_name=known or name, snippet=line[:200]))
    return found


def _from_prose(line: str) -> list[Attribution]:
    found: list[Attribution] = []
    for pattern in PROSE_PATTERNS:
        for match in pattern.finditer(line):
            name, known = _resolve_name(match.group("name"))
            # Names in English/German prose count only when the registry knows them ("according to Shu Bilei" is
            # a person); Chinese patterns list outlets explicitly.
            if name and (known or not re.match(r"[A-Za-z]", name)):
                found.append(Attribution("attribution_text", source_name=name, snippet=line[:200]))
    return found


def attributions_from_lines(lines: Iterable[str]) -> list[Attribution]:
    """Attribution evidence read from text lines (paragraphs, bylines, source spans)."""
    found: list[Attribution] = []
    for line in lines:
        found.extend(_from_source_line(line))
        found.extend(_from_prose(line))
    return found


def says_original(text: str) -> bool:
    """Whether SOURCE_LINK_CONTEXT_RE finds anything in the text: looked for only around the places where the text
    says one of SOURCE_LINK_CONTEXT_WORDS (the pattern over a whole page's text cost 5 ms on a page that says
    "original" anywhere). Where lowercasing would move or merge characters (crawler.text.case_blind's traps), the
    pattern runs over the whole text."""
    lowered = text.lower()
    if len(lowered) != len(text) or has_case_folding_trap(text):
        return SOURCE_LINK_CONTEXT_RE.search(text) is not None
    for word in SOURCE_LINK_CONTEXT_WORDS:
        at = lowered.find(word)
        while at >= 0:
            if SOURCE_LINK_CONTEXT_RE.search(text, max(0, at - CONTEXT_REACH), at + len(word) + CONTEXT_REACH):
                return True
            at = lowered.find(word, at + 1)
    return False


def source_links_from_tree(tree: HtmlElement, url: str, page_text: str | None = None) -> list[Attribution]:
    """Links whose surrounding text says they lead to the original ("Read the original post at Source link").
    `page_text` is the tree's text content, when the caller has it already."""
    found: list[Attribution] = []
    # A link's context is its parent's text, a stretch of the page's text: a page whose text never says
    # "original post" has no such link, and its anchors need not be read one by one. Every context phrase holds
    # "original" or 原文, and looking for those first is cheap: the case-blind pattern over a whole page's text
    # cost a millisecond, 4 % of an extraction.
    text = tree.text_content() if page_text is None else page_text
    if not says_original(text):
        return found
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        parent = anchor.getparent()
        context = parent.text_content() if parent is not None else ""
        anchor_text = anchor.text_content().strip()
        if SOURCE_LINK_CONTEXT_RE.search(context) and (
            SOURCE_LINK_ANCHOR_RE.match(anchor_text) or len(context) < 300
        ):
            target = urljoin(url, href)
            if host_of(target) != host_of(url):
                snippet = " ".join(context.split())[:200]
                found.append(Attribution("source_link", url=target, snippet=snippet))
    return found


def canonical_attribution(canonical_url: str | None, url: str) -> list[Attribution]:
    """A rel=canonical that points to another site is evidence of where the article lives."""
    if not canonical_url or not canonical_url.startswith("http"):
        return []
    if host_of(canonical_url) == host_of(url):
        return []
    own, target = source_for_url(url), source_for_url(canonical_url)
    if own is not None and own is target:
        return []
    return [
        Attribution(
            "canonical", url=canonical_url, source_name=target.name if target else None, snippet=canonical_url
        )
    ]


def via_attribution(via: str | None, title: str | None) -> list[Attribution]:
    """"(via X)" at the end of a title names the outlet the post came through."""
    if not via:
        return []
    return [Attribution("attribution_text", source_name=canonical_source_name(via) or via, snippet=title)]


def dedupe(attributions: Iterable[Attribution], own_source: str | None = None) -> list[Attribution]:
    """Unique evidence in first-seen order, without the page naming its own outlet."""
    seen: set[tuple[str, str | None, str | None]] = set()
    out: list[Attribution] = []
    for att in attributions:
        if att.evidence == "attribution_text" and own_source and att.source_name == own_source:
            continue
        key = (att.evidence, att.url, att.source_name)
        if key not in seen:
            seen.add(key)
            out.append(att)
    return out
