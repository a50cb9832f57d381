"""The cluster's mechanisms on a real Redis (NEWSMON_TEST_REDIS_URL): the slot guard, the reliable queue's
requeue of a dead worker's requests, and the expiring duplicate filter. Each test uses its own key prefix."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.cluster.queue import WORK_META, requeue
from crawler.context import RUN_META
from newsmon.cluster_enqueue import Enqueued, Enqueuer, slot_of

REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL")


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


def _run_hash(server, keys, run_id=7):
    """A run's hash as ``RedisLedger.begin`` makes it (pending 1: the start, not settled in these tests)."""
    server.hset(keys.run(run_id), mapping={"pending": 0, "source": "wire"})
    server.expire(keys.run(run_id), 3600)


def test_a_dead_workers_requests_go_back_to_the_queue(server, keys):
    dead, live = _queue(server, keys, "dead"), _queue(server, keys, "live")
    _run_hash(server, keys)
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
    _run_hash(server, keys)
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


# ------------------------------------------------------------------ settling: each piece of work once

_SOURCES = "".join(f"""
  - name: {name}
    title: {name.title()}
    url: http://127.0.0.1:9/{name}/
    every: 1h
    feeds: [http://127.0.0.1:9/{name}/feed.xml]""" for name in ("wire", "almanar")).join(["sources:", "\n"])

class _Run:
    """A run's crawl_runs row (in SQLite) and its Redis hash, and a node's ledger and queue on it."""

    def __init__(self, server, keys, tmp_path):
        from db.engine import open_database, session_factory
        from db.store import start_run, upsert_source

        self.server, self.keys = server, keys
        self.sessions = session_factory(open_database(f"sqlite:///{tmp_path / 'runs.db'}"))
        with self.sessions.begin() as session:
            source_id = upsert_source(session, "wire", "Wire", "http://127.0.0.1:9/")
            self.key = ("wire", source_id, start_run(session, source_id))
        server.hset(keys.run(self.key[2]), mapping={"pending": 0, "source": "wire", "source_id": self.key[1],
                                                    "started": time.time(), "newsmon/listings_ok": 1})
        server.expire(keys.run(self.key[2]), 3600)

    def node(self, worker):
        """(queue, ledger) of a worker; the ledger records the runs it finishes."""
        from crawler.cluster.ledger import RedisLedger

        queue = _queue(self.server, self.keys, worker)
        ledger = RedisLedger(self.server, self.keys, worker, queue.spider.crawler, self.sessions)
        ledger.finished = []
        finish = ledger.finish
        ledger.finish = lambda run: (ledger.finished.append(run), finish(run))
        return queue, ledger

    def request(self, queue, n):
        return Request(f"http://127.0.0.1:9/a/{n}", callback=queue.spider.parse, priority=n, meta={RUN_META: self.key})

    def pending(self):
        value = self.server.hget(self.keys.run(self.key[2]), "pending")
        return None if value is None else int(value)

    def status(self):
        from db.models import CrawlRun

        with self.sessions() as session:
            return session.get(CrawlRun, self.key[2]).status.value


def test_the_same_request_queued_twice_counts_once(server, keys, tmp_path):
    # a feed configured twice, a child sitemap an index lists twice: one sorted-set member, so one piece of work
    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    assert queue.push(run.request(queue, 1)) is True
    assert queue.push(run.request(queue, 1)) is False
    assert len(queue) == 1 and run.pending() == 1
    held = queue.pop()
    ledger.settle(held.meta[WORK_META], run.key)
    assert ledger.finished == [run.key] and run.status() == "finished"


def test_a_retry_merging_into_a_queued_copy_is_one_piece_of_work(server, keys, tmp_path):
    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.push(run.request(queue, 1))
    held = queue.pop()
    queue.push(run.request(queue, 1))  # queued again meanwhile (dont_filter listings do this)
    assert run.pending() == 2
    queue.push(held)  # the held one is retried as it was: the same bytes as the queued copy
    assert len(queue) == 1 and run.pending() == 1
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key]


def test_a_dead_workers_request_merging_into_a_queued_copy_is_one_piece_of_work(server, keys, tmp_path):
    from crawler.cluster.worker import reap

    run = _Run(server, keys, tmp_path)
    (dead, _), (live, ledger) = run.node("dead"), run.node("live")
    server.hset(keys.workers, "dead", '{"last_seen": 0}')
    dead.push(run.request(dead, 1))
    dead.pop()
    live.push(run.request(live, 1))  # the same listing queued again by another worker meanwhile
    assert run.pending() == 2
    reap(server, keys)
    assert len(live) == 1 and run.pending() == 1
    ledger.settle(live.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key]


def test_a_queued_request_that_cannot_be_decoded_is_dropped_and_settled(server, keys, tmp_path, caplog):
    # an entry from before the run-id prefix, one naming a callback a newer release renamed, a corrupted one: each
    # is logged once, counted, and settled (out of flight, off its run's pending), and the next request popped
    from scrapy_redis import picklecompat

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.spider.ledger = ledger  # as the worker extension does when the spider opens
    queue.push(run.request(queue, 1))
    renamed = run.request(queue, 2).to_dict(spider=queue.spider)
    renamed["callback"] = "parse_before_the_rename"
    legacy = picklecompat.dumps(run.request(queue, 3).to_dict(spider=queue.spider))  # no "run id\n" prefix
    counted = {f"{run.key[2]}\n".encode() + picklecompat.dumps(renamed): -30,
               f"{run.key[2]}\n".encode() + b"\x80\x05garbage" + b"x" * 500: -20}
    server.zadd(keys.requests, {**counted, legacy: -10})  # more urgent than the good request (score -1)
    server.hincrby(keys.run(run.key[2]), "pending", len(counted))  # counted on the run when they were queued
    assert run.pending() == 3

    with caplog.at_level("ERROR", logger="newsmon.cluster"):
        held = queue.pop()
    assert held is not None and held.url.endswith("/a/1") and WORK_META in held.meta
    assert len(queue) == 0 and server.hkeys(keys.inflight("w")) == [held.meta[WORK_META].encode()]
    dropped = [r.getMessage() for r in caplog.records if "cannot decode" in r.getMessage()]
    assert len(dropped) == 3
    assert sum(f"of run {run.key[2]}:" in m for m in dropped) == 2 and "without a run-id prefix" in dropped[2]
    assert all(len(m) < 600 for m in dropped) and "(511 bytes)" in dropped[1]  # the start of the entry, not all of it
    assert queue.spider.crawler.stats.get_value("newsmon/cluster_undecodable") == 3
    assert run.pending() == 1 and ledger.finished == []  # the two of the run settled; the good request still held
    assert requeue(server, keys, "w") == (1, 0)  # nothing undecodable comes back
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key] and run.status() == "finished"
    assert queue.pop() is None


def test_an_entry_without_a_run_id_prefix_neither_breaks_a_requeue_nor_a_pop(server, keys, caplog):
    queue = _queue(server, keys, "w")  # no ledger: only the in-flight entry goes
    legacy = b"\x80\x05garbage"
    server.zadd(keys.requests, {legacy: 0})
    server.hset(keys.inflight("w"), "1", b"0\n" + legacy)  # its copy, held by the worker: merges into it
    assert requeue(server, keys, "w") == (1, 0)
    with caplog.at_level("ERROR", logger="newsmon.cluster"):
        assert queue.pop() is None
    assert len(queue) == 0 and server.hlen(keys.inflight("w")) == 0
    assert ["cannot decode" in r.getMessage() for r in caplog.records] == [True]


def test_configured_listings_are_asked_for_once(tmp_path):
    from crawler.context import CrawlContext, StatsTally
    from crawler.spiders.news import NewsSpider
    from newsmon.config import parse_sources

    config = parse_sources(
        "sources:\n  - name: wire\n    title: Wire\n    every: 1h\n    url: http://127.0.0.1:9/\n"
        "    feeds: [http://127.0.0.1:9/feed.xml, http://127.0.0.1:9/feed.xml]\n"
        "    sitemaps: [http://127.0.0.1:9/sitemap.xml, http://127.0.0.1:9/sitemap.xml]\n")
    crawler = get_crawler(NewsSpider, {"NEWSMON_CLUSTER": True, "NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    spider = NewsSpider.from_crawler(crawler)
    context = CrawlContext(config.sources[0], 1, 1, StatsTally(crawler.stats.inc_value))
    assert [r.url for r in spider.listing_requests(context)] == ["http://127.0.0.1:9/feed.xml",
                                                                   "http://127.0.0.1:9/sitemap.xml"]
    children = ["http://127.0.0.1:9/s1.xml", "http://127.0.0.1:9/s1.xml", "http://127.0.0.1:9/s2.xml"]
    assert [r.url for r in spider._child_sitemaps(context, children, 0)] == children[1:]


def test_a_worker_taken_for_dead_does_not_settle_what_was_handed_on(server, keys, tmp_path):
    # w1 holds a request; its heartbeat lapses (a huge page, a starved CPU), a reaper requeues it, w2 redoes it.
    # When w1 wakes up and settles its copy, nothing may change: no early finish, no second finish.
    from crawler.cluster.worker import reap

    run = _Run(server, keys, tmp_path)
    (q1, l1), (q2, l2) = run.node("w1"), run.node("w2")
    server.hset(keys.workers, "w1", '{"last_seen": 0}')  # registered; its alive key has expired
    for n in (1, 2):
        q1.push(run.request(q1, n))
    held = q1.pop()
    assert reap(server, keys) == ["w1"]
    again = q2.pop()
    assert again.url == held.url
    l2.settle(again.meta[WORK_META], run.key)
    l1.inc(run.key[2], "newsmon/stored")  # w1's count for work now redone elsewhere: dropped with its settle
    l1.settle(held.meta[WORK_META], run.key)
    assert run.pending() == 1 and not l1.finished + l2.finished, "the run must wait for its last request"
    l2.settle(q2.pop().meta[WORK_META], run.key)
    assert l1.finished + l2.finished == [run.key]
    assert not server.exists(keys.run(run.key[2])), "the run's hash is gone, and not recreated"
    l1.settle(held.meta[WORK_META], run.key)  # any late settle, once more
    l1.flush()
    assert not server.exists(keys.run(run.key[2]))


def test_a_run_finishes_once_whatever_comes_after(server, keys, tmp_path):
    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.push(run.request(queue, 1))
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key]
    # a late link from a worker taken for dead, for the run that has ended: done, but no second end
    queue.push(run.request(queue, 2))
    assert not server.exists(keys.run(run.key[2])), "an ended run's hash is not recreated (it would never expire)"
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key] and server.llen(keys.finished) == 1


def test_an_errback_that_raises_still_settles_its_request(server, keys, tmp_path):
    # a run of a source removed from this worker's sources.yaml: on_error cannot find its context and raises
    from twisted.python.failure import Failure

    from crawler.spiders.news import NewsSpider

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.push(Request("http://127.0.0.1:9/a/1", meta={RUN_META: run.key}))
    held = queue.pop()
    crawler = get_crawler(NewsSpider, {"NEWSMON_CLUSTER": True, "NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    spider = NewsSpider.from_crawler(crawler)
    spider.ledger = ledger

    def gone(key):
        raise LookupError(f"source {key[0]!r} is not in sources.yaml")

    spider.context_factory = gone
    failure = Failure(ConnectionRefusedError())
    failure.request = held
    with pytest.raises(LookupError):
        list(spider.on_error(failure) or ())
    assert server.hlen(keys.inflight("w")) == 0
    assert ledger.finished == [run.key]
    assert run.status() == "finished"
    from db.models import CrawlRun

    with run.sessions() as session:
        assert session.get(CrawlRun, run.key[2]).errors == 1  # counted as errors/callback


def test_a_failed_fetch_is_forgotten_by_the_schedulers_duplicate_filter(server, keys, tmp_path):
    # Scrapy opens the scheduler before spider_opened, where the ledger is made known to the spider: the ledger
    # finds the duplicate filter on the engine's scheduler when it needs it
    from types import SimpleNamespace

    from crawler.cluster.dupefilter import ExpiringDupeFilter

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    seen = ExpiringDupeFilter(server, keys.seen)
    ledger.crawler.engine = SimpleNamespace(scheduler=SimpleNamespace(df=seen))
    request = Request("http://127.0.0.1:9/a/1")
    assert not seen.request_seen(request)
    ledger.may_retry(request)
    assert not seen.request_seen(request)


def test_an_article_that_could_not_be_stored_is_asked_for_again(server, keys, tmp_path):
    from types import SimpleNamespace

    from crawler.cluster.dupefilter import ExpiringDupeFilter
    from crawler.items import ArticleItem

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    seen = ledger.dupefilter = ExpiringDupeFilter(server, keys.seen)
    ledger.crawler.engine = SimpleNamespace(scheduler=SimpleNamespace(df=seen))
    queue.push(run.request(queue, 1))
    held = queue.pop()
    assert not seen.request_seen(Request(held.url))
    item = ArticleItem(source="wire", fetched_url=held.url, final_url=held.url, fetched_at=None, title="t",
                       body="b", run=run.key, work=held.meta[WORK_META])
    ledger.item_done(item, stored=False)  # errors/store: not in the database
    assert ledger.finished == [run.key]
    assert not seen.request_seen(Request(held.url)), "the next run must be free to ask for it"
    # and a callback that raised on an article
    raising = Request("http://127.0.0.1:9/a/2", meta={WORK_META: "x", RUN_META: run.key})
    seen.request_seen(raising)

    def boom():
        raise ValueError("bad page")
        yield

    with pytest.raises(ValueError):
        list(ledger.follow(raising, boom()))
    assert not seen.request_seen(Request(raising.url))


# ------------------------------------------------------------------ hiccups

def test_a_settle_redis_refuses_is_tried_again(server, keys, tmp_path):
    from redis.exceptions import ConnectionError as RedisConnectionError

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.push(run.request(queue, 1))
    held = queue.pop()
    ledger.inc(run.key[2], "newsmon/stored")
    script = ledger._settle_script

    def down(**_):
        raise RedisConnectionError("connection reset")

    ledger._settle_script = down
    ledger.settle(held.meta[WORK_META], run.key)  # logged, kept: item_done's errors are swallowed by Scrapy
    assert run.pending() == 1
    ledger.retry()
    assert run.pending() == 1, "still down: kept for the next try"
    ledger._settle_script = script
    ledger.retry()
    assert ledger.finished == [run.key]
    from db.models import CrawlRun

    with run.sessions() as session:
        assert session.get(CrawlRun, run.key[2]).stored == 1  # the count travelled with the retried settle


def test_a_starts_settle_retried_after_a_lost_reply_counts_once(server, keys, tmp_path):
    # Redis ran the settle but its reply was lost (a timeout, a reset): the retry must not lower pending again,
    # or the run would end while its listings are still queued
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from crawler.cluster.ledger import _START

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    server.hset(keys.run(run.key[2]), mapping={"pending": 1, _START: 1})  # as begin() leaves it
    queue.push(run.request(queue, 1))  # a listing the start queued
    script = ledger._settle_script

    def lost_reply(**kwargs):
        script(**kwargs)
        raise RedisTimeoutError("Timeout reading from socket")

    ledger._settle_script = lost_reply
    ledger.settle(_START, run.key)
    ledger._settle_script = script
    ledger.retry()
    assert run.pending() == 1 and not ledger.finished, "the queued listing still holds the run open"
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert ledger.finished == [run.key]


def test_a_finishing_settle_retried_after_a_lost_reply_still_finishes_the_run(server, keys, tmp_path):
    # Redis ran the settle that brought pending to 0 (and recorded this worker as the run's finisher), but the
    # reply was lost: the retry finds its token gone, and the run must still be finished, once
    from redis.exceptions import ConnectionError as RedisConnectionError

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    queue.push(run.request(queue, 1))
    held = queue.pop()
    script = ledger._settle_script

    def lost_reply(**kwargs):
        script(**kwargs)
        raise RedisConnectionError("Connection reset by peer")

    ledger._settle_script = lost_reply
    ledger.settle(held.meta[WORK_META], run.key)
    assert run.pending() == 0 and not ledger.finished
    ledger._settle_script = script
    ledger.retry()
    assert ledger.finished == [run.key] and run.status() == "finished"
    assert server.llen(keys.finished) == 1 and not server.exists(keys.run(run.key[2]))
    ledger.retry()
    assert ledger.finished == [run.key] and server.llen(keys.finished) == 1


def test_a_run_whose_finisher_died_is_finished_by_another_worker(server, keys, tmp_path):
    # w1's settle brought pending to 0, then w1 was killed before writing the row: once its heartbeat has
    # expired, another worker finishes the run (else it would stay "running", its source busy for hours)
    run = _Run(server, keys, tmp_path)
    (q1, l1), (q2, l2) = run.node("w1"), run.node("w2")
    server.set(keys.alive("w1"), "1")
    q1.push(run.request(q1, 1))
    held = q1.pop()
    finish_once = l1._finish_once
    l1._finish_once = lambda run: None  # killed right after the Redis part
    l1.settle(held.meta[WORK_META], run.key)
    assert run.pending() == 0
    l2.retry()
    assert not l2.finished, "w1 is alive: the finish is its own"
    server.delete(keys.alive("w1"))
    l2.retry()
    assert l2.finished == [run.key] and run.status() == "finished"
    assert server.llen(keys.finished) == 1 and not server.exists(keys.run(run.key[2]), keys.finishing)
    finish_once(run.key)  # w1 was only silent, and finishes after all: nothing more happens
    l1.retry()
    l2.retry()
    assert l2.finished == [run.key] and server.llen(keys.finished) == 1


def test_a_finisher_taken_for_dead_while_finishing_does_not_end_the_run_twice(server, keys, tmp_path):
    # w1 has read the run's counts when its heartbeat lapses, and w2 takes the run on and finishes it; w1 then
    # goes on: the row is written once, and one note goes to the scheduler node
    from db.models import CrawlRun

    run = _Run(server, keys, tmp_path)
    (q1, l1), (q2, l2) = run.node("w1"), run.node("w2")  # w1 has no heartbeat key: taken for dead
    q1.push(run.request(q1, 1))
    held = q1.pop()
    sessions, written = l1.sessions, []

    class Lapsing:
        def begin(self):
            l2.retry()
            with sessions() as session:
                written.append(session.get(CrawlRun, run.key[2]).finished_at)
            return sessions.begin()

    l1.sessions = Lapsing()
    l1.settle(held.meta[WORK_META], run.key)
    assert l1.finished == l2.finished == [run.key]
    with sessions() as session:
        assert session.get(CrawlRun, run.key[2]).finished_at == written[0] is not None
    assert server.llen(keys.finished) == 1 and not server.exists(keys.run(run.key[2]), keys.finishing)


def test_a_finish_the_database_refuses_is_tried_again(server, keys, tmp_path):
    from sqlalchemy.exc import OperationalError

    run = _Run(server, keys, tmp_path)
    queue, ledger = run.node("w")
    sessions = ledger.sessions

    class Down:
        def begin(self):
            raise OperationalError("UPDATE crawl_runs", {}, Exception("server closed the connection"))

    ledger.sessions = Down()
    queue.push(run.request(queue, 1))
    ledger.settle(queue.pop().meta[WORK_META], run.key)
    assert run.status() == "running"
    ledger.sessions = sessions
    ledger.retry()
    assert run.status() == "finished"
    assert server.llen(keys.finished) == 1 and not server.exists(keys.run(run.key[2]))


def test_the_store_pipelines_timer_survives_an_error(tmp_path):
    from twisted.internet.task import Clock

    from pipelines.store import StorePipeline

    crawler = get_crawler(_Spider, {"NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}", "NEWSMON_STORE_BATCH": 20})
    pipeline = StorePipeline(crawler, batch_size=20, max_wait=1.0)
    calls = []

    def flush():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("not a database error")

    pipeline.flush = flush
    pipeline.open_spider()
    timer, clock = pipeline._timer, Clock()
    timer.stop()  # the same timer, on a clock the test moves
    timer.clock = clock
    timer.start(1.0, now=False)
    for _ in range(3):
        clock.advance(1.0)
    assert len(calls) == 3 and timer.running


def test_the_scheduler_node_goes_on_after_a_failed_follow_up(monkeypatch):
    import asyncio
    from types import SimpleNamespace

    import crawler.cluster.worker
    import scheduler as scheduler_module
    from newsmon.config import parse_sources

    service = scheduler_module.CrawlService.__new__(scheduler_module.CrawlService)
    service.config = parse_sources(_SOURCES)
    service.stopping = asyncio.Event()
    service.notes_again, service.note_retry_seconds = [], 0.0
    notes = [[{"source": "wire", "status": "finished", "stored": 1, "updated": 0, "run": 1},
              {"source": "almanar", "status": "finished", "stored": 1, "updated": 0, "run": 2}]]
    service.enqueuer = SimpleNamespace(server=None, keys=None, finished_runs=lambda: notes.pop() if notes else [])
    monkeypatch.setattr(crawler.cluster.worker, "reap", lambda server, keys: [])
    applied = []

    async def after_run(source, status, stored, updated):
        applied.append(source.name)
        if applied == ["wire"]:
            raise RuntimeError("job store unavailable")

    service._after_run = after_run

    async def watch():
        task = asyncio.ensure_future(service._watch_cluster())
        await asyncio.sleep(2.5)
        assert not task.done(), "the watcher must outlive a failed note"
        task.cancel()

    asyncio.run(watch())
    assert applied == ["wire", "almanar", "wire"]  # the failed one applied again on the next round


# ------------------------------------------------------------------ start messages

def test_a_start_message_delivered_again_is_not_begun_twice(server, keys, tmp_path):
    import json

    from crawler.cluster.worker import ClusterWorker
    from crawler.spiders.news import NewsSpider

    sources = tmp_path / "sources.yaml"
    sources.write_text(_SOURCES, encoding="utf-8")
    crawler = get_crawler(NewsSpider, {
        "NEWSMON_CLUSTER": True, "NEWSMON_REDIS_PREFIX": keys.prefix, "NEWSMON_WORKER_ID": "w",
        "REDIS_URL": REDIS_URL, "NEWSMON_SOURCES": str(sources), "NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    from types import SimpleNamespace

    crawler.engine = SimpleNamespace(_slot=None)  # no crawl running: nothing to wake
    worker = ClusterWorker(crawler)
    worker.spider = None
    begun = []
    worker.ledger.begin = lambda message, source, spider: begun.append(message["slot"])
    message = json.dumps({"source": "wire", "slot": 3600, "enqueued_at": 1.0})
    server.lpush(keys.starts, message)
    worker.take_starts()
    # killed between its begin and dropping its claim: the message comes back (``requeue``) as it was
    server.lpush(keys.starts, message)
    worker.take_starts()
    assert begun == [3600]
    assert server.llen(keys.claimed("w")) == 0 and server.llen(keys.starts) == 0


def test_a_worker_whose_heartbeat_lapsed_says_so_and_beats_again(server, keys, tmp_path, caplog):
    from types import SimpleNamespace

    from crawler.cluster.worker import ClusterWorker
    from crawler.spiders.news import NewsSpider

    sources = tmp_path / "sources.yaml"
    sources.write_text(_SOURCES, encoding="utf-8")
    crawler = get_crawler(NewsSpider, {
        "NEWSMON_CLUSTER": True, "NEWSMON_REDIS_PREFIX": keys.prefix, "NEWSMON_WORKER_ID": "w",
        "REDIS_URL": REDIS_URL, "NEWSMON_SOURCES": str(sources), "NEWSMON_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    crawler.engine = SimpleNamespace(_slot=None)
    worker = ClusterWorker(crawler)
    worker.beat()
    worker.beat()
    assert "silent" not in caplog.text
    server.delete(keys.alive("w"))  # the reactor was held longer than the heartbeat lives
    worker.beat()
    assert "was silent for over" in caplog.text
    assert server.exists(keys.alive("w"))
