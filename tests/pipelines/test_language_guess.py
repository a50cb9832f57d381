"""Guesses made ahead (in the extraction pool): used only on the very text they were made on, and deciding exactly
what the pipeline decides on its own."""

from pipelines.language import Guess, detect_language, guess_language
from tests.pipelines.test_language import ARABIC, ARABIC_PERSIAN_YEH, ENGLISH, HEBREW, PERSIAN, RUSSIAN, URDU

HINTS = {"html": "en", "source": "ar"}


def test_a_guess_made_ahead_decides_as_the_pipeline_does():
    for text in (ARABIC, ARABIC_PERSIAN_YEH, PERSIAN, URDU, ENGLISH, HEBREW, RUSSIAN, "Short title\nfew words here"):
        guess = guess_language(text)
        assert detect_language(text, HINTS, guess) == detect_language(text, HINTS), text


def test_a_guess_on_other_text_is_not_used():
    wrong = Guess(ENGLISH, "ar", 0.99)  # made on text that normalize later changed: must not decide
    assert detect_language(ENGLISH + " More words.", {}, wrong) == ("en", "langdetect")
    assert detect_language(ENGLISH, {}, Guess(ENGLISH, "fr", 0.99)) == ("fr", "langdetect")  # same text: it is used


def test_no_guess_for_text_too_short_or_garbled_or_settled_by_its_letters():
    assert guess_language("two words") is None
    assert guess_language(ARABIC) is None and guess_language(HEBREW) is None
    assert guess_language(ENGLISH) is not None
    assert guess_language("ط§ظ„ط¹ط±ط¨ظٹط© ظ„ظ„ط£ط®ط¨ط§ط± ط§ظ„ظٹظˆظ… ظپظٹ ط¨ظٹط±ظˆطھ ظˆط§ظ„ط¹ط§ظ„ظ…") is None
