"""What a crawl knows about one run of one source: the spider keeps one of these per (source, run).

A single-node crawl (`newsmon crawl`, `newsmon run`, `scrapy crawl news`) is one context on its crawler; a cluster
worker (`newsmon worker`) holds a context for every run whose requests it is handed, made from the request's meta.
Everything per run lives here, so the spider and the pipelines handle one source or many the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from crawler.discovery.listings import CrawlListings
from crawler.extraction import Selectors
from newsmon.config import Source

# Request meta and item key naming the run a request or an article belongs to: (source name, source id, run id).
RUN_META = "newsmon_run"
RunKey = tuple[str, int, int]


class Tally(Protocol):
    """Where a run's counters go: the crawler's stats on one node, a Redis hash per run in a cluster."""

    def inc(self, run_id: int, key: str, n: int = 1) -> None: ...


@dataclass
class CrawlContext:
    """One run of one source, as far as this process has seen it."""

    source: Source
    source_id: int
    run_id: int
    tally: Tally
    oldest: datetime | None = None         # sitemap entries dated before this are not fetched
    listings: CrawlListings = field(default_factory=lambda: CrawlListings(conditional=False))
    requested: set[str] = field(default_factory=set)     # article URLs asked for in this run (by this process)
    left_alone: set[str] = field(default_factory=set)    # stored articles a listing linked and that were not fetched
    listed: dict[str, datetime] = field(default_factory=dict)  # the latest date any listing of this run gives a URL
    last_used: float = 0.0                 # monotonic time of the last request handled (cluster workers evict idle ones)

    def __post_init__(self) -> None:
        self.selectors = Selectors(**self.source.selectors.model_dump())

    @property
    def key(self) -> RunKey:
        return (self.source.name, self.source_id, self.run_id)

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to the run's counter ``newsmon/<key>`` (RunCounts reads them back)."""
        if n:
            self.tally.inc(self.run_id, f"newsmon/{key}", n)


def oldest_listed(max_age_days: float, now: datetime | None = None) -> datetime | None:
    """The cut-off for sitemap entries from NEWSMON_SITEMAP_MAX_AGE_DAYS (0: none)."""
    if max_age_days <= 0:
        return None
    return (now or datetime.now(timezone.utc)) - timedelta(days=max_age_days)


class StatsTally:
    """A single-node crawl's tally: its crawler's stats, as before contexts existed (one run per crawler)."""

    def __init__(self, inc_value: Callable[..., Any]) -> None:
        self._inc_value = inc_value

    def inc(self, run_id: int, key: str, n: int = 1) -> None:
        self._inc_value(key, n)
