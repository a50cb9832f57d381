"""Running crawls: one Scrapy crawler per source, all in one process, with a result per source."""

from __future__ import annotations

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


def scrapy_settings(settings: Settings, overrides: Mapping[str, Any] | None = None) -> ScrapySettings:
    """Scrapy's settings for a newsmon crawl: ``crawler.settings`` plus the database and sources path.

    Logging is left to the caller (the CLI configures it; a program embedding newsmon keeps its own).
    """
    result = ScrapySettings()
    result.setmodule("crawler.settings", priority="project")
    result.set("NEWSMON_DB", settings.db_url, priority="cmdline")
    result.set("NEWSMON_SOURCES", str(settings.sources_path), priority="cmdline")
    result.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    for key, value in (overrides or {}).items():
        result.set(key, value, priority="cmdline")
    return result


def crawl(settings: Settings, sources: Sequence[Source], overrides: Mapping[str, Any] | None = None) -> list[SourceResult]:
    """Crawl ``sources`` concurrently, each on its own crawler, and return how each went.

    Runs the Twisted reactor, so it can be called once per process (the scheduler uses
    AsyncCrawlerRunner for repeated crawls instead).
    """
    open_database(settings.db_url)  # fail here with one message, before Scrapy starts, if it is unreachable
    process = AsyncCrawlerProcess(scrapy_settings(settings, overrides))
    crawlers: list[tuple[Source, Crawler]] = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, source=source)
        crawlers.append((source, crawler))
    process.start()
    return [source_result(source, crawler) for source, crawler in crawlers]


def source_result(source: Source, crawler: Crawler) -> SourceResult:
    """How a finished crawl of ``source`` went, from its crawler's stats."""
    stats = crawler.stats
    assert stats is not None
    counts = RunCounts.from_stats(stats)
    reason = stats.get_value("finish_reason", "unknown")
    return SourceResult(source=source.name, status=counts.status(reason), finish_reason=reason, counts=counts)
