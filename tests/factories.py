"""Small builders of article records for the store and pipeline tests."""

from __future__ import annotations

from datetime import datetime, timezone

from crawler.items import Article, Attribution, Segment

SHANGHAI_NOON = datetime(2021, 8, 24, 4, 2, 59, tzinfo=timezone.utc)


def make_article(url: str, text: str = "海淀区稳步推进18项数字新基建项目。", **fields: object) -> Article:
    values: dict[str, object] = {
        "title": "北京海淀区18项数字新基建项目推进",
        "language": "zh",
        "segments": [Segment("zh", text)],
        "published_at": SHANGHAI_NOON,
        "authors": ["新浪财经"],
        "attributions": [Attribution("attribution_text", source_name="Xinhua", snippet="来源：新华社")],
        "extractor_version": "test",
    }
    values.update(fields)
    return Article(url=url, text=text, **values)  # type: ignore[arg-type]


def sample_batch(count: int, host: str = "finance.sina.com.cn") -> list[Article]:
    return [
        make_article(f"https://{host}/roll/2021-08-24/doc-ikqciyzm{index:07d}.shtml", f"第{index}条新闻的正文。")
        for index in range(count)
    ]
