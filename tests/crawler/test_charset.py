"""Pages come out as the text they hold whatever their charset label says: windows-1256 and ISO-8859-6 Arabic
with no, a late or a wrong declaration, double-encoded UTF-8, and non-Arabic pages left as they were."""

from __future__ import annotations

import time

import pytest

from crawler.extraction import extract_article
from crawler.extraction.charset import codec_name, decode_html, declared_charset

# From the Al-Manar sample article (samples/almanar-shoigu-tehran.txt).
TITLE = "شويغو في طهران: التعاون بين موسكو وطهران بلغ مستوى جديداً"
PARAGRAPHS = [
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران (الرحلة "
    "الخارجية الثانية له بعد بيونغ يانغ). الزيارة التي تعتبر محطمة مهمة لتعزيز التعاون، وسط جو من اللامبالاة "
    "تجاه الغرب الذي أعرب عن توجسه من تعزيز روسيا لروابطها العسكرية مع إيران.",
    "وفي السياق، دعا وزير الدفاع الروسي للمزيد من التعاون مع إيران لتعزيز الاستقرار والأمن في الشرق الأوسط.",
    "وأضاف شويغو، خلال مباحثات مع نظيره الإيراني محمد رضا أشتياني اليوم الأربعاء، أن \"التعاون بين موسكو وطهران "
    "بلغ مستوى جديداً، والحوار الثنائي يتطور بشكل مكثف\".",
    "من جهته، أكد وزير الدفاع الايراني العميد محمد رضا آشتياني، أن \"الحفاظ على وحدة أراضي دول المنطقة والحدود "
    "الدولية هو أحد الخطوط الحمراء للجمهورية الإسلامية\"، معتبراً \"الاطار المقترح 3+3 سبيلاً لحل المشاكل والقضايا "
    "سلميا في منطقة القوقاز\".",
    "وأشار وزير الدفاع الايراني إلى اتفاق خطة العمل الشاملة المشتركة وإنتهاء فترة القيود التسليحية المفروضة من "
    "قبل مجلس الأمن في اطار القرار 2231 ، في تشرين الأول/أكتوبر 2023.",
    "وفي وقت سابق أفادت وكالة \"تسنيم\" الإيرانية أن زيارة شويغو ستبحث مستجدات المنطقة وعددا من الملفات الثنائية "
    "والإقليمية.",
]
# ISO-8859-6 has no Persian letters and no typographic quotes: the text above uses only characters that both
# windows-1256 and ISO-8859-6 can hold.


def page(meta: str = "", late_meta: str = "", script_bytes: int = 0, paragraphs: list[str] = PARAGRAPHS,
         title: str = TITLE) -> str:
    script = "var a = 1;\n" * (script_bytes // 11)
    return ("<!doctype html><html lang=\"ar\"><head>" + meta + f"<title>{title}</title>"
            f"<script>{script}</script>" + late_meta + "</head><body><article>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")


META = {
    "none": "",
    "utf-8": '<meta charset="utf-8">',
    "iso-8859-1": '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    "windows-1252": '<meta charset="windows-1252">',
    "windows-1256": '<meta charset="windows-1256">',
    "iso-8859-6": '<meta charset="iso-8859-6">',
}


@pytest.mark.parametrize("encoding", ["cp1256", "iso8859-6"])
@pytest.mark.parametrize(("meta", "late", "http"), [
    ("none", False, None),
    ("utf-8", False, None),           # wrong declaration
    ("iso-8859-1", False, None),      # wrong declaration
    ("windows-1252", False, None),    # wrong declaration
    ("windows-1256", False, None),    # right for cp1256, wrong for ISO-8859-6
    ("iso-8859-6", False, None),      # right for ISO-8859-6, wrong for cp1256
    ("windows-1256", True, None),     # right, but after 10 KB of script (past the 8 KB sniff)
    ("iso-8859-6", True, None),
    ("none", False, "utf-8"),         # the server's Content-Type is wrong
    ("none", False, "ISO-8859-1"),
    ("utf-8", False, "windows-1256"),
])
def test_legacy_arabic_bytes_come_out_as_arabic(encoding: str, meta: str, late: bool, http: str | None) -> None:
    html = page(late_meta=META[meta], script_bytes=10_000) if late else page(meta=META[meta])
    assert decode_html(html.encode(encoding), http_charset=http) == html


@pytest.mark.parametrize("encoding", ["cp1256", "iso8859-6"])
def test_short_legacy_arabic_snippet(encoding: str) -> None:
    html = f"<p>{PARAGRAPHS[1]}</p>"
    assert decode_html(html.encode(encoding)) == html
    html = "<title>وزير الدفاع الروسي في طهران</title>"
    assert decode_html(html.encode(encoding)) == html


def test_late_declaration_is_found() -> None:
    data = page(late_meta=META["windows-1256"], script_bytes=20_000).encode("cp1256")
    assert declared_charset(data) == "cp1256"
    # ... but not in the body, where quoted or embedded markup may say anything
    assert declared_charset(b"<html><head></head><body>" + b" " * 9000 + b'<meta charset="koi8-r">') is None


@pytest.mark.parametrize(("label", "codec"), [
    ("windows-1256", "cp1256"), ("ISO-8859-6", "iso8859-6"), ("iso-8859-1", "cp1252"), ("UTF8", "utf-8"),
    ("gb2312", "gb18030"), ("shift_jis", "cp932"), ("'utf-8'", "utf-8"), ("nonsense", None), (None, None),
])
def test_codec_names(label: str | None, codec: str | None) -> None:
    assert codec_name(label) == codec


DOUBLE_ENCODED = {
    # a UTF-8 page whose text went once through a cp1256 (or Latin-1) decode before being saved as UTF-8 again
    "cp1256": lambda text: text.encode("utf-8").decode("cp1256").encode("utf-8"),
    "cp1252": lambda text: "".join(bytes([b]).decode("cp1252", "ignore") or chr(b)
                                   for b in text.encode("utf-8")).encode("utf-8"),
}


@pytest.mark.parametrize("how", list(DOUBLE_ENCODED))
def test_double_encoded_utf8_is_repaired(how: str) -> None:
    html = page(meta=META["utf-8"])
    data = DOUBLE_ENCODED[how](html)
    assert data.decode("utf-8") != html
    assert decode_html(data) == html
    assert decode_html(data.decode("utf-8")) == html  # text already decoded by someone else


# Pages that must come out exactly as they are: UTF-8 in every script, and legacy pages that are not Arabic.
URDU = "پاکستان کے وزیر اعظم نے کہا ہے کہ حکومت مہنگائی پر قابو پانے کے لیے ہر ممکن اقدامات کر رہی ہے۔"
PERSIAN = "وزیر امور خارجه ایران در دیدار با همتای روس خود در تهران گفت که همکاری‌های دو کشور گسترش می‌یابد."
FRENCH = "Le ministre a déclaré à la presse : « voilà, c’est réglé », avant de quitter l’Élysée. Noël à Château-Thierry."
GERMAN = "Die Bürgermeisterin äußerte sich zur Größe des Projekts: „Wir müssen über die Straßenbahn reden.“"
TURKISH = "Türkiye'nin başkenti Ankara'da düzenlenen törende Cumhurbaşkanı, öğretmenlere teşekkür etti."
RUSSIAN = "Министр обороны России Сергей Шойгу прибыл в Тегеран с официальным визитом."


@pytest.mark.parametrize(("text", "encoding", "meta"), [
    (URDU, "utf-8", "utf-8"),
    (URDU, "utf-8", "none"),
    (PERSIAN, "utf-8", "windows-1256"),  # valid UTF-8 beats a legacy label
    (PARAGRAPHS[0], "utf-8", "iso-8859-1"),
    (FRENCH, "utf-8", "none"),
    (FRENCH, "cp1252", "iso-8859-1"),
    (FRENCH, "cp1252", "none"),
    (GERMAN, "cp1252", "none"),
    (GERMAN, "cp1252", "windows-1252"),
    (TURKISH, "utf-8", "utf-8"),
    (TURKISH, "cp1254", "iso-8859-9"),
    (RUSSIAN, "cp1251", "windows-1251"),
    (RUSSIAN, "koi8-r", "koi8-r"),
])
def test_other_pages_are_left_as_they_are(text: str, encoding: str, meta: str) -> None:
    meta_tag = META.get(meta, f'<meta charset="{meta}">')
    html = page(meta=meta_tag, paragraphs=[text], title=text[:30])
    assert decode_html(html.encode(encoding)) == html


def test_boms_and_ascii() -> None:
    assert decode_html("\ufeff<p>ok</p>".encode("utf-8")) == "<p>ok</p>"
    assert decode_html("<p>ok</p>".encode("utf-16")) == "<p>ok</p>"
    assert decode_html(b'<meta charset="utf-16"><p>ok</p>') == '<meta charset="utf-16"><p>ok</p>'
    assert decode_html(b"<p>ok</p>") == "<p>ok</p>"


def test_a_few_bad_bytes_in_a_utf8_page_keep_the_rest() -> None:
    html = page(meta=META["utf-8"])
    data = html.encode("utf-8").replace("طهران".encode("utf-8"), "طهران".encode("utf-8") + b"\xff", 1)
    got = decode_html(data)
    assert got.replace("\ufffd", "") == html


def test_extracted_article_from_undeclared_cp1256() -> None:
    html = page(meta='<meta property="og:title" content="شويغو في طهران">')
    got = extract_article(html.encode("cp1256"), "https://www.almanar.com.lb/11101386")
    assert got.title == "شويغو في طهران"
    assert got.body is not None and "وزير الدفاع الروسي سيرغي شويغو" in got.body


def test_decoding_a_large_legacy_page_is_fast() -> None:
    html = page(paragraphs=PARAGRAPHS * 300)  # ~500 KB
    data = html.encode("cp1256")
    started = time.perf_counter()
    for _ in range(5):
        assert decode_html(data) == html
    assert (time.perf_counter() - started) / 5 < 0.25
