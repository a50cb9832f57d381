"""The shared duplicate filter, bounded: scrapy-redis keeps every fingerprint forever in one set, which over
months of crawling grows without limit. Here fingerprints go into one set per UTC day, each expiring after
NEWSMON_CLUSTER_SEEN_DAYS days, and a request counts as seen when any of the last that-many days has it.

Bound: the fingerprints (40-character SHA-1, about 100 bytes each in Redis) of the article requests queued in the
last NEWSMON_CLUSTER_SEEN_DAYS days (3 by default), no more. Listings bypass the filter (dont_filter=True), as do
re-fetches of stored articles. An article that is already stored is not asked for again anyway (the spider checks
the database first), so the filter only has to cover the time between queueing an article and storing it.
"""

from __future__ import annotations

import time

from redis import Redis
from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter

_DAY = 86400

# Seen on an earlier day, or added today (atomically, so two workers cannot both take the same URL as new).
_SEEN = """
for i = 2, #KEYS do
  if redis.call('SISMEMBER', KEYS[i], ARGV[1]) == 1 then return 1 end
end
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1 - added
"""


class ExpiringDupeFilter(RFPDupeFilter):
    def __init__(self, server: Redis, key: str, debug: bool = False, days: int = 3) -> None:
        super().__init__(server, key, debug)
        if days < 1:
            raise ValueError("NEWSMON_CLUSTER_SEEN_DAYS must be at least 1")
        self.days = days
        self._seen = server.register_script(_SEEN)

    @classmethod
    def from_spider(cls, spider: Spider) -> ExpiringDupeFilter:
        base = super().from_spider(spider)
        return cls(base.server, base.key, base.debug, spider.settings.getint("NEWSMON_CLUSTER_SEEN_DAYS", 3))

    def buckets(self, now: float | None = None) -> list[str]:
        """Today's set first, then the earlier days still checked."""
        today = int((now if now is not None else time.time()) // _DAY)
        return [f"{self.key}:{day}" for day in range(today, today - self.days, -1)]

    def request_seen(self, request: Request) -> bool:
        # a bucket lives one day longer than it is checked, so a clock a little ahead on another node still finds it
        return bool(self._seen(keys=self.buckets(), args=[self.request_fingerprint(request), (self.days + 1) * _DAY]))

    def forget(self, request: Request) -> None:
        """Let the next run ask for ``request`` again (its fetch failed for a reason that may pass)."""
        fingerprint = self.request_fingerprint(request)
        with self.server.pipeline(transaction=False) as pipe:
            for bucket in self.buckets():
                pipe.srem(bucket, fingerprint)
            pipe.execute()

    def close(self, reason: str = "") -> None:
        """Fingerprints are shared by every worker: one worker stopping keeps them (scrapy-redis would delete them)."""

    def clear(self) -> None:
        self.server.delete(*self.buckets())
