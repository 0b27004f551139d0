"""Article paragraphs from a parsed page: a profile's container walked block by block, or trafilatura.

When a profile names the article container and it is on the page, its block elements (p, headings,
list items, quotes, text-bearing divs; <br><br> splits) become paragraphs in document order, after
the profile's drop nodes are removed. Otherwise trafilatura extracts the main text from the whole
page (with the same drop nodes removed first), asked for XML so paragraph boundaries survive, and
readability-lxml's paragraphs can be asked for on the same tree as a second opinion (crawler.extract.consensus).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura.core import determine_returnstring
from trafilatura.settings import Document

from crawler.extract import trafilatura_fallback
from crawler.extract.bare_text import wrap_bare_text
from crawler.extract.trafilatura_fallback import BoundedFallbackExtractor

# A form holding more text than this wraps page content instead of being a control (search, comments).
MAX_CONTROL_FORM_CHARS = 1000
# Markup that is never article text, whatever the site.
ALWAYS_DROP: tuple[str, ...] = (
    # Scripts, but not JSON-LD: trafilatura falls back to its articleBody (or a HowTo's steps) when the markup
    # gives too little text.
    "//script[not(@type='application/ld+json')]",
    "//style",
    "//noscript",
    "//template",
    "//iframe",
    # Search boxes and comment forms; not a form that wraps the page (ASP.NET puts every page in one).
    f"//form[not(ancestor::form)][string-length(normalize-space()) < {MAX_CONTROL_FORM_CHARS}]",
    "//button",
    "//select",
    "//textarea",
    "//*[@id or @class][@id='respond' or @id='comments' or @class='comment-respond' or @class='comments-area']",
    "//*[@aria-hidden='true']",
)
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption"}
)
CONTAINER_TAGS = frozenset(
    {"div", "section", "article", "main", "ul", "ol", "dl", "table", "tbody", "thead", "tr", "figure", "center",
     "font", "header", "footer", "aside", "body"}
)
BREAK_MARK = "\n\n"
_BR_RUN_RE = re.compile(r"\n{2,}")


# ALWAYS_DROP as one walk over the page (drop_always_dropped): eleven XPaths each walked the whole tree, 3 % of an
# extraction. The XPaths stay the definition; a test holds the walk to them on the recorded pages.
_DROP_FIRST_TAGS = frozenset({"script", "style", "noscript", "template", "iframe"})
_DROP_TAGS = frozenset({"button", "select", "textarea"})
_DROP_IDS = frozenset({"respond", "comments"})
_DROP_CLASSES = frozenset({"comment-respond", "comments-area"})
_CONTROL_FORM = etree.XPath(f"not(ancestor::form) and string-length(normalize-space()) < {MAX_CONTROL_FORM_CHARS}")


def drop_always_dropped(tree: HtmlElement) -> None:
    """Remove what ALWAYS_DROP matches, in its order: scripts (not JSON-LD), styles and frames first, then the
    control-sized forms (judged without their scripts), then buttons, fields, comment sections and hidden nodes."""
    first: list[HtmlElement] = []
    forms: list[HtmlElement] = []
    rest: list[HtmlElement] = []
    for node in tree.iter(etree.Element):
        tag = node.tag
        if tag in _DROP_FIRST_TAGS:
            if tag != "script" or node.get("type") != "application/ld+json":
                first.append(node)
        elif tag == "form":
            forms.append(node)
        if (
            tag in _DROP_TAGS
            or node.get("aria-hidden") == "true"
            or node.get("id") in _DROP_IDS
            or node.get("class") in _DROP_CLASSES
        ):
            rest.append(node)
    _drop(first)
    _drop([form for form in forms if _CONTROL_FORM(form)])
    _drop(rest)


def _drop(nodes: Iterable[HtmlElement]) -> None:
    for node in nodes:
        if node.getparent() is not None:
            node.drop_tree()


def remove_nodes(tree: HtmlElement, xpaths: Iterable[str]) -> None:
    """Remove every node matched by the XPaths, keeping the text that follows each removed node."""
    for xpath in xpaths:
        _drop(node for node in tree.xpath(xpath) if isinstance(node, HtmlElement))


def first_match(tree: HtmlElement, xpaths: Sequence[str]) -> HtmlElement | None:
    """The first element found by the first XPath that finds any."""
    for xpath in xpaths:
        found = [n for n in tree.xpath(xpath) if isinstance(n, HtmlElement)]
        if found:
            return found[0]
    return None


def _text_with_breaks(node: HtmlElement) -> str:
    """Text of a node where <br> becomes a newline (two in a row make a paragraph break)."""
    parts: list[str] = []

    def walk(el: HtmlElement) -> None:
        if el.tag == "br":
            parts.append("\n")
        elif el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(node)
    return "".join(parts)


def _split_breaks(text: str) -> list[str]:
    # A single <br> inside a paragraph is a line break, two or more separate paragraphs.
    return [p for p in _BR_RUN_RE.split(text) if p.strip()]


def walk_blocks(container: HtmlElement) -> list[str]:
    """Paragraph texts of a container in document order (raw, not yet normalised)."""
    out: list[str] = []

    def visit(el: HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in BLOCK_TAGS:
            has_block_child = any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el.iter() if c is not el)
            if not has_block_child:
                out.extend(_split_breaks(_text_with_breaks(el)))
                return
        # Text directly inside a container (between blocks) is a paragraph of its own.
        inline: list[str] = [el.text or ""] if tag in CONTAINER_TAGS or tag in BLOCK_TAGS else []
        for child in el:
            ctag = child.tag if isinstance(child.tag, str) else ""
            if ctag in BLOCK_TAGS or ctag in CONTAINER_TAGS:
                out.extend(_split_breaks("".join(inline)))
                inline = []
                visit(child)
            elif ctag == "br":
                inline.append("\n")
            elif ctag:
                inline.append(_text_with_breaks(child))
            inline.append(child.tail or "")
        out.extend(_split_breaks("".join(inline)))

    visit(container)
    return out


# Elements of trafilatura's XML output whose text runs on inside the paragraph around them.
XML_INLINE_TAGS = frozenset({"hi", "ref", "del", "span", "sub", "sup", "abbr"})


@lru_cache(maxsize=1)
def _install_bounded_fallback() -> bool:
    return trafilatura_fallback.install()


def trafilatura_paragraphs(tree: HtmlElement, url: str | None = None) -> list[str]:
    """Main-text paragraphs found by trafilatura (default precision/recall balance), read from its XML output.

    The steps of `trafilatura.extract(tree, output_format="xml", ...)` without its last one: for XML it also
    hashes the text into a fingerprint for the output's metadata (2-3 % of our extraction's time), which the
    paragraphs do not need. `determine_returnstring` is trafilatura's own XML writer, not re-implemented here.
    Its fallback comparison is skipped where its outcome is known beforehand (crawler.extract.trafilatura_fallback).
    """
    _install_bounded_fallback()
    options = BoundedFallbackExtractor(
        output_format="xml", comments=False, tables=True, images=False, with_metadata=False, dedup=False, url=url
    )
    # trafilatura reads bare text in a <div> where a page has little paragraph text, but never in a <section>, the
    # same generic block: an article laid out in sections alone (WeChat's, many CMS') lost its short ones, the
    # subheadings. Its sections are divs to trafilatura, and sections again afterwards.
    sections = list(tree.iter("section"))
    for node in sections:
        node.tag = "div"
    try:
        document = trafilatura.bare_extraction(tree, options=options)
    finally:
        for node in sections:
            node.tag = "section"
    if not isinstance(document, Document):
        return []
    result = determine_returnstring(document, options)
    if not result:
        return []
    return xml_paragraphs(etree.fromstring(result.encode("utf-8")))


def xml_paragraphs(doc: etree._Element) -> list[str]:
    """Paragraphs of trafilatura's XML in document order: every block element (p, head, item, cell, quote,
    div, ...) and every run of bare text between blocks is one, <lb/> is a line break, inline tags
    (hi, ref, ...) run on. Nothing is read twice, however the blocks nest."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        out.extend(_split_breaks("".join(current)))
        current.clear()

    def visit(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "lb":
            current.append("\n")
        elif tag in XML_INLINE_TAGS:
            current.append(el.text or "")
            for child in el:
                visit(child)
        elif tag:
            flush()
            current.append(el.text or "")
            for child in el:
                visit(child)
            flush()
        current.append(el.tail or "")

    for child in doc:
        visit(child)
    flush()
    return out


def readability_paragraphs(tree: HtmlElement) -> list[str]:
    """Main-text paragraphs found by readability-lxml (its best-scoring container and siblings).

    readability changes the tree it is given: pass a tree nothing else reads afterwards. A page it cannot
    handle gives no paragraphs (its failure costs the second opinion, never the page)."""
    from readability.readability import Unparseable

    try:
        summary = _cleaned_document_class()(tree).summary(html_partial=True)
    except (Unparseable, ValueError, etree.LxmlError):
        return []
    if not summary.strip():
        return []
    return walk_blocks(fromstring(summary))


@lru_cache(maxsize=1)
def _cleaned_document_class() -> Any:
    """readability's Document for a tree that ALWAYS_DROP has already cleaned (made once, on first use).

    readability runs lxml_html_clean's Cleaner over the whole page on each of its passes: a walk that drops
    scripts, styles, <link> elements, event-handler attributes and `javascript:` links from a copy of the
    tree. Here the tree is already without scripts, styles and comments, and the rest never holds text, so
    each pass only copies the tree. What readability itself drops before scoring is dropped
    here too: hidden and invisibly styled elements; and the JSON-LD scripts kept for trafilatura go.
    readability's text folding, and its passes that turn divs into paragraphs and drop unlikely candidates, are
    replaced by identical, faster ones (crawler.extract.readability_speedup).
    """
    from readability import Document
    from readability.readability import REGEXES

    from crawler.extract.readability_speedup import faster_passes, install

    install()  # readability's whitespace folding, the same result in fewer passes
    invisible = REGEXES["displayNoneRe"]  # readability's own test of a style that hides the element

    class CleanedDocument(Document):  # type: ignore[misc]
        def _parse(self, input: HtmlElement) -> HtmlElement:
            self.encoding = "utf-8"
            remove_nodes(input, ("//script", "//*[@hidden]"))
            for node in input.xpath("//*[@style]"):
                if node.getparent() is not None and invisible.search(node.get("style")):
                    node.drop_tree()
            return copy.deepcopy(input)  # each pass (readability retries less strictly) starts from the page

    for name, faster in faster_passes(Document).items():
        setattr(CleanedDocument, name, faster)
    return CleanedDocument


@dataclass
class Body:
    """A page's raw paragraphs: the profile's container's, or trafilatura's with readability's paragraphs
    (`second`, computed on demand from the same cleaned tree) as a second opinion."""

    paragraphs: list[str]
    second: Callable[[], list[str]] | None = None


def extract_paragraphs(
    tree: HtmlElement, container_xpaths: Sequence[str], drop_xpaths: Sequence[str], url: str | None = None
) -> Body:
    """Raw paragraphs of the article. Removes the drop nodes from `tree` itself: call it after everything
    else that reads the page (metadata, links), so no copy of the page is needed."""
    drop_always_dropped(tree)
    remove_nodes(tree, drop_xpaths)
    container = first_match(tree, container_xpaths) if container_xpaths else None
    if container is not None:
        remove_nodes(container, (".//script",))
        paragraphs = walk_blocks(container)
        if any(p.strip() for p in paragraphs):
            return Body(paragraphs)
    wrap_bare_text(tree)  # a lead written as bare text beside the <p>s, which trafilatura would not read
    # trafilatura works on a copy of its own; readability, asked afterwards if at all, may change the tree.
    return Body(trafilatura_paragraphs(tree, url), lambda: readability_paragraphs(tree))
