"""Two extractors' paragraphs into one article: when readability is asked, and what is kept."""

from __future__ import annotations

import re
import sys

from crawler.extract.consensus import consensus, in_doubt, is_prose, is_teaser_end, merge, paragraph_key

LEAD = "国家发改委昨天下发通知，要求落实价格调控政策，稳定发电用煤价格，合同电煤控制价格涨幅在百分之五以内。"
BODY = [
    LEAD,
    "按照计划，明年跨省煤炭铁路运力配置总量与今年相比减少了近一成，其中向化肥行业配置的运力也有所减少。",
    "专家指出，化肥行业和钢铁行业市场化程度较高，所需运力较少，因此无需再通过计划安排运力。",
]
SIDEBAR = [
    "社会", "娱乐", "男子改车牌逃通行费 被拦停后怕扣12分欲跳桥", "04/11 03:21", "48小时点击排行", "827683",
    "网友绘“地铁十八怪”：或霸占吊环 或狂吃东西(图)", "04/11 02:31",
]
ENGLISH = [
    "The city council approved the new budget on Tuesday after a debate that lasted late into the night.",
    "Members argued over road repairs, school buildings and the cost of public transport for two hours.",
]


def test_prose_is_running_text() -> None:
    assert is_prose(LEAD)
    assert is_prose(ENGLISH[0])
    assert not is_prose("48小时点击排行")
    assert not is_prose("Related stories")


def test_clean_article_needs_no_second_opinion() -> None:
    asked: list[bool] = []
    paragraphs, used = consensus(BODY, lambda: asked.append(True) or [])
    assert paragraphs == BODY and not used and not asked


def test_headline_lists_around_the_article_put_it_in_doubt() -> None:
    assert in_doubt([*BODY, *SIDEBAR])
    assert in_doubt(SIDEBAR)


def test_sidebar_outside_the_confirmed_span_is_dropped() -> None:
    paragraphs, used = consensus([*BODY, *SIDEBAR], lambda: BODY)
    assert used
    assert paragraphs == BODY


def test_a_lead_paragraph_the_second_missed_is_kept() -> None:
    teaser = "Die Bundesregierung will die Ausgaben für Forschung im kommenden Jahr deutlich erhöhen, sagte sie."
    primary = ["Menü", "Startseite", teaser, *ENGLISH, "Mehr zum Thema", "Impressum"]
    assert merge(primary, ENGLISH) == [teaser, *ENGLISH]


def test_when_they_disagree_the_one_with_prose_wins() -> None:
    headlines = [f"日本台湾签署渔权协定 评论{n}条" for n in range(12)]
    assert merge(headlines, BODY) == BODY
    assert merge(BODY, headlines) == BODY


def test_second_that_holds_much_more_of_the_article_wins() -> None:
    longer = [*ENGLISH, *(f"{s} More of the report follows here, paragraph {n}." for n, s in enumerate(ENGLISH * 3))]
    assert merge(ENGLISH, longer) == longer


def test_nothing_from_one_side_keeps_the_other() -> None:
    assert merge(BODY, []) == BODY
    assert merge([], BODY) == BODY
    # when trafilatura's lines all went (a footer its region held), readability's are kept, prose or not
    caption = ["Created by a designer in Leeds! Via designtaxi More zombies here"]
    assert merge([], caption) == caption


def test_teasers_after_a_heading_below_the_article_are_dropped() -> None:
    teaser = "A teacher who seduced a schoolgirl has escaped prison, a court in Bavaria ruled on Thursday evening."
    closing = "The council will vote on the final figures next month, a spokeswoman said on Wednesday."
    primary = [*ENGLISH, closing, "Today's headlines", teaser, "Most read", teaser.replace("teacher", "doctor")]
    assert merge(primary, ENGLISH) == [*ENGLISH, closing]


def test_a_section_behind_a_subheading_below_the_confirmed_span_is_kept() -> None:
    section = [
        "Starting a new job may mean looking again at your insurance and at what your family would need.",
        "Although careers take unexpected turns, your financial goals should stay the same over the years.",
    ]
    links = ["Quick links", "Locate an office", "Privacy notice"]
    primary = [*ENGLISH, "Changing jobs", *section, "Related information", *links]
    assert merge(primary, ENGLISH) == [*ENGLISH, "Changing jobs", *section]


def test_a_standfirst_right_before_the_confirmed_span_is_kept_and_the_headline_is_not() -> None:
    standfirst = (
        "Activists across the United States call for a rent freeze in the crisis and warn the landlords of strikes"
    )
    primary = ["Politics", "Rent strike in the US", standfirst, *ENGLISH]
    assert merge(primary, ENGLISH) == [standfirst, *ENGLISH]


def test_a_second_opinion_without_prose_is_ignored() -> None:
    primary = ["Taiwan opposition surges to a big lead", "2012-01-12 16:53", *ENGLISH, "Share this"]
    assert merge(primary, ["Taiwan opposition surges to a big lead"]) == primary


def test_a_flattened_menu_or_tag_cloud_is_not_prose() -> None:
    assert not is_prose(" 、 ".join(["蔡英文", "民進黨", "國民黨", "馬英九", "宋楚瑜", "親民黨", "總統大選"] * 3))
    assert not is_prose(" │ ".join(["首页", "股票/期货", "权证", "ETF", "新闻", "外汇", "财金博客", "环球基金"] * 3))
    enumeration = "能源资源性产品，包括煤炭、焦炭、成品油、天然橡胶、稀土、铜、铝、镍等；高端装备的关键零部件。"
    assert is_prose(enumeration * 2)


def test_a_long_run_of_names_without_any_sentence_end_is_not_prose() -> None:
    names = "Popular Celebrity: Miley Cyrus Jamie Lynn Spears Miranda Cosgrove Vanessa Anne Hudgens Zac Efron " * 2
    assert len(names) > 150
    assert not is_prose(names)
    assert is_prose(names + "were all seen at the premiere. Their films opened on the same weekend")
    paragraphs, used = consensus([*ENGLISH, names], lambda: ENGLISH)
    assert used and paragraphs == ENGLISH


def test_a_paragraph_made_of_the_seconds_paragraphs_is_confirmed() -> None:
    joined = ENGLISH[0] + " " + ENGLISH[1] + " Copyright 2008 by UPI"
    menu = ["Current News", "News by Category", "Business", "Entertainment", "Environment", "Technology", "World"]
    assert merge(["Home | News Archives | Browse | Feedback", joined, *menu], ENGLISH) == [joined]
    # a paragraph that only shares a sentence with the second is not made of it
    other = ENGLISH[0] + " The mayor then left for a conference abroad that will last until the end of the month."
    assert merge([*BODY, "Related", other], [*BODY, ENGLISH[0]]) == BODY


def test_teasers_cut_off_in_an_ellipsis_put_the_text_in_doubt() -> None:
    teasers = [
        "A group of researchers has found that heavy use of the internet can change the brains of young people,...",
        "Recently a poll was organised by the Royal College of General Practitioners which asked people whether...",
        "A team of researchers at the Medical Research Council has found after a study that mothers should not…",
    ]
    assert not in_doubt([*ENGLISH, *teasers[:2]])
    assert in_doubt([*ENGLISH, *teasers])
    paragraphs, used = consensus([*ENGLISH, "Must reads", *teasers], lambda: ENGLISH)
    assert used and paragraphs == ENGLISH


def test_teasers_ending_in_a_link_to_the_rest_put_the_text_in_doubt() -> None:
    teasers = [
        "The businessman who shot a prosecutor in court would have walked out a free man. READ (10 COMMENTS) »",
        "The government says all internet users should check their computers for a virus. Read more",
        "Die Fluggesellschaft will trotz guter Ergebnisse vorerst keinen Biokraftstoff tanken. Weiterlesen »",
    ]
    assert in_doubt([*ENGLISH, *teasers])
    paragraphs, used = consensus([*ENGLISH, *teasers], lambda: ENGLISH)
    assert used and paragraphs == ENGLISH
    # the longest endings are found within the end that is looked at
    for ending in ("Read the full article »»", "Read (120 comments) »", "Continue reading →", "Seguir leyendo..."):
        assert is_teaser_end(ENGLISH[0] + " " + ending), ending
    # an article's own words are no link: "no more", a quotation closed with a guillemet
    own = [
        "The mayor told the council that the city could not afford the new bridge and there would be no more.",
        "« Nous verrons », a dit le maire devant le conseil, « et puis nous déciderons ensemble de la suite »",
        "The council members will read more of the plans next week before they take a vote on the budget again.",
    ]
    assert not in_doubt([*ENGLISH, *own])


def test_the_article_after_a_teaser_block_repeating_its_lead_is_not_added_twice() -> None:
    # the page shows the first two paragraphs as a teaser, then the headline and the article; readability has them
    # once, and the confirmed span ends where the page starts over
    headline = "產官學研合作 打造全球華人最大醫療雲"
    primary = [*BODY[:2], headline, *BODY[:2], "轉寄", "列印"]
    assert merge(primary, BODY[:2]) == BODY[:2]


def test_long_lines_in_scripts_without_full_stops_are_prose() -> None:
    thai = "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้ง " * 4
    burmese = "အစိုးရသည် လယ်သမားများအတွက် အထောက်အပံ့အသစ်ကို ကြေညာခဲ့သည်။ " * 3
    assert is_prose(thai.strip())
    assert is_prose(burmese.strip())


def test_a_tenth_of_link_lines_inside_the_text_puts_it_in_doubt() -> None:
    body = [*ENGLISH, "双色球开奖结果3D开奖结果大乐透开奖结果更多开奖结果", ENGLISH[0] + " " + ENGLISH[1]]
    assert in_doubt(body)
    assert not in_doubt([*ENGLISH, "Read more", ENGLISH[0] + " " + ENGLISH[1]])


def test_short_lines_both_extractors_keep_after_the_article_are_kept() -> None:
    # A last list item and a short closing line are too light to confirm anything alone; readability has them right
    # after the confirmed paragraphs, so they are the article's. Lines around them that it lacks still go.
    label, closing = "Kreole: Stella Hoops", "Be there or be square!"
    primary = ["Menü", *ENGLISH, label, closing, "Mehr zum Thema"]
    assert merge(primary, [*ENGLISH, label, closing]) == [*ENGLISH, label, closing]


def test_short_lines_both_keep_above_the_article_are_not_added() -> None:
    # A kicker or a caption above the article: both extractors keep it, it is not the article's text.
    assert merge(["Hitzefolgen", *ENGLISH], ["Hitzefolgen", *ENGLISH]) == ENGLISH


def test_datelines_and_bracketed_notes_do_not_extend_the_span() -> None:
    primary = [*BODY, "(2012-01-17 20:00) 晚間新聞", "[來源：Cult of Mac]"]
    assert merge(primary, primary) == BODY
    assert merge([*BODY, "[來源：Cult of Mac]"], [*BODY, "[來源：Cult of Mac]"]) == BODY


def test_a_short_line_elsewhere_in_the_second_does_not_extend_the_span() -> None:
    # "社会" is in readability's text, but not right after the paragraph it would follow.
    assert merge([*BODY, "社会"], ["社会", *BODY]) == BODY


def test_a_paragraph_shown_twice_is_confirmed_once() -> None:
    # A teaser block repeats the article's only paragraph: readability holds it once, so only its first copy is
    # confirmed and the menu and headline between the copies stay out.
    lead = BODY[0] + BODY[1]
    primary = [lead, "最新 | 發燒 | 哇新聞", "春節旅遊慎防禽流感", lead]
    assert merge(primary, [lead]) == [lead]
    # where readability holds both copies (a gallery repeating a caption), both are the article's
    assert merge([*ENGLISH, ENGLISH[0]], [*ENGLISH, ENGLISH[0]]) == [*ENGLISH, ENGLISH[0]]


def test_prose_readability_has_between_confirmed_paragraphs_is_added() -> None:
    # trafilatura skipped a definition kept in a table cell; readability has it between two paragraphs both keep.
    definition = (
        "employee - a person who works for a public or private employer and receives remuneration in wages, salary,"
        " a retainer fee from their employer while working on a commission basis, tips, piece-rates or in kind."
    )
    primary = ["Menü", ENGLISH[0], ENGLISH[1], "Mehr zum Thema"]
    assert merge(primary, [ENGLISH[0], definition, ENGLISH[1]]) == [ENGLISH[0], definition, ENGLISH[1]]
    # not after the span's last paragraph (nothing of the span follows it there), nor a light caption inside it
    assert merge(primary, [*ENGLISH, definition]) == ENGLISH
    assert merge(primary, [ENGLISH[0], "A man walks past the hall.", ENGLISH[1]]) == ENGLISH
    # nor what trafilatura has in another form: readability's copy carries a watermark that trafilatura's lacks
    assert merge(["首页", *BODY], [BODY[0], BODY[1] + " 加 拿 大 家园网", BODY[2]]) == BODY
    # nor a paragraph readability places out of trafilatura's order
    assert merge(primary, [ENGLISH[1], definition, ENGLISH[0]]) == ENGLISH


def test_a_small_block_of_prose_behind_a_break_puts_the_text_in_doubt() -> None:
    notice = (
        "This page is best viewed in an up-to-date web browser with style sheets (CSS) enabled. While you will be able"
        " to view the content of this page in your current browser, you will not get the full visual experience."
    )
    article = [*ENGLISH, ENGLISH[0] + " " + ENGLISH[1], ENGLISH[1] + " " + ENGLISH[0]] * 2
    assert not in_doubt(article)
    assert in_doubt([*article, "SEE ALSO", "Story Tools", notice])
    assert not in_doubt([*article, "Story Tools", notice])  # one short line is a subheading, not a break
    assert not in_doubt([*article[:4], "SEE ALSO", "Story Tools", *article[4:]])  # the parts are of a size
    paragraphs, used = consensus([*article, "SEE ALSO", "Story Tools", notice], lambda: article)
    assert used and paragraphs == article


def test_the_lead_readability_has_right_before_the_span_is_added() -> None:
    lead = (
        "Der Zickzack-Kurs der Katholischen Kirche in Bezug auf Anliegen queerer Menschen geht weiter, und das neueste"
        " Kapitel schrieb der Papst am Mittwoch selbst."
    )
    primary = ["VATIKAN: Eltern sollen Kinder unterstützen", *ENGLISH, "Weitere Artikel"]
    assert merge(primary, ["Chronik", lead, *ENGLISH]) == [lead, *ENGLISH]
    # not when a line of readability's own sits between it and the span (a headline above the lead's teaser)
    assert merge(primary, [lead, "Chronik", *ENGLISH]) == ENGLISH


def test_teasers_of_other_articles_above_the_span_are_dropped() -> None:
    # headline and one-sentence teaser, twice, above the article readability confirms
    teasers = [
        "Chatham: Great Expectations",
        "It's the 200th anniversary of Charles Dickens' birth and our hunter will be looking.",
        "Researchers identify yet another threat to hive health",
        "Scientists have identified a new threat to the health of honey bee hives.",
    ]
    article = [ENGLISH[0] + " " + ENGLISH[1], ENGLISH[1] + " " + ENGLISH[0]]
    assert merge([*teasers, *article, "Win a holiday"], article) == article
    # one short paragraph alone above the article is its lead, and a run of prose is the article's own
    assert merge([*teasers[:2], *article, "Win a holiday"], article) == [teasers[1], *article]
    assert merge([teasers[0], *BODY, teasers[2], *article], article) == [*BODY, *article]
    # nor are long paragraphs between subheadings (sections of the article above what readability found)
    sections = [teasers[0], BODY[0], teasers[2], BODY[1], "Im Detail", *article]
    assert merge(sections, article) == [BODY[0], BODY[1], *article]


def test_lines_readability_joined_in_pairs_are_kept_once_in_order() -> None:
    # trafilatura broke at <br>, readability kept each <p> whole: every readability paragraph is two of trafilatura's
    lines = [f"Line {i} of the long report on the city budget and its many parts." for i in range(40)]
    joined = [lines[i] + " " + lines[i + 1] for i in range(0, 40, 2)]
    assert merge(["Menu", "Home", *lines], joined) == lines


def test_paragraph_key_drops_every_character_a_regular_expression_calls_whitespace() -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)))
    text = f"{spaces}a{spaces}b c\u200bd\u3000e{spaces}"
    assert paragraph_key(text) == re.sub(r"\s+", "", text) == "abc\u200bde"  # a zero-width space is no whitespace
