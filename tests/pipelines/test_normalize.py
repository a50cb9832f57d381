from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler

from crawler.context import CrawlContext, StatsTally
from crawler.items import ArticleItem, Skip
from newsmon.config import parse_sources
from pipelines.normalize import NormalizePipeline

SOURCES = parse_sources(
    """
sources:
  - name: almanar
    title: Al-Manar
    url: https://www.almanar.com.lb/
    timezone: Asia/Beirut
    every: 15m
    feeds: [https://www.almanar.com.lb/rss]
"""
)
FETCHED = datetime(2023, 9, 21, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def pipeline() -> NormalizePipeline:
    crawler = get_crawler()
    crawler.stats.open_spider()
    context = CrawlContext(SOURCES.get("almanar"), 1, 1, StatsTally(crawler.stats.inc_value))
    crawler.spider = SimpleNamespace(context_of=lambda item: context)
    return NormalizePipeline(crawler)


def item(**fields) -> ArticleItem:
    base = dict(source="almanar", fetched_url="https://www.almanar.com.lb/article/1?utm_source=rss",
                final_url="https://www.almanar.com.lb/article/1?utm_source=rss", fetched_at=FETCHED,
                title="شويغو في طهران - Al-Manar", body="  نص   الخبر \n\n\n فقرة ثانية ")
    base.update(fields)
    return ArticleItem(**base)


def test_naive_date_is_read_in_the_source_timezone(pipeline):
    result = pipeline.process_item(item(published_at=datetime(2023, 9, 20, 14, 35), published_from="time"))
    assert result.published_at == datetime(2023, 9, 20, 11, 35, tzinfo=timezone.utc)  # Beirut is UTC+3 in September


def test_aware_date_keeps_its_instant(pipeline):
    stamp = datetime(2023, 9, 20, 14, 35, tzinfo=timezone(timedelta(hours=2)))
    assert pipeline.process_item(item(published_at=stamp)).published_at == stamp


@pytest.mark.parametrize("impossible", [datetime(1970, 1, 1, tzinfo=timezone.utc), FETCHED + timedelta(days=3)])
def test_impossible_dates_are_dropped_and_counted(pipeline, impossible):
    result = pipeline.process_item(item(published_at=impossible, published_from="json-ld"))
    assert result.published_at is None and result.published_from is None
    assert pipeline.crawler.stats.get_value("newsmon/rejected_dates/published") == 1


def test_text_title_and_url_are_normalized(pipeline):
    result = pipeline.process_item(item(declared_canonical="https://www.almanar.com.lb/article/1"))
    assert result.title == "شويغو في طهران"
    assert result.body == "نص الخبر\n\nفقرة ثانية"
    assert result.url == "https://www.almanar.com.lb/article/1"


def test_redirect_target_is_the_fallback_canonical(pipeline):
    result = pipeline.process_item(item(final_url="https://www.almanar.com.lb/article/1-slug"))
    assert result.url == "https://www.almanar.com.lb/article/1-slug"


def test_empty_body_is_skipped_with_a_reason(pipeline):
    with pytest.raises(Skip) as caught:
        pipeline.process_item(item(body=" \n "))
    assert caught.value.reason == "no_body"
