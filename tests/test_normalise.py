"""Unicode/whitespace normalisation and the match form."""

from __future__ import annotations

import itertools
import random

from crawler.text import normalise
from crawler.text.normalise import match_form, normalise_inline, normalise_text, to_simplified


def test_sina_ideographic_indent_and_fullwidth_alnum() -> None:
    assert normalise_inline("　　原标题：海淀区１８项ＡＩ新基建") == "原标题：海淀区18项AI新基建"


def test_chinese_punctuation_stays_as_written() -> None:
    text = "新基建，“两区”建设：（一）好！对吗？是；"
    assert normalise_inline(text) == text


def test_invisible_characters_removed_and_nbsp_is_a_space() -> None:
    raw = "Zhong\u200bguan\u200c\u200dcun\ufeff\u2060 Science\u00a0City"
    assert normalise_inline(raw) == "Zhongguancun Science City"


def test_html_entities_decoded() -> None:
    raw = ".appendQr_wrap&#123;border:1px&#125; Q&amp;A &eacute;"
    assert normalise_inline(raw) == ".appendQr_wrap{border:1px} Q&A é"


def test_nfc_composes_combining_marks() -> None:
    assert normalise_inline("Gro\u0308\u00dfe") == "Gr\u00f6\u00dfe"


def test_paragraphs_separated_by_one_blank_line_and_whitespace_collapsed() -> None:
    raw = "  first   line\nsame paragraph \n\n\n\n second\t\tparagraph \n \n"
    assert normalise_text(raw) == "first line same paragraph\n\nsecond paragraph"


def test_line_break_between_han_characters_is_not_a_space() -> None:
    assert normalise_text("北京海淀区\n数字新基建") == "北京海淀区数字新基建"


def test_match_form_folds_width_case_and_traditional_chinese() -> None:
    assert match_form("北京海澱區 ＡＩ Computing") == match_form("北京海淀区 ai computing")
    assert match_form("電腦") == "电脑"
    assert match_form("Straße") == "strasse"


def test_stored_text_keeps_traditional_characters() -> None:
    assert normalise_text("電腦") == "電腦"


def test_piecewise_traditional_conversion_equals_converting_the_whole_text() -> None:
    """to_simplified converts only the pieces between punctuation that need it; OpenCC on the whole text is
    the reference. The text is made of the converter's own phrase entries, so long matches are everywhere."""
    tables = normalise._t2s_tables()
    assert tables, "OpenCC's tables are readable"
    keys = sorted({key for table in tables for key in table})
    phrases = [key for key in keys if len(key) > 1]
    assert len(phrases) > 100
    rng = random.Random(7)
    chosen = phrases * 3 + rng.sample([key for key in keys if len(key) == 1], 1500)
    rng.shuffle(chosen)
    punctuation = itertools.cycle(["，", "。", "", "\n\n", "：「", "」", " ", "", "、"])
    text = "".join(phrase + next(punctuation) for phrase in chosen)
    whole = normalise._t2s().convert(text)
    assert to_simplified(text) == whole
    assert to_simplified("這個國家的經濟。沈默是金！臺灣的計程車") == "这个国家的经济。沉默是金！台湾的计程车"


def test_simplified_text_passes_through_unconverted() -> None:
    text = "这个国家的经济发展很快。"
    assert to_simplified(text) is text


def _every_step(text: str) -> str:
    """normalise_inline's steps all taken, whatever the text holds (the definition its shortcuts must match)."""
    import html
    import unicodedata

    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(normalise._FULLWIDTH_ALNUM)
    text = normalise._INVISIBLE_RE.sub("", text)
    text = text.translate(normalise._SPACE_TABLE)
    text = normalise._CJK_LINEBREAK_RE.sub("", text)
    return normalise._WS_RUN_RE.sub(" ", text).strip()


def test_shortcuts_of_normalise_inline_change_nothing() -> None:
    rnd = random.Random(3)
    alphabet = [*"ab \n\t&;#x", "&amp;", "&nbsp;", "&#12354;", "&lt;", "&#xff21;", "\u200b", "\u00ad", "\u00a0",
                "\u3000", "\u2009", "Ａ", "９", "ｚ", "中", "文", "e\u0301", "ﬁ", "\r", "，", "Ä", "\n\n"]
    for _ in range(30000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        assert normalise_inline(text) == _every_step(text), repr(text)
