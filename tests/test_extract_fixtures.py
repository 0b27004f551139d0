"""Every recorded page against its reviewed `.expected.json` (and its ground truth, where there is one)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import EXTRACTOR_VERSION, extract
from crawler.extract.evaluation import bag_score, load_ground_truth
from crawler.items import Article

PAGES = Path(__file__).parent / "fixtures/pages"
EXPECTED = sorted(PAGES.glob("*/*.expected.json"))
# Body F1 against a page's ground truth must reach this (bag of tokens: CJK characters, other words).
MIN_GROUND_TRUTH_F1 = 0.85
# Known exceptions, each with its measured F1: BusinessInsider's fundus ground truth is less than half of
# what both we and plain trafilatura extract (recall 1.0, precision 0.44); not yet investigated.
LOWER_F1 = {"fundus_BusinessInsiderDE_2024_01_29": 0.55}


def _page_for(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    return next(p for p in expected.parent.iterdir() if p.name in (stem + ".html", stem + ".html.gz"))


def _extract(expected: Path) -> tuple[Article, dict[str, Any]]:
    spec = json.loads(expected.read_text(encoding="utf-8"))
    body = _page_for(expected).read_bytes()
    if _page_for(expected).suffix == ".gz":
        body = gzip.decompress(body)
    return extract(body, spec["url"]), spec


@pytest.mark.parametrize("expected", EXPECTED, ids=[f"{p.parent.name}/{p.name.split('.')[0]}" for p in EXPECTED])
def test_page_matches_expected(expected: Path) -> None:
    article, spec = _extract(expected)
    paragraphs = article.text.split("\n\n")
    assert article.profile == spec["profile"]
    assert article.title == spec["title"]
    assert article.original_title == spec["original_title"]
    assert (article.published_at.isoformat() if article.published_at else None) == spec["published_at"]
    if article.published_at is not None:
        assert article.published_at.tzinfo is not None
    assert article.authors == spec["authors"]
    assert article.language == spec["language"]
    assert [s.language for s in article.segments] == spec["segments"]
    assert paragraphs[0] == spec["first_paragraph"]
    assert paragraphs[-1] == spec["last_paragraph"]
    got = [
        {k: v for k, v in (("evidence", a.evidence), ("source_name", a.source_name), ("url", a.url)) if v}
        for a in article.attributions
    ]
    assert got == spec["attributions"]
    for snippet in spec["with"]:
        assert snippet in article.text, f"lost article text: {snippet!r}"
    for snippet in spec["without"]:
        assert snippet not in article.text, f"boilerplate survived: {snippet!r}"
    assert article.extractor_version == EXTRACTOR_VERSION
    assert "\n\n\n" not in article.text and article.text == article.text.strip()
    assert "\n\n".join(s.text for s in article.segments) == article.text


GROUND_TRUTH = [p for p in EXPECTED if load_ground_truth(_page_for(p)) is not None]


@pytest.mark.parametrize("expected", GROUND_TRUTH, ids=[p.name.split(".")[0] for p in GROUND_TRUTH])
def test_body_against_ground_truth(expected: Path) -> None:
    article, _ = _extract(expected)
    truth = load_ground_truth(_page_for(expected))
    assert truth is not None
    score = bag_score(article.text, truth["text"])
    threshold = LOWER_F1.get(expected.name.split(".")[0], MIN_GROUND_TRUTH_F1)
    assert score.f1 >= threshold, score


def test_article_round_trips_through_dict() -> None:
    article, _ = _extract(PAGES / "seeds/qpute_seed001.expected.json")
    again = Article.from_dict(json.loads(json.dumps(article.to_dict())))
    assert again == article
    assert isinstance(again.published_at, datetime)


def test_sina_seed_record() -> None:
    article, _ = _extract(PAGES / "seeds/sina_seed000.expected.json")
    assert article.source_name == "Sina Finance"
    assert article.encoding == "utf-8"
    assert article.site_language == "zh"
    assert article.published_at is not None and article.published_at.utcoffset().total_seconds() == 8 * 3600
    assert article.image_url and article.image_url.endswith("da12962fc92b3a68e391034a1cb4e5d0.jpg")


def test_syndicated_copy_points_at_its_original() -> None:
    copy, _ = _extract(PAGES / "seeds/qpute_seed001.expected.json")
    original, _ = _extract(PAGES / "seeds/sina_seed000.expected.json")
    links = [a.url for a in copy.attributions if a.evidence == "source_link"]
    assert links == [original.canonical_url]
    assert copy.source_name == "Qpute"
