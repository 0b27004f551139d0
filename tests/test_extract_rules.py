# ruff: noqa: E501  (tables of real page lines read better unwrapped)
"""Generic boilerplate line rules and attribution evidence, one line at a time."""

from __future__ import annotations

import re

import pytest

from crawler.extract.attribution import attributions_from_lines
from crawler.extract.metadata import clean_title, split_authors
from crawler.extract.rules import MAX_BOILERPLATE_LINE, apply_line_rules, boilerplate_rule, is_breadcrumb


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("责任编辑：李墨轩", "editor_line"),
        ("（責任編輯：趙晗）", "editor_line"),
        ("（責任編輯 余淩雲）", "editor_line"),
        ("實習編輯：王小明", "editor_line"),
        ("--Editors: Abhay Singh, John Chacko", "editor_line"),
        ("(Reporting by Adam Marcus of Reuters Health; Editing by Cynthia Osterman)", "editor_line"),
        ("(Additional reporting by Jane Doe in Berlin)", "editor_line"),
        ("(Web editor: Hongyu, Du Mingming)", "editor_line"),
        ("以上内容为资讯信息快照,由td.fyun.cc爬虫进行采集并收录,本站未对信息做任何修改,信息内容不代表本站立场。", "snapshot_disclaimer"),
        ("快照生成时间:2023-06-27 10:45:07", "snapshot_disclaimer"),
        ("发表回复", "comment_form"),
        ("Deixe um comentário", "comment_form"),
        ("Voltar ao topo", "page_tool"),
        ("Retour en haut de page", "page_tool"),
        ("Наверх", "page_tool"),
        ("ページトップへ戻る", "page_tool"),
        ("Фото: РИА Новости", "image_credit"),
        ("写真：共同", "image_credit"),
        ("Crédito: Agência Brasil", "image_credit"),
        ("Laisser un commentaire", "comment_form"),
        ("Ваш адрес email не будет опубликован. Обязательные поля помечены *", "comment_form"),
        ("メールアドレスが公開されることはありません。", "comment_form"),
        ("您的邮箱地址不会被公开。 必填项已用 * 标注", "comment_form"),
        ("Bildquelle: Das Bild wurde mit KI generiert, Bildrechte liegen bei Midjourney.", "image_credit"),
        ("Views: 1", "view_counter"),
        ("This is a syndicated post. Read the original post at Source link .", "syndication_footer"),
        ("2024-05-07 15:56:00", "teaser_date"),
        ("【来源】https://www.shobserver.com/staticsg/res/html/web/newsDetail.html?id=768612&v=1.3&sid=67", "source_line"),
        ("《 人民日报 》（ 2024年05月10日 04 版）", "print_edition"),
        ("扫一扫，下载新浪财经APP", "qr_widget"),
        ("2012年01月17日 20:39 来源：中国新闻网 参与互动(0)", "source_stamp"),
        ("http://www.sznews.com 2012-01-17 21:11 来源： 深圳新闻网 【字号：大 中 小】", "source_stamp"),
        ("鉅亨網新聞中心 (來源：財匯資訊，摘自：中國經濟網) 2012-01-17 15:08:02", "source_stamp"),
        ("2012-01-12 作者：赵春燕 出处：每日经济新闻 【转载】 责任编辑：何顺延", "source_stamp"),
        ("<!-- OAS_AD('SkyScraper2'); //-->", "html_comment"),
        ("【字体：大 中 小】【打印】【关闭】", "page_tool"),
        ("[上一篇] [下一篇]", "page_tool"),
        ("【我要纠错】", "page_tool"),
        ("京ICP备05070218号-1", "site_footer"),
        ("京公网安备 11010202000001号", "site_footer"),
        ("网站标识码bm01000001", "site_footer"),
        ("主办单位：国务院办公厅 运行维护单位：中国政府网运行中心", "site_footer"),
        ("下一篇：关于做好2024年春节期间工作的通知", "site_footer"),
        ("この記事をシェア", "share_bar"),
        ("ツイート", "share_bar"),
        ("Veja também", "read_also"),
        ("یہ بھی پڑھیں: وزیراعظم کا دورہ چین", "read_also"),
        ("اشتہار", "ad_label"),
        ("スポンサーリンク", "ad_label"),
        ("Mais lidas", "related_heading"),
        ("Самое читаемое", "related_heading"),
        ("متعلقہ خبریں", "related_heading"),
        ("Les commentaires sont fermés.", "comment_form"),
        ("Комментарии закрыты", "comment_form"),
        ("(Updates with comments from Gates in second, last paragraphs.)", "editor_line"),
        ("(Recasts, adds details)", "editor_line"),
        ("RELATED BBC SITES", "related_heading"),
    ],
)
def test_generic_boilerplate_lines(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "Editor's note: this story was updated with new figures from the district government.",
        "According to Shu Bilei, an official at the administrative committee of Zhongguancun Science City.",
        "英语如下:",
        "今年1—7月，海淀区实际利用外资40.94亿美元，实现外贸出口额720.5亿元人民币。",
        "责任编辑 张三说，这个问题很重要。",
        "Reporting by the newspaper (the first in years) led to an inquiry.",
        "-- the editors said they would not comment",
        "編輯部的話",
        "记者从来源：新华社的稿件获悉，2012年1月17日，国务院召开常务会议，讨论了多项议题。",  # a sentence, not a header
        "The page said <!-- nothing --> here.",
        "【新春走基层】",  # a bracketed column name, not a tool
        "上一篇文章说的是他如何当选的。",
        "该公司持有ICP证。",
        "印刷業界の売上は増えた。",
        "(Updates are expected later today.)",  # a sentence in brackets, not a wire's version note
    ],
)
def test_article_lines_are_not_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) is None


def test_disclaimer_cuts_everything_after_it() -> None:
    paras = ["正文第一段，内容很长。" * 5, "以上内容为资讯信息快照，本站未对信息做任何修改", "探访中原“神算子”", "2024-05-07 15:56:00"]
    assert apply_line_rules(paras) == [paras[0]]


def test_a_long_rights_notice_late_in_the_text_ends_the_article() -> None:
    body = ["The hospital will open in the spring with sixty beds for patients who need long stays. " * 3] * 3
    notice = ("© 2012 American City Business Journals, Inc. and its licensors. All rights reserved. The material "
              "on this site may not be reproduced, distributed, transmitted, cached or otherwise used.")
    assert len(notice) > MAX_BOILERPLATE_LINE
    terms = "Use of this site constitutes acceptance of our User Agreement and Privacy Policy."
    assert apply_line_rules([*body, notice, terms]) == body
    # early on, a notice is no footer: the text after it stays (the short one is dropped as a line)
    assert apply_line_rules([notice, *body]) == [notice, *body]
    assert apply_line_rules(["版权所有 新华社", *body]) == body
    for footer in ("© 2020 Folha de S.Paulo. Todos os direitos reservados.", "Все права защищены © 2020 РИА Новости"):
        assert apply_line_rules([*body, footer, terms]) == body


def test_the_copyright_sign_with_a_year_is_a_rights_notice_in_any_language() -> None:
    body = ["The hospital will open in the spring with sixty beds for patients who need long stays. " * 3] * 3
    for notice in ("Deutschlandradio © 2009-2020", "Forum software by XenForo® © 2010-2019 XenForo Ltd.",
                   "جملہ حقوق محفوظ ہیں 2021 ©", "Российская газета © 2020", "ایکسپریس میڈیا گروپ © 2019–2024",
                   "(C) 2008 Magellan Navigation, Inc.", "Share it, link back :-) (c) 2012 The Curious Brain | Home"):
        assert boilerplate_rule(notice) == "copyright", notice
        # late in the text it ends the article, whatever follows in whatever language
        assert apply_line_rules([*body, notice, "Наши партнёры и реклама на сайте"]) == body, notice
    # the sign without a year beside it is not a rights notice
    sign = "Das Logo trägt ein © und den Namen der Firma."
    for line in (sign, "Die Zahl 2019 war ein Rekord, © hin oder her.", "Options (a), (b) and (c) were on the table."):
        assert boilerplate_rule(line) is None, line
    assert apply_line_rules([*body, sign, "Der Bürgermeister sprach."]) == [*body, sign, "Der Bürgermeister sprach."]


@pytest.mark.parametrize("line", [
    "— Meike Neitz (@meikyworldwide) 19. November 2018",
    "— Дмитрий Песков (@peskov) 3 марта 2021 г.",
    "— 安倍晋三 (@AbeShinzo) 2020年3月1日",
])
def test_an_embedded_tweets_signature_is_boilerplate_in_any_language(line: str) -> None:
    assert boilerplate_rule(line) == "embed_signature"


@pytest.mark.parametrize("line", [
    "— Jane Doe (@jdoe) says the vote was rigged",
    "Jane Doe (@jdoe) said so in 2020.",
    "— Jane Doe (@jdoe) wrote in 2020 that the vote (the second one) was rigged",
])
def test_sentences_quoting_a_handle_stay(line: str) -> None:
    assert boilerplate_rule(line) is None


def test_a_legal_notice_heading_late_in_the_text_ends_the_article() -> None:
    body = ["西吉县土豆种植面积为66万亩，其种薯除满足当地需求外，还销往国内其他土豆产区。" * 3] * 3
    notice = ["反侵权公告：", "根据《中华人民共和国著作权法》等法律法规，本网站刊登的作品版权归本社所有。"]
    assert apply_line_rules([*body, *notice]) == body
    assert apply_line_rules([*body, "Disclaimer", "The views expressed are the author's own."]) == body


def test_related_heading_early_only_drops_the_heading() -> None:
    paras = ["相关新闻：", "正文第一段。" * 10, "正文第二段。" * 10]
    assert apply_line_rules(paras) == paras[1:]


@pytest.mark.parametrize(
    ("line", "evidence", "name", "url"),
    [
        ("本文转自:工人日报", "attribution_text", "Workers' Daily", None),
        ("来源：人民网－人民日报", "attribution_text", "People's Daily", None),
        ("【来源】https://www.shobserver.com/a.html?id=1", "source_link", None, "https://www.shobserver.com/a.html?id=1"),
        ("Laut einer Meldung von China News Service gaben der Ausschuss", "attribution_text", "China News Service", None),
        ("HONG KONG, Jan. 15 (Xinhua) -- It was", "attribution_text", "Xinhua", None),
        ("新华社北京4月24日电　题：促进航天技术", "attribution_text", "Xinhua", None),
        ("The plan was announced, according to Xinhua News Agency.", "attribution_text", "Xinhua", None),
        ("中新社北京3月20日电 北京市科委", "attribution_text", "China News Service", None),
        ("Quelle: dpa", "attribution_text", "dpa", None),
    ],
)
def test_attribution_evidence(line: str, evidence: str, name: str | None, url: str | None) -> None:
    found = attributions_from_lines([line])
    assert [(a.evidence, a.source_name, a.url) for a in found] == [(evidence, name, url)]


def test_people_named_in_prose_are_not_sources() -> None:
    assert attributions_from_lines(["According to Shu Bilei, an official at the committee."]) == []
    assert attributions_from_lines(["Bildquelle: Das Bild wurde mit KI generiert."]) == []


def test_chinese_and_english_agency_names_meet() -> None:
    zh = attributions_from_lines(["据新华社报道，北京将建设算力中心。"])
    en = attributions_from_lines(["Beijing will build computing centres, according to Xinhua."])
    assert zh[0].source_name == en[0].source_name == "Xinhua"


@pytest.mark.parametrize(
    ("raw", "title", "via"),
    [
        ("60万\"12306账号\"外泄? 中铁总辟谣称消息不实|辟谣_新浪财经_新浪网", "60万\"12306账号\"外泄? 中铁总辟谣称消息不实|辟谣", None),
        ("Youngsters becoming more fitness-conscious - Chinadaily.com.cn", "Youngsters becoming more fitness-conscious", None),
        ("Haidian pushes ahead (via Qpute.com) – Qpute.com", "Haidian pushes ahead", "Qpute.com"),
    ],
)
def test_clean_title(raw: str, title: str, via: str | None) -> None:
    assert clean_title(raw) == (title, via)


def test_padded_chinese_two_character_names() -> None:
    assert split_authors(["本报记者  王乐文  方  敏"]) == ["王乐文", "方敏"]
    assert split_authors(["By John Smith and Jane Doe"]) == ["John Smith", "Jane Doe"]



def test_the_look_in_the_source_keeps_every_byline_xpath_that_finds_something() -> None:
    import gzip
    from pathlib import Path

    from crawler.extract.core import parse_html
    from crawler.extract.metadata import BYLINE_XPATHS, byline_xpaths_for

    snippets = [
        "<span itemprop='author'><span itemprop='name'>Ana Li</span></span>",
        "<span ITEMPROP = \"author\">Ana Li</span>",
        "<a rel=author href='/ana'>Ana Li</a>",
        "<p class='story byline'>By Ana Li</p>",
        "<div class='post-author-name'>Ana Li</div>",
        "<p class='bylines'>not a byline class</p>",
        "<p>By Ana Li</p>",
        "<meta name='author' content='Ana Li'><p>Written by the author.</p>",
    ]
    pages = [f"<html><body>{s}<p>Text.</p></body></html>" for s in snippets]
    for path in sorted((Path(__file__).parent / "fixtures" / "pages").rglob("*")):
        if path.name.endswith((".html", ".html.gz")):
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            pages.append(raw.decode("utf-8", "replace"))
    finding = skipped = 0
    for html in pages:
        tree = parse_html(html, "https://example.org/")
        kept = byline_xpaths_for(html)
        for xpath in BYLINE_XPATHS:
            if tree.xpath(xpath):
                assert xpath in kept, (xpath, html[:200])
                finding += 1
            elif xpath not in kept:
                skipped += 1
    assert finding >= 6 and skipped >= 10  # it finds bylines, and it spares walks
    assert byline_xpaths_for("<p>By Ana Li, author of the book</p>") == ()
    assert byline_xpaths_for("<p class='byline'>") == BYLINE_XPATHS[3:]


def test_the_fast_original_post_check_agrees_with_the_case_blind_pattern() -> None:
    import random

    from crawler.extract.attribution import SOURCE_LINK_CONTEXT_RE, says_original

    assert not re.search(r"\\[A-Z]", SOURCE_LINK_CONTEXT_RE.pattern)  # lowercasing the pattern keeps its meaning
    rnd = random.Random(5)
    pieces = ["Read the ", "READ THE ", "original ", "ORIGINAL ", "Original", "post at", "POST AT", "article at",
              "Originalartikel", "ORIGINALARTIKEL", "原文链接", "阅读原文", "ſtory at", "\u212a", "\u0130", "\u0131",
              "ly published at", "Zum ", " ", "x", "ß", "é"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        assert says_original(text) == (SOURCE_LINK_CONTEXT_RE.search(text) is not None), text
    # in long texts too, where it only looks around the places that say "original" or 原文
    filler = "Lorem ipsum dolor sit amet, the original plan was read at the post office. "
    for _ in range(300):
        parts = [filler * rnd.randint(0, 40) for _ in range(3)]
        phrase = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        text = parts[0] + phrase + parts[1] + rnd.choice(pieces) + parts[2]
        assert says_original(text) == (SOURCE_LINK_CONTEXT_RE.search(text) is not None), phrase


def test_a_legal_notice_or_disclaimer_late_in_the_text_ends_the_article() -> None:
    body = [
        "国家发改委昨天下发通知，要求落实价格调控政策，稳定发电用煤价格，合同电煤控制价格涨幅在百分之五以内。" * 2,
        "按照计划，明年跨省煤炭铁路运力配置总量与今年相比减少了近一成，其中向化肥行业配置的运力也有所减少。" * 2,
    ]
    for notice in (
        "免责声明：本文仅代表作者个人观点，与本网无关。其原创性以及文中陈述文字和内容未经本站证实，请读者仅作参考。",
        "声明：此栏目文章为本网原创资讯，不构成投资建议，投资者据此操作，风险自担。",
        "风险提示：市场有风险，投资需谨慎。本文观点仅供参考，不构成任何投资建议。",
        "Disclaimer: the author holds shares in the companies named in this article.",
        "The views expressed in articles are not necessarily those of the publisher, and we accept no responsibility.",
        "① 凡本網注明“稿件來源：本網”的所有文字、圖片和音視頻稿件，版權均屬本網所有，任何媒體未經授權不得轉載。",
        "严正申明：未经授权严禁转载，违者必究。",
        "本网站所刊载信息，不代表本社和本网观点。刊用本网站稿件，务经书面授权。",
    ):
        assert apply_line_rules([*body, notice, "更多精彩内容，请关注我们的其他栏目和专题报道，欢迎读者来信来稿。"]) == body
    # a statement quoted early in the text, and a sentence reporting one, are the article's
    quoted = "声明：公司将于下周一召开临时股东大会，审议董事会提出的重组方案，并公告相关决议的全部内容。"
    assert apply_line_rules([quoted, *body]) == [quoted, *body]
    reported = "公司声明称，将于下周一召开临时股东大会，审议董事会提出的重组方案。"
    assert apply_line_rules([*body, reported]) == [*body, reported]


def test_markup_that_reached_the_text_is_taken_out_and_its_text_kept() -> None:
    leaked = (
        '<dl class="border"> <dt class="closed">BLOGS</dt> <dd class="inset"><dl> <dt class="rule">Breaking News</dt>'
        ' <dd> <div class="chad xml"> <p class="c"> Israel closes vital Gaza crossings after rocket fire </p>'
    )
    css = "body { MARGIN: 0; } #NewsTopText { padding:3px 8px; text-align:left; } a { color: red; }"
    article = "The council approved the budget on Tuesday after a debate that lasted late into the night."
    assert apply_line_rules([article, leaked, css]) == [
        article, "BLOGS Breaking News Israel closes vital Gaza crossings after rocket fire", "body #NewsTopText a"
    ]
    # a paragraph that merely mentions a tag or uses braces stays as written
    prose = "Write <b> to make text bold, or {name: value; other: value} for a style, the guide explains."
    assert apply_line_rules([prose]) == [prose]


def test_a_menu_flattened_into_one_paragraph_is_dropped() -> None:
    article = "The council approved the budget on Tuesday after a debate that lasted late into the night."
    menu = "Home | News | Sports | Forums | Blogs | Multimedia | Entertainment | Jobs | Autos | Real Estate | Classifieds"
    bullets = "首页 • 新闻 • 体育 • 财经 • 娱乐 • 科技 • 汽车 • 房产 • 教育"
    assert apply_line_rules([article, menu, bullets]) == [article]
    # sentences that happen to hold bars stay
    scores = ("Results: Arsenal 2 | Chelsea 1. Liverpool 0 | Everton 0. Spurs 3 | Fulham 1. City 1 | United 1. "
              "Villa 2 | Wolves 2. Leeds 0 | Forest 1. The table is tight.")
    assert apply_line_rules([article, scores]) == [article, scores]
    # a short row of links goes too ("Top | Back | E-mail to a friend | Printable version"), unless a sentence ends
    # in it, or it has two items only
    for row in ("Home | News | Sports", "Top | Back | E-mail to a friend | Printable version", "26 | 01 | 2022"):
        assert apply_line_rules([article, row]) == [article], row
    for kept in ("Final score: Stanford 66 | Oregon St. 46 | Overtime", "Vote: Yes | No"):
        assert apply_line_rules([article, kept]) == [article, kept], kept


@pytest.mark.parametrize(
    "line",
    [
        "手机读报，精彩随身，移动用户发送到RMRB到10658000，订阅人民日报手机报。",
        "香港新浪新聞現已開設Facebook專頁，讓你即時掌握本地、中國、國際新聞、財經消息及天氣。",
        "本報「民意論壇」歡迎讀者來稿，見人所未見，刊登一律計酬。",
        '如果您在本页面发现错误，请先用鼠标选择出错的内容片断，然后同时按下"CTRL"与"ENTER"键',
        "Sign up for our free daily newsletter and get the top stories in your inbox.",
        "You can unsubscribe at anytime, and we'll never use your address for evil.",
        "Jetzt kostenlos den Newsletter bestellen!",
    ],
)
def test_subscription_promotions_are_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "promo_line"


def test_an_article_about_newsletters_is_not_a_promotion() -> None:
    line = "The company said its newsletter reached two million readers, and that it would subscribe new partners."
    assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    "heading",
    ["Mehr Themen:", "Weitere Themen", "Top-Themen bei FIT FOR FUN", "Weitere Beiträge aus der Kolumne:",
     "Mehr zum Thema auf UEPO.de", "Zum Weiterlesen:", "meist-diskutiert", "More from The Guardian", "Most popular"],
)
def test_more_related_headings_end_the_article_late(heading: str) -> None:
    body = ["The council approved the budget on Tuesday after a debate that lasted late into the night."] * 3
    assert apply_line_rules([*body, heading, "Another story entirely, about the weather on the coast."]) == body


def test_a_read_also_box_goes_and_the_article_goes_on() -> None:
    body = ["The council approved the budget on Tuesday after a debate that lasted late into the night."] * 3
    rest = "Members argued over road repairs, school buildings and the cost of public transport for two hours."
    assert apply_line_rules([*body, "Lesen Sie auch", rest]) == [*body, rest]
    # a sentence that begins like a heading stays
    sentence = "Weitere Themen der Woche sind die Steuern und die Renten, sagte die Ministerin am Abend."
    assert apply_line_rules([*body, sentence]) == [*body, sentence]


def test_an_editors_initials_alone_are_boilerplate() -> None:
    assert boilerplate_rule("(dmk)") == "editor_line"
    assert boilerplate_rule("(dpa/afp)") == "editor_line"
    assert boilerplate_rule("(Foto)") is None and boilerplate_rule("(1)") is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Keine Kommentare", "comment_counter"),
        ("12 comments", "comment_counter"),
        ("Bewerten:", "comment_counter"),
        ("To view the full story, please subscribe to The Haitian Times.", "paywall"),
        ("If you're seeing this message but you're already a subscriber, you can log in.", "paywall"),
        ("Beitragsbild", "image_credit"),
        ("Credit: Getty Images", "image_credit"),
        ("We want to hear what you think about this article.", "promo_line"),
    ],
)
def test_counters_paywalls_and_image_labels_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_sentences_about_comments_and_credit_stay() -> None:
    for line in ("The minister made 12 comments on the plan, none of them kind.", "Credit card debt rose again."):
        assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "Reader's comments »",
        "By adding a comment on the site, you accept our terms and conditions and our netiquette rules.",
        "If you are commenting using a Facebook account, your profile information may be displayed.",
        "Do not post: * Potentially libelous statements or damaging innuendo.",
        "Kommentare werden moderiert und erscheinen nicht sofort.",
    ],
)
def test_comment_area_texts_are_a_comment_form(line: str) -> None:
    assert boilerplate_rule(line) == "comment_form"


@pytest.mark.parametrize(
    "line",
    ["Print article", "Print this story", "Printer-friendly version", "E-mail this page", "Refer to a friend",
     "Send To Friend", "SHARE THIS STORY", "Artikel drucken", "Druckversion", "Per E-Mail versenden"],
)
def test_an_articles_tool_labels_are_a_share_bar(line: str) -> None:
    assert boilerplate_rule(line) == "share_bar"


def test_sentences_about_printing_and_friends_stay() -> None:
    for line in ["Print the article and read it later.", "Printing presses stopped.", "Send it to a friend, she said.",
                 "Artikel drucken lassen kostet Geld."]:
        assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("(Credit: Clayton Aldern / Grist)", "image_credit"),
        ("Beitragsbild: Titelseite der Zeitung vom 2.4.2019", "image_credit"),
        ("Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)", "comment_counter"),
        ("Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz", "read_also"),
        ("Read more: How the storm hit the coast", "read_also"),
        ("Video verfügbar bis 28.02.2021", "promo_line"),
        ("Werden Sie Mitglied und erhalten Sie exklusive Angebote!", "promo_line"),
        ("Unterstütze das Magazin bereits mit 2,50!", "promo_line"),
        ("Die Zeitung jetzt auch digital! Einfach hier klicken und registrieren!", "promo_line"),
        ("(Alle Angaben ohne Gewähr)", "copyright"),
    ],
)
def test_credits_read_also_links_support_calls_and_no_warranty_notes_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_article_sentences_near_those_phrases_stay() -> None:
    for line in ["Credit card debt rose 3% in the quarter.", "The related question is what comes next.",
                 "Read more books, the minister told pupils.", "Das Video ist seit Montag verfügbar.",
                 "Mitglieder des Vereins stimmten zu."]:
        assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Advertisement", "ad_label"),
        ("ADVERTISEMENT", "ad_label"),
        ("Anzeige", "ad_label"),
        ("Continue reading the main story", "ad_label"),
        ("Story continues below advertisement", "ad_label"),
        ("广告", "ad_label"),
        ("[add comment]", "comment_form"),
    ],
)
def test_advertisement_labels_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_sentences_about_advertising_stay() -> None:
    for line in ["Ad hoc talks failed.", "Advertising revenue fell 5%.", "Anzeige erstattet.", "广告收入下降。",
                 "Add a comment to the file, she said."]:
        assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Back to top ^", "page_tool"),
        ("[reply] [top]", "page_tool"),
        ("← 返回", "page_tool"),
        ("字型：", "page_tool"),
        ("“Start Quote", "page_tool"),
        ("本篇新闻热门关键词: 甘肃 兰州", "page_tool"),
        ("Tags: politics, economy", "page_tool"),
        ("Image copyright Getty Images", "image_credit"),
        ("Photograph: Alastair Grant/AP", "image_credit"),
        ("Related Topics", "related_heading"),
        ("More on this story", "related_heading"),
    ],
)
def test_page_tools_captions_and_topic_headings_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_sentences_starting_like_page_tools_stay() -> None:
    for line in ["Back to the topic of taxes, he said.", "返回家乡的人越来越多。", "关键词是创新。",
                 "Bildung ist wichtig: sagte er.", "Photographs of the scene were shared widely."]:
        assert boilerplate_rule(line) is None


def test_social_embed_placeholders_and_follow_calls_are_boilerplate() -> None:
    assert boilerplate_rule("Sieh dir diesen Beitrag auf Instagram an") == "embed_placeholder"
    assert boilerplate_rule("A post shared by Jane Doe (@jane)") == "embed_placeholder"
    assert boilerplate_rule("Follow World News on NBCNews.com on Twitter and Facebook") == "social_follow"
    assert boilerplate_rule("Follow the money, he said on Twitter.") is None
    assert boilerplate_rule("She shared a post on Instagram.") is None


def test_a_note_that_the_views_are_not_the_sites_is_boilerplate() -> None:
    note = ("The opinions expressed here are the personal views of Karl Fisch and do not (necessarily) reflect the "
            "views of my employer.")
    assert boilerplate_rule(note) == "views_disclaimer"
    assert boilerplate_rule("The views expressed by the minister do not reflect a consensus, officials said.") is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Publicidade", "ad_label"),
        ("Реклама", "ad_label"),
        ("広告", "ad_label"),
        ("Leia também: Governo anuncia novo plano", "read_also"),
        ("À lire aussi : Le gouvernement présente son plan", "read_also"),
        ("Читайте также:", "read_also"),
        ("関連記事", "related_heading"),
        ("Notícias relacionadas", "related_heading"),
        ("Compartilhe", "share_bar"),
    ],
)
def test_the_same_labels_in_other_languages_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_sentences_in_other_languages_that_start_like_labels_stay() -> None:
    for line in ["A publicidade cresceu 5% no ano.", "Реклама на телевидении подорожала.", "関連記事によると、政府は発表した。",
                 "Leia também o relatório completo, disse o ministro."]:
        assert boilerplate_rule(line) is None


ARTICLE = [
    "The minister announced on Tuesday that the new rules would apply from the first of March next year.",
    "Opposition leaders said the timetable left businesses too little room to prepare for the change.",
    "A spokesman for the ministry said the details would be published in the official gazette this week.",
]


def test_a_reader_comment_thread_after_the_article_is_cut() -> None:
    thread = [
        "Print Email this Comment",
        "Posted by: tom3465, farnworth on 8:21pm Tue 1 Jan 08",
        "as long as he does not take advice from his cousin on the finer points of driving",
        "Posted by: donmarg, bolton on 9:06pm Tue 1 Jan 08",
        "Why not take the rest of the team, they have been acting for long enough.",
        "Posted by: jim | January 14, 2008 07:20 PM",
        "Geschrieben von Anna am 3. Mai 2012 um 10:12",
    ]
    assert apply_line_rules([*ARTICLE, *thread]) == [*ARTICLE, "Print Email this Comment"]


def test_a_posts_own_byline_two_signatures_and_an_early_thread_stay() -> None:
    byline = "Posted by Biggles on October 27, 2003"
    two = ["Posted by: jim | January 14, 2008 07:20 PM", "Great piece.", "Posted by: ann | January 14, 2008 07:41 PM"]
    assert apply_line_rules([byline, *ARTICLE, *two]) == [byline, *ARTICLE, *two]
    # a comments page: the thread is the page's main content, from its first third on
    thread = [line for n in range(6) for line in (f"Posted by: reader{n} at Jan 17, 2005 3:2{n}:17 PM", ARTICLE[n % 3])]
    page = [ARTICLE[0], *thread]
    assert apply_line_rules(page) == page
    # a sentence that names a poster is no signature
    said = "Posted by the ministry on its website at noon, the notice ran to 12 pages."
    assert apply_line_rules([*ARTICLE, said, said, said]) == [*ARTICLE, said, said, said]


@pytest.mark.parametrize(
    "line",
    [
        "您所在的位置：首页 > 本网专稿 > 消费 > 正文",
        "您的位置：主页>艺术教育>院校招生资讯>中央美术学院",
        "当前位置：首页->军事技术",
        "股票> 正文",
        "新浪财经 > 美股 > 正文",
        "网易娱乐 > 明星俱乐部 > 明星话题",
        "uho優活健康網 〉檢視火線新聞 〉菸害防制新法3年 青少年吸菸仍嚴重？",
        "Home » Sports » Pro Sports »",
        "Hauptseite » 2010 » Oktober » 26 » Briefe",
        "You are here: Home / News / World",
    ],
)
def test_breadcrumb_trails_are_boilerplate(line: str) -> None:
    assert is_breadcrumb(line)
    assert apply_line_rules([*ARTICLE, line]) == ARTICLE


@pytest.mark.parametrize(
    "line",
    [
        "Go to Settings > General > About to check the version.",
        "Settings > General > About",
        "Die Inflation lag bei > 3 Prozent, die Zinsen bei > 4 Prozent.",
        "Er sagte: » Ja « und dann » Nein « zum Vorschlag.",
        "打开手机，点击设置>通用>关于本机，即可查看版本。",
        "A > B",
        "正文",
    ],
)
def test_paths_comparisons_and_quotes_are_no_breadcrumb(line: str) -> None:
    assert not is_breadcrumb(line)


@pytest.mark.parametrize("line", ["我要评论", "我來說兩句", "Fonts Size", "打印本頁", "關閉窗口"])
def test_chinese_page_tools_alone_on_their_line_are_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) in {"share_bar", "page_tool"}
    assert boilerplate_rule(line + "这篇文章的观点很多人都不同意，原因如下。") is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("(Note:CBC does not endorse and is not responsible for the content of external links.)", "views_disclaimer"),
        ("The BBC is not responsible for the content of external internet sites", "views_disclaimer"),
        ("Für den Inhalt externer Seiten ist der jeweilige Anbieter verantwortlich.", "views_disclaimer"),
        ("To contact the editor responsible for this story: Jason Gale at j.gale@bloomberg.net", "story_contact"),
        ("To contact the reporter on this story: Adi Narayan in Mumbai at anarayan@bloomberg.net", "story_contact"),
        ("With files from The Canadian Press", "story_contact"),
        ("National Post, with files from Postmedia News", "story_contact"),
        ("Loading weather data ...", "embed_placeholder"),
        ("Tweet this", "share_bar"),
        ("Digg this", "share_bar"),
        ("Filed Under: Sports", "page_tool"),
        ("Republished from the Winnipeg Free Press print edition January 17, 2012 A7", "print_edition"),
        ("Wird geladen …", "embed_placeholder"),
        ("CanWest News Service; with files from Reuters", "story_contact"),
        ("Follow John Reynolds on Twitter @johnreynolds10", "social_follow"),
        ("Twitter: @janethejourno", "social_follow"),
        ("Follow us on Facebook", "social_follow"),
        ("Follow us on Twitter for the latest updates.", "social_follow"),
        ("Folgen Sie uns auf Instagram!", "social_follow"),
        ("Story Tools", "page_tool"),
        ("SEE ALSO", "read_also"),
        ("Page last updated at 13:05 GMT, Thursday, 12 January 2012", "update_stamp"),
        ("5 April 2013 Last updated at 08:43 GMT", "update_stamp"),
    ],
)
def test_link_disclaimers_story_contacts_and_update_stamps_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "18 January 2012 - 1:56 am NZ time",
        "Tuesday, January 17, 2012 1:19 PM",
        "January 12, 2012, 7:22 AM EST",
        "1/10/2008, 6:07 a.m. EST",
        "7:51pm Tuesday 1st January 2008",
        "2008-01-12 11:31:01 -",
        "Fri, January 18, 2008",
        "Donnerstag, 03. Februar 2022",
        "06.11.2023, 13.47 Uhr",
        "segunda-feira, 1 de dezembro de 2020 às 10h30",
        "martes, 1 de diciembre de 2020",
        "lundi 1er décembre 2020 à 10h30",
        "1 dicembre 2020 alle 10:30",
        "1 декабря 2020 года, 10:30",
        "2020年12月1日(火) 10:30",
        "2012年1月17日 星期二",
    ],
)
def test_a_date_and_time_alone_on_their_line_are_the_page_stamp(line: str) -> None:
    assert boilerplate_rule(line) == "timestamp"


@pytest.mark.parametrize(
    "line",
    [
        "On 3 May 2012 we went home.",
        "May 2012",  # a month heading of a blog archive, no day
        "10:30",  # a time alone: a score or a schedule
        "Updated at 7:07 pm on 16 January 2012",  # a label: some gold texts keep these
        "January 17, 2012: the day the markets fell",
        "3. Mai 2012 – Tag der Pressefreiheit",
        "Em 1 de dezembro de 2020 o governo anunciou novas medidas.",
        "1 de maio",  # no year: a holiday's name, a heading
        "В 1 декабря 2020 года произошло землетрясение.",
        "2020年12月1日，政府宣布了新的措施。",
    ],
)
def test_lines_with_a_date_and_words_are_not_stamps(line: str) -> None:
    assert boilerplate_rule(line) != "timestamp"


@pytest.mark.parametrize(
    "line",
    [
        "Last updated at 3:21 PM on 15th December 2011",
        "Published: 10 January 2008",
        "Updated at 7:07 pm on 16 January 2012",
        "Last Updated: Wednesday, 9 January 2008, 01:36 GMT",
        "Published Thursday, January 10, 2008",
    ],
)
def test_a_labelled_publication_or_update_stamp_is_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "labelled_stamp"


@pytest.mark.parametrize(
    "line",
    [
        "Posted on Jan 16, 2012 @ 02:30PM",  # a blog's post header: gold texts keep it
        "Published on: January 17th, 2012 05:10am by: pahosa",  # a name after the stamp
        "Published: January 08, 2008, the report drew wide criticism",
        "Updated figures were released on 3 May 2012 by the ministry.",
    ],
)
def test_labelled_stamps_with_more_than_a_date_stay(line: str) -> None:
    assert boilerplate_rule(line) != "labelled_stamp"


def test_sentences_near_link_disclaimers_contacts_and_stamps_stay() -> None:
    for line in [
        "The company said it is not responsible for the content of the leaked files.",
        "To contact the reporter, readers wrote letters to the newspaper for years.",
        "With files from the archive, the historian rebuilt the family's story.",
        "Follow the money on Twitter, investigators told the committee, and you find the network.",
        "Twitter: the company said on Monday it would cut 10 per cent of its staff.",
        "Loading of the ship began on Monday.",
        "Laden und Gaststätten bleiben geschlossen...",
        "The page was last updated at 10:00, the ministry said on Monday.",
    ]:
        assert boilerplate_rule(line) is None, line


def test_a_print_edition_note_late_in_the_text_ends_the_article_however_long() -> None:
    note = (
        "A version of this article appears in print on Dec. 1, 2020, Section A, Page 1 of the New York edition with "
        "the headline: A Very Long Headline That Runs On and On About the Story Above. Order Reprints | Today's Paper"
    )
    assert len(note) > MAX_BOILERPLATE_LINE
    assert apply_line_rules([*ARTICLE, note, "Subscribe"]) == ARTICLE


def test_a_browser_notice_late_in_the_text_ends_the_article() -> None:
    notice = (
        "This page is best viewed in an up-to-date web browser with style sheets (CSS) enabled. While you will be "
        "able to view the content of this page in your current browser, you will not be able to get the full visual "
        "experience."
    )
    assert apply_line_rules([*ARTICLE, notice, "Mobile site"]) == ARTICLE


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("文/圖記者黃國金、華瑩實習生楊金運", "image_credit"),
        ("圖／聯合報提供", "image_credit"),
        ("图/文 李四", "image_credit"),
        ("訂購本報即時新聞：Yahoo!奇摩、MSN、Sina、PChome", "promo_line"),
        ("据《中国青年报》", "source_line"),
        ("Reprints", "page_tool"),
    ],
)
def test_chinese_credits_subscriptions_and_agency_lines_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_chinese_sentences_that_start_like_credits_stay() -> None:
    for line in ["据《中国青年报》报道，昨天北京下了今年第一场雪。", "文/图：记者在现场看到，救援人员正在搜救。", "图片显示，股价在午后大幅回落。"]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize(
    "line",
    ["By Claire Bates", "By JOSEPH WHITE AP Sports Writer", "By Julian Linden in Sydney", "By John W. Miller",
     "By Anna Smith and Tom O’Neill", "BY DOUG FERGUSON",
     "By Adi Narayan, Bloomberg News", "Por Ana Paula da Silva", "Por Maria Souza e João Lima",
     "Par Jean-Pierre Dupont", "di Mario Rossi"],
)
def test_a_byline_alone_on_its_line_is_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "byline"


def test_sentences_and_german_headings_that_start_with_by_or_von_stay() -> None:
    for line in [
        "By Tuesday the river had risen two metres.",
        "By Tuesday the river had risen.",
        "By Monday, it was over.",
        "By the end of the year, prices had doubled.",
        "by far the largest",
        "Von Rechts wegen",
        "Von Risiken und Nebenwirkungen",
        "Por isso, o governo decidiu adiar a votação.",
        "Por favor",
        "Par ailleurs",
        "Di Maio",
    ]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize(
    "heading",
    ["Related stories:", "RELATED STORIES:", "RELATED INTERNET LINKS", "You may also be interested in:",
     "Latest News", "KEY STORIES"],
)
def test_related_headings_in_any_case_end_the_article_late(heading: str) -> None:
    body = ["The council approved the budget on Tuesday after a debate that lasted late into the night."] * 3
    assert apply_line_rules([*body, heading, "Another story entirely, about the weather on the coast."]) == body
    assert boilerplate_rule(heading) == "related_heading"


@pytest.mark.parametrize("heading", ["相關新聞", "延伸閱讀：", "熱門推薦", "更多兩岸新聞", "即時新聞：", "即时新闻", "相关内容"])
def test_related_headings_in_traditional_script_and_news_desk_labels_are_boilerplate(heading: str) -> None:
    assert boilerplate_rule(heading) == "related_heading"
    body = ["立法院今天三讀通過預算案，朝野黨團在協商後同意刪減部分項目，並要求行政院在三個月內提出報告。"] * 3
    assert apply_line_rules([*body, heading, "颱風明天可能登陸，氣象局提醒民眾注意強風豪雨。"]) == body


def test_sentences_about_related_news_stay() -> None:
    for line in ["相關新聞指出，這項計畫將在明年啟動。", "即時新聞顯示，股市今天早盤小幅上漲。"]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize(
    "line",
    ["Comments are now closed for this story", "Comments are closed.", "Post a comment on \"Corporate Rock\"",
     "View all comments", "To join the discussion, register by clicking here", "Kommentare sind geschlossen",
     "Die Kommentarfunktion wurde deaktiviert.", "评论已关闭"],
)
def test_closed_comments_and_comment_links_start_the_comment_area(line: str) -> None:
    assert boilerplate_rule(line) == "comment_form"
    readers = ["Joe: Blue Monday is junk science.", "MJ: Definitely mind over matter."]
    assert apply_line_rules([*ARTICLE, line, *readers]) == ARTICLE


def test_sentences_about_closed_comments_stay() -> None:
    for line in ["The minister said comments are closed to the press until Friday.", "Why we post a comment policy"]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize(
    "line", ["« LaCie silverscreen announced | Main | TiVo 7.1 rollouts »", "« Indian Corn Printing Craft | Main",
             "Main | Our new garden shed »"],
)
def test_a_blogs_links_to_the_posts_around_this_one_are_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "blog_post_nav"


def test_quotes_and_menus_with_main_stay() -> None:
    for line in ["«Main Street is dead», the mayor said.", "Main | Sports | Weather"]:
        assert boilerplate_rule(line) != "blog_post_nav", line


@pytest.mark.parametrize(("line", "rule"), [("其他兩岸新聞", "related_heading"), ("其他科技新闻", "related_heading"),
                                            ("調整字體︰", "page_tool"), ("字号", "page_tool"), ("调整字体大小", "page_tool")])
def test_other_news_headings_and_font_size_tools_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_sentences_about_other_news_and_fonts_stay() -> None:
    for line in ["其他新聞媒體也報導了這起事件。", "字体设计师说，新字体明年发布。"]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize(
    "line",
    ["STR/AFP via Getty Images", "Andrea Verdelli/Getty Images", "Long Wei/Costfoto/Barcroft Media via Getty Images",
     "Seth Wenig/AP", "dpa/picture alliance", "© imago images/Future Image", "STR/Getty images"],
)
def test_a_picture_agencys_credit_alone_is_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "image_credit"


def test_agency_names_in_sentences_and_alone_stay() -> None:
    # an agency alone is an author ("dpa" on Die Zeit), and the authors are cleaned with the same rules
    for line in ["dpa", "Reuters", "He said the AFP report was wrong.", "The TCP/IP stack was rewritten via AP mode."]:
        assert boilerplate_rule(line) is None, line


def test_a_notice_that_privacy_settings_keep_an_embed_out_goes_however_long() -> None:
    notice = (
        "Deine Privatsphäre-Einstellungen verhindern das Laden und Anzeigen aller externen Inhalte (z.B. Grafiken, "
        "Tabellen, Abo-Login) und Sozialen Netzwerke (z.B. Youtube, Twitter, Facebook, Instagram etc.) Zur Anzeige "
        "aktiviere bitte die Einstellungen in den Privatsphäre-Einstellungen."
    )
    assert len(notice) > MAX_BOILERPLATE_LINE
    assert boilerplate_rule(notice) == "consent_notice"
    assert boilerplate_rule("Externer Inhalt nicht verfügbar") == "embed_placeholder"
    assert boilerplate_rule("This content is not available due to your privacy preferences.") == "consent_notice"
    assert apply_line_rules([*ARTICLE, "Externer Inhalt nicht verfügbar", notice, *ARTICLE]) == [*ARTICLE, *ARTICLE]


def test_sentences_about_privacy_settings_stay() -> None:
    line = "Ihre Privatsphäre-Einstellungen können Nutzer jederzeit ändern, sagte die Datenschutzbeauftragte."
    assert boilerplate_rule(line) is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("von Manuela Conrad", "byline"),
        ("von Anna Schmidt und Tom Berger", "byline"),
        ("Opinion articles reflect the views of their authors, not necessarily those of China.org.cn.",
         "views_disclaimer"),
        ("If you would like to contribute, please contact us at opinion@china.org.cn.", "promo_line"),
    ],
)
def test_german_bylines_opinion_disclaimers_and_contribution_calls_are_boilerplate(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


def test_german_phrases_with_von_stay() -> None:
    for line in ["von 2004 bis 2006", "von Rechts wegen", "Von Risiken und Nebenwirkungen", "von Berlin nach Hamburg"]:
        assert boilerplate_rule(line) is None, line


@pytest.mark.parametrize("line", ["------------------------------", "———", "＊＊＊＊＊＊", "* * *", "______", "......"])
def test_a_separator_drawn_with_characters_is_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) == "separator"


def test_lines_of_mixed_marks_or_with_words_stay() -> None:
    for line in ["-- ends --", "—", "... und dann?", "*** Eilmeldung ***"]:
        assert boilerplate_rule(line) != "separator", line
