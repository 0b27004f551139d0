"""End to end in a real headless browser (Debian's chromium + chromium-driver through Selenium): the search page,
a Chinese search, a story whose three language columns stand side by side, and the crawl-health page, served by
`newscrawl serve` over real HTTP on 127.0.0.1. Screenshots of the three pages go to the test's tmp_path.

Skipped, saying why, where no browser is installed (`apt-get install chromium chromium-driver`; `.ci/run` does).
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DatabaseServer
from tests.test_web_serve import serving
from tests.web_corpus import WebCorpus, web_corpus

pytestmark = pytest.mark.db

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
SHOTS_ENV = "NEWSCRAWL_SCREENSHOTS"  # a folder to copy the screenshots to as well (the README's come from here)


def _browser() -> tuple[str, str] | None:
    binary = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    found = _browser()
    if found is None:
        pytest.skip("no headless browser: install Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver) to run the end-to-end test")  # fmt: skip
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = found[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--lang=en-US"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def corpus(db_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory) -> WebCorpus:
    return web_corpus(db_server, tmp_path_factory.mktemp("warc"))


def _screenshot(driver: object, path: Path) -> None:
    """The whole page, not only the window (Chromium's DevTools screenshot beyond the viewport)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]  # type: ignore[attr-defined]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 4000), "scale": 1}
    shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    copy_to = os.environ.get(SHOTS_ENV)
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copy_to) / path.name)


def _go(driver: Any, act: Callable[[], object], timeout: float = 30) -> None:
    """Do `act` (submit a form, click a link) and wait until the page it leads to has loaded: reading the page
    before would read the old one (or none)."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.current_url
    act()
    WebDriverWait(driver, timeout).until(
        lambda d: d.current_url != before and d.execute_script("return document.readyState") == "complete"
    )


def test_search_open_a_story_and_see_three_languages(browser: object, corpus: WebCorpus, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    env = {"DATABASE_URL": corpus.url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    with serving(env) as (base, _):
        driver.get(base)  # type: ignore[attr-defined]
        box = driver.find_element(By.NAME, "q")  # type: ignore[attr-defined]
        _go(driver, lambda: box.send_keys("贷款", Keys.ENTER))
        hits = driver.find_elements(By.CSS_SELECTOR, "li.hit")  # type: ignore[attr-defined]
        titles = [hit.find_element(By.CSS_SELECTOR, "a.title").text for hit in hits]
        assert "央行：一季度新增贷款1000亿元" in titles, titles
        assert driver.find_elements(By.CSS_SELECTOR, "li.hit mark")[0].text == "贷款"  # type: ignore[attr-defined]
        _screenshot(driver, tmp_path / "search.png")

        hit = hits[titles.index("央行：一季度新增贷款1000亿元")]
        _go(driver, hit.find_element(By.LINK_TEXT, "story").click)
        assert driver.current_url.endswith(f"/stories/{corpus.ids['LZ']}")  # type: ignore[attr-defined]
        columns = driver.find_elements(By.CSS_SELECTOR, "section.column")  # type: ignore[attr-defined]
        assert [c.get_attribute("data-language") for c in columns] == ["zh", "en", "de"]
        for column in columns:
            assert column.is_displayed() and column.size["width"] > 250 and column.size["height"] > 100
        tops = {c.location["y"] for c in columns}
        lefts = [c.location["x"] for c in columns]
        assert len(tops) == 1 and lefts == sorted(lefts), "the columns stand side by side"
        marks = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#column-de mark")]  # type: ignore[attr-defined]
        assert "100 Milliarden" in marks
        _screenshot(driver, tmp_path / "story.png")

        _go(driver, driver.find_element(By.LINK_TEXT, "Crawl health").click)  # type: ignore[attr-defined]
        alert = driver.find_element(By.CSS_SELECTOR, "p.alert")  # type: ignore[attr-defined]
        assert alert.is_displayed() and "need attention" in alert.text
        charts = driver.find_elements(By.CSS_SELECTOR, "img.chart")  # type: ignore[attr-defined]
        assert len(charts) == 2 and all(
            driver.execute_script("return arguments[0].naturalWidth", chart) > 0 for chart in charts  # type: ignore[attr-defined]
        ), "the SVG charts load"
        _screenshot(driver, tmp_path / "health.png")

    for name in ("search.png", "story.png", "health.png"):
        assert (tmp_path / name).stat().st_size > 10_000
