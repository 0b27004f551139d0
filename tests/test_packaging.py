"""What the wheel ships: every subpackage of crawler/, the top-level migrations/ tree as crawler.migrations,
the web templates and the demo capture, and a wheel installed elsewhere finds its migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")


def _setuptools_config() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_of_crawler_is_listed_for_the_wheel() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "crawler").rglob("__init__.py")
    }
    listed = set(_setuptools_config()["packages"])
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == {"crawler.migrations"}


def test_the_migrations_tree_at_the_top_is_the_package_crawler_migrations() -> None:
    config = _setuptools_config()
    assert config["package-dir"] == {"crawler.migrations": "migrations"}
    assert (ROOT / "migrations" / "env.py").is_file() and not (ROOT / "crawler" / "migrations").exists()
    import crawler.migrations

    from crawler.store import migrate

    assert (ROOT / "migrations").resolve() == migrate.MIGRATIONS_DIR
    assert Path(crawler.migrations.__file__).resolve().parent == migrate.MIGRATIONS_DIR
    assert migrate.revisions()[0] == "0001"


def test_the_wheel_carries_the_migrations_and_an_install_of_it_finds_them(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("newscrawl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    versions = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    assert {f"crawler/migrations/versions/{v}" for v in versions} <= names
    assert {"crawler/migrations/env.py", "crawler/migrations/script.py.mako", "crawler/demo/demo.warc.gz",
            "crawler/web/templates/base.html"} <= names  # fmt: skip
    assert not any(n.startswith("migrations/") for n in names)
    # Unpacked elsewhere (as site-packages would hold it), the package finds its revisions there.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # The development install's finder (editable mode) is taken out, so the import reads the unpacked wheel.
    probe = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
        "sys.path.insert(0, sys.argv[1]); import crawler.store.migrate as m; "
        "assert str(m.MIGRATIONS_DIR).startswith(sys.argv[1]), m.MIGRATIONS_DIR; print(m.revisions()[-1])"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe, str(site)], capture_output=True, text=True, timeout=120,
        cwd=tmp_path,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == versions[-1].split("_")[0]
