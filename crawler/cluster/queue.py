"""The shared request queue, reliable: scrapy-redis's priority queue pops destructively, so a worker killed with
requests in hand would lose them. Here a pop moves the request into its worker's in-flight hash in the same
atomic step; the entry is removed when the request is settled (crawler.cluster.ledger), and a dead worker's
entries go back to the queue (``requeue``), so another worker retries them.
"""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from scrapy import Request, Spider
from scrapy_redis.queue import PriorityQueue

from crawler.cluster.keys import ClusterKeys
from crawler.context import RUN_META

logger = logging.getLogger("newsmon.cluster")

# Request meta: the in-flight token of a request this worker popped (never stored in Redis with the request).
WORK_META = "newsmon_work"

# Undecodable entries dropped by one pop at most, before it returns None (the engine asks again within a second).
_UNDECODABLE_PER_POP = 100

# Pop the most urgent request and record it as in flight, in one step: a kill between the two cannot lose it.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local token = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], token, popped[2] .. '\\n' .. popped[1])
return {token, popped[1]}
"""

# Put every in-flight request of a worker back in the queue, and its claimed start messages back in theirs. An
# entry ("score\\n" + member) whose very copy was queued meanwhile merges into it: its run's ``pending`` counted
# both, so it loses one (the member starts with the run id: ``ReliableQueue._encode_request``; one that does not,
# from before that encoding, is left alone: ``ReliableQueue.pop`` drops it when it comes back).
# KEYS: in-flight hash, queue, claimed list, start list. ARGV: the prefix of run hashes.
_REQUEUE = """
local entries = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(entries) do
  local cut = string.find(entry, '\\n', 1, true)
  local member = string.sub(entry, cut + 1)
  if redis.call('ZADD', KEYS[2], string.sub(entry, 1, cut - 1), member) == 0 then
    local nl = string.find(member, '\\n', 1, true)
    if nl then
      local run = ARGV[1] .. string.sub(member, 1, nl - 1)
      if redis.call('EXISTS', run) == 1 then redis.call('HINCRBY', run, 'pending', -1) end
    end
  end
end
redis.call('DEL', KEYS[1])
local starts = redis.call('LRANGE', KEYS[3], 0, -1)
for _, message in ipairs(starts) do redis.call('RPUSH', KEYS[4], message) end
redis.call('DEL', KEYS[3])
return {#entries, #starts}
"""


# Queue a request, counting it in its run's outstanding work only when it is really queued: ZADD of bytes
# already in the set (the same request twice: a feed configured twice, a child sitemap listed twice) adds
# nothing, so counting it would leave ``pending`` above 0 for good. A request carrying a token (a retry or
# redirect of one this worker holds) replaces its in-flight entry; if that entry is gone, this worker was
# reaped and the request was requeued as it was, so this copy is dropped. Returns 1 if queued.
# KEYS: queue, in-flight hash, run hash. ARGV: score, request, token ('' for none), '1' if it belongs to a run.
# A run that has ended (its hash gone) is not recreated by a late request: it would never expire.
_PUSH = """
local counted = ARGV[4] == '1' and redis.call('EXISTS', KEYS[3]) == 1
if ARGV[3] ~= '' then
  if redis.call('HDEL', KEYS[2], ARGV[3]) == 0 then return 0 end
  if redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) == 1 then return 1 end
  if counted then redis.call('HINCRBY', KEYS[3], 'pending', -1) end  -- merged into the queued copy
  return 0
end
local added = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if added == 1 and counted then redis.call('HINCRBY', KEYS[3], 'pending', 1) end
return added
"""


def requeue(server: Redis, keys: ClusterKeys, worker: str) -> tuple[int, int]:
    """Put ``worker``'s in-flight requests and claimed start messages back; (requests, messages) moved.

    Atomic, so two live nodes reaping the same dead worker move each entry once. A request requeued keeps its
    place in its run's outstanding work (it was counted when first queued), so the run still ends exactly once.
    """
    moved = server.eval(_REQUEUE, 4, keys.inflight(worker), keys.requests, keys.claimed(worker), keys.starts,
                        keys.run(""))
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
        self._push = server.register_script(_PUSH)

    def push(self, request: Request) -> bool:
        """Queue ``request``; False when it was not queued (already there, or a reaped worker's retry)."""
        token = request.meta.pop(WORK_META, None)
        data = self._encode_request(request)
        run = request.meta.get(RUN_META)
        run_key = self.keys.run(run[2] if run is not None else 0)  # unused for a request of no run
        return bool(self._push(keys=[self.key, self.inflight, run_key],
                               args=[-request.priority, data, token or "", "1" if run is not None else "0"]))

    def _encode_request(self, request: Request) -> bytes:
        # the run id ahead of the serialized request, so the requeue script can find the run's hash
        run = request.meta.get(RUN_META)
        return f"{run[2] if run is not None else 0}\n".encode() + super()._encode_request(request)

    def _decode_request(self, encoded: bytes) -> Request:
        return super()._decode_request(encoded.partition(b"\n")[2])

    def pop(self, timeout: int = 0) -> Request | None:
        """The most urgent request, held in this worker's in-flight hash; None when the queue is empty. An entry
        that cannot be decoded is dropped (``_drop_undecodable``) and the next one popped: a decode error raised
        into Scrapy's engine would be logged as an unhandled callback error, and the entry, left in flight, would
        come back at every requeue, its run never ending."""
        for _ in range(_UNDECODABLE_PER_POP):
            popped = self._pop(keys=[self.key, self.inflight, self.keys.seq])
            if not popped:
                return None
            raw, data = popped
            token = raw.decode() if isinstance(raw, bytes) else str(raw)
            try:
                request = self._decode_request(data)
            except Exception as exc:  # noqa: BLE001 - unpickling and request_from_dict raise all sorts
                self._drop_undecodable(token, data, exc)
                continue
            request.meta[WORK_META] = token
            return request
        return None  # a run of bad entries: the engine asks again shortly, the reactor is not held meanwhile

    def _drop_undecodable(self, token: str, data: bytes, exc: Exception) -> None:
        """Log an entry this worker cannot decode (from before the run-id prefix, naming a callback a newer release
        renamed, corrupted), count it, and settle it as done: out of the in-flight hash, so it is not requeued,
        and off its run's outstanding work, so the run still ends."""
        prefix, newline, _ = data.partition(b"\n")
        run_id = int(prefix) if newline and prefix.isdigit() and int(prefix) else None  # "0": a request of no run
        whose = (f"of run {run_id}" if run_id else "of no run" if newline and prefix.isdigit()
                 else "without a run-id prefix")
        logger.error("Dropped a queued request this worker cannot decode (%s: %.200s), %s: %r%s",
                     type(exc).__name__, exc, whose, data[:200], f" ({len(data)} bytes)" if len(data) > 200 else "")
        self.spider.crawler.stats.inc_value("newsmon/cluster_undecodable")
        ledger = getattr(self.spider, "ledger", None)  # the worker's (crawler.cluster.worker), once the spider opened
        try:
            if ledger is not None:
                ledger.drop(token, run_id)
            else:
                self.server.hdel(self.inflight, token)
        except RedisError as err:  # left in flight: dropped again by whichever worker pops it after a requeue
            logger.warning("Could not settle the undecodable request (%s); it stays in flight", err)

    def requeue_own(self) -> int:
        """At a graceful stop: whatever this worker still holds goes back for another worker."""
        return requeue(self.server, self.keys, self.worker)[0]
