from datetime import datetime, timedelta, timezone

import pytest

from db.engine import open_database, session_factory
from db.models import RunStatus
from db.query import ArticleQuery, query_articles, source_figures
from db.store import finish_run, insert_articles, known_urls, start_run, upsert_source
from newsmon.errors import StoreError

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=timezone.utc)


def _article(source_id: int, n: int, **overrides) -> dict:
    row = dict(
        source_id=source_id,
        url=f"https://example.com/article/{n}",
        fetched_url=f"https://example.com/article/{n}?utm_source=rss",
        title=f"Article {n}",
        body="text " * 50,
        published_at=NOW - timedelta(hours=n),
        authors=["A. Writer"],
        tags=[],
        provenance={},
        word_count=50,
        fetched_at=NOW,
    )
    row.update(overrides)
    return row


def test_new_database_is_created_and_round_trips_aware_utc(db_url):
    sessions = session_factory(open_database(db_url))
    beirut = timezone(timedelta(hours=3))
    with sessions.begin() as s:
        sid = upsert_source(s, "almanar", "Al-Manar", "https://www.almanar.com.lb/")
        insert_articles(s, [_article(sid, 1, published_at=datetime(2023, 9, 20, 14, 35, tzinfo=beirut), title="شويغو في طهران")])
    with sessions() as s:
        [row] = query_articles(s, ArticleQuery())
    assert row.published_at == datetime(2023, 9, 20, 11, 35, tzinfo=timezone.utc)
    assert row.published_at.utcoffset() == timedelta(0)
    assert row.title == "شويغو في طهران"
    assert row.source == "almanar"


def test_same_canonical_url_is_stored_once(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as s:
        sid = upsert_source(s, "x", "X", "https://example.com/")
        assert set(insert_articles(s, [_article(sid, 1), _article(sid, 2)])) == {
            "https://example.com/article/1",
            "https://example.com/article/2",
        }
    with sessions.begin() as s:
        assert set(insert_articles(s, [_article(sid, 1, title="changed"), _article(sid, 3)])) == {"https://example.com/article/3"}
    with sessions() as s:
        rows = query_articles(s, ArticleQuery())
    assert [r.url.rsplit("/", 1)[1] for r in rows] == ["1", "2", "3"]  # newest first
    assert rows[0].title == "Article 1"


def test_known_urls_matches_canonical_and_fetched_forms(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as s:
        sid = upsert_source(s, "x", "X", "https://example.com/")
        insert_articles(s, [_article(sid, 1)])
    with sessions() as s:
        found = known_urls(s, ["https://example.com/article/1", "https://example.com/article/1?utm_source=rss", "https://example.com/article/9"])
    assert found == {"https://example.com/article/1", "https://example.com/article/1?utm_source=rss"}


def test_query_filters_by_source_language_and_dates(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as s:
        a = upsert_source(s, "a", "A", "https://a.example/")
        b = upsert_source(s, "b", "B", "https://b.example/")
        insert_articles(s, [
            _article(a, 1, url="https://a.example/1", language="ar"),
            _article(a, 30, url="https://a.example/30", language="en"),
            _article(b, 2, url="https://b.example/2", language="ar", published_at=None),
        ])
    with sessions() as s:
        assert {r.url for r in query_articles(s, ArticleQuery(sources=("a",)))} == {"https://a.example/1", "https://a.example/30"}
        assert {r.url for r in query_articles(s, ArticleQuery(language="ar"))} == {"https://a.example/1", "https://b.example/2"}
        recent = query_articles(s, ArticleQuery(since=NOW - timedelta(hours=5)))
        # the undated article counts by its fetch time (NOW)
        assert {r.url for r in recent} == {"https://a.example/1", "https://b.example/2"}
        assert [r.url for r in query_articles(s, ArticleQuery(until=NOW - timedelta(hours=5)))] == ["https://a.example/30"]
        assert len(query_articles(s, ArticleQuery(limit=1))) == 1


def test_crawl_runs_feed_source_figures(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as s:
        sid = upsert_source(s, "x", "X", "https://example.com/")
        run = start_run(s, sid)
        insert_articles(s, [_article(sid, 1, crawl_run_id=run)])
        finish_run(s, run, status=RunStatus.FINISHED, finish_reason="finished", pages=3, stored=1, skipped=0, errors=0, counts={"stored": 1})
    with sessions() as s:
        figures = source_figures(s)
    assert figures["x"].articles == 1
    assert figures["x"].last_status == "finished"
    assert figures["x"].last_crawl is not None


def test_upsert_source_refreshes_title_from_config(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as s:
        first = upsert_source(s, "x", "Old", "https://example.com/")
    with sessions.begin() as s:
        assert upsert_source(s, "x", "New", "https://example.com/") == first
    with sessions() as s:
        from db.models import Source
        assert s.get(Source, first).title == "New"


def test_unreachable_database_is_one_clear_error():
    with pytest.raises(StoreError, match="cannot reach the database"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
