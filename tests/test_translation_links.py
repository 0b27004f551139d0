"""Translation links: one-to-one resolution, documents without a partner, ties, Chinese numerals, excerpts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from crawler.linking import encoder as encoder_mod
from crawler.linking.engine import SigDoc, neardup_stage, translation_stage
from crawler.linking.model import LinkDoc
from crawler.linking.shingles import hashed, shingles, signature_of
from crawler.linking.translation import one_to_one
from tests.translation_fixtures import wmt_documents, wmt_link_docs

T0 = datetime(2021, 10, 1, 9, tzinfo=timezone.utc)
needs_encoder = pytest.mark.skipif(encoder_mod.get_encoder() is None, reason="the translation extra is not installed")


def _pairs(proposals: list) -> set[tuple[int, int]]:  # type: ignore[type-arg]
    return {(min(p.copy_id, p.original_id), max(p.copy_id, p.original_id)) for p in proposals}


def test_one_to_one_takes_the_best_pair_first_and_each_article_once_per_language() -> None:
    language = {1: "zh", 4: "zh", 2: "en", 3: "en", 5: "de"}
    scores = {(1, 2): 0.9, (1, 3): 0.8, (2, 4): 0.85, (3, 4): 0.7, (1, 5): 0.75}
    # 1-2 first; 2-4 then loses (2 has its Chinese partner); 3-4 is free; 1 may still have a German partner
    assert sorted(one_to_one(scores, language)) == [(1, 2), (1, 5), (3, 4)]


def test_one_to_one_tie_takes_neither_candidate() -> None:
    language = {1: "zh", 2: "en", 3: "en", 4: "zh", 5: "en"}
    assert one_to_one({(1, 2): 0.5, (1, 3): 0.5, (4, 5): 0.5}, language) == [(4, 5)]
    # ... and the tied article does not take a worse candidate afterwards
    assert one_to_one({(1, 2): 0.5, (1, 3): 0.5, (1, 5): 0.4}, language) == []


def test_a_lone_shared_figure_and_date_link_no_unrelated_story_without_the_encoder() -> None:
    zh = LinkDoc(1, "市政府10月1日宣布，新建的体育馆可容纳150名运动员同时训练，预计明年开放。", "zh", T0)
    others = [
        LinkDoc(2, "On October 1 the orchestra said its 150 members will tour Europe next spring.", "en", T0),
        LinkDoc(3, "About 150 volunteers cleaned the beach on October 1, the organisers said.", "en", T0),
        LinkDoc(4, "The museum said on October 1 that it bought 150 paintings from a collector.", "en", T0),
    ]
    filler = [LinkDoc(10 + i, f"Der Stadtrat beschloss {317 + 41 * i} neue Wohnungen und {12 + i} Schulen.", "de",
                      T0 + timedelta(hours=i)) for i in range(12)]
    docs = [zh, *others, *filler]
    assert translation_stage(docs, docs, use_encoder=False) == []


ZH_NUMERALS = (
    "国家统计局十月一日发布数据显示，二○二一年前三季度国内生产总值为八十二万三千一百三十一亿元，同比增长百分之九点八。"
    "其中，第三季度增长百分之四点九。全国居民人均可支配收入为二万六千二百六十五元。"
)
EN_DIGITS = (
    "The National Bureau of Statistics said on October 1 that GDP in the first three quarters of 2021 was "
    "82.3131 trillion yuan, up 9.8% year on year. Growth in the third quarter was 4.9%. Per capita disposable "
    "income was 26,265 yuan."
)
EN_OTHER = (
    "The city council said on October 3 that 1,240 new homes were finished in 2020, and that rents rose 3.1% "
    "in the third quarter."
)


def test_chinese_written_in_numerals_links_to_its_translation_on_anchors_alone() -> None:
    docs = [LinkDoc(1, ZH_NUMERALS, "zh", T0), LinkDoc(2, EN_DIGITS, "en", T0 + timedelta(hours=3)),
            LinkDoc(3, EN_OTHER, "en", T0 + timedelta(hours=1))]
    [link] = translation_stage(docs, docs, use_encoder=False)
    assert (link.copy_id, link.original_id) == (2, 1)
    assert {"8.231e13", "9.8e0%", "4.9e0%"} <= set(link.details["numbers"])


@needs_encoder
@pytest.mark.parametrize("form", ["static", "full"])
def test_news_pairs_link_one_to_one_and_documents_without_partner_get_none(form: str) -> None:
    docs, truth = wmt_link_docs()
    encoder_mod.select(form)
    try:
        found = translation_stage(docs, docs, use_encoder=True)
    finally:
        encoder_mod.select(encoder_mod.DEFAULT_ENCODER)
    assert _pairs(found) == truth
    assert all(p.details["cosine"] > 0.55 for p in found)


def test_news_pairs_without_the_encoder_make_no_false_link() -> None:
    docs, truth = wmt_link_docs()
    found = _pairs(translation_stage(docs, docs, use_encoder=False))
    assert found and found <= truth


def test_per_language_budgets_cover_the_same_content() -> None:
    [en, zh] = [d["text"] for d in wmt_documents()[:2]]
    cut_en = encoder_mod._budgeted(en, encoder_mod.budget_for("en"))
    cut_zh = encoder_mod._budgeted(zh, encoder_mod.budget_for("zh"))
    # the Chinese side keeps about the same share of its document as the English side (not all of it)
    share_en, share_zh = len(cut_en) / len(en), len(cut_zh) / len(zh)
    assert share_zh < 1.0 and abs(share_en - share_zh) < 0.2


def _excerpt(text: str, share: float, start: int) -> str:
    sentences = [s for s in text.replace("\n", " ").split(". ") if s]
    target = share * sum(len(s) for s in sentences)
    run: list[str] = []
    for sentence in sentences[start:] + sentences[:start]:
        if sum(len(s) for s in run) >= target:
            break
        run.append(sentence)
    return ". ".join(run)


def test_thirty_percent_excerpts_are_found_and_same_topic_texts_are_not() -> None:
    english = [d["text"] for d in wmt_documents() if d["language"] == "en"]
    rng = random.Random(4)
    docs: list[tuple[int, str]] = []
    truth: set[tuple[int, int]] = set()
    for text in english:
        original = len(docs) + 1
        docs.append((original, text))
        for _ in range(3):
            docs.append((len(docs) + 1, _excerpt(text, 0.3, rng.randrange(20))))
            truth.add((original, len(docs)))
    sets = {i: shingles(text, "en") for i, text in docs}
    sig_docs = [SigDoc(i, "en", signature_of(sets[i]), T0 + timedelta(hours=i)) for i, _text in docs]
    found = _pairs(neardup_stage(sig_docs, sig_docs, lambda ids: {i: hashed(sets[i]) for i in ids}))
    assert truth <= found
    # excerpts of one original may contain one another; nothing links two different originals' texts
    group = {i: original for original, copy in truth for i in (original, copy)}
    assert all(group[a] == group[b] for a, b in found)


def test_nearest_pairs_stay_within_the_date_window_and_per_other_language() -> None:
    import numpy as np

    from crawler.linking.translation import TranslationDoc, nearest_pairs

    def unit(*values: float) -> np.ndarray:
        vector = np.array(values, dtype=np.float32)
        return vector / np.linalg.norm(vector)

    docs = [
        TranslationDoc(1, "en", T0, frozenset()),
        TranslationDoc(2, "zh", T0 + timedelta(days=1), frozenset()),  # close in time, less similar
        TranslationDoc(3, "zh", T0 + timedelta(days=5), frozenset()),  # identical, outside the window
        TranslationDoc(4, "zh", None, frozenset()),  # no date: compared with everything
        TranslationDoc(5, "en", T0 + timedelta(hours=2), frozenset()),  # same language: never a candidate of 1
    ]
    vectors = {1: unit(1, 0, 0), 2: unit(1, 1, 0), 3: unit(1, 0, 0), 4: unit(1, 0, 1), 5: unit(1, 0, 0)}
    pairs = nearest_pairs(docs[:1], docs, vectors, neighbours=4)
    assert set(pairs) == {(1, 2), (1, 4)}
    assert pairs[(1, 2)] == pytest.approx(2**-0.5)
