"""Politeness shared by a cluster's workers (crawler.cluster.politeness) on a real Redis (NEWSMON_TEST_REDIS_URL):
turns at one site are spaced by its delay whichever worker takes them, sites do not wait on each other, nothing is
left behind, and a Redis that does not answer costs the shared spacing, never the crawl. Each test has its own key
prefix. Timing is only ever bounded from below (gaps at least the delay, less 20 ms): the machine may be busy."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.cluster.politeness import SETTING, WRAPPED, SharedPoliteness, install
from newsmon.cluster_worker import worker_settings

REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parent.parent
SLACK = 0.02  # seconds a gap may fall short of the delay: a reply's trip back, a thread scheduled late


def _worker(prefix: str, redis_url: str | None = REDIS_URL, delay: float = 0.2) -> SharedPoliteness:
    """The shared-politeness handler of one worker (each has its own crawler, stats and Redis connection)."""
    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, "NEWSMON_REDIS_PREFIX": prefix,
                                         "DOWNLOAD_DELAY": delay})
    return SharedPoliteness(crawler)


async def _closed(*workers: SharedPoliteness) -> None:
    for worker in workers:
        await worker.close()


# ------------------------------------------------------------------ turns

def test_turns_at_one_site_are_spaced_by_the_delay_whichever_worker_takes_them(server, keys):
    delay = 0.2
    one, two, three = (_worker(keys.prefix, delay=delay) for _ in range(3))

    async def main() -> tuple[float, list[float], int, int]:
        # connected and the script loaded first, so the three reservations below are as close as can be
        await asyncio.gather(*(w.reserve("warm.example", delay) for w in (one, two, three)))
        first = await one.reserve("site.example", delay)
        first_turn = int(server.get(keys.polite("site.example")))
        rest = await asyncio.gather(two.reserve("site.example", delay), three.reserve("site.example", delay))
        last_turn = int(server.get(keys.polite("site.example")))
        await _closed(one, two, three)
        return first, sorted(rest), first_turn, last_turn

    first, rest, first_turn, last_turn = asyncio.run(main())
    assert first == 0  # nobody asked the site lately: go now
    assert last_turn - first_turn == 2 * 200_000  # two turns later, a delay apart each, in Redis's microseconds
    # asked at one instant, the next two wait one and two delays (less the moments between the asks)
    assert rest[0] >= delay - SLACK and rest[1] - rest[0] >= delay - SLACK
    assert rest[1] <= 2 * delay  # the turns are counted from the first one, not from each worker's ask


def test_sites_do_not_wait_on_each_other(server, keys):
    one, two = _worker(keys.prefix), _worker(keys.prefix)

    async def main() -> tuple[list[float], float]:
        at_once = await asyncio.gather(one.reserve("a.example", 0.2), two.reserve("b.example", 0.2))
        again = await two.reserve("a.example", 0.2)
        await _closed(one, two)
        return list(at_once), again

    at_once, again = asyncio.run(main())
    assert at_once == [0, 0]
    assert again >= 0.2 - SLACK  # the same site, from the other worker: its turn waits


def test_a_sites_key_expires_once_its_turn_no_longer_matters(server, keys):
    worker = _worker(keys.prefix)
    assert 59_000 < _kept_ms(server, keys, worker, 0.1) <= 60_000  # a minute after the turn, for a short delay
    assert 119_000 < _kept_ms(server, keys, worker, 60.0) <= 120_000  # two delays, for a long one
    worker.keep = 0.2
    _kept_ms(server, keys, worker, 0.1)
    time.sleep(0.4)
    assert not server.exists(keys.polite("idle.example")), "an idle site leaves nothing behind"


def _kept_ms(server, keys, worker: SharedPoliteness, delay: float) -> int:
    key = keys.polite("idle.example")
    server.delete(key)

    async def main() -> None:
        assert await worker.reserve("idle.example", delay) == 0
        await worker.server.aclose()

    asyncio.run(main())
    return server.pttl(key)


def test_a_worker_with_a_longer_delay_still_waits_for_a_shorter_ones_turn(server, keys):
    # AutoThrottle gives each worker its own delay for a site: the turn one took must outlive its short delay
    quick, slow = _worker(keys.prefix, delay=0.1), _worker(keys.prefix, delay=1.0)

    async def main() -> float:
        assert await quick.reserve("site.example", 0.1) == 0
        await asyncio.sleep(0.3)  # past two of the quick worker's delays
        wait = await slow.reserve("site.example", 1.0)
        await _closed(quick, slow)
        return wait

    assert asyncio.run(main()) >= 0.6  # a second after the quick one's turn, not at once


def test_a_delay_of_zero_asks_nothing_of_redis(server, keys):
    worker = _worker(keys.prefix, delay=0)

    async def main() -> float:
        waited = await worker.wait_turn(Request("http://zero.example/a"))
        await _closed(worker)
        return waited

    assert asyncio.run(main()) == 0
    assert not server.exists(keys.polite("zero.example"))


def test_the_slot_is_the_downloaders():
    worker = _worker("unused", redis_url="redis://127.0.0.1:9/0", delay=1.5)
    assert worker.slot_of(Request("https://WWW.Example.com:8443/a?b=c")) == ("www.example.com", 1.5)
    assert worker.slot_of(Request("https://www.example.com/a", meta={"download_slot": "pooled"})) == ("pooled", 1.5)


# ------------------------------------------------------------------ Redis down

def test_without_redis_requests_go_at_the_workers_own_pace_and_are_counted(caplog):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = _worker("unused", redis_url=f"redis://127.0.0.1:{port}/0")

    async def main() -> list[float]:
        waits = [await worker.wait_turn(Request(f"http://down.example/{n}")) for n in range(3)]
        await _closed(worker)
        return waits

    with caplog.at_level(logging.WARNING, logger="newsmon.cluster"):
        assert asyncio.run(main()) == [0, 0, 0]
    stats = worker.crawler.stats
    assert stats.get_value("newsmon/politeness_redis_errors") == 1  # then Redis is left alone for a few seconds
    assert stats.get_value("newsmon/politeness_unshared") == 3
    assert len([r for r in caplog.records if "Shared politeness" in r.getMessage()]) == 1


# ------------------------------------------------------------------ wiring

def test_install_wraps_the_configured_http_handlers_once_and_only_when_on():
    settings = Settings({**worker_settings("redis://127.0.0.1:6379/0")})
    assert settings.getbool(SETTING)
    install(settings)
    install(settings)  # twice: still one wrapper, around Scrapy's handler
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["http"] == "crawler.cluster.politeness.SharedPolitenessHttp"
    assert handlers["https"] == "crawler.cluster.politeness.SharedPolitenessHttps"
    assert set(settings.getdict(WRAPPED)) == {"http", "https"}
    assert settings.getdict(WRAPPED)["https"].endswith("HTTP11DownloadHandler")

    off = Settings({**worker_settings("redis://127.0.0.1:6379/0"), SETTING: "False"})  # as `-s` passes it
    install(off)
    assert off.getwithbase("DOWNLOAD_HANDLERS")["https"].endswith("HTTP11DownloadHandler")


# ------------------------------------------------------------------ two Scrapy crawls, one site

class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        with self.server.lock:
            self.server.arrivals.append((time.monotonic(), self.path))
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# A worker as far as politeness goes: Scrapy's downloader with its own delay (jittered, as by default), robots.txt
# obeyed, two requests per site at once, and the shared turns installed as newsmon/cluster_worker.py does.
_CRAWL = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from scrapy import Request, Spider
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings
    from crawler.cluster.politeness import install

    base, name, pages, ready, redis_url, prefix, delay, shared = sys.argv[1:]

    class Polite(Spider):
        name = "polite"

        async def start(self):
            for n in range(int(pages)):
                yield Request(f"{base}/{name}/{n}", dont_filter=True)

        def parse(self, response):
            pass

    settings = Settings({
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": float(delay), "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "RETRY_ENABLED": False, "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False, "REDIS_URL": redis_url, "NEWSMON_REDIS_PREFIX": prefix,
        "NEWSMON_CLUSTER_SHARED_POLITENESS": shared,
    })
    install(settings)
    process = AsyncCrawlerProcess(settings)
    process.crawl(Polite)
    # both crawls start together, or they would not compete for the site
    Path(ready, name).touch()
    while len(list(Path(ready).iterdir())) < 2:
        time.sleep(0.01)
    process.start()
""")


def _crawl_twice(site: _Site, prefix: str, ready: Path, delay: float, pages: int, shared: bool = True) -> None:
    base = f"http://127.0.0.1:{site.server_address[1]}"
    crawls = [subprocess.Popen([sys.executable, "-c", _CRAWL, base, name, str(pages), str(ready), REDIS_URL, prefix,
                                str(delay), str(shared)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
              for name in ("one", "two")]
    for crawl in crawls:
        _, stderr = crawl.communicate(timeout=60)
        assert crawl.returncode == 0, stderr


def test_two_crawls_of_one_site_are_spaced_by_the_delay_together(keys, tmp_path):
    delay, pages = 0.25, 6
    site = _Site()
    threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        _crawl_twice(site, keys.prefix, tmp_path, delay, pages)
    finally:
        site.shutdown()
        site.server_close()
    arrivals = sorted(site.arrivals)
    paths = [path for _, path in arrivals]
    assert sorted(paths) == sorted(["/robots.txt"] * 2 + [f"/{name}/{n}" for name in ("one", "two")
                                                          for n in range(pages)])
    # the crawls overlapped (else there was nothing to share): their requests alternate somewhere
    owners = [path.split("/")[1] for path in paths if path != "/robots.txt"]
    assert sum(a != b for a, b in zip(owners, owners[1:])) >= 2, owners
    gaps = [round(b - a, 3) for (a, _), (b, _) in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= delay - SLACK, list(zip(paths[1:], gaps))
