"""Dates: every written form a news page uses, and the page-level chain that picks one and says where from."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.extraction import extract_article
from crawler.extraction.dates import (
    find_text_dates,
    hijri_to_gregorian,
    is_partial_date,
    jalali_to_gregorian,
    parse_date,
)
from crawler.extraction.page_dates import url_date

FETCHED = datetime(2023, 9, 20, 12, 0, tzinfo=timezone.utc)
NO_DATE_URL = "https://news.example.com/world/story-123"


def first(text: str, fetched_at: datetime | None = FETCHED) -> tuple[datetime, str] | None:
    found = [d for d in find_text_dates(text, fetched_at) if not d.updated]
    return (found[0].value, found[0].kind) if found else None


# --- visible-text dates, one row per form ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Levantine months, weekday prefix, "- 14:35"
        ("الأربعاء 20 أيلول 2023 - 14:35", datetime(2023, 9, 20, 14, 35)),
        ("الجمعة 5 كانون الثاني 2024", datetime(2024, 1, 5)),
        ("12 شباط 2023", datetime(2023, 2, 12)),
        ("1 آذار 2023", datetime(2023, 3, 1)),
        ("9 نيسان 2023", datetime(2023, 4, 9)),
        ("3 أيار 2023", datetime(2023, 5, 3)),
        ("14 حزيران 2023", datetime(2023, 6, 14)),
        ("30 تموز 2023", datetime(2023, 7, 30)),
        ("4 آب 2023", datetime(2023, 8, 4)),
        ("10 تشرين الثاني 2023", datetime(2023, 11, 10)),
        ("25 كانون الأول 2023", datetime(2023, 12, 25)),
        # the double form, the Arabic comma after the weekday, ص/م
        ("الثلاثاء، 3 تشرين الأول/أكتوبر 2023 04:10 م", datetime(2023, 10, 3, 16, 10)),
        ("الثلاثاء، 3 تشرين الأول/أكتوبر 2023 04:10 ص", datetime(2023, 10, 3, 4, 10)),
        ("20 أيلول (سبتمبر) 2023", datetime(2023, 9, 20)),
        ("الخميس 21 سبتمبر 2023 | 09:15 مساءً", datetime(2023, 9, 21, 21, 15)),
        ("10:30 ص - 20 أغسطس 2023", datetime(2023, 8, 20, 10, 30)),
        ("12:05 م، 20 أغسطس 2023", datetime(2023, 8, 20, 12, 5)),
        # Egyptian / Gulf months and spelling variants
        ("٢٠ سبتمبر ٢٠٢٣", datetime(2023, 9, 20)),
        ("٢٠ أيلول ٢٠٢٣", datetime(2023, 9, 20)),
        ("1 يناير 2024", datetime(2024, 1, 1)),
        ("7 فبراير 2024", datetime(2024, 2, 7)),
        ("15 مارس 2024", datetime(2024, 3, 15)),
        ("2 أبريل 2024", datetime(2024, 4, 2)),
        ("2 ابريل 2024", datetime(2024, 4, 2)),
        ("2 إبريل 2024", datetime(2024, 4, 2)),
        ("18 مايو 2024", datetime(2024, 5, 18)),
        ("6 يونيو 2024", datetime(2024, 6, 6)),
        ("6 يونيه 2024", datetime(2024, 6, 6)),
        ("23 يوليو 2024", datetime(2024, 7, 23)),
        ("20 أغسطس 2023م", datetime(2023, 8, 20)),
        ("20 اغسطس 2023", datetime(2023, 8, 20)),
        ("5 اكتوبر 2023", datetime(2023, 10, 5)),
        ("5 أكتوبر 2023", datetime(2023, 10, 5)),
        ("11 نوفمبر 2023", datetime(2023, 11, 11)),
        ("31 ديسمبر 2023", datetime(2023, 12, 31)),
        ("السبت ١٤ أكتوبر ٢٠٢٣ - ١١:٤٥ ص", datetime(2023, 10, 14, 11, 45)),
        ("سبتمبر 20، 2023", datetime(2023, 9, 20)),
        # Maghrebi months
        ("15 شتنبر 2023", datetime(2023, 9, 15)),
        ("1 ماي 2023", datetime(2023, 5, 1)),
        ("7 يوليوز 2023", datetime(2023, 7, 7)),
        ("نشر في 12 غشت 2023 على الساعة 10:00", datetime(2023, 8, 12, 10, 0)),
        ("5 نونبر 2023", datetime(2023, 11, 5)),
        ("3 دجنبر 2023", datetime(2023, 12, 3)),
        ("الخميس 18 يناير 2024", datetime(2024, 1, 18)),
        ("9 فبراير 2024", datetime(2024, 2, 9)),
        ("22 أبريل 2024", datetime(2024, 4, 22)),
        ("30 يونيو 2024", datetime(2024, 6, 30)),
        ("5 أكتوبر 2023", datetime(2023, 10, 5)),
        # Algerian / Tunisian
        ("12 جويلية 2023", datetime(2023, 7, 12)),
        ("3 أوت 2023", datetime(2023, 8, 3)),
        # numeric, as Arab and European sites write them (day first)
        ("2023/9/20", datetime(2023, 9, 20)),
        ("20/09/2023 - 14:35", datetime(2023, 9, 20, 14, 35)),
        ("٢٠٢٣/٠٩/٢٠", datetime(2023, 9, 20)),
        ("Veröffentlicht am 13.05.2026 um 15:44", datetime(2026, 5, 13, 15, 44)),
        # English and other languages, through dateparser
        ("Published: 20 September 2023, 14:35", datetime(2023, 9, 20, 14, 35)),
        ("September 20, 2023 at 2:35 pm", datetime(2023, 9, 20, 14, 35)),
        ("Veröffentlicht am 13. Mai 2026 um 15:44", datetime(2026, 5, 13, 15, 44)),
        ("publié le 4 mars 2024", datetime(2024, 3, 4)),
    ],
)
def test_gregorian_text_dates(text: str, expected: datetime) -> None:
    assert first(text) == (expected, "text")


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("منذ 3 ساعات", timedelta(hours=3)),
        ("منذ ساعة", timedelta(hours=1)),
        ("قبل ساعة", timedelta(hours=1)),
        ("منذ ساعتين", timedelta(hours=2)),
        ("منذ دقيقتين", timedelta(minutes=2)),
        ("منذ 25 دقيقة", timedelta(minutes=25)),
        ("منذ ٥ دقائق", timedelta(minutes=5)),
        ("منذ يومين", timedelta(days=2)),
        ("منذ 3 أيام", timedelta(days=3)),
        ("منذ أسبوع", timedelta(weeks=1)),
        ("أمس", timedelta(days=1)),
        ("البارحة", timedelta(days=1)),
        ("اليوم", timedelta(0)),
        ("أول أمس", timedelta(days=2)),
        ("۳ ساعت پیش", timedelta(hours=3)),
        ("دیروز", timedelta(days=1)),
        ("3 hours ago", timedelta(hours=3)),
        ("an hour ago", timedelta(hours=1)),
        ("yesterday", timedelta(days=1)),
    ],
)
def test_relative_dates_count_back_from_the_fetch_time_and_are_aware(text: str, ago: timedelta) -> None:
    value, kind = first(text)
    assert kind == "text:relative"
    assert value == FETCHED - ago and value.tzinfo is not None


def test_relative_dates_need_a_fetch_time_and_are_never_read_inside_a_sentence() -> None:
    assert first("منذ 3 ساعات", fetched_at=None) is None
    assert first("قال الوزير اليوم إن الحكومة ستجتمع") is None  # "today" in prose is not a date line
    assert first("منذ بضع دقائق") is None  # "a few minutes ago": not a time
    assert parse_date("منذ 3 ساعات") is None and parse_date("3 hours ago") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۲۹ شهریور ۱۴۰۲", datetime(2023, 9, 20)),
        ("چهارشنبه ۲۹ شهریور ۱۴۰۲ - ۱۴:۳۵", datetime(2023, 9, 20, 14, 35)),
        ("۱ فروردین ۱۴۰۳", datetime(2024, 3, 20)),
        ("۱۱ دی ۱۴۰۲", datetime(2024, 1, 1)),
        ("۳۰ اسفند ۱۴۰۳", datetime(2025, 3, 20)),  # 1403 is a leap year
        ("۵ آذر ۱۴۰۲", datetime(2023, 11, 26)),  # آذر (Persian month 9), not آذار (Levantine March)
        ("1402/06/29", datetime(2023, 9, 20)),
    ],
)
def test_solar_hijri_dates_convert_to_gregorian(text: str, expected: datetime) -> None:
    assert first(text) == (expected, "text:solar-hijri")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 ربيع الأول 1445 هـ", datetime(2023, 9, 20)),
        ("الأربعاء ٥ ربيع الأول ١٤٤٥هـ", datetime(2023, 9, 20)),
        ("1 رمضان 1445 هـ", datetime(2024, 3, 11)),
    ],
)
def test_hijri_dates_are_found_but_tagged(text: str, expected: datetime) -> None:
    value, kind = first(text)
    assert kind == "text:hijri"
    assert abs(value - expected) <= timedelta(days=1)  # the tabular calendar can be a day off
    assert parse_date(text) is None  # never as a plain date


@pytest.mark.parametrize(
    "text",
    ["سبتمبر 2023", "أيلول 2023", "كانون الثاني 2024", "تشرين الأول/أكتوبر 2023", "2023", "September 2023",
     "شهریور ۱۴۰۲", "ربيع الأول 1445 هـ", "2023-09", "no date here", "31 شباط 2023", "32 أيلول 2023"],
)
def test_half_understood_or_impossible_dates_are_no_dates(text: str) -> None:
    assert find_text_dates(text, FETCHED) == []
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["2024", "2024-09", "سبتمبر 2023", "September 2023", "أيلول ٢٠٢٣"])
def test_partial_dates_are_recognised_as_partial(text: str) -> None:
    assert is_partial_date(text)


def test_an_update_line_is_flagged() -> None:
    found = find_text_dates("نشر في: 20 سبتمبر 2023 | آخر تحديث: 21 سبتمبر 2023")
    assert [(d.value, d.updated) for d in found] == [(datetime(2023, 9, 20), False), (datetime(2023, 9, 21), True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الأربعاء 20 أيلول 2023 - 14:35", datetime(2023, 9, 20, 14, 35)),
        ("الثلاثاء، 3 تشرين الأول/أكتوبر 2023 04:10 م", datetime(2023, 10, 3, 16, 10)),
        ("٢٠ سبتمبر ٢٠٢٣", datetime(2023, 9, 20)),
        ("15 شتنبر 2023", datetime(2023, 9, 15)),
        ("۲۹ شهریور ۱۴۰۲", datetime(2023, 9, 20)),
        ("٢٠٢٣-٠٩-٢٠T14:35:00+03:00", datetime(2023, 9, 20, 14, 35, tzinfo=timezone(timedelta(hours=3)))),
    ],
)
def test_parse_date_reads_the_same_forms_from_metadata(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("solar", "gregorian"),
    [((1402, 1, 1), (2023, 3, 21)), ((1403, 1, 1), (2024, 3, 20)), ((1404, 1, 1), (2025, 3, 21)),
     ((1399, 12, 30), (2021, 3, 20)), ((1370, 1, 1), (1991, 3, 21)), ((1396, 7, 1), (2017, 9, 23))],
)
def test_jalali_conversion(solar: tuple[int, int, int], gregorian: tuple[int, int, int]) -> None:
    assert jalali_to_gregorian(*solar).timetuple()[:3] == gregorian


def test_impossible_calendar_days_raise() -> None:
    with pytest.raises(ValueError):
        jalali_to_gregorian(1402, 12, 30)  # 1402 is not a leap year
    with pytest.raises(ValueError):
        hijri_to_gregorian(1445, 13, 1)


# --- URL dates -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.com/2023/09/20/council-votes/", datetime(2023, 9, 20)),
        ("https://www.example.com/news/20230920/council-votes", datetime(2023, 9, 20)),
        ("https://www.example.com/news/council-votes-2023-09-20.html", datetime(2023, 9, 20)),
        ("https://www.tageszeitung.it/2025/04/01/einsatz-2/", datetime(2025, 4, 1)),
        ("https://www.example.com/2024/04/theater.html", None),  # a month is not a day
        ("https://www.example.com/news/article/A2026012914320005196", None),  # an id, not a date
        ("https://www.example.com/2023/02/30/story", None),
        ("https://www.example.com/story?date=2023-09-20", None),  # the query is not the path
    ],
)
def test_url_dates(url: str, expected: datetime | None) -> None:
    assert url_date(url) == expected


# --- the page-level chain --------------------------------------------------------------------------------------

ARTICLE = "".join(
    f"<p>{p}</p>" for p in [
        "قال وزير الخارجية في مؤتمر صحافي عقده في العاصمة إن المحادثات مع الجانب الآخر حققت تقدماً ملموساً في "
        "عدد من الملفات العالقة، وإن الجولة المقبلة ستعقد خلال الأسابيع القليلة القادمة بحضور الوسطاء.",
        "وأضاف أن الحكومة ملتزمة بمواصلة الحوار، مشيراً إلى أن الاتفاق على جدول زمني واضح سيساعد في بناء الثقة "
        "بين الطرفين، وأن اللجان الفنية ستواصل عملها في الفترة الفاصلة بين الجولتين.",
    ]
)


def arabic_page(before_h1: str = "", after_h1: str = "", *, head: str = "", tail: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">{head}</head><body>'
            f"<header class='site-header'><div class='today'>الجمعة 22 أيلول 2023</div></header>"
            f"{before_h1}<article><h1>الوزير: المحادثات حققت تقدماً</h1>{after_h1}{ARTICLE}</article>"
            f"{tail}<footer>© 2023</footer></body></html>")


def published(html: str, url: str = NO_DATE_URL, fetched_at: datetime = FETCHED) -> tuple[datetime | None, str | None]:
    got = extract_article(html, url, fetched_at=fetched_at)
    return got.published_at, got.provenance.get("published_at")


def test_date_in_the_url_when_the_page_has_no_metadata() -> None:
    assert published(arabic_page(), "https://news.example.com/2023/09/20/talks") == (datetime(2023, 9, 20), "url")


def test_text_gives_the_time_of_the_day_the_url_names() -> None:
    html = arabic_page(after_h1="<div class='meta'><span>الأربعاء 20 أيلول 2023 - 14:35</span></div>")
    assert published(html, "https://news.example.com/2023/09/20/talks") == (datetime(2023, 9, 20, 14, 35), "text")


def test_text_date_near_the_headline_beats_a_sidebar_and_the_masthead() -> None:
    sidebar = ("<aside class='sidebar'><ul><li><span class='date'>1 أيلول 2023</span> خبر آخر</li>"
               "<li><span class='date'>2 أيلول 2023</span> خبر ثالث</li></ul></aside>")
    related = "<div class='related-news'><span class='post-date'>5 أيلول 2023</span></div>"
    html = arabic_page(sidebar, "<div class='post-meta'><span class='post-date'>الثلاثاء، 3 تشرين الأول/أكتوبر "
                                "2023 04:10 م</span></div>", tail=related)
    assert published(html) == (datetime(2023, 10, 3, 16, 10), "text")


def test_a_short_line_under_the_headline_without_a_date_class_counts() -> None:
    html = arabic_page(after_h1="<div><span>بيروت</span> - <span>٢٠ سبتمبر ٢٠٢٣</span></div>")
    assert published(html) == (datetime(2023, 9, 20), "text")


def test_dates_inside_article_paragraphs_are_not_the_publication_date() -> None:
    long_p = ("<p>وكان الاتفاق الأول قد وقع في 15 شتنبر 2019 بعد مفاوضات طويلة استمرت أشهراً بين الطرفين، "
              "وشهدت خلافات كثيرة حول الجدول الزمني والضمانات المطلوبة من كل جانب قبل التوقيع النهائي.</p>")
    value, source = published(arabic_page(after_h1=long_p))
    assert (value, source) != (datetime(2019, 9, 15), "text")


def test_the_update_line_is_not_the_publication_date() -> None:
    html = arabic_page(after_h1="<div class='dates'><span>آخر تحديث: 21 سبتمبر 2023</span> "
                                "<span>نشر في: 20 سبتمبر 2023</span></div>")
    assert published(html) == (datetime(2023, 9, 20), "text")


def test_relative_date_against_the_fetch_time() -> None:
    html = arabic_page(after_h1="<span class='time-ago'>منذ 3 ساعات</span>")
    value, source = published(html)
    assert source == "text:relative"
    assert value == FETCHED - timedelta(hours=3) and value.utcoffset() == timedelta(0)


def test_an_explicit_date_beats_a_relative_one() -> None:
    html = arabic_page(after_h1="<span class='time'>منذ 3 ساعات</span><span class='date'>19 أيلول 2023</span>")
    assert published(html) == (datetime(2023, 9, 19), "text")


def test_solar_hijri_page_date() -> None:
    html = arabic_page(after_h1="<div class='news-date'>چهارشنبه ۲۹ شهریور ۱۴۰۲ - ۱۴:۳۵</div>")
    assert published(html) == (datetime(2023, 9, 20, 14, 35), "text:solar-hijri")


def test_hijri_used_only_when_no_gregorian_date_is_on_the_page() -> None:
    hijri = "<div class='date'>الأربعاء 5 ربيع الأول 1445 هـ</div>"
    page = arabic_page(after_h1=hijri).replace("الجمعة 22 أيلول 2023", "")  # no masthead date either
    value, source = published(page)
    assert source == "text:hijri" and abs(value - datetime(2023, 9, 20)) <= timedelta(days=1)
    # The same page with a Gregorian date anywhere — even in the masthead, which is never taken — is not dated
    # by the Hijri one.
    assert published(arabic_page(after_h1=hijri))[1] != "text:hijri"
    both = "<div class='date'>5 ربيع الأول 1445 هـ الموافق 20 أيلول 2023</div>"
    assert published(arabic_page(after_h1=both)) == (datetime(2023, 9, 20), "text")


def test_metadata_beats_the_url_and_the_text() -> None:
    head = '<meta property="article:published_time" content="2023-09-18T08:00:00+03:00">'
    html = arabic_page(after_h1="<span class='date'>20 أيلول 2023</span>", head=head)
    value, source = published(html, "https://news.example.com/2023/09/19/talks")
    assert source == "meta:article:published_time" and value.day == 18


def test_a_declared_month_is_not_completed_from_weaker_sources() -> None:
    head = '<meta property="article:published_time" content="2023-09">'
    html = arabic_page(after_h1="<span class='date'>20 أيلول 2023</span>", head=head)
    assert published(html, "https://news.example.com/2023/09/20/talks") == (None, None)


def test_htmldate_january_first_is_rejected_unless_the_page_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import htmldate

    monkeypatch.setattr(htmldate, "find_date", lambda *args, **kwargs: "2023-01-01")
    assert published(arabic_page().replace("الجمعة 22 أيلول 2023", "")) == (None, None)
    says_so = arabic_page(after_h1="<div data-x='01.01.2023'></div>").replace("الجمعة 22 أيلول 2023", "")
    assert published(says_so) == (datetime(2023, 1, 1), "htmldate")


def test_fetched_at_defaults_to_now() -> None:
    html = arabic_page(after_h1="<span class='time'>منذ ساعة</span>")
    got = extract_article(html, NO_DATE_URL)
    assert got.provenance["published_at"] == "text:relative"
    assert abs(got.published_at - (datetime.now(timezone.utc) - timedelta(hours=1))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أمس 18:30", datetime(2024, 3, 14, 18, 30)),
        ("اليوم 08:15", datetime(2024, 3, 15, 8, 15)),
        ("il y a 2 heures", datetime(2024, 3, 15, 10, 0, tzinfo=timezone.utc)),
        ("vor 3 Stunden", datetime(2024, 3, 15, 9, 0, tzinfo=timezone.utc)),
    ],
)
def test_named_days_keep_their_time_and_french_german_relative_dates(text, expected):
    from crawler.extraction.dates import parse_text_date

    assert parse_text_date(text, fetched_at=datetime(2024, 3, 15, 12, 0, tzinfo=timezone.utc)) == expected


def _page(head_extra: str, article_extra: str) -> bytes:
    body = "نص الخبر الكامل هنا مع تفاصيل كثيرة عن الموضوع. " * 30
    return (f"<html><body>{head_extra}<article><h1>عنوان الخبر الرئيسي اليوم</h1>{article_extra}"
            f"<p>{body}</p></article></body></html>").encode()


def test_a_time_element_in_a_sidebar_dates_another_story():
    page = _page('<aside class="latest"><time datetime="2021-01-05">5 Jan</time></aside>',
                 '<div class="date">الأربعاء 20 أيلول 2023 - 14:35</div>')
    result = extract_article(page, "https://example.com/a")
    assert result.published_at == datetime(2023, 9, 20, 14, 35)
    assert result.provenance["published_at"] == "text"
