"""Extraction quality on the recorded pages: our extractor and plain `trafilatura.extract`, side by side.

Per site family and overall: body precision/recall/F1 against ground truth (`.gt.json`/`.txt`;
bag of tokens, characters for CJK and words otherwise), listed boilerplate snippets that survived
(`without` lists in the `.expected.json` files), lost article snippets (`with`), title and date exact
match where the ground truth has them, and pages that raised. Run: `.venv/bin/python benchmarks/extraction_quality.py`.

`--dev [DIR]` scores the wider development set instead (default `../shared/dev/extraction`, which is not part
of the repository): F1 per language and subset for ours, trafilatura and readability-lxml side by side, our
rejections, our page-points (the sum of per-page F1) against the 0.95 bar, and CPU per page as a ratio to
trafilatura's (see `extraction_dev.py`). `--save FILE` keeps the per-page results; `--against FILE` compares ours
with such a saved run page by page (the pages that moved and the net change: how a rule is judged before it
lands). `--dev --profile` prints where our extractor's time goes instead, stage by stage (cProfile, one process).
`--dev --script cyrillic|greek|arabic|kana` scores the English and German pages rewritten letter for letter into
that script, gold and all (`script_swap.py`): whether ours keeps its lead where no rule speaks the page's language.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura
from script_swap import SCRIPTS

from crawler.extract import extract
from crawler.extract.decode import decode_body
from crawler.extract.evaluation import bag_score, load_ground_truth
from crawler.items import PageRejected

PAGES = Path(__file__).resolve().parent.parent / "tests/fixtures/pages"
DEFAULT_DEV = Path(__file__).resolve().parent.parent.parent / "shared/dev/extraction"


def _page(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    return next(p for p in expected.parent.iterdir() if p.name in (stem + ".html", stem + ".html.gz"))


def _same_date(got: datetime | str | None, want: str | None) -> bool | None:
    if not want:
        return None
    if got is None:
        return False
    got_dt = got if isinstance(got, datetime) else datetime.fromisoformat(str(got))
    want_dt = datetime.fromisoformat(want)
    if want_dt.tzinfo is not None and got_dt.tzinfo is not None:
        got_dt = got_dt.astimezone(want_dt.tzinfo)
    return got_dt.date() == want_dt.date()


def _baseline(body: bytes, url: str) -> dict[str, Any]:
    html = decode_body(body, None, url).text
    text = trafilatura.extract(html, url=url) or ""
    meta = trafilatura.extract_metadata(html, default_url=url)
    return {"text": text, "title": meta.title if meta else None, "date": meta.date if meta else None}


def _ours(body: bytes, url: str) -> dict[str, Any]:
    article = extract(body, url)
    return {"text": article.text, "title": article.title, "date": article.published_at}


def evaluate() -> dict[str, dict[str, dict[str, list[float]]]]:
    results: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for expected in sorted(PAGES.glob("*/*.expected.json")):
        spec = json.loads(expected.read_text(encoding="utf-8"))
        page = _page(expected)
        body = page.read_bytes()
        body = gzip.decompress(body) if page.suffix == ".gz" else body
        family = page.parent.name if page.parent.name != "seeds" else f"seed:{spec['profile']}"
        truth = load_ground_truth(page) or {}
        for name, run in (("ours", _ours), ("trafilatura", _baseline)):
            bucket = results[family][name]
            try:
                got = run(body, spec["url"])
            except PageRejected:
                bucket["raised"].append(1.0)
                continue
            bucket["raised"].append(0.0)
            bucket["boilerplate_survived"].append(float(sum(s in got["text"] for s in spec["without"])))
            bucket["article_snippets_lost"].append(float(sum(s not in got["text"] for s in spec["with"])))
            if truth.get("text"):
                score = bag_score(got["text"], truth["text"])
                bucket["precision"].append(score.precision)
                bucket["recall"].append(score.recall)
                bucket["f1"].append(score.f1)
            if truth.get("title"):
                bucket["title_exact"].append(float((got["title"] or "") == truth["title"]))
            same = _same_date(got["date"], truth.get("published_at"))
            if same is not None:
                bucket["date_match"].append(float(same))
    return results


def _fmt(values: list[float], total: bool = False) -> str:
    if not values:
        return "-"
    return f"{sum(values):.0f}" if total else f"{sum(values) / len(values):.3f}"


COLUMNS = (
    ("pages", None), ("raised", True), ("P", False), ("R", False), ("F1", False),
    ("bp_left", True), ("text_lost", True), ("title", False), ("date", False),
)
KEYS = {"raised": "raised", "P": "precision", "R": "recall", "F1": "f1", "bp_left": "boilerplate_survived",
        "text_lost": "article_snippets_lost", "title": "title_exact", "date": "date_match"}


def dev_main(args: argparse.Namespace) -> int:
    from extraction_dev import diff_lines, page_sum_line, profile_ours, rejected_lines, report
    from extraction_dev import evaluate as evaluate_dev
    from peers import available

    names, notes = available()
    only = set(args.only.split(",")) if args.only else None
    if args.profile:
        print("\n".join(profile_ours(Path(args.dev), only=only, limit=args.limit, script=args.script)))
        return 0
    results = evaluate_dev(Path(args.dev), jobs=args.jobs, only=only, limit=args.limit, script=args.script)
    for line in [*notes, *report(results, list(names)), page_sum_line(results), *rejected_lines(results)]:
        print(line)
    if args.against:
        print("\n".join(diff_lines(results, json.loads(Path(args.against).read_text(encoding="utf-8")))))
    if args.save:
        Path(args.save).write_text(json.dumps([dataclasses.asdict(r) for r in results], ensure_ascii=False))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", nargs="?", const=str(DEFAULT_DEV), help="score the development set in DIR")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for --dev (default 2)")
    parser.add_argument("--only", help="--dev: comma-separated subsets or languages (e.g. zh,daniel_en)")
    parser.add_argument("--limit", type=int, help="--dev: at most this many pages")
    parser.add_argument("--save", help="--dev: write per-page results as JSON to this file")
    parser.add_argument("--against", help="--dev: compare ours page by page with a run saved by --save")
    parser.add_argument("--script", choices=SCRIPTS,
                        help="--dev: the English and German pages alone, rewritten letter for letter into this "
                             "script with their gold (benchmarks/script_swap.py): what of ours is script-bound")
    parser.add_argument("--profile", action="store_true",
                        help="--dev: profile our extractor over the pages instead (share of time per stage)")
    args = parser.parse_args()
    if args.dev:
        return dev_main(args)
    results = evaluate()
    overall: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    header = f"{'family':22} {'extractor':12} " + " ".join(f"{c:>9}" for c, _ in COLUMNS)
    print(header)
    print("-" * len(header))
    rows = [*sorted(results.items()), ("ALL", overall)]
    for _family, by_name in sorted(results.items()):
        for name, bucket in by_name.items():
            for key, values in bucket.items():
                overall[name][key].extend(values)
    for family, by_name in rows:
        for name in ("ours", "trafilatura"):
            bucket = by_name[name]
            cells = [f"{len(bucket['raised']):>9}"]
            for col, total in COLUMNS[1:]:
                cells.append(f"{_fmt(bucket[KEYS[col]], bool(total)):>9}")
            print(f"{family:22} {name:12} " + " ".join(cells))
    print("\nP/R/F1: bag-of-tokens body scores vs ground truth (mean over pages that have one);")
    print("bp_left: listed boilerplate snippets that survived (total);")
    print("text_lost: listed article snippets lost (total);")
    print("title/date: match rate where the ground truth has them (title exact; date: same day in the truth's zone).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
