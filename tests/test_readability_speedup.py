"""The faster whitespace folding put into readability-lxml gives exactly the library's own result."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import readability.readability as readability_module
from lxml.html import fromstring

from crawler.extract.readability_speedup import fast_clean, install

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
