"""robots.txt, obeyed by every request that waits for it: Scrapy's RobotsTxtMiddleware with one fix.

While a site's robots.txt is being fetched, the site's other requests wait on one Deferred. Since Scrapy 2.14
(scrapy/scrapy#6802) each waiter turns it into an asyncio future with Twisted's ``Deferred.asFuture``, whose
callback returns None: the first waiter gets the parsed robots.txt, every later one gets None, which the middleware
reads as "no robots.txt", and the request goes out whatever robots.txt says. Here each waiter adds a callback that
passes the parser on, as Scrapy did before 2.14. It shows when requests to one site pile up before its robots.txt
arrives: many sources on one host, or a cluster worker taking a burst of one site's queued articles.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxt(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):  # not asked for yet (this request asks), or known
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def pass_on(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # for the next waiter

        pending.addCallback(pass_on)
        return await maybe_deferred_to_future(mine)
