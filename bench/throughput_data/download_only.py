"""Ceiling 1: a plain Scrapy spider that only downloads the site's article pages (no extraction, no storage).

    .venv/bin/python bench/throughput_data/download_only.py MANIFEST

One Scrapy process, Scrapy's own SitemapSpider started from every outlet's robots.txt (sitemap index, monthly
sitemaps and the news sitemap, as newsmon reads them), the same reactor as newsmon, robots.txt obeyed, no delays,
16 requests in flight (all outlets share the one host 127.0.0.1, so one downloader slot). Its callback counts the
response and drops it. Prints one JSON line: article pages downloaded, bytes, and seconds from the spider's opening
to its closing.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.spiders import SitemapSpider


class DownloadOnly(SitemapSpider):
    name = "download_only"

    def __init__(self, robots: list[str], **kwargs):
        super().__init__(**kwargs)
        self.sitemap_urls = robots
        self.pages = 0
        self.bytes = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_at, signal=signals.spider_closed)
        return spider

    def opened(self) -> None:
        self.started = time.monotonic()

    def closed_at(self) -> None:
        self.stopped = time.monotonic()

    def parse(self, response):
        self.pages += 1
        self.bytes += len(response.body)
        return ()


def main() -> int:
    manifest = json.loads(Path(sys.argv[1]).read_text())
    robots = [f"http://127.0.0.1:{o['port']}/robots.txt" for o in manifest["outlets"]]
    process = CrawlerProcess({
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING", "USER_AGENT": "bench-download-only",
    })
    crawler = process.create_crawler(DownloadOnly)
    process.crawl(crawler, robots=robots)
    process.start()
    spider = crawler.spider
    print(json.dumps({"pages": spider.pages, "bytes": spider.bytes, "seconds": spider.stopped - spider.started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
