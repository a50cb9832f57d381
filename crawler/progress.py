"""Progress lines while a crawl runs: pages fetched, articles stored, skipped, errors, per source."""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.runs import RunCounts

logger = logging.getLogger("newsmon.progress")


def progress_line(source: str, counts: RunCounts) -> str:
    return f"{source}: {counts.pages} pages, {counts.stored} stored, {counts.skipped} skipped, {counts.errors} errors"


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("NEWSMON_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.log, spider)
        self.loop.start(self.interval, now=False)

    def log(self, spider: Spider) -> None:
        logger.info(progress_line(_label(spider), RunCounts.from_stats(self.crawler.stats)))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        counts = RunCounts.from_stats(self.crawler.stats)
        status = counts.status(reason).value
        ending = status if status == reason else f"{status}: {reason}"
        logger.info("%s (%s)", progress_line(_label(spider), counts), ending)


def _label(spider: Spider) -> str:
    """The source a single-node crawl crawls; a cluster worker's counts are those of every run it worked on."""
    source = getattr(spider, "source", None)
    return source.name if source is not None else "worker"
