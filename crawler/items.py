"""The article record that flows from extraction through the pipelines into the store.

Plain dataclasses (Scrapy accepts them as items through itemadapter), with a lossless
round trip to JSON-compatible dicts so records can be spooled to disk and replayed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

EvidenceKind = Literal["source_link", "attribution_text", "canonical", "near_duplicate", "cross_lingual"]
EVIDENCE_KINDS: tuple[str, ...] = (
    "source_link",
    "attribution_text",
    "canonical",
    "near_duplicate",
    "cross_lingual",
)


@dataclass(frozen=True)
class Segment:
    """A run of consecutive paragraphs in one language (a bilingual page has two or more)."""

    language: str
    text: str


@dataclass(frozen=True)
class Attribution:
    """Evidence, found on the page, that the article comes from elsewhere.

    `evidence` is one of EVIDENCE_KINDS (extraction produces `source_link`, `attribution_text`
    and `canonical`); `url` and/or `source_name` say what it points to; `snippet` is the text it
    was read from, kept so an analyst can check it.
    """

    evidence: str
    url: str | None = None
    source_name: str | None = None
    snippet: str | None = None


@dataclass
class Article:
    """One extracted article; `url` is where it was fetched, the store keys it by its own canonical URL."""

    url: str
    text: str
    title: str | None = None
    original_title: str | None = None
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    segments: list[Segment] = field(default_factory=list)
    section: str | None = None
    image_url: str | None = None
    site_language: str | None = None
    source_name: str | None = None
    attributions: list[Attribution] = field(default_factory=list)
    encoding: str | None = None
    profile: str | None = None
    extractor_version: str | None = None
    # filled by the crawl side, not by extraction
    fetched_at: datetime | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    capture_ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (datetimes as ISO 8601 strings)."""
        data = asdict(self)
        for key in ("published_at", "modified_at", "fetched_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Inverse of `to_dict`; unknown keys are an error so a bad spool line is not half-read."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown article fields: {sorted(unknown)}")
        values = dict(data)
        for key in ("published_at", "modified_at", "fetched_at"):
            if values.get(key) is not None:
                values[key] = datetime.fromisoformat(values[key])
        values["segments"] = [Segment(**s) for s in values.get("segments") or []]
        values["attributions"] = [Attribution(**a) for a in values.get("attributions") or []]
        values["authors"] = list(values.get("authors") or [])
        return cls(**values)


class PageRejected(ValueError):
    """Extraction refused a page (garbled encoding, no article text, …); `reason` says why."""

    def __init__(self, reason: str, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}" + (f" ({url})" if url else ""))


@dataclass
class FetchedPage:
    """An article page as downloaded: what the spider hands to the extraction pipeline."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    capture_ref: str | None = None
    listed_at: datetime | None = None  # the publication time the feed/listing gave, if any
