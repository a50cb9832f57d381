"""The cluster's mechanisms on a real Redis (NEWSMON_TEST_REDIS_URL): the slot guard, the reliable queue's
requeue of a dead worker's requests, and the expiring duplicate filter. Each test uses its own key prefix."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.cluster.keys import ClusterKeys
from crawler.cluster.queue import WORK_META, requeue
from crawler.context import RUN_META
from newsmon.cluster_enqueue import Enqueued, Enqueuer, slot_of

REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL")


@pytest.fixture
def server():
    if not REDIS_URL:
        pytest.skip("NEWSMON_TEST_REDIS_URL is not set")
    import redis

    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def keys(server):
    keys = ClusterKeys(f"newsmon_test_{uuid.uuid4().hex[:10]}")
    yield keys
    for key in server.scan_iter(f"{keys.prefix}:*"):
        server.delete(key)


# ------------------------------------------------------------------ slots and the guard

def test_slots_come_from_the_schedule_not_from_when_a_scheduler_started():
    hourly = IntervalTrigger(hours=1, timezone=timezone.utc)
    first, late = datetime(2024, 5, 1, 12, 3, 7, tzinfo=timezone.utc), datetime(2024, 5, 1, 12, 48, tzinfo=timezone.utc)
    assert slot_of(hourly, first) == slot_of(hourly, late) == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert slot_of(hourly, late + timedelta(minutes=12)) == datetime(2024, 5, 1, 13, tzinfo=timezone.utc)
    beirut_seven = CronTrigger.from_crontab("0 7 * * *", timezone="Asia/Beirut")
    at_seven = datetime(2024, 5, 1, 4, 0, tzinfo=timezone.utc)  # 07:00 in Beirut (UTC+3)
    assert slot_of(beirut_seven, at_seven) == at_seven
    # a first run "now", in the afternoon, belongs to that morning's slot, not to a slot of its own
    assert slot_of(beirut_seven, at_seven + timedelta(hours=8)) == at_seven


def test_the_guard_lets_one_enqueue_through_per_source_and_slot(server, keys):
    one, two = Enqueuer(server, keys), Enqueuer(server, keys)
    slot = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert one.enqueue("wire", slot, timedelta(hours=1)) is Enqueued.ENQUEUED
    assert two.enqueue("wire", slot, timedelta(hours=1)) is Enqueued.TAKEN
    assert one.enqueue("wire", slot, timedelta(hours=1)) is Enqueued.TAKEN
    assert two.enqueue("almanar", slot, timedelta(hours=1)) is Enqueued.ENQUEUED
    assert server.llen(keys.starts) == 2
    assert 3600 < server.ttl(keys.guard("wire", int(slot.timestamp()))) <= 7200
    # the next slot while wire's run is still going is skipped, as max_instances=1 skips it on one machine
    assert one.enqueue("wire", slot + timedelta(hours=1), timedelta(hours=1)) is Enqueued.BUSY
    assert server.llen(keys.starts) == 2


# ------------------------------------------------------------------ the reliable queue

class _Spider(Spider):
    name = "news"

    def parse(self, response):  # the callback requests are serialized with
        pass


def _queue(server, keys, worker):
    from crawler.cluster.queue import ReliableQueue

    crawler = get_crawler(_Spider, {"NEWSMON_REDIS_PREFIX": keys.prefix, "NEWSMON_WORKER_ID": worker})
    spider = _Spider.from_crawler(crawler)
    return ReliableQueue(server, spider, keys.requests)


def _request(n, spider_parse):
    return Request(f"http://127.0.0.1:9/a/{n}", callback=spider_parse, priority=n, meta={RUN_META: ("wire", 1, 7)})


def test_a_dead_workers_requests_go_back_to_the_queue(server, keys):
    dead, live = _queue(server, keys, "dead"), _queue(server, keys, "live")
    for n in range(3):
        dead.push(_request(n, dead.spider.parse))
    assert int(server.hget(keys.run(7), "pending")) == 3  # each queued request counts once for its run
    held = [dead.pop(), dead.pop()]
    assert [r.url[-1] for r in held] == ["2", "1"]  # highest priority first
    assert all(WORK_META in r.meta for r in held)
    assert len(dead) == 1 and server.hlen(keys.inflight("dead")) == 2  # popped, but not lost

    assert requeue(server, keys, "dead") == (2, 0)  # what `reap` does once the worker's heartbeat expired
    assert server.hlen(keys.inflight("dead")) == 0
    urls = sorted(live.pop().url[-1] for _ in range(3))
    assert urls == ["0", "1", "2"] and live.pop() is None
    assert int(server.hget(keys.run(7), "pending")) == 3  # a requeued request is the same work, not new work


def test_a_retry_of_a_held_request_replaces_its_entry(server, keys):
    queue = _queue(server, keys, "w")
    queue.push(_request(1, queue.spider.parse))
    held = queue.pop()
    queue.push(held.replace(dont_filter=True))  # what RetryMiddleware and RedirectMiddleware do
    assert server.hlen(keys.inflight("w")) == 0 and len(queue) == 1
    assert WORK_META.encode() not in server.zrange(keys.requests, 0, -1)[0]  # a token is never stored in Redis
    assert int(server.hget(keys.run(7), "pending")) == 1


# ------------------------------------------------------------------ the expiring duplicate filter

def test_fingerprints_expire_by_day(server, keys):
    from crawler.cluster.dupefilter import ExpiringDupeFilter

    seen = ExpiringDupeFilter(server, keys.seen, days=3)
    request = Request("http://127.0.0.1:9/a/1")
    assert not seen.request_seen(request)
    assert seen.request_seen(request)
    today = seen.buckets()[0]
    assert 3 * 86400 < server.ttl(today) <= 4 * 86400  # bounded: nothing outlives four days
    # a fingerprint only in a bucket older than the window is not seen any more
    fingerprint = seen.request_fingerprint(Request("http://127.0.0.1:9/a/2"))
    old_day = int(time.time() // 86400) - 3
    server.sadd(f"{keys.seen}:{old_day}", fingerprint)
    assert not seen.request_seen(Request("http://127.0.0.1:9/a/2"))
    # yesterday's is still seen
    server.sadd(seen.buckets()[1], seen.request_fingerprint(Request("http://127.0.0.1:9/a/3")))
    assert seen.request_seen(Request("http://127.0.0.1:9/a/3"))
    # an article whose fetch failed for a passing reason is forgotten, so the next run asks for it again
    seen.forget(request)
    assert not seen.request_seen(request)
