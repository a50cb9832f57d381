import pytest

from pipelines.textkey import dedup_key, search_key


@pytest.mark.parametrize(
    ("variants", "why"),
    [
        (["ايران", "إيران"], "alef with hamza below"),
        (["أشتياني", "آشتياني", "اشتياني", "آشتیاني"], "hamza/madda forms and a Persian yeh (U+06CC)"),
        (["اطار", "إطار"], "hamza below"),
        (["حطّت", "حطت"], "shadda"),
        (["مُحَمَّد", "محمد"], "harakat"),
        (["العـــربية", "العربية"], "tatweel"),
        (["على", "علي"], "alef maksura"),
        (["کتاب", "كتاب"], "Persian keheh"),
        (["ٱلله", "الله"], "alef wasla"),
        (["٢٠٢٣", "۲۰۲۳", "2023"], "Arabic-Indic and Persian digits"),
        (["“سوخوي سو-35″", '"سوخوي سو-35"'], "typographic quotes"),
        (["\u200fطهران\u200e", "طهران"], "bidi marks"),
        (["ﻻ", "لا"], "presentation-form ligature (NFKC)"),
        (["Tehran", "TEHRAN", "tehran"], "Latin case"),
        (["Москва", "МОСКВА"], "Cyrillic case"),
        (["Straße", "STRASSE"], "full case folding"),
    ],
)
def test_spellings_share_one_search_key(variants, why):
    assert len({search_key(v) for v in variants}) == 1, why


def test_zwnj_becomes_a_word_boundary():
    assert search_key("می\u200cخواهم") == "مي خواهم"


def test_teh_marbuta_is_unified_only_in_the_dedup_key():
    assert search_key("مدرسة") != search_key("مدرسه")
    assert dedup_key("مدرسة") == dedup_key("مدرسه")


def test_whitespace_collapses():
    assert search_key("  a \n\n b\t") == "a b"


def test_words_that_differ_stay_different():
    assert search_key("طهران") != search_key("تهران")
    assert search_key("موسكو") != search_key("موسكوا")


@pytest.mark.parametrize(
    ("a", "b"),
    [("İstanbul", "istanbul"), ("Hezbol\u00adlah", "Hezbollah"), ("وقف إطلاق النار — غزة", "وقف اطلاق النار - غزه".replace("غزه", "غزة"))],
)
def test_turkish_dotted_i_soft_hyphen_and_dashes(a, b):
    assert search_key(a) == search_key(b)
