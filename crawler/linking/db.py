"""The linker's thin database adapter: load articles with SQL, write signatures, sources and links.

What the linker computes per article (signature, embedding) lives in `article_link_data`, valid while its
`content_hash` equals the article's: every read joins on both, so data of an older text reads as absent.

Everything that judges lives in the pure modules; this one only moves rows. Links are written with
`repository.upsert_links` (idempotent on copy, original, relation), so running the linker twice never
duplicates a link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.orm import Session

from crawler.linking.explicit import UrlIndex
from crawler.linking.model import LinkDoc, Proposal, natural_key
from crawler.linking.shingles import shingle_hashes
from crawler.linking.translation import WINDOW
from crawler.sources import SourceInfo, source_by_name
from crawler.store import repository
from crawler.store.models import Article, ArticleLinkData, CrawlRun, Source, SyndicationLink

WRITE_BATCH = 1000
READ_BATCH = 5000
_HOST_PATTERN = r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)"


def _doc(row: Any) -> LinkDoc:
    return LinkDoc(
        id=row.id,
        text=row.text,
        language=row.language,
        published_at=row.published_at,
        url=row.url,
        source_name=row.source_name,
        attributions=list(row.attributions or []),
        signature=row.signature,
        content_hash=row.content_hash,
    )


def _current_data() -> Any:
    """The join condition of an article and its link data, when that describes the article's current text."""
    return and_(ArticleLinkData.article_id == Article.id, ArticleLinkData.content_hash == Article.content_hash)


def _doc_query() -> Any:
    return select(
        Article.id, Article.text, Article.language, Article.published_at, Article.url, Article.attributions,
        Article.content_hash, ArticleLinkData.signature, Source.name.label("source_name"),
    ).join(Source, Source.id == Article.source_id).outerjoin(ArticleLinkData, _current_data())


def load_docs(session: Session, ids: Sequence[int] | None = None) -> list[LinkDoc]:
    """Articles by id (all of them when `ids` is None), with text, attributions and stored signature."""
    query = _doc_query().order_by(Article.id)
    if ids is not None:
        if not ids:
            return []
        query = query.where(Article.id.in_(list(ids)))
    return [_doc(row) for row in session.execute(query)]


def shingle_loader(session: Session, texts: dict[int, LinkDoc]) -> Callable[[list[int]], dict[int, np.ndarray]]:
    """The near-duplicate check's `load_shingles`: hashed shingles of articles by id, their texts taken from
    `texts` or loaded into it."""

    def load(wanted: list[int]) -> dict[int, np.ndarray]:
        texts.update({d.id: d for d in load_docs(session, [i for i in wanted if i not in texts])})
        return {i: shingle_hashes(texts[i].text, texts[i].language) for i in wanted if i in texts}

    return load


def unlinked_ids(session: Session) -> list[int]:
    """Articles the linker has not seen yet, or not since their text changed (it writes a signature for every
    article it processes)."""
    seen = select(ArticleLinkData.article_id).where(_current_data(), ArticleLinkData.signature.is_not(None))
    return list(session.scalars(select(Article.id).where(~seen.exists()).order_by(Article.id)))


def ids_since_run(session: Session, run_id: int) -> list[int]:
    """Articles first stored or changed since crawl run `run_id` started."""
    start = session.scalar(select(CrawlRun.started_at).where(CrawlRun.id == run_id))
    if start is None:
        return []
    changed = (Article.first_seen_at >= start) | (Article.updated_at >= start)
    return list(session.scalars(select(Article.id).where(changed).order_by(Article.id)))


def signature_rows(session: Session) -> list[tuple[int, str | None, bytes | None, datetime | None, str]]:
    """(id, language, signature, published_at, source name) of every article, for the near-duplicate index."""
    query = _signature_query()
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def _signature_query() -> Any:
    return select(Article.id, Article.language, ArticleLinkData.signature, Article.published_at, Source.name).join(
        Source, Source.id == Article.source_id).outerjoin(ArticleLinkData, _current_data())


def linking_time() -> Any:
    """An article's time for the linker's windows: published, else fetched."""
    return func.coalesce(Article.published_at, Article.fetched_at)


def _between(low: datetime, high: datetime) -> Any:
    """Articles whose linking time is in [low, high), in a form that uses the indexes on published_at and
    fetched_at."""
    return ((Article.published_at >= low) & (Article.published_at < high)) | (
        Article.published_at.is_(None) & (Article.fetched_at >= low) & (Article.fetched_at < high))


def next_time(session: Session, after: datetime | None) -> datetime | None:
    """The earliest linking time at or after `after` (None: of all articles), or None when there is none."""
    dated = select(func.min(Article.published_at))
    undated = select(func.min(Article.fetched_at)).where(Article.published_at.is_(None))
    if after is not None:
        dated = dated.where(Article.published_at >= after)
        undated = undated.where(Article.fetched_at >= after)
    found = [t for t in (session.scalar(dated), session.scalar(undated)) if t is not None]
    return min(found) if found else None


def block_docs(session: Session, low: datetime, high: datetime) -> list[tuple[LinkDoc, datetime]]:
    """(article, linking time) of the articles whose linking time is in [low, high), in time order."""
    query = _doc_query().add_columns(linking_time().label("at")).where(_between(low, high)).order_by(
        linking_time(), Article.id)
    return [(_doc(row), row.at) for row in session.execute(query)]


def linking_times(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    """The linking time of each given article."""
    if not ids:
        return {}
    query = select(Article.id, linking_time()).where(Article.id.in_(list(ids)))
    return {i: at for i, at in session.execute(query)}


def signature_rows_near(
    session: Session, new: Sequence[LinkDoc], window: timedelta
) -> list[tuple[int, str | None, bytes | None, datetime | None, str]]:
    """`signature_rows` of the articles published within `window` of any new article (undated new articles: of
    those fetched within it): the near-duplicate index of an incremental run, bounded by the window."""
    dates = sorted(d.published_at for d in new if d.published_at is not None)
    if len(dates) < len(new):
        fetched = session.execute(select(func.min(Article.fetched_at), func.max(Article.fetched_at)).where(
            Article.id.in_([d.id for d in new if d.published_at is None]))).one()
        dates = sorted([*dates, *(t for t in fetched if t is not None)])
    if not dates:
        return []
    condition = None
    for low, high in _ranges(dates, window):
        clause = _between(low - window, high + window + timedelta(microseconds=1))
        condition = clause if condition is None else condition | clause
    query = _signature_query().where(condition)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def _ranges(dates: Sequence[datetime], window: timedelta) -> list[list[datetime]]:
    """Sorted dates as [first, last] ranges, a new range wherever two dates are more than 2 * window apart."""
    ranges: list[list[datetime]] = []
    for moment in dates:
        if ranges and moment - ranges[-1][1] <= 2 * window:
            ranges[-1][1] = moment
        else:
            ranges.append([moment, moment])
    return ranges


def begin_kept(session: Session) -> None:
    """A temporary table of the links a rebuild has written (dropped with the transaction)."""
    session.execute(text("CREATE TEMPORARY TABLE linker_kept (copy_article_id bigint, original_key text, "
                         "relation text) ON COMMIT DROP"))


def keep(session: Session, records: Sequence[repository.LinkRecord]) -> None:
    rows = [dict(zip(("c", "k", "r"), record_key(r), strict=True)) for r in records]
    for start in range(0, len(rows), WRITE_BATCH):
        session.execute(text("INSERT INTO linker_kept VALUES (:c, :k, :r)"), rows[start : start + WRITE_BATCH])


def delete_unkept(session: Session) -> int:
    """Delete every link the rebuild did not write; returns how many."""
    session.execute(text("ANALYZE linker_kept"))
    result = session.execute(text(
        "DELETE FROM syndication_links l WHERE NOT EXISTS (SELECT 1 FROM linker_kept k WHERE "
        "k.copy_article_id = l.copy_article_id AND k.original_key = l.original_key AND k.relation = l.relation)"))
    return int(result.rowcount or 0)


def window_docs(session: Session, new: Sequence[LinkDoc], window: timedelta = WINDOW) -> list[LinkDoc]:
    """Articles published within `window` of any new article (the translation linker's pool)."""
    dates = sorted(d.published_at for d in new if d.published_at is not None)
    if not dates:
        return list(new)
    # one range per cluster of dates, so a run over two distant days does not load everything between
    condition = None
    for low, high in _ranges(dates, window):
        clause = Article.published_at.between(low - window, high + window)
        condition = clause if condition is None else condition | clause
    docs = {d.id: d for d in (_doc(row) for row in session.execute(_doc_query().where(condition)))}
    docs.update({d.id: d for d in new})
    return list(docs.values())


def url_index(session: Session, urls: Iterable[str], extra: Iterable[LinkDoc] = ()) -> UrlIndex:
    """A UrlIndex over the stored articles that live on the hosts of `urls` (plus `extra` articles)."""
    index = UrlIndex()
    hosts = sorted({h for url in urls if url.startswith("http") for h in index.hosts_for(url)})
    if hosts:
        columns = (Article.url, Article.fetched_url, Article.canonical_url)
        host_of = [func.lower(func.substring(col, _HOST_PATTERN)) for col in columns]
        query = select(Article.id, Article.language, *columns).where(
            host_of[0].in_(hosts) | host_of[1].in_(hosts) | host_of[2].in_(hosts)
        )
        for row in session.execute(query):
            index.add(row.id, row.language, row.url, row.fetched_url, row.canonical_url)
    for doc in extra:
        index.add(doc.id, doc.language, doc.url)
    return index


# Upserts of article_link_data. A row is written only for the text it was computed from: when the article
# changed (or went) since it was read, the SELECT finds nothing and the row is left for the next run. Where an
# upsert meets data of another text, the other column (embedding, or signature) is cleared with it.
_WRITE_SIGNATURE = text("""
INSERT INTO article_link_data (article_id, content_hash, signature)
SELECT a.id, a.content_hash, :sig FROM articles AS a WHERE a.id = :id AND a.content_hash = :hash
ON CONFLICT (article_id) DO UPDATE SET
    signature = EXCLUDED.signature,
    embedding = CASE WHEN article_link_data.content_hash = EXCLUDED.content_hash
                     THEN article_link_data.embedding END,
    embedding_model = CASE WHEN article_link_data.content_hash = EXCLUDED.content_hash
                           THEN article_link_data.embedding_model END,
    content_hash = EXCLUDED.content_hash,
    computed_at = now()
""")
_WRITE_EMBEDDING = text("""
INSERT INTO article_link_data (article_id, content_hash, embedding, embedding_model)
SELECT a.id, a.content_hash, CAST(:vec AS real[]), :model FROM articles AS a WHERE a.id = :id AND a.content_hash = :hash
ON CONFLICT (article_id) DO UPDATE SET
    embedding = EXCLUDED.embedding,
    embedding_model = EXCLUDED.embedding_model,
    signature = CASE WHEN article_link_data.content_hash = EXCLUDED.content_hash
                     THEN article_link_data.signature END,
    content_hash = EXCLUDED.content_hash,
    computed_at = now()
""")


def write_signatures(session: Session, signatures: dict[int, bytes], hashes: dict[int, str | None]) -> None:
    """Store signatures, each for the text whose content hash `hashes` gives (the one it was computed from)."""
    rows = [{"id": i, "hash": hashes.get(i), "sig": sig} for i, sig in signatures.items()]
    for start in range(0, len(rows), WRITE_BATCH):
        session.connection().execute(_WRITE_SIGNATURE, rows[start : start + WRITE_BATCH])


def load_embeddings(session: Session, ids: Sequence[int], model: str) -> dict[int, np.ndarray]:
    """The stored embeddings (made by `model`, of the current text) of the given articles; articles without one
    are left out."""
    out: dict[int, np.ndarray] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), READ_BATCH):
        query = select(Article.id, ArticleLinkData.embedding).join(ArticleLinkData, _current_data()).where(
            Article.id.in_(wanted[start : start + READ_BATCH]), ArticleLinkData.embedding_model == model,
            ArticleLinkData.embedding.is_not(None),
        )
        out.update((i, np.asarray(vector, dtype=np.float32)) for i, vector in session.execute(query))
    return out


def write_embeddings(
    session: Session, vectors: dict[int, np.ndarray], model: str, hashes: dict[int, str | None]
) -> None:
    """Store embeddings (and the model that made them), each for the text whose content hash `hashes` gives."""
    items = list(vectors.items())
    for start in range(0, len(items), WRITE_BATCH):  # rows made per batch: 512 Python floats per article add up
        rows = [{"id": i, "hash": hashes.get(i), "vec": vector.tolist(), "model": model}
                for i, vector in items[start : start + WRITE_BATCH]]
        session.connection().execute(_WRITE_EMBEDDING, rows)


def source_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """sources.id per named outlet: registry entries (any alias) are upserted; an unknown name becomes an
    `agency` row under the name as written."""
    infos: dict[str, SourceInfo] = {}
    for name in set(names):
        info = source_by_name(name)
        infos[name] = info or SourceInfo(name=name, kind="agency", aliases=(name,))
    existing = dict(session.execute(select(Source.name, Source.id).where(Source.name.in_(
        [i.name for i in infos.values()]))).all())
    missing = [i for i in infos.values() if i.name not in existing]
    if missing:
        existing.update(repository.upsert_sources(session, {i.name: i for i in missing}.values()))
    return {name: existing[info.name] for name, info in infos.items()}


def to_records(session: Session, proposals: Sequence[Proposal]) -> list[repository.LinkRecord]:
    ids = source_ids(session, {p.original_source for p in proposals if p.original_source})
    return [
        repository.LinkRecord(
            copy_article_id=p.copy_id,
            relation=p.relation,
            evidence=p.evidence,
            score=max(0.0, min(1.0, float(p.score))),
            original_article_id=p.original_id,
            original_url=p.original_url,
            original_source_id=ids[p.original_source] if p.original_source else None,
            details=p.details,
        )
        for p in proposals
    ]


def record_key(record: repository.LinkRecord) -> tuple[int, str, str]:
    """The stored row's natural key (as the generated column `original_key` spells it)."""
    return natural_key(
        record.copy_article_id,
        record.relation,
        record.original_article_id,
        record.original_url,
        record.original_source_id,
    )


def write_links(session: Session, proposals: Sequence[Proposal]) -> list[repository.LinkRecord]:
    """Upsert the proposals as links; returns the records written."""
    records = to_records(session, proposals)
    for start in range(0, len(records), WRITE_BATCH):
        repository.upsert_links(session, records[start : start + WRITE_BATCH])
    return records


def url_only_links(session: Session) -> list[Any]:
    """Links whose original is only a URL (not crawled when the link was made)."""
    query = select(
        SyndicationLink.id, SyndicationLink.copy_article_id, SyndicationLink.original_url,
        SyndicationLink.relation, SyndicationLink.evidence, SyndicationLink.score, SyndicationLink.details,
        Article.language.label("copy_language"),
    ).join(Article, Article.id == SyndicationLink.copy_article_id).where(
        SyndicationLink.original_article_id.is_(None), SyndicationLink.original_url.is_not(None)
    )
    return list(session.execute(query))


def delete_links(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(SyndicationLink).where(SyndicationLink.id.in_(list(ids))))


def superseded_translations(session: Session, kept: Sequence[Proposal]) -> list[int]:
    """Ids of stored cross-lingual translation links that the `kept` translation proposals replace: a link of
    an article that now has another partner in that language (each article has at most one translation per
    other language). Links resting on explicit evidence are never superseded."""
    pairs = {(p.copy_id, p.original_id) for p in kept if p.relation == "translates" and p.original_id is not None}
    ids = sorted({i for pair in pairs for i in pair})
    if not ids:
        return []
    language = dict(session.execute(select(Article.id, Article.language).where(Article.id.in_(ids))).all())
    partner: dict[tuple[int, str | None], int] = {}
    for copy, original in pairs:
        partner[(copy, language.get(original))] = original
        partner[(original, language.get(copy))] = copy
    copy_article, original_article = Article.__table__.alias("c"), Article.__table__.alias("o")
    query = select(SyndicationLink.id, SyndicationLink.copy_article_id, SyndicationLink.original_article_id,
                   copy_article.c.language, original_article.c.language).join(
        copy_article, copy_article.c.id == SyndicationLink.copy_article_id).join(
        original_article, original_article.c.id == SyndicationLink.original_article_id).where(
        SyndicationLink.relation == "translates", SyndicationLink.evidence == "cross_lingual",
        SyndicationLink.copy_article_id.in_(ids) | SyndicationLink.original_article_id.in_(ids))
    superseded = []
    for link_id, copy, original, copy_language, original_language in session.execute(query):
        if (copy, original) in pairs or (original, copy) in pairs:
            continue
        if partner.get((copy, original_language), original) != original or partner.get(
                (original, copy_language), copy) != copy:
            superseded.append(link_id)
    return superseded


def link_keys(session: Session, copy_ids: Sequence[int] | None = None) -> dict[tuple[int, str, str], int]:
    """(copy, original_key, relation) -> link id, for every link (or those of the given copies)."""
    query = select(SyndicationLink.id, SyndicationLink.copy_article_id, SyndicationLink.original_key,
                   SyndicationLink.relation)
    if copy_ids is not None:
        query = query.where(SyndicationLink.copy_article_id.in_(list(copy_ids)))
    return {(c, k, r): i for i, c, k, r in session.execute(query)}
