"""The Scrapy extension of a cluster worker (``NEWSMON_CLUSTER``): takes start messages, keeps a heartbeat, puts
the in-flight requests of dead workers back in the queue, and keeps the worker running while there is no work."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

from redis import Redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task

from crawler.cluster.keys import BEGUN_TTL, FORGET_WORKERS_AFTER, HEARTBEAT_TTL, ClusterKeys
from crawler.cluster.ledger import RedisLedger
from crawler.cluster.queue import requeue
from crawler.context import CrawlContext, RunKey
from crawler.database import crawl_sessions
from crawler.signals import item_stored
from newsmon.config import SourcesConfig, load_sources
from newsmon.errors import ConfigError
from newsmon.settings import Settings

logger = logging.getLogger("newsmon.cluster")

_POLL = 0.5              # seconds between looks for start messages and for requests other workers queued
_BEAT = 2.0              # seconds between heartbeats (they expire after HEARTBEAT_TTL)
_REAP = 5.0              # seconds between looks for dead workers
_RETRY = 5.0             # seconds between new tries of settles and finishes that failed on a hiccup
_FORGET_CONTEXT = 600.0  # seconds a run's context is kept unused (made again from the next request that needs it)
_STARTS_PER_POLL = 20


def reap(server: Redis, keys: ClusterKeys, now: float | None = None) -> list[str]:
    """Requeue the work of every worker whose heartbeat has expired; returns those reaped. Any live node may call
    it (workers and the scheduler node do): the move is atomic, so nothing is moved twice."""
    now = time.time() if now is None else now
    reaped = []
    for raw, info in server.hgetall(keys.workers).items():
        worker = raw.decode()
        if server.exists(keys.alive(worker)):
            continue
        requests, starts = requeue(server, keys, worker)
        if requests or starts:
            logger.warning("Worker %s stopped answering: %d requests and %d start messages put back for others",
                           worker, requests, starts)
            reaped.append(worker)
        if now - json.loads(info).get("last_seen", 0) > FORGET_WORKERS_AFTER:
            server.hdel(keys.workers, worker)
    return reaped


class ClusterWorker:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.keys = ClusterKeys(settings.get("NEWSMON_REDIS_PREFIX"))
        self.worker: str = settings.get("NEWSMON_WORKER_ID")
        self.server: Redis = get_redis_from_settings(settings)
        self.sources_path = Settings.load(sources=settings.get("NEWSMON_SOURCES")).sources_path
        self.config: SourcesConfig = load_sources(self.sources_path)
        self.config_mtime = _mtime(self.sources_path)
        self.ledger = RedisLedger(self.server, self.keys, self.worker, crawler, crawl_sessions(crawler))
        self.started = time.time()
        self.heartbeat_ttl = settings.getint("NEWSMON_CLUSTER_HEARTBEAT_TTL", HEARTBEAT_TTL)
        self.loops: list[task.LoopingCall] = []
        self.beats = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        # after crawler.runs.CrawlRunRecorder (an earlier extension) has counted a dropped item on its run
        for signal in (item_stored, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.ledger.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterWorker:
        if not crawler.settings.getbool("NEWSMON_CLUSTER"):
            raise NotConfigured
        return cls(crawler)

    # -------------------------------------------------------------- lifecycle

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        spider.ledger = self.ledger
        spider.context_factory = self.context_for
        # Requests other workers queue are noticed when the engine next asks the scheduler; by default it asks
        # every 5 s while idle. A private attribute of Scrapy's engine (2.19): without it workers are only slower.
        engine = self.crawler.engine
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            engine._SLOT_HEARTBEAT_INTERVAL = _POLL
        self.beat()
        for interval, call in ((_BEAT, self.beat), (_POLL, self.take_starts), (_REAP, self.reap),
                               (_RETRY, self.ledger.retry), (60.0, self.forget_idle_contexts)):
            loop = task.LoopingCall(self._guarded, call)
            loop.start(interval, now=False)
            self.loops.append(loop)
        logger.info("Worker %s taking work from %s", self.worker, self.keys.prefix)

    def spider_idle(self, spider: Spider) -> None:
        raise DontCloseSpider  # a worker waits for work until it is stopped

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()
        self.ledger.flush()
        self.server.delete(self.keys.alive(self.worker))
        logger.info("Worker %s stopped (%s)", self.worker, reason)

    def response_received(self, response: Any, request: Any, spider: Spider) -> None:
        if (run := request.meta.get("newsmon_run")) is not None:
            self.ledger.page(run)

    def _guarded(self, call: Any) -> None:
        # a Redis or database hiccup is logged and tried again next tick; it must not stop the loop for good
        try:
            call()
        except Exception:  # noqa: BLE001 - the loop's one catch-all, logged with its traceback
            logger.exception("Cluster worker: %s failed", getattr(call, "__name__", call))

    # -------------------------------------------------------------- periodic work

    def beat(self) -> None:
        now = time.time()
        info = {"host": socket.gethostname(), "pid": os.getpid(), "started": self.started, "last_seen": now}
        alive = self.keys.alive(self.worker)
        with self.server.pipeline(transaction=False) as pipe:
            # XX after the first beat: a key that lapsed means other nodes may have taken this worker for dead
            pipe.set(alive, "1", ex=self.heartbeat_ttl, xx=self.beats > 0)
            pipe.hset(self.keys.workers, self.worker, json.dumps(info))
            renewed = pipe.execute()[0]
        if not renewed:
            self.server.set(alive, "1", ex=self.heartbeat_ttl)
            # whatever was requeued is redone and settled elsewhere; this worker's settles of it are refused
            # (crawler.cluster.ledger), so it is not counted twice
            logger.warning("Worker %s was silent for over %d s: its requests may have gone to other workers",
                           self.worker, self.heartbeat_ttl)
        self.beats += 1

    def reap(self) -> None:
        reap(self.server, self.keys)
        self._wake()

    def take_starts(self) -> None:
        """Begin the runs waiting in the start list (a few per tick, so one worker does not take them all)."""
        for _ in range(_STARTS_PER_POLL):
            raw = self.server.lmove(self.keys.starts, self.keys.claimed(self.worker), "RIGHT", "LEFT")
            if raw is None:
                break
            message = json.loads(raw)
            source = self._source(message["source"])
            begun = self.keys.begun(message["source"], message.get("slot", message.get("enqueued_at", 0)))
            if self.server.exists(begun):
                logger.info("Start message for %s, slot %s, already begun: dropped", message["source"],
                            message.get("slot"))
            elif source is None:
                logger.error("Start message for %s, which %s does not configure: dropped", message["source"],
                             self.sources_path)
                self.server.hdel(self.keys.active, message["source"])
            else:
                self.ledger.begin(message, source, self.spider)
            with self.server.pipeline(transaction=True) as pipe:
                # together: a worker killed after this step has its message dropped if it comes back; one
                # killed during ``begin`` has it redone, and the half-begun run is closed as abandoned
                if source is not None:
                    pipe.set(begun, "1", nx=True, ex=BEGUN_TTL)
                pipe.lrem(self.keys.claimed(self.worker), 1, raw)
                pipe.execute()
        self._wake()

    def _wake(self) -> None:
        """Let the engine ask the shared queue now rather than at its next heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def forget_idle_contexts(self) -> None:
        cutoff = time.monotonic() - _FORGET_CONTEXT
        for key, context in list(self.spider.contexts.items()):
            if context.last_used < cutoff:
                del self.spider.contexts[key]

    # -------------------------------------------------------------- contexts

    def context_for(self, run: RunKey) -> CrawlContext:
        """The context of a run begun by another worker: its source from this worker's own sources file."""
        source = self._source(run[0])
        if source is None:
            raise LookupError(f"source {run[0]!r} is not in {self.sources_path}")
        return self.spider.open_run(source, run[1], run[2], self.ledger)

    def _source(self, name: str) -> Any:
        if _mtime(self.sources_path) != self.config_mtime:
            self.config_mtime = _mtime(self.sources_path)
            try:
                self.config = load_sources(self.sources_path)
            except ConfigError as exc:
                logger.error("Ignoring the edit to %s; keeping the sources read before:\n%s", self.sources_path, exc)
        return next((s for s in self.config.sources if s.name == name), None)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
