"""A cluster run's records, across workers: counts summed in a Redis hash per run, and its outstanding work.

Every request queued for a run adds one to the run's ``pending`` (crawler.cluster.queue); settling a request
takes one off, together with this worker's buffered counts for the run and its in-flight entry, in one
transaction. A request is settled when what its callback yielded has been queued (the marker it yields last,
crawler.cluster.scheduler) or, for an article, once the article is stored or dropped. So ``pending`` reaches 0
exactly when the run has nothing left anywhere, and every count is in the hash by then: the worker whose
settle brings it to 0 finishes the run's ``crawl_runs`` row, as a single-node crawl does when its spider closes.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from redis import Redis
from scrapy import Request
from scrapy.crawler import Crawler
from sqlalchemy.orm import Session, sessionmaker

from crawler.cluster.keys import FINISHED_KEPT, RUN_TTL, ClusterKeys
from crawler.cluster.queue import WORK_META
from crawler.cluster.scheduler import SETTLE_META
from crawler.context import RUN_META, RunKey
from crawler.items import ArticleItem
from crawler.runs import RunCounts
from db.models import CrawlRun, RunStatus
from db.store import finish_run, start_run, upsert_source
from newsmon.config import Source

logger = logging.getLogger("newsmon.cluster")


class RedisLedger:
    """This worker's side of every run it works on (also the runs' Tally: crawler.context)."""

    def __init__(self, server: Redis, keys: ClusterKeys, worker: str, crawler: Crawler,
                 sessions: sessionmaker[Session]) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.crawler = crawler
        self.sessions = sessions
        self.dupefilter: Any = None         # set by the scheduler when it opens
        self._buffered: defaultdict[int, Counter[str]] = defaultdict(Counter)

    # -------------------------------------------------------------- counting

    def inc(self, run_id: int, key: str, n: int = 1) -> None:
        """Count for a run: kept here until the next settle of that run writes it (a worker's own totals also go
        to its crawler's stats, for its progress lines)."""
        self.crawler.stats.inc_value(key, n)
        self._buffered[run_id][key] += n

    def page(self, run: RunKey) -> None:
        self.inc(run[2], "response_received_count")

    # -------------------------------------------------------------- beginning a run

    def begin(self, message: dict[str, Any], source: Source, spider: Any) -> int:
        """Turn a start message into a run: its ``crawl_runs`` row, its hash, and its listings queued."""
        with self.sessions.begin() as session:
            source_id = upsert_source(session, source.name, source.title, source.url)
            run_id = start_run(session, source_id)  # a run of it still marked running is closed as abandoned
        key = self.keys.run(run_id)
        with self.server.pipeline(transaction=True) as pipe:
            # pending 1: the start itself, settled below once its listings are queued
            pipe.hset(key, mapping={"pending": 1, "source": source.name, "source_id": source_id,
                                    "slot": message.get("slot", 0), "started": time.time()})
            pipe.expire(key, RUN_TTL)
            pipe.hset(self.keys.active, source.name, json.dumps({**message, "run": run_id, "since": time.time()}))
            pipe.execute()
        context = spider.open_run(source, source_id, run_id, self)
        for request in spider.start_requests_of(context):
            self.crawler.engine.crawl(request)  # queued in Redis before the start is settled below
        self.settle(None, context.key)
        logger.info("Run %d of %s begun (slot %s)", run_id, source.name, message.get("slot"))
        return run_id

    # -------------------------------------------------------------- settling

    def follow(self, request: Request, outputs: Iterable[Any] | None) -> Iterator[Any]:
        """What a callback or errback yields, passed on; then its request is settled: at once when it yielded no
        request, by a marker after them when it did, by its article when it yielded one (``item_done``)."""
        token = request.meta.get(WORK_META)
        run = request.meta.get(RUN_META)
        if token is None:  # not popped from the shared queue by this worker
            yield from outputs or ()
            return
        queued = handed_on = False
        failure: Exception | None = None
        try:
            for output in outputs or ():
                if isinstance(output, Request):
                    queued = True
                elif isinstance(output, ArticleItem):
                    output.work, handed_on = token, True
                yield output
        except Exception as exc:  # re-raised below, after settling, so Scrapy reports it as usual
            failure = exc
        if not handed_on:
            if queued:
                yield Request(request.url, dont_filter=True, meta={SETTLE_META: token, RUN_META: run})
            else:
                self.settle(token, run)
        if failure is not None:
            raise failure

    def item_done(self, item: Any, **_: Any) -> None:
        """An article stored, dropped or failed in a pipeline: the request it came from is settled."""
        if isinstance(item, ArticleItem) and item.work is not None:
            token, item.work = item.work, None
            self.settle(token, item.run)

    def may_retry(self, request: Request) -> None:
        if self.dupefilter is not None:
            self.dupefilter.forget(request)

    def settle(self, token: str | None, run: RunKey | None) -> None:
        """One piece of work done: its counts written, its in-flight entry dropped, the run's pending lowered."""
        with self.server.pipeline(transaction=True) as pipe:
            if token is not None:
                pipe.hdel(self.keys.inflight(self.worker), token)
            if run is None:
                pipe.execute()
                return
            key = self.keys.run(run[2])
            for name, n in self._buffered.pop(run[2], Counter()).items():
                pipe.hincrby(key, name, n)
            pipe.hincrby(key, "pending", -1)
            left = pipe.execute()[-1]
        if left == 0:
            self.finish(run)

    def flush(self) -> None:
        """Write every buffered count (at a worker's stop: its runs go on elsewhere)."""
        with self.server.pipeline(transaction=True) as pipe:
            for run_id, counts in self._buffered.items():
                for name, n in counts.items():
                    pipe.hincrby(self.keys.run(run_id), name, n)
            pipe.execute()
        self._buffered.clear()

    # -------------------------------------------------------------- finishing a run

    def finish(self, run: RunKey) -> None:
        """Record the run's summed counts on its row, as a single-node crawl does when it ends."""
        name, _, run_id = run
        values = {k.decode(): v.decode() for k, v in self.server.hgetall(self.keys.run(run_id)).items()}
        counts = RunCounts.from_values({k: int(v) for k, v in values.items()
                                        if k.startswith("newsmon/") or k == "response_received_count"})
        status = counts.status("finished")
        with self.sessions.begin() as session:
            row = session.get(CrawlRun, run_id)
            # a row no longer running was given up (abandoned by a later run of its source): left as it is
            if row is not None and row.status is RunStatus.RUNNING:
                finish_run(session, run_id, status=status, finish_reason="finished", pages=counts.pages,
                           stored=counts.stored, skipped=counts.skipped, errors=counts.errors, counts=counts.detail)
        note = {"source": name, "run": run_id, "status": status.value, "stored": counts.stored,
                "updated": counts.detail.get("updated", 0), "pages": counts.pages, "errors": counts.errors,
                "skipped": counts.skipped, "started": float(values.get("started", 0)), "finished": time.time()}
        active = self.server.hget(self.keys.active, name)
        with self.server.pipeline(transaction=True) as pipe:
            if active is not None and json.loads(active).get("run") == run_id:
                pipe.hdel(self.keys.active, name)
            pipe.lpush(self.keys.finished, json.dumps(note))
            pipe.ltrim(self.keys.finished, 0, FINISHED_KEPT - 1)
            pipe.delete(self.keys.run(run_id))
            pipe.execute()
        logger.info("Crawled %s (run %d): %s, %d pages, %d new, %d skipped, %d errors", name, run_id, status.value,
                    counts.pages, counts.stored, counts.skipped, counts.errors)
