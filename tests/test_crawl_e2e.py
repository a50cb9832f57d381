"""End to end: the real `newsmon` command crawls the sample site over loopback into SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import open_database, session_factory
from db.models import Article, CrawlRun, RunStatus, Source
from newsmon.sample_site import EXPECTED, SNIPPETS, TRAPS, SampleSite, sources_yaml

ROOT = Path(__file__).resolve().parents[1]
# The page states its date only as Arabic text: "الأربعاء 20 أيلول 2023 - 14:35" (Beirut time).
DATE_ONLY_IN_VISIBLE_TEXT = {"/almanar/article/1004"}
# alakhbar 3003 runs almanar 1001's text under another title, with its own closing credit line
SYNDICATED_PAIR = ("/almanar/article/1001", "/alakhbar/2023/09/20/3003")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0",
        "-s", "NEWSMON_SITEMAP_MAX_AGE_DAYS=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def newsmon(*args: str, db: str, sources: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSMON_DB": db, "NEWSMON_SOURCES": str(sources)}
    return subprocess.run([sys.executable, "-m", "newsmon.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=1.0) as site:
        yield site


def stored(db: str) -> dict[str, Article]:
    with session_factory(open_database(db))() as session:
        rows = session.execute(select(Article, Source.name).join(Source)).all()
        for article, name in rows:
            article.source_name = name
        return {article.url: article for article, _ in rows}


def test_crawl_stores_exactly_the_expected_articles(db_url, site, sources_file):
    result = newsmon("crawl", *FAST, db=db_url, sources=sources_file)

    # the offline source fails, the others go on, and the exit code says so
    assert result.returncode == 1, result.stderr
    assert "offline" in result.stderr
    articles = stored(db_url)
    expected = {site.base_url + a["path"]: (name, a) for name, items in EXPECTED.items() for a in items}
    assert set(articles) == set(expected)
    for url, (name, want) in expected.items():
        article = articles[url]
        assert article.source_name == name
        assert article.title == want["title"], url
        assert article.language == want["language"], url
        assert article.authors == want["authors"], url
        assert article.credited_source == want.get("credited_source"), url
        assert not article.body.rstrip().endswith(f"المصدر: {article.credited_source}"), url
        assert article.published_at == datetime.fromisoformat(want["published"]), url
        if want["path"] in DATE_ONLY_IN_VISIBLE_TEXT:
            assert article.published_from == "text", url
        if snippet := SNIPPETS.get(want["path"]):
            assert snippet in article.body, url
    # the syndicated copy joins the original's story; no other two articles share one
    original, copy = (articles[site.base_url + path] for path in SYNDICATED_PAIR)
    assert copy.story_id == original.story_id
    stories = [a.story_id for url, a in articles.items() if url != site.base_url + SYNDICATED_PAIR[1]]
    assert len(stories) == len(set(stories))


def test_crawl_skips_bad_pages_and_obeys_robots(sqlite_url, site, sources_file):
    site.reset_hits()
    newsmon("crawl", *FAST, db=sqlite_url, sources=sources_file)
    articles = stored(sqlite_url)
    for kind, paths in TRAPS.items():
        for path in paths if kind != "slow" else ():  # the slow page is an article: waited for and stored
            assert site.base_url + path not in articles, (kind, path)
    assert site.hits["/wire/private/embargoed-draft"] == 0
    assert site.hits["/robots.txt"] >= 1
    with session_factory(open_database(sqlite_url))() as session:
        runs = {name: run for run, name in session.execute(select(CrawlRun, Source.name).join(Source))}
    assert runs["offline"].status is RunStatus.FAILED
    assert runs["offline"].counts["errors/robots_unreachable"] >= 1  # its robots.txt was refused: nothing is sent
    assert runs["almanar"].status is RunStatus.FINISHED
    assert runs["almanar"].counts["errors/http_404"] == 1
    assert runs["almanar"].counts["skipped/not_article"] == 1
    assert runs["alakhbar"].counts["errors/http_500"] == 1
    assert runs["wire"].counts["skipped/robots_disallowed"] == 1
    assert runs["broken"].counts["errors/malformed_feed"] == 1
    assert runs["wire"].stored == len(EXPECTED["wire"])


def test_second_crawl_downloads_no_stored_article_again(sqlite_url, site, sources_file):
    first = newsmon("crawl", "almanar", "wire", *FAST, db=sqlite_url, sources=sources_file)
    assert first.returncode == 0, first.stderr
    site.reset_hits()
    second = newsmon("crawl", "almanar", "wire", *FAST, db=sqlite_url, sources=sources_file)
    assert second.returncode == 0, second.stderr
    for item in EXPECTED["almanar"] + EXPECTED["wire"]:
        assert site.hits[item["path"]] == 0, item["path"]
    assert site.hits["/almanar/rss.xml"] == 1  # listings are read again, articles are not
    assert len(stored(sqlite_url)) == len(EXPECTED["almanar"]) + len(EXPECTED["wire"])


def test_query_outputs(sqlite_url, site, sources_file):
    newsmon("crawl", "almanar", "alakhbar", *FAST, db=sqlite_url, sources=sources_file)

    result = newsmon("query", "--format", "json", "--source", "alakhbar", db=sqlite_url, sources=sources_file)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == len(EXPECTED["alakhbar"])
    assert {"id", "url", "source", "title", "body", "published_at", "language", "authors", "fetched_at"} <= set(records[0])
    published = [r["published_at"] for r in records]
    assert published == sorted(published, reverse=True)  # newest first
    assert all(p.endswith("+00:00") for p in published)

    lines = newsmon("query", "--format", "jsonl", "--lang", "ar", "--limit", "3", db=sqlite_url, sources=sources_file)
    assert [json.loads(line)["language"] for line in lines.stdout.splitlines()] == ["ar"] * 3

    window = newsmon("query", "--format", "jsonl", "--since", "2023-09-20", "--until", "2023-09-20T12:00+03:00",
                     db=sqlite_url, sources=sources_file)
    for line in window.stdout.splitlines():
        assert "2023-09-19T21:00" <= json.loads(line)["published_at"] < "2023-09-20T09:00"

    stories = json.loads(newsmon("query", "--stories", "--format", "json", db=sqlite_url, sources=sources_file).stdout)
    shared = [story for story in stories if story["outlets"] > 1]
    assert [sorted(story["sources"]) for story in shared] == [["alakhbar", "almanar"]]
    assert shared[0]["url"] == site.base_url + "/almanar/article/1001"  # the earliest copy
    assert len(stories) == len(EXPECTED["almanar"]) + len(EXPECTED["alakhbar"]) - 1
    assert {"story_id", "duplicate_of"} <= set(records[0])

    csv_out = newsmon("query", "--format", "csv", db=sqlite_url, sources=sources_file)
    assert csv_out.stdout.splitlines()[0].startswith("id,url,source,title,body,published_at")

    table = newsmon("query", db=sqlite_url, sources=sources_file)
    assert "almanar" in table.stdout and "articles" in table.stdout


def test_sources_list_shows_last_crawl_and_counts(sqlite_url, site, sources_file):
    newsmon("crawl", "wire", *FAST, db=sqlite_url, sources=sources_file)
    result = newsmon("sources", "list", db=sqlite_url, sources=sources_file)
    assert result.returncode == 0, result.stderr
    wire_line = next(line for line in result.stdout.splitlines() if " wire " in line)
    assert "finished" in wire_line and str(len(EXPECTED["wire"])) in wire_line
    never = next(line for line in result.stdout.splitlines() if " broken " in line)
    assert "never" in never


def test_scrapy_crawl_news_works_directly(sqlite_url, site, sources_file):
    env = {**os.environ, "NEWSMON_DB": sqlite_url, "NEWSMON_SOURCES": str(sources_file)}
    settings = [arg for pair in zip(FAST[::2], FAST[1::2]) for arg in ("-s", pair[1])]
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=broken", *settings],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [a.source_name for a in stored(sqlite_url).values()] == ["broken"]


def test_invalid_config_exits_2_naming_file_line_and_field(sqlite_url, tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - name: Bad Name\n    title: x\n    url: http://127.0.0.1:9/\n    feed: [http://127.0.0.1:9/rss]\n")
    result = newsmon("crawl", db=sqlite_url, sources=bad)
    assert result.returncode == 2
    assert f"{bad}:2: sources[0].name" in result.stderr
    assert f"{bad}:5: sources[0].feed" in result.stderr


def test_unreachable_database_exits_1_with_one_message(sources_file):
    result = newsmon("crawl", "wire", db="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", sources=sources_file)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("StoreError: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_source_whose_feed_is_not_a_feed_fails(sqlite_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: htmlfeed\n    title: HTML instead of RSS\n"
        f"    url: {site.base_url}/almanar/\n    every: 1h\n    feeds: ['{site.base_url}/almanar/']\n"
    )
    result = newsmon("crawl", *FAST, db=sqlite_url, sources=sources)
    assert result.returncode == 1
    assert "invalid_feed" in result.stdout + result.stderr


def test_reading_commands_do_not_create_a_database(tmp_path, sources_file):
    missing = tmp_path / "typo.db"
    result = newsmon("query", db=f"sqlite:///{missing}", sources=sources_file)
    assert result.returncode == 1
    assert "no newsmon database" in result.stderr
    assert not missing.exists()


def test_unsupported_database_url_is_a_usage_error(sources_file):
    result = newsmon("query", db="mysql://root@127.0.0.1/test", sources=sources_file)
    assert result.returncode == 2
    assert "unsupported database" in result.stderr
    assert "Traceback" not in result.stderr


def test_robots_txt_listed_as_sitemap_leads_to_its_sitemaps(sqlite_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    text = sources_yaml(site.base_url)
    sources.write_text(text.replace(f"{site.base_url}/wire/sitemap_index.xml", f"{site.base_url}/robots.txt"))
    assert f"{site.base_url}/robots.txt" in sources.read_text()
    result = newsmon("crawl", "wire", *FAST, db=sqlite_url, sources=sources)
    assert result.returncode == 0, result.stderr
    assert {a.url for a in stored(sqlite_url).values()} == {site.base_url + a["path"] for a in EXPECTED["wire"]}


def test_articles_are_fetched_newest_first(sqlite_url, site, sources_file):
    site.reset_hits()
    before = len(site.requests)
    one_at_a_time = [*FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "CONCURRENT_REQUESTS=1"]
    assert newsmon("crawl", "almanar", *one_at_a_time, db=sqlite_url, sources=sources_file).returncode == 0
    published = {a["path"]: a["published"] for a in EXPECTED["almanar"]}
    fetched = [path.split("?")[0] for path in site.requests[before:]]
    section_only = {"/almanar/article/1004", "/almanar/article/1006"}  # not in the feed: linked from the home page
    feed_articles = [p for p in dict.fromkeys(fetched) if p in published and p not in section_only]
    assert len(feed_articles) == 5
    dates = [datetime.fromisoformat(published[p]) for p in feed_articles]
    assert dates == sorted(dates, reverse=True)
