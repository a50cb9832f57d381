"""End to end: the multilingual outlets of the sample site (farsi, bilingual, legacy), crawled by the real
`newsmon` command over loopback into SQLite and PostgreSQL, stored the way a reader needs them (issue 3).

One crawl per module; each expectation is its own test, per article, so a failure names the article and the rule.
What the outlets hold (see newsmon/sample_site/content.py):
  farsi      Persian; the only date is visible Solar Hijri text in Persian digits; one article mixes ي/ك into ی/ک
  bilingual  Arabic and English in one feed (<language>ar</language>); a short English article whose every hint
             says "ar"; an Arabic article under <html lang="en">; a body ending in "المصدر: وكالة الأنباء الوطنية"
  legacy     windows-1256 without any charset, ISO-8859-6 declared as UTF-8, UTF-8 mojibake, a late charset;
             dates as visible Arabic text with Arabic-Indic digits
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from db.models import Article
from db.scratch import scratch_schema
from newsmon.sample_site import EXPECTED, MULTILINGUAL_SOURCES, SNIPPETS, SampleSite, sources_yaml
from pipelines.textkey import search_key
from tests.conftest import POSTGRES_URL
from tests.test_crawl_e2e import FAST, newsmon, stored

CASES = [(name, want) for name in MULTILINGUAL_SOURCES for want in EXPECTED[name]]
IDS = [want["path"] for _, want in CASES]
per_article = pytest.mark.parametrize(("name", "want"), CASES, ids=IDS)

# UTF-8 Arabic read as cp1256 ("ط§ظ„" for "ال") or as cp1252/latin-1 ("Ø§Ù„"), and the replacement character
MOJIBAKE = re.compile("ط§ظ|Ø§Ù|\ufffd")
CREDIT_LINE = re.compile(r"(?:^|\n)\s*المصدر\s*:[^\n]*\s*$")



@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    """A fresh database URL for one module: a SQLite file, or a PostgreSQL schema dropped afterwards
    (conftest's fixtures of the same kind are per test; this crawl is once per module)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'newsmon.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("NEWSMON_TEST_POSTGRES_URL is not set")
    with scratch_schema(POSTGRES_URL, prefix="newsmon_test") as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crawl(request, tmp_path_factory):
    """(result of `newsmon crawl farsi bilingual legacy`, stored articles by path), on each database."""
    tmp = tmp_path_factory.mktemp("multilingual")
    with _database(request.param, tmp) as db, SampleSite(slow_seconds=0) as site:
        base = site.base_url
        sources = tmp / "sources.yaml"
        sources.write_text(sources_yaml(base), encoding="utf-8")
        result = newsmon("crawl", *MULTILINGUAL_SOURCES, *FAST, db=db, sources=sources)
        articles = {url.removeprefix(base): article for url, article in stored(db).items()}
        yield result, articles


@pytest.fixture
def articles(crawl) -> dict[str, Article]:
    return crawl[1]


def article_at(articles: dict[str, Article], path: str) -> Article:
    assert path in articles, f"{path} was not stored"
    return articles[path]


def test_crawl_succeeds_and_stores_exactly_the_expected_articles(crawl):
    result, articles = crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(articles) == set(IDS)
    for name, want in CASES:
        assert articles[want["path"]].source_name == name


@per_article
def test_title(articles, name, want):
    assert article_at(articles, want["path"]).title == want["title"]


@per_article
def test_language(articles, name, want):
    article = article_at(articles, want["path"])
    assert article.language == want["language"], article.language_from


@per_article
def test_published_exactly(articles, name, want):
    article = article_at(articles, want["path"])
    assert article.published_at == datetime.fromisoformat(want["published"]), article.published_from


@per_article
def test_authors(articles, name, want):
    assert article_at(articles, want["path"]).authors == want["authors"]


@per_article
def test_body_has_the_snippet(articles, name, want):
    assert SNIPPETS[want["path"]] in article_at(articles, want["path"]).body


@per_article
def test_no_mojibake_stored(articles, name, want):
    article = article_at(articles, want["path"])
    for field in ("title", "body"):
        text = getattr(article, field)
        assert not MOJIBAKE.search(text), (field, MOJIBAKE.search(text).group(), text[:120])


@per_article
def test_search_text_holds_the_normalized_snippet(articles, name, want):
    article = article_at(articles, want["path"])
    assert article.search_text and search_key(SNIPPETS[want["path"]]) in article.search_text


@pytest.mark.parametrize(("path", "phrase"), [
    ("/farsi/news/7003", "مرکز مدیریت راه\u200cها"),    # Persian ک ی; the page writes مركز with an Arabic kaf
    ("/farsi/news/7003", "هواشناسی"),                  # Persian yeh; the page writes هواشناسي
    ("/farsi/news/7001", "اشتياني"),                    # Arabic spelling of آشتیانی (madda, Persian yeh)
    ("/legacy/news/4003.htm", "العربية لغة رسمية"),     # only once the mojibake is repaired
    ("/legacy/news/4002.htm", "مؤسسة مياه لبنان الشمالي"),  # only once ISO-8859-6 is read as such
    ("/bilingual/news/5002", "TOURISM MINISTER"),      # case folding
], ids=["persian-kaf-yeh", "persian-yeh-title", "arabic-spelling", "mojibake-repaired", "iso-8859-6", "casefold"])
def test_search_text_matches_other_spellings(articles, path, phrase):
    article = article_at(articles, path)
    assert article.search_text and search_key(phrase) in article.search_text


def test_persian_text_is_displayed_as_written(articles):
    """Displayed text is altered by nothing beyond NFC and whitespace: Persian keeps its ZWNJ (می‌کند is not
    میکند) and the Arabic letters of the mixed article stay Arabic."""
    first = article_at(articles, "/farsi/news/7001")
    assert "رد می\u200cکند" in first.body
    mixed = article_at(articles, "/farsi/news/7003")
    assert "مركز مدیریت راه\u200cها" in mixed.body
    assert mixed.title == EXPECTED["farsi"][2]["title"]


@per_article
def test_body_does_not_end_with_the_credit_line(articles, name, want):
    body = article_at(articles, want["path"]).body
    assert not CREDIT_LINE.search(body), body[-80:]


@per_article
def test_credited_source(articles, name, want):
    article = article_at(articles, want["path"])
    assert article.credited_source == want.get("credited_source")
