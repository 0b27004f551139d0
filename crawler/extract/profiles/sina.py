"""Sina Finance, Sina News, Sina Tech (sina.com.cn, sina.cn): desktop `#artibody`/`#article`, mobile `.art_content`."""

from crawler.extract.profile import Profile

CONTAINER = (
    "//div[@id='artibody']",
    "//div[@id='article']",
    "//section[contains(@class,'art_content')]",
    "//div[contains(@class,'article-content-left')]//div[contains(@class,'article')]",
)
DROP = (
    "//*[contains(@class,'article-editor') or contains(@class,'show_author')]",
    "//*[contains(@class,'appendQr')]",
    "//*[contains(@class,'img_descr')]",
    "//*[contains(@class,'tech-quotation') or contains(@class,'artical-player-wrap')]",
    "//*[contains(@class,'video-2017') or contains(@class,'video-info')]",
    "//*[@id='wx_pic' or contains(@class,'j_native')]",
    "//*[contains(@class,'finance_app_zqtg') or contains(@class,'article-notice')]",
    "//*[contains(@class,'ct_hqimg') or contains(@class,'hqimg_wrapper')]",
    # "相关新闻：" link lists at the top of #artibody: paragraphs that are one link and nothing else.
    "//p[count(.//a)=1 and normalize-space(translate(., '　 ', '  '))=normalize-space(.//a)]",
)
TITLE = (
    "//h1[contains(@class,'main-title')]",
    "//h1[@id='artibodyTitle']",
    "//h1[contains(@class,'art_tit_h1')]",
    "//meta[@property='og:title']/@content",
)
TITLE_SUFFIXES = (r"(?:[|_][^|_]{1,16})*_(?:手机)?新浪(?:网|新闻)?\s*$",)
PUBLISHED = (
    "//*[contains(@class,'date-source')]//*[contains(@class,'date')]",
    "//*[@id='pub_date']",
    "//meta[@property='article:published_time']/@content",
    "//time[contains(@class,'art_time')]",
)
SOURCE = (
    "//*[contains(@class,'date-source')]//*[contains(@class,'source')]",
    "//*[@id='media_name']",
    "//*[@data-sudaclick='media_name']",
)
DROP_LINES = (
    r"尽在新浪财经APP",
    r"^新浪财经公众号$",
    r"24小时滚动播报最新的财经资讯",
    r"【点击投票】",
    r"^APP专享$",
    r"^新浪声明[：:]",
    r"^文章关键词[：:]",
    r"^我要反馈$",
    r"^(?:进入|点击进入).{0,16}(?:专题|直播|页面)",
    r"^(?:新浪财经|新浪科技|新浪新闻)?(?:客户端|APP)(?:下载)?$",
    r"不代表新浪(?:网)?(?:的)?(?:观点|立场)",
    r"^(?:此前报道|聚焦.{1,10})$",
)

PROFILE = Profile(
    name="sina",
    hosts=("sina.com.cn", "sina.cn"),
    language="zh",
    timezone="Asia/Shanghai",
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    title_suffixes=TITLE_SUFFIXES,
    published=PUBLISHED,
    source=SOURCE,
    authors_from_meta=False,
    drop_lines=DROP_LINES,
)
