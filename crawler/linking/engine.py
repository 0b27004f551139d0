"""The linker's three stages over in-memory articles, shared by the database adapter and the benchmarks.

`explicit_stage` reads attributions, `neardup_stage` finds same-language copies with MinHash LSH,
`translation_stage` finds cross-language translations; each returns `Proposal`s, merged by `model.merge`.
No database, no Scrapy: callers hand in articles and a way to load texts of candidate articles.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from crawler.linking import encoder as encoder_mod
from crawler.linking.anchors import extract_anchors
from crawler.linking.explicit import UrlIndex, explicit_proposals, named_sources
from crawler.linking.model import LinkDoc, Proposal
from crawler.linking.neardup import TIE_SCORE_FACTOR as NEARDUP_TIE_FACTOR
from crawler.linking.neardup import confirm, direction, lsh_candidates, plausible
from crawler.linking.shingles import Signature, shingles, signature_of
from crawler.linking.translation import TranslationDoc, TranslationLink, link_translations

UNDETERMINED = "und"


@dataclass(frozen=True)
class SigDoc:
    """An article as the near-duplicate index sees it."""

    id: int
    language: str
    signature: Signature
    published_at: datetime | None
    source_name: str | None = None


def language_of(doc: LinkDoc) -> str:
    return doc.language or UNDETERMINED


@dataclass(frozen=True)
class Prepared:
    """What the linker computes once per article: its MinHash signature (bytes) and its anchors."""

    signature: bytes
    anchors: frozenset[str]


def _prepare_chunk(chunk: list[tuple[int, str, str | None, bytes | None]]) -> list[tuple[int, Prepared]]:
    out = []
    for doc_id, text, language, stored in chunk:
        signature = stored if stored is not None and Signature.from_bytes(stored) is not None else None
        if signature is None:
            signature = signature_of(shingles(text, language)).to_bytes()
        anchors = extract_anchors(text, language) if language and language != UNDETERMINED else frozenset()
        out.append((doc_id, Prepared(signature, anchors)))
    return out


def prepare(
    docs: Sequence[LinkDoc], workers: int = 1, chunk_size: int = 500, executor: Executor | None = None
) -> dict[int, Prepared]:
    """Signatures (the stored one when it is in the current format) and anchors, on `workers` processes (or on
    `executor`, a process pool the caller keeps for many calls)."""
    rows = [(d.id, d.text, d.language, d.signature) for d in docs]
    chunks = [rows[i : i + chunk_size] for i in range(0, len(rows), chunk_size)]
    if executor is not None and len(chunks) > 1:
        return {doc_id: prep for result in executor.map(_prepare_chunk, chunks) for doc_id, prep in result}
    if workers <= 1 or len(chunks) <= 1:
        return {doc_id: prep for chunk in chunks for doc_id, prep in _prepare_chunk(chunk)}
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return {doc_id: prep for result in pool.map(_prepare_chunk, chunks) for doc_id, prep in result}


def explicit_stage(new: Iterable[LinkDoc], urls: UrlIndex) -> list[Proposal]:
    out: list[Proposal] = []
    for doc in new:
        out.extend(explicit_proposals(doc, urls))
    return out


def explicit_pairs(
    proposals: Iterable[Proposal], new: Iterable[LinkDoc], indexed: Sequence[SigDoc]
) -> set[tuple[int, int]]:
    """(copy, original) article pairs the attributions establish: a resolved URL, or a named source that
    published the other article."""
    pairs = {(p.copy_id, p.original_id) for p in proposals if p.original_id is not None}
    by_source: dict[str, list[int]] = {}
    for doc in indexed:
        if doc.source_name:
            by_source.setdefault(doc.source_name, []).append(doc.id)
    for doc in new:
        for name in named_sources(doc):
            pairs.update((doc.id, other) for other in by_source.get(name, ()) if other != doc.id)
    return pairs


def neardup_stage(
    new: Sequence[SigDoc],
    indexed: Sequence[SigDoc],
    load_shingles: Callable[[list[int]], Mapping[int, np.ndarray]],
    known: set[tuple[int, int]] | None = None,
) -> list[Proposal]:
    """Same-language near-duplicates between `new` and `indexed` (which may include `new`); `load_shingles`
    gives the hashed shingles (`shingles.shingle_hashes`) of the articles in candidate pairs."""
    docs = {d.id: d for d in (*indexed, *new)}
    members = [(d.id, d.language, d.signature) for d in docs.values()]
    return neardup_proposals(lsh_candidates(members, queries=[d.id for d in new]), docs, load_shingles, known)


def neardup_proposals(
    candidates: Iterable[tuple[int, int]],
    docs: Mapping[int, SigDoc],
    load_shingles: Callable[[list[int]], Mapping[int, np.ndarray]],
    known: set[tuple[int, int]] | None = None,
) -> list[Proposal]:
    """The near-duplicates among LSH candidate pairs (`docs` holds every article they name): plausible by their
    signatures, confirmed on their shingles, each with its direction."""
    candidates = [pair for pair in candidates if pair[0] in docs and pair[1] in docs]
    named = sorted({i for pair in candidates for i in pair})
    pairs = plausible(candidates, {i: docs[i].signature for i in named})
    if not pairs:
        return []
    sets = load_shingles(sorted({i for pair in pairs for i in pair}))
    published = {i: docs[i].published_at for i in named}
    proposals: list[Proposal] = []
    for dup in confirm(sorted(pairs), sets):
        way = direction(dup.a, dup.b, published, known)
        score = dup.containment * (NEARDUP_TIE_FACTOR if way.basis == "tie" else 1.0)
        proposals.append(
            Proposal(way.copy, "republishes", "near_duplicate", round(score, 4), original_id=way.original,
                     details={"containment": dup.containment, "jaccard": dup.jaccard, "direction": way.basis})
        )
    return proposals


def translation_docs(
    docs: Iterable[LinkDoc], anchors: Mapping[int, frozenset[str]] | None = None
) -> list[TranslationDoc]:
    return [
        TranslationDoc(
            d.id, language_of(d), d.published_at,
            anchors[d.id] if anchors and d.id in anchors else extract_anchors(d.text, d.language),
        )
        for d in docs
        if d.language and d.language != UNDETERMINED
    ]


def embed_docs(docs: Iterable[LinkDoc], have: Mapping[int, np.ndarray] | None = None) -> dict[int, np.ndarray]:
    """Embeddings of the articles with a language that `have` lacks (empty without the encoder)."""
    wanted = [d for d in docs if d.language and d.language != UNDETERMINED and not (have and d.id in have)]
    wanted = list({d.id: d for d in wanted}.values())
    if not wanted or encoder_mod.get_encoder() is None:
        return {}
    matrix = encoder_mod.embed([d.text for d in wanted], languages=[d.language for d in wanted])
    return {} if matrix is None else {d.id: row for d, row in zip(wanted, matrix, strict=True)}


def translation_stage(
    new: Sequence[LinkDoc],
    pool: Sequence[LinkDoc],
    use_encoder: bool = True,
    known: set[tuple[int, int]] | None = None,
    anchors: Mapping[int, frozenset[str]] | None = None,
    vectors: Mapping[int, np.ndarray] | None = None,
) -> list[Proposal]:
    """Cross-language translation links between `new` and `pool`. With `use_encoder`, `vectors` are the
    articles' embeddings (those missing are computed here); without, anchors alone decide."""
    used: Mapping[int, np.ndarray] | None = None
    if use_encoder and encoder_mod.get_encoder() is not None:
        used = {**(vectors or {}), **embed_docs([*pool, *new], vectors)}
    new_docs = translation_docs(new, anchors)
    pool_docs = translation_docs(pool, anchors)
    return translation_proposals(link_translations(new_docs, pool_docs, used), known)


def translation_proposals(
    links: Iterable[TranslationLink], known: set[tuple[int, int]] | None = None
) -> list[Proposal]:
    """`translates` proposals of translation links; attributions that say the other way round turn a pair."""
    proposals: list[Proposal] = []
    for link in links:
        copy, original, tie = link.copy, link.original, link.tie
        if known and (original, copy) in known:  # attributions say the other way round
            copy, original, tie = original, copy, False
        details = {
            "anchor_score": link.anchor_score,
            "shared_anchors": list(link.shared[:40]),
            "numbers": [a[2:] for a in link.shared if a.startswith("n:")],
            "direction": "tie" if tie else "time",
        }
        if link.cosine is not None:
            details["cosine"] = link.cosine
        if link.margin is not None:
            details["margin"] = link.margin
        proposals.append(Proposal(copy, "translates", "cross_lingual", link.score, original_id=original,
                                  details=details))
    return proposals
