"""robots.txt, obeyed by every request that waits for it: Scrapy's RobotsTxtMiddleware with one fix.

While a site's robots.txt is being fetched, the site's other requests wait on one Deferred. Since Scrapy 2.14
(scrapy/scrapy#6802) each waiter turns it into an asyncio future with Twisted's ``Deferred.asFuture``, whose
callback returns None: the first waiter gets the parsed robots.txt, every later one gets None, which the middleware
reads as "no robots.txt", and the request goes out whatever robots.txt says. Here each waiter adds a callback that
passes the parser on, as Scrapy did before 2.14. It shows when requests to one site pile up before its robots.txt
arrives: many sources on one host, or a cluster worker taking a burst of one site's queued articles.

And a site's robots.txt is read again once a day (RFC 9309: a cached copy is not used for more than 24 hours), or
ten minutes after it could not be read (Scrapy then obeys nothing for the site): a crawl's middleware lives as long
as its crawler, which for a cluster worker is months.
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxt(RobotsTxtMiddleware):
    kept = 24 * 3600.0        # seconds a robots.txt read is used
    kept_unread = 600.0       # seconds a robots.txt that could not be read is left unread

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._read_at: dict[str, float] = {}  # when each site's robots.txt was read (or failed to be), by netloc

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        self._forget_if_stale(netloc)
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):  # not asked for yet (this request asks), or known
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def pass_on(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # for the next waiter

        pending.addCallback(pass_on)
        return await maybe_deferred_to_future(mine)

    def _forget_if_stale(self, netloc: str) -> None:
        read_at = self._read_at.get(netloc)
        if read_at is None or isinstance(self._parsers.get(netloc), Deferred):
            return
        if time.monotonic() - read_at > (self.kept if self._parsers.get(netloc) is not None else self.kept_unread):
            del self._parsers[netloc]  # the next request asks for it again
            del self._read_at[netloc]

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._read_at[netloc] = time.monotonic()
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._read_at[netloc] = time.monotonic()
        super()._robots_error(exc, netloc)
