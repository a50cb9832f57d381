import pytest

from pipelines.language import detect_language

ARABIC = (
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران "
    "الزيارة التي تعتبر محطة مهمة لتعزيز التعاون، وسط جو من اللامبالاة تجاه الغرب الذي أعرب عن توجسه"
)
# Real Arabic outlets type the Persian yeh (U+06CC) in some words; here in most of them.
ARABIC_PERSIAN_YEH = (
    "أكد المتحدث باسم وزارة الخارجية الإیرانیة أن طهران مستعدة لاستئناف المفاوضات النوویة إذا أبدت الأطراف "
    "الغربیة جدیة حقیقیة، مشیرا إلى أن وزیر الخارجیة آشتیانی سیزور مسقط الأسبوع المقبل لبحث الملفات العالقة"
)
PERSIAN = (
    "قیمت دلار آمریکا در بازار آزاد تهران روز شنبه با افزایشی کم‌سابقه از مرز شصت هزار تومان گذشت. فعالان "
    "بازار ارز این جهش را به افزایش تنش‌های منطقه‌ای و نگرانی از تشدید تحریم‌ها نسبت می‌دهند."
)
URDU = (
    "کراچی میں گزشتہ رات سے جاری موسلا دھار بارش نے شہر کا نظام زندگی درہم برہم کر دیا ہے۔ شاہراہ فیصل "
    "سمیت کئی اہم سڑکوں پر پانی جمع ہونے سے ٹریفک گھنٹوں جام رہی۔"
)
ENGLISH = (
    "Talks on a ceasefire resumed on Friday in Cairo, officials said, as mediators pressed both sides "
    "to agree on a first phase that would free hostages and allow aid into the territory."
)
HEBREW = "בנק ישראל הודיע היום כי הריבית תיוותר ללא שינוי ברמה של ארבעה וחצי אחוזים, בשל אי הוודאות."
RUSSIAN = (
    "Банк России по итогам заседания совета директоров сохранил ключевую ставку на уровне 16 процентов "
    "годовых, отметив, что инфляция постепенно замедляется."
)


def garble(text: str) -> str:
    """UTF-8 bytes read as windows-1256: the mojibake langdetect calls Urdu."""
    return text.encode("utf-8").decode("cp1256", errors="replace")


@pytest.mark.parametrize(
    ("text", "hints", "expected"),
    [
        # long text: langdetect decides, whatever the hints say
        (ENGLISH, {"html": "ar"}, ("en", "langdetect")),
        (RUSSIAN, {"feed": "uk"}, ("ru", "langdetect")),
        # ... except where the letters settle it (langdetect is then not asked)
        (ARABIC, {"source": "en"}, ("ar", "script")),
        (PERSIAN, {"source": "ar"}, ("fa", "script")),
        (URDU, {}, ("ur", "script")),
        # Arabic with the Persian yeh mixed in stays Arabic (langdetect alone leans to fa)
        (ARABIC_PERSIAN_YEH, {}, ("ar", "script")),
        (ARABIC_PERSIAN_YEH.replace("ي", "ی"), {"source": "fa"}, ("ar", "script")),
        ("وزير الدفاع الإيراني آشتیاني يستقبل نظيره الروسي في طهران", {}, ("ar", "script")),
        # short text: the first plausible hint, in the order html, feed, sitemap, source
        ("عاجل", {"source": "ar", "html": "ar-LB"}, ("ar", "hint:html")),
        ("Breaking", {"feed": "en", "source": "ar"}, ("en", "hint:feed")),
        ("Breaking", {"source": "en_GB"}, ("en", "hint:source")),
        ("عاجل", {"sitemap": "ar", "source": "fa"}, ("ar", "hint:sitemap")),
        ("Breaking", {}, (None, None)),
        ("", {"source": "ar"}, ("ar", "hint:source")),  # nothing to contradict the hint
        # short text: a hint implausible for the script is skipped for the next one
        ("عاجل: انفجار في بيروت", {"html": "en"}, ("ar", "script")),  # في: Arabic
        ("عاجل", {"html": "en", "source": "ar"}, ("ar", "hint:source")),
        ("Уряд ухвалив бюджет на 2024 рік", {"html": "he", "feed": "ru", "source": "uk"}, ("uk", "hint:source")),
        ("Новый закон вступил в силу", {"html": "uk", "source": "ru"}, ("ru", "hint:source")),  # ы: not Ukrainian
        ("Breaking news", {"html": "ar", "source": "fr"}, ("fr", "hint:source")),
        # no plausible hint: the script decides where it can
        ("הממשלה אישרה את התקציב", {"source": "en"}, ("he", "script")),
        ("הממשלה אישרה את התקציב", {}, ("he", "script")),
        ("رئیس‌جمهور پزشکیان به نیویورک رفت", {"source": "ar"}, ("fa", "script")),  # ar on Persian: fa
        ("پیروزی تیم ملی", {"html": "en"}, ("fa", "script")),
        ("وزیراعظم کا دورہ چین", {"source": "en"}, ("ur", "script")),
        ("وزیراعظم کا دورہ چین", {"source": "fa"}, ("ur", "script")),  # Urdu-only letters: not Persian
        ("الحكومة تقر الموازنة العامة", {"source": "fa"}, ("ar", "script")),  # ة and ال: not Persian
        ("الحكومة تقر الموازنة العامة", {}, ("ar", "script")),
        ("Κυβέρνηση: νέα μέτρα", {"source": "en"}, ("el", "script")),
        # ... and says nothing where it cannot
        ("عاجل", {"source": "en"}, (None, None)),  # Arabic script, no letter that tells ar/fa/ur apart
        ("Срочно", {"source": "ar"}, (None, None)),
        # hint codes as pages write them
        ("Breaking", {"html": "fr_FR"}, ("fr", "hint:html")),
        ("Noticias", {"html": "es-419"}, ("es", "hint:html")),
        ("חדשות", {"html": "iw"}, ("he", "script")),  # legacy code for Hebrew, which the letters say anyway
        ("عاجل", {"feed": "ar-lb"}, ("ar", "hint:feed")),
        # garbled text gets no language, whatever langdetect or the hints say
        (garble(ARABIC), {"source": "ar"}, (None, "garbled")),
        (garble("الرئيس اللبناني يستقبل وفدا"), {"html": "ar"}, (None, "garbled")),
        (garble(PERSIAN), {}, (None, "garbled")),
        (garble(RUSSIAN), {"source": "ru"}, (None, "garbled")),
        (ARABIC.encode("utf-8").decode("cp1252", errors="replace"), {}, (None, "garbled")),
    ],
)
def test_detect_language(text, hints, expected):
    assert detect_language(text, hints) == expected


def test_detection_is_deterministic():
    assert {detect_language(ENGLISH, {})[0] for _ in range(20)} == {"en"}


def test_a_source_in_two_languages_is_decided_per_article():
    hints = {"source": "ar"}
    assert detect_language(ARABIC, hints) == ("ar", "script")
    assert detect_language(ENGLISH, hints) == ("en", "langdetect")


def test_a_short_text_with_no_plausible_hint_falls_back_to_a_sure_langdetect():
    title = "Central bank holds interest rates steady as inflation cools"
    assert detect_language(title, {"source": "ar"}) == ("en", "langdetect")
    assert detect_language("Breaking news today", {}) == (None, None)  # under 5 words: no guess


def test_only_the_start_of_a_long_text_is_read():
    text = (ENGLISH + " ") * 12 + "و " * 100_000  # the first 2000 characters are English
    assert detect_language(text, {}) == ("en", "langdetect")


def test_garbled_latin_is_flagged_like_garbled_arabic():
    # "Ã©" for "é": pipelines.mojibake decides what is garbled, for this stage and for the normalize pipeline's
    # repair (which runs first, so in a crawl this text arrives here repaired)
    text = ("Le gouvernement a présenté mercredi un projet de budget marqué par un effort d'économies sans "
            "précédent, avec l'objectif de ramener le déficit public sous la barre des cinq pour cent.")
    assert detect_language(text.replace("é", "Ã©"), {}) == (None, "garbled")
    assert detect_language(text, {}) == ("fr", "langdetect")


def test_langdetect_is_not_asked_where_the_letters_settle_the_language():
    asked: list[str] = []
    assert detect_language(ARABIC, {"html": "ar"}, count=asked.append) == ("ar", "script")
    assert detect_language(HEBREW, {}, count=asked.append) == ("he", "script")
    assert asked == []
    assert detect_language(ENGLISH, {"html": "en"}, count=asked.append) == ("en", "langdetect")
    assert asked == ["language/guessed_here"]


def test_a_hint_naming_another_language_of_the_script_has_langdetect_asked():
    # Pashto is written in Arabic script and its letters are not told apart: a page that says so is heard out
    asked: list[str] = []
    assert detect_language("عاجل: انفجار في بيروت", {"html": "ps"}, count=asked.append) == ("ps", "hint:html")
    assert asked == []  # too short for langdetect: the hint decides, as before the letters
    assert detect_language(ARABIC, {"html": "ps"}, count=asked.append) == ("ar", "langdetect")
    assert asked == ["language/guessed_here"]
