"""Dedup pipeline: one article per canonical URL (a page reached through several links is stored once).

Copies within a crawl are dropped here, before the store pipeline fingerprints them. An article already in the
database is not looked up here, one query per article: the store pipeline's batch insert skips it (db.store
.insert_articles), one query per batch, and counts it as the same ``skipped/duplicate_url``."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.items import ArticleItem, Skip


_SEEN_MAX = 100_000  # canonical URLs remembered by one crawler


class DedupPipeline:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.url is not None, "the normalize pipeline sets the canonical URL"
        if item.stored_id is not None:  # a re-fetch of a stored article: the store pipeline updates it
            self.seen.add(item.url)
            return item
        if item.url in self.seen:
            raise Skip("duplicate_url", f"{item.fetched_url} is {item.url}, already stored in this crawl")
        if len(self.seen) >= _SEEN_MAX:
            # a cluster worker's crawl never ends; the store's insert is the authority, this set only saves
            # fingerprinting a copy, so forgetting old URLs costs nothing but that
            self.seen.clear()
        self.seen.add(item.url)
        return item
