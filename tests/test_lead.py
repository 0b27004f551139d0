"""The lead the extractors left out comes back from the page's description, only where the page shows it."""

from __future__ import annotations

from lxml.html import document_fromstring

from crawler.extract import extract
from crawler.extract.lead import with_lead

LEAD = (
    "Auf über 100 Seiten hat die Notenbank den Zusammenbruch der Bank analysiert und Mängel bei Überwachung und "
    "Regulierung festgestellt."
)
BODY = [
    "Die Notenbank räumt in ihrem Bericht ein, dass die Aufsicht die Risiken der Bank zu spät erkannt habe.",
    "Künftig müsse man schneller Risiken und Schwächen ausmachen können, heißt es in dem Bericht weiter.",
]


def _page(lead_markup: str) -> str:
    return (
        f'<html><head><meta name="description" content="{LEAD}"><title>Bericht</title></head><body>'
        f"{lead_markup}<article>" + "".join(f"<p>{p}</p>" for p in BODY) + "</article></body></html>"
    )


def test_a_description_the_page_shows_is_the_lead() -> None:
    tree = document_fromstring(_page(f'<header><p class="teaser">{LEAD}</p></header>'))
    assert with_lead(BODY, [LEAD], tree) == [LEAD, *BODY]


def test_a_description_the_page_does_not_show_is_not_text() -> None:
    json_ld = '<div><script type="application/ld+json">{"description": "' + LEAD + '"}</script></div>'
    tree = document_fromstring(_page(json_ld))
    assert with_lead(BODY, [LEAD], tree) == BODY
    tree = document_fromstring(_page(f"<footer><p>{LEAD}</p></footer><nav><p>{LEAD}</p></nav>"))
    assert with_lead(BODY, [LEAD], tree) == BODY


def test_a_lead_the_text_holds_already_or_a_tagline_is_not_added() -> None:
    tree = document_fromstring(_page(f"<p>{LEAD}</p>"))
    assert with_lead([LEAD, *BODY], [LEAD], tree) == [LEAD, *BODY]
    assert with_lead([LEAD + " Mehr dazu im Bericht.", *BODY], [LEAD], tree) == [LEAD + " Mehr dazu im Bericht.", *BODY]
    tagline = "Nachrichten aus aller Welt"
    tree = document_fromstring(_page(f"<p>{tagline}</p>"))
    assert with_lead(BODY, [tagline], tree) == BODY


def test_extract_puts_the_shown_lead_first() -> None:
    html = _page(f'<div class="intro"><strong>{LEAD}</strong></div>')
    article = extract(html.encode("utf-8"), "https://news.example.de/wirtschaft/bericht.html")
    assert article.text.split("\n\n")[0] == LEAD


def test_a_description_longer_than_any_lead_is_not_looked_for() -> None:
    long_text = LEAD + " " + " ".join([BODY[0]] * 20)
    tree = document_fromstring(_page(f"<p>{long_text}</p>"))
    assert with_lead(BODY, [long_text], tree) == BODY
