"""Store pipeline: articles written in batches, one transaction per batch, idempotent on the canonical URL;
each new article is linked to its story in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.context import CrawlContext
from crawler.database import crawl_sessions
from crawler.items import ArticleItem
from crawler.signals import item_stored
from db.store import insert_articles, update_article
from db.stories import StoryPolicy, link_story
from pipelines.fingerprint import Fingerprint, fingerprint
from pipelines.textkey import search_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """An article waiting for its batch: its row, its fingerprint, the stored article it re-fetched, and the
    crawl context its counts go to."""

    row: dict[str, Any]
    fingerprint: Fingerprint
    stored_id: int | None = None
    context: CrawlContext | None = None
    item: ArticleItem | None = None


class StorePipeline:
    def __init__(self, crawler: Crawler, batch_size: int, policy: StoryPolicy | None = None,
                 max_wait: float = 0.0) -> None:
        self.crawler = crawler
        self.max_wait = max_wait  # seconds a partial batch may wait (0: until full or the crawl ends)
        self._timer: Any = None
        self.sessions = crawl_sessions(crawler)
        self.batch_size = batch_size
        self.policy = policy or StoryPolicy()
        self.shingle_size = crawler.settings.getint("NEWSMON_SHINGLE_SIZE", 3)
        if self.shingle_size < 1:  # no shingles, no signature: every store would fail
            raise ValueError(f"NEWSMON_SHINGLE_SIZE must be 1 or more words, not {self.shingle_size}")
        self.pending: list[Pending] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        policy = StoryPolicy(threshold=settings.getfloat("NEWSMON_STORY_THRESHOLD", 0.3),
                             min_words=settings.getint("NEWSMON_STORY_MIN_WORDS", 40))
        return cls(crawler, settings.getint("NEWSMON_STORE_BATCH"), policy,
                   settings.getfloat("NEWSMON_STORE_MAX_WAIT", 0.0))

    def open_spider(self) -> None:
        # A cluster worker never ends its crawl: its runs end when their articles are stored, so a partial batch
        # must not wait for twenty more articles that may not come.
        if self.max_wait > 0:
            from twisted.internet import task

            self._timer = task.LoopingCall(self._timed_flush)
            self._timer.start(self.max_wait, now=False)

    def _timed_flush(self) -> None:
        # A LoopingCall stops for good at its first exception, and then a worker's partial batches (and the runs
        # waiting on them) would wait forever; _store's own SQLAlchemy errors are handled in flush.
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - logged with its traceback; the next tick tries the next batch
            logger.exception("Could not flush the pending articles; trying again in %.1f s", self.max_wait)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        fp = fingerprint(item.title or "", item.body or "", self.shingle_size)
        context = self.crawler.spider.context_of(item)
        self.pending.append(Pending(self._row(item, fp, context), fp, item.stored_id, context, item))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def flush(self) -> None:
        """Commit the pending articles together: after a crash each is either whole in the database or absent."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            inserted, failed = self._write(batch)
        except Exception:
            # not stored, and raised on: their requests are settled all the same (a cluster run would otherwise
            # wait for them for good), and the next run asks for them again
            for entry in batch:
                self.crawler.signals.send_catch_log(item_stored, item=entry.item, stored=False)
            raise
        # Counted per article, on the run it belongs to: a cluster worker's batch can mix sources and runs.
        # For source health (db.health): a run's new articles, how many have a date, and their total length.
        counted: set[str] = set()  # by URL: a second row for one URL was not inserted
        refused = {id(entry) for entry in failed}
        for entry in batch:
            context = entry.context
            assert context is not None
            url = entry.row["url"]
            if id(entry) in refused:
                context.count("errors/store")
            elif entry.stored_id is not None:
                pass  # an update: counted as updated or unchanged by _store
            elif url in inserted and url not in counted:
                counted.add(url)
                context.count("stored")
                # written even when 0: health reads a missing count as "run recorded before this was counted"
                context.tally.inc(context.run_id, "newsmon/stored_dated", int(entry.row["published_at"] is not None))
                context.tally.inc(context.run_id, "newsmon/stored_words", entry.row["word_count"])
            else:
                context.count("skipped/duplicate_url")
        for entry in batch:  # stored=False: not in the database, so a cluster lets the next run ask for it again
            self.crawler.signals.send_catch_log(item_stored, item=entry.item, stored=id(entry) not in refused)

    def _write(self, batch: list[Pending]) -> tuple[dict[str, int], list[Pending]]:
        """The batch in one transaction, or one by one if that fails; returns (stored, failed)."""
        try:
            with self.sessions.begin() as session:
                return self._store(session, batch), []
        except SQLAlchemyError as exc:
            logger.warning("Could not store a batch of %d articles (%s); storing them one by one", len(batch),
                           _reason(exc))
            return self._one_by_one(batch)

    def _store(self, session: Session, batch: list[Pending]) -> dict[str, int]:
        """Insert the new articles and update re-fetched ones, then link each new article to its story, in
        order, so a copy later in the same batch finds the earlier one. Returns {url: id} of those inserted."""
        inserted = insert_articles(session, [entry.row for entry in batch if entry.stored_id is None])
        linked: set[int] = set()  # a URL twice in one batch is one article, linked once (its bands are a key)
        for entry in batch:
            if entry.stored_id is not None:
                changed = update_article(session, entry.stored_id, entry.row)
                entry.context.count("updated" if changed else "unchanged")
            elif (article_id := inserted.get(entry.row["url"])) is not None and article_id not in linked:
                linked.add(article_id)
                link = link_story(session, article_id, entry.fingerprint, self.policy)
                if link.duplicate_of is not None:
                    entry.context.count("exact_copies")
                elif link.story_id != article_id:
                    entry.context.count("joined_stories")
                if link.merged:
                    entry.context.count("merged_stories", len(link.merged))
        return inserted

    def _one_by_one(self, batch: list[Pending]) -> tuple[dict[str, int], list[Pending]]:
        """Store what can be stored, so one bad row does not cost its whole batch; returns (stored, failed)."""
        inserted: dict[str, int] = {}
        failed: list[Pending] = []
        for entry in batch:
            try:
                with self.sessions.begin() as session:
                    inserted |= self._store(session, [entry])
            except SQLAlchemyError as exc:
                # Not fatal for the crawl: the page is not marked stored, so the next crawl fetches it again.
                logger.error("Could not store %s: %s", entry.row["url"], _reason(exc))
                failed.append(entry)
        return inserted, failed

    @staticmethod
    def _row(item: ArticleItem, fp: Fingerprint, context: CrawlContext) -> dict[str, Any]:
        return {
            "source_id": context.source_id,
            "crawl_run_id": context.run_id,
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
