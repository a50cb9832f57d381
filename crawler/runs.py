"""Records each crawl as a row in ``crawl_runs``: when, how it ended, and what it counted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.database import crawl_sessions
from crawler.items import Skip
from db.models import RunStatus
from db.store import finish_run, start_run, upsert_source


@dataclass(frozen=True)
class RunCounts:
    """What one crawl did, read from the crawl's stats (every newsmon counter is ``newsmon/<key>``)."""

    pages: int
    stored: int
    skipped: int
    errors: int
    listings_ok: int
    detail: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_stats(cls, stats: StatsCollector) -> RunCounts:
        return cls.from_values(stats.get_stats())

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> RunCounts:
        """From counters named as in a crawl's stats: one crawler's, or a cluster run's summed over workers."""
        detail = {k.removeprefix("newsmon/"): v for k, v in values.items() if k.startswith("newsmon/")}
        return cls(
            pages=values.get("response_received_count", 0),
            stored=detail.get("stored", 0),
            skipped=sum(v for k, v in detail.items() if k.startswith("skipped/")),
            errors=sum(v for k, v in detail.items() if k.startswith("errors/")),
            # a listing that answered 304 was read in full before and has not changed since: as good as read
            listings_ok=detail.get("listings_ok", 0) + detail.get("listings_not_modified", 0),
            detail=detail,
        )

    def status(self, finish_reason: str) -> RunStatus:
        """A run failed when it ended early, read no feed, sitemap or section, or could not store."""
        if finish_reason != "finished" or self.listings_ok == 0 or self.detail.get("errors/store"):
            return RunStatus.FAILED
        return RunStatus.FINISHED


class CrawlRunRecorder:
    """A single-node crawl's run: started when its spider opens, finished with its counts when it closes. On a
    cluster worker runs are begun and finished by crawler.cluster.ledger; here only dropped items are counted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sessions = crawl_sessions(crawler)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", None)
        if source is None:
            return
        with self.sessions.begin() as session:
            source_id = upsert_source(session, source.name, source.title, source.url)
            self.run_id: int | None = start_run(session, source_id)
        spider.open_run(source, source_id, self.run_id)

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Spider) -> None:
        reason = exception.reason if isinstance(exception, Skip) else "dropped"
        spider.context_of(item).count(f"skipped/{reason}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if getattr(spider, "source", None) is None:
            return
        counts = RunCounts.from_stats(self.crawler.stats)
        status = counts.status(reason)
        self.crawler.stats.set_value("newsmon/status", status.value)
        with self.sessions.begin() as session:
            finish_run(
                session,
                self.run_id,
                status=status,
                finish_reason=reason,
                pages=counts.pages,
                stored=counts.stored,
                skipped=counts.skipped,
                errors=counts.errors,
                counts=counts.detail,
            )
