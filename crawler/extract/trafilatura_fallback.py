"""trafilatura's fallback comparison, skipped where its outcome is known without running it.

After its own extraction, trafilatura (unless asked to be fast, which also drops the fallback where it helps)
runs its readability fork over a copy of the page and compares (`trafilatura.external.compare_extraction`):
readability's text replaces its own only when its own is empty, when readability's is more than twice as long,
or when its own is structurally deficient (no paragraph text, or more tables than paragraphs); justext is tried
only when its own text is short (under `min_extracted_size`) or holds leftover markup (`SANITIZED_XPATH`).
That readability run is about a tenth of trafilatura's time over the development pages, and on most pages it
decides nothing.

readability's output is a part of the page's text, so it can never be longer than that text with its whitespace
folded. trafilatura folds every Unicode space; the page is measured here with XPath's normalize-space, in C,
which folds only ASCII spaces and so never gives less: an upper bound. When trafilatura's own text is already
half of everything the page holds, long enough, with paragraph text, not table-dominated and clean, none of the
rules above can pick anything else: the comparison would return trafilatura's own result unchanged, and here it
does so without the readability run. On every other page, and for any caller that does not ask for it
(`BoundedFallbackExtractor`), trafilatura's comparison runs as it is.

`install()` wraps trafilatura's comparison once per process; it leaves trafilatura alone when the function is
not where, or not what, this module expects (another trafilatura version): then nothing is skipped.
"""

from __future__ import annotations

import inspect
from typing import Any

from lxml import etree
from lxml.etree import _Element
from trafilatura.settings import Extractor

# trafilatura 2.3's compare_extraction(cleaned_tree, raw_tree, body, text, options) -> (body, text)
EXPECTED_PARAMETERS = ("cleaned_tree", "raw_tree", "body", "text", "options")
# readability's text replaces trafilatura's when it is more than this many times as long
PREFER_RATIO = 2


class BoundedFallbackExtractor(Extractor):  # type: ignore[misc]
    """trafilatura's options, asking that its fallback comparison be skipped where it cannot change the result."""

    __slots__ = ()


# the length of the page's text with runs of ASCII whitespace folded to one space and its ends stripped
FOLDED_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")


def outcome_is_known(raw_tree: _Element, body: _Element, text: str, options: Extractor, sanitized_xpath: str) -> bool:
    """True when trafilatura's comparison would return its own `body` and `text` whatever readability found:
    a balanced or precise extraction, at least `min_extracted_size` long, with paragraph text, no more tables
    than paragraphs, no leftover markup, and at least half as long as all the text of the page readability
    would read."""
    length = len(text)
    if options.focus == "recall" or length < options.min_extracted_size:
        return False
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    if body.xpath(sanitized_xpath):
        return False
    return int(FOLDED_TEXT_LENGTH(raw_tree)) <= PREFER_RATIO * length


def install() -> bool:
    """Wrap trafilatura's comparison (once) so that BoundedFallbackExtractor options skip it where its outcome is
    known; returns whether the wrapper is in place."""
    try:
        from trafilatura import core
        from trafilatura.external import SANITIZED_XPATH
    except ImportError:
        return False
    compare = getattr(core, "compare_extraction", None)
    if compare is None:
        return False
    if getattr(compare, "bounded_fallback", False):
        return True
    if tuple(inspect.signature(compare).parameters) != EXPECTED_PARAMETERS:
        return False

    def bounded_compare_extraction(
        cleaned_tree: _Element, raw_tree: _Element, body: _Element, text: str, options: Extractor
    ) -> Any:
        if isinstance(options, BoundedFallbackExtractor) and outcome_is_known(
            raw_tree, body, text, options, SANITIZED_XPATH
        ):
            return body, text
        return compare(cleaned_tree, raw_tree, body, text, options)

    bounded_compare_extraction.bounded_fallback = True  # type: ignore[attr-defined]
    core.compare_extraction = bounded_compare_extraction
    return True
