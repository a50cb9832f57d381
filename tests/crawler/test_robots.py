"""crawler.robots: every request waiting for a site's robots.txt gets it, not only the first (Scrapy 2.14+ gives
the later ones None, and they go out whatever robots.txt says)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run on the asyncio reactor, as crawls are: the waiters' futures are where Scrapy loses the parser.
_WAITERS = """
import asyncio, json, sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from scrapy import Request
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

middleware = load_object(sys.argv[1])(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
request = Request("http://site.example/private/page")
fetching = middleware._parsers["site.example"] = Deferred()  # its robots.txt on its way, for a first request
parser = object()

async def main():
    waiters = [asyncio.ensure_future(middleware.robot_parser(request)) for _ in range(3)]
    await asyncio.sleep(0)
    middleware._parsers["site.example"] = parser  # as Scrapy does when robots.txt is parsed
    fetching.callback(parser)
    print(json.dumps([got is parser for got in await asyncio.gather(*waiters)]))

def run():
    task = asyncio.ensure_future(main())
    task.add_done_callback(lambda _: reactor.stop())

reactor.callWhenRunning(run)
reactor.run()
"""


def waiters_given_the_parser(middleware: str) -> list[bool]:
    result = subprocess.run([sys.executable, "-c", _WAITERS, middleware], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_request_waiting_for_robots_txt_gets_it():
    assert waiters_given_the_parser("crawler.robots.RobotsTxt") == [True, True, True]


def test_scrapys_own_middleware_still_loses_it():
    # when this fails, Scrapy has fixed it: drop crawler.robots and use Scrapy's middleware again
    assert waiters_given_the_parser("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware") != [True] * 3


def test_a_sites_robots_txt_is_read_again_after_a_day_or_after_ten_minutes_if_it_could_not_be_read():
    # a cluster worker's middleware lives for months: robots.txt changes, and a failed read must not mean "obey
    # nothing" for good
    import time

    from scrapy.utils.test import get_crawler

    from crawler.robots import RobotsTxt

    middleware = RobotsTxt(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
    now, parser = time.monotonic(), object()
    cases = {"fresh.example": (parser, now - 3600), "stale.example": (parser, now - 25 * 3600),
             "failed-recently.example": (None, now - 300), "failed-long-ago.example": (None, now - 900)}
    for netloc, (known, read_at) in cases.items():
        middleware._parsers[netloc], middleware._read_at[netloc] = known, read_at
        middleware._forget_if_stale(netloc)
    assert set(middleware._parsers) == {"fresh.example", "failed-recently.example"}
