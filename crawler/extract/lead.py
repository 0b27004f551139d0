"""The article's lead (its standfirst), when both extractors left it out: the page's description, shown on the page.

News and policy pages often set the lead apart from the body (in the article's header, a teaser block), where
trafilatura and readability skip it, and give the same words as the page's description (`og:description`,
`description`). A description that the page also shows as an element of its own, outside navigation, footer and
side bars, and that the text does not hold yet, is that lead and goes before the first paragraph. A description
the page does not show (a summary written for search engines) is not article text, and neither is a short one.

A lead set under the headline is taken too: prose between the article's headline (the last <h1> before the text)
and the text's first paragraph, in a <p> or in an element whose class or id, or an ancestor's, says lead, intro,
excerpt, summary, ... (and none says caption, credit, author, ...), or a subtitle <h2> right under the <h1>.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.consensus import is_prose, is_teaser_end, paragraph_key
from crawler.extract.rules import boilerplate_rule
from crawler.text.language import text_weight
from crawler.text.normalise import normalise_inline

# A lead is at least this heavy (letters, a CJK character counting 3): a sentence, not a tagline; and at most this
# long (a longer description is not looked for on the page: each element's text would be searched for it).
LEAD_MIN_WEIGHT = 80
LEAD_MAX_CHARS = 1500
# The element showing it may hold this many more characters than the description (a "Teaser:" label, a date).
LEAD_ELEMENT_SLACK = 40
# Characters of the lead (without whitespace) looked for in the text to tell whether it is there already.
LEAD_PROBE = 20
# Whether a text node of the page holds a word of the description: one walk over the text, much cheaper than
# measuring every element's text (_SHOWN), and most descriptions are not shown.
_TEXT_HOLDS = etree.XPath("boolean(//body//text()[contains(., $word)])")
# Whether the page's text holds the whole description: the text of any element that shows it is a part of the body's
# text, so where the body's does not hold it, no element's does (one pass over the text, before _SHOWN's measuring of
# every element's).
_BODY_HOLDS = etree.XPath("boolean(//body[contains(normalize-space(), $text)])")
_SHOWN = etree.XPath(
    "//body//*[not(self::script or self::style or self::noscript or self::template)]"
    "[string-length(normalize-space()) <= $limit][contains(normalize-space(), $text)][not(.//script)]"
    "[not(ancestor-or-self::nav or ancestor-or-self::footer or ancestor-or-self::aside)]",
    smart_strings=False,
)


# A marked lead: the class or id words that name one, and those that name something else in the article's header.
STANDFIRST_HINT_RE = re.compile(
    r"lead|intro|standfirst|excerpt|teaser|summary|deck\b|dek\b|sub-?title|subline|abstract|vorspann|einleitung|"
    r"anriss",
    re.IGNORECASE,
)
NOT_STANDFIRST_RE = re.compile(
    r"caption|credit|image|photo|figure|media|gallery|video|bio\b|author|byline|share|social|newsletter|promo|"
    r"related|notif|consent|cookie|modal|popup|dialog|inline|advert|sponsor|comment",
    re.IGNORECASE,
)
STANDFIRST_HINT_LEVELS = 3  # the element and its parents up to this many levels up
MAX_STANDFIRSTS = 2
MAX_HEADER_ELEMENTS = 200
STANDFIRST_TAGS = frozenset({"p", "div", "h2", "section"})
_BLOCK_CHILD_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "section", "ul", "ol", "table", "blockquote"})
_OUTSIDE_ARTICLE_TAGS = frozenset({"nav", "footer", "aside", "figure", "figcaption", "form", "li", "table", "button"})
_INLINE_TAGS = frozenset({"a", "b", "strong", "em", "i", "span", "font", "u", "small"})
_MAX_LINK_SHARE = 0.3
_PROBE_CHARS = 30


def _held(key: str, text_key: str) -> bool:
    """Whether the text (its paragraph keys joined) holds a paragraph already: its start or its end is there."""
    return key[:LEAD_PROBE] in text_key or key[-LEAD_PROBE:] in text_key


def _probes(paragraph: str) -> tuple[str, str] | None:
    """A word from the start of the paragraph (its longest among the first twelve) and the paragraph's first
    characters without whitespace: what the element holding it shows."""
    words = [w for w in paragraph[:200].split() if len(w) >= 4]
    if not words:
        return None
    return max(words[:12], key=len)[:40], paragraph_key(paragraph)[:_PROBE_CHARS]


def _holder(element: HtmlElement, word: str, probe: str) -> HtmlElement | None:
    """The block that begins the paragraph, when the element's text or tail holds its word."""
    for text, owner in ((element.text, element), (element.tail, element.getparent())):
        if text and word in text:
            block = owner
            while block is not None and block.tag in _INLINE_TAGS:
                block = block.getparent()
            if block is not None and probe in paragraph_key(block.text_content()):
                return block
    return None


def _hinted(element: HtmlElement) -> bool:
    """Whether the element may hold a lead: a <p>, or a class or id (its own or a parent's, STANDFIRST_HINT_LEVELS
    up) names one; never when one of those names says caption, credit, author, related, ..."""
    names = []
    for level, node in enumerate((element, *element.iterancestors())):
        if level > STANDFIRST_HINT_LEVELS:
            break
        names.append(f"{node.get('class') or ''} {node.get('id') or ''}")
    joined = " ".join(names)
    hinted = STANDFIRST_HINT_RE.search(joined) is not None or element.tag == "p"
    return hinted and NOT_STANDFIRST_RE.search(joined) is None


def _following(element: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after `element` and its subtree, in document order."""
    node: HtmlElement | None = element
    while node is not None:
        sibling = node.getnext()
        while sibling is not None:
            yield from sibling.iter(etree.Element)
            sibling = sibling.getnext()
        node = node.getparent()


def _under_headline(tree: HtmlElement, paragraph: str) -> tuple[HtmlElement | None, list[HtmlElement]]:
    """The nearest <h1> above the element that begins the paragraph, and the elements between the two (outside the
    <h1>), in document order; at most MAX_HEADER_ELEMENTS of them (a lead sits right under its headline)."""
    best: tuple[HtmlElement | None, list[HtmlElement]] = (None, [])
    probes = _probes(paragraph)
    if probes is None:
        return best
    for headline in tree.iter("h1"):
        between: list[HtmlElement] = []
        for element in _following(headline):
            holder = _holder(element, *probes)
            if holder is not None:
                if holder is not element:  # the paragraph's own block came earlier: it and what it holds go
                    if holder not in between:  # it holds the headline too: nothing sits between the two
                        break
                    between = between[: between.index(holder)]
                if best[0] is None or len(between) < len(best[1]):
                    best = (headline, between)
                break
            if len(between) >= MAX_HEADER_ELEMENTS:
                break
            between.append(element)
    return best


def with_standfirsts(paragraphs: Sequence[str], tree: HtmlElement, text_key: str) -> list[str]:
    """The paragraphs with the lead the page marks as such above the text put first (after the headline, when the
    text begins with it), where the text (`text_key`: its paragraph keys joined) lacks it."""
    headlines = {paragraph_key(h.text_content()) for h in tree.iter("h1")}
    if not paragraphs or not headlines:
        return list(paragraphs)
    start = 1 if len(paragraphs) > 1 and paragraph_key(paragraphs[0]) in headlines else 0
    found = standfirsts(paragraphs, tree, text_key, start)
    return [*paragraphs[:start], *found, *paragraphs[start:]]


def standfirsts(paragraphs: Sequence[str], tree: HtmlElement, text_key: str, start: int = 0) -> list[str]:
    """The lead paragraphs the page marks as such between its headline and the paragraph `start`, which the text
    (`text_key`) lacks."""
    headline, between = _under_headline(tree, paragraphs[start])
    found: list[str] = []
    for element in between:
        if element.tag not in STANDFIRST_TAGS:
            continue
        subtitle = element.tag == "h2" and element.getprevious() is headline
        if not (subtitle or _hinted(element)) or any(child.tag in _BLOCK_CHILD_TAGS for child in element):
            continue
        if any(node.tag in _OUTSIDE_ARTICLE_TAGS for node in element.iterancestors()):
            continue
        text = normalise_inline(element.text_content())
        if (
            text_weight(text) < LEAD_MIN_WEIGHT
            or not is_prose(text)
            or is_teaser_end(text)
            or boilerplate_rule(text) is not None
            or sum(len(a.text_content()) for a in element.iter("a")) > _MAX_LINK_SHARE * len(text)
        ):
            continue
        key = paragraph_key(text)
        if _held(key, text_key):
            continue
        found.append(text)
        text_key += key
    return found[:MAX_STANDFIRSTS]


def with_lead(paragraphs: Sequence[str], descriptions: Sequence[str], tree: HtmlElement) -> list[str]:
    """The paragraphs, with the page's shown description put first when the text lacks it, and before them the
    lead the page marks above the text (`with_standfirsts`)."""
    out = list(paragraphs)
    if not out:
        return out
    text_key = "".join(paragraph_key(p) for p in out)
    for description in descriptions:
        lead = normalise_inline(description)
        key = paragraph_key(lead)
        if text_weight(lead) < LEAD_MIN_WEIGHT or _held(key, text_key):
            continue
        shown = " ".join(description.split())
        if len(shown) > LEAD_MAX_CHARS:
            continue
        word = max(shown[:60].split(), key=len)
        if (
            _TEXT_HOLDS(tree, word=word)
            and _BODY_HOLDS(tree, text=shown)
            and _SHOWN(tree, text=shown, limit=len(shown) + LEAD_ELEMENT_SLACK)
        ):
            out, text_key = [lead, *out], key + text_key
            break
    return with_standfirsts(out, tree, text_key)
