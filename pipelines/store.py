"""Store pipeline: articles written in batches, one transaction per batch, idempotent on the canonical URL;
each new article is linked to its story in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.database import crawl_sessions
from crawler.items import ArticleItem
from db.store import insert_articles, update_article
from db.stories import StoryPolicy, link_story
from pipelines.fingerprint import Fingerprint, fingerprint
from pipelines.textkey import search_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """An article waiting for its batch: its row, its fingerprint, and the stored article it re-fetched."""

    row: dict[str, Any]
    fingerprint: Fingerprint
    stored_id: int | None = None


class StorePipeline:
    def __init__(self, crawler: Crawler, batch_size: int, policy: StoryPolicy | None = None) -> None:
        self.crawler = crawler
        self.sessions = crawl_sessions(crawler)
        self.batch_size = batch_size
        self.policy = policy or StoryPolicy()
        self.shingle_size = crawler.settings.getint("NEWSMON_SHINGLE_SIZE", 3)
        self.pending: list[Pending] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        policy = StoryPolicy(threshold=settings.getfloat("NEWSMON_STORY_THRESHOLD", 0.3),
                             min_words=settings.getint("NEWSMON_STORY_MIN_WORDS", 40))
        return cls(crawler, settings.getint("NEWSMON_STORE_BATCH"), policy)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        fp = fingerprint(item.title or "", item.body or "", self.shingle_size)
        self.pending.append(Pending(self._row(item, fp), fp, item.stored_id))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Commit the pending articles together: after a crash each is either whole in the database or absent."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        failed = 0
        try:
            with self.sessions.begin() as session:
                inserted = self._store(session, batch)
        except SQLAlchemyError as exc:
            logger.warning("Could not store a batch of %d articles (%s); storing them one by one", len(batch), _reason(exc))
            inserted, failed = self._one_by_one(batch)
        stats = self.crawler.stats
        stats.inc_value("newsmon/stored", len(inserted))
        # For source health (db.health): a run's share of new articles with a date, and their mean length.
        new: dict[str, dict[str, Any]] = {}  # by URL: a second row for one URL was not inserted
        for entry in batch:
            if entry.stored_id is None and entry.row["url"] in inserted:
                new.setdefault(entry.row["url"], entry.row)
        stats.inc_value("newsmon/stored_dated", sum(row["published_at"] is not None for row in new.values()))
        stats.inc_value("newsmon/stored_words", sum(row["word_count"] for row in new.values()))
        if failed:
            stats.inc_value("newsmon/errors/store", failed)
        updates = sum(entry.stored_id is not None for entry in batch)
        if duplicates := len(batch) - updates - len(inserted) - failed:
            stats.inc_value("newsmon/skipped/duplicate_url", duplicates)

    def _store(self, session: Session, batch: list[Pending]) -> dict[str, int]:
        """Insert the new articles and update re-fetched ones, then link each new article to its story, in
        order, so a copy later in the same batch finds the earlier one. Returns {url: id} of those inserted."""
        inserted = insert_articles(session, [entry.row for entry in batch if entry.stored_id is None])
        for entry in batch:
            if entry.stored_id is not None:
                changed = update_article(session, entry.stored_id, entry.row)
                self.crawler.stats.inc_value("newsmon/updated" if changed else "newsmon/unchanged")
            elif (article_id := inserted.get(entry.row["url"])) is not None:
                link = link_story(session, article_id, entry.fingerprint, self.policy)
                if link.duplicate_of is not None:
                    self.crawler.stats.inc_value("newsmon/exact_copies")
                elif link.story_id != article_id:
                    self.crawler.stats.inc_value("newsmon/joined_stories")
                if link.merged:
                    self.crawler.stats.inc_value("newsmon/merged_stories", len(link.merged))
        return inserted

    def _one_by_one(self, batch: list[Pending]) -> tuple[dict[str, int], int]:
        """Store what can be stored, so one bad row does not cost its whole batch; returns (stored, failed)."""
        inserted: dict[str, int] = {}
        failed = 0
        for entry in batch:
            try:
                with self.sessions.begin() as session:
                    inserted |= self._store(session, [entry])
            except SQLAlchemyError as exc:
                # Not fatal for the crawl: the page is not marked stored, so the next crawl fetches it again.
                logger.error("Could not store %s: %s", entry.row["url"], _reason(exc))
                failed += 1
        return inserted, failed

    def _row(self, item: ArticleItem, fp: Fingerprint) -> dict[str, Any]:
        spider = self.crawler.spider
        return {
            "source_id": spider.source_id,
            "crawl_run_id": spider.crawl_run_id,
            "url": item.url,
            "fetched_url": item.fetched_url,
            "title": item.title,
            "body": item.body,
            "search_text": search_key(f"{item.title}\n{item.body}"),
            "description": item.description,
            "credited_source": item.credited_source,
            "published_at": item.published_at,
            "published_from": item.published_from,
            "modified_at": item.modified_at,
            "modified_from": item.modified_from,
            "authors": item.authors,
            "language": item.language,
            "language_from": item.language_from,
            "section": item.section,
            "tags": item.tags,
            "image": item.image,
            "word_count": len((item.body or "").split()),
            "provenance": item.provenance,
            "fetched_at": item.fetched_at,
            "body_hash": fp.body_hash,
            "minhash": fp.signature,
            "listed_at": item.listed_at,
            "etag": item.etag,
            "last_modified": item.last_modified,
        }


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line, without the SQL and its parameters (which hold whole article bodies)."""
    original = getattr(exc, "orig", None)
    return (str(original).splitlines() or [""])[0] if original else type(exc).__name__
