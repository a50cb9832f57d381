"""scrapy-redis's scheduler on the reliable queue and the expiring duplicate filter, settling what it drops."""

from __future__ import annotations

from scrapy import Request

from crawler.cluster.queue import WORK_META, ReliableQueue
from crawler.context import RUN_META
from scrapy_redis.scheduler import Scheduler

# Request meta of the marker a worker's callback yields last (crawler.cluster.ledger): by the time the scheduler
# is handed it, every request the callback yielded before it has been queued, so the callback's own request is
# settled here. It is never queued or downloaded.
SETTLE_META = "newsmon_settle"


class ClusterScheduler(Scheduler):
    """Scrapy opens the scheduler before ``spider_opened``, when the worker extension gives the spider its
    ledger: so the ledger finds this scheduler's duplicate filter itself, when it first needs it."""

    def enqueue_request(self, request: Request) -> bool:
        ledger = self.spider.ledger
        if SETTLE_META in request.meta:
            ledger.settle(request.meta[SETTLE_META], request.meta.get(RUN_META))
            return False
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if WORK_META in request.meta:  # a redirect of a held request, to a page already asked for: done
                ledger.settle(request.meta[WORK_META], request.meta.get(RUN_META))
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return self.queue.push(request)

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        assert isinstance(self.queue, ReliableQueue)
        if moved := self.queue.requeue_own():
            self.spider.logger.info("Put %d unfinished requests back in the shared queue", moved)
        super().close(reason)
