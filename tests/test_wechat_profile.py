"""WeChat official-account articles read through their profile: the hidden `#js_content`, nothing around it.

The page is written here after WeChat's article template (no recorded WeChat page is in the fixtures yet): the
article hidden until the page's script runs, laid out in sections of spans, an account card inside it, and the
toolbar, QR code, recommendations and comments outside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crawler.extract import extract

PARAGRAPHS = [
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：优化营商环境是建设现代化经济体系、促进高质量发展的重要基础。",
    "近年来，各地区、各部门认真贯彻落实党中央、国务院决策部署，推动营商环境持续改善，市场主体活力明显增强。",
    "一、持续提升投资建设便利度",
    "优化投资项目审批流程，推进投资审批制度改革，简化企业投资项目审批程序，提高审批效率，降低企业制度性交易成本。",
]
TITLE = "国务院办公厅关于进一步优化营商环境的意见"


def _page(shown_time: str = "2023-05-10 08:00") -> bytes:
    sections = "".join(
        f'<section style="line-height: 1.75em;"><span style="font-size: 15px;">{p}</span></section>' for p in PARAGRAPHS
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title>
<meta property="og:title" content="{TITLE}"/><meta property="og:description" content="优化营商环境"/>
<script>var msg_title = "{TITLE}"; var ct = "1683676800";</script></head>
<body id="activity-detail" class="zh_CN"><div id="js_article" class="rich_media"><div class="rich_media_inner">
<div id="page-content" class="rich_media_area_primary"><div class="rich_media_area_primary_inner">
<h1 class="rich_media_title" id="activity-name">{TITLE}</h1>
<div id="meta_content" class="rich_media_meta_list"><span class="rich_media_meta rich_media_meta_text">原创</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a id="js_name">中国政府网</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">{shown_time}</em></div>
<div class="rich_media_content" id="js_content" style="visibility: hidden; opacity: 0;">
<mp-common-profile data-nickname="中国政府网" data-signature="国务院办公厅主办，发布政务信息"></mp-common-profile>
{sections}
<p style="text-align:center"><img data-src="https://mmbiz.qpic.cn/x/640?wx_fmt=png"></p>
<section><span>编辑：张三</span></section>
</div></div></div></div>
<div class="rich_media_tool" id="js_toobar3">阅读 <span id="readNum3">10万+</span> 在看</div>
<div class="rich_media_extra"><p>喜欢此内容的人还喜欢</p><ul><li>国务院常务会议部署进一步稳外贸稳外资</li>
<li>一图读懂政府工作报告</li></ul></div>
<div id="js_cmt_area"><p>精选留言</p><p>用户甲：支持！政策很给力，希望尽快落地。</p></div></div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><div class="qr_code_pc"><p>微信扫一扫<br>关注该公众号</p></div></div>
</body></html>""".encode()


def test_a_wechat_article_is_its_hidden_content_and_nothing_around_it() -> None:
    article = extract(_page(), "https://mp.weixin.qq.com/s/AbCdEf123")
    assert article.profile == "wechat"
    assert article.title == TITLE
    assert article.published_at == datetime(2023, 5, 10, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert article.text.split("\n\n") == PARAGRAPHS
    assert article.language == "zh"


def test_a_wechat_time_left_to_the_script_comes_from_its_unix_time() -> None:
    article = extract(_page(shown_time=""), "https://mp.weixin.qq.com/s/AbCdEf123")
    assert article.published_at == datetime(2023, 5, 10, 0, 0, tzinfo=timezone.utc)  # ct = 1683676800


def test_wechat_profile_is_for_its_host_only() -> None:
    article = extract(_page(), "https://www.example.org/mirror/wechat-article.html")
    assert article.profile == "generic"
    assert "优化投资项目审批流程" in article.text
