"""The article's lead (its standfirst), when both extractors left it out: the page's description, shown on the page.

News and policy pages often set the lead apart from the body (in the article's header, a teaser block), where
trafilatura and readability skip it, and give the same words as the page's description (`og:description`,
`description`). A description that the page also shows as an element of its own, outside navigation, footer and
side bars, and that the text does not hold yet, is that lead and goes before the first paragraph. A description
the page does not show (a summary written for search engines) is not article text, and neither is a short one.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.consensus import paragraph_key
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
_SHOWN = etree.XPath(
    "//body//*[not(self::script or self::style or self::noscript or self::template)]"
    "[string-length(normalize-space()) <= $limit][contains(normalize-space(), $text)][not(.//script)]"
    "[not(ancestor-or-self::nav or ancestor-or-self::footer or ancestor-or-self::aside)]",
    smart_strings=False,
)


def with_lead(paragraphs: Sequence[str], descriptions: Sequence[str], tree: HtmlElement) -> list[str]:
    """The paragraphs, with the page's shown description put first when the text lacks it."""
    out = list(paragraphs)
    if not out:
        return out
    text_key = "".join(paragraph_key(p) for p in out)
    for description in descriptions:
        lead = normalise_inline(description)
        key = paragraph_key(lead)
        if text_weight(lead) < LEAD_MIN_WEIGHT or key[:LEAD_PROBE] in text_key or key[-LEAD_PROBE:] in text_key:
            continue
        shown = " ".join(description.split())
        if len(shown) > LEAD_MAX_CHARS:
            continue
        word = max(shown[:60].split(), key=len)
        if _TEXT_HOLDS(tree, word=word) and _SHOWN(tree, text=shown, limit=len(shown) + LEAD_ELEMENT_SLACK):
            return [lead, *out]
    return out
