"""Charset resolution (header vs <meta> vs bytes), GB2312/GBK as GB18030, and mojibake rejection."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.extract.decode import decode_body, header_charset, meta_charset, normalise_charset
from crawler.extract.mojibake import garbled_reason
from crawler.items import PageRejected

PAGES = Path(__file__).parent / "fixtures/pages"
FEEDS = sorted((PAGES / "feeds_gb2312").iterdir())
PEOPLE_ZH = PAGES / "people_zh/magic_finance_people_c1004-40232587.html"
PEOPLE_URL = "http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html"
SINA_SEED = PAGES / "seeds/sina_seed000.html"
SINA_URL = "https://finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386217.shtml"


def test_charset_labels_map_to_supersets() -> None:
    assert normalise_charset("GB2312") == "gb18030"
    assert normalise_charset("gbk") == "gb18030"
    assert normalise_charset("ISO-8859-1") == "cp1252"
    assert normalise_charset("UTF8") == "utf-8"
    assert normalise_charset("no-such-charset") is None


def test_header_and_meta_charset_are_read() -> None:
    assert header_charset({"content-type": "text/html; charset=GBK"}) == "GBK"
    assert header_charset({"Content-Type": "text/html"}) is None
    assert meta_charset(b'<meta http-equiv="content-type" content="text/html;charset=GB2312">') == "GB2312"
    assert meta_charset(b'<meta charset="utf-8">') == "utf-8"


@pytest.mark.parametrize("feed", FEEDS, ids=[f.name for f in FEEDS])
def test_real_gb2312_bytes_decode_as_gb18030(feed: Path) -> None:
    decoded = decode_body(feed.read_bytes())
    assert decoded.encoding == "gb18030"
    assert garbled_reason(decoded.text) is None
    assert sum(1 for ch in decoded.text if "\u4e00" <= ch <= "\u9fff") > 20


def test_utf8_bytes_declared_gb2312_are_read_as_utf8() -> None:
    body = PEOPLE_ZH.read_bytes()
    assert meta_charset(body) == "GB2312"
    decoded = decode_body(body, {"Content-Type": "text/html; charset=GB2312"})
    assert decoded.encoding == "utf-8"
    assert "河南着力培育新动能塑造新优势" in decoded.text


@pytest.mark.parametrize("headers", [{"Content-Type": "text/html; charset=gbk"}, None, {"Content-Type": "text/html"}])
@pytest.mark.parametrize(("page", "url"), [(PEOPLE_ZH, PEOPLE_URL), (SINA_SEED, SINA_URL)])
def test_pages_re_encoded_to_gbk_extract_like_the_utf8_copy(
    page: Path, url: str, headers: dict[str, str] | None
) -> None:
    utf8 = page.read_bytes()
    gbk = utf8.decode("utf-8").encode("gbk", errors="xmlcharrefreplace")  # as a GBK CMS sends "©"
    as_sent = extract(gbk, url, headers)
    as_saved = extract(utf8, url)
    assert as_sent.encoding == "gb18030"
    assert as_saved.encoding == "utf-8"
    assert as_sent.text == as_saved.text
    assert as_sent.title == as_saved.title


def test_header_charset_wrongly_latin1_for_gbk_bytes_still_decodes() -> None:
    gbk = SINA_SEED.read_bytes().decode("utf-8").encode("gbk")
    article = extract(gbk, SINA_URL, {"Content-Type": "text/html; charset=iso-8859-1"})
    assert article.encoding == "gb18030"
    assert "海淀区" in article.text


def test_utf8_read_as_latin1_is_repaired() -> None:
    text = "<html><body><p>" + "Café Straße Größe Übermäßig lässt sich schön erklären. " * 5 + "</p></body></html>"
    garbled = text.encode("utf-8").decode("cp1252").encode("utf-8")  # a page saved after a wrong decode
    article = extract(garbled, "https://example.de/artikel")
    assert "Café Straße Größe Übermäßig" in article.text
    assert "Ã" not in article.text


def test_mojibake_beyond_repair_is_rejected_with_reason() -> None:
    # Doubly mis-decoded text keeps its mojibake after one repair step only when no codec undoes it;
    # here the continuation bytes were lost, so what is left is unreadable.
    junk = "Ã© Ã¼ Ã¶ Ã¤ Ã\x9f " * 40
    with pytest.raises(PageRejected) as info:
        extract(f"<html><body><p>{junk}</p></body></html>".encode(), "https://example.de/artikel")
    assert "mojibake" in info.value.reason


def test_mojibake_in_a_script_does_not_reject_the_page() -> None:
    body = (
        "<html><head><script>// nÃ£o Ã© isso â€™ Ã§Ã£o Ã³ Ã­ Ãº</script></head><body><article>"
        + "<p>O governo anunciou hoje um novo pacote de medidas para a economia do país.</p>" * 8
        + "</article></body></html>"
    ).encode("utf-8")
    article = extract(body, "https://example.pt/noticia")
    assert "novo pacote de medidas" in article.text


def test_a_few_odd_sequences_in_a_long_text_are_kept() -> None:
    para = "<p>The temperature reached 25Â°C in the afternoon, the weather service said on Tuesday evening.</p>"
    body = ("<html><body><article>" + para + "<p>" + "Rain is expected tomorrow across the region. " * 60
            + "</p></article></body></html>").encode("utf-8")
    assert "Rain is expected" in extract(body, "https://example.com/weather").text


def test_japanese_kanji_are_not_uncommon_han() -> None:
    japanese = "東京都は新型の感染症対策として、飲食店への営業時間短縮要請を延長すると発表した。" * 3
    japanese += "鰯・鯖・鰻・榊・峠・畑・込・匂"
    assert garbled_reason(japanese) is None



def test_utf8_read_as_gbk_is_detected_by_its_uncommon_han() -> None:
    chinese = ("国务院新闻办公室今天举行新闻发布会，介绍今年以来经济运行情况。国家统计局新闻发言人表示，"
               "前三季度国民经济持续恢复向好，高质量发展扎实推进。") * 3
    garbled = chinese.encode("utf-8").decode("gbk", errors="ignore")  # what a wrong charset makes of it
    assert garbled_reason(chinese) is None
    assert garbled_reason(garbled) == "mojibake: only 62% of Han characters are common ones (UTF-8 read as GBK?)"


def test_cjk_bytes_read_as_latin_charset_are_detected() -> None:
    text = SINA_SEED.read_text(encoding="utf-8")
    junk = text.encode("gbk").decode("latin-1")
    assert "Latin-1" in (garbled_reason(junk) or "")


def test_utf8_decoded_as_gbk_is_detected() -> None:
    text = "北京海淀区18项数字新基建项目推进，全区已建成5G基站3160个，发布超大规模人工智能模型“悟道2.0”"
    assert "GBK" in (garbled_reason(text.encode("utf-8").decode("gb18030", errors="ignore")) or "")


def test_replacement_characters_are_rejected() -> None:
    body = ("<html><body><p>" + "新闻\ufffd\ufffd内容" * 50 + "</p></body></html>").encode("utf-8")
    with pytest.raises(PageRejected) as info:
        extract(body, "https://news.example.cn/a.html")
    assert "replacement characters" in info.value.reason


def test_a_few_replacement_characters_in_a_long_text_are_kept() -> None:
    text = "北京市政府今天发布了关于加强城市交通管理的新规定，\ufffd\ufffd\ufffd将于下月起实施。"
    text += "市民普遍表示支持。" * 40
    body = f"<html><body><article><p>{text}</p></article></body></html>".encode()
    assert "市民普遍表示支持" in extract(body, "https://news.example.cn/a.html").text


def test_real_text_is_not_garbled() -> None:
    assert garbled_reason("Die Größe der Städte in Österreich ändert sich; Übermaß ist schädlich.") is None
    assert garbled_reason(PEOPLE_ZH.read_text(encoding="utf-8")) is None


def test_empty_body_is_rejected() -> None:
    with pytest.raises(PageRejected, match="empty"):
        extract(b"  ", "https://example.com/")


def test_utf16le_declared_in_the_header_without_a_bom() -> None:
    html = "<html><body><article>" + "<p>Die Bundesregierung hat am Mittwoch neue Regeln beschlossen.</p>" * 5
    body = (html + "</article></body></html>").encode("utf-16-le")
    decoded = decode_body(body, {"Content-Type": "text/html; charset=UTF-16LE"})
    assert decoded.encoding == "utf-16-le"
    assert "Bundesregierung" in decoded.text and "\x00" not in decoded.text


def test_a_few_invalid_bytes_in_utf8_stay_utf8() -> None:
    text = "<html><head><meta charset='utf-8'></head><body><p>" + "Größere Städte wählen öfter neu. " * 200
    body = text.encode("utf-8") + b"\xff\xfe truncated \xe4\xb8" + b"</p></body></html>"
    decoded = decode_body(body, {"Content-Type": "text/html; charset=utf-8"})
    assert decoded.encoding == "utf-8"
    assert "Größere Städte wählen" in decoded.text


def test_a_legacy_page_with_few_accents_is_not_taken_for_damaged_utf8() -> None:
    html = "<html><head><meta charset='iso-8859-1'></head><body>" + "<p>Berichte aus der Region.</p>" * 3000
    body = (html + "<p>Die Größe der Städte wächst.</p></body></html>").encode("latin-1")
    decoded = decode_body(body)
    assert decoded.encoding != "utf-8"
    assert "Die Größe der Städte wächst." in decoded.text


ARTICLE_ZH = ("中新网北京12月15日电 北京市消防局确认：今天下午位于西直门立交桥畔的购物中心外墙保温材料发生火灾，"
              "现场无人员伤亡。")


def _misread_as_windows_1252(data: bytes) -> str:
    """What a reader taking every byte for windows-1252 sees (undefined bytes as C1 controls, as browsers do)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def test_a_gbk_page_read_as_windows_1252_and_saved_as_utf8_is_read_again() -> None:
    page = f"<html><head><meta charset='gb2312'><title>火灾</title></head><body><p>{ARTICLE_ZH}</p></body></html>"
    saved = _misread_as_windows_1252(page.encode("gb18030")).encode("utf-8")
    decoded = decode_body(saved, None, "https://www.example.cn/a.html")
    assert ARTICLE_ZH in decoded.text and decoded.encoding == "gb18030 read as cp1252"
    # saved twice over: the UTF-8 read as windows-1252 again
    twice = _misread_as_windows_1252(saved).encode("utf-8")
    again = decode_body(twice, None, "https://www.example.cn/a.html")
    assert ARTICLE_ZH in again.text and again.encoding == "gb18030 read as cp1252 x2"
    article = extract(twice, "https://www.example.cn/a.html")
    assert "消防局确认" in article.text


def test_a_gbk_page_read_as_latin_9_under_heavy_markup_is_read_again() -> None:
    # Latin-9 puts Ž at 0xB4 and € at 0xA4 where windows-1252 has ´ and ¤: read back through windows-1252 the
    # page gives CJK text too, but scattered over rare ideographs (幀硛 for 船长); the Latin-9 reading wins. The
    # markup's ASCII outweighs the garbled text, so it is judged without its tags.
    nav = "".join(f"<li class='navigation-item navigation-item-{n}'><a href='/channel/{n}.shtml'>x</a></li>"
                  for n in range(300))
    page = (f"<html><head><meta charset='GBK'><title>船长被游轮公司认定责任</title></head><body><ul>{nav}</ul>"
            f"<p>{ARTICLE_ZH}</p><p>船长自作主张，游轮偏离既定航线，导致触礁搁浅。</p></body></html>")
    saved = page.encode("gb18030").decode("iso8859_15").encode("utf-8")
    decoded = decode_body(saved, None, "https://news.example.com/a.shtml")
    assert decoded.encoding == "gb18030 read as iso8859_15"
    assert ARTICLE_ZH in decoded.text and "船长自作主张" in decoded.text


def test_utf8_pages_declaring_gb2312_are_not_read_again() -> None:
    german = ("<html><head><meta charset='gb2312'></head><body><p>Die Bürger wählten am Sonntag über Straßen."
              "</p></body></html>")
    assert decode_body(german.encode("utf-8")).text == german  # Latin letters alone: no CJK would come of it
    chinese = f"<html><head><meta charset='gb2312'></head><body><p>{ARTICLE_ZH} Zürich</p></body></html>"
    assert decode_body(chinese.encode("utf-8")).text == chinese  # already CJK: nothing to read again
    undeclared = _misread_as_windows_1252(chinese.replace("gb2312", "utf-8").encode("gb18030")).encode("utf-8")
    assert "消防局" not in decode_body(undeclared).text  # no CJK charset declared: left to the text check


def test_c1_controls_in_utf8_are_read_as_windows_1252() -> None:
    # A windows-1252 page converted to UTF-8 as if it were Latin-1: its curly quotes became U+0093/U+0094.
    page = "<html><body><p>\u201cThis is urgent,\u201d he said.</p></body></html>"
    converted = page.encode("cp1252").decode("latin-1").encode("utf-8")
    assert "\x94" in converted.decode("utf-8")
    assert decode_body(converted).text == page
    assert decode_body(page.encode("utf-8")).text == page  # nothing to do: the bytes are looked at first


ZH_PARAGRAPH = (
    "国家发改委昨天下发通知，要求各地落实价格调控政策，稳定发电用煤价格，合同电煤控制价格涨幅在百分之五以内。"
    "按照计划，明年跨省煤炭铁路运力配置总量与今年相比减少了近一成，其中向化肥行业配置的运力也有所减少。"
    "专家指出，化肥行业和钢铁行业市场化程度较高，所需运力较少，因此无需再通过计划安排运力。"
)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("gb18030", ZH_PARAGRAPH), ("big5hkscs", "國家發改委昨天下發通知，要求各地落實價格調控政策，穩定電煤價格。" * 4)],
)
def test_an_undeclared_cjk_page_with_a_damaged_byte_is_read_in_its_charset(encoding: str, text: str) -> None:
    # No charset declared and one byte cut out of a character: every strict reading fails, and detection offers a
    # Cyrillic codepage. The lenient reading in the page's own charset loses one character, not the page.
    body = f"<html><head><title>新聞</title></head><body><p>{text}</p><p>{text}</p></body></html>".encode(encoding)
    cut = body.index(text[20].encode(encoding))
    damaged = body[:cut] + body[cut + 1 :]
    decoded = decode_body(damaged)
    assert decoded.encoding == encoding
    assert text[30:] in decoded.text and text in decoded.text


def test_an_undeclared_cyrillic_page_stays_cyrillic() -> None:
    text = "Правительство в понедельник объявило о новых мерах поддержки экономики страны и регионов. " * 20
    body = f"<html><body><p>{text}</p></body></html>".encode("cp1251")
    decoded = decode_body(body)
    assert "Правительство" in decoded.text


# A CleanEval page (a blog's recipe post) whose paragraphs were replaced by a Russian news paragraph and saved in
# windows-1251 without any charset declaration, as old Russian sites serve their pages. Mostly English markup and
# navigation around a little Cyrillic text: charset-normalizer, asked among all Python codecs, took it for cp1125
# (a DOS code page for Ukrainian no browser decodes).
UNDECLARED_CP1251 = Path(__file__).parent / "fixtures/decode/undeclared_windows-1251.html"


def test_an_undeclared_legacy_page_is_read_in_an_encoding_browsers_know() -> None:
    body = UNDECLARED_CP1251.read_bytes()
    assert meta_charset(body) is None
    decoded = decode_body(body)
    assert decoded.encoding == "cp1251"
    assert "Правительство объявило о новых мерах поддержки малого бизнеса." in decoded.text


@pytest.mark.parametrize("declared", [True, False])
def test_iso_2022_jp_is_read_although_its_bytes_are_valid_utf8(declared: bool) -> None:
    page = ("<html><head>" + ('<meta charset="iso-2022-jp">' if declared else "") + "<title>ニュース</title></head>"
            "<body><p>政府は中小企業を支援する新たな対策を発表しました。</p></body></html>")
    body = page.encode("iso2022_jp")
    assert body.isascii()
    decoded = decode_body(body)
    assert decoded.encoding == "iso2022_jp"
    assert decoded.text == page
