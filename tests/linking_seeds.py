"""Article records built from the seed texts (tests/fixtures/pages/seeds, verbatim copies of the project's
seed files, see PROVENANCE.tsv) for the linker tests.

The URLs, dates and attributions are those of the seed page fixtures (tests/fixtures/pages/seeds, see
PROVENANCE.tsv); the text is read from the seed files and cleaned here with a few regular expressions, so the
linker tests do not depend on the extractor.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from crawler.items import Article, Attribution, Segment

SEEDS = Path(__file__).resolve().parent / "fixtures" / "pages" / "seeds"
SINA_URL = "https://finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386217.shtml"
QPUTE_URL = "https://qpute.com/2021/08/25/beijings-haidian-district-pushes-ahead-with-18-new-digital-infrastructure-projects-via-qpute-com/"
SHOBSERVER_URL = "https://www.shobserver.com/staticsg/res/html/web/newsDetail.html?id=768612&v=1.3&sid=67"


def _read(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def sina_000() -> Article:
    raw = _read("000")
    paras = [re.sub(r"<[^>]+>", "", p).strip("\u3000 ") for p in re.findall(r"<p[^>]*>(.*?)</p>", raw, re.S)]
    body = [p for p in paras if p and not p.startswith(("原标题", "责任编辑"))]
    text = "\n\n".join(body)
    return Article(
        url=SINA_URL, text=text, title="北京海淀区18项数字新基建项目推进“两区”建设", language="zh",
        segments=[Segment("zh", text)], published_at=datetime.fromisoformat("2021-08-24T20:02:00+08:00"),
        source_name="Sina Finance",
    )


def qpute_001(with_source_link: bool = False) -> Article:
    lines = _paragraphs(_read("001"))
    title = lines[0].lstrip("/")
    body = [p for p in lines[2:] if not p.startswith("This is a syndicated post")]
    text = "\n\n".join(body)
    attributions = [Attribution("attribution_text", source_name="Qpute", snippet=title)]
    if with_source_link:
        footer = "This is a syndicated post. Read the original post at Source link ."
        attributions.insert(0, Attribution("source_link", url=SINA_URL, snippet=footer))
    return Article(
        url=QPUTE_URL, text=text, title=title, language="en", segments=[Segment("en", text)],
        published_at=datetime.fromisoformat("2021-08-25T03:14:07+00:00"), source_name="Qpute",
        attributions=attributions,
    )


def aggregator_002() -> Article:
    lines = _paragraphs(_read("002"))
    body = [p for p in lines if not p.startswith(("【来源】", "Views:", "发表回复", "您的邮箱"))]
    text = "\n\n".join(body)
    source_line = next(p for p in lines if p.startswith("【来源】"))
    return Article(
        url="https://ai-news.example/2024/07/04/beijing-ai-computing-45eflops/", text=text,
        title="Beijing Speeds Up AI Development", language="zh",
        published_at=datetime.fromisoformat("2024-07-04T17:21:33+08:00"),
        attributions=[Attribution("source_link", url=SHOBSERVER_URL, snippet=source_line)],
    )


def snapshot_003() -> Article:
    lines = _paragraphs(_read("003"))
    start = lines.index("本文转自:工人日报")
    body = [p for p in lines[start + 1 :] if not p.startswith(("•", "《工人日报》"))][:40]
    text = "\n\n".join(body)
    return Article(
        url="https://snapshot-news.example/keji/2023062701560012.html", text=text, title="冲刺“人工智能高地”的背后",
        language="zh", published_at=datetime.fromisoformat("2023-06-27T01:56:00+08:00"),
        attributions=[Attribution("attribution_text", source_name="工人日报", snippet="本文转自:工人日报")],
    )


def german_004() -> Article:
    lines = _paragraphs(_read("004"))
    body = [p for p in lines if not p.startswith("Bildquelle")]
    text = "\n\n".join(body)
    return Article(
        url="https://ki-nachrichten.example/2025/03/peking-open-source-hauptstadt/", text=text,
        title="Peking will globale Open-Source-Hauptstadt werden", language="de",
        published_at=datetime.fromisoformat("2025-03-21T09:30:00+01:00"),
        attributions=[Attribution("attribution_text", source_name="China News Service", snippet=lines[0][:200])],
    )


def all_seeds() -> list[Article]:
    return [sina_000(), qpute_001(), aggregator_002(), snapshot_003(), german_004()]
