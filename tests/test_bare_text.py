"""Bare text beside paragraphs (old pages that use <p> as a separator) wrapped in paragraphs of its own."""

from __future__ import annotations

from lxml.html import fragment_fromstring, tostring

from crawler.extract import extract
from crawler.extract.bare_text import wrap_bare_text
from crawler.extract.core import parse_html

LEAD = (
    "Our focus this week is on the kingdom of David. Luther makes the point that the reign of the house "
    "continued in spite of the members of that lineage, and it only took a second generation to lose most tribes."
)
AFTER_AD = (
    "Even during the captivity, Luther points out, the kings had honour at the court of Babylon, and that "
    "honour is the sign he reads in the story of the dynasty."
)
PARAGRAPHS = [
    f"Next, Luther explores the promise made to David, paragraph {n}, and what his readers were to learn from "
    "it about the house that God builds and the temple that Solomon built." for n in range(1, 6)
]


def _body() -> str:
    return (
        f"<div id='text'>{LEAD}<p></p><div class='ad'>Advertisement</div>{AFTER_AD} <em>Read on</em> below.<p>"
        + "<p>".join(PARAGRAPHS)
        + "</div>"
    )


def test_runs_of_bare_text_become_paragraphs_in_place_with_their_inline_markup() -> None:
    div = fragment_fromstring(_body())
    assert wrap_bare_text(div) == 2
    children = [(child.tag, child.text_content()) for child in div]
    assert children[0] == ("p", LEAD)
    assert children[2] == ("div", "Advertisement")
    assert children[3] == ("p", f"{AFTER_AD} Read on below.")
    assert div[3].find("em") is not None and div[3].find("em").tail == " below."  # moved with its tail
    assert [text for tag, text in children[4:] if text] == PARAGRAPHS
    assert div.text is None and div[2].tail is None  # nothing left behind, nothing doubled


def test_short_runs_elements_without_paragraphs_and_malformed_nesting_are_left_alone() -> None:
    for html in (
        "<div>Home » News<p>" + PARAGRAPHS[0] + "</p></div>",  # a trail, not a paragraph
        f"<div>{LEAD}<div>{PARAGRAPHS[0]}</div></div>",  # no <p> beside it: trafilatura reads such a div itself
        f"<div><p><span>{LEAD}<p>{PARAGRAPHS[0]}</p></span></p></div>",  # inside a <p>
    ):
        div = fragment_fromstring(html)
        before = tostring(div)
        assert wrap_bare_text(div) == 0, html
        assert tostring(div) == before


def test_the_lead_written_as_bare_text_is_extracted() -> None:
    nav = "<div id='nav'><a href='/'>Home</a></div>"
    page = f"<html><head><title>Luther</title></head><body>{nav}{_body()}</body></html>"
    text = extract(page.encode(), "https://blog.example.org/luther-18-23.html").text
    assert text.startswith(LEAD)
    assert AFTER_AD in text
    assert text.index(LEAD) < text.index(AFTER_AD) < text.index(PARAGRAPHS[0]) < text.index(PARAGRAPHS[-1])


def test_the_tree_walked_is_the_parsed_page() -> None:
    tree = parse_html(f"<html><body>{_body()}</body></html>", "https://blog.example.org/a.html")
    assert wrap_bare_text(tree) == 2
    assert tree.xpath("//div[@id='text']/p[1]")[0].text == LEAD
