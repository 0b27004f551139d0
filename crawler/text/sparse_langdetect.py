"""langdetect's detector over sparse n-gram tables: the same answers in a third of the memory.

langdetect keeps, for each of its ~60,000 n-grams, a list of 55 probabilities (one per language), of
which 2.6 on average are not zero: about 29 MB of lists in every process that detects languages. Here
an n-gram with few non-zero entries (all but ~2,000 common ones) keeps only those, as a flat tuple
`(index, probability, index, probability, …)`, and the detector's update step multiplies every language's
probability by `weight` and then redoes the non-zero ones with `weight + probability` from their earlier
value; a common n-gram keeps langdetect's dense list and update. For a zero entry
`weight + 0.0` is exactly `weight`, so every product is the same float langdetect computes: the answers are
bit-identical (tests/test_language.py compares them with langdetect's own on many texts).

Profiles are filtered on load by a caller-given predicate (crawler.text.language drops n-grams with CJK
letters, which never reach the detector).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.lang_profile import LangProfile

DENSE_SHARE = 0.25  # an n-gram seen in more than this share of the languages keeps a dense list


class SparseDetector(Detector):  # type: ignore[misc]
    """langdetect's Detector reading sparse n-gram entries (see the module docstring)."""

    def _update_lang_prob(self, prob: list[float], word: str | None, alpha: float) -> bool:
        if word is None:
            return False
        entries = self.word_lang_prob_map.get(word)
        if entries is None:
            return False
        weight = alpha / self.BASE_FREQ
        if isinstance(entries, list):  # dense: one probability per language, langdetect's own loop
            for i in range(len(prob)):
                prob[i] *= weight + entries[i]
            return True
        indices, probabilities = entries[0::2], entries[1::2]
        before = [prob[i] for i in indices]
        prob[:] = [old * weight for old in prob]
        for i, p, old in zip(indices, probabilities, before, strict=True):
            prob[i] = old * (weight + p)
        return True


class SparseDetectorFactory(DetectorFactory):  # type: ignore[misc]
    """A DetectorFactory whose `word_lang_prob_map` holds sparse entries and whose detectors read them."""

    def _create_detector(self) -> SparseDetector:
        if not self.langlist:
            raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
        return SparseDetector(self)


def load_sparse_factory(keep: Callable[[str], bool], directory: str = PROFILES_DIRECTORY) -> SparseDetectorFactory:
    """langdetect's profiles from `directory`, in the order langdetect loads them, n-grams filtered by `keep`.

    Probabilities are computed as langdetect's `add_profile` computes them (count / n-grams of that length);
    an n-gram of another length is present with no entries, as in langdetect (a list of zeros there)."""
    names = os.listdir(directory)  # the order DetectorFactory.load_profile uses; its langsize counts them all
    sparse: dict[str, list[Any]] = {}
    factory = SparseDetectorFactory()
    index = 0
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as fh:
            profile = LangProfile(**json.load(fh))
        if profile.name in factory.langlist:
            raise LangDetectException(ErrorCode.DuplicateLangError, "Duplicate the same language profile.")
        factory.langlist.append(profile.name)
        for word, count in profile.freq.items():
            if not keep(word):
                continue
            entry = sparse.setdefault(word, [])
            length = len(word)
            if 1 <= length <= 3:
                entry += (index, 1.0 * count / profile.n_words[length - 1])
        index += 1
    factory.word_lang_prob_map = {word: _compact(entry, index) for word, entry in sparse.items()}
    return factory


def _compact(entry: list[Any], languages: int) -> tuple[Any, ...] | list[float]:
    """The flat (index, probability, …) tuple, or a dense list when more than DENSE_SHARE of it is filled."""
    if len(entry) // 2 <= languages * DENSE_SHARE:
        return tuple(entry)
    dense = [0.0] * languages
    for i, p in zip(entry[0::2], entry[1::2], strict=True):
        dense[i] = p
    return dense
