"""Politeness shared by a cluster's workers: whichever worker asks a site next, it asks no sooner than the site's
delay after the last ask of any worker (``NEWSMON_CLUSTER_SHARED_POLITENESS``, on by default on workers).

Before a request goes out, its worker reserves the next send time of the request's download slot (the key Scrapy's
downloader spaces requests by: the host, or ``meta["download_slot"]``) in Redis with one Lua script,
``turn = max(now, last turn + delay)``, and sleeps until then. Every request that reaches the site is spaced:
articles, listings, redirects, retries and robots.txt alike (Scrapy has no per-request opt-out of its delay, and
this adds none).

- **One clock.** ``now`` is Redis's ``TIME``, read inside the script, and the script answers with the time to wait,
  not a moment: workers whose clocks disagree still share one timeline (the reply's trip back is the only error,
  and it only makes a worker later). What is spaced is the moment a request is handed to the HTTP client, as with
  Scrapy's own ``DOWNLOAD_DELAY``: one that opens a new connection (DNS, TCP, TLS) reaches the site that much later.
- **The delay** is the one this worker's own downloader uses for the slot at that moment: ``DOWNLOAD_DELAY``, a
  ``DOWNLOAD_SLOTS`` entry's ``delay``, or what AutoThrottle has raised it to from the latencies this worker saw
  (before jitter). A turn is spaced from the previous turn by the delay of the worker taking it. A delay of 0 asks
  nothing of Redis, as a delay of 0 spaces nothing on one machine.
- **Bounded.** One key per site (``<prefix>:polite:<slot>``), expiring a minute after its last turn (two delays if
  longer): long enough for a worker whose delay for the site is longer than the one that took the turn (AutoThrottle
  raises each worker's own, up to 30 s by default), short enough that idle sites leave nothing behind.
- **Redis unreachable:** the request goes out at this worker's own pace (its local delay still applies), the
  failure is logged (at most once a minute) and counted in the worker's stats (``newsmon/politeness_redis_errors``;
  ``newsmon/politeness_unshared`` counts the requests sent without a shared turn), and Redis is asked again after
  5 s. The crawl never stops for it.

Why a download handler rather than a downloader middleware: a middleware's ``process_request`` runs before the
request enters its downloader slot, where the worker's own delay (jittered ±50 %) and per-site concurrency can hold
it further, past its reserved turn and onto the next worker's; and every request the engine hands the
downloader (up to ``CONCURRENT_REQUESTS``) would reserve a turn at once, queueing turns far ahead. The handler runs
inside the slot, once those have let the request go, right before it is sent: the turn is when it goes out, and a
worker holds at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` turns of a site. The cost: a request waiting for its turn
holds one of its slot's transfer places (and one of ``CONCURRENT_REQUESTS``), as a slow download does. Its download
timeout and AutoThrottle's latency start when the wrapped handler starts, after the wait. The handler wraps the
``http``/``https`` handlers the worker is configured with (Scrapy's own by default): :func:`install`. It waits with
asyncio and asks Redis with redis-py's asyncio client: workers run on Scrapy's asyncio reactor (crawler.settings).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.cluster.keys import ClusterKeys

logger = logging.getLogger("newsmon.cluster")

SETTING = "NEWSMON_CLUSTER_SHARED_POLITENESS"
WRAPPED = "NEWSMON_POLITENESS_WRAPPED"   # scheme → the download handler the shared turn is taken in front of
_TIMEOUT = 2.0     # seconds a reservation may take before this worker goes on at its own pace
_PAUSE = 5.0       # seconds Redis is left alone after a failed reservation (no retries on every request)
_WARN_EVERY = 60.0

# KEYS[1]: the site's key; ARGV[1]: the delay in microseconds (> 0), ARGV[2]: how long the turn is kept after it,
# in microseconds. Returns the microseconds to wait.
_RESERVE = """
-- Redis < 5 refuses a write after TIME unless effects are replicated instead of the script (a no-op since 7)
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local delay = tonumber(ARGV[1])
local turn = math.max(now, (tonumber(redis.call('GET', KEYS[1])) or 0) + delay)
-- %.0f: Lua's default number format (%.14g) would drop the last digits of 16-digit microseconds
redis.call('SET', KEYS[1], string.format('%.0f', turn),
           'PX', string.format('%.0f', math.ceil((turn - now + tonumber(ARGV[2])) / 1000)))
return turn - now
"""


class SharedPoliteness:
    """Download handler of a cluster worker, one per scheme (:class:`SharedPolitenessHttp`, ``…Https``): waits for
    the request's turn at its site, then lets the handler it wraps download it. See the module's docstring."""

    scheme = ""        # the scheme whose configured handler this one wraps: set by the subclasses below
    keep = 60.0        # seconds a site's last turn is kept after it (at least; two delays if longer)
    lazy = False

    def __init__(self, crawler: Crawler, handler: Any = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.handler = handler  # the handler wrapped
        self.keys = ClusterKeys(settings.get("NEWSMON_REDIS_PREFIX"))
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        # its own asyncio client, not the worker's blocking one: a slow Redis must not stall the reactor, and a
        # reservation that fails fails at once (no retries), the request then going out at the local pace
        self.server = Redis.from_url(settings.get("REDIS_URL"), socket_timeout=_TIMEOUT,
                                     socket_connect_timeout=_TIMEOUT, retry=Retry(NoBackoff(), 0))
        self._reserve = self.server.register_script(_RESERVE)
        self._paused_until = 0.0
        self._warned_at = -_WARN_EVERY

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        # made now, as Scrapy makes its own handlers: made on a request, it would delay that request past its turn
        return cls(crawler, build_from_crawler(load_object(crawler.settings.getdict(WRAPPED)[cls.scheme]), crawler))

    async def download_request(self, request: Request) -> Response:
        await self.wait_turn(request)
        return await self.handler.download_request(request)

    async def close(self) -> None:
        try:
            if self.handler is not None:
                await self.handler.close()
        finally:
            await self.server.aclose()

    # -------------------------------------------------------------- the turn

    async def wait_turn(self, request: Request) -> float:
        """Sleep until ``request``'s turn at its site; the seconds slept."""
        slot, delay = self.slot_of(request)
        wait = await self.reserve(slot, delay)
        if wait > 0:
            await asyncio.sleep(wait)
        return wait

    def slot_of(self, request: Request) -> tuple[str, float]:
        """The request's download slot and this worker's current delay for it."""
        # the downloader has put its slot key in the meta by now; the hostname is what it would have chosen
        key = request.meta.get("download_slot")
        if key is None:
            key = urlparse_cached(request).hostname or ""
        try:
            slot = self.crawler.engine.downloader.slots.get(key)
        except RuntimeError:  # no engine: not crawling
            slot = None
        return key, (slot.delay if slot is not None else self.default_delay)

    async def reserve(self, slot: str, delay: float) -> float:
        """Take the next turn at ``slot`` spaced ``delay`` seconds from the last one; the seconds until it (0 when
        the delay is 0, or Redis failed: the request then goes at this worker's own pace)."""
        if delay <= 0:
            return 0.0
        if time.monotonic() < self._paused_until:
            self._count("newsmon/politeness_unshared")
            return 0.0
        try:
            micros = await self._reserve(keys=[self.keys.polite(slot)], args=[
                max(1, round(delay * 1_000_000)), round(max(self.keep, 2 * delay) * 1_000_000)])
        except RedisError as exc:
            self._failed(exc)
            return 0.0
        return int(micros) / 1_000_000

    def _failed(self, exc: RedisError) -> None:
        now = time.monotonic()
        self._paused_until = now + _PAUSE
        self._count("newsmon/politeness_redis_errors")
        self._count("newsmon/politeness_unshared")
        if now - self._warned_at >= _WARN_EVERY:
            self._warned_at = now
            logger.warning("Shared politeness: a reservation in Redis failed (%s); this worker spaces its requests "
                           "to each site by its own DOWNLOAD_DELAY only, not with the other workers', until Redis "
                           "answers again (asked at most every %d s)", exc, _PAUSE)

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


class SharedPolitenessHttp(SharedPoliteness):
    scheme = "http"


class SharedPolitenessHttps(SharedPoliteness):
    scheme = "https"


_WRAPPERS = {wrapper.scheme: f"{__name__}.{wrapper.__qualname__}"
             for wrapper in (SharedPolitenessHttp, SharedPolitenessHttps)}


def install(settings: Settings) -> None:
    """Put :class:`SharedPoliteness` in front of the worker's http and https download handlers, unless
    ``NEWSMON_CLUSTER_SHARED_POLITENESS`` is off. Call once the worker's settings are complete (overrides applied)."""
    if not settings.getbool(SETTING):
        return
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    wrapped = {scheme: handlers[scheme] for scheme, path in _WRAPPERS.items()
               if handlers.get(scheme) not in (None, path)}
    if not wrapped:
        return
    settings.set(WRAPPED, {**settings.getdict(WRAPPED), **wrapped}, priority="cmdline")
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"),
                                       **{scheme: _WRAPPERS[scheme] for scheme in wrapped}}, priority="cmdline")
