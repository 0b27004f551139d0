"""`newscrawl extract FILE`: one saved page's article record as JSON, through the crawl's own extraction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = Path(__file__).parent / "fixtures" / "pages"


def extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "extract", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", ["sina/gne_sina_2.html", "people_zh/fundus_People_2024_04_24.html.gz"])
def test_a_saved_page_prints_the_record_a_crawl_stores(name: str) -> None:
    expected = json.loads((PAGES / (name.removesuffix(".gz").removesuffix(".html") + ".expected.json")).read_text())
    result = extract(str(PAGES / name), "--url", expected["url"])
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["url"], record["title"], record["language"]) == (
        expected["url"], expected["title"], expected["language"]
    )
    assert record["profile"] == expected["profile"]
    assert record["text"].split("\n\n")[0] == expected["first_paragraph"]
    assert record["segments"] and record["fetched_at"] is None


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    missing = extract("/nonexistent/page.html")
    assert missing.returncode == 2 and "is not a file" in missing.stderr
    assert extract(str(tmp_path)).returncode == 2  # a folder
    menu = tmp_path / "menu.html"
    menu.write_text("<html><body><nav>menu</nav></body></html>")
    empty = extract(str(menu), "--url", "https://example.org/a.html")
    assert empty.returncode == 1 and "refused" in empty.stderr and "Traceback" not in empty.stderr
