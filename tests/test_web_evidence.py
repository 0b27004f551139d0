"""The story page's evidence: anchors marked where they occur, paragraphs aligned to the original's (pure)."""

from __future__ import annotations

from crawler.linking.anchors import extract_anchors
from crawler.web.evidence import Piece, align, label, mark, paragraphs


def test_marks_the_runs_that_carry_shared_anchors() -> None:
    zh = "中国人民银行3月2日表示，新增贷款1000亿元，同比增长12.5%。"
    en = "The People's Bank of China said on March 2 that new loans reached 100 billion yuan, up 12.5 percent."
    shared = extract_anchors(zh, "zh") & extract_anchors(en, "en")
    assert shared == {"d:03-02", "n:1e11", "n:1.25e1%"}
    assert [p.text for p in mark(zh, "zh", shared) if p.anchors] == ["3月2日", "1000亿", "12.5%"]
    assert [p.text for p in mark(en, "en", shared) if p.anchors] == ["March 2", "100 billion", "12.5 percent"]
    assert "".join(p.text for p in mark(en, "en", shared)) == en  # nothing lost or doubled


def test_nothing_shared_leaves_the_text_whole() -> None:
    assert mark("Nothing in common 42.", "en", frozenset()) == [Piece("Nothing in common 42.")]
    assert [p.anchors for p in mark("Only 42 here.", "en", frozenset({"n:7e0"}))] == [()]


def test_paragraphs_align_to_the_original_paragraph_they_share_most_with() -> None:
    original = paragraphs([("zh", "国务院3月5日发布计划。\n投资达到4500亿元，覆盖WuDao项目。")])
    copy = paragraphs([("en", "Investment reached 450 billion yuan for the WuDao project.\nOn March 5 a plan came out."
                               "\nExperts welcomed it.")])  # fmt: skip
    align(original, copy)
    assert [p.aligned_to for p in copy] == [2, 1, None]
    assert copy[0].shared == ("l:wudao", "n:4.5e11")


def test_anchor_labels() -> None:
    assert label("n:1e11") == "number 100,000,000,000"
    assert label("n:1.25e1%") == "number 12.5%"
    assert label("d:03-02") == "date 03-02"
    assert label("l:xinhua") == "name xinhua"
