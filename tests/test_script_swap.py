"""The dev benchmark's script rewrite (benchmarks/script_swap.py): letters move, markup stays, gold still matches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from script_swap import SCRIPTS, rewrite_page, text_rewriter

from crawler.extract.evaluation import bag_score

PAGE = (
    b'<html><head><meta charset="iso-8859-1"><title>Stra\xdfe</title>'
    b'<script>var title = "Hello";</script><style>p.note { color: red }</style></head>'
    b'<body><p class="lead">Caf\xe9 &amp; B&auml;r&#8217;s &lt;b&gt; AT&T Print&nbsp Email</p>'
    b"<!-- a comment --></body></html>"
)


@pytest.mark.parametrize("script", SCRIPTS)
def test_rewrite_keeps_markup_and_moves_every_letter(script: str) -> None:
    out = rewrite_page(PAGE, script).decode("utf-8")
    for kept in ('<p class="lead">', '<script>var title = "Hello";</script>', "p.note { color: red }",
                 "<!-- a comment -->", "&amp;", "&#8217;", "&lt;", "&gt;", "&nbsp"):
        assert kept in out
    assert 'charset="utf-8"' in out
    body = out.split("<body>")[1].split("<!--")[0]
    for token in ("Caf", "Bär", "AT", "Print", "Email", "auml", "Stra"):
        assert token not in out.split("<script>")[0] + body


def test_rewritten_page_text_matches_rewritten_gold() -> None:
    from crawler.extract.decode import decode_body

    rewrite = text_rewriter("cyrillic")
    page = b"<p>Die Stra&szlig;e f&uuml;hrt nach M\xc3\xbcnchen, sagt Anna.</p>"
    text = decode_body(rewrite_page(page, "cyrillic")).text.removeprefix("<p>").removesuffix("</p>")
    assert bag_score(text, rewrite("Die Straße führt nach München, sagt Anna.")).f1 == 1.0
    assert text != rewrite("Die Strasse fuhrt nach Munchen, sagt Anna.")


def test_kana_drops_spaces_between_words_and_is_one_to_one_on_letters() -> None:
    rewrite = text_rewriter("kana")
    assert " " not in rewrite("the quick brown fox")
    assert rewrite("a, b") == rewrite("A, B") and "," in rewrite("a, b")
    for script in SCRIPTS:
        letters = text_rewriter(script)("abcdefghijklmnopqrstuvwxyzäöüß")
        assert len(set(letters)) == 30


def test_unknown_script_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown script"):
        text_rewriter("klingon")
