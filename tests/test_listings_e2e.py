"""End to end: feeds and sitemaps are fetched conditionally; an unchanged one answers 304 and is not parsed."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import open_database, session_factory
from db.models import CrawlRun, RunStatus, Source
from newsmon.sample_site import EXPECTED, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, newsmon, stored

FEEDS_AND_SITEMAPS = {"/almanar/rss.xml", "/wire/atom.xml", "/wire/sitemap_index.xml", "/wire/sitemap-articles.xml",
                      "/wire/sitemap-news.xml"}
ALMANAR_500 = "/almanar/article/1098"  # linked from the almanar home page (a section), answers 500


def last_runs(db: str) -> dict[str, CrawlRun]:
    with session_factory(open_database(db))() as session:
        rows = session.execute(select(CrawlRun, Source.name).join(Source).order_by(CrawlRun.id)).all()
    return {name: run for run, name in rows}


def answered(site: SampleSite, paths: set[str]) -> dict[str, list[int]]:
    statuses: dict[str, list[int]] = {}
    for target, status in site.answers:
        if (path := target.split("?")[0]) in paths:
            statuses.setdefault(path, []).append(status)
    return statuses


def test_unchanged_feeds_and_sitemaps_answer_304_and_changed_ones_are_read(db_url, tmp_path):
    with SampleSite(slow_seconds=0.2) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
        assert newsmon("crawl", "almanar", "wire", *FAST, db=db_url, sources=sources).returncode == 0
        expected = {site.base_url + a["path"] for a in EXPECTED["almanar"] + EXPECTED["wire"]}
        assert set(stored(db_url)) == expected

        site.reset_hits()
        second = newsmon("crawl", "almanar", "wire", *FAST, db=db_url, sources=sources)
        assert second.returncode == 0, second.stderr
        assert answered(site, FEEDS_AND_SITEMAPS) == {path: [304] for path in FEEDS_AND_SITEMAPS}
        runs = last_runs(db_url)
        # every listing of wire said 304: nothing was parsed, and the run is no failure for that
        assert runs["wire"].status is RunStatus.FINISHED
        assert runs["wire"].counts["listings_not_modified"] == 4 and "listings_ok" not in runs["wire"].counts
        assert runs["almanar"].counts["listings_not_modified"] == 1
        # the almanar home page led to an article that failed with a 500: it is read in full again, so the
        # article is tried again rather than lost behind a 304
        assert answered(site, {"/almanar/"}) == {"/almanar/": [200]} and site.hits[ALMANAR_500] == 1
        assert set(stored(db_url)) == expected

        site.set_variant("updated")
        site.reset_hits()
        third = newsmon("crawl", "almanar", "wire", *FAST, db=db_url, sources=sources)
        assert third.returncode == 0, third.stderr
        statuses = answered(site, FEEDS_AND_SITEMAPS)
        assert statuses["/almanar/rss.xml"] == [200] and statuses["/wire/atom.xml"] == [200]
        assert statuses["/wire/sitemap-news.xml"] == [304]  # its entries did not change
        runs = last_runs(db_url)
        assert runs["almanar"].counts["listings_ok"] == 2 and "listings_not_modified" not in runs["almanar"].counts
        assert site.hits["/almanar/article/1008"] == 1  # new in the changed feed
        assert set(stored(db_url)) == expected | {site.base_url + "/almanar/article/1008"}


def test_a_robots_txt_answering_304_still_leads_to_its_sitemaps(sqlite_url, tmp_path):
    with SampleSite(slow_seconds=0.2) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url).replace("/wire/sitemap_index.xml", "/robots.txt"))
        assert newsmon("crawl", "wire", *FAST, db=sqlite_url, sources=sources).returncode == 0
        site.reset_hits()
        assert newsmon("crawl", "wire", *FAST, db=sqlite_url, sources=sources).returncode == 0
        statuses = answered(site, FEEDS_AND_SITEMAPS | {"/robots.txt"})
        assert 304 in statuses["/robots.txt"]  # Scrapy's own robots.txt fetch is not conditional
        for path in FEEDS_AND_SITEMAPS - {"/almanar/rss.xml"}:
            assert set(statuses[path]) == {304}, path  # sitemap-news.xml is listed twice: robots.txt and the index
        assert last_runs(sqlite_url)["wire"].status is RunStatus.FINISHED


def test_conditional_listings_can_be_turned_off(sqlite_url, tmp_path):
    with SampleSite(slow_seconds=0.2) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
        off = [*FAST, "-s", "NEWSMON_CONDITIONAL_LISTINGS=False"]
        assert newsmon("crawl", "wire", *off, db=sqlite_url, sources=sources).returncode == 0
        site.reset_hits()
        assert newsmon("crawl", "wire", *off, db=sqlite_url, sources=sources).returncode == 0
        wire = FEEDS_AND_SITEMAPS - {"/almanar/rss.xml"}
        assert answered(site, wire) == {path: [200] for path in wire}
        assert last_runs(sqlite_url)["wire"].counts["listings_ok"] == 4
