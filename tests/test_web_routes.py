"""The web application's pages through Starlette's TestClient, on a real PostgreSQL corpus written by the store:
what each page shows, that bad input is a 4xx page (never a 500), that stored markup is escaped, that raw
captures are sandboxed, and that the application cannot write."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from crawler.analyst.roles import create_reader
from crawler.store.database import Store
from crawler.web import db
from crawler.web.app import create_app
from tests.conftest import DatabaseServer
from tests.web_corpus import CAPTURED_HTML, HOSTILE_TITLE, WebCorpus, web_corpus

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def corpus(db_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory) -> WebCorpus:
    return web_corpus(db_server, tmp_path_factory.mktemp("warc"))


@pytest.fixture(scope="module")
def client(corpus: WebCorpus) -> Iterator[TestClient]:
    app = create_app(corpus.url, [corpus.warc_dir])
    with TestClient(app) as test_client:  # a server error would raise here instead of passing as a page
        yield test_client
    app.state.engine.dispose()


def _hits(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a class="title" href="/articles/(\d+)"', html)]


def test_search_page_ranks_like_search_articles_and_marks_the_matches(client: TestClient, corpus: WebCorpus) -> None:
    home = client.get("/")
    assert home.status_code == 200 and '<form class="search"' in home.text and "<li class=\"hit\"" not in home.text
    page = client.get("/", params={"q": "人工智能", "lang": "zh"})
    assert page.status_code == 200
    assert _hits(page.text) == [corpus.ids["S1"], corpus.ids["S2"]]  # title match first, as search_articles ranks
    assert "<mark>人工智能</mark>" in page.text
    assert f'href="/stories/{corpus.ids["S1"]}"' in page.text  # S1 starts a story
    english = client.get("/", params={"q": "semiconductors", "lang": "en"})
    assert corpus.ids["C1"] in _hits(english.text) and "<mark>" in english.text


def test_search_folds_traditional_script_and_filters(client: TestClient, corpus: WebCorpus) -> None:
    traditional = _hits(client.get("/", params={"q": "數據中心"}).text)
    assert set(traditional) == {corpus.ids["S1"], corpus.ids["P1"]}
    by_source = _hits(client.get("/", params={"q": "數據中心", "source": "People's Daily"}).text)
    assert by_source == [corpus.ids["P1"]]
    in_range = _hits(client.get("/", params={"q": "数据中心", "since": "2024-03-01", "until": "2024-03-02"}).text)
    assert set(in_range) == {corpus.ids["S1"], corpus.ids["P1"]}
    assert _hits(client.get("/", params={"q": "数据中心", "until": "2024-03-01"}).text) == []
    assert "No articles match" in client.get("/", params={"q": "不存在的词语组合"}).text


def test_search_pages(client: TestClient) -> None:
    first = client.get("/", params={"q": "computing", "size": "2"})
    second = client.get("/", params={"q": "computing", "size": "2", "page": "2"})
    assert len(_hits(first.text)) == 2 and len(_hits(second.text)) == 2
    assert not set(_hits(first.text)) & set(_hits(second.text))
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"q": "x" * 301}, "301 characters"),
        ({"q": " ".join(["word"] * 30)}, "30 words"),
        ({"q": "a\x00b"}, "NUL"),
        ({"q": "ai", "lang": "fr"}, "unknown language"),
        ({"q": "ai", "since": "2024-13-45"}, "not a date"),
        ({"q": "ai", "until": "yesterday"}, "not a date"),
        ({"q": "ai", "since": "2024-03-02", "until": "2024-03-01"}, "end date must be after"),
        ({"q": "ai", "page": "0"}, "between 1 and"),
        ({"q": "ai", "page": "-1"}, "not a whole number"),
        ({"q": "ai", "page": "99999999999999999999"}, "not a whole number"),
        ({"q": "ai", "page": "1e3"}, "not a whole number"),
        ({"q": "ai", "page": "400"}, "earlier page"),
        ({"q": "ai", "size": "1000"}, "between 1 and 50"),
        ({"q": "ai", "source": "No Such Outlet"}, "no source is named"),
        ({"q": "ai", "source": "s" * 400}, "at most 300"),
    ],
)
def test_bad_search_input_is_a_400_page(client: TestClient, query: dict[str, str], says: str) -> None:
    response = client.get("/", params=query)
    assert response.status_code == 400, response.text[:300]
    assert says in response.text and "Bad request" in response.text


def test_hostile_query_strings_are_refused_or_escaped(client: TestClient) -> None:
    assert client.get("/?q=" + "%E4%BA%BA" * 2000).status_code == 414  # 6,000 characters of address
    injected = client.get("/", params={"q": "<script>alert(1)</script>"})
    assert injected.status_code == 200
    assert "<script>alert(1)" not in injected.text and "&lt;script&gt;alert(1)" in injected.text
    quotes = client.get("/", params={"q": "\"unclosed 'quote & or - -"})
    assert quotes.status_code == 200  # websearch syntax never fails
    assert client.get("/", params={"q": "人工智能", "lang": "zh", "extra": "ignored"}).status_code == 200


def test_article_page_shows_metadata_segments_evidence_and_links(client: TestClient, corpus: WebCorpus) -> None:
    page = client.get(f"/articles/{corpus.ids['C1']}")
    assert page.status_code == 200
    html = page.text
    assert "Semiconductor and computing power push to boost AI" in html
    assert "China Daily" in html and "https://www.chinadaily.com.cn/a/202403/01/WS65e1a0001.html" in html
    assert "A national computing network will link data centres." in html
    assert "Xinhua News Agency" in html and "(Xinhua)" in html  # attribution evidence
    assert f'href="/articles/{corpus.ids["S1"]}"' in html and "cross_lingual" in html  # out: translates S1
    assert f'href="/articles/{corpus.ids["Q2"]}"' in html and "source_link" in html  # in: Qpute republishes it
    assert f'href="/stories/{corpus.ids["S1"]}"' in html
    assert 'href="/stories/' not in client.get(f"/articles/{corpus.ids['G2']}").text  # no link, no story
    assert f'href="/stories/{corpus.ids["S2"]}"' in client.get(f"/articles/{corpus.ids['S3']}").text  # via a URL
    bilingual = client.get(f"/articles/{corpus.ids['B1']}").text
    assert bilingual.count('class="segment"') == 2 and "lang-zh" in bilingual and "lang-en" in bilingual


UNKNOWN = ["/articles/999999", "/articles/abc", "/articles/0", "/articles/-3", "/articles/99999999999999999999",
           "/stories/999999", "/stories/x", "/sources/999999", "/sources/%00", "/nowhere", "/articles/999999/capture"]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_ids_are_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text and "text/html" in response.headers["content-type"]


def test_post_is_refused(client: TestClient) -> None:
    assert client.post("/", data={"q": "x"}).status_code == 405


def test_stored_markup_is_escaped_everywhere(client: TestClient, corpus: WebCorpus) -> None:
    article = client.get(f"/articles/{corpus.ids['XSS']}").text
    assert "<script>alert('owned')" not in article and "<b>bold</b>" not in article
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in article
    assert "<iframe src='javascript" not in article and "<b>Mallory</b>" not in article
    assert "<img src=x" not in article
    search = client.get("/", params={"q": "markup"}).text
    assert corpus.ids["XSS"] in _hits(search) and "<script>alert('owned')" not in search
    source = client.get(f"/sources/{_source_id(client, 'Qpute')}").text
    assert "<script>alert('owned')" not in source and "&lt;script&gt;" in source
    assert HOSTILE_TITLE.startswith("<script>")


def _source_id(client: TestClient, name: str) -> int:
    listing = client.get("/sources").text
    match = re.search(rf'<a href="/sources/(\d+)">{re.escape(name)}</a>', listing)
    assert match, f"{name} is not listed"
    return int(match.group(1))


def test_no_page_runs_a_script(client: TestClient, corpus: WebCorpus) -> None:
    pages = ["/", "/?q=ai", f"/articles/{corpus.ids['S1']}", f"/stories/{corpus.ids['S1']}", "/stories", "/sources",
             f"/sources/{_source_id(client, 'Sina Finance')}", "/health", f"/articles/{corpus.ids['LZ']}/capture",
             f"/stories/{corpus.ids['S2']}"]  # fmt: skip
    for path in [*pages, "/articles/0"]:
        response = client.get(path)
        assert response.status_code == (404 if path == "/articles/0" else 200), path
        assert "<script" not in response.text.lower(), path
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_raw_capture_is_served_sandboxed(client: TestClient, corpus: WebCorpus) -> None:
    article_id = corpus.ids["LZ"]
    page = client.get(f"/articles/{article_id}")
    assert f'href="/articles/{article_id}/capture"' in page.text
    frame = client.get(f"/articles/{article_id}/capture")
    assert frame.status_code == 200
    assert f'<iframe class="capture" sandbox src="/articles/{article_id}/capture/raw"' in frame.text
    raw = client.get(f"/articles/{article_id}/capture/raw")
    assert raw.status_code == 200 and raw.content == CAPTURED_HTML
    assert raw.headers["content-type"] == "text/html; charset=utf-8"
    assert raw.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    as_text = client.get(f"/articles/{article_id}/capture/raw", params={"as": "text"})
    assert as_text.headers["content-type"] == "text/plain; charset=utf-8"
    assert as_text.text == CAPTURED_HTML.decode()


def test_missing_capture_is_a_404(client: TestClient, corpus: WebCorpus) -> None:
    gone = client.get(f"/articles/{corpus.ids['GONE']}/capture")
    assert gone.status_code == 404 and "newscrawl-20240302-gone.warc.gz" in gone.text
    assert client.get(f"/articles/{corpus.ids['GONE']}/capture/raw").status_code == 404
    none = client.get(f"/articles/{corpus.ids['S1']}/capture/raw")  # stored without a capture
    assert none.status_code == 404 and "has no capture" in none.text


def test_story_page_puts_languages_side_by_side_with_the_evidence_marked(client: TestClient, corpus: WebCorpus) -> None:
    page = client.get(f"/stories/{corpus.ids['LZ']}")
    assert page.status_code == 200
    html = page.text
    columns = re.findall(r'<section class="column" id="column-(\w+)"', html)
    assert columns == ["zh", "en", "de"]
    timeline = re.findall(r'<tr(?: class="original")?>\s*<td>([^<]+)</td>', html)
    assert timeline[0].startswith("2024-03-02 01:00")  # the original first, then by lag
    assert "+6.0 h" in html and "+9.0 h" in html
    for marked in ("3月2日", "1000亿", "12.5%", "March 2", "100 billion", "12.5 percent", "2. März", "100 Milliarden",
                   "12,5 Prozent"):  # fmt: skip
        assert re.search(rf'<mark title="[^"]*">{re.escape(marked)}</mark>', html), marked
    assert "number 100,000,000,000" in html and "date 03-02" in html
    en_first = re.search(rf'id="p{corpus.ids["LE"]}-1"><a class="align" href="#p{corpus.ids["LZ"]}-1"', html)
    assert en_first, "the English first paragraph is aligned to the original's first"
    assert f'id="p{corpus.ids["LE"]}-2"><a class="align"' not in html  # nothing shared: not aligned


def test_story_of_an_uncrawled_original(client: TestClient, corpus: WebCorpus) -> None:
    page = client.get(f"/stories/{corpus.ids['S2']}").text
    assert "http://www.pbc.gov.cn/goutongjiaoliu/113456/113469/5270000/index.html" in page
    assert page.count('<article class="member') == 2
    assert '<td>not crawled</td><td class="url">http://www.pbc.gov.cn/' in page  # the timeline starts with it


def test_large_story_and_story_list(client: TestClient, corpus: WebCorpus) -> None:
    page = client.get(f"/stories/{corpus.ids['S1']}").text
    assert re.findall(r'<section class="column" id="column-(\w+)"', page) == ["zh", "en", "de"]
    assert page.count('<article class="member') == 7
    listing = client.get("/stories").text
    assert f'href="/stories/{corpus.ids["S1"]}"' in listing and f'href="/stories/{corpus.ids["LZ"]}"' in listing


def test_sources_pages_chart_counts_and_generic_share(client: TestClient, corpus: WebCorpus) -> None:
    listing = client.get("/sources")
    assert listing.status_code == 200
    assert "Sina Finance" in listing.text and "People&#39;s Daily German" in listing.text
    page = client.get(f"/sources/{_source_id(client, 'Sina Finance')}")
    assert page.status_code == 200
    charts = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page.text)
    assert len(charts) == 2
    assert "<td>2024-03-01</td><td>1</td>" in page.text  # the table beside the chart: S1 on March 1
    assert "<tr><td>2024-03-02</td><td>4</td><td>1</td></tr>" in page.text  # 1 of 4 by the generic extractor
    sina = re.search(r'<a href="/sources/\d+">Sina Finance</a>.*?</tr>', listing.text, re.S)
    assert sina and "<td>50%</td>" in sina.group(0)  # of its latest pages with a known profile, 1 of 2 generic
    assert "央行：一季度新增贷款1000亿元" in page.text  # latest articles


def test_crawl_health_flags_failed_and_stalled_runs(client: TestClient) -> None:
    page = client.get("/health")
    assert page.status_code == 200
    html = page.text
    assert "2 of the last 4 runs need attention" in html
    assert "people (stalled)" in html and "people (failed)" in html
    assert html.count('<tr class="attention">') >= 3  # two runs and the failure that gave up
    assert "https://finance.sina.com.cn/a/404-2.shtml" in html and "(gave up)" in html
    assert "database unreachable" in html
    assert len(re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,', html)) == 2


def test_the_application_cannot_write(client: TestClient, corpus: WebCorpus) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="read-only transaction"), db.read_only(engine) as conn:
        conn.execute(text("UPDATE articles SET title = 'changed' WHERE id = :id"), {"id": corpus.ids["S1"]})
    with engine.connect() as conn:  # even outside read_only(): every session of the engine starts read-only
        with pytest.raises(DBAPIError, match="read-only transaction"):
            conn.execute(text("INSERT INTO crawl_locks (name) VALUES ('web')"))
        conn.rollback()
        assert conn.execute(text("SELECT title FROM articles WHERE id = :id"), {"id": corpus.ids["S1"]}).scalar() == (
            "国家发改委：加快人工智能算力基础设施建设"
        )


def test_database_down_is_a_503_page(corpus: WebCorpus, tmp_path: Path) -> None:
    app = create_app("postgresql://nobody@127.0.0.1:1/none", [tmp_path])
    with TestClient(app) as down:
        response = down.get("/health")
    assert response.status_code == 503 and "Database unavailable" in response.text


def test_pages_work_through_the_reader_role(corpus: WebCorpus, tmp_path: Path) -> None:
    """`newscrawl db create-reader`'s role is enough for every page (DATABASE_URL may name it)."""
    name = f"web_reader_{uuid.uuid4().hex[:10]}"
    owner = Store(corpus.url)
    try:
        with owner.engine.begin() as conn:
            create_reader(conn, name)
        reader_url = make_url(corpus.url).set(username=name, password=None).render_as_string(hide_password=False)
        app = create_app(reader_url, [corpus.warc_dir])
        with TestClient(app) as as_reader:
            for path in ("/?q=人工智能", f"/articles/{corpus.ids['C1']}", f"/stories/{corpus.ids['LZ']}", "/stories",
                         "/sources", f"/sources/{_source_id(as_reader, 'Sina Finance')}", "/health",
                         f"/articles/{corpus.ids['LZ']}/capture/raw"):  # fmt: skip
                assert as_reader.get(path).status_code == 200, path
        app.state.engine.dispose()
    finally:
        with owner.engine.begin() as conn:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar():
                conn.execute(text(f'DROP OWNED BY "{name}"'))
                conn.execute(text(f'DROP ROLE "{name}"'))
        owner.dispose()
