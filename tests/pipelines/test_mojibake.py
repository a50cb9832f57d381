"""Mojibake (UTF-8 read as cp1256 or Latin-1/cp1252) is detected and repaired; real text is never touched."""

from __future__ import annotations

import pytest

from pipelines.mojibake import looks_mojibake, repair_mojibake

# From the Al-Manar sample article (samples/almanar-shoigu-tehran.txt).
ARABIC = [
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران (الرحلة "
    "الخارجية الثانية له بعد بيونغ يانغ).",
    "وزير الحرب الأمريكي لويد أوستن كان قد زعم أن “زيادة التعاون العسكري الإيراني الروسي يؤدي إلى عواقب سلبية على "
    "أوكرانيا ومنطقة الشرق الأوسط”، فيما هدد البيت الأبيض بفرض عقوبات على “من يسهل التعاون العسكري” بين روسيا وإيران.",
    "وقال العميد آشتياني، إن “التعاون الدفاعي والعسكري بين البلدين حظي دائمًا بدعم واسناد القيادات رفيعة المستوى "
    "فيهما بهدف تعزيز وترسيخ الاستقرار والأمن في المنطقة والنظام الدولي”.",
    "وأشار وزير الدفاع الايراني إلى اتفاق خطة العمل الشاملة المشتركة وإنتهاء فترة القيود التسليحية المفروضة من قبل "
    "مجلس الأمن في اطار القرار 2231 ، في تشرين الأول/أكتوبر 2023.",
    "ظل الطقس مستقراً طوال الأسبوع، وطالب المزارعون بتعويضات عن الأضرار التي لحقت بمحاصيلهم بعد موجة الصقيع.",
    "أعلنت وزارة الصحة ٣ إصابات جديدة، وقالت إن الوضع تحت السيطرة… «لا داعي للقلق» بحسب بيانها.",
    "ايران.. “خطوط حمراء وكذبة سياسية كبيرة”",
    "العربية",
]
# Real Urdu and Persian use ط, ظ, ھ, ک, گ, پ, ں and ZWNJ — the very characters mojibake is made of.
URDU = [
    "پاکستان کے وزیر اعظم نے کہا ہے کہ حکومت مہنگائی پر قابو پانے کے لیے ہر ممکن اقدامات کر رہی ہے اور آئندہ بجٹ میں "
    "عوام کو ریلیف دیا جائے گا۔",
    "لاہور میں شدید دھند کے باعث موٹروے کو ٹریفک کے لیے بند کر دیا گیا جبکہ متعدد پروازیں بھی تاخیر کا شکار ہوئیں۔",
    "طالبات نے امتحانات میں نمایاں کامیابی حاصل کی، ظاہر ہے کہ محنت کا کوئی نعم البدل نہیں، انہوں نے لکھ کر دیا تھا۔",
    "سپریم کورٹ نے طلبہ کی درخواست پر فیصلہ محفوظ کر لیا اور کہا کہ تعلیمی اداروں میں طلبہ یونین کی بحالی ضروری ہے۔",
    "بھارت اور پاکستان کے درمیان کرکٹ میچ دیکھنے کے لیے ہزاروں شائقین اسٹیڈیم پہنچے، موسم خوشگوار رہا۔",
    "بھ تھ لکھ",  # chance UTF-8 byte pairs in cp1256 (C8 AA is U+022A) must not count as mojibake
]
PERSIAN = [
    "وزیر امور خارجه ایران در دیدار با همتای روس خود در تهران گفت که همکاری‌های دو کشور در زمینه انرژی و "
    "حمل‌ونقل گسترش می‌یابد.",
    "به گزارش خبرگزاری تسنیم، سرلشکر محمد باقری رئیس ستاد کل نیروهای مسلح در این نشست بر ضرورت حفظ ثبات منطقه "
    "تأکید کرد.",
    "قیمت طلا و سکه در بازار امروز تهران کاهش یافت و کارشناسان این روند را به ثبات نرخ ارز نسبت می‌دهند.",
    "ظریف در گفت‌وگو با خبرنگاران گفت: ما به دنبال تنش نیستیم، اما از منافع ملی خود با قاطعیت دفاع خواهیم کرد.",
]
LATIN = [
    "Le ministre a déclaré à la presse : « voilà, c’est réglé », avant de quitter l’Élysée.",
    "Türkiye'nin başkenti Ankara'da düzenlenen törende Cumhurbaşkanı, öğretmenlerin özverili çalışmalarına "
    "teşekkür etti.",
    "Die Bürgermeisterin äußerte sich zur Größe des Projekts: „Wir müssen über die Straßenbahn reden.“",
    "São Paulo: O presidente disse que a reforma tributária será votada em março, após negociações.",
    "¿Qué pasó? El niño jugó en el jardín; mañana irá a la escuela — dijo su mamá.",
    "Ä Ö Ü — Ç à la carte, naïve café, Noël, Ångström, Øresund, Ñandú",
    "Plain ASCII text, nothing to see here.",
    "",
]
GENUINE = ARABIC + URDU + PERSIAN + LATIN


@pytest.mark.parametrize("text", GENUINE)
def test_real_text_is_not_mojibake_and_is_left_alone(text: str) -> None:
    assert not looks_mojibake(text)
    assert repair_mojibake(text) == text


def _latin_mojibake(text: str) -> str:
    """What a browser shows for UTF-8 read as windows-1252 (undefined bytes become C1 controls)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


MISDECODINGS = {
    "cp1256": lambda t: t.encode("utf-8").decode("cp1256"),
    "latin-1": lambda t: t.encode("utf-8").decode("latin-1"),
    "cp1252 (browser)": _latin_mojibake,
    # cp1252 with its undefined bytes (0x81 in "ف", 0x9D in "”", 0x81 in Urdu "ہ") dropped, as many tools do
    "cp1252 (lossy)": lambda t: t.encode("utf-8").decode("cp1252", errors="ignore"),
    # the no-break space of "à" (C3 A0) normalized to a plain space
    "cp1252 (nbsp lost)": lambda t: _latin_mojibake(t).replace("\xa0", " "),
    "cp1256 twice": lambda t: t.encode("utf-8").decode("cp1256").encode("utf-8").decode("cp1256"),
}


@pytest.mark.parametrize("how", list(MISDECODINGS))
@pytest.mark.parametrize("text", [t for t in GENUINE if any(ord(ch) > 0x7F for ch in t)])
def test_mojibake_is_detected_and_repaired(text: str, how: str) -> None:
    garbled = MISDECODINGS[how](text)
    assert garbled != text
    assert looks_mojibake(garbled)
    assert repair_mojibake(garbled) == text


@pytest.mark.parametrize(("garbled", "expected"), [
    ("ط§ظ„ط¹ط±ط¨ظٹط©", "العربية"),                # langdetect calls this Urdu
    ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "العربية"),               # the commonest form on the web
    ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ© ÙÙŠ Ø§Ù„Ø¹Ø§Ù„Ù…", "العربية في العالم"),  # "ف" with its 0x81 byte gone
    ("Le ministre a dÃ©clarÃ© Ã  la presse", "Le ministre a déclaré à la presse"),
    ("Ø´ÙˆÙŠØºÙˆ ÙÙŠ Ø·Ù‡Ø±Ø§Ù† â€“ Ù…ÙˆÙ‚Ø¹ Ø§Ù„Ù…Ù†Ø§Ø±", "شويغو في طهران – موقع المنار"),
    # a page that is half right: the repaired part joins the untouched part
    ("شويغو في طهران: ط§ظ„ط±ط­ظ„ط© ط§ظ„ط®ط§ط±ط¬ظٹط© ط§ظ„ط«ط§ظ†ظٹط©", "شويغو في طهران: الرحلة الخارجية الثانية"),
])
def test_known_forms(garbled: str, expected: str) -> None:
    assert looks_mojibake(garbled)
    assert repair_mojibake(garbled) == expected


def _with_lost_characters(garbled: str, every: int) -> str:
    """Every ``every``-th non-ASCII character replaced by "?", as a latin1 database column or a lossy re-encode
    does: those bytes are gone, so no clean repair exists."""
    out, seen = [], 0
    for ch in garbled:
        if ord(ch) > 0x7F:
            seen += 1
            if seen % every == 0:
                ch = "?"
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize("text", ARABIC[:4] + URDU[:2] + PERSIAN[:2])
@pytest.mark.parametrize("how", ["cp1256", "latin-1"])
def test_mojibake_that_cannot_be_repaired_gives_none(text: str, how: str) -> None:
    garbled = _with_lost_characters(MISDECODINGS[how](text), every=7)
    assert looks_mojibake(garbled)
    assert repair_mojibake(garbled) is None


def test_long_text_is_fast() -> None:
    import time

    text = " ".join(GENUINE) * 200  # ~250 KB
    garbled = text.encode("utf-8").decode("cp1256")
    started = time.perf_counter()
    assert not looks_mojibake(text)
    assert repair_mojibake(garbled) == text
    assert time.perf_counter() - started < 1.0
