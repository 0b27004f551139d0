"""WeChat official-account articles (mp.weixin.qq.com): `#js_content`, which the page hides until its script runs.

The article sits in `div#js_content` (class `rich_media_content`), laid out in <section>s and <p>s of spans; the
headline in `#activity-name`, the time in `em#publish_time` ("2023-05-10 08:00", "2018年7月11日 23:46") or, where the
script fills that in, in the script's `var ct` (Unix time). The account that publishes it (`#js_name`) is the
outlet, not an author, and the QR code to follow it sits outside the article.
"""

from crawler.extract.profile import Profile

CONTAINER = ("//div[@id='js_content']",)
DROP = (
    # the follow-the-account cards and mini-program embeds set inside the article
    "//*[self::mp-common-profile or self::mpprofile or self::mp-miniprogram or self::mpvoice]",
    "//*[@id='js_pc_qr_code' or contains(@class,'qr_code_pc')]",
)
TITLE = ("//*[@id='activity-name']", "//meta[@property='og:title']/@content", "//title")
# The time as the page shows it; where the page leaves that to its script, the script's own Unix time (`var ct`).
PUBLISHED = (
    "//em[@id='publish_time']",
    "substring-before(substring-after(//script[contains(., 'var ct = \"')], 'var ct = \"'), '\"')",
)

PROFILE = Profile(
    name="wechat",
    hosts=("mp.weixin.qq.com",),
    timezone="Asia/Shanghai",
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    published=PUBLISHED,
)
