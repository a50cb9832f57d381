"""crawler.robots: every request waiting for a site's robots.txt gets it, not only the first (Scrapy 2.14+ gives
the later ones None, and they go out whatever robots.txt says); a robots.txt that could not be read is obeyed as
RFC 9309 asks (4xx: no rules; 5xx or no answer: nothing allowed, unless one was read before)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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


# --- a robots.txt that could not be read (RFC 9309 2.3.1.3, 2.3.1.4) ----------------------------------------------

# A crawl of ``batches`` of paths of one site through crawler.robots, on the asyncio reactor as crawls run, with its
# timings shortened by ``kept``; prints each path's outcome ("fetched", or its crawler.failures kind) and the number
# of downloads.
_CRAWL = """
import asyncio, json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.failures import error_kind
from crawler.robots import RobotsTxt

base, batches, kept = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
RobotsTxt.kept = RobotsTxt.kept_unread = kept
outcomes = {}

class Probe(scrapy.Spider):
    name = "probe"

    async def start(self):
        for n, batch in enumerate(batches):
            if n:
                await asyncio.sleep(kept + 0.5)  # the robots.txt read is stale: the next request reads it again
            for path in batch:
                yield scrapy.Request(base + path, self.fetched, errback=self.failed, dont_filter=True)

    def fetched(self, response):
        outcomes[response.url.removeprefix(base)] = "fetched"

    def failed(self, failure):
        outcomes[failure.request.url.removeprefix(base)] = error_kind(failure)

process = CrawlerProcess(settings={
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "ROBOTSTXT_OBEY": True, "USER_AGENT": "newsmon-test", "LOG_LEVEL": "WARNING", "RETRY_TIMES": 1,
    "DOWNLOADER_MIDDLEWARES": {"scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                               "crawler.robots.RobotsTxt": 100},
})
crawler = process.create_crawler(Probe)
process.crawl(crawler)
process.start()
print(json.dumps({"outcomes": outcomes, "downloads": crawler.stats.get_value("downloader/request_count")}))
"""

RULES = "User-agent: *\nDisallow: /private/\n"


class _Site(ThreadingHTTPServer):
    """A site on 127.0.0.1 whose robots.txt gives ``answers`` in turn (the last one for good); other pages are 200."""

    def __init__(self, answers: list[tuple[int, str]]) -> None:
        super().__init__(("127.0.0.1", 0), _Page)
        self.answers = answers
        self.hits: Counter[str] = Counter()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.hits[self.path] += 1
        if self.path == "/robots.txt":
            answers = self.server.answers
            status, text = answers.pop(0) if len(answers) > 1 else answers[0]
        else:
            status, text = 200, "<html><body>ok</body></html>"
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(*answers: tuple[int, str]) -> Iterator[_Site]:
    site = _Site(list(answers))
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


def crawl(base_url: str, *batches: list[str], kept: float = 60.0) -> tuple[dict[str, str], int, str]:
    """Each path's outcome, the number of downloads, and the crawl's log."""
    result = subprocess.run([sys.executable, "-c", _CRAWL, base_url, json.dumps(batches), str(kept)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["outcomes"], report["downloads"], result.stderr


def warnings_about(log: str, netloc: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line and f"robots.txt of {netloc} is unreachable" in line]


def test_a_robots_txt_answering_5xx_refuses_every_request_to_the_site_without_sending_it():
    with serving((503, "Service Unavailable")) as site:
        outcomes, _, log = crawl(site.base_url, ["/news/1", "/news/2", "/private/3"])
    assert outcomes == dict.fromkeys(["/news/1", "/news/2", "/private/3"], "robots_unreachable")
    assert set(site.hits) == {"/robots.txt"}  # retried once (RETRY_TIMES=1), and nothing else asked for
    assert len(warnings_about(log, site.server_address[0] + f":{site.server_address[1]}")) == 1  # not one a request


def test_a_site_that_does_not_answer_at_all_is_refused_as_well():
    with socket.socket() as closed:  # a port on 127.0.0.1 that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    outcomes, downloads, log = crawl(f"http://127.0.0.1:{port}", ["/news/1", "/news/2"])
    assert outcomes == dict.fromkeys(["/news/1", "/news/2"], "robots_unreachable")
    assert downloads == 2  # robots.txt and its retry: the articles were not tried
    assert len(warnings_about(log, f"127.0.0.1:{port}")) == 1


@pytest.mark.parametrize("status", [404, 403, 401, 410])
def test_a_robots_txt_answering_4xx_allows_everything_whatever_its_error_page_says(status):
    with serving((status, "User-agent: *\nDisallow: /\n")) as site:
        outcomes, _, _ = crawl(site.base_url, ["/news/1", "/private/2"])
    assert outcomes == {"/news/1": "fetched", "/private/2": "fetched"}


def test_a_robots_txt_read_before_is_still_obeyed_while_the_site_answers_5xx():
    with serving((200, RULES), (503, "Service Unavailable")) as site:
        outcomes, _, log = crawl(site.base_url, ["/news/1", "/private/1"], ["/news/2", "/private/2"], kept=1.0)
    assert outcomes == {"/news/1": "fetched", "/private/1": "robots_disallowed",
                        "/news/2": "fetched", "/private/2": "robots_disallowed"}
    assert site.hits["/robots.txt"] == 3  # read, then read again (and retried) when stale
    assert site.hits["/private/2"] == 0
    assert "obeying the one read before" in log


def test_a_site_whose_robots_txt_was_unreachable_is_crawled_again_once_it_can_be_read():
    with serving((503, "down"), (503, "down"), (200, RULES)) as site:
        outcomes, _, _ = crawl(site.base_url, ["/news/1"], ["/news/2", "/private/2"], kept=1.0)
    assert outcomes == {"/news/1": "robots_unreachable", "/news/2": "fetched", "/private/2": "robots_disallowed"}
    assert site.hits["/news/1"] == 0


def test_only_a_site_that_did_not_answer_is_unreachable():
    # a robots.txt too big to download, or one Scrapy could not decode, came from a site that answered: no rules, as
    # Scrapy does, and the site's requests go out
    from scrapy.exceptions import DownloadTimeoutError
    from scrapy.utils.test import get_crawler
    from twisted.internet.defer import Deferred

    from crawler.robots import RobotsTxt, _Unreachable

    middleware = RobotsTxt(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
    middleware._parsers["big.example"], middleware._parsers["down.example"] = Deferred(), Deferred()
    middleware._robots_error(ValueError("download cancelled: larger than DOWNLOAD_MAXSIZE"), "big.example")
    middleware._robots_error(DownloadTimeoutError("took too long"), "down.example")
    assert middleware._parsers["big.example"] is None
    assert middleware._parsers["down.example"] == _Unreachable("timeout")
