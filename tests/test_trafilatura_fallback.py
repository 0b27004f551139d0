"""trafilatura's fallback comparison is skipped only where it cannot change the result: the same XML as with the
full comparison on every recorded page, readability not run where trafilatura's text is half the page, and run
wherever the page holds more."""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import pytest
import trafilatura
import trafilatura.external
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura import core
from trafilatura.core import determine_returnstring
from trafilatura.external import SANITIZED_XPATH
from trafilatura.settings import Document, Extractor
from trafilatura.utils import trim

from crawler.extract.body import drop_always_dropped
from crawler.extract.trafilatura_fallback import (
    FOLDED_TEXT_LENGTH,
    BoundedFallbackExtractor,
    install,
    outcome_is_known,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
PROSE = (
    "The council met on Tuesday to discuss the budget for the coming year, and members agreed that the "
    "library would stay open on Sundays after a long campaign by residents of the northern districts. "
)


def _xml(tree: HtmlElement, options_class: type[Extractor]) -> str:
    options = options_class(
        output_format="xml", comments=False, tables=True, images=False, with_metadata=False, dedup=False
    )
    document = trafilatura.bare_extraction(tree, options=options)
    if not isinstance(document, Document):
        return ""
    return determine_returnstring(document, options) or ""


@pytest.fixture
def readability_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts trafilatura's readability runs (its fallback comparison calls it first thing)."""
    assert install() is True
    calls: list[int] = []
    original = trafilatura.external.try_readability

    def counting(tree: Any) -> Any:
        calls.append(1)
        return original(tree)

    monkeypatch.setattr(trafilatura.external, "try_readability", counting)
    return calls


def _page(body: str) -> HtmlElement:
    tree = fromstring(f"<html><head><title>t</title></head><body>{body}</body></html>")
    drop_always_dropped(tree)
    return tree


def test_skipped_where_trafilatura_has_most_of_the_page(readability_calls: list[int]) -> None:
    page = "<article><h1>Budget</h1>" + f"<p>{PROSE}</p>" * 6 + "</article><footer>Contact us</footer>"
    bounded = _xml(_page(page), BoundedFallbackExtractor)
    assert readability_calls == []
    assert bounded == _xml(_page(page), Extractor)
    assert readability_calls == [1], "the plain options still run the full comparison"
    assert "library would stay open" in bounded


def test_run_where_the_page_holds_more_than_twice_trafilatura_s_text(readability_calls: list[int]) -> None:
    sidebar = "".join(f"<li><a href='/n{i}'>Another headline about the region, number {i}</a></li>" for i in range(60))
    page = "<article>" + f"<p>{PROSE}</p>" * 3 + f"</article><aside><ul>{sidebar}</ul></aside>"
    bounded = _xml(_page(page), BoundedFallbackExtractor)
    assert readability_calls == [1]
    assert bounded == _xml(_page(page), Extractor)


def test_run_where_trafilatura_finds_too_little(readability_calls: list[int]) -> None:
    page = "<div><p>Short note.</p></div>"
    _xml(_page(page), BoundedFallbackExtractor)
    assert readability_calls == [1]


def test_same_result_as_the_full_comparison_on_every_recorded_page(readability_calls: list[int]) -> None:
    pages = sorted(PAGES.rglob("*.html")) + sorted(PAGES.rglob("*.html.gz"))
    assert len(pages) > 30, "the recorded pages are missing"
    bounded_runs = full_runs = 0
    for page in pages:
        raw = page.read_bytes()
        html = gzip.decompress(raw) if page.suffix == ".gz" else raw
        before = len(readability_calls)
        bounded = _xml(_page_from(html), BoundedFallbackExtractor)
        bounded_runs += len(readability_calls) - before
        before = len(readability_calls)
        assert bounded == _xml(_page_from(html), Extractor), page.name
        full_runs += len(readability_calls) - before
    assert 0 < bounded_runs < full_runs, (bounded_runs, full_runs)


def _page_from(html: bytes) -> HtmlElement:
    tree = fromstring(html)
    drop_always_dropped(tree)
    return tree


def _body(inner: str) -> etree._Element:
    return etree.fromstring(f"<body>{inner}</body>")


LONG = (PROSE * 2).strip()  # over trafilatura's min_extracted_size (250)
SHORT = "Short note, a full sentence."


@pytest.mark.parametrize(
    ("case", "body", "text", "page_chars", "options", "known"),
    [
        ("half the page", f"<p>{LONG}</p>", LONG, 2 * len(LONG), Extractor(), True),
        ("more than twice as much page", f"<p>{LONG}</p>", LONG, 2 * len(LONG) + 1, Extractor(), False),
        ("recall looks for 1.5 times", f"<p>{LONG}</p>", LONG, len(LONG), Extractor(recall=True), False),
        ("precision prunes, the bound holds", f"<p>{LONG}</p>", LONG, len(LONG), Extractor(precision=True), True),
        ("too short: justext is tried", f"<p>{SHORT}</p>", SHORT, len(SHORT), Extractor(), False),
        ("no paragraph text", f"<list><item>{LONG}</item></list>", LONG, len(LONG), Extractor(), False),
        ("more tables than paragraphs", f"<p>{LONG}</p><table/><table/>", LONG, len(LONG), Extractor(), False),
        ("leftover markup", f"<p>{LONG}</p><figure/>", LONG, len(LONG), Extractor(), False),
    ],
)
def test_outcome_is_known_only_where_no_rule_of_the_comparison_can_fire(
    case: str, body: str, text: str, page_chars: int, options: Extractor, known: bool
) -> None:
    page = etree.fromstring(f"<html><body><p>{'x' * page_chars}</p></body></html>")
    assert outcome_is_known(page, _body(body), text, options, SANITIZED_XPATH) is known, case


def test_page_text_is_measured_with_its_whitespace_folded() -> None:
    text = LONG
    spaced = "\n   ".join(text.split(" "))  # the same words, each gap several characters wide
    page = etree.fromstring(f"<html><body><div>{spaced}</div><div>{spaced}</div></body></html>")
    assert outcome_is_known(page, _body(f"<p>{text}</p>"), text, Extractor(), SANITIZED_XPATH)


def test_the_page_measure_is_never_below_trafilatura_s_on_random_text() -> None:
    """The bound holds: XPath folds only ASCII spaces, trafilatura's trim folds every Unicode space."""
    rnd = random.Random(20261201)
    alphabet = ["a", "中", " ", "  ", "\n", "\t", "\xa0", "\u3000", "\u2009", "\u2028", "\x85"]
    for _ in range(3000):
        parts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(rnd.randint(1, 4))]
        page = etree.fromstring("<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in parts) + "</body></html>")
        assert FOLDED_TEXT_LENGTH(page) >= len(trim("".join(parts))), parts


def test_install_wraps_once_and_only_the_expected_function(monkeypatch: pytest.MonkeyPatch) -> None:
    assert install() is True
    wrapped = core.compare_extraction
    assert install() is True
    assert core.compare_extraction is wrapped

    different: Callable[..., Any] = lambda tree, backup, body, text, len_text, options: (body, text, len_text)  # noqa: E731
    monkeypatch.setattr(core, "compare_extraction", different)
    assert install() is False
    assert core.compare_extraction is different

    monkeypatch.delattr(core, "compare_extraction")
    assert install() is False
