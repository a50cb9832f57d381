"""The shared request queue, reliable: scrapy-redis's priority queue pops destructively, so a worker killed with
requests in hand would lose them. Here a pop moves the request into its worker's in-flight hash in the same
atomic step; the entry is removed when the request is settled (crawler.cluster.ledger), and a dead worker's
entries go back to the queue (``requeue``), so another worker retries them.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from scrapy import Request, Spider
from scrapy_redis.queue import PriorityQueue

from crawler.cluster.keys import ClusterKeys
from crawler.context import RUN_META

# Request meta: the in-flight token of a request this worker popped (never stored in Redis with the request).
WORK_META = "newsmon_work"

# Pop the most urgent request and record it as in flight, in one step: a kill between the two cannot lose it.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local token = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], token, popped[2] .. '\\n' .. popped[1])
return {token, popped[1]}
"""

# Put every in-flight request of a worker back in the queue, and its claimed start messages back in theirs.
_REQUEUE = """
local entries = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(entries) do
  local cut = string.find(entry, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1))
end
redis.call('DEL', KEYS[1])
local starts = redis.call('LRANGE', KEYS[3], 0, -1)
for _, message in ipairs(starts) do redis.call('RPUSH', KEYS[4], message) end
redis.call('DEL', KEYS[3])
return {#entries, #starts}
"""


def requeue(server: Redis, keys: ClusterKeys, worker: str) -> tuple[int, int]:
    """Put ``worker``'s in-flight requests and claimed start messages back; (requests, messages) moved.

    Atomic, so two live nodes reaping the same dead worker move each entry once. A request requeued keeps its
    place in its run's outstanding work (it was counted when first queued), so the run still ends exactly once.
    """
    moved = server.eval(_REQUEUE, 4, keys.inflight(worker), keys.requests, keys.claimed(worker), keys.starts)
    return int(moved[0]), int(moved[1])


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue, with pops recorded in the worker's in-flight hash and run accounting:
    a request queued for the first time adds one to its run's outstanding work (``pending``)."""

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        self.keys = ClusterKeys(settings.get("NEWSMON_REDIS_PREFIX"))
        self.worker: str = settings.get("NEWSMON_WORKER_ID")
        self.inflight = self.keys.inflight(self.worker)
        self._pop = server.register_script(_POP)

    def push(self, request: Request) -> None:
        # A request carrying a token is a retry or a redirect of one this worker holds: the same piece of work
        # goes on, so it replaces the held entry instead of counting as new.
        token = request.meta.pop(WORK_META, None)
        data = self._encode_request(request)
        with self.server.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {data: -request.priority})
            if token is not None:
                pipe.hdel(self.inflight, token)
            elif (run := request.meta.get(RUN_META)) is not None:
                pipe.hincrby(self.keys.run(run[2]), "pending", 1)
            pipe.execute()

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self._pop(keys=[self.key, self.inflight, self.keys.seq])
        if not popped:
            return None
        token, data = popped
        request = self._decode_request(data)
        request.meta[WORK_META] = token.decode() if isinstance(token, bytes) else str(token)
        return request

    def requeue_own(self) -> int:
        """At a graceful stop: whatever this worker still holds goes back for another worker."""
        return requeue(self.server, self.keys, self.worker)[0]
