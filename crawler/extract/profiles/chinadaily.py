"""China Daily (chinadaily.com.cn, English and Chinese editions): `div#Content`."""

from crawler.extract.profile import Profile

CONTAINER = ("//div[@id='Content']", "//div[contains(@class,'article')]")
DROP = (
    "//*[contains(@class,'share') or contains(@class,'moreshare')]",
    "//*[contains(@class,'picshow') or contains(@class,'pageBox') or @id='div_currpage']",
    "//*[contains(@class,'footer')]",
)
TITLE = ("//div[contains(@class,'main_art')]//h1", "//h1[contains(@class,'dabiaoti')]", "//h1")
TITLE_SUFFIXES = (r"\s*-\s*(?:Chinadaily\.com\.cn|中国日报网|China Daily)\s*$",)
PUBLISHED = (
    "//meta[@name='publishdate']/@content",
    "//*[contains(@class,'info_l')]",
    "//*[contains(@class,'xinf-le') or contains(@class,'fenx')]",
)
AUTHORS = ("//meta[@name='author']/@content", "//*[contains(@class,'info_l')]//a")
DROP_LINES = (r"^(?:专题|最热新闻|Related Stories)$",)

PROFILE = Profile(
    name="chinadaily",
    hosts=("chinadaily.com.cn",),
    timezone="Asia/Shanghai",
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    title_suffixes=TITLE_SUFFIXES,
    published=PUBLISHED,
    authors=AUTHORS,
    drop_lines=DROP_LINES,
)
