"""What one linker run did (`LinkStats`), and its summary in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

RELATION_WORDS = {"republishes": "republication", "translates": "translation", "cites": "citation"}


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


@dataclass
class LinkStats:
    """What one linker run did."""

    articles: int = 0
    signatures_computed: int = 0
    embeddings_computed: int = 0
    explicit: int = 0
    near_duplicates: int = 0
    translations: int = 0
    url_links_resolved: int = 0
    links_written: int = 0
    links_removed: int = 0
    seconds: float = 0.0
    by_relation: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One sentence for people: what was written, by relation, and what found it."""
        relations = ", ".join(
            _count(count, RELATION_WORDS.get(relation, relation))
            for relation, count in sorted(self.by_relation.items())
        )
        found = (
            f"{self.explicit} named by the page itself, {_count(self.near_duplicates, 'near-copy', 'near-copies')}, "
            f"{_count(self.translations, 'translation')}"
        )
        parts = [
            f"linked {self.articles} articles in {self.seconds:.1f} s: {self.links_written} links written"
            + (f" ({relations})" if relations else ""),
            f"found as {found} (a pair found several ways is written once)",
        ]
        if self.url_links_resolved:
            parts.append(f"{self.url_links_resolved} links to pages not crawled before now point at stored articles")
        if self.links_removed:
            parts.append(f"{self.links_removed} links no longer supported removed")
        if self.embeddings_computed:
            parts.append(f"{self.embeddings_computed} articles embedded for translation search")
        return "; ".join(parts)
