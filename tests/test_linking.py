"""The linker's pure parts: number normaliser, anchors, evidence rules, near-duplicates, translations, merging."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from crawler.linking.anchors import extract_anchors, match_anchors
from crawler.linking.engine import SigDoc, neardup_stage, translation_stage
from crawler.linking.explicit import UrlIndex, explicit_proposals, is_source_line, registry_host_aliases, url_key
from crawler.linking.model import LinkDoc, Proposal, merge
from crawler.linking.neardup import direction
from crawler.linking.numbers import canonical_value, number_values, parse_digits
from crawler.linking.shingles import Signature, containment, hashed, shingles, signature_of
from crawler.linking.zh_numerals import arabic_numerals
from crawler.sources import SourceInfo
from tests.linking_seeds import SHOBSERVER_URL, SINA_URL, aggregator_002, german_004, qpute_001, sina_000

T0 = datetime(2021, 8, 24, 12, tzinfo=timezone.utc)


# --- numbers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("1.75万亿", "1.75 trillion"),
        ("40.94亿美元", "$4.094 billion"),
        ("720.5亿元人民币", "72.05 billion yuan"),
        ("3160个", "3,160"),
        ("45EFLOPS以上的1000亿元", "100 billion yuan"),
    ],
)
def test_numbers_meet_across_scripts_and_units(zh: str, en: str) -> None:
    assert number_values(zh, "zh") & number_values(en, "en")


def test_german_separators_and_magnitudes() -> None:
    assert number_values("3.160 Basisstationen", "de") == {"3.16e3"}
    assert number_values("1,75 Billionen Parameter", "de") == {"1.75e12"}
    assert number_values("4,094 Mrd. Dollar", "de") == {"4.094e9"}
    assert number_values("72,05 Milliarden Yuan", "de") == number_values("72.05 billion yuan", "en")


def test_percentages_codes_and_date_parts() -> None:
    assert number_values("增速达66.7%", "zh") == {"6.67e1%"}
    assert number_values("5G基站和COVID-19", "zh") == set()  # names, not quantities
    assert number_values("2021年8月24日", "zh") == {"2.021e3"}  # month and day are a date anchor, the year a number
    assert number_values("in 2021", "en") == {"2.021e3"}


@pytest.mark.parametrize(
    ("zh", "expected"),
    [
        ("二○○一年国内生产总值", {"n:2.001e3"}),
        ("一千五百五十亿美元", {"n:1.55e11"}),
        ("增长百分之七十", {"n:7e1%"}),
        ("同比增长百分之三点二", {"n:3.2e0%"}),
        ("三点五亿元", {"n:3.5e8"}),
        ("二〇二一年十二月三十一日", {"n:2.021e3", "d:12-31"}),
        ("兩萬億元", {"n:2e12"}),
    ],
)
def test_chinese_numerals_become_anchors(zh: str, expected: set[str]) -> None:
    assert extract_anchors(zh, "zh") == expected


def test_chinese_numeral_anchors_meet_english_figures() -> None:
    zh = extract_anchors("二○○一年，该公司营收一千五百五十亿美元，十月一日起增长百分之七十。", "zh")
    en = extract_anchors("In 2001 the company's revenue was $155 billion, up 70% from October 1.", "en")
    assert {"n:2.001e3", "n:1.55e11", "n:7e1%", "d:10-01"} <= zh & en


@pytest.mark.parametrize("word", ["一些人说一下", "万一", "千万不要", "十分重要", "一带一路", "两国", "十一五规划"])
def test_words_with_numeral_characters_are_not_figures(word: str) -> None:
    assert arabic_numerals(word) == word
    assert not {a for a in extract_anchors(word, "zh") if a.startswith("n:")}


def test_parse_digits_by_language() -> None:
    assert parse_digits("3,160", "en") == 3160
    assert parse_digits("3.160", "de") == 3160
    assert parse_digits("1.75", "en") == 1.75
    assert parse_digits("1,75", "de") == 1.75
    assert canonical_value(4094000000.0) == "4.094e9"


# --- anchors -------------------------------------------------------------------------------------------------


def test_anchors_of_seed_translation_pair() -> None:
    zh, en = sina_000(), qpute_001()
    shared = extract_anchors(zh.text, "zh") & extract_anchors(en.text, "en")
    assert {"n:1.75e12", "n:3.16e3", "n:4.094e9", "n:7.205e10", "d:06-01"} <= shared


def test_dates_in_three_languages() -> None:
    dates = [
        extract_anchors(t, lang)
        for t, lang in (("今年6月1日发布", "zh"), ("On June 1, it was", "en"), ("Am 1. Juni wurde", "de"))
    ]
    assert all("d:06-01" in d for d in dates)


def test_anchor_score_related_vs_unrelated() -> None:
    zh, en, de = sina_000(), qpute_001(), german_004()
    a, b, c = (extract_anchors(x.text, x.language) for x in (zh, en, de))
    assert match_anchors(a, b).score > 0.5
    assert match_anchors(a, c).score < 0.1


# --- explicit evidence ---------------------------------------------------------------------------------------


def _doc(article_id: int, language: str, url: str, *attributions: dict[str, str], source: str | None = None) -> LinkDoc:
    return LinkDoc(article_id, "text", language, T0, url, source, list(attributions))


def test_source_link_resolves_to_stored_article_across_scheme_www_and_tracking() -> None:
    urls = UrlIndex(host_aliases={})
    urls.add(1, "zh", SINA_URL)
    link = "http://www.finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386217.shtml?utm_source=x#top"
    doc = _doc(2, "en", "https://qpute.com/p/", {"evidence": "source_link", "url": link})
    [proposal] = explicit_proposals(doc, urls)
    assert (proposal.original_id, proposal.relation, proposal.evidence) == (1, "translates", "source_link")


def test_unresolved_url_stays_a_url_link_with_its_registry_source() -> None:
    doc = _doc(
        3,
        "zh",
        "https://ai-news.example/p/",
        {"evidence": "source_link", "url": SHOBSERVER_URL, "snippet": "【来源】" + SHOBSERVER_URL},
    )
    [proposal] = explicit_proposals(doc, UrlIndex(host_aliases={}))
    assert proposal.original_id is None
    assert proposal.original_url and "shobserver.com" in proposal.original_url
    assert (proposal.original_source, proposal.relation) == ("Shanghai Observer", "republishes")


def test_offsite_canonical_links_but_same_site_canonical_does_not() -> None:
    off = {"evidence": "canonical", "url": "https://news.cn/2024/a.htm"}
    same = {"evidence": "canonical", "url": "https://m.example.com/a"}
    assert explicit_proposals(_doc(1, "zh", "https://example.com/a", off), UrlIndex({}))[0].evidence == "canonical"
    assert explicit_proposals(_doc(1, "zh", "https://example.com/a", same), UrlIndex({})) == []


@pytest.mark.parametrize(
    ("name", "snippet", "language", "source", "relation"),
    [
        ("工人日报", "本文转自:工人日报", "zh", "Workers' Daily", "republishes"),
        ("新华社", "来源：新华社", "zh", "Xinhua", "republishes"),
        ("新华社", "来源：新华社", "en", "Xinhua", "translates"),
        ("Xinhua", "according to Xinhua, the city …", "en", "Xinhua", "cites"),
        ("China News Service", "Laut einer Meldung von China News Service …", "de", "China News Service", "cites"),
        ("中新社", "据中新社报道", "zh", "China News Service", "cites"),
        ("ECNS", "Title of the post (via ECNS)", "en", "China News Service", "translates"),
    ],
)
def test_named_source_rules(name: str, snippet: str, language: str, source: str, relation: str) -> None:
    doc = _doc(
        1, language, "https://x.example/a", {"evidence": "attribution_text", "source_name": name, "snippet": snippet}
    )
    [proposal] = explicit_proposals(doc, UrlIndex({}))
    assert (proposal.original_source, proposal.relation) == (source, relation)


def test_own_source_and_implausible_names_are_ignored() -> None:
    own = {"evidence": "attribution_text", "source_name": "Qpute.com", "snippet": "Post (via Qpute.com)"}
    noise = {"evidence": "attribution_text", "source_name": "2023-06-27 01:56", "snippet": "来源：2023-06-27 01:56"}
    assert explicit_proposals(_doc(1, "en", "https://qpute.com/a", own, source="Qpute"), UrlIndex({})) == []
    assert explicit_proposals(_doc(1, "zh", "https://x.example/a", noise), UrlIndex({})) == []


def test_source_line_detection() -> None:
    assert is_source_line("【来源】https://www.shobserver.com/x")
    assert is_source_line("Beijing's Haidian district … (via Qpute.com)")
    assert not is_source_line("according to Xinhua, the plan …")


def test_mobile_host_aliases_come_from_registry_data() -> None:
    registry = (
        SourceInfo(
            "Example", "publisher", ("news.example.org", "touch.example.org"), mobile_hosts=("touch.example.org",)
        ),
    )
    aliases = registry_host_aliases(registry)
    assert aliases == {"touch.example.org": "news.example.org"}
    assert url_key("https://touch.example.org/a/b.html?utm_source=x", aliases) == url_key(
        "http://news.example.org/a/b.html", aliases
    )


def test_sina_desktop_and_mobile_urls_of_one_article_meet_by_article_id() -> None:
    aliases = registry_host_aliases()
    desktop = "https://finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386217.shtml"
    mobile = "https://finance.sina.cn/2021-08-24/detail-ikqciyzm3386217.d.html?from=wap"
    other = "https://finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386218.shtml"
    assert url_key(mobile, aliases) == url_key(desktop, aliases) == "Sina Finance#ikqciyzm3386217"
    assert url_key(other, aliases) != url_key(desktop, aliases)


# --- near-duplicates -----------------------------------------------------------------------------------------


def test_wrapped_repost_is_contained_and_topic_neighbour_is_not() -> None:
    original = sina_000().text
    paras = original.split("\n\n")
    repost = "\n".join(["免责声明：本文转自网络，仅供参考。", *paras[:-1], "关注我们的公众号，获取更多财经资讯。"])
    other = aggregator_002().text  # also Beijing and AI computing, different text
    assert containment(shingles(original, "zh"), shingles(repost, "zh")) > 0.8
    assert containment(shingles(original, "zh"), shingles(other, "zh")) < 0.1


def test_neardup_stage_finds_copy_and_orders_by_time() -> None:
    rng = random.Random(1)
    base = qpute_001().text
    words = base.split()
    copy = "Share this: Twitter Facebook. " + " ".join(words[: int(len(words) * 0.9)]) + " Related posts."
    unrelated = german_004().text
    texts = {1: base, 2: copy, 3: unrelated}
    times = {1: T0, 2: T0 + timedelta(hours=3), 3: T0 + timedelta(hours=rng.randint(1, 5))}
    langs = {1: "en", 2: "en", 3: "de"}
    sets = {i: shingles(t, langs[i]) for i, t in texts.items()}
    docs = [SigDoc(i, langs[i], signature_of(sets[i]), times[i]) for i in texts]
    [proposal] = neardup_stage(docs, docs, lambda ids: {i: hashed(sets[i]) for i in ids})
    assert (proposal.copy_id, proposal.original_id, proposal.relation) == (2, 1, "republishes")
    assert proposal.details["direction"] == "time" and proposal.score > 0.85


def test_direction_explicit_then_time_then_tie() -> None:
    published = {1: T0, 2: T0 + timedelta(hours=1), 3: T0}
    assert direction(1, 2, published, {(1, 2)}).basis == "explicit"
    assert (direction(1, 2, published).copy, direction(1, 2, published).basis) == (2, "time")
    tie = direction(1, 3, published)
    assert (tie.copy, tie.original, tie.basis) == (3, 1, "tie")


def test_signature_round_trip_and_jaccard() -> None:
    signature = signature_of(shingles(sina_000().text, "zh"))
    again = Signature.from_bytes(signature.to_bytes())
    assert again is not None and again.size == signature.size and again.jaccard(signature) == 1.0
    assert Signature.from_bytes(b"old-format") is None


# --- translations --------------------------------------------------------------------------------------------


def _seed_docs() -> list[LinkDoc]:
    seeds = [sina_000(), qpute_001(), aggregator_002(), german_004()]
    return [LinkDoc(i, a.text, a.language, a.published_at) for i, a in enumerate(seeds, start=1)]


@pytest.mark.parametrize("use_encoder", [False, True])
def test_seed_000_and_001_link_as_translation_with_numbers(use_encoder: bool) -> None:
    docs = _seed_docs()
    [link] = translation_stage(docs, docs, use_encoder=use_encoder)
    assert (link.copy_id, link.original_id, link.relation, link.evidence) == (2, 1, "translates", "cross_lingual")
    assert {"1.75e12", "3.16e3", "4.094e9", "7.205e10"} <= set(link.details["numbers"])
    assert 0.5 < link.score <= 1.0


def test_translation_needs_the_date_window() -> None:
    docs = _seed_docs()
    docs[1].published_at = docs[0].published_at + timedelta(days=30)  # type: ignore[operator]
    assert translation_stage(docs, docs, use_encoder=False) == []


# --- merging -------------------------------------------------------------------------------------------------


def test_merge_keeps_strongest_evidence_and_lists_all() -> None:
    a = Proposal(2, "translates", "cross_lingual", 0.9, original_id=1, details={"numbers": ["1.75e12"]})
    b = Proposal(2, "translates", "source_link", 0.95, original_id=1, original_url="https://x/a")
    [merged] = merge([a, b])
    assert (merged.evidence, merged.score, merged.original_url) == ("source_link", 0.95, "https://x/a")
    assert merged.details["evidence"] == ["source_link", "cross_lingual"]
    assert merged.details["numbers"] == ["1.75e12"]


CLOSING = (
    "Thank you for contacting our support team today. If you have any other questions about your account, "
    "your orders or our services, please do not hesitate to reach out to us at any time by chat, by phone "
    "or by email. We are always happy to help. Have a wonderful day and stay safe!"
)
OPENERS = (
    "Hi Anna, your order 4411 has shipped from our warehouse in Leeds and should arrive on Tuesday.",
    "Hello Mark, the refund for the jacket you returned last week was approved this morning.",
    "Dear Ms Weber, we have changed the delivery address of your subscription to the new flat in Bonn.",
    "Hi Tom, the technician will visit your home on Friday between nine and eleven to repair the boiler.",
)


def test_templated_short_texts_are_not_near_duplicates() -> None:
    texts = [f"{opener} {CLOSING}" for opener in OPENERS]
    sets = {i: shingles(t, "en") for i, t in enumerate(texts)}
    assert min(containment(sets[0], sets[i]) for i in (1, 2, 3)) > 0.7  # the template alone is most of each text
    docs = [SigDoc(i, "en", signature_of(sets[i]), T0 + timedelta(hours=i)) for i in sets]
    assert neardup_stage(docs, docs, lambda ids: {i: hashed(sets[i]) for i in ids}) == []
    # the same short text with a different greeting line is still one
    sets[9] = shingles(f"Good morning! {texts[0]}", "en")
    docs.append(SigDoc(9, "en", signature_of(sets[9]), T0 + timedelta(hours=9)))
    [copy] = neardup_stage(docs, docs, lambda ids: {i: hashed(sets[i]) for i in ids})
    assert (copy.copy_id, copy.original_id) == (9, 0)


def test_the_link_summary_is_plain_words_whose_totals_add_up() -> None:
    from crawler.linking.run import LinkStats

    stats = LinkStats(articles=37, signatures_computed=37, embeddings_computed=37, explicit=10, translations=1,
                      links_written=10, by_relation={"translates": 1, "cites": 6, "republishes": 3})
    text = stats.summary()
    assert "10 links written (6 citations, 3 republications, 1 translation)" in text
    assert "a pair found several ways is written once" in text
    assert "signatures_computed" not in text and "url_links_resolved" not in text


TEMPLATES = (
    "Thanks for reaching out! Our agents answer every message within one working day, and you can follow the "
    "status of your request in the app under My Requests.",
    "Was this answer helpful? Rate this conversation with one to five stars so that we can keep improving.",
    "For urgent matters call the service line, open Monday to Saturday from eight in the morning to eight at night.",
)


def _sentence(rng: random.Random, words: int) -> str:
    vocabulary = ("parcel", "invoice", "meter", "tariff", "router", "courier", "voucher", "balcony", "ticket",
                  "refund", "flight", "insurance", "contract", "battery", "license", "garage", "window", "heating")
    return " ".join(f"{rng.choice(vocabulary)}{rng.randint(1, 999)}" for _ in range(words)).capitalize() + "."


def _run(texts: dict[int, str]) -> set[tuple[int, int]]:
    sets = {i: shingles(t, "en") for i, t in texts.items()}
    docs = [SigDoc(i, "en", signature_of(sets[i]), T0 + timedelta(minutes=i)) for i in sets]
    found = neardup_stage(docs, docs, lambda ids: {i: hashed(sets[i]) for i in ids})
    return {(p.copy_id, p.original_id or 0) for p in found}


@pytest.mark.parametrize("own_words", [4, 8, 16])
def test_many_templated_replies_with_a_line_of_their_own_are_not_near_duplicates(own_words: int) -> None:
    """Shingles that recur in many of the candidate texts (a template) count for little, so texts that share a
    template and differ in their own line are not copies, however short that line."""
    rng = random.Random(own_words)
    texts = {i: "\n".join([_sentence(rng, own_words), *rng.sample(TEMPLATES, k=2)]) for i in range(1, 61)}
    assert _run(texts) == set()


def test_a_story_reposted_by_many_outlets_each_adding_a_line_still_links() -> None:
    """A story's text is common among its many copies, yet each copy holds all of it: every copy links."""
    rng = random.Random(3)
    story = " ".join(_sentence(rng, 12) for _ in range(12))
    texts = {1: story} | {i: f"{_sentence(rng, 6)}\n{story}\n{_sentence(rng, 5)}" for i in range(2, 18)}
    links = _run(texts)
    assert {(i, 1) for i in range(2, 18)} <= links
