"""crawler.extraction: one test per behaviour a user relies on, on small inline pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.extraction import Extracted, Selectors, extract_article
from crawler.extraction.authors import clean_authors
from crawler.extraction.charset import decode_html
from crawler.extraction.dates import parse_date
from crawler.extraction.titles import strip_site_suffix

URL = "https://news.example.com/world/2024/09/03/story"

# Three paragraphs of the Al-Manar article in samples/almanar-shoigu-tehran.txt (real Arabic news text).
ARABIC_PARAGRAPHS = [
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران (الرحلة "
    "الخارجية الثانية له بعد بيونغ يانغ). الزيارة التي تعتبر محطمة مهمة لتعزيز التعاون، وسط جو من اللامبالاة "
    "تجاه الغرب الذي أعرب عن توجسه من تعزيز روسيا لروابطها العسكرية مع إيران.",
    "وزير الحرب الأمريكي لويد أوستن كان قد زعم أن “زيادة التعاون العسكري الإيراني الروسي يؤدي إلى عواقب سلبية "
    "على أوكرانيا ومنطقة الشرق الأوسط”، فيما هدد البيت الأبيض بفرض عقوبات على “من يسهل التعاون العسكري” بين "
    "روسيا وإيران.",
    "وأضاف شويغو، خلال مباحثات مع نظيره الإيراني محمد رضا أشتياني اليوم الأربعاء، أن “التعاون بين موسكو وطهران "
    "بلغ مستوى جديداً، والحوار الثنائي يتطور بشكل مكثف”.",
]
ENGLISH_PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the northern districts, a project that "
    "residents have demanded for more than a decade and that planners say will cut commuting times by half.",
    "Opponents argued that the budget, which has already doubled since the first estimate, would crowd out "
    "spending on schools and road repairs, and they promised to challenge the decision in court next month.",
    "Construction is expected to begin in the spring, the mayor said, with the first new stations opening "
    "to passengers within three years if the contractors keep to the agreed schedule and costs.",
]


def page(head: str = "", body: str = "", *, lang: str = "en", paragraphs: list[str] | None = None) -> str:
    text = "".join(f"<p>{p}</p>" for p in (ENGLISH_PARAGRAPHS if paragraphs is None else paragraphs))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
            f"<body><nav><a href='/'>Home</a></nav>{body}<article>{text}</article><footer>©</footer></body></html>")


def jsonld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


def test_jsonld_beats_meta_and_provenance_says_so() -> None:
    head = (
        '<meta property="og:title" content="Social title">'
        '<meta property="article:published_time" content="2024-01-01T00:00:00Z">'
        '<meta name="author" content="Meta Person">'
        + jsonld('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council extends tram",'
                 ' "datePublished": "2024-09-03T10:15:00+03:00", "author": {"@type": "Person", "name": "Jane Roe"}}')
    )
    got = extract_article(page(head), URL)
    assert got.title == "Council extends tram"
    assert got.published_at == datetime(2024, 9, 3, 10, 15, tzinfo=timezone(timedelta(hours=3)))
    assert got.authors == ["Jane Roe"]
    assert got.provenance["title"] == "json-ld"
    assert got.provenance["published_at"] == "json-ld"
    assert got.provenance["authors"] == "json-ld"
    assert got.provenance["body"] == "trafilatura"


def test_meta_used_when_there_is_no_jsonld() -> None:
    head = ('<meta property="og:title" content="Council extends tram">'
            '<meta property="article:published_time" content="2024-09-03T07:15:00Z">')
    got = extract_article(page(head), URL)
    assert got.title == "Council extends tram"
    assert got.published_at == datetime(2024, 9, 3, 7, 15, tzinfo=timezone.utc)
    assert got.provenance["published_at"] == "meta:article:published_time"


def test_jsonld_graph_and_lists_are_searched() -> None:
    head = jsonld(
        '{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Example News"},'
        '{"@type": ["ReportageNewsArticle"], "headline": "From the graph", "datePublished": "2024-09-03",'
        ' "author": [{"@type": "Person", "name": "A. Writer"}, {"@type": "Person", "name": "B. Writer"}],'
        ' "publisher": {"@type": "Organization", "name": "Example News"}, "inLanguage": "en-GB"}]}'
    )
    got = extract_article(page(head), URL)
    assert got.title == "From the graph"
    assert got.published_at == datetime(2024, 9, 3)
    assert got.authors == ["A. Writer", "B. Writer"]
    assert got.site_name == "Example News"


def test_selectors_override_everything() -> None:
    head = jsonld('{"@type": "NewsArticle", "headline": "Metadata title", "datePublished": "2020-01-01",'
                  ' "author": {"@type": "Person", "name": "Meta Author"}}')
    body = ('<h2 class="hed">Selected title</h2><span class="when" data-x="1">3 September 2024</span>'
            '<div class="by">By Sam Smith and Ali Hassan</div>'
            '<div id="story"><p>First chosen paragraph.</p><p>Second chosen paragraph.</p></div>')
    selectors = Selectors(title="h2.hed", body="//div[@id='story']", date="span.when::text", authors=".by")
    got = extract_article(page(head, body), URL, selectors=selectors)
    assert got.title == "Selected title"
    assert got.body == "First chosen paragraph.\n\nSecond chosen paragraph."
    assert got.published_at == datetime(2024, 9, 3)
    assert got.authors == ["Sam Smith", "Ali Hassan"]
    assert {got.provenance[f] for f in ("title", "body", "published_at", "authors")} == {"selector"}


def test_dates_keep_the_offset_they_were_given_and_stay_naive_without_one() -> None:
    assert parse_date("2024-09-03T10:15:00+03:00").utcoffset() == timedelta(hours=3)
    assert parse_date("2024-09-03T10:15:00Z").utcoffset() == timedelta(0)
    naive = parse_date("2024-09-03 10:15")
    assert naive == datetime(2024, 9, 3, 10, 15) and naive.tzinfo is None
    assert parse_date("Tue, 03 Sep 2024 10:15:00 +0200").utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("text", ["2024", "2024-09", "September 2024", "أيلول 2024", "", "not a date"])
def test_a_date_without_a_day_is_no_date(text: str) -> None:
    assert parse_date(text) is None


def test_year_only_published_date_on_a_page_gives_none() -> None:
    head = jsonld('{"@type": "NewsArticle", "headline": "Annual report", "datePublished": "2024"}')
    assert extract_article(page(head), URL).published_at is None


def test_arabic_dates_parse_and_hijri_is_not_preferred() -> None:
    assert parse_date("3 أيلول 2024") == datetime(2024, 9, 3)
    assert parse_date("5 تشرين الأول/أكتوبر 2023") == datetime(2023, 10, 5)
    assert parse_date("29 صفر 1446 هـ") is None
    # The page gives the Hijri date first, then the Gregorian one: the Gregorian one wins.
    head = ('<meta name="date" content="29 صفر 1446 هـ"><meta name="pubdate" content="2024-09-03">')
    assert extract_article(page(head, lang="ar", paragraphs=ARABIC_PARAGRAPHS), URL).published_at == datetime(
        2024, 9, 3)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Council extends tram - Example News", "Example News", "Council extends tram"),
        ("Council extends tram | Example News", "Example News", "Council extends tram"),
        ("Example News | Council extends tram", "Example News", "Council extends tram"),
        ("Council extends tram | World | Example", None, "Council extends tram | World"),  # host name: example.com
        ("Mayor: tram - a decade late", "Example News", "Mayor: tram - a decade late"),
        ("شويغو في طهران - موقع المنار", "موقع المنار", "شويغو في طهران"),
        ("شويغو في طهران | قناة المنار", "قناة المنار", "شويغو في طهران"),
    ],
)
def test_title_site_suffix_is_stripped(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site, URL) == expected


def test_page_title_suffix_stripped_using_site_name() -> None:
    head = ('<meta property="og:site_name" content="موقع المنار">'
            '<title>شويغو في طهران - موقع المنار</title>')
    got = extract_article(page(head, lang="ar", paragraphs=ARABIC_PARAGRAPHS), "https://almanar.com.lb/123")
    assert got.title == "شويغو في طهران"
    assert got.language == "ar"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Roe and John Doe"], ["Jane Roe", "John Doe"]),
        (["Jane Roe, John Doe"], ["Jane Roe", "John Doe"]),
        (["Von Anna Berger und Max Muster"], ["Anna Berger", "Max Muster"]),
        (["بقلم علي حسن"], ["علي حسن"]),
        (["https://www.facebook.com/example", "jane@example.com"], []),
        (["Jane Roe", "jane roe", "JANE ROE"], ["Jane Roe"]),
        (["Felix Schröder und Jörg Soldwisch, dpa"], ["Felix Schröder", "Jörg Soldwisch", "dpa"]),
        (["Elena Oberholzer (obe)"], ["Elena Oberholzer"]),
        (["Sports Desk", "Staff"], []),
        ([{"@type": "Person", "givenName": "Birgit", "familyName": "Baumann"}], ["Birgit Baumann"]),
    ],
)
def test_authors_are_split_and_cleaned(raw: list, expected: list[str]) -> None:
    assert clean_authors(raw) == expected


def test_publisher_is_not_an_author_when_a_person_is_named() -> None:
    head = ('<meta property="og:site_name" content="Example News">'
            + jsonld('{"@type": "NewsArticle", "headline": "H", "author": ['
                     '{"@type": "Organization", "name": "Example News"}, {"@type": "Person", "name": "Jane Roe"}]}'))
    assert extract_article(page(head), URL).authors == ["Jane Roe"]


def test_index_page_is_not_an_article() -> None:
    listing = "".join(f'<li><a href="/story/{i}">Headline number {i}</a></li>' for i in range(30))
    html = ('<html><head><meta property="og:type" content="website"><title>World news</title>'
            + jsonld('{"@type": "CollectionPage", "name": "World"}')
            + f"</head><body><ul>{listing}</ul></body></html>")
    got = extract_article(html, "https://news.example.com/world/")
    assert got.is_article is False


def test_article_page_is_an_article() -> None:
    head = '<meta property="og:type" content="article">'
    got = extract_article(page(head), URL)
    assert got.is_article is True
    assert got.body is not None and got.body.split("\n\n")[0] == ENGLISH_PARAGRAPHS[0]


def test_arabic_article_body_from_cp1256_bytes_with_meta_charset() -> None:
    html = page('<meta property="og:title" content="شويغو في طهران">', lang="ar", paragraphs=ARABIC_PARAGRAPHS)
    data = html.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                                                  'content="text/html; charset=windows-1256">').encode("cp1256")
    got = extract_article(data, URL)
    assert got.title == "شويغو في طهران"
    assert got.body is not None
    assert "وزير الدفاع الروسي سيرغي شويغو" in got.body
    assert got.body.count("\n\n") == len(ARABIC_PARAGRAPHS) - 1


def test_charset_fallbacks() -> None:
    arabic = "وزير الدفاع الروسي"
    assert decode_html("\ufeff<p>ok</p>".encode("utf-8")) == "<p>ok</p>"
    assert decode_html(f"<p>{arabic}</p>".encode("cp1256")) == f"<p>{arabic}</p>"  # no declaration, not UTF-8
    # Declares a legacy charset but is really UTF-8 (a common server lie): read as UTF-8.
    lying = f'<meta charset="iso-8859-1"><p>{arabic}</p>'.encode("utf-8")
    assert arabic in decode_html(lying)


def test_urls_are_absolute_and_metadata_is_collected() -> None:
    head = ('<link rel="canonical" href="/world/2024/09/03/story">'
            '<meta property="og:image" content="//cdn.example.com/a.jpg">'
            '<meta property="article:section" content="World">'
            '<meta property="article:tag" content="Trams"><meta property="article:tag" content="Budget">'
            '<meta name="description" content="The council voted.">')
    got: Extracted = extract_article(page(head), URL)
    assert got.canonical_url == "https://news.example.com/world/2024/09/03/story"
    assert got.image == "https://cdn.example.com/a.jpg"
    assert (got.section, got.tags, got.description) == ("World", ["Trams", "Budget"], "The council voted.")
    assert got.language == "en"


def test_persian_zero_width_non_joiner_survives_body_extraction():
    paragraph = "وزیر خارجه می\u200cگوید این راه\u200cها بسته نیست و گفت\u200cوگوها ادامه دارد. " * 12
    html = f"<html lang='fa'><body><article><h1>گفت\u200cوگو</h1><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    body = extract_article(html.encode(), "https://example.ir/news/1").body
    assert "می\u200cگوید" in body and "راه\u200cها" in body
    assert "\u034f" not in body
