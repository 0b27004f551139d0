"""`newscrawl link --rebuild` streamed day by day against a real PostgreSQL: the same links as the at-once
rebuild it replaced, stale links removed, stored embeddings read back instead of computed again."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from crawler.items import Article, Segment
from crawler.linking import encoder as encoder_mod
from crawler.linking.run import link_all, link_all_at_once, link_new
from crawler.store.database import Store
from tests.linking_seeds import all_seeds
from tests.translation_fixtures import wmt_articles

pytestmark = pytest.mark.db

LINKS = """
SELECT c.url, coalesce(o.url, l.original_url, s.name), l.relation, l.evidence
FROM syndication_links l JOIN articles c ON c.id = l.copy_article_id
LEFT JOIN articles o ON o.id = l.original_article_id LEFT JOIN sources s ON s.id = l.original_source_id
"""


def _links(store: Store) -> set[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return {tuple(row) for row in conn.execute(text(LINKS))}


def _corpus() -> list[Article]:
    """(Links are compared without their scores: anchor weights now come from the window, not the corpus.)
    The seed articles (explicit evidence, a translation, near-copies, years apart), the WMT news documents
    (translations) spread over a week, and reposts of them a day or two later, some across midnight."""
    rng = random.Random(6)
    articles = all_seeds()
    wmt, _truth = wmt_articles()
    for index, article in enumerate(wmt):
        when = article.published_at + timedelta(hours=13 * index)  # type: ignore[operator]
        articles.append(Article(url=article.url, text=article.text, title=article.title, language=article.language,
                                segments=article.segments, published_at=when))
        if index % 3 == 0:
            later = when + timedelta(hours=rng.randint(20, 40))
            articles.append(Article(url=f"https://aggregator.example.net/{index}.html", language=article.language,
                                    text="Shared from the wire.\n\n" + article.text, published_at=later,
                                    segments=[Segment(str(article.language), article.text)]))
    return articles


@pytest.mark.parametrize("use_encoder", [False, True])
def test_streamed_rebuild_writes_the_links_of_the_at_once_rebuild(store: Store, use_encoder: bool) -> None:
    if use_encoder and not encoder_mod.available():
        pytest.skip("the translation extra is not installed")
    store.seed_sources()
    store.store_articles(_corpus())
    before = link_all_at_once(store, use_encoder=use_encoder)
    at_once = _links(store)
    assert {row[2] for row in at_once} >= {"republishes", "translates", "cites"}
    streamed = link_all(store, use_encoder=use_encoder)
    assert _links(store) == at_once
    assert streamed.links_removed == 0 and streamed.links_written == before.links_written
    assert streamed.embeddings_computed == 0  # stored by the first run, read back per window


def test_streamed_rebuild_removes_links_no_longer_proposed(store: Store) -> None:
    store.store_articles(_corpus())
    link_new(store, use_encoder=False)
    kept = _links(store)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO syndication_links (copy_article_id, original_article_id, relation, evidence, "
                          "score, details) SELECT max(id), min(id), 'republishes', 'near_duplicate', 0.7, '{}' "
                          "FROM articles"))
    stats = link_all(store, use_encoder=False)
    assert stats.links_removed == 1 and _links(store) == kept


def test_nightly_link_looks_for_copies_within_the_near_duplicate_window_only(store: Store) -> None:
    """The incremental run reads the signatures of the articles within NEARDUP_WINDOW of the new ones, not of
    the whole corpus: a copy of a story from two days before links, one of a story from a month before does
    not (the rebuild decides the same)."""
    from crawler.linking.stream import NEARDUP_WINDOW

    [recent, old] = [a for a in _corpus() if "news-en" in a.url][:2]
    when = recent.published_at
    assert when is not None and old.text != recent.text
    store.store_articles([
        Article(url="https://a.example.org/recent", text=recent.text, language="en", published_at=when),
        Article(url="https://a.example.org/old", text=old.text, language="en",
                published_at=when - NEARDUP_WINDOW - timedelta(days=16)),
    ])
    link_new(store, use_encoder=False)
    store.store_articles([
        Article(url=f"https://b.example.org/{name}", text="Via the wire.\n\n" + source.text, language="en",
                published_at=when + timedelta(days=2))
        for name, source in (("recent", recent), ("old", old))
    ])
    link_new(store, use_encoder=False)
    expected = {("https://b.example.org/recent", "https://a.example.org/recent", "republishes", "near_duplicate")}
    assert _links(store) == expected
    link_all(store, use_encoder=False)
    assert _links(store) == expected
