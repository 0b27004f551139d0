"""`extract(body, url, headers) -> Article`: decode, pick a site profile, read metadata, body and evidence.

Pure: bytes and strings in, an Article out (or PageRejected with a reason). Scrapy pipelines and the
offline replay both call this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)

from crawler.extract.attribution import (
    attributions_from_lines,
    canonical_attribution,
    dedupe,
    source_links_from_tree,
    via_attribution,
)
from crawler.extract.body import extract_paragraphs
from crawler.extract.consensus import consensus
from crawler.extract.decode import decode_body
from crawler.extract.lead import with_lead
from crawler.extract.metadata import extract_metadata
from crawler.extract.mojibake import garbled_reason, repair
from crawler.extract.profiles import profile_for
from crawler.extract.rules import LineRules, apply_line_rules, boilerplate_rule
from crawler.items import Article, Attribution, PageRejected
from crawler.sources import canonical_source_name, source_by_name, source_for_url
from crawler.text.language import majority_language, segment_by_language, text_weight
from crawler.text.normalise import normalise_inline, normalise_paragraphs

# 2026.12.07g: a wire's version note ("(Updates with comments … in second paragraph.)") and "Related … sites";
# 2026.12.07f: most-read headings and comments-closed notices in the other languages the crawl meets;
# 2026.12.07e: share, read-also and advertisement labels in Japanese, Portuguese, Spanish, French, Urdu and Hindi;
# 2026.12.07d: rows of bracketed tools on Chinese pages ("【打印】【关闭】") and a Chinese site's footer (ICP and
#   public-security filing numbers, site code, sponsor, previous/next article links) are boilerplate;
# 2026.12.07c: a Chinese header line (a date and a 来源/出处 label, no sentence) and HTML comments alone on a line
#   are boilerplate;
# 2026.12.07b: a short row of links ("Top | Back | E-mail to a friend", three items or more, no sentence) is a menu;
#   the article's run-on after the confirmed span stops where the page repeats a paragraph the span holds;
# 2026.12.07: teasers ending in a link to the rest ("… READ (10 COMMENTS) »", "… Read more") put the text in doubt;
# 2026.12.06z: bare text beside a container's paragraphs (a lead before the first <p>, text after an inline ad) is
#   wrapped in paragraphs for trafilatura, which read only the <p>s;
# 2026.12.06y: "(c) 2012" is a copyright sign beside a year; readability's lines are kept when none of
#   trafilatura's is left, prose or not;
# 2026.12.06x: ISO-2022-JP pages read as such (their 7-bit bytes pass for UTF-8); an undeclared page's charset is
#   detected among the encodings browsers decode;
# 2026.12.06w: an embedded tweet's signature ("— Name (@handle) date") is boilerplate in any language;
# 2026.12.06v: the copyright sign beside a year is a rights notice in any language (a line dropped; late in the
#   text, the footer begins there);
# 2026.12.06u: a profile's XPath may return a string (XPath's string functions), read as one value; WeChat's time
#   comes from its script's Unix time where the page leaves it to the script;
# 2026.12.06t: a profile for WeChat official-account articles (mp.weixin.qq.com: `#js_content`, the headline and
#   the publication time);
# 2026.12.06s: trafilatura reads a page's <section>s as the <div>s they are: an article laid out in sections alone
#   (WeChat) keeps its short ones, the subheadings;
# 2026.12.06r: back-to-top links and picture credits in pt, es, fr, it, ru and ja ("Voltar ao topo", "Наверх",
#   "Фото: РИА Новости", "写真：共同") go;
# 2026.12.06q: bylines alone on their line in pt, es, fr and it ("Por Ana Paula da Silva", "Par Jean-Pierre Dupont",
#   "di Mario Rossi") go, as English and German ones do;
# 2026.12.06p: WordPress's comment form and the rights notice in pt, es, fr, it, ru and ja ("Deixe um comentário",
#   "Todos os direitos reservados", "Все права защищены") start the comment area or the footer, as in en, de and zh;
# 2026.12.06o: the date-stamp line in Portuguese, Spanish, French, Italian, Russian and CJK ("1 de dezembro de 2020 às
#   10h30", "1 декабря 2020 года", "2020年12月1日(火) 10:30") goes too;
# 2026.12.06n: widget placeholders ("Loading weather data ..."), "Tweet this"/"Digg this", "Filed Under: …" and an
#   English print-edition note ("Republished from the … print edition", "A version of this article appears in print
#   on …", which ends the text late however long) go;
# 2026.12.06m: credits behind the outlet ("National Post, with files from Postmedia News") and calls to follow on a
#   social network ("Follow John Reynolds on Twitter @johnreynolds10", "Twitter: @janethejourno") go;
# 2026.12.06l: a wire's bracketed credits ("(Reporting by …; Editing by …)") and "--Editors: …" go;
# 2026.12.06k: editor lines in Traditional characters ("（責任編輯：趙晗）", "（責任編輯 余淩雲）") go;
# 2026.12.06j: the same stamp behind an English label ("Last updated at 3:21 PM on 15th December 2011", "Published:
#   10 January 2008") goes; "Posted on …" stays;
# 2026.12.06i: a date and time alone on their line ("18 January 2012 - 1:56 am NZ time", "Donnerstag, 03. Februar
#   2022") go: they are the page's date stamp, not its text;
# 2026.12.06h: separators drawn with characters ("------", "———", "* * *") go;
# 2026.12.06g: German bylines in lower case ("von Manuela Conrad"), opinion-page disclaimers and contribution calls go;
# 2026.12.06f: a picture agency's credit alone ("STR/AFP via Getty Images") goes, and so does a notice that the
#   reader's privacy settings keep an embed from loading, however long ("Deine Privatsphäre-Einstellungen …");
# 2026.12.06e: "other … news" headings (其他兩岸新聞) and font-size tools (調整字體︰, 字号) go;
# 2026.12.06d: a blog's links to the posts around this one ("« Older post | Main | Newer post »") go;
# 2026.12.06c: closed comments ("Comments are now closed for this story") and comment links ("Post a comment",
#   "View all comments") start the comment area: they go, and end the text late;
# 2026.12.06b: related headings in Traditional script (相關新聞, 延伸閱讀) and news-desk labels (即時新聞) go, and end
#   the text late;
# 2026.12.06a: English bylines alone on their line ("By Claire Bates") go; related headings in any case
#   ("RELATED STORIES:", "Latest News", "You may also be interested in:") go, and end the text late;
# 2026.12.05d: Chinese text and photo credits (文/图 …, 圖／…提供), subscribe-to-our-paper lines, 据《…》 and
#   "Reprints" alone go;
# 2026.12.05c: update stamps, notes that a site does not answer for external links, story contacts, "Story Tools",
#   "SEE ALSO" go; a browser notice late in the text ends it;
# 2026.12.05b: breadcrumb trails ("您所在的位置：首页 > … > 正文", "Home » Sports »") and 我要评论, Fonts Size go;
# 2026.12.05a: a reader comment thread (three signed comments or more) in the latter part of the text is cut;
# 2026.12.04g: advertisement, read-also, related and share labels in pt, es, fr, it, ru, ja, ko, pl, tr, ar;
# 2026.12.04f: a plain <p> under the headline can be the lead; "the views expressed ... not necessarily" notes go;
# 2026.12.04e: social-media embed placeholders ("View this post on Instagram") and follow-on-Twitter calls go;
# 2026.12.04d: a lead the page marks as such (class lead, intro, excerpt, summary, ...) under the headline goes first;
# 2026.12.04c: advertisement labels, page tools (back to top, font size, tags), BBC caption labels go;
# 2026.12.04b: credits in brackets, read-also links with their headline, support calls, availability labels go;
# 2026.12.04a: an article's tool labels ("Print article", "Refer to a friend", "Druckversion") are a share bar;
# 2026.12.03p: comment-area texts (policies, "Reader's comments") are a comment form;
# 2026.12.03o: the page's description, when the page shows it and the text lacks it, is the lead;
# 2026.12.03n: comment counters, rating widgets, paywall notices and image labels are boilerplate lines;
# 2026.12.03m: more related-content headings end the text late, a "read also" line goes, an editor's initials go;
# 2026.12.03l: subscription and follow-us promotions, calls for submissions, error-report widgets are dropped;
# 2026.12.03k: an undeclared CJK page with a damaged byte is read leniently in its CJK charset, not as Cyrillic;
# 2026.12.03j: a navigation menu flattened into one paragraph ("Home | News | Sports | ...") is dropped;
# 2026.12.03i: Chinese sites' reprint terms (凡本网注明, 版权均属, 未经授权严禁转载) late in the text end it;
# 2026.12.03h: HTML tags and CSS rules that reached the text are taken out of it;
# 2026.12.03g: a legal notice or disclaimer paragraph late in the text ends the article;
# 2026.12.03f: the vowel signs of Brahmic and Southeast Asian scripts weigh as letters;
# 2026.12.03e: short text in a non-Latin script keeps the detector's language (Hindi was "en");
# 2026.12.03d: short teasers each under a headline above the confirmed span are dropped;
# 2026.12.03c: the lead readability has right before the confirmed span is added;
# 2026.12.03b: a small block of prose behind a break of non-prose lines puts the text in doubt;
# 2026.12.03: prose readability has between confirmed paragraphs and trafilatura skipped is added;
# 2026.12.02f: Myanmar, Armenian, Ethiopic and Tibetan stops end sentences, long Thai/Lao/Khmer lines are prose;
# 2026.12.02e: a legal-notice heading (反侵权公告, Disclaimer) late in the text ends it;
# 2026.12.02d: teasers cut off in an ellipsis put the text in doubt and never run on after it;
# 2026.12.02c: a paragraph made of readability's paragraphs is confirmed; 2026.12.02b: a rights notice late in
# the text ends it, however long; 2026.12.02: a long line without any sentence end is not prose, non-prose lines
# inside the text put it in doubt from a tenth of it; 2026.12.01c: C1 controls read as windows-1252, a paragraph
# confirmed once per copy of it; 2026.12.01b: CJK pages misread as Latin-9 read again; 2026.12.01: short lines
# readability has after the article are kept; 2026.11.30b: CJK pages saved as UTF-8 mojibake read again;
# 2026.11.30: JSON-LD kept for trafilatura
EXTRACTOR_VERSION = "2026.12.07g"
ORIGINAL_TITLE_RE = re.compile(r"^原标题\s*[:：]\s*(?P<title>.{2,150})$")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# Comments and processing instructions are never content, and trafilatura loses the text after a comment node.
_PARSER = HTMLParser(remove_comments=True, remove_pis=True)
# Every element gets lxml.html's HtmlElement (drop_tree, text_content) from a lookup made in C. lxml.html's own
# lookup is a Python method called each time an element is touched (2.3 million calls over 400 pages, 8 % of the
# extraction's time, most of it inside trafilatura); it only adds form-field classes, which nothing here uses.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
# Work per page is bounded, so one hostile page (a million tiny paragraphs) costs a second, not minutes.
# Real articles stay far below: the largest of 1,233 development pages has 10,476 elements and 0.9 MB.
MAX_PAGE_CHARS = 8_000_000
MAX_PAGE_ELEMENTS = 40_000
# Less text than this (letters, a CJK character counting 3) is a stray label ("menu"), not an article.
MIN_ARTICLE_WEIGHT = 15
# A source span this short without digits is a bare outlet name (Sina's "新京报").
MAX_BARE_SOURCE_NAME = 30


def parse_html(text: str, url: str) -> HtmlElement:
    """Parse decoded HTML (an XML declaration is dropped: lxml refuses it on str input)."""
    text = _XML_DECL_RE.sub("", text, count=1)
    if not text.strip():
        raise PageRejected("empty page", url)
    try:
        return document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise PageRejected(f"unparsable HTML: {exc}", url) from exc


def _source_span_attributions(lines: list[str]) -> list[Attribution]:
    found: list[Attribution] = []
    for line in lines:
        from_line = attributions_from_lines([line])
        if from_line:
            found.extend(from_line)
        elif len(line) <= MAX_BARE_SOURCE_NAME and not re.search(r"\d", line):
            name = canonical_source_name(line) or line
            found.append(Attribution("attribution_text", source_name=name, snippet=line))
    return found


def _split_original_title(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    original: str | None = None
    kept: list[str] = []
    for para in paragraphs:
        match = ORIGINAL_TITLE_RE.match(para)
        if match and original is None:
            original = match.group("title").strip()
            continue
        kept.append(para)
    return original, kept


def _normalised(raw: list[str]) -> list[str]:
    return normalise_paragraphs([repair(p) for p in raw])


def _clean_authors(authors: list[str], attributions: list[Attribution]) -> list[str]:
    """Authors without ids, outlet names and editor lines (those are not people who wrote the text)."""
    outlets = {a.source_name for a in attributions if a.source_name}
    return [
        a
        for a in authors
        if not a.isdigit() and source_by_name(a) is None and a not in outlets and boilerplate_rule(a) is None
    ]


def extract(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Article:
    """Turn a fetched page into an Article; raises PageRejected for pages it refuses."""
    if not body or not body.strip():
        raise PageRejected("empty body", url)
    decoded = decode_body(body, headers, url)
    if len(decoded.text) > MAX_PAGE_CHARS:
        raise PageRejected(f"page too large to extract: {len(decoded.text)} characters (limit {MAX_PAGE_CHARS})", url)
    tree = parse_html(decoded.text, url)
    elements = int(tree.xpath("count(//*)"))
    if elements > MAX_PAGE_ELEMENTS:
        raise PageRejected(f"page too large to extract: {elements} elements (limit {MAX_PAGE_ELEMENTS})", url)
    page_text = tree.text_content()
    profile = profile_for(url, tree, page_text)
    meta = extract_metadata(tree, url, profile, decoded.text)
    source_links = source_links_from_tree(tree, url, page_text)
    body_found = extract_paragraphs(tree, profile.container, profile.drop, url)  # changes the tree: last reader
    original_title, paragraphs = _split_original_title(_normalised(body_found.paragraphs))

    registry = source_for_url(url)
    own_source = registry.name if registry else None
    # A page naming its own outlet in prose is no evidence; a "(via X)" title is kept even then.
    evidence = [
        *source_links,
        *dedupe([*attributions_from_lines(paragraphs), *_source_span_attributions(meta.source_lines)], own_source),
        *via_attribution(meta.via, meta.title),
        *canonical_attribution(meta.canonical_url, url),
    ]
    rules = LineRules(profile.drop_line_res, profile.cutoff_line_res)
    paragraphs = apply_line_rules(paragraphs, rules)
    second = body_found.second
    if second is not None:
        paragraphs, _asked = consensus(
            paragraphs, lambda: apply_line_rules(_split_original_title(_normalised(second()))[1], rules)
        )
    title = repair(meta.title) if meta.title else None
    if paragraphs and title and normalise_inline(paragraphs[0]) == title:
        paragraphs = paragraphs[1:]
    if second is not None:  # a profile's container is the article as the site lays it out, lead included
        paragraphs = with_lead(paragraphs, meta.descriptions, tree)
    text = "\n\n".join(paragraphs)
    if text_weight(text) < MIN_ARTICLE_WEIGHT:
        raise PageRejected(f"no article text found ({len(text)} characters of text: {text[:40]!r})", url)
    reason = garbled_reason(text)
    if reason:
        raise PageRejected(reason, url)
    segments = segment_by_language(paragraphs)
    attributions = dedupe(evidence)
    return Article(
        url=url,
        text=text,
        title=title,
        original_title=original_title,
        canonical_url=meta.canonical_url,
        authors=_clean_authors(meta.authors, attributions),
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        language=majority_language(segments),
        segments=segments,
        section=meta.section,
        image_url=meta.image_url,
        site_language=meta.site_language,
        source_name=own_source,
        attributions=attributions,
        encoding=decoded.encoding,
        profile=profile.name,
        extractor_version=EXTRACTOR_VERSION,
    )
