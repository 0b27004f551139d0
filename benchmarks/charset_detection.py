"""How often a page in a legacy charset is decoded right, declared and undeclared, by `crawler.extract.decode`.

The dev set's pages are UTF-8 or Western charsets, in Latin script. Each English and German page (every 8th, 95
pages) is rewritten letter for letter into Cyrillic, Japanese kana, Greek or Arabic (`script_swap.py`), its own
charset declarations removed, and saved in each legacy charset of that script: once with `<meta charset>` in
front, once with no declaration at all (characters the charset lacks become character references, as a server
would send them). A page counts as right when the decoded text equals the bytes read in the charset they were
written in; the wrong ones are counted by the encoding the decoder chose instead.

The rewritten text is not real Russian or Japanese: letter frequencies are English ones, so the undeclared rows
understate how well real text is detected. They compare decoders on the same pages, and show which charsets the
detector confuses.

Run: .venv/bin/python benchmarks/charset_detection.py [--dev DIR]   (default ../shared/dev/extraction)
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

from script_swap import rewrite_page

from crawler.extract.decode import decode_body

DEFAULT_DEV = Path(__file__).resolve().parent.parent.parent / "shared/dev/extraction"
CHARSETS: dict[str, tuple[str, ...]] = {
    "cyrillic": ("cp1251", "koi8_r", "iso8859_5"),
    "kana": ("shift_jis", "euc_jp", "iso2022_jp"),
    "greek": ("cp1253", "iso8859_7"),
    "arabic": ("cp1256", "iso8859_6"),
}
# Two letters of the Greek rewrite that the Greek legacy charsets lack (archaic koppa, iota with dialytika).
GREEK_LEGACY = str.maketrans({"ϙ": "ρ", "ϊ": "ι"})
_META_CHARSET_RE = re.compile(r"<meta[^>]*charset[^>]*>", re.IGNORECASE)
EVERY = 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", default=str(DEFAULT_DEV), help="the dev extraction set (ground_truth.json + pages)")
    args = parser.parse_args()
    folder = Path(args.dev)
    if not (folder / "ground_truth.json").exists():
        raise SystemExit(f"no development set at {folder}: pass --dev DIR (shared/dev/extraction)")
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    ids = [p for p, r in sorted(truth.items()) if r["lang"] in ("en", "de")][::EVERY]
    bodies = [gzip.decompress((folder / truth[p]["file"]).read_bytes()) for p in ids]
    print(f"{len(ids)} dev pages (every {EVERY}th English or German one), rewritten per script")
    print(f"{'script':9} {'charset':10} {'declared':>8} {'right':>6}  wrong (decoded as)")
    for script, charsets in CHARSETS.items():
        pages = [_META_CHARSET_RE.sub("", rewrite_page(b, script).decode("utf-8")) for b in bodies]
        if script == "greek":
            pages = [p.translate(GREEK_LEGACY) for p in pages]
        for charset in charsets:
            for declared in (True, False):
                right, wrong = 0, Counter[str]()
                for page in pages:
                    html = f'<meta charset="{charset}">{page}' if declared else page
                    body = html.encode(charset, "xmlcharrefreplace")
                    decoded = decode_body(body)
                    if decoded.text == body.decode(charset):
                        right += 1
                    else:
                        wrong[decoded.encoding] += 1
                cells = ", ".join(f"{enc} {n}" for enc, n in wrong.most_common())
                print(f"{script:9} {charset:10} {'yes' if declared else 'no':>8} {right:>3}/{len(pages):<3} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
