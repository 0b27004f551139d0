"""Xinhua English (english.news.cn, xinhuanet.com/english): `#detailContent`."""

from crawler.extract.profile import Profile

CONTAINER = ("//div[@id='detailContent']", "//div[@id='content']")
DROP = ("//*[contains(@class,'share') or contains(@class,'editor')]",)
TITLE = ("//div[contains(@class,'head-line')]//h1", "//h1", "//title")
TITLE_SUFFIXES = (r"\s*-\s*Xinhua\s*$",)
PUBLISHED = (
    "//*[contains(@class,'header-time')]",
    "//*[contains(@class,'h-time')]",
    "//meta[@name='publishdate']/@content",
)
DROP_LINES = (r"^\[?Editor\s*:", r"^Xinhua Headlines\s*$")

PROFILE = Profile(
    name="xinhua",
    hosts=("news.cn", "xinhuanet.com"),
    timezone="Asia/Shanghai",
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    title_suffixes=TITLE_SUFFIXES,
    published=PUBLISHED,
    drop_lines=DROP_LINES,
)
