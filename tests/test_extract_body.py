"""Main-text paragraphs on pages without a site profile: what the generic path must keep and drop."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import etree

from crawler.extract import extract
from crawler.extract.body import (
    ALWAYS_DROP,
    drop_always_dropped,
    readability_paragraphs,
    remove_nodes,
    trafilatura_paragraphs,
    xml_paragraphs,
)
from crawler.extract.core import parse_html
from crawler.items import PageRejected

PROSE = (
    "The city council approved the new budget on Tuesday after a debate that lasted late into the night, "
    "with members arguing over road repairs, school buildings and the cost of public transport."
)


def _page(body_html: str, head: str = "") -> bytes:
    return f"<html><head><title>Budget approved</title>{head}</head><body>{body_html}</body></html>".encode()


def test_xml_reader_keeps_tail_and_bare_text_once() -> None:
    doc = etree.fromstring(
        "<doc><main><head>Deal list</head>Tail text after the heading.<div>Bare text in a div.</div>"
        "<list><item><head>Item heading</head>item text</item></list>"
        "<p>A <hi>formatted</hi> word<lb/>and a line break.</p></main></doc>"
    )
    assert xml_paragraphs(doc) == [
        "Deal list",
        "Tail text after the heading.",
        "Bare text in a div.",
        "Item heading",
        "item text",
        "A formatted word\nand a line break.",
    ]


def test_a_form_wrapping_the_page_keeps_the_article() -> None:
    # ASP.NET wraps every page in one <form>; it must not take the article with it.
    html = "<form id='aspnetForm' method='post'><div id='main'>" + f"<p>{PROSE}</p>" * 6 + "</div></form>"
    article = extract(_page(html), "https://www.example-city.gov/news/budget.aspx")
    assert "approved the new budget" in article.text


def test_comment_and_search_forms_are_dropped() -> None:
    html = (
        "<form role='search'><input name='q'/><button>Search</button></form>"
        + "<article>" + f"<p>{PROSE}</p>" * 5 + "</article>"
        + "<form id='commentform'><p>Your email address will not be published.</p><textarea></textarea></form>"
    )
    text = extract(_page(html), "https://blog.example.com/2024/budget").text
    assert "approved the new budget" in text
    assert "email address" not in text


def test_an_article_laid_out_in_sections_alone_keeps_its_subheadings() -> None:
    """WeChat and many CMS set each paragraph, and each subheading, in a <section> of spans, with no <p> at all."""
    paragraphs = [
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：优化营商环境是建设现代化经济体系、促进高质量发展的重要基础。",
        "近年来，各地区、各部门认真贯彻落实党中央、国务院决策部署，推动营商环境持续改善，市场主体活力明显增强。",
        "一、持续提升投资建设便利度",
        "优化投资项目审批流程，推进投资审批制度改革，简化企业投资项目审批程序，提高审批效率，降低企业制度性交易成本。",
        "二、进一步降低企业经营成本",
        "清理规范涉企收费，降低企业用能用地成本，推动减税降费政策直达快享，切实减轻市场主体负担，稳定市场预期。",
    ]
    sections = "".join(f"<section><span>{p}</span></section>" for p in paragraphs)
    html = f"<div class='rich_media_content' id='js_content'>{sections}</div>"
    tree = parse_html(_page(html).decode(), "https://news.example.com/policy")
    found = trafilatura_paragraphs(tree, "https://news.example.com/policy")
    assert [p for p in found if p.strip()] == paragraphs
    assert len(tree.xpath("//section")) == len(paragraphs)  # the page's own tree keeps its sections


def test_text_after_an_html_comment_is_kept() -> None:
    html = "<article>" + f"<p>{PROSE}</p>" * 4 + "<p>Final figures <!-- --> were published on Friday evening.</p>"
    text = extract(_page(html + "</article>"), "https://news.example.com/budget").text
    assert "were published on Friday evening" in text


def test_json_ld_article_body_is_the_fallback_when_the_markup_holds_no_article() -> None:
    # A page rendered by JavaScript: the markup says only "update your browser", the article is in its JSON-LD.
    ld = json.dumps({"@context": "https://schema.org", "@type": "Article", "headline": "Budget approved",
                     "articleBody": f"{PROSE} " * 4})
    html = "<div id='app'><p>Your browser is out of date.</p><p>Download a newer browser.</p></div>"
    html += "<script>var tracking = 'Budget approved in a late-night session';</script>"
    article = extract(_page(html, f"<script type='application/ld+json'>{ld}</script>"),
                      "https://news.example.com/budget")
    assert "approved the new budget" in article.text
    assert "tracking" not in article.text and "browser" not in article.text


def test_json_ld_inside_a_profile_container_is_not_text() -> None:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "外资"})
    paragraph = "<p>今年前十个月，全国实际使用外资金额同比增长，制造业引资结构持续优化。</p>"
    html = f"<div class='article' id='artibody'>{paragraph * 4}<script type='application/ld+json'>{ld}</script></div>"
    text = extract(_page(html), "https://finance.sina.com.cn/china/2024-11-20/doc-inabcdef1234567.shtml").text
    assert "制造业引资结构持续优化" in text and "schema.org" not in text


def test_a_page_of_a_million_tiny_paragraphs_is_refused_with_its_reason() -> None:
    body = ("<html><body>" + "<p>a</p>" * 500_000 + "</body></html>").encode()
    with pytest.raises(PageRejected, match=r"too large to extract: .* elements"):
        extract(body, "https://hostile.example.com/many")


def test_a_page_over_the_size_limit_is_refused_before_parsing() -> None:
    body = ("<html><body><p>" + "word " * 1_700_000 + "</p></body></html>").encode()
    with pytest.raises(PageRejected, match=r"too large to extract: .* characters"):
        extract(body, "https://hostile.example.com/huge")


def test_readability_second_opinion_skips_hidden_text_and_json_ld() -> None:
    """readability's own cleaning pass is left out (the drop list did it); what it dropped before scoring still
    goes: hidden and invisibly styled elements, and the JSON-LD kept for trafilatura. Asked twice on the same
    tree (readability retries), it gives the same paragraphs."""
    tree = parse_html(
        _page(
            f"<div class='article'><p>{PROSE}</p><p>{PROSE.replace('Tuesday', 'Wednesday')}</p>"
            "<div style='DISPLAY : None'>An invisible promotion nobody reads on the page.</div>"
            "<p hidden>A hidden paragraph of text that is not shown.</p>"
            '<script type="application/ld+json">{"articleBody": "structured data"}</script></div>'
            "<div class='side'><a href='/a'>Other story</a></div>"
        ).decode(),
        "https://example.org/budget",
    )
    remove_nodes(tree, ALWAYS_DROP)
    assert tree.xpath("//script")  # the JSON-LD stays for trafilatura
    first = readability_paragraphs(tree)
    assert first == [PROSE, PROSE.replace("Tuesday", "Wednesday")]
    assert readability_paragraphs(tree) == first


@pytest.mark.parametrize("name", ["german/fundus_BusinessInsiderDE_2024_01_29.html.gz",
                                  "china_other_en/magic_china_org_cn_78478030.html"])
def test_trafilatura_paragraphs_are_those_of_its_xml_output(name: str) -> None:
    """trafilatura_paragraphs takes trafilatura's steps without the fingerprint: on real pages its paragraphs
    are exactly those of `trafilatura.extract(…, output_format="xml")` (a trafilatura upgrade that changes its
    internals shows here)."""
    import copy
    import gzip
    from pathlib import Path

    import trafilatura

    from crawler.extract.body import trafilatura_paragraphs

    raw = (Path(__file__).parent / "fixtures" / "pages" / name).read_bytes()
    html = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
    tree = parse_html(html, "https://example.org/")
    expected = trafilatura.extract(copy.deepcopy(tree), url="https://example.org/", output_format="xml",
                                   include_comments=False, include_tables=True, include_images=False,
                                   with_metadata=False, deduplicate=False)
    assert expected
    paragraphs = trafilatura_paragraphs(tree, "https://example.org/")
    assert len(paragraphs) > 3
    assert paragraphs == xml_paragraphs(etree.fromstring(expected.encode("utf-8")))


def test_a_source_link_is_found_whatever_the_case_of_its_context() -> None:
    from crawler.extract.attribution import source_links_from_tree

    html = (
        "<html><body><p>Text of the post.</p><p>READ THE ORIGINAL POST AT "
        "<a href='https://origin.example.org/story'>Source link</a></p></body></html>"
    )
    tree = parse_html(html, "https://aggregator.example.com/post")
    links = source_links_from_tree(tree, "https://aggregator.example.com/post")
    assert [a.url for a in links] == ["https://origin.example.org/story"]
    plain = parse_html("<html><body><p>See <a href='https://elsewhere.example.org/'>this</a>.</p></body></html>", "")
    assert source_links_from_tree(plain, "https://aggregator.example.com/post") == []


def test_a_page_signature_is_tried_only_on_pages_holding_its_phrase() -> None:
    from crawler.extract.profiles import profile_for

    footer = "<div class='entry-content'><p>Body.</p><p>This is a syndicated post. Read the original post at</p></div>"
    page = parse_html(f"<html><body>{footer}</body></html>", "https://unknown-blog.example.net/p/1")
    assert profile_for("https://unknown-blog.example.net/p/1", page).name == "wordpress_syndicator"
    other = parse_html("<html><body><div class='entry-content'><p>Body.</p></div></body></html>", "")
    assert profile_for("https://unknown-blog.example.net/p/2", other).name == "generic"


RECORDED_PAGES = sorted(
    p for p in (Path(__file__).parent / "fixtures" / "pages").rglob("*") if p.name.endswith((".html", ".html.gz"))
)


def test_the_one_walk_drops_exactly_what_the_always_drop_xpaths_match() -> None:
    forms = (
        "<form action='/search'><input name='q'><button>Go</button></form>"
        "<form id='aspnetForm'><div class='article'><p>" + PROSE * 12 + "</p></div>"
        "<script>var tracking = 1;</script><form><input name='inner'></form></form>"
        "<div aria-hidden='true'>Skip</div><div id='comments'><p>A reader says hi.</p></div>"
        "<script type='application/ld+json'>{}</script><iframe src='/ad'></iframe>"
    )
    pages = [_page(forms).decode(), *(
        (gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).decode("utf-8", "replace")
        for p in RECORDED_PAGES
    )]
    assert len(pages) > 30
    for html in pages:
        by_xpath, by_walk = parse_html(html, "https://example.org/"), parse_html(html, "https://example.org/")
        remove_nodes(by_xpath, ALWAYS_DROP)
        drop_always_dropped(by_walk)
        assert etree.tostring(by_walk) == etree.tostring(by_xpath)
