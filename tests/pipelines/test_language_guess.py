"""Guesses made ahead (in the extraction pool): used only on the very text they were made on, and deciding exactly
what the pipeline decides on its own."""

import pytest

from pipelines.language import Guess, detect_language, guess_language
from tests.pipelines.test_language import ARABIC, ARABIC_PERSIAN_YEH, ENGLISH, HEBREW, PERSIAN, RUSSIAN, URDU

SORANI = ("حکومەتی هەرێمی کوردستان ڕایگەیاند کە مووچەی فەرمانبەران لە هەفتەی داهاتوودا دابەش دەکرێت و "
          "وەزارەتی دارایی ئامادەکارییەکانی تەواو کردووە بۆ ئەوەی هیچ دواکەوتنێک ڕوو نەدات")
HINT_SETS = [{}, {"html": "en", "source": "ar"}, {"html": "ar"}, {"source": "ps"}, {"feed": "ku"}, {"html": "fa"}]


@pytest.mark.parametrize("hints", HINT_SETS)
def test_a_guess_made_ahead_decides_as_the_pipeline_does(hints):
    for text in (ARABIC, ARABIC_PERSIAN_YEH, PERSIAN, URDU, SORANI, ENGLISH, HEBREW, RUSSIAN,
                 "Short title\nfew words here"):
        asked: list[str] = []
        guess = guess_language(text, hints)
        decided = detect_language(text, hints, guess, count=asked.append)
        assert decided == detect_language(text, hints), (text, hints)
        assert "language/guessed_here" not in asked, (text, hints)  # langdetect, where needed, ran ahead


def test_a_guess_on_other_text_is_not_used():
    wrong = Guess(ENGLISH, "ar", 0.99)  # made on text that normalize later changed: must not decide
    assert detect_language(ENGLISH + " More words.", {}, wrong) == ("en", "langdetect")
    assert detect_language(ENGLISH, {}, Guess(ENGLISH, "fr", 0.99)) == ("fr", "langdetect")  # same text: it is used


def test_no_guess_for_text_too_short_or_garbled_or_settled_by_its_letters():
    assert guess_language("two words", {}) is None
    assert guess_language(ARABIC, {"html": "ar"}) is None and guess_language(HEBREW, {}) is None
    assert guess_language(ENGLISH, {}) is not None
    assert guess_language("ط§ظ„ط¹ط±ط¨ظٹط© ظ„ظ„ط£ط®ط¨ط§ط± ط§ظ„ظٹظˆظ… ظپظٹ ط¨ظٹط±ظˆطھ ظˆط§ظ„ط¹ط§ظ„ظ…", {}) is None


def test_a_hint_naming_another_language_of_the_script_has_the_guess_made_ahead():
    # a Kurdish outlet says "ku"; the letters say Sorani: langdetect's word is wanted, and asked in the pool
    assert guess_language(SORANI, {"source": "ku"}) is not None
    assert guess_language(SORANI, {"source": "ckb"}) is None


def test_langdetect_is_asked_once_per_text():
    amharic = "የኢትዮጵያ መንግሥት ዛሬ ባወጣው መግለጫ በአገሪቱ የተለያዩ አካባቢዎች የሚካሄደው የልማት ሥራ በተያዘለት ጊዜ ይጠናቀቃል ብሏል"
    asked: list[str] = []
    detect_language(amharic, {}, count=asked.append)
    assert asked == ["language/guessed_here"]
