"""Shingles of an article's match form and their MinHash signature, packed into bytes for `articles.signature`.

Chinese is shingled by characters (punctuation and spaces dropped, so layout changes do not matter),
English and German by words. Shingles are hashed with CRC-32 (stable across processes, unlike `hash`),
and the MinHash is computed with numpy using datasketch's permutation scheme, so the values load straight
into a `datasketch.MinHash` for LSH.

Signature bytes: magic `NCS1`, uint16 number of permutations, uint32 shingle count, then the
permutation minima as little-endian uint32.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from crawler.text.normalise import match_form

NUM_PERM = 128
SEED = 1
CHAR_NGRAM = 5
WORD_NGRAM = 3
MAGIC = b"NCS1"
# A text counts as Chinese for shingling when this share of its letters are Han characters.
HAN_SHARE = 0.3

_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"\w+")
_NOT_TEXT_RE = re.compile(r"[\W_]+")
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


@dataclass(frozen=True)
class Signature:
    """A MinHash signature and the number of distinct shingles it was made from."""

    hashvalues: np.ndarray
    size: int

    def minhash(self) -> MinHash:
        return MinHash(num_perm=len(self.hashvalues), seed=SEED, hashvalues=self.hashvalues, scheme="legacy")

    def to_bytes(self) -> bytes:
        values = np.asarray(self.hashvalues, dtype="<u4").tobytes()
        return MAGIC + struct.pack("<HI", len(self.hashvalues), self.size) + values

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature | None:
        """The signature in `data`, or None for bytes written by another (older) format."""
        if len(data) < 10 or data[:4] != MAGIC:
            return None
        num_perm, size = struct.unpack_from("<HI", data, 4)
        values = np.frombuffer(data, dtype="<u4", count=num_perm, offset=10).astype(np.uint64)
        return cls(values, size)

    def jaccard(self, other: Signature) -> float:
        return float(np.mean(self.hashvalues == other.hashvalues))


def is_chinese(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text[:4000]) or 1
    return len(_HAN_RE.findall(text[:4000])) / letters >= HAN_SHARE


def shingles(text: str, language: str | None = None) -> set[str]:
    """Character n-grams (Chinese) or word n-grams (other languages) of the text's match form."""
    form = match_form(text)
    chinese = language == "zh" or (language is None and is_chinese(form))
    if chinese:
        compact = _NOT_TEXT_RE.sub("", form)
        if len(compact) <= CHAR_NGRAM:
            return {compact} if compact else set()
        return {compact[i : i + CHAR_NGRAM] for i in range(len(compact) - CHAR_NGRAM + 1)}
    words = _WORD_RE.findall(form)
    if len(words) <= WORD_NGRAM:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + WORD_NGRAM]) for i in range(len(words) - WORD_NGRAM + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.RandomState(SEED)
    a = generator.randint(1, int(_MERSENNE), dtype=np.uint64, size=num_perm)
    b = generator.randint(0, int(_MERSENNE), dtype=np.uint64, size=num_perm)
    return a, b


def hash_shingles(items: set[str]) -> np.ndarray:
    return np.fromiter(map(zlib.crc32, map(str.encode, items)), dtype=np.uint64, count=len(items))


def hashed(items: set[str]) -> np.ndarray:
    """A shingle set as the sorted distinct CRC-32 values of its shingles (uint32): a quarter of the memory of
    the strings, and set operations run in numpy. Two distinct shingles of two articles of 1,000 shingles
    collide with probability 2e-4, which moves a containment by 0.001 at most."""
    return np.unique(hash_shingles(items).astype(np.uint32))


def shingle_hashes(text: str, language: str | None = None) -> np.ndarray:
    """`hashed(shingles(text, language))`: what the near-duplicate check compares."""
    return hashed(shingles(text, language))


def signature_of(items: set[str], num_perm: int = NUM_PERM) -> Signature:
    """MinHash of a shingle set (datasketch's universal hashing over 32-bit CRCs)."""
    a, b = _permutations(num_perm)
    if not items:
        return Signature(np.full(num_perm, _MAX_HASH, dtype=np.uint64), 0)
    hv = hash_shingles(items)
    with np.errstate(over="ignore"):
        phv = np.bitwise_and((np.outer(hv, a) + b) % _MERSENNE, _MAX_HASH)
    return Signature(phv.min(axis=0), len(items))


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the larger one: a repost wrapped in extra text still scores high."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
