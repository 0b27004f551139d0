"""The faster whitespace folding and page passes put into readability-lxml give exactly the library's own result."""

from __future__ import annotations

import gzip
import importlib.util
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import readability.readability as readability_module
from lxml import etree
from lxml.html import document_fromstring, fromstring
from readability import Document

from crawler.extract.readability_speedup import FASTER_PASSES, fast_clean, faster_passes, install

PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.fixture(scope="module")
def library_clean() -> Callable[[str], str]:
    """readability's `clean` as shipped: loaded afresh from its source file, whatever has been installed since."""
    spec = importlib.util.spec_from_file_location("readability.readability_as_shipped", readability_module.__file__)
    assert spec is not None and spec.loader is not None
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    return shipped.clean  # type: ignore[no-any-return]


def test_same_result_on_random_whitespace_heavy_text(library_clean: Callable[[str], str]) -> None:
    rnd = random.Random(20261201)
    alphabet = ["a", "b", "中", " ", " ", "\n", "\t", "\r", "\xa0", "\u3000", "\x0b", "\x0c", "\x1c", "\u2028"]
    for _ in range(30000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert fast_clean(text) == library_clean(text), repr(text)


def test_same_result_on_long_whitespace_runs(library_clean: Callable[[str], str]) -> None:
    for run in (254, 255, 256, 600):
        for filler in (" ", "\n", " \n", "\xa0", "\t "):
            text = "x" + (filler * run)[:run] + "y\n z"
            assert fast_clean(text) == library_clean(text), (run, filler)


def test_same_result_on_every_element_of_the_recorded_pages(library_clean: Callable[[str], str]) -> None:
    pages = sorted(PAGES.rglob("*.html"))
    assert pages, "the recorded pages are missing"
    compared = 0
    for page in pages:
        tree = fromstring(page.read_bytes())
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            text = element.text_content()
            assert fast_clean(text) == library_clean(text), (page.name, element.tag)
            compared += 1
    assert compared > 1000


def test_install_replaces_only_an_agreeing_library_function(
    monkeypatch: pytest.MonkeyPatch, library_clean: Callable[[str], str]
) -> None:
    def different(text: str) -> str:
        return " ".join(text.split())  # folds line breaks into spaces: not readability's rule

    monkeypatch.setattr(readability_module, "clean", different)
    assert install() is False
    assert readability_module.clean is different

    monkeypatch.setattr(readability_module, "clean", library_clean)
    assert install() is True
    assert readability_module.clean is fast_clean


# -- the passes over the page ---------------------------------------------------------------------------------

PASSES = tuple(FASTER_PASSES)


def _after(pass_function: Callable[[Any], None], html: str) -> bytes:
    document = Document(html)
    document.html = document_fromstring(html)
    pass_function(document)
    return etree.tostring(document.html)


def _random_page(rnd: random.Random) -> str:
    tags = ["div", "div", "div", "p", "span", "a", "b", "em", "i", "br", "img", "ul", "li", "table", "td", "pre",
            "code", "section", "article", "main", "dl", "dt", "blockquote", "small", "font", "u", "abbr", "o:p",
            "style", "script", "h2", "DIV", "Span"]
    classes = ["", "", "comment", "sidebar main", "footer", "content", "menu", "article-body", "ad-break", "rss x"]
    texts = ["", "", " ", "word", " tail text ", "<p>", "a<p", "中文", "\n"]

    def element(depth: int) -> str:
        tag = rnd.choice(tags)
        if tag in ("br", "img"):
            return f"<{tag}>" + rnd.choice(texts).replace("<", "&lt;")
        attributes = ""
        if rnd.random() < 0.4:
            attributes += f' class="{rnd.choice(classes)}"'
        if rnd.random() < 0.2:
            attributes += f' id="{rnd.choice(classes)}"'
        if rnd.random() < 0.1:
            attributes += ' title="x<p y"'
        if tag in ("style", "script"):
            return f"<{tag}{attributes}>{rnd.choice(texts)}</{tag}>"
        inner = rnd.choice(texts).replace("<", "&lt;")
        if depth < 5:
            inner += "".join(element(depth + 1) for _ in range(rnd.randint(0, 4)))
        return f"<{tag}{attributes}>{inner}</{tag}>" + rnd.choice(texts).replace("<", "&lt;")

    return "<html><body>" + "".join(element(0) for _ in range(rnd.randint(1, 6))) + "</body></html>"


@pytest.mark.parametrize("name", PASSES)
def test_passes_leave_random_pages_as_the_library_does(name: str) -> None:
    rnd = random.Random(hash(name) % 1000 + 20261201)
    for _ in range(1500):
        html = _random_page(rnd)
        assert _after(FASTER_PASSES[name], html) == _after(getattr(Document, name), html), html


@pytest.mark.parametrize("name", PASSES)
def test_passes_leave_the_recorded_pages_as_the_library_does(name: str) -> None:
    pages = sorted(PAGES.rglob("*.html")) + sorted(PAGES.rglob("*.html.gz"))
    assert len(pages) > 30, "the recorded pages are missing"
    for page in pages:
        raw = page.read_bytes()
        html = (gzip.decompress(raw) if page.suffix == ".gz" else raw).decode("utf-8", "replace")
        assert _after(FASTER_PASSES[name], html) == _after(getattr(Document, name), html), page.name


def test_faster_passes_are_used_only_where_they_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(faster_passes(Document)) == set(PASSES)

    def keeps_every_div(doc: Any) -> None:  # readability would turn a div without blocks into a paragraph
        return None

    monkeypatch.setitem(FASTER_PASSES, "transform_misused_divs_into_paragraphs", keeps_every_div)
    assert faster_passes(Document) == {}
    monkeypatch.undo()
    monkeypatch.setitem(readability_module.REGEXES, "divToPElementsRe", re.compile("<(div|p)", re.I))
    assert faster_passes(Document) == {}


def test_names_are_matched_as_the_case_insensitive_patterns_match_them() -> None:
    from crawler.text.case_blind import finds

    rnd = random.Random(11)
    pieces = ["Comment", "SIDEBAR", "foot", "Menu", "ad-break", "Main", "article", "Column", "x", "-", "_", " ",
              "\u212a", "\u017f", "\u0130", "ß", "Ä", "ﬀ", "Header", "rss", "Twitter", "pager", "and", "body"]
    for name in ("unlikelyCandidatesRe", "okMaybeItsACandidateRe", "positiveRe", "negativeRe"):
        pattern = readability_module.REGEXES[name]
        for _ in range(4000):
            text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
            assert finds(pattern, text) == (pattern.search(text) is not None), (name, text)
