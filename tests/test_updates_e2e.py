"""End to end: an article that changes after publishing is fetched again, its earlier text kept as a version."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select, update

from db.engine import open_database, session_factory
from db.models import Article, CrawlRun

from newsmon.sample_site import SNIPPETS, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, newsmon, stored

CHANGED = {"/almanar/article/1007", "/wire/news/2023/09/fed-holds-rates"}  # their listings carry a later date
NEW_IN_UPDATE = "/almanar/article/1008"


def test_changed_articles_are_refetched_and_versioned(tmp_path):
    db = f"sqlite:///{tmp_path / 'newsmon.db'}"
    with SampleSite(slow_seconds=0.2) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
        assert newsmon("crawl", "almanar", "wire", *FAST, db=db, sources=sources).returncode == 0
        before = {url: (a.title, a.body) for url, a in stored(db).items()}

        site.set_variant("updated")
        site.reset_hits()
        result = newsmon("crawl", "almanar", "wire", *FAST, db=db, sources=sources)
        assert result.returncode == 0, result.stderr
        after = stored(db)

        for path in CHANGED | {NEW_IN_UPDATE}:
            assert site.hits[path] == 1, path
        for url in before:
            path = url.removeprefix(site.base_url)
            if path not in CHANGED:
                assert site.hits[path] == 0, f"{path} was downloaded again though nothing said it changed"
                assert (after[url].title, after[url].body) == before[url]
        assert site.base_url + NEW_IN_UPDATE in after
        assert SNIPPETS[NEW_IN_UPDATE] in after[site.base_url + NEW_IN_UPDATE].body

        for path in CHANGED:
            url = site.base_url + path
            # the update adds a paragraph at the top; the rest of the text stays
            assert after[url].body != before[url][1]
            assert ("UPDATE:" in after[url].body or "تحديث:" in after[url].body) and SNIPPETS[path] in after[url].body
            history = json.loads(newsmon("query", "--history", url, "--format", "json", db=db, sources=sources).stdout)
            assert [v["current"] for v in history] == [False, True]
            assert history[0]["body"] == before[url][1] and history[1]["body"] == after[url].body
        assert len(after) == len(before) + 1  # updated in place, not stored twice


def test_recheck_of_unchanged_articles_is_conditional(tmp_path):
    db = f"sqlite:///{tmp_path / 'newsmon.db'}"
    with SampleSite(slow_seconds=0.2) as site:
        sources = tmp_path / "sources.yaml"
        # recheck wire's articles on every crawl (the sample's are from 2023, so the window is wide)
        sources.write_text(sources_yaml(site.base_url).replace("  - name: wire\n", "  - name: wire\n    recheck: 5000d\n"))
        assert "recheck: 5000d" in sources.read_text()
        assert newsmon("crawl", "wire", *FAST, db=db, sources=sources).returncode == 0
        before = {url: (a.title, a.body, a.fetched_at) for url, a in stored(db).items()}
        # An article is re-checked once the time since its last fetch reaches half its age: these, from
        # September 2023, are due when that fetch is dated a day after they came out.
        with session_factory(open_database(db)).begin() as session:
            session.execute(update(Article).values(checked_at=datetime(2023, 9, 22, tzinfo=timezone.utc)))
        before_requests = len(site.requests)
        result = newsmon("crawl", "wire", *FAST, db=db, sources=sources)
        assert result.returncode == 0, result.stderr
        article_requests = [r for r in site.requests[before_requests:] if site.base_url + r.split("?")[0] in before]
        assert len(article_requests) == len(before)  # every stored article was asked for again…
        with session_factory(open_database(db))() as session:
            run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()
        assert run.counts["not_modified"] == len(before)  # …and each answered 304, with no body to parse
        assert "unchanged" not in run.counts  # nothing reached the store pipeline
        assert run.counts["refetch/recheck"] == len(before)
        assert {url: (a.title, a.body, a.fetched_at) for url, a in stored(db).items()} == before
        assert all(a.checked_at > datetime(2024, 1, 1, tzinfo=timezone.utc) for a in stored(db).values())

        # just checked: not due again for about as long as they are old
        again = newsmon("crawl", "wire", *FAST, db=db, sources=sources)
        assert again.returncode == 0, again.stderr
        with session_factory(open_database(db))() as session:
            run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()
        assert "refetch/recheck" not in run.counts
