"""Entry points: `link_new` after a crawl (new articles only) and `link_all` (`newscrawl link --rebuild`, streamed
day by day over the date-sorted corpus by `rebuild`, in bounded memory).

One incremental run: load the new articles, compute their signatures and anchors, then
1. explicit evidence from their attributions (URLs resolved to stored articles, named outlets to sources),
2. near-duplicates against the stored signatures of the articles within NEARDUP_WINDOW (same language),
3. translations against the articles published within the date window (other languages),
4. URL-only links (made before their original was crawled) whose URL is now a stored article become
   article links,
and upsert everything in one transaction. `link_new` removes cross-lingual translation links whose articles
took another partner in that language; `link_all` removes every link that is no longer proposed.
Linker runs take turns (a row lock in `crawl_locks` for the transaction): crawlers on several machines that finish at
once, or a `newscrawl link` beside a crawl, never write the same links concurrently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crawler.linking import db
from crawler.linking import encoder as encoder_mod
from crawler.linking.engine import (
    Prepared,
    SigDoc,
    embed_docs,
    explicit_pairs,
    explicit_stage,
    language_of,
    neardup_stage,
    prepare,
    translation_stage,
)
from crawler.linking.explicit import UrlIndex
from crawler.linking.model import LinkDoc, Proposal, merge
from crawler.linking.rebuild import rebuild as stream_rebuild
from crawler.linking.shingles import Signature
from crawler.linking.stats import LinkStats
from crawler.linking.stream import NEARDUP_WINDOW
from crawler.store.database import Store
from crawler.store.models import CrawlLock

log = logging.getLogger(__name__)
# Process pool size for signatures and anchors (this is CPU-bound work); 1 keeps everything in-process.
WORKERS = 2
# Below this many articles a process pool costs more than it saves.
PARALLEL_FROM = 2000
LINKER_LOCK_ROW = "linker"  # one linker run at a time per database


def _take_turn(session: Session) -> None:
    """Wait for any other linker run on this database to commit: a row lock in `crawl_locks`, which ends with
    the transaction. A row lock, not an advisory lock, so the read-only analyst role cannot take it (it lacks
    the UPDATE privilege `FOR UPDATE` needs) and hold every linker run waiting."""
    session.execute(insert(CrawlLock).values(name=LINKER_LOCK_ROW).on_conflict_do_nothing())
    session.execute(select(CrawlLock.name).where(CrawlLock.name == LINKER_LOCK_ROW).with_for_update())


def link_new(store: Store, since_run: int | Sequence[int] | None = None, use_encoder: bool = True) -> LinkStats:
    """Link the articles of one crawl: `since_run` is a crawl run id (articles stored or changed since it
    started), a list of article ids, or None (every article the linker has not processed yet)."""
    with store.sessions.begin() as session:
        _take_turn(session)
        if since_run is None:
            ids = db.unlinked_ids(session)
        elif isinstance(since_run, int):
            ids = db.ids_since_run(session, since_run)
        else:
            ids = sorted(set(since_run))
        return _link(session, ids, rebuild=False, use_encoder=use_encoder)


def link_all(store: Store, use_encoder: bool = True) -> LinkStats:
    """Link every article again, streamed day by day (`rebuild`); links no longer proposed are removed."""
    stats = LinkStats()
    with store.sessions.begin() as session:
        _take_turn(session)
        stream_rebuild(session, use_encoder, stats)
    log.info(stats.summary())
    return stats


def link_all_at_once(store: Store, use_encoder: bool = True) -> LinkStats:
    """The rebuild before it streamed: every article in memory at once (memory and time per article grow with
    the corpus). Kept to compare the streaming rebuild with (tests, benchmarks/link_scale.py)."""
    with store.sessions.begin() as session:
        _take_turn(session)
        return _link(session, None, rebuild=True, use_encoder=use_encoder)


def _link(session: Session, ids: Sequence[int] | None, rebuild: bool, use_encoder: bool) -> LinkStats:
    started = time.perf_counter()
    stats = LinkStats()
    new = db.load_docs(session, ids)
    stats.articles = len(new)
    if not new:
        stats.seconds = time.perf_counter() - started
        return stats
    prepared = prepare(new, workers=WORKERS if len(new) >= PARALLEL_FROM else 1)
    stored = {d.id: d.signature for d in new}
    fresh = {i: p.signature for i, p in prepared.items() if p.signature != stored.get(i)}
    stats.signatures_computed = len(fresh)

    # 1. explicit evidence
    urls = [str(a["url"]) for d in new for a in d.attributions if a.get("url")]
    index = db.url_index(session, urls, extra=new)
    explicit = explicit_stage(new, index)
    stats.explicit = len(explicit)

    # 2. near-duplicates against every stored signature
    new_sig = [SigDoc(d.id, language_of(d), _signature(prepared[d.id]), d.published_at, d.source_name) for d in new]
    new_ids = {d.id for d in new}
    # the articles within NEARDUP_WINDOW of the new ones, as the rebuild's stream sees them
    rows = db.signature_rows(session) if rebuild else db.signature_rows_near(session, new, NEARDUP_WINDOW)
    indexed = [
        SigDoc(i, lang or "und", sig, published, source)
        for i, lang, raw, published, source in rows
        if i not in new_ids and raw is not None and (sig := Signature.from_bytes(raw)) is not None
    ]
    published = {d.id: d.published_at for d in [*indexed, *new_sig]}
    known = explicit_pairs(explicit, new, [*indexed, *new_sig])
    texts = {d.id: d for d in new}

    load_shingles = db.shingle_loader(session, texts)

    near = [p for p in neardup_stage(new_sig, indexed, load_shingles, known)
            if rebuild or _within(p, published, NEARDUP_WINDOW)]
    stats.near_duplicates = len(near)

    # 3. translations within the date window; embeddings are computed once per article and stored
    pool = new if rebuild else db.window_docs(session, new)
    anchors = {i: p.anchors for i, p in prepared.items()}
    vectors = None
    if use_encoder and encoder_mod.get_encoder() is not None:
        vectors = db.load_embeddings(session, [d.id for d in pool], encoder_mod.model_tag())
        computed = embed_docs(pool, vectors)
        db.write_embeddings(session, computed, encoder_mod.model_tag(), {d.id: d.content_hash for d in pool})
        stats.embeddings_computed = len(computed)
        vectors.update(computed)
    translations = translation_stage(new, pool, use_encoder=use_encoder, known=known, anchors=anchors,
                                     vectors=vectors)
    stats.translations = len(translations)

    # 4. URL links whose original has now been crawled
    upgraded, resolved_ids = _resolve_url_links(session, new)
    stats.url_links_resolved = len(resolved_ids)

    proposals = merge([*explicit, *near, *translations, *upgraded])
    db.write_signatures(session, fresh, {d.id: d.content_hash for d in new})
    records = db.write_links(session, proposals)
    db.delete_links(session, resolved_ids)
    stats.links_written = len(records)
    for record in records:
        stats.by_relation[record.relation] = stats.by_relation.get(record.relation, 0) + 1
    if not rebuild:  # an article that took a new translation partner drops its earlier one
        superseded = db.superseded_translations(session, [p for p in proposals if p.relation == "translates"])
        db.delete_links(session, superseded)
        stats.links_removed = len(superseded)
    if rebuild:
        wanted = {db.record_key(r) for r in records}
        stale = [link_id for key, link_id in db.link_keys(session).items() if key not in wanted]
        db.delete_links(session, stale)
        stats.links_removed = len(stale)
    stats.seconds = time.perf_counter() - started
    log.info(stats.summary())
    return stats


def _within(proposal: Proposal, published: dict[int, datetime | None], window: timedelta) -> bool:
    """The pair was published within `window` (an undated side: yes)."""
    a, b = published.get(proposal.copy_id), published.get(proposal.original_id or -1)
    return a is None or b is None or abs(a - b) <= window


def _signature(prepared: Prepared) -> Signature:
    signature = Signature.from_bytes(prepared.signature)
    if signature is None:  # prepare() always writes the current format
        raise ValueError("unreadable signature")
    return signature


def _resolve_url_links(session: Session, new: Sequence[LinkDoc]) -> tuple[list[Proposal], list[int]]:
    """Article links replacing URL-only links whose URL is one of the new articles."""
    index = UrlIndex()
    for doc in new:
        index.add(doc.id, doc.language, doc.url)
    proposals: list[Proposal] = []
    resolved: list[int] = []
    for link in db.url_only_links(session):
        target = index.resolve(link.original_url)
        if target is None or target.id == link.copy_article_id:
            continue
        relation = link.relation
        if relation in ("republishes", "translates") and link.copy_language and target.language:
            relation = "translates" if link.copy_language != target.language else "republishes"
        proposals.append(Proposal(link.copy_article_id, relation, link.evidence, link.score, original_id=target.id,
                                  original_url=link.original_url, details={**(link.details or {}), "resolved": True}))
        resolved.append(link.id)
    return proposals, resolved
