"""`newscrawl link --rebuild`: every article linked again, streamed day by day over the date-sorted corpus.

Each day's articles are read from the database (text, stored signature, stored embedding), prepared
(signatures and anchors; an embedding is computed only for an article that has none stored, and stored), and
fed to the streaming linker (`stream.py`): explicit evidence at once, near-duplicates against the
NEARDUP_WINDOW before (`NearDupStream`), translations once their date window is complete
(`TranslationStream`). Links are written as soon as no later day can add evidence to them; links the rebuild
did not write are removed at the end. Memory holds a
few windows of articles' signatures, anchors and vectors, never the corpus, and the work per article does not
depend on how many articles there are. An article without a publication time takes its fetch time.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from crawler.linking import db
from crawler.linking import encoder as encoder_mod
from crawler.linking.engine import (
    SigDoc,
    embed_docs,
    explicit_pairs,
    explicit_stage,
    language_of,
    prepare,
    translation_docs,
    translation_proposals,
)
from crawler.linking.model import LinkDoc, Proposal, merge
from crawler.linking.shingles import Signature
from crawler.linking.stats import LinkStats
from crawler.linking.stream import BLOCK, NEARDUP_WINDOW, NearDupStream, TranslationStream

WORKERS = 2
# Explicit pairs (which article an attribution points at) are kept this many blocks, for the direction of the
# near-duplicates and translations decided after the block that read them.
KNOWN_BLOCKS = 4 + int(NEARDUP_WINDOW / BLOCK)


@contextmanager
def _pool(workers: int) -> Iterator[Executor | None]:
    if workers <= 1:
        yield None
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool


class _Pending:
    """Proposals waiting until no later block can add evidence to them (then merged and written): until every
    article they name has been fed and no translation of theirs is undecided."""

    def __init__(self) -> None:
        self.proposals: list[Proposal] = []
        self.at: dict[int, datetime] = {}

    def add(self, proposals: list[Proposal]) -> None:
        self.proposals.extend(proposals)

    def take(self, before: datetime | None) -> list[Proposal]:
        """The proposals whose articles are all earlier than `before` (None: all of them)."""
        if before is None:
            ready, self.proposals = self.proposals, []
            return ready
        ready, waiting = [], []
        for proposal in self.proposals:
            ids = [proposal.copy_id] if proposal.original_id is None else [proposal.copy_id, proposal.original_id]
            # an article missing from `at` was fed long ago (the times of originals not fed yet are looked up)
            (ready if all(self.at.get(i, before - BLOCK) < before for i in ids) else waiting).append(proposal)
        self.proposals = waiting
        keep = {i for p in waiting for i in (p.copy_id, p.original_id) if i is not None}
        self.at = {i: at for i, at in self.at.items() if i in keep or at >= before}
        return ready


def rebuild(session: Session, use_encoder: bool, stats: LinkStats, workers: int = WORKERS) -> None:
    """Link every article again (see the module docstring); fills the `run.LinkStats` given."""
    started = time.perf_counter()
    encoder = use_encoder and encoder_mod.available()
    db.begin_kept(session)
    texts: dict[int, LinkDoc] = {}

    load_shingles = db.shingle_loader(session, texts)

    near = NearDupStream(load_shingles)
    translations = TranslationStream(use_vectors=encoder)
    pending = _Pending()
    known_blocks: deque[set[tuple[int, int]]] = deque(maxlen=KNOWN_BLOCKS)

    def known() -> set[tuple[int, int]]:
        return set().union(*known_blocks) if known_blocks else set()

    def write(proposals: list[Proposal]) -> None:
        records = db.write_links(session, merge(proposals))
        db.keep(session, records)
        stats.links_written += len(records)
        for record in records:
            stats.by_relation[record.relation] = stats.by_relation.get(record.relation, 0) + 1

    cursor = db.next_time(session, None)
    with _pool(workers) as executor:
        while cursor is not None:
            horizon = cursor + BLOCK
            block = db.block_docs(session, cursor, horizon)
            _link_block(session, block, executor, encoder, stats, near, translations, pending,
                        known_blocks, known, texts)
            cursor = db.next_time(session, horizon)
            if cursor is not None:  # every article before the next one's time has been fed
                links = translations.advance(cursor)
                pending.add(translation_proposals(links, known()))
                stats.translations += len(links)
            ready_before = min(t for t in (horizon, translations.pending_since()) if t is not None)
            write(pending.take(ready_before))
            texts.clear()
    links = translations.finish()
    stats.translations += len(links)
    pending.add(translation_proposals(links, known()))
    write(pending.take(None))
    stats.links_removed = db.delete_unkept(session)
    stats.seconds = time.perf_counter() - started


def _link_block(
    session: Session,
    block: list[tuple[LinkDoc, datetime]],
    executor: Executor | None,
    encoder: bool,
    stats: LinkStats,
    near: NearDupStream,
    translations: TranslationStream,
    pending: _Pending,
    known_blocks: deque[set[tuple[int, int]]],
    known: Callable[[], set[tuple[int, int]]],
    texts: dict[int, LinkDoc],
) -> None:
    docs = [doc for doc, _at in block]
    at = {doc.id: moment for doc, moment in block}
    texts.update({d.id: d for d in docs})
    pending.at.update(at)
    stats.articles += len(docs)
    prepared = prepare(docs, executor=executor) if docs else {}
    stored = {d.id: d.signature for d in docs}
    fresh = {i: p.signature for i, p in prepared.items() if p.signature != stored.get(i)}
    hashes = {d.id: d.content_hash for d in docs}
    db.write_signatures(session, fresh, hashes)
    stats.signatures_computed += len(fresh)

    vectors = None
    if encoder and docs:
        vectors = db.load_embeddings(session, [d.id for d in docs], encoder_mod.model_tag())
        computed = embed_docs(docs, vectors)
        db.write_embeddings(session, computed, encoder_mod.model_tag(), hashes)
        stats.embeddings_computed += len(computed)
        vectors.update(computed)

    urls = [str(a["url"]) for d in docs for a in d.attributions if a.get("url")]
    explicit = explicit_stage(docs, db.url_index(session, urls, extra=docs)) if urls or any(
        d.attributions for d in docs) else []
    stats.explicit += len(explicit)
    later = {p.original_id for p in explicit if p.original_id is not None and p.original_id not in at}
    pending.at.update(db.linking_times(session, sorted(later)))  # originals fed later wait for their day
    signatures = [(SigDoc(d.id, language_of(d), _signature(prepared[d.id].signature), d.published_at,
                          d.source_name), at[d.id]) for d in docs]
    window = [doc for doc, _at in near.indexed.values()]
    known_blocks.append(explicit_pairs(explicit, docs, [*window, *(s for s, _at in signatures)]))
    copies = near.feed(signatures, known())
    stats.near_duplicates += len(copies)

    anchors = {i: p.anchors for i, p in prepared.items()}
    timed = [LinkDoc(d.id, d.text, d.language, at[d.id]) for d in docs]
    translations.add(translation_docs(timed, anchors), vectors)
    pending.add([*explicit, *copies])


def _signature(raw: bytes) -> Signature:
    signature = Signature.from_bytes(raw)
    if signature is None:  # prepare() always writes the current format
        raise ValueError("unreadable signature")
    return signature
