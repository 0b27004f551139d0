"""The articles closest to one article, in any language: what `newscrawl similar ARTICLE_ID` lists.

Candidates are the articles published within the date window (around its fetch time when the article has no
date).
Each is scored the way the translation linker scores a pair: the cosine of the two stored embeddings
(`article_link_data.embedding`), raised by the anchors both texts share and lowered by figures that contradict
(`translation.combine`); without embeddings (encoder not installed, or not yet linked), by the anchor overlap
alone, and articles sharing no anchor are left out. `rank_similar` is pure; `similar_articles` loads what it
needs from the database and writes nothing (analysts may run it with a read-only role). The SQL function
`similar_articles(…)` (schema/functions/similar.sql) gives the cosine ranking in SQL.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crawler.linking import db
from crawler.linking import encoder as encoder_mod
from crawler.linking.anchors import WeightCache, extract_anchors, match_weighted
from crawler.linking.model import LinkDoc
from crawler.linking.translation import WINDOW, combine
from crawler.store.models import Article, SyndicationLink

# With embeddings, the anchors are compared for this many nearest articles (or PRESELECT_FACTOR times the limit).
PRESELECT = 50
PRESELECT_FACTOR = 5


@dataclass(frozen=True)
class Similar:
    """One article close to the asked one: its score and what the score rests on."""

    id: int
    language: str | None
    published_at: datetime | None
    source: str | None
    score: float
    cosine: float | None
    anchor_score: float
    shared: tuple[str, ...]
    title: str | None = None
    url: str | None = None
    relation: str | None = None
    link_score: float | None = None


class ArticleNotFound(LookupError):
    """No article has the asked id."""


def rank_similar(
    target: LinkDoc, pool: Sequence[LinkDoc], vectors: Mapping[int, np.ndarray], limit: int = 10
) -> list[Similar]:
    """The `limit` articles of `pool` closest to `target`, best first (see the module docstring)."""
    others = [d for d in pool if d.id != target.id]
    mine = vectors.get(target.id)
    if mine is not None:  # anchors (the costly part) only for the nearest by cosine and those without a vector
        embedded = [d for d in others if d.id in vectors]
        cosines = {d.id: float(np.dot(mine, vectors[d.id])) for d in embedded}
        nearest = set(sorted(cosines, key=lambda i: -cosines[i])[: max(PRESELECT, PRESELECT_FACTOR * limit)])
        others = [d for d in others if d.id in nearest or d.id not in vectors]
    anchors = {d.id: extract_anchors(d.text, d.language) for d in (target, *others)}
    doc_freq: Counter[str] = Counter(a for found in anchors.values() for a in found)
    weigh = WeightCache(doc_freq, len(anchors))
    ranked: list[Similar] = []
    for doc in others:
        match = match_weighted(anchors[target.id], anchors[doc.id], weigh, weigh.total(anchors[target.id]),
                               weigh.total(anchors[doc.id]))
        theirs = vectors.get(doc.id)
        cosine = float(np.dot(mine, theirs)) if mine is not None and theirs is not None else None
        if cosine is None and not match.shared:
            continue
        score = combine(match, cosine) if cosine is not None else match.score
        ranked.append(Similar(doc.id, doc.language, doc.published_at, doc.source_name, round(score, 4),
                              None if cosine is None else round(cosine, 4), match.score, match.shared))
    ranked.sort(key=lambda s: (-s.score, s.id))
    return ranked[:limit]


def similar_articles(
    session: Session, article_id: int, limit: int = 10, window: timedelta = WINDOW, use_encoder: bool = True
) -> tuple[LinkDoc, list[Similar]]:
    """The article and its closest articles, with titles, URLs and any link between the two."""
    found = db.load_docs(session, [article_id])
    if not found:
        raise ArticleNotFound(f"no article with id {article_id}")
    target = found[0]
    when = target.published_at or session.scalar(select(Article.fetched_at).where(Article.id == article_id))
    pool = db.window_docs(session, [dataclasses.replace(target, published_at=when)], window)
    vectors: dict[int, np.ndarray] = {}
    if use_encoder:
        vectors = db.load_embeddings(session, [d.id for d in pool], encoder_mod.model_tag())
        if target.id not in vectors and target.language and encoder_mod.get_encoder() is not None:
            computed = encoder_mod.embed([target.text], languages=[target.language])
            if computed is not None:
                vectors[target.id] = computed[0]
    ranked = rank_similar(target, pool, vectors, limit)
    return target, _with_rows(session, target.id, ranked)


def _with_rows(session: Session, article_id: int, ranked: list[Similar]) -> list[Similar]:
    ids = [s.id for s in ranked]
    if not ids:
        return ranked
    rows = {i: (title, url) for i, title, url in session.execute(
        select(Article.id, Article.title, Article.url).where(Article.id.in_(ids)))}
    links: dict[int, tuple[str, float]] = {}
    query = select(SyndicationLink.copy_article_id, SyndicationLink.original_article_id, SyndicationLink.relation,
                   SyndicationLink.score).where(or_(
                       (SyndicationLink.copy_article_id == article_id) & SyndicationLink.original_article_id.in_(ids),
                       (SyndicationLink.original_article_id == article_id) & SyndicationLink.copy_article_id.in_(ids),
                   ))
    for copy, original, relation, score in session.execute(query):
        other = original if copy == article_id else copy
        if other not in links or score > links[other][1]:
            links[other] = (relation, score)
    out = []
    for s in ranked:
        title, url = rows.get(s.id, (None, None))
        relation, link_score = links.get(s.id, (None, None))
        out.append(Similar(**{**s.__dict__, "title": title, "url": url, "relation": relation,
                              "link_score": link_score}))
    return out
