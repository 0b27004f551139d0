"""The WMT24 news documents of tests/fixtures/linking (see PROVENANCE.md there) as linker inputs and articles."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.items import Article, Segment
from crawler.linking.model import LinkDoc

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "linking" / "wmt24_en_zh_news.json"
T0 = datetime(2024, 1, 10, 8, tzinfo=timezone.utc)


def wmt_documents() -> list[dict[str, str]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def wmt_link_docs() -> tuple[list[LinkDoc], set[tuple[int, int]]]:
    """The documents as linker inputs, all within one date window (each Chinese translation a few hours after
    its original), and the true (low id, high id) pairs."""
    docs: list[LinkDoc] = []
    first: dict[str, int] = {}
    truth: set[tuple[int, int]] = set()
    for index, doc in enumerate(wmt_documents()):
        when = T0 + timedelta(hours=5 * index)
        docs.append(LinkDoc(index + 1, doc["text"], doc["language"], when))
        if doc["doc_id"] in first:
            truth.add((first[doc["doc_id"]], index + 1))
        else:
            first[doc["doc_id"]] = index + 1
    return docs, truth


def wmt_articles() -> tuple[list[Article], set[tuple[str, str]]]:
    """The documents as crawled articles on two made-up outlets (English and Chinese), and the true
    (English URL, Chinese URL) pairs."""
    docs, truth = wmt_link_docs()
    urls = {d.id: f"https://{'news-en' if d.language == 'en' else 'news-zh'}.example.org/{d.id}.html" for d in docs}
    articles = [
        Article(url=urls[d.id], text=d.text.replace("\n", "\n\n"), title=d.text.split("\n")[0][:200],
                language=d.language, segments=[Segment(str(d.language), d.text)], published_at=d.published_at)
        for d in docs
    ]
    return articles, {(urls[a], urls[b]) for a, b in truth}
