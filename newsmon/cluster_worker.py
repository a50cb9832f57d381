"""`newsmon worker`: one Scrapy crawler taking its work from the cluster's shared Redis queue until stopped."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from typing import Any

from crawler.cluster.keys import DEFAULT_PREFIX, ClusterKeys
from newsmon.settings import Settings


def worker_settings(redis_url: str, prefix: str = DEFAULT_PREFIX, worker_id: str | None = None) -> dict[str, Any]:
    """The Scrapy settings that make a crawler a cluster worker (on top of crawler.settings)."""
    keys = ClusterKeys(prefix)
    return {
        "NEWSMON_CLUSTER": True,
        "NEWSMON_REDIS_PREFIX": prefix,
        "NEWSMON_WORKER_ID": worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.cluster.scheduler.ClusterScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.cluster.queue.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "DUPEFILTER_CLASS": "crawler.cluster.dupefilter.ExpiringDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.seen,
        "SCHEDULER_PERSIST": True,      # the queue and fingerprints are the cluster's, not this worker's
        # A run's listings are spread over workers, which would each record part of the listings' state: off.
        "NEWSMON_CONDITIONAL_LISTINGS": False,
        "NEWSMON_STORE_MAX_WAIT": 1.0,  # runs end when their articles are stored: partial batches wait 1 s at most
        # Each site's delay is kept by the workers together, through Redis (crawler.cluster.politeness), on top of
        # each worker's own; -s NEWSMON_CLUSTER_SHARED_POLITENESS=False leaves it to each worker alone.
        "NEWSMON_CLUSTER_SHARED_POLITENESS": True,
    }


def run_worker(settings: Settings, redis_url: str, prefix: str = DEFAULT_PREFIX,
               overrides: Mapping[str, Any] | None = None) -> int:
    """Run a worker in this process until SIGTERM/SIGINT (a second one stops at once); the exit code.

    A stop lets requests being downloaded finish and commits the articles scraped; what the worker still held
    goes back to the shared queue. Runs the Twisted reactor: once per process.
    """
    import redis
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.cluster.politeness import install as install_shared_politeness
    from crawler.spiders.news import NewsSpider
    from db.engine import open_database
    from newsmon.crawl import scrapy_settings
    from newsmon.errors import StoreError

    open_database(settings.db_url)  # one message, before Scrapy starts, if the database is unreachable
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        raise StoreError(f"cannot reach Redis at {redis_url}: {exc}") from None
    scrapy = scrapy_settings(settings, {**worker_settings(redis_url, prefix), **(overrides or {})})
    scrapy.set("EXTENSIONS", {**scrapy.getdict("EXTENSIONS"), "crawler.cluster.worker.ClusterWorker": 300},
               priority="cmdline")
    # a download handler, not a middleware: it has to wait once this worker's own slot lets the request go
    install_shared_politeness(scrapy)
    process = AsyncCrawlerProcess(scrapy)
    process.crawl(NewsSpider)
    process.start()
    return 0
