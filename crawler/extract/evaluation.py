"""Scoring extracted text against ground truth (bag-of-tokens precision/recall/F1), for tests and benchmarks.

Tokens are characters for CJK text and lower-cased words for other scripts, so one score works
across Chinese, English and German pages. Ground truth comes as magic-html `main_text`, fundus
`body` (summary + section headlines + paragraphs) or a plain-text file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.text.normalise import match_form

_TOKEN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]|[^\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """CJK characters one by one, other words whole; on the match form (case/width/variant folded)."""
    return _TOKEN_RE.findall(match_form(text))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def bag_score(predicted: str, gold: str) -> Score:
    """Bag-of-tokens precision, recall and F1 of a predicted text against the gold text."""
    pred, ref = Counter(tokens(predicted)), Counter(tokens(gold))
    overlap = sum((pred & ref).values())
    p = overlap / sum(pred.values()) if pred else 0.0
    r = overlap / sum(ref.values()) if ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f)


def ground_truth(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise a ground-truth record to {text, title, published_at, authors} (missing keys absent)."""
    out: dict[str, Any] = {}
    if "main_text" in data:
        out["text"] = data["main_text"]
    body = data.get("body")
    if isinstance(body, dict):
        parts: list[str] = list(body.get("summary") or [])
        for section in body.get("sections") or []:
            parts.extend(section.get("headline") or [])
            parts.extend(section.get("paragraphs") or [])
        out["text"] = "\n\n".join(parts)
    for key in ("title", "authors"):
        if data.get(key):
            out[key] = data[key]
    if data.get("publishing_date"):
        out["published_at"] = data["publishing_date"]
    return out


def load_ground_truth(page: Path) -> dict[str, Any] | None:
    """The ground truth beside a page (`.gt.json`, or `.txt` + optional `.meta.json`), or None."""
    stem = page.name.removesuffix(".gz").removesuffix(".html")
    gt_json = page.with_name(stem + ".gt.json")
    if gt_json.exists():
        return ground_truth(json.loads(gt_json.read_text(encoding="utf-8")))
    gt_txt = page.with_name(stem + ".txt")
    if gt_txt.exists():
        out: dict[str, Any] = {"text": gt_txt.read_text(encoding="utf-8")}
        meta = page.with_name(stem + ".meta.json")
        if meta.exists():
            data = json.loads(meta.read_text(encoding="utf-8"))
            if data.get("title"):
                out["title"] = data["title"]
        return out
    return None
