"""robots.txt, obeyed by every request that waits for it: Scrapy's RobotsTxtMiddleware with two fixes.

While a site's robots.txt is being fetched, the site's other requests wait on one Deferred. Since Scrapy 2.14
(scrapy/scrapy#6802) each waiter turns it into an asyncio future with Twisted's ``Deferred.asFuture``, whose
callback returns None: the first waiter gets the parsed robots.txt, every later one gets None, which the middleware
reads as "no robots.txt", and the request goes out whatever robots.txt says. Here each waiter adds a callback that
passes the parser on, as Scrapy did before 2.14. It shows when requests to one site pile up before its robots.txt
arrives: many sources on one host, or a cluster worker taking a burst of one site's queued articles.

And a robots.txt that could not be read is obeyed as RFC 9309 (2.3.1.3, 2.3.1.4) asks, where Scrapy parses
whatever error page came back, or obeys nothing when none did. One that answers 4xx is unavailable: the site has no
rules, whatever the error page says. One that answers 5xx (after Scrapy's retries) or not at all (refused, timed
out, no DNS) is unreachable: the site's requests are refused with crawler.failures.RobotsUnreachable, an
IgnoreRequest (``error_kind`` names it ``robots_unreachable``, a failure that may pass, so the articles are asked
for again next run), unless this middleware read a robots.txt of the site before (and no 4xx since), which it
then obeys. The warning is logged once per site and outage.

A site's robots.txt is read again once a day (RFC 9309: a cached copy is not used for more than 24 hours), or ten
minutes after it could not be read: a crawl's middleware lives as long as its crawler, which for a cluster worker
is months, and a site that was down is crawled again once it is back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.failures import NO_ANSWER, RobotsUnreachable, error_kind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Unreachable:
    """Stands for the parser of a site whose robots.txt could not be read and never was: nothing is allowed."""

    cause: str  # as crawler.failures names it: http_503, refused, timeout, dns…


class RobotsTxt(RobotsTxtMiddleware):
    kept = 24 * 3600.0        # seconds a robots.txt read is used
    kept_unread = 600.0       # seconds a robots.txt that could not be read is left unread

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._read_at: dict[str, float] = {}  # when each site's robots.txt was read (or failed to be), by netloc
        self._last_good: dict[str, RobotParser] = {}  # the last robots.txt read of each site, obeyed while it is down
        self._outages: dict[str, str] = {}  # sites whose robots.txt is unreachable now, and why

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

    def process_request_2(self, rp: RobotParser | _Unreachable | None, request: Request) -> None:
        if isinstance(rp, _Unreachable):
            self._stats.inc_value("robotstxt/unreachable")
            # not "Forbidden by robots.txt": that one is for good, this one lasts as long as the outage
            raise RobotsUnreachable(f"robots.txt unreachable ({urlparse_cached(request).netloc}: {rp.cause})")
        super().process_request_2(rp, request)

    def _forget_if_stale(self, netloc: str) -> None:
        read_at = self._read_at.get(netloc)
        parser = self._parsers.get(netloc)
        if read_at is None or isinstance(parser, Deferred):
            return
        unread = parser is None or netloc in self._outages
        if time.monotonic() - read_at > (self.kept_unread if unread else self.kept):
            del self._parsers[netloc]  # the next request asks for it again
            del self._read_at[netloc]

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._read_at[netloc] = time.monotonic()
        if response.status >= 500:  # Scrapy's retries gave up on it: a server error is no robots.txt
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._unreachable(netloc, f"http_{response.status}")
            return
        self._reachable(netloc)
        if response.status >= 400:
            # unavailable (RFC 9309 puts every 4xx here, 401, 403 and 429 too): no rules, though an error page (a
            # WAF's 403, say) may read as some
            self._last_good.pop(netloc, None)
            await super()._parse_robots(response.replace(body=b""), netloc, request)
            return
        await super()._parse_robots(response, netloc, request)
        if (parser := self._parsers.get(netloc)) is not None and not isinstance(parser, Deferred):
            self._last_good[netloc] = parser

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._read_at[netloc] = time.monotonic()
        kind = error_kind(Failure(exc))
        if kind not in NO_ANSWER:
            # not sent by this crawler's own choice (an offsite redirect), too big, undecodable: the site answered,
            # or was never asked, so it is not down; as Scrapy does, no rules
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreachable(netloc, kind)

    def _unreachable(self, netloc: str, cause: str) -> None:
        """The site's robots.txt could not be read: obey the one read before, or refuse all of the site's requests."""
        last_good = self._last_good.get(netloc)
        if netloc not in self._outages:
            self._outages[netloc] = cause
            then = "refusing every request to the site" if last_good is None else "obeying the one read before"
            logger.warning("robots.txt of %s is unreachable (%s): %s until it can be read (tried again every %d s)",
                           netloc, cause, then, self.kept_unread)
        self._settle(netloc, _Unreachable(cause) if last_good is None else last_good)

    def _reachable(self, netloc: str) -> None:
        if (cause := self._outages.pop(netloc, None)) is not None:
            logger.info("robots.txt of %s can be read again (it was unreachable: %s)", netloc, cause)

    def _settle(self, netloc: str, parser: RobotParser | _Unreachable) -> None:
        pending = self._parsers.get(netloc)
        self._parsers[netloc] = parser  # type: ignore[assignment]  # _Unreachable: process_request_2 knows it
        if isinstance(pending, Deferred):
            pending.callback(parser)  # the requests waiting for it
