"""The values the linker works on: an article as the linker sees it, and a proposed link before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# When two stages propose the same link, the stronger evidence names it (the other goes into details).
EVIDENCE_STRENGTH: dict[str, int] = {
    "source_link": 5,
    "canonical": 4,
    "attribution_text": 3,
    "near_duplicate": 2,
    "cross_lingual": 1,
}


@dataclass
class LinkDoc:
    """An article for linking: the database row's fields the linker reads (pure code never sees the ORM)."""

    id: int
    text: str
    language: str | None = None
    published_at: datetime | None = None
    url: str | None = None
    source_name: str | None = None
    attributions: list[dict[str, Any]] = field(default_factory=list)
    signature: bytes | None = None
    content_hash: str | None = None  # the text's hash when loaded: what the linker computes is stored for it


@dataclass
class Proposal:
    """A link to store: the copy, and an original that is an article, a URL or a named source."""

    copy_id: int
    relation: str
    evidence: str
    score: float
    original_id: int | None = None
    original_url: str | None = None
    original_source: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        """The natural key of the stored row: (copy, original_key, relation), as the table's unique constraint."""
        return natural_key(self.copy_id, self.relation, self.original_id, self.original_url, self.original_source)


def natural_key(
    copy_id: int, relation: str, article_id: int | None, url: str | None, source: int | str | None
) -> tuple[int, str, str]:
    """(copy, original_key, relation) of a link, the original spelled as the generated column `original_key`
    spells it: the article if there is one, else the URL, else the source."""
    if article_id is not None:
        original = f"article:{article_id}"
    elif url is not None:
        original = f"url:{url}"
    else:
        original = f"source:{source}"
    return copy_id, original, relation


def merge(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per natural key: the highest score, the strongest evidence, every piece of evidence listed."""
    merged: dict[tuple[int, str, str], Proposal] = {}
    for proposal in proposals:
        key = proposal.key
        kept = merged.get(key)
        if kept is None:
            merged[key] = Proposal(**{**proposal.__dict__, "details": dict(proposal.details)})
            merged[key].details.setdefault("evidence", [proposal.evidence])
            continue
        evidence = sorted({*kept.details.get("evidence", [kept.evidence]), proposal.evidence},
                          key=lambda e: -EVIDENCE_STRENGTH.get(e, 0))
        details = {**proposal.details, **kept.details, "evidence": evidence}
        if EVIDENCE_STRENGTH.get(proposal.evidence, 0) > EVIDENCE_STRENGTH.get(kept.evidence, 0):
            kept.evidence = proposal.evidence
        kept.score = max(kept.score, proposal.score)
        kept.original_url = kept.original_url or proposal.original_url
        kept.details = details
    return list(merged.values())
