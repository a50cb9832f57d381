"""Dedup pipeline: one article per canonical URL (a page reached through several links is stored once)."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.database import crawl_sessions
from crawler.items import ArticleItem, Skip
from db.store import known_urls


_SEEN_MAX = 100_000  # canonical URLs remembered by one crawler


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.sessions = crawl_sessions(crawler)
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.url is not None, "the normalize pipeline sets the canonical URL"
        if item.stored_id is not None:  # a re-fetch of a stored article: the store pipeline updates it
            self.seen.add(item.url)
            return item
        if item.url in self.seen:
            raise Skip("duplicate_url", f"{item.fetched_url} is {item.url}, already stored in this crawl")
        with self.sessions() as session:
            if known_urls(session, [item.url]):
                raise Skip("duplicate_url", f"{item.fetched_url} is {item.url}, already stored")
        if len(self.seen) >= _SEEN_MAX:
            # a cluster worker's crawl never ends; the database check above is the authority, this set only catches
            # copies still waiting in a batch, so forgetting old URLs costs nothing but a query
            self.seen.clear()
        self.seen.add(item.url)
        return item
