"""Running crawls: one Scrapy crawler per source, all in one process, with a result per source."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings as ScrapySettings

from crawler.runs import RunCounts
from crawler.spiders.news import NewsSpider
from db.engine import open_database
from db.models import RunStatus
from newsmon.config import Source
from newsmon.settings import Settings

# Settings for crawling the bundled sample site on 127.0.0.1: no politeness delays against ourselves.
LOCAL_SITE_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 0,
    "NEWSMON_SITEMAP_MAX_AGE_DAYS": 0,
    "NEWSMON_PROGRESS_INTERVAL": 2.0,
}


@dataclass(frozen=True)
class SourceResult:
    source: str
    status: RunStatus
    finish_reason: str
    counts: RunCounts


def scrapy_settings(settings: Settings, overrides: Mapping[str, Any] | None = None, verbose: bool = False) -> ScrapySettings:
    """Scrapy's settings for a newsmon crawl: ``crawler.settings`` plus the database and sources path."""
    result = ScrapySettings()
    result.setmodule("crawler.settings", priority="project")
    result.set("NEWSMON_DB", settings.db_url, priority="cmdline")
    result.set("NEWSMON_SOURCES", str(settings.sources_path), priority="cmdline")
    result.set("LOG_FORMAT", "%(asctime)s %(levelname)s %(name)s: %(message)s", priority="cmdline")
    if not verbose:
        result.set("LOG_LEVEL", "INFO", priority="cmdline")
    else:
        result.set("LOG_LEVEL", "DEBUG", priority="cmdline")
    for key, value in (overrides or {}).items():
        result.set(key, value, priority="cmdline")
    return result


def crawl(
    settings: Settings, sources: Sequence[Source], overrides: Mapping[str, Any] | None = None, verbose: bool = False
) -> list[SourceResult]:
    """Crawl ``sources`` concurrently, each on its own crawler, and return how each went.

    Runs the Twisted reactor, so it can be called once per process (the scheduler uses
    AsyncCrawlerRunner for repeated crawls instead).
    """
    open_database(settings.db_url)  # fail here with one message, before Scrapy starts, if it is unreachable
    scrapy = scrapy_settings(settings, overrides, verbose)
    scrapy.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    logging.basicConfig(level=scrapy.get("LOG_LEVEL"), format=scrapy.get("LOG_FORMAT"), force=True)
    if not verbose:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_libraries)
    process = AsyncCrawlerProcess(scrapy)
    crawlers: list[tuple[Source, Crawler]] = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, source=source)
        crawlers.append((source, crawler))
    process.start()
    return [_result(source, crawler) for source, crawler in crawlers]


_LIBRARIES = ("scrapy", "twisted", "alembic", "py.warnings")
# A failed download is logged once, as a warning naming its kind and URL, by the spider; these
# middlewares would add an error with a traceback for the same event.
_REDUNDANT = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Keep the console to progress lines and warnings; ``--verbose`` shows everything.

    A handler filter rather than logger levels, because Scrapy resets its loggers' levels at start-up.
    """
    if record.name.startswith(_REDUNDANT):
        return False
    return not (record.name.startswith(_LIBRARIES) and record.levelno < logging.WARNING)


def _result(source: Source, crawler: Crawler) -> SourceResult:
    stats = crawler.stats
    assert stats is not None
    counts = RunCounts.from_stats(stats)
    reason = stats.get_value("finish_reason", "unknown")
    return SourceResult(source=source.name, status=counts.status(reason), finish_reason=reason, counts=counts)
