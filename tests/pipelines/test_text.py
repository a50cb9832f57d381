import pytest

from pipelines.text import clean_body, clean_line, strip_site_name


def test_clean_line_is_nfc_single_spaced_without_bidi_overrides():
    decomposed = "Cafe\u0301  news\u00a0 \u202bتقرير\u202c\n"
    assert clean_line(decomposed) == "Café news تقرير"


def test_clean_body_keeps_paragraphs():
    assert clean_body("  First  para.\r\n\r\n\n Second\tpara. \n\n\n") == "First para.\n\nSecond para."


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Ceasefire talks resume | Global Wire", ["Global Wire"], "Ceasefire talks resume"),
        ("BBC News - Floods in Libya", ["BBC News"], "Floods in Libya"),
        ("شويغو في طهران - موقع المنار", ["موقع المنار"], "شويغو في طهران"),
        ("Al-Manar - a title", ["www.almanar.com.lb"], "a title"),
        # a dash inside a real title is not a site name
        ("Israel - Hezbollah clashes continue", ["Global Wire"], "Israel - Hezbollah clashes continue"),
        ("No suffix here", ["Global Wire"], "No suffix here"),
    ],
)
def test_strip_site_name(title, names, expected):
    assert strip_site_name(title, names) == expected


@pytest.mark.parametrize(
    ("body", "expected_body", "credit"),
    [
        ("فقرة أولى.\n\nفقرة ثانية.\n\nالمصدر: المنار", "فقرة أولى.\n\nفقرة ثانية.", "المنار"),
        ("فقرة.\nالمصدر : وكالة الأنباء الوطنية", "فقرة.", "وكالة الأنباء الوطنية"),
        ("متن خبر.\n\nمنبع: ایرنا", "متن خبر.", "ایرنا"),
        ("Talks resumed.\n\nSource: Reuters", "Talks resumed.", "Reuters"),
        # a credit in the middle of the text is part of the article, not its closing line
        ("المصدر: المنار\n\nفقرة أخيرة.", "المصدر: المنار\n\nفقرة أخيرة.", None),
        # a body that is only a credit line keeps it (nothing would be left)
        ("المصدر: المنار", "المصدر: المنار", None),
        ("قال المصدر إن المحادثات مستمرة", "قال المصدر إن المحادثات مستمرة", None),
    ],
)
def test_split_credit(body, expected_body, credit):
    from pipelines.text import split_credit

    assert split_credit(body) == (expected_body, credit)


def test_direction_marks_at_line_edges_are_dropped():
    assert clean_line("\u200fعنوان الخبر\u200f") == "عنوان الخبر"
    assert clean_line("\u200eBBC \u200fعربي") == "BBC عربي"


def test_a_last_sentence_starting_with_source_is_not_a_credit():
    from pipelines.text import split_credit

    body = "The deal was signed.\n\nSource: Reuters said the talks collapsed after midnight."
    assert split_credit(body) == (body, None)
