"""Re-extraction from WARC files into the real database: counts, capture fields, idempotence, damaged files."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import func, select

from crawler.archive.reader import read_capture, warc_files
from crawler.archive.reextract import reextract
from crawler.archive.writer import WarcWriter
from crawler.cli import main
from crawler.items import Article, PageRejected
from crawler.store.database import Store
from crawler.store.models import Article as ArticleRow
from tests.conftest import FIXTURES

pytestmark = pytest.mark.db

T0 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
HTML = {"Content-Type": "text/html; charset=utf-8"}
PEOPLE_PAGE = FIXTURES / "pages" / "people_en" / "magic_en_people_c90000-10175286.html"
PEOPLE_URL = "http://en.people.cn/n3/2022/1123/c90000-10175286.html"


def paragraphs_extract(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Article:
    """A small real extractor: the <title> and the <p> texts."""
    tree = lxml.html.fromstring(body)
    paragraphs = [p.text_content().strip() for p in tree.iter("p") if p.text_content().strip()]
    if not paragraphs:
        raise PageRejected("no article text found", url)
    return Article(url=url, text="\n\n".join(paragraphs), title=tree.findtext(".//title"), language="en")


def _page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def _archive(directory: Path) -> dict[str, str]:
    """A crawl's worth of responses; returns URL -> capture reference for the pages that make articles."""
    refs = {}
    with WarcWriter(directory) as writer:
        for i in range(3):
            url = f"https://news.example/story-{i}.html"
            headers = {**HTML, "ETag": f'"s{i}"', "Last-Modified": "Mon, 06 May 2024 07:00:00 GMT"}
            body = _page(f"Story {i}", f"Paragraph one of story {i}.", "Paragraph two.")
            refs[url] = writer.write_response(url, 200, headers, body, fetched_at=T0 + timedelta(minutes=i))
        writer.write_response("https://news.example/empty.html", 200, HTML, _page("Nothing"), fetched_at=T0)
        writer.write_response("https://news.example/gone.html", 404, HTML, _page("Gone", "Not found."))
        writer.write_response("https://news.example/story-0.html", 304, {"ETag": '"s0"'}, b"")
        writer.write_response("https://news.example/robots.txt", 200, {"Content-Type": "text/plain"}, b"User-agent: *")
        writer.write_response("https://news.example/logo.png", 200, {"Content-Type": "image/png"}, b"\x89PNG\r\n")
        writer.write_response("https://news.example/bare.html", 200, {}, _page("Bare", "No content type at all."))
    refs["https://news.example/bare.html"] = ""
    return refs


def _rows(store: Store) -> list[ArticleRow]:
    with store.sessions() as session:
        return list(session.scalars(select(ArticleRow).order_by(ArticleRow.url)))


def test_reextract_stores_articles_with_their_capture_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    refs = _archive(tmp_path)
    result = reextract([tmp_path], store, paragraphs_extract, batch_size=2)
    assert (result.new, result.updated, result.unchanged) == (4, 0, 0)
    assert result.records == 9
    assert result.rejected == 1 and dict(result.rejected_reasons) == {"no article text found": 1}
    assert result.skipped_status == 2  # the 404 and the 304
    assert result.skipped_non_html == 2  # robots.txt and the PNG
    assert not result.errors

    rows = {row.url: row for row in _rows(store)}
    assert set(rows) == set(refs)
    story = rows["https://news.example/story-1.html"]
    assert story.title == "Story 1"
    assert story.text == "Paragraph one of story 1.\n\nParagraph two."
    assert story.fetched_at == T0 + timedelta(minutes=1)
    assert (story.http_status, story.etag) == (200, '"s1"')
    assert story.last_modified == "Mon, 06 May 2024 07:00:00 GMT"
    assert story.capture_ref == refs[story.url]
    assert read_capture(story.capture_ref, tmp_path).url == story.url

    again = reextract([tmp_path], store, paragraphs_extract, batch_size=200)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 4


def test_a_changed_extractor_updates_and_a_crashing_one_is_counted(store: Store, tmp_path: Path) -> None:
    _archive(tmp_path)
    reextract([tmp_path], store, paragraphs_extract)

    def first_paragraph_only(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Article:
        if url.endswith("story-2.html"):
            raise KeyError("a bug in the extractor")
        article = paragraphs_extract(body, url, headers)
        article.text = article.text.split("\n\n")[0]
        return article

    result = reextract([tmp_path], store, first_paragraph_only)
    assert (result.new, result.updated, result.unchanged) == (0, 2, 1)  # bare.html has one paragraph only
    assert dict(result.errors) == {"extract: KeyError": 1}
    rows = {row.url: row.text for row in _rows(store)}
    assert rows["https://news.example/story-0.html"] == "Paragraph one of story 0."
    assert rows["https://news.example/story-2.html"] == "Paragraph one of story 2.\n\nParagraph two."


def test_a_damaged_file_is_read_up_to_the_damage_and_the_next_file_still_counts(store: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _archive(first)
    with WarcWriter(second) as writer:
        writer.write_response("https://other.example/x.html", 200, HTML, _page("X", "Text of x."))
    (damaged,) = warc_files(first)
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) * 2 // 5])
    result = reextract([damaged, second], store, paragraphs_extract)
    assert result.errors["warc: damaged file"] == 1
    assert len(result.damaged_files) == 1 and damaged.name in result.damaged_files[0]
    stored = {row.url for row in _rows(store)}
    assert "https://other.example/x.html" in stored
    assert "https://news.example/story-0.html" in stored
    assert "https://news.example/bare.html" not in stored


def test_real_extractor_on_a_recorded_people_daily_page(store: Store, tmp_path: Path) -> None:
    from crawler.extract import extract

    with WarcWriter(tmp_path) as writer:
        ref = writer.write_response(PEOPLE_URL, 200, HTML, PEOPLE_PAGE.read_bytes(), fetched_at=T0)
    result = reextract([tmp_path], store, extract)
    assert (result.new, result.rejected, dict(result.errors)) == (1, 0, {})
    (row,) = _rows(store)
    assert row.title == "Monitoring system aids wild animal protection efforts in NE China"
    assert "Northeast China Tiger and Leopard National Park" in row.text
    assert row.language == "en"
    assert row.capture_ref == ref and row.fetched_at == T0


def test_cli_replay(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with WarcWriter(tmp_path / "warc") as writer:
        writer.write_response(PEOPLE_URL, 200, HTML, PEOPLE_PAGE.read_bytes(), fetched_at=T0)
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(tmp_path / "data"))
    assert main(["replay", str(tmp_path / "warc")]) == 0
    assert "1 responses read: 1 new" in capsys.readouterr().out
    assert main(["replay", "--batch-size", "5", str(tmp_path / "warc")]) == 0
    assert "0 new, 0 updated, 1 unchanged" in capsys.readouterr().out
    assert main(["replay", str(tmp_path / "nowhere.warc.gz")]) == 2


def test_listing_pages_are_not_replayed_as_articles(store: Store, tmp_path: Path) -> None:
    """The crawl's role for each page travels in its capture; older captures fall back on the registry's
    article URL patterns (the bundled demo capture has the Sina roll and the People's Daily and Xinhua indexes)."""
    with WarcWriter(tmp_path) as writer:
        writer.write_response(
            "https://news.example/section/1", 200, HTML, _page("Index", "Story one.", "Story two."), role="discovery"
        )
        writer.write_response("https://news.example/story-9.html", 200, HTML, _page("S", "Text."), role="article")
    result = reextract([tmp_path], store, paragraphs_extract)
    assert (result.new, result.skipped_discovery) == (1, 1)
    assert [row.url for row in _rows(store)] == ["https://news.example/story-9.html"]

    from crawler.demo import DEMO_WARC
    from crawler.extract import extract

    demo = reextract([DEMO_WARC], store, extract)
    assert demo.skipped_discovery == 6 and demo.new > 20
    stored = {row.url for row in _rows(store)}
    for index in ("https://finance.sina.com.cn/roll/index.d.html?cid=56588&page=1", "http://finance.people.com.cn/index.html",
                  "http://en.people.cn/90778/index.html", "https://english.news.cn/china/index.htm"):
        assert index not in stored
