from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler

from crawler.context import CrawlContext, StatsTally
from crawler.items import ArticleItem
from db.engine import open_database, session_factory
from db.query import ArticleQuery, query_articles
from db.store import start_run, upsert_source
from newsmon.config import parse_sources
from pipelines.store import StorePipeline

SOURCES = "sources:\n  - name: x\n    title: X\n    url: https://x.example/\n    every: 1h\n    feeds: [https://x.example/rss]\n"


def _pipeline(db_url: str, batch: int) -> StorePipeline:
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as session:
        source_id = upsert_source(session, "x", "X", "https://x.example/")
        run_id = start_run(session, source_id)
    crawler = get_crawler(settings_dict={"NEWSMON_DB": db_url, "NEWSMON_STORE_BATCH": batch})
    crawler.stats.open_spider()
    context = CrawlContext(parse_sources(SOURCES).get("x"), source_id, run_id, StatsTally(crawler.stats.inc_value))
    crawler.spider = SimpleNamespace(context_of=lambda item: context)
    return StorePipeline(crawler, batch)


def _item(n: int, url: str | None = None) -> ArticleItem:
    url = url or f"https://x.example/a/{n}"
    return ArticleItem(source="x", fetched_url=url, final_url=url, url=url, title=f"Title {n}", body=f"Body {n}",
                       fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc))


def test_batches_are_committed_when_full_and_at_close(db_url):
    pipeline = _pipeline(db_url, batch=2)
    sessions = session_factory(open_database(db_url))
    for n in range(3):
        pipeline.process_item(_item(n))
    with sessions() as s:
        assert len(query_articles(s, ArticleQuery())) == 2  # the first full batch; the third waits
    pipeline.close_spider()
    with sessions() as s:
        assert len(query_articles(s, ArticleQuery())) == 3
    assert pipeline.crawler.stats.get_value("newsmon/stored") == 3


def test_one_bad_row_does_not_cost_its_batch(db_url):
    pipeline = _pipeline(db_url, batch=10)
    pipeline.process_item(_item(1))
    bad = _item(2)
    bad.title = None  # violates NOT NULL on every backend
    pipeline.process_item(bad)
    pipeline.process_item(_item(3))
    pipeline.process_item(_item(1))  # same canonical URL again: a duplicate, not an error
    pipeline.close_spider()
    with session_factory(open_database(db_url))() as s:
        assert {r.title for r in query_articles(s, ArticleQuery())} == {"Title 1", "Title 3"}
    stats = pipeline.crawler.stats
    assert stats.get_value("newsmon/stored") == 2
    assert stats.get_value("newsmon/errors/store") == 1
    assert stats.get_value("newsmon/skipped/duplicate_url") == 1


def test_new_articles_count_their_dates_and_words_for_source_health(db_url):
    pipeline = _pipeline(db_url, batch=10)
    dated, undated, bad = _item(1), _item(2), _item(3)
    dated.published_at, dated.body = datetime(2023, 12, 31, tzinfo=timezone.utc), "one two three"
    undated.body = "four five"
    bad.title, bad.published_at = None, datetime(2023, 12, 31, tzinfo=timezone.utc)  # refused: counts for nothing
    for item in (dated, undated, bad, _item(1)):  # the last is a duplicate URL, not a new article
        pipeline.process_item(item)
    pipeline.close_spider()
    stats = pipeline.crawler.stats
    assert stats.get_value("newsmon/stored") == 2
    assert stats.get_value("newsmon/stored_dated") == 1
    assert stats.get_value("newsmon/stored_words") == 5


def test_one_url_twice_in_a_batch_is_stored_once_without_failing_the_batch(db_url, caplog):
    # a cluster worker's crawl forgets old URLs (pipelines.dedup), so a copy can reach the same batch; its story
    # bands (a key per article) must be written once, or the whole batch falls back to one-by-one
    pipeline = _pipeline(db_url, batch=3)
    long_body = " ".join(f"word{i}" for i in range(60))
    first, copy = _item(1), _item(1)
    first.body = copy.body = long_body
    for item in (first, copy, _item(2)):
        pipeline.process_item(item)
    assert "one by one" not in caplog.text
    stats = pipeline.crawler.stats
    assert stats.get_value("newsmon/stored") == 2 and stats.get_value("newsmon/skipped/duplicate_url") == 1


def test_a_shingle_size_below_one_is_refused_at_the_start(tmp_path):
    crawler = get_crawler(settings_dict={"NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}", "NEWSMON_SHINGLE_SIZE": 0})
    with pytest.raises(ValueError, match="NEWSMON_SHINGLE_SIZE"):
        StorePipeline.from_crawler(crawler)
