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


def test_a_description_shown_with_other_line_breaks_and_markup_is_the_lead() -> None:
    """The page is first asked whether its text holds the description at all; that must not miss a lead the page
    breaks over lines, spaces differently or splits into inline elements."""
    words = LEAD.split()
    markup = "\n   ".join(words[:5]) + " <b>" + " ".join(words[5:9]) + "</b>\t\n" + "  ".join(words[9:])
    tree = document_fromstring(_page(f'<div class="intro"><p>\n  {markup}\n</p></div>'))
    assert with_lead(BODY, [LEAD], tree) == [LEAD, *BODY]
    halves = f'<p>{" ".join(words[:8])}</p><p>{" ".join(words[8:])}</p>'
    tree = document_fromstring(_page(f'<div class="intro">{halves}</div>'))
    assert with_lead(BODY, [LEAD], tree) == BODY  # shown in no one element: the page's text is no lead


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


def _headed(header: str) -> str:
    """A page whose headline is followed by `header` markup, then the article's paragraphs; no description."""
    return (
        "<html><body><nav><a href='/'>Start</a></nav><main><h1>Notenbank legt Bericht vor</h1>"
        f"{header}<div class='body'>" + "".join(f"<p>{p}</p>" for p in BODY) + "</div></main></body></html>"
    )


def test_a_lead_marked_as_such_under_the_headline_goes_first() -> None:
    for header in (f'<p class="lead">{LEAD}</p>', f'<div class="article-excerpt"><p>{LEAD}</p></div>',
                   f'<div class="intro"><span class="date">12.03.2023</span><p>{LEAD}</p></div>', f"<h2>{LEAD}</h2>",
                   f"<p>{LEAD}</p>"):
        tree = document_fromstring(_headed(header))
        assert with_lead(BODY, [], tree) == [LEAD, *BODY], header


def test_what_else_sits_under_the_headline_is_not_a_lead() -> None:
    headers = [
        f'<div class="caption">{LEAD}</div>',  # a caption
        f'<div class="lead author-bio"><p>{LEAD}</p></div>',  # an author's note in the header
        f"<div>{LEAD}</div>",  # nothing marks it, and it is no paragraph
        f'<div class="image-wrapper"><p>{LEAD}</p></div>',  # a paragraph in an image's box
        f'<aside><p class="lead">{LEAD}</p></aside>',  # a side box
        f'<p class="teaser">{LEAD[:90]} ...</p>',  # a teaser cut off for another article
        '<p class="lead">Kurz.</p>',  # too short to be a lead
    ]
    for header in headers:
        tree = document_fromstring(_headed(header))
        assert with_lead(BODY, [], tree) == BODY, header


def test_a_marked_lead_the_text_holds_is_not_repeated_and_a_page_without_headline_gets_none() -> None:
    tree = document_fromstring(_headed(f'<p class="lead">{LEAD}</p>'))
    assert with_lead([LEAD, *BODY], [], tree) == [LEAD, *BODY]
    tree = document_fromstring(_headed(f'<p class="lead">{LEAD}</p>').replace("h1>", "h3>"))
    assert with_lead(BODY, [], tree) == BODY


def test_a_marked_lead_comes_back_through_extract() -> None:
    paragraphs = "".join(f"<p>{p} {p}</p>" for p in BODY * 3)
    html = (
        "<html><head><title>Bericht</title></head><body><main><article><h1>Notenbank legt Bericht vor</h1>"
        f'<div class="teaser-text"><p>{LEAD}</p></div><div class="content">{paragraphs}</div></article></main>'
        "</body></html>"
    )
    paragraphs_out = extract(html.encode(), "https://example.org/news/bericht").text.split("\n\n")
    # trafilatura and readability both leave it out; it goes after the headline the text begins with
    assert paragraphs_out[:2] == ["Notenbank legt Bericht vor", LEAD]
    assert paragraphs_out.count(LEAD) == 1
