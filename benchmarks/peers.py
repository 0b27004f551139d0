"""The extractors ours is compared with, each as `(html bytes, url) -> main text`, on the same decoded page.

Peers get the page already decoded by our decoder (so every extractor reads the same characters) and
run with their default settings: plain `trafilatura.extract` (and once more without comments, the policy
ours follows), and readability-lxml's `Document.summary`
flattened to text. Optional peers (readability-lxml) are skipped with a note when not installed:
`pip install readability-lxml` adds them.
"""

from __future__ import annotations

from collections.abc import Callable

import trafilatura
from lxml.html import fromstring

from crawler.extract import extract
from crawler.extract.decode import decode_body

Extractor = Callable[[bytes, str], str]


def ours(body: bytes, url: str) -> str:
    """`crawler.extract.extract`: the article text as it would be stored."""
    return extract(body, url).text


def plain_trafilatura(body: bytes, url: str) -> str:
    """trafilatura's default extraction on the decoded page."""
    return trafilatura.extract(decode_body(body, None, url).text, url=url) or ""


def trafilatura_without_comments(body: bytes, url: str) -> str:
    """trafilatura without reader comments: the same policy as ours, which never stores comments. Part of
    the gold text (Dragnet's pages without a comment marker) includes comments, which only the default
    trafilatura run is credited for."""
    html = decode_body(body, None, url).text
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def _readability() -> Extractor | None:
    try:
        from readability import Document
    except ImportError:
        return None

    def readability_lxml(body: bytes, url: str) -> str:
        summary = Document(decode_body(body, None, url).text, url=url).summary(html_partial=True)
        return fromstring(summary).text_content() if summary.strip() else ""

    return readability_lxml


def available() -> tuple[dict[str, Extractor], list[str]]:
    """The extractors that can run here (ours first) and notes on those that cannot."""
    extractors: dict[str, Extractor] = {
        "ours": ours,
        "trafilatura": plain_trafilatura,
        "trafil-nocom": trafilatura_without_comments,
    }
    notes: list[str] = []
    readability = _readability()
    if readability is None:
        notes.append("readability-lxml not installed: pip install readability-lxml")
    else:
        extractors["readability"] = readability
    return extractors, notes
