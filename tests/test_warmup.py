"""Importing crawler.extract loads what extraction would otherwise load on its first page, and a failure to load
it costs nothing but a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crawler.extract import body, warmup

CHECK = """
import crawler.extract
from crawler.extract import body
from crawler.text import language
import dateparser.timezone_parser as tz
assert language._detector.cache_info().currsize == 1, "language model not loaded"
assert body._cleaned_document_class.cache_info().currsize == 1, "readability class not made"
assert body._install_bounded_fallback.cache_info().currsize == 1, "trafilatura's fallback not wrapped"
built = getattr(tz, "_build_tz_regexes", None)
assert built is None or built.cache_info().currsize == 1, "dateparser's timezone patterns not built"
print("warm")
"""


def test_importing_the_package_loads_what_the_first_page_would() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "warm"


def test_a_failed_warm_up_is_a_warning_not_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(samples: tuple[str, ...]) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(warmup, "warm_up_dateparser", broken)
    assert warmup.warm_up() is False
    assert "warm-up failed" in caplog.text and "disk gone" in caplog.text


def test_warm_up_reads_each_sample_date() -> None:
    from crawler.extract.dates import _dateparser_parse

    assert warmup.warm_up() is True
    assert all(_dateparser_parse(sample, "UTC") is not None for sample in warmup.SAMPLE_DATES)
    assert body._cleaned_document_class.cache_info().currsize == 1
