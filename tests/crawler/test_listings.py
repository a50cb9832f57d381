"""Conditional fetches of listings, in the spider: validators sent, 304s not parsed, outcomes recorded."""

import asyncio

import pytest
from scrapy import signals
from scrapy.exceptions import DownloadConnectionRefusedError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.discovery.listings import CrawlListings, may_pass
from crawler.robots import RobotsTxt
from crawler.spiders.news import NewsSpider
from db.listings import Listing, ListingFetch, ListingOutcome, load_listings, record_listings
from db.store import start_run, upsert_source
from newsmon.config import parse_sources

SITE = "http://127.0.0.1:9"
FEED, INDEX, CHILD, OTHER_CHILD = (f"{SITE}/rss.xml", f"{SITE}/sitemap_index.xml", f"{SITE}/sitemap-a.xml",
                                   f"{SITE}/sitemap-b.xml")
CONFIG = f"""sources:
  - name: wire
    title: Wire
    url: {SITE}/
    every: 1h
    feeds: [{FEED}]
    sitemaps: [{INDEX}]
"""
RSS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>{SITE}/news/1</link></item>
<item><title>Two</title><link>{SITE}/news/2</link></item>
</channel></rss>""".encode()


def open_spider(tmp_path, config=CONFIG, conditional=True, known=()):
    """A spider of the source in ``config``, started as a crawl starts it, with ``known`` listings stored."""
    crawler = get_crawler(NewsSpider, {"NEWSMON_DB": f"sqlite:///{tmp_path / 'newsmon.db'}",
                                       "NEWSMON_CONDITIONAL_LISTINGS": conditional})
    spider = NewsSpider.from_crawler(crawler, source=parse_sources(config).get("wire"))
    with spider.sessions.begin() as session:
        source_id = upsert_source(session, "wire", "Wire", f"{SITE}/")
        record_listings(session, source_id, list(known))
        run_id = start_run(session, source_id)
    spider.source_id = source_id
    spider.open_run(spider.source, source_id, run_id)
    return spider, asyncio.run(_collect(spider.start()))


async def _collect(requests):
    return [request async for request in requests]


def states(spider):
    with spider.sessions() as session:
        return load_listings(session, spider.source_id)


def test_listings_read_before_are_asked_for_conditionally(tmp_path):
    read = ListingFetch(FEED, ListingOutcome.READ, 200, '"f1"', "Fri, 20 Sep 2024 11:00:00 GMT")
    _, requests = open_spider(tmp_path, known=[read])
    feed, index = requests
    assert feed.headers.get("If-None-Match") == b'"f1"'
    assert feed.headers.get("If-Modified-Since") == b"Fri, 20 Sep 2024 11:00:00 GMT"
    assert 304 in feed.meta["handle_httpstatus_list"]
    assert index.headers.get("If-None-Match") is None  # never read: asked for in full


def test_the_setting_and_a_source_with_rechecks_turn_it_off(tmp_path):
    read = ListingFetch(FEED, ListingOutcome.READ, 200, '"f1"', None)
    _, requests = open_spider(tmp_path, conditional=False, known=[read])
    assert requests[0].headers.get("If-None-Match") is None
    rechecked = CONFIG.replace("    every: 1h\n", "    every: 1h\n    recheck: 48h\n")
    _, requests = open_spider(tmp_path, config=rechecked, known=[read])
    assert requests[0].headers.get("If-None-Match") is None


def test_an_unchanged_sitemap_index_is_not_parsed_and_still_leads_to_its_sitemaps(tmp_path):
    known = [ListingFetch(INDEX, ListingOutcome.READ, 200, '"i1"', None, (CHILD, OTHER_CHILD)),
             ListingFetch(CHILD, ListingOutcome.READ, 200, '"c1"', None)]
    spider, requests = open_spider(tmp_path, known=known)
    index = requests[1]
    children = list(spider.parse_sitemap(Response(INDEX, status=304, request=index), depth=0))
    assert [r.url for r in children] == [CHILD, OTHER_CHILD]
    assert children[0].headers.get("If-None-Match") == b'"c1"'
    assert spider.crawler.stats.get_value("newsmon/listings_not_modified") == 1
    assert spider.crawler.stats.get_value("newsmon/listings_ok") is None
    spider.closed("finished")
    assert states(spider)[INDEX].last_status == 304
    assert states(spider)[INDEX].children == (CHILD, OTHER_CHILD)


def _read_feed(spider, request):
    response = TextResponse(FEED, status=200, body=RSS, headers={"ETag": '"f2"'}, request=request)
    return list(spider.parse_feed(response))


def _fail(request, status):
    failure = Failure(HttpError(Response(request.url, status=status, request=request), "Ignoring response"))
    failure.request = request
    return failure


@pytest.mark.parametrize("status, read_in_full", [(404, True), (500, False)])
def test_a_feed_is_read_in_full_again_when_an_article_it_led_to_may_yet_be_fetched(tmp_path, status, read_in_full):
    spider, requests = open_spider(tmp_path)
    articles = _read_feed(spider, requests[0])
    assert [r.url for r in articles] == [f"{SITE}/news/1", f"{SITE}/news/2"]
    spider.on_error(_fail(articles[0], status))
    spider.closed("finished")
    feed = states(spider)[FEED]
    assert feed.last_status == 200
    assert feed.etag == ('"f2"' if read_in_full else None)  # None: the next crawl reads the feed in full


@pytest.mark.parametrize("signal", [signals.spider_error, signals.item_error])
def test_a_feed_is_read_in_full_again_when_a_page_it_led_to_raised(tmp_path, signal):
    spider, requests = open_spider(tmp_path)
    articles = _read_feed(spider, requests[0])
    page = TextResponse(articles[1].url, status=200, body=b"<html></html>", request=articles[1])
    spider.crawler.signals.send_catch_log(signal, failure=Failure(ValueError("bug")), item={}, response=page,
                                          spider=spider)
    spider.closed("finished")
    assert states(spider)[FEED].etag is None


def test_a_crawl_that_stopped_early_read_no_listing_in_full(tmp_path):
    spider, requests = open_spider(tmp_path)
    _read_feed(spider, requests[0])
    spider.closed("shutdown")
    assert states(spider)[FEED].etag is None


def test_a_failed_listing_counts_a_failure_and_keeps_its_validators(tmp_path):
    read = ListingFetch(FEED, ListingOutcome.READ, 200, '"f1"', None)
    spider, requests = open_spider(tmp_path, known=[read])
    before = states(spider)[FEED]
    spider.on_error(_fail(requests[0], 503))
    not_a_feed = TextResponse(FEED, status=200, body=b"<html>not a feed</html>", headers={"ETag": '"x"'},
                              request=requests[0])
    assert list(spider.parse_feed(not_a_feed)) == []
    spider.closed("finished")
    feed = states(spider)[FEED]
    assert (feed.etag, feed.last_status, feed.failures, feed.changed_at) == ('"f1"', 200, 2, before.changed_at)


def _refused_by_robots(request, reachable):
    """The failure crawler.robots gives ``request`` when its site's robots.txt disallows it, or is unreachable."""
    robots = RobotsTxt(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
    netloc = urlparse_cached(request).netloc
    robots._parsers[netloc] = Deferred()
    if reachable:
        robots._settle(netloc, build_from_crawler(robots._parserimpl, robots.crawler, b"User-agent: *\nDisallow: /"))
    else:
        robots._robots_error(DownloadConnectionRefusedError("Connection refused"), netloc)
    with pytest.raises(IgnoreRequest) as refused:
        robots.process_request_2(robots._parsers[netloc], request)
    failure = Failure(refused.value)
    failure.request = request
    return failure


@pytest.mark.parametrize("reachable", [False, True])
def test_an_article_refused_while_its_sites_robots_txt_is_unreachable_is_asked_for_in_the_next_run(tmp_path,
                                                                                                 reachable):
    spider, requests = open_spider(tmp_path)
    articles = _read_feed(spider, requests[0])
    spider.on_error(_refused_by_robots(articles[0], reachable))
    kind = "errors/robots_unreachable" if not reachable else "skipped/robots_disallowed"
    assert spider.crawler.stats.get_value(f"newsmon/{kind}") == 1
    spider.closed("finished")

    spider, requests = open_spider(tmp_path)  # the next run
    if reachable:  # disallowed for good: the feed is asked for conditionally, and its 304 leads to nothing
        assert "If-None-Match" in requests[0].headers
    else:  # the feed is read in full again, and leads to the article again
        assert "If-None-Match" not in requests[0].headers
        assert articles[0].url in [r.url for r in _read_feed(spider, requests[0])]


def test_which_article_failures_may_pass():
    assert all(may_pass(kind) for kind in ("http_500", "http_503", "timeout", "refused", "dns", "http_429", "http_408",
                                           "robots_unreachable"))
    assert not any(may_pass(kind) for kind in ("http_404", "http_410", "robots_disallowed", "ignored"))


def test_outcomes_mark_reads_unfinished():
    listings = CrawlListings({FEED: Listing(FEED, etag='"f1"')})
    listings.fetched(ListingFetch(FEED, ListingOutcome.READ, 200, '"f2"'))
    listings.fetched(ListingFetch(INDEX, ListingOutcome.READ, 200, '"i1"'))
    listings.fetched(ListingFetch(CHILD, ListingOutcome.NOT_MODIFIED, 304))
    listings.unfinished(INDEX)
    assert [f.outcome for f in listings.outcomes(complete=True)] == ["read", "unfinished", "not_modified"]
    assert [f.outcome for f in listings.outcomes(complete=False)] == ["unfinished", "unfinished", "not_modified"]
