"""`newsmon export` and db.query.iter_articles: the whole collection or a query's matches, streamed."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from db.engine import open_database, session_factory
from db.query import ArticleQuery, iter_articles, query_articles
from db.store import insert_articles, upsert_source
from newsmon.cli import app
from newsmon.errors import ConfigError, StoreError
from pipelines.textkey import search_key

ARTICLES = 3000
BODY_WORDS = 1000  # 5 to 6 KB a body, 15 MB in all: far more than a streamed read holds at once
START = datetime(2024, 9, 1, tzinfo=timezone.utc)


def article(source_id: int, i: int) -> dict:
    arabic = i % 2 == 0
    title = f"إيران والملف النووي {i}" if arabic and i % 10 == 0 else f"خبر رقم {i}" if arabic else f"Report {i}"
    body = " ".join([title] + ["كلمة" if arabic else "word"] * BODY_WORDS)
    return dict(source_id=source_id, url=f"https://x.example/{i}", fetched_url=f"https://x.example/{i}", title=title,
                body=body, search_text=search_key(title), authors=[], tags=[], provenance={},
                word_count=BODY_WORDS, language="ar" if arabic else "en", fetched_at=START + timedelta(minutes=i),
                published_at=None if i % 3 == 0 else START + timedelta(minutes=i))


@pytest.fixture
def filled(db_url):
    engine = open_database(db_url)
    with session_factory(engine).begin() as session:
        sources = [upsert_source(session, name, name, f"https://{name}.example/") for name in ("almanar", "wire")]
        for start in range(0, ARTICLES, 500):
            insert_articles(session, [article(sources[i % 4 == 1], i) for i in range(start, start + 500)])
    engine.dispose()
    return db_url


def export(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, "export", *args])


def test_iter_articles_streams_in_constant_memory(filled):
    engine = open_database(filled, create=False)
    with session_factory(engine)() as session:
        body_bytes = ARTICLES * len(article(1, 1)["body"].encode())
        tracemalloc.start()
        try:
            rows = iter_articles(session, chunk=100)
            first = next(rows)
            if engine.dialect.name == "postgresql":  # read through a server-side cursor, not fetched whole
                assert session.execute(text("SELECT count(*) FROM pg_cursors")).scalar_one() >= 1
            ids = [first.id] + [row.id for row in rows]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    engine.dispose()
    assert len(ids) == ARTICLES and ids == sorted(ids)  # every article, in the order stored
    assert peak < body_bytes / 2, f"{peak} bytes held reading {body_bytes} bytes of bodies"


def test_export_jsonl_to_a_file_is_the_whole_collection_streamed(filled, tmp_path):
    target = tmp_path / "all.jsonl"
    tracemalloc.start()
    try:
        result = export(filled, "--output", str(target))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert f"{ARTICLES} articles exported to {target}" in result.stderr
    lines = target.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records) and len(records) == ARTICLES
    assert records[0]["title"] == "إيران والملف النووي 0" and records[0]["published_at"] is None
    assert peak < target.stat().st_size / 2, f"{peak} bytes held writing {target.stat().st_size}"
    assert not list(tmp_path.glob("*.part"))  # no partial file left beside it


def test_export_csv_with_search_text_filters_and_bom(filled):
    args = ["إيران", "--source", "almanar", "--lang", "ar", "--since", "2024-09-01T05:00", "--has-date"]
    result = export(filled, *args, "--format", "csv", "--bom")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,url,source,title,")
    records = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))

    # the same articles `query` finds with the same filters: every 10th is about إيران, almanar has 3 in 4,
    # 2/3 are dated, and the first 300 minutes are left out
    expected = [i for i in range(300, ARTICLES, 10) if i % 4 != 1 and i % 3 != 0]
    assert [int(r["url"].rsplit("/", 1)[1]) for r in records] == expected
    engine = open_database(filled, create=False)
    with session_factory(engine)() as session:
        queried = query_articles(session, ArticleQuery(text="ايران", sources=("almanar",), language="ar", limit=None,
                                                       since=START + timedelta(hours=5), has_date=True))
    engine.dispose()
    assert sorted(r.url for r in queried) == sorted(r["url"] for r in records)
    assert {r["source"] for r in records} == {"almanar"} and {r["language"] for r in records} == {"ar"}

    undated = export(filled, "--no-date", "--lang", "en", "--until", "2024-09-01T01:00")
    assert [json.loads(line)["url"] for line in undated.stdout.splitlines()] == [
        f"https://x.example/{i}" for i in range(60) if i % 3 == 0 and i % 2]


def test_export_refuses_what_query_refuses(filled, tmp_path):
    assert isinstance(export(filled, "--source", "nosuch").exception, ConfigError)
    assert export(filled, '"unclosed').exit_code != 0
    assert export(filled, "--since", "someday").exit_code == 2
    assert export(filled, "--format", "json").exit_code == 2  # JSON Lines or CSV only
    assert export(filled, "--bom").exit_code == 2  # a BOM is for CSV
    missing = tmp_path / "typo.db"
    assert isinstance(export(f"sqlite:///{missing}").exception, StoreError)
    assert not missing.exists()  # never creates a database
