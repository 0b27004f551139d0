"""The repository stands alone: no test or package code reads the team's shared data folder (../shared), and
every fixture copied from it into tests/fixtures names its source in PROVENANCE.tsv.

(The proof in full is running the suite in a clone with no ../shared beside it; `.ci/run` does that.)
"""

from __future__ import annotations

import ast
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
# Code that runs in tests or in the installed package. Fixture builder scripts (tests/fixtures/*/*.py) are
# tools run by hand to copy data in; the benchmarks read the shared folder through their --data flag.
CHECKED = ("crawler", "tests", "scripts")
GENERATED = (".expected.json",)  # written by tests/fixtures/pages/record_expected.py from the pages themselves


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _shared_paths(path: Path) -> list[str]:
    """String literals in `path` that point into the shared folder (docstrings and comments aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            value = node.value
            if value == "shared" or "../shared" in value or "/work/shared" in value:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value!r}")
    return found


def test_no_test_or_package_code_points_at_the_shared_folder() -> None:
    this = Path(__file__).resolve()
    files = [
        p for folder in CHECKED for p in (ROOT / folder).rglob("*.py") if "fixtures" not in p.parts and p != this
    ]
    assert len(files) > 50
    offenders = [hit for path in files for hit in _shared_paths(path)]
    assert offenders == []


def test_every_fixture_page_names_its_source() -> None:
    with (PAGES / "PROVENANCE.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    listed = {row["fixture"] for row in rows}
    assert all(row["source_path"].strip() for row in rows)
    present = {
        str(p.relative_to(PAGES)) for p in PAGES.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.tsv" and p.suffix != ".py" and not p.name.endswith(GENERATED)
    }
    assert sorted(present - listed) == []  # copied in without provenance
    assert sorted(listed - present) == []  # listed but missing
