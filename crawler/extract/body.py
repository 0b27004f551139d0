"""Article paragraphs from a parsed page: a profile's container walked block by block, or trafilatura.

When a profile names the article container and it is on the page, its block elements (p, headings,
list items, quotes, text-bearing divs; <br><br> splits) become paragraphs in document order, after
the profile's drop nodes are removed. Otherwise trafilatura extracts the main text from the whole
page (with the same drop nodes removed first), asked for XML so paragraph boundaries survive.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

# Markup that is never article text, whatever the site.
ALWAYS_DROP: tuple[str, ...] = (
    "//script",
    "//style",
    "//noscript",
    "//template",
    "//iframe",
    "//form",
    "//button",
    "//select",
    "//textarea",
    "//*[@id='respond' or @id='comments' or @class='comment-respond' or @class='comments-area']",
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


def remove_nodes(tree: HtmlElement, xpaths: Iterable[str]) -> None:
    """Remove every node matched by the XPaths, keeping the text that follows each removed node."""
    for xpath in xpaths:
        for node in tree.xpath(xpath):
            if isinstance(node, HtmlElement) and node.getparent() is not None:
                node.drop_tree()


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


def trafilatura_paragraphs(tree: HtmlElement, url: str | None = None) -> list[str]:
    """Main-text paragraphs found by trafilatura (default precision/recall balance)."""
    result = trafilatura.extract(
        tree,
        url=url,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
    )
    if not result:
        return []
    doc = etree.fromstring(result.encode("utf-8"))
    out: list[str] = []
    for el in doc.iter("p", "head", "item", "quote", "cell", "code"):
        if any(c.tag in ("p", "item", "list", "quote") for c in el.iterchildren()):
            continue
        text = "".join(_xml_text_with_breaks(el))
        out.extend(_split_breaks(text))
    return out


def _xml_text_with_breaks(el: etree._Element) -> list[str]:
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        else:
            parts.extend(_xml_text_with_breaks(child))
        parts.append(child.tail or "")
    return parts


def extract_paragraphs(
    tree: HtmlElement, container_xpaths: Sequence[str], drop_xpaths: Sequence[str], url: str | None = None
) -> tuple[list[str], str]:
    """Raw paragraphs and how they were found ("container" or "trafilatura")."""
    work = copy.deepcopy(tree)
    remove_nodes(work, (*ALWAYS_DROP, *drop_xpaths))
    container = first_match(work, container_xpaths) if container_xpaths else None
    if container is not None:
        paragraphs = walk_blocks(container)
        if any(p.strip() for p in paragraphs):
            return paragraphs, "container"
    return trafilatura_paragraphs(work, url), "trafilatura"
