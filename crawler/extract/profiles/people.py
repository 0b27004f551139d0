"""People's Daily: people.com.cn sections (zh), en.people.cn, german.people.com.cn."""

from crawler.extract.profile import Profile

CONTAINER = (
    "//div[contains(@class,'rm_txt_con')]",
    "//div[@id='rwb_zw']",
    "//div[contains(@class,'box_con')]",
    "//div[contains(@class,'d2txtCon')]",
    "//div[contains(@class,'w860_cont') or contains(@class,'txt_con')]",
)
DROP = (
    "//*[contains(@class,'edit') or contains(@class,'editor')]",
    "//*[contains(@class,'paper_num')]",
    "//*[contains(@class,'box_pic')]",
    "//*[contains(@class,'share')]",
    "//*[contains(@class,'origin') or contains(@class,'route')]",
    "//*[contains(@class,'d2txtCon')]/h1",
    "//*[@id='rwb_tjyd' or @id='rwb_xgxw' or @id='rwb_jctj']",
)
TITLE = (
    "//div[contains(@class,'rm_txt')]//h1",
    "//div[contains(@class,'text_title')]//h1",
    "//div[contains(@class,'d2txtCon')]/h1",
    "//h1",
)
TITLE_SUFFIXES = (r"--[^-]{1,16}--人民网\s*$", r"--人民网\s*$", r"\s*-\s*People'?s Daily(?: Online)?\s*$")
PUBLISHED = (
    "//div[contains(@class,'channel')]//div[contains(@class,'col-1-1')]",
    "//div[contains(@class,'text_title')]//div[contains(@class,'box01')]//div[contains(@class,'fl')]",
    "//div[contains(@class,'origin')]",
    "//meta[@name='publishdate']/@content",
)
AUTHORS = (
    "//div[contains(@class,'rm_txt')]//div[contains(@class,'author')]",
    "//div[contains(@class,'text_title')]//p[contains(@class,'author')]",
)
SOURCE = (
    "//div[contains(@class,'channel')]//div[contains(@class,'col-1-1')]",
    "//div[contains(@class,'text_title')]//div[contains(@class,'box01')]//div[contains(@class,'fl')]",
    "//meta[@name='source']/@content",
)
SECTION = ("//div[contains(@class,'route')]//a[last()]",)
DROP_LINES = (r"^点击进入.{0,24}>>$", r"^关注公众号[：:]", r"^分享让更多人看到$", r"^第一时间为您推送权威资讯$")

PROFILE = Profile(
    name="people",
    hosts=("people.com.cn", "people.cn"),
    timezone="Asia/Shanghai",
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    title_suffixes=TITLE_SUFFIXES,
    published=PUBLISHED,
    authors=AUTHORS,
    source=SOURCE,
    section=SECTION,
    drop_lines=DROP_LINES,
)
